--
-- state.sql — instance state: kept across calls within a transaction,
-- reset to the freshly-instantiated state at transaction end and after a
-- trap, and never shared between roles (one instance per role; SECURITY
-- DEFINER functions run in their owner's instance).
--
\getenv guestdir PGWASM_GUEST_DIR
\set state :guestdir '/state.wasm'
SELECT wasm.install_module('st', pg_read_binary_file(:'state')) IS NOT NULL AS installed;
CREATE FUNCTION st_bump() RETURNS int4 LANGUAGE wasm AS 'st:bump';
CREATE FUNCTION st_put(int4) RETURNS void LANGUAGE wasm AS 'st:put';
CREATE FUNCTION st_get() RETURNS int4 LANGUAGE wasm AS 'st:get';
CREATE FUNCTION st_bump_and_trap() RETURNS int4 LANGUAGE wasm AS 'st:bump_and_trap';

-- within a statement and a transaction, state persists
SELECT st_bump(), st_bump(), st_bump();
BEGIN;
SELECT st_bump();
SELECT st_bump();
SELECT st_put(42);
SELECT st_get();
COMMIT;
-- a new transaction starts from the initial state
SELECT st_bump(), st_get();
BEGIN;
SELECT st_bump();
ROLLBACK;
SELECT st_bump();

-- a trap resets the instance: the half-done call leaves nothing behind
BEGIN;
SELECT st_bump(), st_bump();
SAVEPOINT s;
SELECT st_bump_and_trap();
ROLLBACK TO s;
SELECT st_bump();
COMMIT;

-- one instance per role: what one role writes another cannot read
CREATE ROLE regress_state_alice;
CREATE ROLE regress_state_bob;
GRANT USAGE ON SCHEMA public TO regress_state_alice, regress_state_bob;
BEGIN;
SELECT st_put(1000);
SET LOCAL ROLE regress_state_alice;
SELECT st_get() AS alice_sees;
SELECT st_put(1111);
SELECT st_get() AS alice_sees;
SET LOCAL ROLE regress_state_bob;
SELECT st_get() AS bob_sees;
SELECT st_put(2222);
SET LOCAL ROLE regress_state_alice;
SELECT st_get() AS alice_sees;
RESET ROLE;
SELECT st_get() AS superuser_sees;
COMMIT;

-- SECURITY DEFINER runs in the owner's instance, never the caller's
CREATE FUNCTION st_get_as_alice() RETURNS int4 LANGUAGE wasm SECURITY DEFINER AS 'st:get';
CREATE FUNCTION st_put_as_alice(int4) RETURNS void LANGUAGE wasm SECURITY DEFINER AS 'st:put';
ALTER FUNCTION st_get_as_alice() OWNER TO regress_state_alice;
ALTER FUNCTION st_put_as_alice(int4) OWNER TO regress_state_alice;
BEGIN;
SET LOCAL ROLE regress_state_bob;
SELECT st_put(7), st_put_as_alice(8);
SELECT st_get() AS bob_instance, st_get_as_alice() AS alice_instance;
SET LOCAL ROLE regress_state_alice;
SELECT st_get() AS alice_instance;
COMMIT;

-- the same role in one statement sees one instance across functions
SELECT st_put(5), st_get();

SET client_min_messages = warning;
DROP FUNCTION st_get_as_alice(), st_put_as_alice(int4);
REVOKE USAGE ON SCHEMA public FROM regress_state_alice, regress_state_bob;
DROP ROLE regress_state_alice;
DROP ROLE regress_state_bob;
SELECT wasm.drop_module('st', cascade => true);
RESET client_min_messages;
