/*
 * pgwasm--0.1.0--0.2.0.sql -- update a 0.1.0 installation to 0.2.0.
 *
 * 0.1.0 kept modules as rows of the configuration table wasm.module_store,
 * which pg_dump restores in the data section, in no guaranteed order against
 * other tables' data: a restore could load a table whose CHECK constraint or
 * generated column calls a wasm function before the module it needs, and
 * fail.  0.2.0 makes each module a function, wasm_module."<name>"(), which
 * restores create before any data.  This script moves every row into that
 * form, keeping its name, owner, SHA-256, compressed bytes and creation
 * time, then drops the table, its trigger and trigger function.
 *
 * Pure ASCII, as every install and update script.
 */

-- complain if the script is sourced in psql rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pgwasm UPDATE TO '0.2.0'" to load this file. \quit

CREATE SCHEMA wasm_module;
GRANT USAGE ON SCHEMA wasm_module TO PUBLIC;
COMMENT ON SCHEMA wasm_module IS
	'pgwasm modules, one function each (created by wasm.install_module)';

CREATE DOMAIN wasm.module AS bytea;
COMMENT ON DOMAIN wasm.module IS
	'return type of the functions holding pgwasm modules (schema wasm_module)';

/* Move the rows (C, like install_module: see src/catalog.c). */
CREATE FUNCTION wasm.pgwasm_migrate_module(name text, owner oid, sha256 bytea, size int4,
										   compressed bytea, created timestamptz)
	RETURNS void
	AS 'MODULE_PATHNAME', 'pgwasm_migrate_module'
	LANGUAGE C STRICT;
SELECT wasm.pgwasm_migrate_module(name, owner::oid, sha256, size, compressed, created)
  FROM wasm.module_store ORDER BY name;
DROP FUNCTION wasm.pgwasm_migrate_module(text, oid, bytea, int4, bytea, timestamptz);

/*
 * The table goes: out of the extension first (which also takes it off
 * pg_extension.extconfig, where pg_dump would look for it), then dropped
 * with its trigger; the view over it is re-created over pg_proc.
 */
DROP VIEW wasm.modules;
ALTER EXTENSION pgwasm DROP TABLE wasm.module_store;
DROP TABLE wasm.module_store;
DROP FUNCTION wasm.pgwasm_module_store_changed();

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

GRANT SELECT ON wasm.modules TO PUBLIC;
