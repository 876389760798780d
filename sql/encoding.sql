--
-- encoding.sql — text crosses the boundary as UTF-8 whatever the server
-- encoding: in a LATIN1 database arguments are converted to UTF-8 and results
-- back; a character LATIN1 lacks is an ERROR (22P05), also when PostgreSQL
-- raises it inside a host function (pgwasm.log), and the instance survives.
--
\getenv guestdir PGWASM_GUEST_DIR
\set strings :guestdir '/strings.wasm'
\set host :guestdir '/host.wasm'
\set regress_db :DBNAME
CREATE DATABASE regress_pgwasm_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c regress_pgwasm_latin1
SET client_encoding = 'UTF8';
CREATE EXTENSION pgwasm;
SELECT wasm.install_module('e', pg_read_binary_file(:'strings')) IS NOT NULL AS installed;
SELECT wasm.install_module('eh', pg_read_binary_file(:'host')) IS NOT NULL AS installed;
CREATE FUNCTION e_length(text) RETURNS int4 LANGUAGE wasm AS 'e:length';
CREATE FUNCTION e_upper(text) RETURNS text LANGUAGE wasm AS 'e:upper';
CREATE FUNCTION e_reverse(text) RETURNS text LANGUAGE wasm AS 'e:reverse';
CREATE FUNCTION e_cafe() RETURNS text LANGUAGE wasm AS 'e:cafe';
CREATE FUNCTION e_japanese() RETURNS text LANGUAGE wasm AS 'e:japanese';
CREATE FUNCTION e_japanese_bytes() RETURNS bytea LANGUAGE wasm AS 'e:japanese';
CREATE FUNCTION e_bad_utf8() RETURNS text LANGUAGE wasm AS 'e:bad_utf8';
CREATE FUNCTION e_log_japanese() RETURNS int4 LANGUAGE wasm AS 'eh:log_japanese';
CREATE FUNCTION e_log_at(int4) RETURNS int4 LANGUAGE wasm AS 'eh:log_at';

-- 'é' is one byte in LATIN1 and two in UTF-8: the guest sees UTF-8
SELECT octet_length('é') AS latin1_bytes, e_length('é') AS guest_bytes;
SELECT e_upper('crème'), e_cafe(), e_cafe() = 'café' AS same;
SELECT e_reverse('ab');
SELECT e_japanese_bytes();
SELECT e_japanese();
\echo :LAST_ERROR_SQLSTATE
SELECT e_bad_utf8();
\echo :LAST_ERROR_SQLSTATE
-- the conversion error happens inside pgwasm.log, under the engine: it is
-- caught there, the guest unwinds, and the error is raised afterwards
SELECT e_log_japanese();
\echo :LAST_ERROR_SQLSTATE
SELECT e_log_at(3);

\c :regress_db
DROP DATABASE regress_pgwasm_latin1;
