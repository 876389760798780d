/*
 * pgwasm--0.2.0--0.3.0.sql -- update a 0.2.0 installation to 0.3.0.
 *
 * 0.3.0 adds functions declared by the module itself: wasm.create_functions,
 * wasm.module_functions, and a wasm.install_module that can create them at
 * install (a separate four-argument function, so the three-argument one and
 * the privileges granted on it stay as they are).  Nothing else changes in
 * SQL: the new types, NULLs, records, sets and triggers are the library's.
 *
 * Pure ASCII, as every install and update script.
 */

-- complain if the script is sourced in psql rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pgwasm UPDATE TO '0.3.0'" to load this file. \quit

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
