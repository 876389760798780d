--
-- kept.sql — argument buffers kept from call to call (test/guest/kept.c,
-- wasi-libc's malloc): reused within a transaction, grown for larger
-- values, forgotten when a trap or the transaction end resets the instance,
-- and never freed when a result points into one.  A buffer used after it
-- went back to the guest heap would be handed out again by malloc for a
-- result, and the answers below would come out wrong.
--
\getenv guestdir PGWASM_GUEST_DIR
\set kept :guestdir '/kept.wasm'
SELECT wasm.install_module('kept', pg_read_binary_file(:'kept')) IS NOT NULL AS installed;
CREATE FUNCTION k_rev(text) RETURNS text STRICT LANGUAGE wasm AS 'kept:rev';
CREATE FUNCTION k_cat(text, text) RETURNS text LANGUAGE wasm AS 'kept:cat';
CREATE FUNCTION k_len(text) RETURNS int4 STRICT LANGUAGE wasm AS 'kept:len';
CREATE FUNCTION k_echo(text) RETURNS text LANGUAGE wasm AS 'kept:echo';
CREATE FUNCTION k_tail(text) RETURNS text LANGUAGE wasm AS 'kept:tail';
CREATE FUNCTION k_remember(text) RETURNS int4 LANGUAGE wasm AS 'kept:remember';
CREATE FUNCTION k_stale() RETURNS text LANGUAGE wasm AS 'kept:stale';
CREATE FUNCTION k_sum(float8[]) RETURNS float8 LANGUAGE wasm AS 'kept:sum';
CREATE FUNCTION k_allocs() RETURNS int4 LANGUAGE wasm AS 'kept:allocs';
CREATE FUNCTION k_frees() RETURNS int4 LANGUAGE wasm AS 'kept:frees';

-- lengths going up and down in one statement: buffers reused and grown
SELECT count(*) AS calls,
       count(*) FILTER (WHERE k_rev(s) = reverse(s)) AS rev_ok,
       count(*) FILTER (WHERE k_cat(s, t) = s || t) AS cat_ok,
       count(*) FILTER (WHERE k_len(s) = octet_length(s)) AS len_ok
FROM (SELECT repeat('ab', (i * 37) % 300) || i AS s, repeat('é', i % 40) AS t
      FROM generate_series(1, 3000) i) v;
SELECT k_sum(array_agg(x)) = sum(x) AS sum_ok
FROM generate_series(1, 5000) x GROUP BY x % 7 ORDER BY 1 LIMIT 1;
SELECT count(*) FILTER (WHERE k_sum(a) = 0.5 * n) AS sums_ok
FROM (SELECT array_fill(0.5::float8, ARRAY[n]) AS a, n
      FROM generate_series(0, 2000, 7) n) v;

-- few allocator calls: the first call of the transaction gets buffers of its
-- own and frees them, the following ones reuse kept ones
BEGIN;
SELECT k_allocs() AS allocs, k_frees() AS frees \gset
SELECT count(k_len(md5(i::text))) FROM generate_series(1, 1000) i;
SELECT k_allocs() - :allocs AS allocs, k_frees() - :frees AS frees;
COMMIT;

-- a value above 1 MB gets a buffer of its own, freed after the call
BEGIN;
SELECT k_len('warm up');
SELECT k_frees() AS frees \gset
SELECT k_len(repeat('x', 2000000)), k_rev(repeat('x', 1500000) || 'y') = 'y' || repeat('x', 1500000) AS big_ok;
SELECT k_frees() - :frees AS frees;
SELECT k_rev('abc'), k_rev(repeat('a', 100) || 'b') = 'b' || repeat('a', 100) AS ok;
COMMIT;

-- a trap resets the instance and its kept buffers are forgotten: larger and
-- smaller arguments afterwards, in the same and in the next transaction
BEGIN;
SELECT k_rev('hello'), k_rev('world, hello'), k_cat('ab', 'cd');
SAVEPOINT s;
SELECT k_rev('trap here');
ROLLBACK TO s;
SELECT k_rev(repeat('y', 200) || 'z') = 'z' || repeat('y', 200) AS larger_ok, k_rev('xy') AS smaller;
SELECT k_cat(repeat('p', 100), 'q') = repeat('p', 100) || 'q' AS cat_ok;
COMMIT;
SELECT k_rev('first'), k_rev('second');
SELECT k_rev('trap again');
SELECT k_rev(repeat('w', 300) || 'v') = 'v' || repeat('w', 300) AS larger_ok, k_rev('s') AS smaller;
-- traps in the middle of a statement, caught in PL/pgSQL
DO $$
DECLARE
	bad int := 0;
	traps int := 0;
	s text;
BEGIN
	FOR i IN 1 .. 300 LOOP
		s := CASE WHEN i % 17 = 0 THEN 'trap ' ELSE '' END || repeat('k', (i * 13) % 150) || i;
		BEGIN
			IF k_rev(s) IS DISTINCT FROM reverse(s) THEN
				bad := bad + 1;
			END IF;
		EXCEPTION WHEN external_routine_exception THEN
			traps := traps + 1;
		END;
	END LOOP;
	RAISE NOTICE 'wrong results: %, traps: %', bad, traps;
END $$;

-- results pointing into the argument buffer (the whole of it, or inside it)
-- are copied out and not freed: the buffer stays kept, and the next results
-- (malloc'd) do not land on it
BEGIN;
SELECT k_len('warm up');
SELECT k_frees() AS frees \gset
SELECT count(*) FILTER (WHERE k_echo('e' || i) = 'e' || i) AS echo_ok,
       count(*) FILTER (WHERE k_tail('t' || i) = i::text) AS tail_ok,
       count(*) FILTER (WHERE k_rev('r' || i || 'x') = reverse('r' || i || 'x')) AS rev_ok
FROM generate_series(1, 500) i;
SELECT k_frees() - :frees AS frees;
COMMIT;
-- a guest that keeps its argument's address and returns it later: the
-- result is inside a kept buffer, so it is not freed either
BEGIN;
SELECT k_len('warm up');
SELECT k_remember('hello world');
SELECT k_frees() AS frees \gset
SELECT k_stale();
SELECT k_frees() - :frees AS frees;
SELECT k_rev('abcdef'), k_cat('gh', 'ij'), k_rev('klmnopqrstuvwxyz');
COMMIT;

SET client_min_messages = warning;
SELECT wasm.drop_module('kept', cascade => true);
RESET client_min_messages;
