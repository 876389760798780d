--
-- cguest.sql — a module written in C (test/guest/cguest.c, clang + wasi-libc,
-- reactor model): _initialize runs once per instantiation; WASI stdout lines
-- become NOTICEs; malloc'd results are freed, so memory stays flat over many
-- calls; WASI clock and random; proc_exit; the memory limit as seen by malloc.
--
\getenv guestdir PGWASM_GUEST_DIR
\set cguest :guestdir '/cguest.wasm'
SELECT wasm.install_module('cg', pg_read_binary_file(:'cguest')) IS NOT NULL AS installed;
CREATE FUNCTION cg_init_runs() RETURNS int4 LANGUAGE wasm AS 'cg:init_runs';
CREATE FUNCTION cg_hello(int4) RETURNS int4 LANGUAGE wasm AS 'cg:hello';
CREATE FUNCTION cg_greet(text) RETURNS text LANGUAGE wasm AS 'cg:greet';
CREATE FUNCTION cg_counter() RETURNS int4 LANGUAGE wasm AS 'cg:counter';
CREATE FUNCTION cg_memory_pages() RETURNS int4 LANGUAGE wasm AS 'cg:memory_pages';
CREATE FUNCTION cg_grab_megabytes(int4) RETURNS int4 LANGUAGE wasm AS 'cg:grab_megabytes';
CREATE FUNCTION cg_now_us() RETURNS int8 LANGUAGE wasm AS 'cg:now_us';
CREATE FUNCTION cg_random_bytes(int4) RETURNS bytea LANGUAGE wasm AS 'cg:random_bytes';
CREATE FUNCTION cg_exit_with(int4) RETURNS int4 LANGUAGE wasm AS 'cg:exit_with';

-- constructors ran exactly once, and again only after a reset
SELECT cg_init_runs(), cg_init_runs();
SELECT cg_counter(), cg_counter(), cg_init_runs();
SELECT cg_counter();

-- printf goes to NOTICE, one per line; a partial last line when the call ends
SELECT cg_hello(2);

-- strings through malloc/free
SELECT cg_greet('world'), cg_greet(''), cg_greet('wörld');

-- every buffer is freed: 20000 calls in one transaction do not grow memory
BEGIN;
SELECT cg_greet(repeat('x', 1000)) IS NOT NULL AS warmed_up;
SELECT cg_memory_pages() AS pages_before \gset
SELECT count(cg_greet(repeat('x', 1000))) FROM generate_series(1, 20000);
SELECT cg_memory_pages() - :pages_before AS pages_grown;
COMMIT;

-- WASI clock and random
SELECT abs(cg_now_us() - (extract(epoch FROM clock_timestamp()) * 1000000)::int8) < 60000000 AS clock_ok;
SELECT octet_length(cg_random_bytes(32)), cg_random_bytes(16) <> cg_random_bytes(16) AS differ;

-- proc_exit ends the call with an error
\set VERBOSITY terse
SELECT cg_exit_with(3);
\set VERBOSITY default
SELECT cg_counter();

-- malloc sees the memory limit: memory.grow fails beyond pgwasm.max_memory
SET pgwasm.max_memory = '8MB';
SELECT cg_grab_megabytes(100) BETWEEN 4 AND 8 AS limited;
RESET pgwasm.max_memory;
SELECT cg_grab_megabytes(20);

SET client_min_messages = warning;
SELECT wasm.drop_module('cg', cascade => true);
RESET client_min_messages;
