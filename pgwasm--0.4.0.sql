/*
 * pgwasm--0.4.0.sql -- the SQL surface of pgwasm 0.4.0 (fresh installs;
 * pgwasm--0.3.0--0.4.0.sql updates a 0.3.0 installation to the same).
 *
 * Creates, in schema wasm (named by pgwasm.control, which also makes the
 * extension non-relocatable): the domain wasm.module and the view
 * wasm.modules, the trusted procedural language `wasm` with its call handler
 * and validator, and the functions that install, drop and describe modules;
 * and schema wasm_module, where each installed module is a function.
 * Everything that touches modules is implemented in C (src/catalog.c): the
 * catalog is written directly, without SQL, so no search_path is ever
 * consulted while running as a superuser.
 *
 * This file is frozen once released, and pure ASCII (as every install and
 * update script: CREATE EXTENSION reads it in the database's encoding, and
 * test/pg/run.sh checks).
 */

-- complain if the script is sourced in psql rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION pgwasm" to load this file. \quit

/*
 * Modules.  Each installed module is a function of schema wasm_module, its
 * "carrier", created by wasm.install_module (from C, owned by the installing
 * role, never a member of this extension):
 *
 *     wasm_module."<name>"() RETURNS wasm.module LANGUAGE wasm
 *
 * whose body is an ASCII header line (format version, SHA-256, sizes,
 * creation time) and the zstd-compressed module in base64.  Being a function
 * makes a module a pre-data object of pg_dump: restores create it before any
 * table data, index or materialized view needs it.  PUBLIC may look into the
 * schema but not create in it, so only superusers can CREATE OR REPLACE or
 * rename a carrier directly; owners can drop theirs (as drop_module would,
 * without its check for functions using the module).
 */
CREATE SCHEMA wasm_module;
GRANT USAGE ON SCHEMA wasm_module TO PUBLIC;
COMMENT ON SCHEMA wasm_module IS
	'pgwasm modules, one function each (created by wasm.install_module)';

CREATE DOMAIN wasm.module AS bytea;
COMMENT ON DOMAIN wasm.module IS
	'return type of the functions holding pgwasm modules (schema wasm_module)';

/* The header is parsed here too: keep in step with src/catalog.c. */
CREATE VIEW wasm.modules AS
	SELECT p.proname::text AS name,
		   pg_catalog.pg_get_userbyid(p.proowner) AS owner,
		   h[1] AS sha256,
		   h[2]::int4 AS size,
		   h[3]::int4 AS compressed_size,
		   h[4]::timestamptz AS created
	  FROM pg_catalog.pg_proc p,
		   LATERAL pg_catalog.regexp_match(pg_catalog.substr(p.prosrc, 1, 256),
				'^pgwasm-module 1 sha256=([0-9a-f]{64}) size=([0-9]+) compressed=([0-9]+) created=([0-9:.TZ-]+)\n') AS h
	 WHERE p.pronamespace = 'wasm_module'::regnamespace
	   AND p.prorettype = 'wasm.module'::regtype
	   AND p.pronargs = 0;

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
				  traps int8, memory_bytes int8, jit_functions int8, jit_refused int8,
				  jit_failed int8, jit_compile_ms float8)
	AS 'MODULE_PATHNAME', 'pgwasm_stats'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;

COMMENT ON FUNCTION wasm.stats() IS
	'per-module counters of this backend: compile time, instantiations, calls, traps, instance memory, native tier';

/* ---- the native tier (0.4.0) --------------------------------------------- */

CREATE FUNCTION wasm.jit_stats()
	RETURNS TABLE(library text, state text, detail text, functions int8, refused int8,
				  failed int8, batches int8, compile_ms float8, wasm_bytes int8,
				  osr_entries int8, osr_calls int8, cache_hits int8, cache_misses int8,
				  cache_rejects int8)
	AS 'MODULE_PATHNAME', 'pgwasm_jit_stats'
	LANGUAGE C VOLATILE PARALLEL RESTRICTED;

COMMENT ON FUNCTION wasm.jit_stats() IS
	'the native tier in this backend: its library and state, functions compiled, refused and failed, compile time, on-stack replacement, code cache hits, misses and rejected files';

/*
 * DROP EXTENSION pgwasm removes the native tier's code cache entries of this
 * database's modules ($PGDATA/pgwasm_code_cache/<sha256>/) at commit.  The
 * event trigger is a member of the extension, so it must act at
 * ddl_command_start: by sql_drop it is dropped itself.  It does nothing for
 * other commands or other extensions.
 */
CREATE FUNCTION wasm.code_cache_drop_extension()
	RETURNS event_trigger
	AS 'MODULE_PATHNAME', 'pgwasm_code_cache_drop_extension'
	LANGUAGE C;

COMMENT ON FUNCTION wasm.code_cache_drop_extension() IS
	'event trigger: DROP EXTENSION pgwasm removes the code cache entries of this database''s modules';

REVOKE EXECUTE ON FUNCTION wasm.code_cache_drop_extension() FROM PUBLIC;

CREATE EVENT TRIGGER pgwasm_code_cache_drop_extension ON ddl_command_start
	WHEN TAG IN ('DROP EXTENSION')
	EXECUTE FUNCTION wasm.code_cache_drop_extension();

/* ---- functions the module declares (0.3.0) ---------------------------- */

CREATE FUNCTION wasm.create_functions(module text, schema name DEFAULT NULL,
									  prefix text DEFAULT '', or_replace boolean DEFAULT false)
	RETURNS SETOF regprocedure
	AS 'MODULE_PATHNAME', 'pgwasm_create_functions'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION wasm.create_functions(text, name, text, boolean) IS
	'create the LANGUAGE wasm functions a module declares in its pgwasm_functions section';

CREATE FUNCTION wasm.module_functions(module text)
	RETURNS SETOF text
	AS 'MODULE_PATHNAME', 'pgwasm_module_functions'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION wasm.module_functions(text) IS
	'the function declarations in a module''s pgwasm_functions section';

CREATE FUNCTION wasm.install_module(name text, module bytea, replace boolean,
									create_functions boolean)
	RETURNS text
	AS 'MODULE_PATHNAME', 'pgwasm_install_module_declare'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION wasm.install_module(text, bytea, boolean, boolean) IS
	'install a module, then (create_functions) create the functions it declares';

REVOKE EXECUTE ON FUNCTION wasm.install_module(text, bytea, boolean, boolean) FROM PUBLIC;
