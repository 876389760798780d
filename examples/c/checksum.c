/*
 * checksum.c — non-cryptographic checksums over bytea for pgwasm.
 *
 *   CREATE FUNCTION crc32(bytea) RETURNS int8
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'checksum:crc32';
 *   CREATE FUNCTION fnv1a64(bytea) RETURNS int8
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'checksum:fnv1a64';
 *   CREATE FUNCTION adler32(bytea) RETURNS int8
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'checksum:adler32';
 *
 * text and bytea share one ABI shape (pointer, byte length), so the same
 * exports also serve `crc32(text)` overloads: the text is hashed as UTF-8.
 *
 * crc32 is the IEEE 802.3 / zlib / PNG CRC (crc32(b'123456789') = 3421780262)
 * returned as a non-negative int8; fnv1a64 is the 64-bit FNV-1a hash,
 * returned as a signed int8 with the same bits.
 */
#include "pgwasm.h"

static uint32_t crc_table[256];

/*
 * The table is filled once per instance, by the reactor's _initialize (which
 * runs constructors); pgwasm calls _initialize after instantiation.
 */
__attribute__((constructor)) static void
crc_init(void)
{
	uint32_t	n,
				k;

	for (n = 0; n < 256; n++)
	{
		uint32_t	c = n;

		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

PGWASM_EXPORT(crc32)
int64_t
crc32(const uint8_t *p, size_t len)
{
	uint32_t	c = 0xFFFFFFFFu;
	size_t		i;

	for (i = 0; i < len; i++)
		c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
	return (int64_t) (c ^ 0xFFFFFFFFu);
}

PGWASM_EXPORT(fnv1a64)
int64_t
fnv1a64(const uint8_t *p, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ull;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return (int64_t) h;
}

PGWASM_EXPORT(adler32)
int64_t
adler32(const uint8_t *p, size_t len)
{
	uint32_t	a = 1,
				b = 0;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		a = (a + p[i]) % 65521u;
		b = (b + a) % 65521u;
	}
	return (int64_t) ((b << 16) | a);
}
