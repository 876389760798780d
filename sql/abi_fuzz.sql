--
-- abi_fuzz.sql — random result memory thrown at the ABI v2 decoders:
-- strings, lists of strings and of records, nested records, options, OUT
-- parameters, rows of sets, a trigger's answer.  test/guest/chaos.c fills
-- its memory from a seed (mostly small integers and pointers into itself)
-- and returns a pointer into it.  Every call must either decode or fail with one of the
-- errors a hostile result deserves; never crash, never an internal error.
-- PGWASM_FUZZ_ITERATIONS (default 200) seeds per function; a longer
-- campaign: PGWASM_FUZZ_ITERATIONS=20000 bash test/pg/run.sh.
--
\getenv guestdir PGWASM_GUEST_DIR
\getenv iters PGWASM_FUZZ_ITERATIONS
\if :{?iters}
\else
\set iters 200
\endif
SELECT set_config('fz.iters', :'iters', false) IS NOT NULL AS set;
\set chaos :guestdir '/chaos.wasm'
SELECT wasm.install_module('fz', pg_read_binary_file(:'chaos')) IS NOT NULL AS installed;

CREATE TYPE fz_mood AS ENUM ('a', 'b');
CREATE TYPE fz_point AS (x float8, y float8);
CREATE TYPE fz_person AS (name text, age int2, tags text[], home fz_point, born date,
                          mood fz_mood, price numeric, id uuid, span interval, at timetz,
                          doc jsonb, flags bool[], t time);
CREATE FUNCTION fz_text(int4) RETURNS text LANGUAGE wasm STRICT AS 'fz:chaos_packed';
CREATE FUNCTION fz_texts(int4) RETURNS text[] LANGUAGE wasm STRICT AS 'fz:chaos_packed';
CREATE FUNCTION fz_byteas(int4) RETURNS bytea[] LANGUAGE wasm STRICT AS 'fz:chaos_packed';
CREATE FUNCTION fz_uuids(int4) RETURNS uuid[] LANGUAGE wasm STRICT AS 'fz:chaos_packed';
CREATE FUNCTION fz_nums(int4) RETURNS numeric[] LANGUAGE wasm STRICT AS 'fz:chaos_packed';
CREATE FUNCTION fz_i2s(int4) RETURNS int2[] LANGUAGE wasm STRICT AS 'fz:chaos_packed';
CREATE FUNCTION fz_jsonb(int4) RETURNS jsonb LANGUAGE wasm STRICT AS 'fz:chaos_packed';
CREATE FUNCTION fz_people(int4) RETURNS fz_person[] LANGUAGE wasm STRICT AS 'fz:chaos_packed';
CREATE FUNCTION fz_person(int4) RETURNS fz_person LANGUAGE wasm STRICT AS 'fz:chaos_area';
CREATE FUNCTION fz_interval(int4) RETURNS interval LANGUAGE wasm STRICT AS 'fz:chaos_area';
CREATE FUNCTION fz_timetz(int4) RETURNS timetz LANGUAGE wasm STRICT AS 'fz:chaos_area';
CREATE FUNCTION fz_out(int4, OUT a text, OUT b int4[], OUT c fz_point, OUT d fz_mood[])
  LANGUAGE wasm STRICT AS 'fz:chaos_area';
CREATE FUNCTION fz_person_opt(int4) RETURNS fz_person LANGUAGE wasm AS 'fz:chaos_area_opt';
CREATE FUNCTION fz_texts_opt(int4) RETURNS text[] LANGUAGE wasm AS 'fz:chaos_area_opt';
CREATE FUNCTION fz_people_opt(int4) RETURNS fz_person[] LANGUAGE wasm AS 'fz:chaos_area_opt';
CREATE FUNCTION fz_out_opt(int4, OUT a text, OUT b int4[], OUT c fz_point) LANGUAGE wasm AS 'fz:chaos_area_opt';
CREATE FUNCTION fz_rows(int4) RETURNS SETOF fz_person LANGUAGE wasm STRICT AS 'fz:chaos_rows';
CREATE FUNCTION fz_rows_table(int4) RETURNS TABLE (a text, b int8[]) LANGUAGE wasm STRICT AS 'fz:chaos_rows';

CREATE FUNCTION fz_trig() RETURNS trigger LANGUAGE wasm AS 'fz:chaos_trigger';
CREATE TABLE fz_rows_in (a text, b int4[], c fz_person, d numeric, e fz_mood);
CREATE TRIGGER fz BEFORE INSERT ON fz_rows_in FOR EACH ROW EXECUTE FUNCTION fz_trig();

CREATE TEMP TABLE fz_outcome (fn text, seed int, state text);
SET client_min_messages = warning;
DO $$
DECLARE
  f text;
  s int;
  st text;
  iters int := current_setting('fz.iters')::int;
BEGIN
  FOREACH f IN ARRAY ARRAY['fz_text', 'fz_texts', 'fz_byteas', 'fz_uuids', 'fz_nums', 'fz_i2s',
                           'fz_jsonb', 'fz_people', 'fz_person', 'fz_interval', 'fz_timetz',
                           'fz_out', 'fz_person_opt', 'fz_texts_opt', 'fz_people_opt',
                           'fz_out_opt', 'fz_rows', 'fz_rows_table', 'fz_trig'] LOOP
    FOR s IN 1..iters LOOP
      BEGIN
        IF f = 'fz_trig' THEN
          INSERT INTO fz_rows_in VALUES ('x', '{1,NULL}', NULL, 1.5, 'a');
        ELSIF f LIKE 'fz_rows%' THEN
          EXECUTE format('SELECT count(x::text) FROM (SELECT %s(%s) x) s', f, s);
        ELSE
          EXECUTE format('SELECT %s(%s)::text', f, s);
        END IF;
        st := 'ok';
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
      END;
      INSERT INTO fz_outcome VALUES (f, s, st);
    END LOOP;
  END LOOP;
END $$ /* iterations from fz.iters */;
RESET client_min_messages;

SELECT count(*) = 19 * current_setting('fz.iters')::int AS every_call_made FROM fz_outcome;
-- the errors a hostile result may cause: bounds and tags (38000), text
-- (22021), input functions (22P02, 22007), ranges (22003, 22008, 22009),
-- sizes (54000)
SELECT fn, state, count(*) FROM fz_outcome
WHERE state NOT IN ('ok', '38000', '22021', '22P02', '22007', '22003', '22008', '22009', '54000')
GROUP BY 1, 2 ORDER BY 1, 2;
-- some results decode, and the refusals are of several kinds
SELECT count(*) FILTER (WHERE state = 'ok') > 0 AS some_decoded,
       count(DISTINCT state) FILTER (WHERE state <> 'ok') >= 4 AS varied_refusals
FROM fz_outcome;
-- the module still works
SELECT fz_interval(0) IS NOT NULL AS alive;

SET client_min_messages = warning;
DROP TABLE fz_rows_in;
DROP TYPE fz_person, fz_point, fz_mood CASCADE;
SELECT wasm.drop_module('fz', cascade => true);
