--
-- declare.sql — functions declared by the module: its custom section
-- "pgwasm_functions" (PGWASM_SQL in pgwasm.h) holds what follows CREATE
-- FUNCTION, one per line; wasm.create_functions creates them (schema,
-- prefix, or_replace) in one transaction; wasm.install_module can do it at
-- install.  The lines come from the module, so they are parsed, not pasted:
-- options that are the creator's to choose are refused.
--
\getenv guestdir PGWASM_GUEST_DIR
\set declare :guestdir '/declare.wasm'
SELECT wasm.install_module('declare', pg_read_binary_file(:'declare')) IS NOT NULL AS installed;
SELECT * FROM wasm.module_functions('declare');

SELECT * FROM wasm.create_functions('declare') ORDER BY 1::text;
SELECT d_add(40, 2), d_greet('you'), array_agg(w) FROM d_words(' a bb  ccc ') w;
-- ordinary functions: what pg_dump would write
SELECT pg_get_functiondef('d_add(int4, int4)'::regprocedure);
SELECT p.proname, l.lanname, p.prosrc, p.proisstrict, p.provolatile, p.proparallel, p.proretset, p.prorows
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.proname LIKE 'd\_%' ORDER BY 1;
-- the trigger it declares
CREATE TABLE d_notes (id int4, note text);
CREATE TRIGGER d_notes_stamp BEFORE INSERT ON d_notes FOR EACH ROW EXECUTE FUNCTION d_stamp();
INSERT INTO d_notes VALUES (1, 'x'), (2, NULL);
SELECT * FROM d_notes ORDER BY id;

-- again: the functions exist; or_replace replaces them
SELECT * FROM wasm.create_functions('declare');
SELECT count(*) FROM wasm.create_functions('declare', or_replace => true);
-- another schema, with a prefix
CREATE SCHEMA d_schema;
SELECT * FROM wasm.create_functions('declare', schema => 'd_schema', prefix => 'm_') ORDER BY 1::text;
SELECT d_schema.m_d_add(1, 2);
SELECT * FROM wasm.create_functions('declare', schema => 'd_no_such_schema');

-- at install, in the same statement: existing functions make it fail, module included;
-- with replace => true it replaces both
SELECT wasm.install_module('declare2', pg_read_binary_file(:'declare'), false, true) IS NOT NULL AS installed;
SELECT wasm.install_module('declare2', pg_read_binary_file(:'declare'), replace => true,
                                  create_functions => true) IS NOT NULL AS replaced;
SELECT prosrc FROM pg_proc WHERE proname = 'd_add' ORDER BY 1;

-- a module without declarations
\set scalars :guestdir '/scalars.wasm'
SELECT wasm.install_module('d_plain', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
SELECT count(*) FROM wasm.create_functions('d_plain');
SELECT * FROM wasm.create_functions('d_missing');

-- hostile declarations, each in a module of its own: an empty module with
-- the custom section (one-byte LEB128 sizes: declarations up to 110 bytes)
CREATE FUNCTION d_module(decl text) RETURNS bytea LANGUAGE sql AS $$
  SELECT '\x0061736d01000000'::bytea || '\x00'::bytea
         || set_byte('\x00'::bytea, 0, 17 + length(convert_to(decl, 'UTF8')))
         || '\x10'::bytea || convert_to('pgwasm_functions', 'UTF8') || convert_to(decl, 'UTF8')
$$;
CREATE FUNCTION d_try(decl text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM wasm.install_module('d_bad', d_module(decl), replace => true);
  PERFORM wasm.create_functions('d_bad');
  RETURN 'created';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT decl, d_try(decl) FROM (VALUES
  ('x() RETURNS int4 SECURITY DEFINER'),
  ('x() RETURNS int4 LANGUAGE sql'),
  ('x() RETURNS int4 SET search_path = public'),
  ('x(a int4 DEFAULT 1) RETURNS int4'),
  ('public.x() RETURNS int4'),
  ('x() RETURNS int4; DROP TABLE d_notes'),
  ('x() RETURNS int4 AS ''m:x'''),
  ('x() RETURNS int4 AS $q$ SELECT 1 $q$'),
  ('x() RETURNS int4 BEGIN ATOMIC SELECT 1; END'),
  ('x() RETURNS int4 WINDOW'),
  ('OR REPLACE x() RETURNS int4'),
  ('x( RETURNS'),
  ('x() RETURNS no_such_type'),
  ('x() RETURNS int4 AS ''x''')
) v(decl);
SELECT count(*) AS d_notes_still_there FROM d_notes;
-- one declaration that does not fit its export fails them all: nothing is created
SELECT wasm.install_module('d_bad', d_module(E'y_ok() RETURNS void AS ''x''\ny_bad() RETURNS int4'), replace => true) IS NOT NULL;
SELECT wasm.create_functions('d_bad');
SELECT count(*) FROM pg_proc WHERE proname LIKE 'y\_%';

-- privileges: the caller's own
CREATE ROLE regress_declare_user;
GRANT USAGE ON SCHEMA d_schema TO regress_declare_user;
SET ROLE regress_declare_user;
SELECT * FROM wasm.create_functions('declare', schema => 'd_schema', prefix => 'u_');
RESET ROLE;
GRANT CREATE ON SCHEMA d_schema TO regress_declare_user;
SET ROLE regress_declare_user;
SELECT count(*) FROM wasm.create_functions('declare', schema => 'd_schema', prefix => 'u_');
SELECT d_schema.u_d_add(2, 3);
RESET ROLE;

SET client_min_messages = warning;
DROP SCHEMA d_schema CASCADE;
DROP OWNED BY regress_declare_user;
DROP ROLE regress_declare_user;
DROP TABLE d_notes;
DROP FUNCTION d_module(text), d_try(text);
SELECT wasm.drop_module('declare', cascade => true);
SELECT wasm.drop_module('declare2', cascade => true);
SELECT wasm.drop_module('d_plain', cascade => true);
SELECT wasm.drop_module('d_bad', cascade => true);
