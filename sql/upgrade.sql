--
-- upgrade.sql — ALTER EXTENSION pgwasm UPDATE from 0.1.0 to 0.2.0 (then
-- 0.3.0, which adds wasm.create_functions and friends, and 0.4.0, which
-- adds the native tier's columns to wasm.stats() and wasm.jit_stats()): every row
-- of 0.1.0's configuration table wasm.module_store becomes a function
-- wasm_module."<name>"() with the same owner, compressed bytes, SHA-256 and
-- creation time (also a frame stored without zstd's checksum, and a row
-- whose owner role was dropped); functions over the modules work again; the
-- table, its trigger function and the migration helper are gone.
--
\getenv guestdir PGWASM_GUEST_DIR
\set scalars :guestdir '/scalars.wasm'
\set strings :guestdir '/strings.wasm'
\set regress_db :DBNAME
-- 0.1.0 stored each module as a zstd frame (with its content checksum) plus
-- its SHA-256, size, owner and time.  The library installed now cannot write
-- that table, so the rows are made from the frames it writes itself, which
-- are compressed the same way.
SELECT wasm.install_module('u1', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
SELECT wasm.install_module('u2', pg_read_binary_file(:'strings')) IS NOT NULL AS installed;
SELECT encode(decode(substr(prosrc, strpos(prosrc, E'\n') + 1), 'base64'), 'hex') AS frame1
  FROM pg_proc WHERE oid = 'wasm_module.u1()'::regprocedure \gset
SELECT encode(decode(substr(prosrc, strpos(prosrc, E'\n') + 1), 'base64'), 'hex') AS frame2
  FROM pg_proc WHERE oid = 'wasm_module.u2()'::regprocedure \gset
SELECT wasm.drop_module('u1'), wasm.drop_module('u2');
CREATE ROLE regress_upgrade_owner;
CREATE ROLE regress_upgrade_gone;
CREATE DATABASE regress_pgwasm_upgrade TEMPLATE template0;
\c regress_pgwasm_upgrade
CREATE EXTENSION pgwasm VERSION '0.1.0';
SELECT extversion, extconfig::regclass[] FROM pg_extension WHERE extname = 'pgwasm';
INSERT INTO wasm.module_store (name, owner, sha256, size, compressed, created)
SELECT 'u_scalars', 'regress_upgrade_owner', sha256(b), length(b), decode(:'frame1', 'hex'),
       '2024-02-29 12:34:56.789012+00'
  FROM pg_read_binary_file(:'scalars') b;
-- a frame as written before checksums: the flag cleared, the 4 bytes dropped
INSERT INTO wasm.module_store (name, owner, sha256, size, compressed, created)
SELECT 'u_strings', current_user::regrole, sha256(b), length(b),
       set_byte(substr(f, 1, length(f) - 4), 4, get_byte(f, 4) & ~4), '2023-01-01 00:00:00+00'
  FROM pg_read_binary_file(:'strings') b, decode(:'frame2', 'hex') f;
-- 0.1.0 did not record module owners as dependencies
INSERT INTO wasm.module_store (name, owner, sha256, size, compressed, created)
SELECT 'u_orphan', 'regress_upgrade_gone', sha256(b), length(b), decode(:'frame1', 'hex'),
       '2024-01-01 00:00:00+00'
  FROM pg_read_binary_file(:'scalars') b;
DROP ROLE regress_upgrade_gone;
SET check_function_bodies = off;
CREATE FUNCTION u_answer() RETURNS int4 LANGUAGE wasm AS 'u_scalars:answer';
CREATE FUNCTION u_upper(text) RETURNS text LANGUAGE wasm AS 'u_strings:upper';
RESET check_function_bodies;
-- the new library with the old SQL objects says what to do
SELECT u_answer();

\set VERBOSITY terse
ALTER EXTENSION pgwasm UPDATE TO '0.2.0';
\set VERBOSITY default
SELECT extversion, extconfig FROM pg_extension WHERE extname = 'pgwasm';
SELECT to_regclass('wasm.module_store') AS module_store,
       to_regprocedure('wasm.pgwasm_module_store_changed()') AS trigger_function,
       to_regprocedure('wasm.pgwasm_migrate_module(text, oid, bytea, int4, bytea, timestamptz)') AS helper;
-- same names, owners, SHA-256, sizes and creation times
SELECT m.name, m.owner,
       m.sha256 = encode(sha256(pg_read_binary_file(CASE m.name WHEN 'u_strings' THEN :'strings' ELSE :'scalars' END)), 'hex') AS sha256_kept,
       m.size, m.created
  FROM wasm.modules m ORDER BY m.name;
SELECT p.oid::regprocedure AS carrier, pg_get_userbyid(p.proowner) AS owner,
       (SELECT count(*) FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
           AND d.objid = p.oid AND d.deptype = 'e') AS extension_member
  FROM pg_proc p WHERE p.pronamespace = 'wasm_module'::regnamespace ORDER BY 1;
SELECT u_answer(), u_upper('upgraded');
SELECT count(*) AS exports FROM wasm.module_exports('u_strings');
-- and they behave as modules installed by 0.2.0
DROP ROLE regress_upgrade_owner;
SELECT wasm.install_module('u_scalars', pg_read_binary_file(:'strings'), replace => true) IS NOT NULL AS replaced;
SELECT name, owner FROM wasm.modules WHERE name = 'u_scalars';
SELECT wasm.drop_module('u_strings');
SELECT wasm.drop_module('u_strings', cascade => true);
SELECT wasm.drop_module('u_scalars', cascade => true);
SELECT wasm.drop_module('u_orphan');
SELECT count(*) AS modules_left FROM wasm.modules;
-- then on to 0.3.0
ALTER EXTENSION pgwasm UPDATE TO '0.3.0';
SELECT extversion FROM pg_extension WHERE extname = 'pgwasm';
-- the library (0.4.0) serves 0.3.0's wasm.stats(), six columns, until the update
SELECT module, calls FROM wasm.stats() ORDER BY module;
SELECT pg_get_function_result('wasm.stats()'::regprocedure) AS stats_0_3_0;
-- then on to 0.4.0: a fresh installation has the same objects as an updated
-- one, with the same result types and privileges
ALTER EXTENSION pgwasm UPDATE TO '0.4.0';
SELECT extversion FROM pg_extension WHERE extname = 'pgwasm';
SELECT module, calls, jit_functions FROM wasm.stats() ORDER BY module;
SELECT string_agg(pg_describe_object(classid, objid, objsubid), ', '
                  ORDER BY pg_describe_object(classid, objid, objsubid)) AS updated_members
  FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgwasm') \gset
SELECT string_agg(p.oid::regprocedure || ' ' || pg_get_function_result(p.oid) || ' '
                  || coalesce(p.proacl::text, 'default'), E'\n' ORDER BY p.oid::regprocedure::text) AS updated_functions
  FROM pg_proc p WHERE p.pronamespace = 'wasm'::regnamespace \gset
DROP EXTENSION pgwasm;
CREATE EXTENSION pgwasm;
SELECT string_agg(pg_describe_object(classid, objid, objsubid), ', '
                  ORDER BY pg_describe_object(classid, objid, objsubid)) = :'updated_members' AS same_members
  FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgwasm');
SELECT string_agg(p.oid::regprocedure || ' ' || pg_get_function_result(p.oid) || ' '
                  || coalesce(p.proacl::text, 'default'), E'\n' ORDER BY p.oid::regprocedure::text)
       = :'updated_functions' AS same_functions
  FROM pg_proc p WHERE p.pronamespace = 'wasm'::regnamespace;
\echo :updated_members

\c :regress_db
DROP DATABASE regress_pgwasm_upgrade;
DROP ROLE regress_upgrade_owner;
