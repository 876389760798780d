--
-- records.sql — composite types in the canonical ABI's record layout:
-- fields in declaration order at their natural alignment, flattened into
-- parameters; results through a return area (or as the value itself for a
-- record of one scalar); OUT parameters as a record; nested records, arrays
-- of records; NULL fields (ABI v2, not STRICT) as options; records that do
-- not match the export; ALTER TYPE after a call; hostile results.
--
\getenv guestdir PGWASM_GUEST_DIR
\set records :guestdir '/records.wasm'
SELECT wasm.install_module('r', pg_read_binary_file(:'records')) IS NOT NULL AS installed;

CREATE TYPE r_point AS (x float8, y float8);
CREATE TYPE r_person AS (name text, age int4, tags text[], home r_point);

-- a record argument is its fields' flat values: (f64, f64)
CREATE FUNCTION r_norm(r_point) RETURNS float8 LANGUAGE wasm STRICT AS 'r:pt_norm';
SELECT r_norm(ROW(3, 4)), r_norm((1.5, -2)::r_point);
-- a record result of two flat values comes back through a return area
CREATE FUNCTION r_swap(r_point) RETURNS r_point LANGUAGE wasm STRICT AS 'r:pt_swap';
SELECT r_swap(ROW(1, 2)), (r_swap(ROW(1, 2))).y;
SELECT * FROM r_swap(ROW(-0.5, 1e300));

-- nested: text, int4, text[] and a record inside a record (7 flat values)
CREATE FUNCTION r_describe(r_person) RETURNS text LANGUAGE wasm STRICT AS 'r:person_describe';
SELECT r_describe(ROW('Ada', 36, '{math,engines}', ROW(51, 0))::r_person);
SELECT r_describe(ROW('', 0, '{}', ROW(0, 0))::r_person);
CREATE FUNCTION r_make(text, int4) RETURNS r_person LANGUAGE wasm STRICT AS 'r:person_make';
SELECT r_make('Grace', 85);
SELECT (r_make('Linus', 54)).tags, ((r_make('Linus', 54)).home).y;
SELECT count(*), sum((r_make('p' || i, i)).age) FROM generate_series(1, 20000) i;
-- a NULL field in a plain (STRICT) call is refused, with the way out
SELECT r_describe(ROW('Ada', NULL, '{}', ROW(0, 0))::r_person);
\echo :LAST_ERROR_SQLSTATE

-- OUT parameters: a RECORD of them, in their order
CREATE FUNCTION r_divmod(a int4, b int4, OUT q int4, OUT r int4) LANGUAGE wasm STRICT AS 'r:divmod';
SELECT r_divmod(17, 5), (r_divmod(-17, 5)).*;
SELECT * FROM r_divmod(100, 7);
SELECT q, r FROM generate_series(10, 12) a, LATERAL r_divmod(a, 4);
SELECT r_divmod(1, 0);
\echo :LAST_ERROR_SQLSTATE
-- INOUT counts as both
CREATE FUNCTION r_divmod2(INOUT a int4, b int4, OUT r int4) LANGUAGE wasm STRICT AS 'r:divmod';
SELECT * FROM r_divmod2(17, 5);
-- one OUT parameter is a plain result
CREATE FUNCTION r_id(a int8, OUT v int8) LANGUAGE wasm STRICT AS 'r:id64';
SELECT r_id(42);
-- a record of one scalar is that scalar, as the canonical ABI flattens it
CREATE TYPE r_wrap AS (v int8);
CREATE FUNCTION r_wrap(int8) RETURNS r_wrap LANGUAGE wasm STRICT AS 'r:id64';
CREATE FUNCTION r_unwrap(r_wrap) RETURNS int8 LANGUAGE wasm STRICT AS 'r:id64';
SELECT r_wrap(7), r_unwrap(ROW(9)), r_unwrap(r_wrap(-1));

-- arrays of records: list<record>, 16 bytes per r_point
CREATE FUNCTION r_sum(r_point[]) RETURNS r_point LANGUAGE wasm STRICT AS 'r:pts_sum';
CREATE FUNCTION r_points(int4) RETURNS r_point[] LANGUAGE wasm STRICT AS 'r:pts_make';
SELECT r_sum(ARRAY[ROW(1, 2), ROW(3, 4), ROW(5, 6)]::r_point[]), r_sum('{}');
SELECT r_points(3), r_points(0), cardinality(r_points(1000));
SELECT r_sum(r_points(100));

-- records inside records
CREATE TYPE r_line AS (a r_point, b r_point, label text);
CREATE FUNCTION r_flip(r_line) RETURNS r_line LANGUAGE wasm STRICT AS 'r:line_flip';
SELECT r_flip(ROW(ROW(1, 2), ROW(3, 4), 'abc')::r_line);
SELECT (r_flip(r_flip(ROW(ROW(1, 2), ROW(3, 4), 'round trip')::r_line))).label;

-- NULL fields (ABI v2, not STRICT): option<record> of option<field>s
CREATE FUNCTION r_double(r_point) RETURNS r_point LANGUAGE wasm AS 'r:pt_double_opt';
SELECT r_double(ROW(1, 2)), r_double(ROW(NULL, 2)), r_double(ROW(1, NULL)), r_double(ROW(NULL, NULL));
-- (a row whose fields are all NULL IS NULL too, as SQL says)
SELECT r_double(NULL) IS NULL AS null_record, r_double(ROW(NULL, NULL)) IS NULL AS all_null_fields,
       r_double(NULL)::text IS NULL AS null_not_empty_row, r_double(ROW(NULL, NULL))::text AS empty_row;
CREATE FUNCTION r_bad_field(r_point) RETURNS r_point LANGUAGE wasm AS 'r:pt_bad_field';
SELECT r_bad_field(ROW(1, 2));
\echo :LAST_ERROR_SQLSTATE
-- the same export declared STRICT does not fit: it takes options
CREATE FUNCTION r_double_strict(r_point) RETURNS r_point LANGUAGE wasm STRICT AS 'r:pt_double_opt';

-- records that do not match the export: another field, another type, another order
CREATE TYPE r_point3 AS (x float8, y float8, z float8);
CREATE TYPE r_ipoint AS (x int4, y int4);
CREATE TYPE r_mixed AS (y int4, x float8);
CREATE FUNCTION r_bad(r_point3) RETURNS float8 LANGUAGE wasm STRICT AS 'r:pt_norm';
CREATE FUNCTION r_bad(r_ipoint) RETURNS float8 LANGUAGE wasm STRICT AS 'r:pt_norm';
CREATE FUNCTION r_bad(r_mixed) RETURNS float8 LANGUAGE wasm STRICT AS 'r:pt_norm';
CREATE FUNCTION r_bad(float8) RETURNS r_point3 LANGUAGE wasm STRICT AS 'r:pt_norm';
-- a field of a type without a row is named
CREATE TYPE r_geo AS (name text, where_ point);
CREATE FUNCTION r_bad(r_geo) RETURNS int4 LANGUAGE wasm STRICT AS 'r:divmod';
CREATE FUNCTION r_bad(int4, OUT p point) LANGUAGE wasm STRICT AS 'r:divmod';
-- an anonymous record needs OUT parameters to say what it holds
CREATE FUNCTION r_bad(int4) RETURNS record LANGUAGE wasm STRICT AS 'r:divmod';

-- ALTER TYPE after a call: the function is bound again, and no longer fits
CREATE TYPE r_pair AS (x float8, y float8);
CREATE FUNCTION r_pair_norm(r_pair) RETURNS float8 LANGUAGE wasm STRICT AS 'r:pt_norm';
SELECT r_pair_norm(ROW(3, 4));
ALTER TYPE r_pair ADD ATTRIBUTE z float8;
SELECT r_pair_norm(ROW(3, 4, 5));
\echo :LAST_ERROR_SQLSTATE
ALTER TYPE r_pair DROP ATTRIBUTE z;
SELECT r_pair_norm(ROW(6, 8));

-- more than 16 flat values (ABI v2): the arguments as a tuple in memory
CREATE FUNCTION r_sum17(int8, int8, int8, int8, int8, int8, int8, int8, int8, int8, int8, int8,
                        int8, int8, int8, int8, int8) RETURNS int8 LANGUAGE wasm STRICT AS 'r:sum17';
SELECT r_sum17(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
       r_sum17(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1);
-- nine option<int4> are 18 flat values
CREATE FUNCTION r_count9(int4, int4, int4, int4, int4, int4, int4, int4, int4) RETURNS int4
  LANGUAGE wasm AS 'r:count9';
SELECT r_count9(1, 2, 3, 4, 5, 6, 7, 8, 9), r_count9(NULL, 2, NULL, 4, NULL, 6, NULL, 8, NULL);
SELECT sum(r_count9(i, i, i, i, i, i, i, i, CASE WHEN i % 2 = 0 THEN NULL ELSE i END)) FROM generate_series(1, 1000) i;
CREATE TYPE r_wide AS (a text, b text, c text, d text, e text, f text, g text, h text, i text);
CREATE FUNCTION r_wide_join(r_wide) RETURNS text LANGUAGE wasm STRICT AS 'r:wide_join';
SELECT r_wide_join(ROW('a', 'bb', '', 'd', 'é', 'f', 'g', 'h', 'end'));
-- the flattened form is refused for them, saying why
CREATE FUNCTION r_bad(int8, int8, int8, int8, int8, int8, int8, int8, int8, int8, int8, int8,
                      int8, int8, int8, int8, int8) RETURNS int8 LANGUAGE wasm STRICT AS 'r:pt_norm';

-- hostile results: a list pointer of a record field outside memory
CREATE FUNCTION r_make_bad(text, int4) RETURNS r_person LANGUAGE wasm STRICT AS 'r:person_bad';
SELECT r_make_bad('x', 1);
\echo :LAST_ERROR_SQLSTATE
-- and the instance goes on
SELECT r_norm(ROW(1, 1));

-- domains over composites, and composite fields of domain types
CREATE DOMAIN r_small AS int4 CHECK (VALUE < 100);
CREATE TYPE r_aged AS (name text, age r_small);
CREATE FUNCTION r_make_aged(text, int4) RETURNS r_aged LANGUAGE wasm STRICT AS 'r:person_make';
SELECT r_make_aged('young', 5);
SELECT r_make_aged('old', 120);
\echo :LAST_ERROR_SQLSTATE
CREATE DOMAIN r_pos_point AS r_point CHECK ((VALUE).x >= 0);
CREATE FUNCTION r_swap_pos(r_point) RETURNS r_pos_point LANGUAGE wasm STRICT AS 'r:pt_swap';
SELECT r_swap_pos(ROW(-1, 2));
SELECT r_swap_pos(ROW(1, -2));
\echo :LAST_ERROR_SQLSTATE

SET client_min_messages = warning;
DROP TYPE r_point, r_person, r_wrap, r_line, r_point3, r_ipoint, r_mixed, r_geo, r_pair, r_aged, r_wide CASCADE;
DROP DOMAIN r_small CASCADE;
SELECT wasm.drop_module('r', cascade => true);
