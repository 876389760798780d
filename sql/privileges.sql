--
-- privileges.sql — who may install, replace and drop modules: superusers and
-- roles granted EXECUTE (revoked from PUBLIC); replace and drop only by the
-- module's owner (or a member of its role) or a superuser.  Anyone may create
-- and call functions in the trusted language.  What plain SQL allows on the
-- functions wasm_module."<name>"() that hold modules; DROP ROLE, REASSIGN
-- OWNED and DROP OWNED with modules.
--
\getenv guestdir PGWASM_GUEST_DIR
\set scalars :guestdir '/scalars.wasm'
\set state :guestdir '/state.wasm'
CREATE ROLE regress_priv_dev;
CREATE ROLE regress_priv_other;
CREATE ROLE regress_priv_user;
GRANT CREATE, USAGE ON SCHEMA public TO regress_priv_dev, regress_priv_other, regress_priv_user;

SELECT p.proname, has_function_privilege('regress_priv_user', p.oid, 'EXECUTE') AS user_can
  FROM pg_proc p WHERE p.pronamespace = 'wasm'::regnamespace ORDER BY 1;
SELECT has_schema_privilege('regress_priv_user', 'wasm_module', 'USAGE') AS module_schema_usage,
       has_schema_privilege('regress_priv_user', 'wasm_module', 'CREATE') AS module_schema_create,
       has_table_privilege('regress_priv_user', 'wasm.modules', 'SELECT') AS view;

-- without EXECUTE: no install, no drop
SET ROLE regress_priv_user;
SELECT wasm.install_module('p', pg_read_binary_file(:'scalars'));
SELECT wasm.install_module('p', '\x0061736d01000000'::bytea);
SELECT wasm.drop_module('p');
-- nor by creating the function that would hold a module
CREATE FUNCTION wasm_module.p() RETURNS wasm.module LANGUAGE wasm AS 'p';
RESET ROLE;

-- with EXECUTE
GRANT EXECUTE ON FUNCTION wasm.install_module(text, bytea, boolean),
                          wasm.drop_module(text, boolean)
   TO regress_priv_dev, regress_priv_other;
SELECT wasm.install_module('p', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed_by_superuser;
SELECT pg_read_binary_file(:'state') AS state_bytes \gset
SET ROLE regress_priv_dev;
SELECT wasm.install_module('p_dev', :'state_bytes'::bytea) IS NOT NULL AS installed;
SELECT name, owner FROM wasm.modules ORDER BY name;
-- not the owner of p
SELECT wasm.install_module('p', :'state_bytes'::bytea, replace => true);
SELECT wasm.drop_module('p');
-- the owner may replace and drop
SELECT wasm.install_module('p_dev', :'state_bytes'::bytea, replace => true) IS NOT NULL AS replaced;
RESET ROLE;

-- another developer may not touch p_dev ...
SET ROLE regress_priv_other;
SELECT wasm.install_module('p_dev', :'state_bytes'::bytea, replace => true);
SELECT wasm.drop_module('p_dev');
RESET ROLE;
-- ... unless a member of its owner's role
GRANT regress_priv_dev TO regress_priv_other;
SET ROLE regress_priv_other;
SELECT wasm.install_module('p_dev', :'state_bytes'::bytea, replace => true) IS NOT NULL AS replaced;
RESET ROLE;
REVOKE regress_priv_dev FROM regress_priv_other;
-- replacing keeps the owner
SELECT name, owner FROM wasm.modules ORDER BY name;

-- modules are functions wasm_module."<name>"() owned by their owner; what
-- plain SQL lets roles do with them: an owner may drop its module's function
-- (as wasm.drop_module would, without the check for functions using it), but
-- not replace, rename or give it away (CREATE on wasm_module is needed);
-- others may do nothing
SELECT prosrc AS p_dev_body FROM pg_proc WHERE oid = 'wasm_module.p_dev()'::regprocedure \gset
SET ROLE regress_priv_dev;
CREATE OR REPLACE FUNCTION wasm_module.p_dev() RETURNS wasm.module LANGUAGE wasm AS :'p_dev_body';
ALTER FUNCTION wasm_module.p_dev() RENAME TO p_dev2;
ALTER FUNCTION wasm_module.p_dev() SET SCHEMA wasm;
ALTER FUNCTION wasm_module.p_dev() OWNER TO regress_priv_other;
SELECT wasm.install_module('p_dev_tmp', :'state_bytes'::bytea) IS NOT NULL AS installed;
DROP FUNCTION wasm_module.p_dev_tmp();
RESET ROLE;
SET ROLE regress_priv_other;
DROP FUNCTION wasm_module.p_dev();
ALTER FUNCTION wasm_module.p_dev() RENAME TO p_dev2;
CREATE OR REPLACE FUNCTION wasm_module.p_dev() RETURNS wasm.module LANGUAGE wasm AS :'p_dev_body';
RESET ROLE;
-- the bytes of a module are readable by everyone in pg_proc (as the source
-- of any function); calling the function returns them only to its owner
SET ROLE regress_priv_user;
SELECT prosrc = :'p_dev_body' AS body_visible FROM pg_proc WHERE oid = 'wasm_module.p_dev()'::regprocedure;
SELECT wasm_module.p_dev();
RESET ROLE;
SET ROLE regress_priv_dev;
SELECT wasm_module.p_dev() = :'state_bytes'::bytea AS owner_reads;
RESET ROLE;
SELECT name FROM wasm.modules ORDER BY name;

-- any role may create and call functions of any module (trusted language)
SET ROLE regress_priv_user;
CREATE FUNCTION p_add(int4, int4) RETURNS int4 LANGUAGE wasm AS 'p:add';
SELECT p_add(20, 22);
CREATE FUNCTION p_bump() RETURNS int4 LANGUAGE wasm AS 'p_dev:bump';
SELECT p_bump();
RESET ROLE;

-- the owner drops with cascade, also functions of other roles
SET ROLE regress_priv_dev;
SELECT wasm.drop_module('p_dev');
SELECT wasm.drop_module('p_dev', cascade => true);
RESET ROLE;
-- the superuser may drop anything
SELECT wasm.drop_module('p', cascade => true);
SELECT count(*) AS modules_left FROM wasm.modules;

-- a role that owns modules cannot be dropped (the owner is recorded as for
-- any function); REASSIGN OWNED and DROP OWNED handle modules too
SET ROLE regress_priv_dev;
SELECT wasm.install_module('p_kept', :'state_bytes'::bytea) IS NOT NULL AS installed;
SELECT wasm.install_module('p_gone', :'state_bytes'::bytea) IS NOT NULL AS installed;
RESET ROLE;
DROP ROLE regress_priv_dev;
REASSIGN OWNED BY regress_priv_dev TO regress_priv_other;
SELECT name, owner FROM wasm.modules ORDER BY name;
DROP FUNCTION wasm_module.p_gone();
DROP OWNED BY regress_priv_other;
SELECT count(*) AS modules_left FROM wasm.modules;

SET client_min_messages = warning;
REVOKE EXECUTE ON FUNCTION wasm.install_module(text, bytea, boolean),
                           wasm.drop_module(text, boolean)
   FROM regress_priv_dev, regress_priv_other;
REVOKE CREATE, USAGE ON SCHEMA public FROM regress_priv_dev, regress_priv_other, regress_priv_user;
DROP ROLE regress_priv_dev;
DROP ROLE regress_priv_other;
DROP ROLE regress_priv_user;
RESET client_min_messages;
