-- examples/demo.sql — the pgwasm tour that `make demo` runs (examples/demo.sh)
-- with psql -e, so every statement is shown before its result.
-- Expects the psql variable :moddir, a directory the server can read holding
-- the modules examples/build.sh built.

\set QUIET on
\pset null '(null)'
\set QUIET off

\echo
\echo '-- 1. The extension: schema wasm, trusted LANGUAGE wasm, the module catalog'
CREATE EXTENSION pgwasm;
\dx pgwasm

\echo
\echo '-- 2. Install modules compiled from examples/ (C via clang --target=wasm32-wasi, and WAT)'
SELECT wasm.install_module('textkit',  pg_read_binary_file(:'moddir' || '/textkit.wasm'))  AS sha256;
SELECT wasm.install_module('vecmath',  pg_read_binary_file(:'moddir' || '/vecmath.wasm'))  AS sha256;
SELECT wasm.install_module('checksum', pg_read_binary_file(:'moddir' || '/checksum.wasm')) AS sha256;
SELECT wasm.install_module('add',      pg_read_binary_file(:'moddir' || '/add.wasm'))      AS sha256;
SELECT wasm.install_module('fib',      pg_read_binary_file(:'moddir' || '/fib.wasm'))      AS sha256;

SELECT name, owner, size, compressed_size, left(sha256, 12) AS sha256_prefix
  FROM wasm.modules ORDER BY name;

\echo
\echo '-- 3. What a module offers, and what it needs from the host'
SELECT * FROM wasm.module_exports('textkit') WHERE kind = 'function';
SELECT * FROM wasm.module_imports('textkit');

\echo
\echo '-- 4. SQL functions backed by Wasm exports: AS ''module:export'''
CREATE FUNCTION slugify(text) RETURNS text
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'textkit:slugify';
CREATE FUNCTION normalize_email(text) RETURNS text
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'textkit:normalize_email';
CREATE FUNCTION word_count(text) RETURNS int4
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'textkit:word_count';
CREATE FUNCTION cosine_similarity(float8[], float8[]) RETURNS float8
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'vecmath:cosine_similarity';
CREATE FUNCTION l2_norm(float8[]) RETURNS float8
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'vecmath:l2_norm';
CREATE FUNCTION crc32(bytea) RETURNS int8
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'checksum:crc32';
CREATE FUNCTION fnv1a64(bytea) RETURNS int8
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'checksum:fnv1a64';
CREATE FUNCTION idiv(int4, int4) RETURNS int4
    IMMUTABLE STRICT LANGUAGE wasm AS 'add:idiv';
CREATE FUNCTION fib(int4) RETURNS int8
    IMMUTABLE STRICT LANGUAGE wasm AS 'fib:fib';
CREATE FUNCTION fib_rec(int4) RETURNS int8
    IMMUTABLE STRICT LANGUAGE wasm AS 'fib:fib_rec';

\echo
\echo '-- The signature is checked against the export when the function is created:'
\set ON_ERROR_STOP off
CREATE FUNCTION slugify_wrong(int4) RETURNS text LANGUAGE wasm AS 'textkit:slugify';
\set ON_ERROR_STOP on

\echo
\echo '-- 5. Use them on a table'
CREATE TABLE articles (
    id        int PRIMARY KEY,
    title     text NOT NULL,
    author    text NOT NULL,
    body      text NOT NULL,
    embedding float8[] NOT NULL,
    payload   bytea NOT NULL
);
INSERT INTO articles VALUES
  (1, 'Crème Brûlée: 10 Recipes!', '  Julia.Child+blog@GoogleMail.com ',
      'Custard, caramel, and patience.', '{0.9,0.1,0.0,0.2}', 'recipe #1'),
  (2, 'Why Postgres Loves Wasm', 'ada@Example.ORG',
      'Sandboxed code next to the data: fast, safe, portable.', '{0.1,0.8,0.6,0.0}', '\x00010203'),
  (3, 'The Perfect Caramel', 'juliachild@gmail.com',
      'Sugar, heat, and a well-timed splash of cream.', '{0.8,0.0,0.1,0.3}', 'recipe #2'),
  (4, 'Ångström-level Précision', 'Ada+papers@example.org',
      'Measure twice; cut once.', '{0.2,0.7,0.7,0.1}', '');

SELECT id, slugify(title) AS slug, word_count(body) AS words
  FROM articles ORDER BY id;

-- de-duplicating authors
SELECT normalize_email(author) AS author, count(*) AS articles
  FROM articles GROUP BY 1 ORDER BY 1;

-- the articles most similar to article 1, by embedding
SELECT b.id, b.title,
       round(cosine_similarity(a.embedding, b.embedding)::numeric, 3) AS similarity
  FROM articles a JOIN articles b ON b.id <> a.id
 WHERE a.id = 1
 ORDER BY similarity DESC;

SELECT id, length(payload) AS bytes, crc32(payload), to_hex(crc32(payload)) AS crc32_hex,
       fnv1a64(payload)
  FROM articles ORDER BY id;

-- IMMUTABLE wasm functions work in index expressions and generated columns
CREATE UNIQUE INDEX articles_slug ON articles (slugify(title));
ALTER TABLE articles ADD COLUMN norm float8 GENERATED ALWAYS AS (l2_norm(embedding)) STORED;
SELECT id, slugify(title) AS slug, round(norm::numeric, 4) AS norm
  FROM articles WHERE slugify(title) = 'the-perfect-caramel';

\echo
\echo '-- 6. Errors stay errors: a guest-raised error, a trap, limits'
\set ON_ERROR_STOP off
-- the guest calls the host import pgwasm.error()
SELECT normalize_email('not-an-address');
-- i32.div_s by zero traps; the trap becomes an ERROR with SQLSTATE 22012
SELECT idiv(1, 0);
\errverbose
-- fib(93) does not fit in int8: the module says so itself
SELECT fib(92) AS largest, fib(93);
-- a fuel budget stops a long computation (SQLSTATE 54000)
SET pgwasm.fuel = 1000000;
\set SHOW_CONTEXT never
SELECT fib_rec(40);
\set SHOW_CONTEXT errors
RESET pgwasm.fuel;
-- and so does statement_timeout, through PostgreSQL's own interrupt handling
SET statement_timeout = '300ms';
SELECT fib_rec(60);
RESET statement_timeout;
\set ON_ERROR_STOP on
-- the session is fine afterwards
SELECT idiv(84, 2) AS answer, fib(50);

\echo
\echo '-- 7. Per-backend statistics'
SELECT module, round(compile_ms::numeric, 2) AS compile_ms, instantiations, calls, traps,
       pg_size_pretty(memory_bytes::bigint) AS memory
  FROM wasm.stats() ORDER BY module;

\echo
\echo '-- 8. Modules are owned objects with dependencies'
\set ON_ERROR_STOP off
SELECT wasm.drop_module('add');
\set ON_ERROR_STOP on
SELECT wasm.drop_module('add', cascade => true);
SELECT name FROM wasm.modules ORDER BY name;

\echo
\echo '-- 9. An aggregate and a JSON extractor in C: examples/c/hll.c and jsonkit.c'
SELECT wasm.install_module('hll',     pg_read_binary_file(:'moddir' || '/hll.wasm'))     AS sha256;
SELECT wasm.install_module('jsonkit', pg_read_binary_file(:'moddir' || '/jsonkit.wasm')) AS sha256;
CREATE FUNCTION json_get(jsonb, text) RETURNS text
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'jsonkit:json_get';
CREATE FUNCTION json_get(text, text) RETURNS text    -- the same export, for JSON kept as text
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'jsonkit:json_get';
CREATE FUNCTION json_valid(text) RETURNS bool
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'jsonkit:json_valid';
-- a HyperLogLog sketch in bytea: add a value, merge two sketches, estimate
CREATE FUNCTION hll_add(bytea, text) RETURNS bytea
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_add';
CREATE FUNCTION hll_merge(bytea, bytea) RETURNS bytea
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_merge';
CREATE FUNCTION hll_count(bytea) RETURNS int8
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'hll:hll_count';
CREATE AGGREGATE approx_count_distinct(text) (
    SFUNC = hll_add, STYPE = bytea, FINALFUNC = hll_count,
    COMBINEFUNC = hll_merge, INITCOND = '', PARALLEL = SAFE);

CREATE TABLE page_views AS
  SELECT i AS id,
         jsonb_build_object('user', jsonb_build_object('id', i % 30000, 'name', 'user ' || i % 30000),
                            'page', '/docs/' || i % 40, 'tags', jsonb_build_array('web', 'v' || i % 3)) AS doc
    FROM generate_series(1, 120000) i;
ANALYZE page_views;

-- fields by path; strings come back unquoted, and -1 is the last array element
SELECT json_get(doc, 'user.name') AS name, json_get(doc, 'tags.-1') AS last_tag,
       json_get(doc, 'user') AS "user"
  FROM page_views WHERE id = 7;

-- distinct users, approximately (in a parallel plan: workers' sketches are merged) and exactly
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT approx_count_distinct(json_get(doc, 'user.id')) FROM page_views;
SELECT approx_count_distinct(json_get(doc, 'user.id')) AS approx,
       count(DISTINCT doc #>> '{user,id}') AS exact
  FROM page_views;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- malformed JSON (arriving as text) is an error with SQLSTATE 22P02; json_valid() tells first
\set ON_ERROR_STOP off
SELECT json_get('{"user": {"id": 1', 'user.id');
\set ON_ERROR_STOP on
SELECT json_valid('{"user": {"id": 1') AS truncated, json_valid('{"user": {"id": 1}}') AS complete;
