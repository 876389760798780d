--
-- contexts.sql — wasm functions in every SQL context: WHERE, joins, DML,
-- CHECK constraints, generated columns and index expressions (IMMUTABLE),
-- triggers through a PL/pgSQL wrapper, aggregates with wasm transition and
-- final functions over bytea state, and parallel query (PARALLEL SAFE
-- functions run in the workers).
--
\getenv guestdir PGWASM_GUEST_DIR
\set scalars :guestdir '/scalars.wasm'
\set strings :guestdir '/strings.wasm'
\set cguest :guestdir '/cguest.wasm'
SELECT wasm.install_module('x', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
SELECT wasm.install_module('xs', pg_read_binary_file(:'strings')) IS NOT NULL AS installed;
SELECT wasm.install_module('xc', pg_read_binary_file(:'cguest')) IS NOT NULL AS installed;
CREATE FUNCTION x_add(int4, int4) RETURNS int4 LANGUAGE wasm IMMUTABLE PARALLEL SAFE AS 'x:add';
CREATE FUNCTION x_upper(text) RETURNS text LANGUAGE wasm IMMUTABLE PARALLEL SAFE AS 'xs:upper';
CREATE FUNCTION x_length(text) RETURNS int4 LANGUAGE wasm IMMUTABLE PARALLEL SAFE AS 'xs:length';

CREATE TABLE items (id int4 PRIMARY KEY, name text NOT NULL);
INSERT INTO items SELECT i, 'item ' || i FROM generate_series(1, 200) i;

-- WHERE, ORDER BY, joins, GROUP BY
SELECT id, x_upper(name) FROM items WHERE x_add(id, 100) BETWEEN 101 AND 103 ORDER BY x_add(id, -id), id;
SELECT a.id, b.id FROM items a JOIN items b ON x_add(a.id, 1) = b.id WHERE a.id < 4 ORDER BY 1;
SELECT x_length(name), count(*) FROM items GROUP BY 1 ORDER BY 1;

-- DML
UPDATE items SET name = x_upper(name) WHERE id <= 2 RETURNING *;
DELETE FROM items WHERE x_add(id, 0) > 198 RETURNING id;
INSERT INTO items VALUES (x_add(1000, 1), x_upper('new')) RETURNING *;

-- CHECK constraints, generated columns, index expressions
CREATE TABLE checked (
	id int4,
	name text CHECK (x_length(name) <= 5),
	shout text GENERATED ALWAYS AS (x_upper(name)) STORED
);
INSERT INTO checked (id, name) VALUES (1, 'abc');
INSERT INTO checked (id, name) VALUES (2, 'toolong');
SELECT * FROM checked;
CREATE INDEX items_upper ON items (x_upper(name));
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE x_upper(name) = 'ITEM 7';
SELECT id FROM items WHERE x_upper(name) = 'ITEM 7';
RESET enable_seqscan;

-- triggers: through a PL/pgSQL wrapper
CREATE FUNCTION items_shout() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name := x_upper(NEW.name);
  RETURN NEW;
END
$$;
CREATE TRIGGER items_shout BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION items_shout();
INSERT INTO items VALUES (5000, 'quiet') RETURNING *;
-- a trigger function needs an export (i32) -> i32 (see triggers.sql)
CREATE FUNCTION x_trigger() RETURNS trigger LANGUAGE wasm AS 'x:answer';

-- aggregates: wasm transition and final functions over bytea state
CREATE FUNCTION x_sum_step(bytea, int4) RETURNS bytea LANGUAGE wasm PARALLEL SAFE AS 'xc:sum_step';
CREATE FUNCTION x_sum_final(bytea) RETURNS float8 LANGUAGE wasm PARALLEL SAFE AS 'xc:sum_final';
CREATE AGGREGATE x_avg(int4) (
	SFUNC = x_sum_step, STYPE = bytea, FINALFUNC = x_sum_final, INITCOND = ''
);
SELECT x_avg(id) FROM items WHERE id <= 100;
SELECT id % 3 AS k, x_avg(id) FROM items WHERE id <= 10 GROUP BY 1 ORDER BY 1;
SELECT x_avg(i) FROM generate_series(1, 100000) i;
SELECT x_avg(i) FROM generate_series(1, 0) i;

-- parallel query: the functions run in the workers
CREATE TABLE big AS SELECT i AS id, 'row ' || i AS name FROM generate_series(1, 50000) i;
ANALYZE big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT sum(x_length(x_upper(name))) FROM big WHERE x_add(id, 1) % 2 = 0;
CREATE FUNCTION workers_launched(query text) RETURNS int4 LANGUAGE plpgsql AS $$
DECLARE
  plan json;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || query INTO plan;
  RETURN (plan -> 0 -> 'Plan' -> 'Plans' -> 0 ->> 'Workers Launched')::int4;
END
$$;
SELECT workers_launched('SELECT sum(x_length(x_upper(name))) FROM big WHERE x_add(id, 1) % 2 = 0') > 0 AS ran_in_workers;
SELECT sum(x_length(x_upper(name))) FROM big WHERE x_add(id, 1) % 2 = 0;
CREATE FUNCTION workers_launched(query text) RETURNS int4 LANGUAGE plpgsql AS $$
DECLARE
  plan json;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || query INTO plan;
  RETURN (plan -> 0 -> 'Plan' -> 'Plans' -> 0 ->> 'Workers Launched')::int4;
END
$$;
SELECT workers_launched('SELECT sum(x_length(x_upper(name))) FROM big WHERE x_add(id, 1) % 2 = 0') > 0 AS ran_in_workers;
SET force_parallel_mode = on;
SELECT x_add(40, 2), x_upper('from a worker');
RESET force_parallel_mode;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

SET client_min_messages = warning;
DROP TABLE items, checked, big;
DROP FUNCTION items_shout(), workers_launched(text);
DROP AGGREGATE x_avg(int4);
SELECT wasm.drop_module('x', cascade => true);
SELECT wasm.drop_module('xs', cascade => true);
SELECT wasm.drop_module('xc', cascade => true);
RESET client_min_messages;
