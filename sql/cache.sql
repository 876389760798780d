--
-- cache.sql — the per-backend cache: compiled once and shared by every
-- function of a module; a replaced or dropped module and a CREATE OR
-- REPLACEd function are picked up by calls already cached in this session
-- (the TAP suite covers other sessions); LRU bound pgwasm.module_cache_size;
-- wasm.stats().
--
\getenv guestdir PGWASM_GUEST_DIR
\set scalars :guestdir '/scalars.wasm'
\set state :guestdir '/state.wasm'
\set traps :guestdir '/traps.wasm'
SELECT wasm.install_module('c', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
CREATE FUNCTION c_answer() RETURNS int4 LANGUAGE wasm AS 'c:answer';
CREATE FUNCTION c_add(int4, int4) RETURNS int4 LANGUAGE wasm AS 'c:add';
-- c_bump names an export the module gets only when replaced below
SET check_function_bodies = off;
CREATE FUNCTION c_bump() RETURNS int4 LANGUAGE wasm AS 'c:bump';
RESET check_function_bodies;
SELECT c_answer(), c_add(1, 2);

-- stats of this backend: one compilation, one instance, the calls counted
SELECT module, compile_ms >= 0 AS compiled, instantiations, calls, traps, memory_bytes > 0 AS has_memory
  FROM wasm.stats() WHERE module = 'c';
SELECT sum(c_add(i, 1)) FROM generate_series(1, 1000) i;
SELECT calls FROM wasm.stats() WHERE module = 'c';

-- replace the module under the same name: cached functions follow
SELECT wasm.install_module('c', pg_read_binary_file(:'state'), replace => true) IS NOT NULL AS replaced;
SELECT c_bump(), c_bump();
SELECT c_answer();
SELECT c_bump();
-- and back
SELECT wasm.install_module('c', pg_read_binary_file(:'scalars'), replace => true) IS NOT NULL AS replaced;
SELECT c_answer();

-- a replace inside a transaction that rolls back is undone for the cache too
BEGIN;
SELECT wasm.install_module('c', pg_read_binary_file(:'state'), replace => true) IS NOT NULL AS replaced;
SELECT c_bump();
ROLLBACK;
SELECT c_answer(), c_add(2, 2);

-- a call site that lives across statements (a PL/pgSQL expression, kept for
-- the transaction) notices a change of the module's row
CREATE FUNCTION c_bump_plpgsql() RETURNS int4 LANGUAGE plpgsql AS $$
BEGIN
  RETURN c_bump();
END
$$;
SELECT wasm.install_module('c_state', pg_read_binary_file(:'state')) IS NOT NULL AS installed;
BEGIN;
SELECT wasm.install_module('c', pg_read_binary_file(:'state'), replace => true) IS NOT NULL AS replaced;
SELECT c_bump_plpgsql(), c_bump_plpgsql();
SELECT c_bump_plpgsql();
SELECT wasm.install_module('c', pg_read_binary_file(:'scalars'), replace => true) IS NOT NULL AS replaced;
SELECT c_bump_plpgsql();
ROLLBACK;
-- ... also when a superuser changes the module's function directly
SELECT prosrc AS c_state_body FROM pg_proc WHERE oid = 'wasm_module.c_state()'::regprocedure \gset
BEGIN;
CREATE OR REPLACE FUNCTION wasm_module.c() RETURNS wasm.module LANGUAGE wasm AS :'c_state_body';
SELECT c_bump_plpgsql(), c_bump_plpgsql();
ALTER FUNCTION wasm_module.c_state() COST 2;
SELECT c_bump_plpgsql();
DROP FUNCTION wasm_module.c();
SELECT c_bump_plpgsql();
ROLLBACK;
SELECT c_add(7, 2);
SELECT wasm.drop_module('c_state');
DROP FUNCTION c_bump_plpgsql();

-- CREATE OR REPLACE FUNCTION switches the export for cached callers
CREATE FUNCTION c_answer2(int4) RETURNS int4 LANGUAGE wasm AS 'c:id32';
SELECT c_answer2(7);
CREATE OR REPLACE FUNCTION c_answer2(int4) RETURNS int4 LANGUAGE wasm AS 'c:next_day';
SELECT c_answer2(7);
-- ... also within one prepared statement
PREPARE p AS SELECT c_answer2($1);
EXECUTE p(1);
CREATE OR REPLACE FUNCTION c_answer2(int4) RETURNS int4 LANGUAGE wasm AS 'c:id32';
EXECUTE p(1);
DEALLOCATE p;

-- dropping the module: the function fails cleanly, and works after reinstall
SELECT wasm.drop_module('c', cascade => false);
BEGIN;
SELECT wasm.drop_module('c', cascade => true);
SELECT c_add(1, 1);
ROLLBACK;
SELECT c_add(1, 1);
SET check_function_bodies = off;
CREATE FUNCTION c_orphan() RETURNS int4 LANGUAGE wasm AS 'c_gone:answer';
RESET check_function_bodies;
SELECT c_orphan();
SELECT wasm.install_module('c_gone', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
SELECT c_orphan();
SELECT wasm.drop_module('c_gone', cascade => true);

-- two names with the same bytes share one compiled module
SELECT wasm.install_module('c_twin', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
CREATE FUNCTION c_twin_answer() RETURNS int4 LANGUAGE wasm AS 'c_twin:answer';
SELECT c_twin_answer();
SELECT compile_ms = 0 AS not_compiled_again, instantiations AS new_instances FROM wasm.stats() WHERE module = 'c_twin';
SELECT wasm.drop_module('c_twin', cascade => true);

-- LRU: with room for one module, alternating modules recompile each time
SELECT wasm.install_module('c_traps', pg_read_binary_file(:'traps')) IS NOT NULL AS installed;
CREATE FUNCTION c_div(int4, int4) RETURNS int4 LANGUAGE wasm AS 'c_traps:div';
SELECT c_add(0, 0);
SELECT instantiations AS c_before FROM wasm.stats() WHERE module = 'c' \gset
SET pgwasm.module_cache_size = 1;
SELECT c_add(1, 1), c_div(6, 3), c_add(2, 2), c_div(8, 2);
SELECT instantiations - :c_before AS c_recompiled FROM wasm.stats() WHERE module = 'c';
SELECT instantiations AS c_traps_compiled FROM wasm.stats() WHERE module = 'c_traps';
RESET pgwasm.module_cache_size;
SELECT instantiations AS c_before FROM wasm.stats() WHERE module = 'c' \gset
SELECT c_add(4, 4), c_div(9, 3), c_add(5, 5), c_div(10, 5);
SELECT instantiations - :c_before AS c_recompiled FROM wasm.stats() WHERE module = 'c';

SET client_min_messages = warning;
SELECT wasm.drop_module('c', cascade => true);
SELECT wasm.drop_module('c_traps', cascade => true);
RESET client_min_messages;
