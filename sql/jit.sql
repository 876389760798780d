--
-- jit.sql — the native tier (pgwasm.jit): every call made with the
-- interpreter (pgwasm.jit = off) and again as machine code (threshold 0: the
-- whole module compiled before its first call) gives the same results, and
-- the same traps with the same SQLSTATE, message, hint and Wasm backtrace;
-- limits (pgwasm.max_stack, pgwasm.max_memory with memory.grow in machine
-- code, pgwasm.fuel), the instance reset after a trap, statement_timeout,
-- the thresholds, the settings' privileges and wasm.stats() /
-- wasm.jit_stats().  Needs the native tier's library installed (it is
-- wherever llvm-config-14 was found at build time).
--
\getenv guestdir PGWASM_GUEST_DIR
\set jit :guestdir '/jit.wasm'
SELECT wasm.install_module('j', pg_read_binary_file(:'jit')) IS NOT NULL AS installed;

CREATE FUNCTION j_fib(int4) RETURNS int8 LANGUAGE wasm AS 'j:fib';
CREATE FUNCTION j_collatz(int8) RETURNS int4 LANGUAGE wasm AS 'j:collatz';
CREATE FUNCTION j_fmix(float8) RETURNS float8 LANGUAGE wasm AS 'j:fmix';
CREATE FUNCTION j_wrap(float8) RETURNS int4 LANGUAGE wasm AS 'j:wrap';
CREATE FUNCTION j_memsum(int4) RETURNS int4 LANGUAGE wasm AS 'j:memsum';
CREATE FUNCTION j_via_table(int4) RETURNS int4 LANGUAGE wasm AS 'j:via_table';
CREATE FUNCTION j_unreachable() RETURNS int4 LANGUAGE wasm AS 'j:unreachable';
CREATE FUNCTION j_div(int4, int4) RETURNS int4 LANGUAGE wasm AS 'j:div';
CREATE FUNCTION j_rem(int8, int8) RETURNS int8 LANGUAGE wasm AS 'j:rem';
CREATE FUNCTION j_trunc(float8) RETURNS int4 LANGUAGE wasm AS 'j:trunc';
CREATE FUNCTION j_load(int4) RETURNS int4 LANGUAGE wasm AS 'j:load';
CREATE FUNCTION j_store(int4) RETURNS int4 LANGUAGE wasm AS 'j:store';
CREATE FUNCTION j_recurse(int4) RETURNS int4 LANGUAGE wasm AS 'j:recurse';
CREATE FUNCTION j_depth(int4) RETURNS int4 LANGUAGE wasm AS 'j:depth';
CREATE FUNCTION j_call_elem(int4) RETURNS int4 LANGUAGE wasm AS 'j:call_elem';
CREATE FUNCTION j_outer(int4) RETURNS int4 LANGUAGE wasm AS 'j:outer';
CREATE FUNCTION j_grow_touch(int4) RETURNS int4 LANGUAGE wasm AS 'j:grow_touch';
CREATE FUNCTION j_pages() RETURNS int4 LANGUAGE wasm AS 'j:pages';
CREATE FUNCTION j_bump() RETURNS int4 LANGUAGE wasm AS 'j:bump';
CREATE FUNCTION j_spin() RETURNS int4 LANGUAGE wasm AS 'j:spin';

-- the settings, as a fresh session has them (the library is installed, so
-- pgwasm.jit is on)
SELECT name, setting, context FROM pg_settings WHERE name LIKE 'pgwasm.jit%' ORDER BY name;
-- nothing compiled yet: the library is not even loaded
SELECT state, functions FROM wasm.jit_stats();

-- A statement's outcome as text: its result, or its error with SQLSTATE,
-- message, detail, hint and context (the Wasm backtrace).
CREATE FUNCTION outcome(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
	st text; msg text; det text; hnt text; ctx text;
BEGIN
	EXECUTE q INTO r;
	RETURN 'ok: ' || coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
	-- the PL/pgSQL lines of the context are the same either way
	RETURN st || ': ' || msg || coalesce(' / ' || nullif(det, ''), '')
		|| coalesce(' / ' || nullif(hnt, ''), '')
		|| ' / ' || regexp_replace(ctx, E'\nPL/pgSQL.*', '');
END $$;

CREATE TABLE jit_cases (n serial, q text);
INSERT INTO jit_cases (q) VALUES
	('SELECT j_fib(0)'), ('SELECT j_fib(50)'), ('SELECT j_fib(92)'), ('SELECT j_fib(100)'),
	('SELECT j_collatz(27)'), ('SELECT j_collatz(837799)'), ('SELECT j_collatz(9223372036854775807)'),
	('SELECT j_fmix(-7.3)'), ('SELECT j_fmix(''NaN'')'), ('SELECT j_fmix(''-Infinity'')'), ('SELECT j_fmix(2.5)'),
	('SELECT j_wrap(''NaN'')'), ('SELECT j_wrap(1e300)'), ('SELECT j_wrap(-3.9)'),
	('SELECT j_memsum(0)'), ('SELECT j_memsum(100000)'),
	('SELECT j_via_table(0)'), ('SELECT j_via_table(12)'),
	-- every kind of trap
	('SELECT j_unreachable()'),
	('SELECT j_div(1, 0)'), ('SELECT j_div(-2147483648, -1)'), ('SELECT j_div(7, -2)'),
	('SELECT j_rem(5, 0)'), ('SELECT j_rem(-1, 7)'),
	('SELECT j_trunc(''NaN'')'), ('SELECT j_trunc(1e10)'), ('SELECT j_trunc(-3.9)'),
	('SELECT j_load(65532)'), ('SELECT j_load(65534)'), ('SELECT j_load(-1)'),
	('SELECT j_store(65528)'), ('SELECT j_store(65529)'),
	('SELECT j_recurse(0)'),
	('SELECT j_call_elem(0)'), ('SELECT j_call_elem(1)'), ('SELECT j_call_elem(2)'),
	('SELECT j_call_elem(3)'), ('SELECT j_call_elem(-1)'),
	('SELECT j_outer(0)'), ('SELECT j_outer(1)');

-- the interpreter
SET pgwasm.jit = off;
CREATE TABLE jit_interp AS SELECT n, outcome(q) AS outcome FROM jit_cases;
SELECT state, functions FROM wasm.jit_stats();

-- machine code: threshold 0 compiles the whole module before its next call
SET pgwasm.jit = on;
SET pgwasm.jit_call_threshold = 0;
CREATE TABLE jit_native AS SELECT n, outcome(q) AS outcome FROM jit_cases;
SELECT state, functions, refused, failed, batches FROM wasm.jit_stats();
SELECT jit_functions, jit_refused, jit_failed, jit_compile_ms > 0 AS compiled_in_ms
  FROM wasm.stats() WHERE module = 'j';

-- the same outcome for every statement (what it was, below)
SELECT count(*) AS cases, count(*) FILTER (WHERE i.outcome = n.outcome) AS same
  FROM jit_interp i JOIN jit_native n USING (n);
SELECT c.q, n.outcome FROM jit_cases c JOIN jit_native n USING (n) ORDER BY c.n;
SELECT c.q, i.outcome AS interpreted, n.outcome AS native
  FROM jit_cases c JOIN jit_interp i USING (n) JOIN jit_native n USING (n)
 WHERE i.outcome <> n.outcome;

-- errors as psql shows them, with their SQLSTATE (machine code runs)
SELECT j_div(1, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT j_outer(0);
\echo :LAST_ERROR_SQLSTATE

-- pgwasm.max_stack: the frame limit is the interpreter's (54001)
SELECT j_depth(2000);
SET pgwasm.max_stack = '64kB';
SELECT j_depth(2000);
\echo :LAST_ERROR_SQLSTATE
SELECT j_depth(200);
RESET pgwasm.max_stack;
SELECT j_depth(2000);

-- pgwasm.max_memory: memory.grow in machine code stops at the limit, the
-- memory moving as it grows (each statement starts again from one page)
SET pgwasm.max_memory = '1MB';
SELECT j_grow_touch(100) AS pages_at_1mb;
SELECT j_pages();
RESET pgwasm.max_memory;
SELECT j_grow_touch(100) AS pages_at_64mb;
BEGIN;
SELECT j_grow_touch(10), j_grow_touch(0), j_pages();
COMMIT;
SELECT j_pages() AS after_commit;

-- the instance is reset after a trap: state kept within a transaction,
-- the call that trapped discards it (the next call starts from the snapshot)
BEGIN;
SELECT j_bump(), j_bump();
SAVEPOINT s;
SELECT j_unreachable();
ROLLBACK TO s;
SELECT j_bump();
COMMIT;
SELECT j_bump();

-- a runaway loop in machine code is stopped by statement_timeout (57014)
SET statement_timeout = '200ms';
SELECT j_spin();
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT j_fib(10);

-- pgwasm.fuel makes every call run in the interpreter, which meters it
-- (54000): the same budget, the same outcome
SET pgwasm.fuel = 100000;
SELECT j_collatz(27);
SELECT j_memsum(100000);
\echo :LAST_ERROR_SQLSTATE
RESET pgwasm.fuel;
SELECT j_memsum(100000);

-- tiered: a function is compiled after its calls or loop iterations pass
-- the thresholds (other bytes -- a custom section added -- so a module
-- compiled afresh, not the one above from the cache)
SELECT wasm.install_module('j2', pg_read_binary_file(:'jit') || '\x00020178'::bytea) IS NOT NULL AS installed;
CREATE FUNCTION j2_fib(int4) RETURNS int8 LANGUAGE wasm AS 'j2:fib';
CREATE FUNCTION j2_collatz(int8) RETURNS int4 LANGUAGE wasm AS 'j2:collatz';
SET pgwasm.jit_call_threshold = 3;
SET pgwasm.jit_loop_threshold = -1;
SELECT j2_fib(10);
SELECT j2_fib(11), j2_fib(12);
SELECT jit_functions FROM wasm.stats() WHERE module = 'j2';
SELECT j2_fib(13);
SELECT jit_functions FROM wasm.stats() WHERE module = 'j2';
-- loop iterations: collatz(27) takes 111 steps; the loop that crosses the
-- threshold is compiled (its on-stack replacement entry), the function is
-- compiled whole after 4 more calls
SET pgwasm.jit_call_threshold = -1;
SET pgwasm.jit_loop_threshold = 500;
SELECT j2_collatz(27);
SELECT jit_functions FROM wasm.stats() WHERE module = 'j2';
SELECT osr_entries, osr_calls FROM wasm.jit_stats();
SELECT j2_collatz(27) FROM generate_series(1, 5);
SELECT jit_functions FROM wasm.stats() WHERE module = 'j2';
SELECT osr_entries, osr_calls FROM wasm.jit_stats();
SELECT j2_collatz(837799);
-- four more calls: compiled whole
SELECT j2_collatz(27) FROM generate_series(1, 4);
SELECT jit_functions FROM wasm.stats() WHERE module = 'j2';
-- -1 for both never compiles, nor does pgwasm.jit = off (memsum(100000)
-- loops 100,256 times)
CREATE FUNCTION j2_memsum(int4) RETURNS int4 LANGUAGE wasm AS 'j2:memsum';
SET pgwasm.jit_loop_threshold = -1;
SELECT j2_memsum(100000) FROM generate_series(1, 3);
RESET pgwasm.jit_call_threshold;
RESET pgwasm.jit_loop_threshold;
SET pgwasm.jit = off;
SELECT j2_memsum(100000) FROM generate_series(1, 3);
SELECT jit_functions FROM wasm.stats() WHERE module = 'j2';
-- on again with the default thresholds (10,000 iterations): its loop is
-- compiled during the next call, which goes on in machine code there
-- (on-stack replacement), and the call after moves over at once
RESET pgwasm.jit;
SELECT j2_memsum(100000);
SELECT jit_functions FROM wasm.stats() WHERE module = 'j2';
SELECT osr_entries, osr_calls FROM wasm.jit_stats();
SELECT j2_memsum(100000);
SELECT osr_entries, osr_calls FROM wasm.jit_stats();

-- the settings: any role may change how fast its functions run; the
-- library's path is fixed at connection start by a superuser
CREATE ROLE regress_jit_user;
SET ROLE regress_jit_user;
SET pgwasm.jit = off;
SET pgwasm.jit_call_threshold = 10;
SET pgwasm.jit_loop_threshold = 0;
SET pgwasm.jit_call_threshold = -2;
SET pgwasm.jit_library = '/tmp/x.so';
SELECT * FROM wasm.jit_stats() WHERE false;
RESET ROLE;
SET pgwasm.jit_library = '/tmp/x.so';
RESET pgwasm.jit;
RESET pgwasm.jit_call_threshold;
RESET pgwasm.jit_loop_threshold;
DROP ROLE regress_jit_user;
SELECT name, min_val, max_val, boot_val FROM pg_settings WHERE name LIKE 'pgwasm.jit%' ORDER BY name;

SET client_min_messages = warning;
DROP TABLE jit_cases, jit_interp, jit_native;
DROP FUNCTION outcome(text);
SELECT wasm.drop_module('j', cascade => true);
SELECT wasm.drop_module('j2', cascade => true);
RESET client_min_messages;
