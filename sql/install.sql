--
-- install.sql — the module catalog: wasm.install_module, replace, bad bytes,
-- import checks, size limit, names, introspection, drop, rollback; modules
-- as functions wasm_module."<name>"(), their bodies and the validator.
--
\getenv guestdir PGWASM_GUEST_DIR
\set scalars :guestdir '/scalars.wasm'
\set strings :guestdir '/strings.wasm'
\set host :guestdir '/host.wasm'
\set cguest :guestdir '/cguest.wasm'
\set invalid_type :guestdir '/invalid_type.wasm'
\set import_env :guestdir '/import_env.wasm'
\set import_unknown_host :guestdir '/import_unknown_host.wasm'
\set import_wrong_type :guestdir '/import_wrong_type.wasm'
\set import_memory :guestdir '/import_memory.wasm'
\set import_wasi_type :guestdir '/import_wasi_type.wasm'

-- install returns the SHA-256 (hex) of the module bytes
SELECT wasm.install_module('scalars', pg_read_binary_file(:'scalars'))
       = encode(sha256(pg_read_binary_file(:'scalars')), 'hex') AS sha256_returned;
SELECT name, owner,
       sha256 = encode(sha256(pg_read_binary_file(:'scalars')), 'hex') AS sha256_ok,
       size = octet_length(pg_read_binary_file(:'scalars')) AS size_ok,
       compressed_size > 0 AS stored,
       created <= now() AS created_ok
  FROM wasm.modules;
-- a module is a function, wasm_module."<name>"() RETURNS wasm.module, owned
-- by the installing role and not a member of the extension (pg_dump dumps
-- it); its body is an ASCII header and the zstd frame (28 b5 2f fd) in base64
SELECT p.oid::regprocedure AS carrier, pg_get_userbyid(p.proowner) AS owner,
       p.prorettype::regtype AS returns, l.lanname,
       split_part(p.prosrc, ' ', 1) || ' ' || split_part(p.prosrc, ' ', 2) AS format,
       split_part(split_part(p.prosrc, ' ', 3), '=', 2) = m.sha256 AS header_sha256,
       p.prosrc ~ '^[ -~\n]*$' AS ascii,
       substr(decode(substr(p.prosrc, strpos(p.prosrc, E'\n') + 1), 'base64'), 1, 4) AS zstd_magic,
       length(decode(substr(p.prosrc, strpos(p.prosrc, E'\n') + 1), 'base64')) = m.compressed_size AS frame_size,
       (SELECT count(*) FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
           AND d.objid = p.oid AND d.deptype = 'e') AS extension_member
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
  JOIN wasm.modules m ON m.name = p.proname
 WHERE p.pronamespace = 'wasm_module'::regnamespace;
-- calling it gives the module back (to its owner and superusers)
SELECT wasm_module.scalars() = pg_read_binary_file(:'scalars') AS same_bytes;

-- what the module offers
SELECT * FROM wasm.module_exports('scalars');
SELECT * FROM wasm.module_imports('scalars');

-- duplicates are refused unless replace
SELECT wasm.install_module('scalars', pg_read_binary_file(:'scalars'));
SELECT wasm.install_module('scalars', pg_read_binary_file(:'strings'), replace => true)
       = encode(sha256(pg_read_binary_file(:'strings')), 'hex') AS replaced;
SELECT count(*) AS string_exports FROM wasm.module_exports('scalars') WHERE name = 'upper';
SELECT wasm.install_module('scalars', pg_read_binary_file(:'scalars'), true) IS NOT NULL AS restored;
SELECT count(*) AS string_exports FROM wasm.module_exports('scalars') WHERE name = 'upper';

-- imports: the pgwasm host module and the WASI subset are allowed
SELECT wasm.install_module('host', pg_read_binary_file(:'host')) IS NOT NULL AS installed;
SELECT * FROM wasm.module_imports('host');
SELECT * FROM wasm.module_exports('host') WHERE kind <> 'function';
SELECT wasm.install_module('cguest', pg_read_binary_file(:'cguest')) IS NOT NULL AS installed;
SELECT module, kind, count(*) FROM wasm.module_imports('cguest') GROUP BY 1, 2;

-- anything else is refused, naming the import
SELECT wasm.install_module('bad', pg_read_binary_file(:'import_env'));
SELECT wasm.install_module('bad', pg_read_binary_file(:'import_unknown_host'));
SELECT wasm.install_module('bad', pg_read_binary_file(:'import_wrong_type'));
SELECT wasm.install_module('bad', pg_read_binary_file(:'import_memory'));
SELECT wasm.install_module('bad', pg_read_binary_file(:'import_wasi_type'));

-- bad bytes: the decoder's and validator's messages
SELECT wasm.install_module('bad', '\x'::bytea);
SELECT wasm.install_module('bad', '\x00617364'::bytea);
SELECT wasm.install_module('bad', '\x0061736d02000000'::bytea);
SELECT wasm.install_module('bad', '\x0061736d010000000105'::bytea);
SELECT wasm.install_module('bad', pg_read_binary_file(:'invalid_type'));
-- the smallest valid module: magic and version
SELECT wasm.install_module('empty', '\x0061736d01000000'::bytea) IS NOT NULL AS installed;
SELECT count(*) FROM wasm.module_exports('empty');
SELECT wasm.drop_module('empty');
SELECT count(*) AS bad_modules FROM wasm.modules WHERE name = 'bad';

-- module names: 1 to 63 bytes, no ':' (it separates module and export)
SELECT wasm.install_module('', '\x0061736d01000000'::bytea);
SELECT wasm.install_module('a:b', '\x0061736d01000000'::bytea);
SELECT wasm.install_module(repeat('x', 64), '\x0061736d01000000'::bytea);
SELECT wasm.install_module(repeat('x', 63), '\x0061736d01000000'::bytea) IS NOT NULL AS installed;
SELECT wasm.drop_module(repeat('x', 63));
-- strict: NULL in, NULL out
SELECT wasm.install_module(NULL, NULL) IS NULL AS is_null;

-- size cap
SET pgwasm.max_module_size = 100;
SELECT wasm.install_module('big', pg_read_binary_file(:'strings'));
RESET pgwasm.max_module_size;
SHOW pgwasm.max_module_size;

-- transactional: a rolled-back install leaves no trace
BEGIN;
SELECT wasm.install_module('temp', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
CREATE FUNCTION temp_answer() RETURNS int4 LANGUAGE wasm AS 'temp:answer';
SELECT temp_answer();
ROLLBACK;
SELECT count(*) AS temp_modules FROM wasm.modules WHERE name = 'temp';
SELECT * FROM wasm.module_exports('temp');

-- drop refuses while functions use the module, and says which
CREATE FUNCTION answer() RETURNS int4 LANGUAGE wasm AS 'scalars:answer';
CREATE FUNCTION add(int4, int4) RETURNS int4 LANGUAGE wasm AS 'scalars';
SELECT answer(), add(1, 2);
SELECT wasm.drop_module('scalars');
-- a rolled-back drop keeps the module
BEGIN;
SELECT wasm.drop_module('scalars', cascade => true);
ROLLBACK;
SELECT answer(), add(1, 2);
SELECT wasm.drop_module('scalars', cascade => true);
SELECT count(*) AS functions_left FROM pg_proc WHERE proname IN ('answer', 'add');
SELECT wasm.drop_module('scalars');
SELECT wasm.drop_module('no such module');

-- integrity of the stored bytes: the zstd frame carries a content checksum
-- (frame header descriptor bit 2), verified at each load; a frame without
-- one (as 0.1.0 wrote before checksums) is checked against the SHA-256 in the
-- header.  Damaged bodies are made as a restore would load them: CREATE OR
-- REPLACE with check_function_bodies off, which checks the header only.
SELECT wasm.install_module('damaged', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
SELECT wasm.install_module('legacy', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
CREATE FUNCTION damaged_answer() RETURNS int4 LANGUAGE wasm AS 'damaged:answer';
CREATE FUNCTION legacy_answer() RETURNS int4 LANGUAGE wasm AS 'legacy:answer';
CREATE FUNCTION regress_frame(m text) RETURNS bytea LANGUAGE sql AS $$
  SELECT decode(substr(prosrc, strpos(prosrc, E'\n') + 1), 'base64')
    FROM pg_proc WHERE oid = format('wasm_module.%I()', m)::regprocedure $$;
-- give module m the frame f (and SHA-256 sha, if not null)
CREATE FUNCTION regress_rebody(m text, f bytea, sha text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  header text;
BEGIN
  SELECT split_part(prosrc, E'\n', 1) INTO header
    FROM pg_proc WHERE oid = format('wasm_module.%I()', m)::regprocedure;
  header := regexp_replace(header, 'compressed=[0-9]+', 'compressed=' || length(f));
  IF sha IS NOT NULL THEN
    header := regexp_replace(header, 'sha256=[0-9a-f]+', 'sha256=' || sha);
  END IF;
  EXECUTE format('CREATE OR REPLACE FUNCTION wasm_module.%I() RETURNS wasm.module LANGUAGE wasm AS %L',
                 m, header || E'\n' || encode(f, 'base64'));
END
$$;
SELECT name, get_byte(regress_frame(name), 4) & 4 = 4 AS has_checksum
  FROM wasm.modules WHERE name IN ('damaged', 'legacy') ORDER BY name;
SET check_function_bodies = off;
-- one bit of the checksum (the frame's last byte) flipped
SELECT regress_rebody('damaged', set_byte(f, length(f) - 1, get_byte(f, length(f) - 1) # 1))
  FROM regress_frame('damaged') f;
-- the same frame without its checksum: the flag cleared, the 4 bytes dropped
SELECT regress_rebody('legacy', set_byte(substr(f, 1, length(f) - 4), 4, get_byte(f, 4) & ~4))
  FROM regress_frame('legacy') f;
RESET check_function_bodies;
\c
-- (terse: the detail is zstd's own wording)
\set VERBOSITY terse
SELECT damaged_answer();
\set VERBOSITY default
SELECT legacy_answer();
-- with check_function_bodies on, the validator decodes and checks the body
\set VERBOSITY terse
SELECT regress_rebody('damaged', regress_frame('damaged'));
\set VERBOSITY default
-- a SHA-256 that does not match the module (checksum-less frame: at load;
-- any frame: in the validator)
SET check_function_bodies = off;
SELECT regress_rebody('legacy', regress_frame('legacy'), repeat('0', 64));
RESET check_function_bodies;
\c
SELECT legacy_answer();
SELECT wasm.install_module('shabad', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
\set SHOW_CONTEXT never
SELECT regress_rebody('shabad', regress_frame('shabad'), repeat('0', 64));
\set SHOW_CONTEXT errors
SELECT wasm.drop_module('shabad');
-- carriers must be wasm_module."<name>"() with a pgwasm-module header
SET check_function_bodies = off;
CREATE FUNCTION wasm_module.nothing() RETURNS wasm.module LANGUAGE wasm AS 'scalars:answer';
CREATE FUNCTION wasm_module.future() RETURNS wasm.module LANGUAGE wasm
  AS 'pgwasm-module 2 sha256=0000000000000000000000000000000000000000000000000000000000000000 size=8 compressed=17 created=2024-01-01T00:00:00.000000Z
KLUv/SQIQQAAAGFzbQEAAAA=';
RESET check_function_bodies;
CREATE FUNCTION public.not_a_carrier() RETURNS wasm.module LANGUAGE wasm AS 'scalars:answer';
CREATE FUNCTION wasm_module.not_a_carrier(int4) RETURNS wasm.module LANGUAGE wasm AS 'scalars:answer';
DROP FUNCTION damaged_answer(), legacy_answer(), regress_frame(text), regress_rebody(text, bytea, text);
SELECT wasm.drop_module('damaged'), wasm.drop_module('legacy');

-- the extension has no configuration table: modules are dumped as functions
SELECT extconfig FROM pg_extension WHERE extname = 'pgwasm';

SELECT wasm.drop_module('host');
SELECT wasm.drop_module('cguest');
SELECT count(*) AS modules_left FROM wasm.modules;
