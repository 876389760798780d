--
-- triggers.sql — RETURNS trigger LANGUAGE wasm: the event (op, timing,
-- level, table, args) and OLD/NEW as records of options go to the guest in
-- memory; it answers skip, unchanged or a row of its own.  Every kind:
-- BEFORE/AFTER/INSTEAD OF, ROW/STATEMENT, INSERT/UPDATE/DELETE/TRUNCATE;
-- a trigger modifying NEW, skipping, raising; hostile answers.
--
\getenv guestdir PGWASM_GUEST_DIR
\set trig :guestdir '/trig.wasm'
SELECT wasm.install_module('trig', pg_read_binary_file(:'trig')) IS NOT NULL AS installed;

CREATE TABLE tr_items (id int4, name text, price numeric, tags text[]);
CREATE FUNCTION tr_log_event() RETURNS trigger LANGUAGE wasm AS 'trig:log_event';
CREATE FUNCTION tr_log_item() RETURNS trigger LANGUAGE wasm AS 'trig:log_item';
CREATE FUNCTION tr_normalize() RETURNS trigger LANGUAGE wasm AS 'trig:normalize';
CREATE FUNCTION tr_guard() RETURNS trigger LANGUAGE wasm AS 'trig:guard';

-- BEFORE ROW modifying NEW, skipping, raising
CREATE TRIGGER a_normalize BEFORE INSERT OR UPDATE ON tr_items
  FOR EACH ROW EXECUTE FUNCTION tr_normalize('strict');
INSERT INTO tr_items VALUES (1, 'apple', 1.50, '{red,NULL}'), (2, NULL, 0.25, NULL);
INSERT INTO tr_items VALUES (3, 'debt', -5, '{}');
INSERT INTO tr_items VALUES (4, 'free', NULL, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM tr_items ORDER BY id;
UPDATE tr_items SET name = 'green apple' WHERE id = 1;
UPDATE tr_items SET price = -1 WHERE id = 2;
SELECT * FROM tr_items ORDER BY id;

-- AFTER ROW and STATEMENT, every operation, with arguments
CREATE TRIGGER b_log_row AFTER INSERT OR UPDATE OR DELETE ON tr_items
  FOR EACH ROW EXECUTE FUNCTION tr_log_item('row', 'é');
CREATE TRIGGER c_log_stmt AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tr_items
  FOR EACH STATEMENT EXECUTE FUNCTION tr_log_event();
CREATE TRIGGER d_log_before_stmt BEFORE DELETE ON tr_items
  FOR EACH STATEMENT EXECUTE FUNCTION tr_log_event('before');
INSERT INTO tr_items VALUES (5, 'pear', 2, NULL);
UPDATE tr_items SET price = price + 1 WHERE id IN (1, 5);
-- BEFORE DELETE: row 1 is protected
CREATE TRIGGER e_guard BEFORE DELETE ON tr_items FOR EACH ROW EXECUTE FUNCTION tr_guard();
DELETE FROM tr_items WHERE id IN (1, 2);
SELECT id FROM tr_items ORDER BY id;
TRUNCATE tr_items;
DROP TRIGGER b_log_row ON tr_items;
DROP TRIGGER c_log_stmt ON tr_items;
DROP TRIGGER d_log_before_stmt ON tr_items;

-- INSTEAD OF on a view: unchanged means done
CREATE VIEW tr_view AS SELECT id, name FROM tr_items;
CREATE TRIGGER tr_view_ins INSTEAD OF INSERT ON tr_view FOR EACH ROW EXECUTE FUNCTION tr_log_event('view');
INSERT INTO tr_view VALUES (9, 'ghost');
SELECT count(*) FROM tr_items;

-- many rows: the buffers of every call are released
INSERT INTO tr_items SELECT i, 'item' || i, i, ARRAY['t' || i] FROM generate_series(10, 5009) i;
SELECT count(*), count(*) FILTER (WHERE name = upper(name)) AS upper_cased FROM tr_items;
SELECT memory_bytes <= 512 * 1024 AS guest_memory_flat FROM wasm.stats() WHERE module = 'trig';

-- a table with a column of a type without a row: an error when it fires
CREATE TABLE tr_points (id int4, p point);
CREATE TRIGGER tr_points_log AFTER INSERT ON tr_points FOR EACH ROW EXECUTE FUNCTION tr_log_event();
INSERT INTO tr_points VALUES (1, '(1,2)');
\echo :LAST_ERROR_SQLSTATE
-- statement level needs no rows
DROP TRIGGER tr_points_log ON tr_points;
CREATE TRIGGER tr_points_stmt AFTER INSERT ON tr_points FOR EACH STATEMENT EXECUTE FUNCTION tr_log_event();
INSERT INTO tr_points VALUES (1, '(1,2)');

-- hostile answers
CREATE FUNCTION tr_bad_tag() RETURNS trigger LANGUAGE wasm AS 'trig:bad_tag';
CREATE FUNCTION tr_bad_row() RETURNS trigger LANGUAGE wasm AS 'trig:bad_row';
CREATE TABLE tr_small (id int4, name text, price numeric, tags text[]);
CREATE TRIGGER t1 BEFORE INSERT ON tr_small FOR EACH ROW EXECUTE FUNCTION tr_bad_tag();
INSERT INTO tr_small VALUES (1, 'x', 1, NULL);
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER t1 ON tr_small;
CREATE TRIGGER t2 BEFORE INSERT ON tr_small FOR EACH ROW EXECUTE FUNCTION tr_bad_row();
INSERT INTO tr_small VALUES (1, 'x', 1, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM tr_small;

-- the validator: no declared arguments, and the (i32) -> i32 export
CREATE FUNCTION tr_bad(int4) RETURNS trigger LANGUAGE wasm AS 'trig:log_event';
CREATE FUNCTION tr_bad() RETURNS trigger LANGUAGE wasm AS 'trig:put';
CREATE FUNCTION tr_bad() RETURNS event_trigger LANGUAGE wasm AS 'trig:log_event';

SET client_min_messages = warning;
DROP VIEW tr_view;
DROP TABLE tr_items, tr_points, tr_small;
SELECT wasm.drop_module('trig', cascade => true);
