/*
 * pgwasm--0.3.0--0.4.0.sql -- update a 0.3.0 installation to 0.4.0.
 *
 * 0.4.0 runs hot functions as machine code (the native tier, settings
 * pgwasm.jit*) and shows what it did: wasm.stats() gains four columns at
 * its end (functions compiled, refused and failed, compile time), and
 * wasm.jit_stats() reports the tier over the whole backend; an event
 * trigger removes the tier's code cache entries of the database's modules
 * on DROP EXTENSION pgwasm.  A function's
 * result columns cannot be changed in place, so wasm.stats() is dropped and
 * created again (EXECUTE stays granted to PUBLIC, as on a fresh install).
 * Until the update, the 0.4.0 library serves the 0.3.0 declaration of
 * wasm.stats(), which reads only the first six columns.
 *
 * Pure ASCII, as every install and update script.
 */

-- complain if the script is sourced in psql rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pgwasm UPDATE TO '0.4.0'" to load this file. \quit

DROP FUNCTION wasm.stats();

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
