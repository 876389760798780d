--
-- host.sql — the "pgwasm" host module (log, error, error_sqlstate) and
-- errors raised by PostgreSQL inside host functions: they surface with their
-- own SQLSTATE and leave the instance usable.
--
\getenv guestdir PGWASM_GUEST_DIR
\set host :guestdir '/host.wasm'
SELECT wasm.install_module('h', pg_read_binary_file(:'host')) IS NOT NULL AS installed;

CREATE FUNCTION h_log_at(int4) RETURNS int4 LANGUAGE wasm AS 'h:log_at';
CREATE FUNCTION h_log_bad_utf8() RETURNS int4 LANGUAGE wasm AS 'h:log_bad_utf8';
CREATE FUNCTION h_log_oob() RETURNS int4 LANGUAGE wasm AS 'h:log_oob';
CREATE FUNCTION h_fail() RETURNS int4 LANGUAGE wasm AS 'h:fail';
CREATE FUNCTION h_fail_code() RETURNS int4 LANGUAGE wasm AS 'h:fail_code';
CREATE FUNCTION h_fail_bad_code() RETURNS int4 LANGUAGE wasm AS 'h:fail_bad_code';
CREATE FUNCTION h_fail_success_code() RETURNS int4 LANGUAGE wasm AS 'h:fail_success_code';

-- levels 0..4 are DEBUG1, LOG, INFO, NOTICE, WARNING
SET client_min_messages = debug1;
SELECT h_log_at(0);
SELECT h_log_at(2);
SELECT h_log_at(3);
SELECT h_log_at(4);
RESET client_min_messages;
SELECT h_log_at(0);
SELECT h_log_at(5);
SELECT h_log_at(-1);
-- messages are best effort: invalid UTF-8 becomes '?'
SELECT h_log_bad_utf8();
SELECT h_log_oob();

-- pgwasm.error raises P0001 raise_exception; error_sqlstate a chosen code
SELECT h_fail();
\echo :LAST_ERROR_SQLSTATE
SELECT h_fail_code();
\echo :LAST_ERROR_SQLSTATE
SELECT h_fail_bad_code();
SELECT h_fail_success_code();
-- a guest error can be caught like any other
DO $$
BEGIN
  PERFORM h_fail_code();
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE 'caught: %', SQLERRM;
END
$$;

-- after guest errors the instance goes on working
SELECT h_log_at(3);

SET client_min_messages = warning;
SELECT wasm.drop_module('h', cascade => true);
RESET client_min_messages;
