--
-- install.sql — the module catalog: wasm.install_module, replace, bad bytes,
-- import checks, size limit, names, introspection, drop, rollback.
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
-- stored zstd-compressed: a zstd frame starts with 28 b5 2f fd
SELECT substr(compressed, 1, 4) AS zstd_magic FROM wasm.module_store WHERE name = 'scalars';

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
-- one (as written before checksums) is checked against the recorded SHA-256
SELECT wasm.install_module('damaged', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
SELECT wasm.install_module('legacy', pg_read_binary_file(:'scalars')) IS NOT NULL AS installed;
CREATE FUNCTION damaged_answer() RETURNS int4 LANGUAGE wasm AS 'damaged:answer';
CREATE FUNCTION legacy_answer() RETURNS int4 LANGUAGE wasm AS 'legacy:answer';
SELECT name, get_byte(compressed, 4) & 4 = 4 AS has_checksum
FROM wasm.module_store WHERE name IN ('damaged', 'legacy') ORDER BY name;
-- one bit of the checksum (the frame's last byte) flipped
UPDATE wasm.module_store
SET compressed = set_byte(compressed, length(compressed) - 1, get_byte(compressed, length(compressed) - 1) # 1)
WHERE name = 'damaged';
-- the same frame without its checksum: the flag cleared, the 4 bytes dropped
UPDATE wasm.module_store
SET compressed = set_byte(substr(compressed, 1, length(compressed) - 4), 4, get_byte(compressed, 4) & ~4)
WHERE name = 'legacy';
\c
-- (terse: the detail is zstd's own wording)
\set VERBOSITY terse
SELECT damaged_answer();
\set VERBOSITY default
SELECT legacy_answer();
-- a recorded SHA-256 that does not match a checksum-less frame
UPDATE wasm.module_store SET sha256 = set_byte(sha256, 0, get_byte(sha256, 0) # 1) WHERE name = 'legacy';
\c
SELECT legacy_answer();
DROP FUNCTION damaged_answer(), legacy_answer();
SELECT wasm.drop_module('damaged'), wasm.drop_module('legacy');

-- the catalog is dumped with the extension
SELECT extconfig::regclass[] FROM pg_extension WHERE extname = 'pgwasm';

SELECT wasm.drop_module('host');
SELECT wasm.drop_module('cguest');
SELECT count(*) AS modules_left FROM wasm.modules;
