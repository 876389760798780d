--
-- traps.sql — every kind of trap becomes an ERROR with its SQLSTATE, the
-- trap message, a hint naming the limit where there is one, and a context
-- with the Wasm backtrace and the SQL function; the limits
-- pgwasm.max_stack, pgwasm.fuel and pgwasm.max_memory.
--
\getenv guestdir PGWASM_GUEST_DIR
\set traps :guestdir '/traps.wasm'
\set bigmem :guestdir '/bigmem.wasm'
\set start_trap :guestdir '/start_trap.wasm'
SELECT wasm.install_module('t', pg_read_binary_file(:'traps')) IS NOT NULL AS installed;

CREATE FUNCTION t_unreachable() RETURNS int4 LANGUAGE wasm AS 't:unreachable';
CREATE FUNCTION t_div(int4, int4) RETURNS int4 LANGUAGE wasm AS 't:div';
CREATE FUNCTION t_trunc(float8) RETURNS int4 LANGUAGE wasm AS 't:trunc';
CREATE FUNCTION t_recurse(int4) RETURNS int4 LANGUAGE wasm AS 't:recurse';
CREATE FUNCTION t_depth(int4) RETURNS int4 LANGUAGE wasm AS 't:depth';
CREATE FUNCTION t_count(int8) RETURNS int8 LANGUAGE wasm AS 't:count';
CREATE FUNCTION t_spin() RETURNS int4 LANGUAGE wasm AS 't:spin';
CREATE FUNCTION t_load(int4) RETURNS int4 LANGUAGE wasm AS 't:load';
CREATE FUNCTION t_grow(int4) RETURNS int4 LANGUAGE wasm AS 't:grow';
CREATE FUNCTION t_pages() RETURNS int4 LANGUAGE wasm AS 't:pages';
CREATE FUNCTION t_call_null() RETURNS int4 LANGUAGE wasm AS 't:call_null';
CREATE FUNCTION t_outer(int4) RETURNS int4 LANGUAGE wasm AS 't:outer';

-- SQLSTATE per kind (echoed after each error): 38000
-- external_routine_exception for most
SELECT t_unreachable();
\echo :LAST_ERROR_SQLSTATE
SELECT t_load(65536);
\echo :LAST_ERROR_SQLSTATE
SELECT t_call_null();
\echo :LAST_ERROR_SQLSTATE
-- 22012 division_by_zero, 22003 numeric_value_out_of_range
SELECT t_div(1, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT t_div(-2147483648, -1);
\echo :LAST_ERROR_SQLSTATE
SELECT t_trunc('NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT t_trunc(1e10);
\echo :LAST_ERROR_SQLSTATE
-- the backtrace lists Wasm frames innermost first, with names
SELECT t_outer(0);
\echo :LAST_ERROR_SQLSTATE
SELECT t_div(7, 2), t_outer(1), t_trunc(-3.9), t_load(0);

-- 54001 statement_too_complex: pgwasm.max_stack
SELECT t_recurse(0);
\echo :LAST_ERROR_SQLSTATE
SELECT t_depth(2000);
SET pgwasm.max_stack = '64kB';
SHOW pgwasm.max_stack;
SELECT t_depth(2000);
SELECT t_depth(200);
RESET pgwasm.max_stack;
SELECT t_depth(2000);

-- 54000 program_limit_exceeded: pgwasm.fuel (instructions per call)
SET pgwasm.fuel = 100000;
SELECT t_count(100);
SELECT t_count(100000000);
\echo :LAST_ERROR_SQLSTATE
SET pgwasm.fuel = 0;
SELECT t_count(1000000);
RESET pgwasm.fuel;

-- runaway code is stopped by statement_timeout (57014 query_canceled)
SET statement_timeout = '200ms';
SELECT t_spin();
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
-- and the backend goes on working, with the same instance reset
SELECT t_div(10, 5);

-- a harmless interrupt (here a request to log memory contexts, as a parallel
-- worker's message to its leader would be) is processed where the engine
-- polls, and the running call goes on: no error, no restart (rows 2 and 3;
-- row 1 binds the function first)
SET client_min_messages = debug1;
SELECT t_count(CASE WHEN i = 1 OR pg_log_backend_memory_contexts(pg_backend_pid()) THEN 1000 END)
  FROM generate_series(1, 3) i;
RESET client_min_messages;

-- pgwasm.max_memory: memory.grow beyond it returns -1 ...
SET pgwasm.max_memory = '1MB';
SHOW pgwasm.max_memory;
SELECT t_pages(), t_grow(10) AS grown_from, t_grow(100) AS refused;
RESET pgwasm.max_memory;
-- ... and a module needing more memory than it cannot be instantiated (53200)
SELECT wasm.install_module('big', pg_read_binary_file(:'bigmem')) IS NOT NULL AS installed;
CREATE FUNCTION t_big_pages() RETURNS int4 LANGUAGE wasm AS 'big:pages';
SET pgwasm.max_memory = '1MB';
SELECT t_big_pages();
\echo :LAST_ERROR_SQLSTATE
RESET pgwasm.max_memory;
SELECT t_big_pages();

-- a trapping start function: instantiation fails every time
SELECT wasm.install_module('st', pg_read_binary_file(:'start_trap')) IS NOT NULL AS installed;
CREATE FUNCTION t_never() RETURNS int4 LANGUAGE wasm AS 'st:never';
SELECT t_never();
\echo :LAST_ERROR_SQLSTATE
SELECT t_never();

-- errors inside a transaction roll it back; the next one starts clean
BEGIN;
SELECT t_div(1, 0);
SELECT 1;
ROLLBACK;
SELECT t_div(9, 3);
-- and a savepoint recovers the transaction
BEGIN;
SAVEPOINT a;
SELECT t_unreachable();
ROLLBACK TO a;
SELECT t_div(8, 2);
COMMIT;

-- the GUCs are superuser-only settings (PGC_SUSET) and reserved
CREATE ROLE regress_traps_user;
SET ROLE regress_traps_user;
SET pgwasm.fuel = 1;
SET pgwasm.max_memory = '1GB';
RESET ROLE;
DROP ROLE regress_traps_user;
SET pgwasm.no_such_setting = 1;
-- (the native tier's pgwasm.jit* settings, whose default depends on the
-- build, are in jit.sql)
SELECT name, setting, unit, context FROM pg_settings
 WHERE name LIKE 'pgwasm.%' AND name NOT LIKE 'pgwasm.jit%' ORDER BY name;
-- the ranges docs/settings.md gives; pgwasm.max_module_size accepts its
-- documented maximum, 512 MB, and refuses one byte more
SELECT name, min_val, max_val FROM pg_settings
 WHERE name LIKE 'pgwasm.%' AND name NOT LIKE 'pgwasm.jit%' ORDER BY name;
SET pgwasm.max_module_size = '512MB';
SHOW pgwasm.max_module_size;
SET pgwasm.max_module_size = 536870913;
SHOW pgwasm.max_module_size;
RESET pgwasm.max_module_size;
-- and pgwasm.max_code_size its maximum, 1 GB
SET pgwasm.max_code_size = '1GB';
SHOW pgwasm.max_code_size;
SET pgwasm.max_code_size = 1073741825;
RESET pgwasm.max_code_size;

-- wasm.stats() counts the traps of this backend (interrupts are not traps)
SELECT module, traps FROM wasm.stats() WHERE module IN ('t', 'big', 'st') ORDER BY 1;

SET client_min_messages = warning;
SELECT wasm.drop_module('t', cascade => true);
SELECT wasm.drop_module('big', cascade => true);
SELECT wasm.drop_module('st', cascade => true);
RESET client_min_messages;
