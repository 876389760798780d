/*
 * pgwasm--0.1.0.sql -- the SQL surface of pgwasm 0.1.0.
 *
 * Creates, in schema wasm (named by pgwasm.control, which also makes the
 * extension non-relocatable): the module catalog table and its view, the
 * trusted procedural language `wasm` with its call handler and validator, and
 * the functions that install, drop and describe modules.  Everything that
 * touches modules is implemented in C (src/catalog.c): the catalog table is
 * written directly, without SQL, so the functions need no privileges on it
 * and no search_path is ever consulted while running as its owner.
 *
 * Later versions must ship pgwasm--0.1.0--X.sql update scripts: this file is
 * frozen once released.
 */

-- complain if the script is sourced in psql rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION pgwasm" to load this file. \quit

/*
 * The module catalog.  One row per installed module: the zstd-compressed
 * module bytes with the SHA-256 and size of the uncompressed module.  The
 * per-backend cache is keyed by sha256, so a replaced module is never served
 * from a stale cache entry.  Only C code writes it; nobody but its owner may
 * read the raw bytes (wasm.modules shows everything else).
 */
CREATE TABLE wasm.module_store (
	name text PRIMARY KEY
		CHECK (name <> '' AND strpos(name, ':') = 0 AND octet_length(name) < 64),
	-- regrole, not oid: pg_dump writes the role's name, so a restore into
	-- another cluster keeps the owner (pg_upgrade preserves role OIDs).
	owner regrole NOT NULL,
	sha256 bytea NOT NULL CHECK (octet_length(sha256) = 32),
	size int4 NOT NULL CHECK (size >= 0),
	compressed bytea NOT NULL,
	created timestamptz NOT NULL DEFAULT pg_catalog.now()
);
-- The bytes are already zstd-compressed: keep TOAST from trying pglz again.
ALTER TABLE wasm.module_store ALTER COLUMN compressed SET STORAGE EXTERNAL;
REVOKE ALL ON wasm.module_store FROM PUBLIC;
-- pg_dump dumps the rows with the extension's objects (a configuration table).
SELECT pg_catalog.pg_extension_config_dump('wasm.module_store', '');

/*
 * wasm.install_module/drop_module invalidate other backends' caches
 * themselves.  Rows written any other way (a superuser's UPDATE, a restore
 * into a running database) do it through this trigger.
 */
CREATE FUNCTION wasm.pgwasm_module_store_changed()
	RETURNS trigger
	AS 'MODULE_PATHNAME', 'pgwasm_module_store_changed'
	LANGUAGE C;
REVOKE ALL ON FUNCTION wasm.pgwasm_module_store_changed() FROM PUBLIC;
CREATE TRIGGER module_store_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON wasm.module_store
	FOR EACH STATEMENT EXECUTE FUNCTION wasm.pgwasm_module_store_changed();

COMMENT ON TABLE wasm.module_store IS
	'pgwasm module catalog: zstd-compressed WebAssembly modules (written by wasm.install_module/drop_module)';

CREATE VIEW wasm.modules AS
	SELECT m.name,
		   pg_catalog.pg_get_userbyid(m.owner) AS owner,
		   pg_catalog.encode(m.sha256, 'hex') AS sha256,
		   m.size,
		   pg_catalog.octet_length(m.compressed) AS compressed_size,
		   m.created
	  FROM wasm.module_store m;

COMMENT ON VIEW wasm.modules IS 'installed WebAssembly modules';

GRANT USAGE ON SCHEMA wasm TO PUBLIC;
GRANT SELECT ON wasm.modules TO PUBLIC;

/* ---- the language -------------------------------------------------------- */

CREATE FUNCTION wasm.pgwasm_call_handler()
	RETURNS language_handler
	AS 'MODULE_PATHNAME', 'pgwasm_call_handler'
	LANGUAGE C;

CREATE FUNCTION wasm.pgwasm_validator(oid)
	RETURNS void
	AS 'MODULE_PATHNAME', 'pgwasm_validator'
	LANGUAGE C STRICT;

CREATE TRUSTED LANGUAGE wasm
	HANDLER wasm.pgwasm_call_handler
	VALIDATOR wasm.pgwasm_validator;

COMMENT ON LANGUAGE wasm IS 'WebAssembly functions: AS ''module:export''';

/* ---- module management ------------------------------------------------- */

CREATE FUNCTION wasm.install_module(name text, module bytea, replace boolean DEFAULT false)
	RETURNS text
	AS 'MODULE_PATHNAME', 'pgwasm_install_module'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION wasm.install_module(text, bytea, boolean) IS
	'validate a WebAssembly module and store it under a name; returns its SHA-256 (hex)';

CREATE FUNCTION wasm.drop_module(name text, "cascade" boolean DEFAULT false)
	RETURNS void
	AS 'MODULE_PATHNAME', 'pgwasm_drop_module'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION wasm.drop_module(text, boolean) IS
	'remove a module; with cascade => true also drop the functions that use it';

REVOKE EXECUTE ON FUNCTION wasm.install_module(text, bytea, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION wasm.drop_module(text, boolean) FROM PUBLIC;

CREATE FUNCTION wasm.module_exports(name text)
	RETURNS TABLE(name text, kind text, signature text)
	AS 'MODULE_PATHNAME', 'pgwasm_module_exports'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION wasm.module_exports(text) IS
	'exports of an installed module with their WebAssembly signatures';

CREATE FUNCTION wasm.module_imports(name text)
	RETURNS TABLE(module text, name text, kind text, signature text)
	AS 'MODULE_PATHNAME', 'pgwasm_module_imports'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION wasm.module_imports(text) IS
	'imports of an installed module with their WebAssembly signatures';

CREATE FUNCTION wasm.stats()
	RETURNS TABLE(module text, compile_ms float8, instantiations int8, calls int8,
				  traps int8, memory_bytes int8)
	AS 'MODULE_PATHNAME', 'pgwasm_stats'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;

COMMENT ON FUNCTION wasm.stats() IS
	'per-module counters of this backend: compile time, instantiations, calls, traps, instance memory';
