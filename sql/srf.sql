--
-- srf.sql — set-returning functions: the export opens a cursor in the
-- guest, <export>_next returns one row per call (a variant { end, row(T),
-- null }), <export>_close closes it.  In the select list and in FROM
-- (LATERAL, WITH ORDINALITY), RETURNS TABLE and SETOF composite, empty sets,
-- NULL rows, LIMIT closing the cursor early, an error mid-set, a million
-- rows with guest memory measured, hostile rows.
--
\getenv guestdir PGWASM_GUEST_DIR
\set srf :guestdir '/srf.wasm'
SELECT wasm.install_module('srf', pg_read_binary_file(:'srf')) IS NOT NULL AS installed;
CREATE FUNCTION srf_open() RETURNS int4 LANGUAGE wasm STRICT AS 'srf:open_cursors';

CREATE FUNCTION srf_split(text, text) RETURNS SETOF text LANGUAGE wasm STRICT AS 'srf:split';
SELECT srf_split('a,b,,c', ',');
SELECT * FROM srf_split('x;y', ';') WITH ORDINALITY AS t(piece, n);
SELECT s.id, p FROM (VALUES (1, 'a,b'), (2, ''), (3, 'c')) s(id, line), LATERAL srf_split(line, ',') p;
SELECT count(*) FROM srf_split('', ',');
SELECT srf_split(NULL, ',') IS NULL;
SELECT count(*) FROM srf_split(NULL, ',');
SELECT srf_open() AS open_after_full_reads;

-- RETURNS TABLE: rows are records
CREATE FUNCTION srf_kv(text) RETURNS TABLE(k text, v text, n int4) LANGUAGE wasm STRICT AS 'srf:kv';
SELECT * FROM srf_kv('a=1;b=2;c');
SELECT srf_kv('x=é');
SELECT k, n FROM srf_kv('') ;
-- SETOF a composite type
CREATE TYPE srf_pair AS (k text, v text, n int4);
CREATE FUNCTION srf_kv_pairs(text) RETURNS SETOF srf_pair LANGUAGE wasm STRICT AS 'srf:kv';
SELECT (p).k, (p).n FROM (SELECT srf_kv_pairs('q=1;r=2') AS p) s;

-- LIMIT stops the guest: in the select list rows are asked for one at a time
CREATE FUNCTION srf_counted(int8) RETURNS SETOF int8 LANGUAGE wasm STRICT AS 'srf:counted';
BEGIN;
SELECT srf_counted(1000000000) LIMIT 3;
SELECT srf_open() AS open_after_limit;
SELECT EXISTS (SELECT srf_counted(1000000000));
SELECT srf_open() AS open_after_exists;
COMMIT;
-- a LIMIT in a subquery with a LATERAL call per outer row
SELECT g, (SELECT array_agg(x) FROM (SELECT srf_counted(g) x LIMIT 2) s) FROM generate_series(0, 3) g;
SELECT srf_open() AS open_after_subqueries;

-- a million rows: streamed in the select list; the guest's memory stays flat
CREATE FUNCTION srf_series(int8) RETURNS SETOF int8 LANGUAGE wasm STRICT AS 'srf:series';
SELECT count(*), sum(x) FROM (SELECT srf_series(1000000) AS x) s;
SELECT memory_bytes <= 256 * 1024 AS guest_memory_flat FROM wasm.stats() WHERE module = 'srf';
-- in FROM, PostgreSQL materializes the set (a tuplestore, spilling past work_mem)
SELECT count(*), max(x) FROM srf_series(1000000) x;
-- empty
SELECT count(*) FROM srf_series(0);

-- an error mid-set aborts the statement; the instance is reset and usable
CREATE FUNCTION srf_fail(int8, int8) RETURNS SETOF int8 LANGUAGE wasm STRICT AS 'srf:series_fail';
SELECT srf_fail(10, 4);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM srf_fail(10, 4);
SELECT sum(x) FROM srf_series(10) x;

-- NULL rows (ABI v2, not STRICT): tag 2; a NULL argument is an option
CREATE FUNCTION srf_thirds(int4) RETURNS SETOF int4 LANGUAGE wasm AS 'srf:thirds';
SELECT x FROM srf_thirds(7) x;
SELECT count(*) FROM srf_thirds(NULL);
-- the same tag from a STRICT function is refused
CREATE FUNCTION srf_counted_strict_bad(int4) RETURNS SETOF int4 LANGUAGE wasm STRICT AS 'srf:thirds';

-- rows the guest keeps: cabi_post_<export>_next gets every row, nothing is freed
CREATE FUNCTION srf_fast(text) RETURNS SETOF text LANGUAGE wasm STRICT AS 'srf:fast';
CREATE FUNCTION srf_posts() RETURNS int4 LANGUAGE wasm STRICT AS 'srf:posts';
BEGIN;
SELECT srf_posts() AS before \gset
SELECT x FROM srf_fast('pointers into the cursor') x;
SELECT srf_posts() - :before AS posts_for_four_rows_and_the_end;
COMMIT;
SELECT count(*), sum(length(x)) FROM (SELECT srf_fast(string_agg('w' || i, ' ')) x FROM generate_series(1, 100000) i) s;

-- hostile rows
CREATE FUNCTION srf_bad_tag(int4) RETURNS SETOF int8 LANGUAGE wasm STRICT AS 'srf:bad_tag';
CREATE FUNCTION srf_bad_row(int4) RETURNS SETOF int8 LANGUAGE wasm STRICT AS 'srf:bad_row';
SELECT srf_bad_tag(1);
\echo :LAST_ERROR_SQLSTATE
SELECT srf_bad_row(1);
\echo :LAST_ERROR_SQLSTATE

-- the validator wants <export>_next (and _close, if any, of the right type)
CREATE FUNCTION srf_bad(int4) RETURNS SETOF int4 LANGUAGE wasm STRICT AS 'srf:open_cursors';
CREATE FUNCTION srf_bad(int8) RETURNS SETOF int4 LANGUAGE wasm STRICT AS 'srf:split';
CREATE FUNCTION srf_bad(int4) RETURNS SETOF void LANGUAGE wasm STRICT AS 'srf:bad_tag';

SET client_min_messages = warning;
DROP TYPE srf_pair CASCADE;
SELECT wasm.drop_module('srf', cascade => true);
