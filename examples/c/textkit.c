/*
 * textkit.c — text clean-up functions for pgwasm.
 *
 *   CREATE FUNCTION slugify(text) RETURNS text
 *       IMMUTABLE STRICT LANGUAGE wasm AS 'textkit:slugify';
 *   CREATE FUNCTION normalize_email(text) RETURNS text
 *       IMMUTABLE STRICT LANGUAGE wasm AS 'textkit:normalize_email';
 *   CREATE FUNCTION word_count(text) RETURNS int4
 *       IMMUTABLE STRICT LANGUAGE wasm AS 'textkit:word_count';
 *
 * Text arrives as UTF-8 (pgwasm converts from the server encoding), and
 * results must be valid UTF-8: these functions only ever emit ASCII.
 */
#include <strings.h>

#include "pgwasm.h"

/* ---- UTF-8 decoding ---------------------------------------------------- */

/*
 * Decode one code point at s[*i] and advance *i.  Malformed sequences decode
 * as U+FFFD one byte at a time (pgwasm only passes valid UTF-8, but a guest
 * should not trust that blindly).
 */
static uint32_t
utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	uint32_t	cp;
	size_t		n,
				k;

	if (c < 0x80)
	{
		(*i)++;
		return c;
	}
	if ((c & 0xE0) == 0xC0)
	{
		cp = c & 0x1F;
		n = 1;
	}
	else if ((c & 0xF0) == 0xE0)
	{
		cp = c & 0x0F;
		n = 2;
	}
	else if ((c & 0xF8) == 0xF0)
	{
		cp = c & 0x07;
		n = 3;
	}
	else
	{
		(*i)++;
		return 0xFFFD;
	}
	if (*i + n >= len)
	{
		(*i)++;
		return 0xFFFD;
	}
	for (k = 1; k <= n; k++)
	{
		if ((s[*i + k] & 0xC0) != 0x80)
		{
			(*i)++;
			return 0xFFFD;
		}
		cp = (cp << 6) | (s[*i + k] & 0x3F);
	}
	*i += n + 1;
	return cp;
}

/*
 * ASCII transliteration of Latin-1 Supplement and a few Latin Extended-A
 * letters, for slugs.  Returns NULL when there is none.
 */
static const char *
translit(uint32_t cp)
{
	static const char *const latin1[64] = {
		/* U+00C0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
		/* U+00C8 */ "e", "e", "e", "e", "i", "i", "i", "i",
		/* U+00D0 */ "d", "n", "o", "o", "o", "o", "o", NULL,
		/* U+00D8 */ "o", "u", "u", "u", "u", "y", "th", "ss",
		/* U+00E0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
		/* U+00E8 */ "e", "e", "e", "e", "i", "i", "i", "i",
		/* U+00F0 */ "d", "n", "o", "o", "o", "o", "o", NULL,
		/* U+00F8 */ "o", "u", "u", "u", "u", "y", "th", "y",
	};

	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1[cp - 0xC0];
	switch (cp)
	{
		case 0x0152:
		case 0x0153:
			return "oe";
		case 0x0160:
		case 0x0161:
			return "s";
		case 0x017D:
		case 0x017E:
			return "z";
		case 0x0141:
		case 0x0142:
			return "l";
		case 0x010C:
		case 0x010D:
		case 0x0106:
		case 0x0107:
			return "c";
		case 0x0158:
		case 0x0159:
			return "r";
		case 0x011A:
		case 0x011B:
		case 0x0118:
		case 0x0119:
			return "e";
	}
	return NULL;
}

static inline bool
is_ascii_alnum(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static inline char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

/* ---- slugify ---------------------------------------------------------- */

/*
 * "Crème Brûlée: 10 Recipes!" -> "creme-brulee-10-recipes".  Letters and
 * digits are kept (lower-cased, accents removed), every other run of
 * characters becomes one '-', and no '-' leads or trails.
 */
PGWASM_EXPORT(slugify)
int64_t
slugify(const char *ptr, size_t len)
{
	const unsigned char *s = (const unsigned char *) ptr;
	pgwasm_buf	out = PGWASM_BUF_INIT;
	bool		pending_dash = false;
	size_t		i = 0;

	pgwasm_buf_reserve(&out, len);
	while (i < len)
	{
		uint32_t	cp = utf8_next(s, len, &i);
		const char *repl = NULL;
		char		one[2] = {0, 0};

		if (is_ascii_alnum(cp))
		{
			one[0] = ascii_lower((char) cp);
			repl = one;
		}
		else if (cp == '\'' || cp == 0x2019)
			continue;			/* "don't" -> "dont", not "don-t" */
		else
			repl = translit(cp);

		if (repl == NULL)
		{
			pending_dash = out.len > 0;
			continue;
		}
		if (pending_dash)
			pgwasm_buf_putc(&out, '-');
		pending_dash = false;
		pgwasm_buf_append(&out, repl, strlen(repl));
	}
	return pgwasm_buf_return(&out);
}

/* ---- normalize_email -------------------------------------------------- */

static inline bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * Canonical form of an e-mail address for de-duplication:
 *   "  John.Smith+news@GoogleMail.com " -> "johnsmith@gmail.com"
 *   "Alice+x@Example.ORG"               -> "alice@example.org"
 * Surrounding blanks are trimmed and everything is lower-cased; a "+tag"
 * suffix of the local part is removed; for Gmail addresses dots in the local
 * part are removed and googlemail.com becomes gmail.com.  Anything that is
 * not local@domain.tld raises an ERROR.
 */
PGWASM_EXPORT(normalize_email)
int64_t
normalize_email(const char *ptr, size_t len)
{
	const unsigned char *s = (const unsigned char *) ptr;
	size_t		start = 0,
				end = len,
				at = 0,
				n_at = 0,
				i;
	pgwasm_buf	out = PGWASM_BUF_INIT;
	bool		gmail,
				in_tag = false,
				dot_seen = false;
	const char *domain;
	size_t		domain_len;

	while (start < end && is_space(s[start]))
		start++;
	while (end > start && is_space(s[end - 1]))
		end--;

	for (i = start; i < end; i++)
	{
		if (s[i] == '@')
		{
			at = i;
			n_at++;
		}
		else if (s[i] < 0x21 || s[i] >= 0x7F || s[i] == ',' || s[i] == ';' ||
				 s[i] == '<' || s[i] == '>' || s[i] == '"' || s[i] == '\\')
			pgwasm_error("invalid e-mail address: unexpected character");
	}
	if (n_at != 1)
		pgwasm_error("invalid e-mail address: expected exactly one '@'");
	if (at == start)
		pgwasm_error("invalid e-mail address: empty local part");
	if (at + 1 == end)
		pgwasm_error("invalid e-mail address: empty domain");

	domain = (const char *) s + at + 1;
	domain_len = end - at - 1;
	for (i = 0; i < domain_len; i++)
	{
		if (domain[i] == '.')
		{
			if (i == 0 || i + 1 == domain_len || domain[i - 1] == '.')
				pgwasm_error("invalid e-mail address: malformed domain");
			dot_seen = true;
		}
	}
	if (!dot_seen)
		pgwasm_error("invalid e-mail address: domain has no '.'");

	gmail = (domain_len == 9 && strncasecmp(domain, "gmail.com", 9) == 0) ||
		(domain_len == 14 && strncasecmp(domain, "googlemail.com", 14) == 0);

	pgwasm_buf_reserve(&out, end - start);
	for (i = start; i < at; i++)
	{
		char		c = ascii_lower((char) s[i]);

		if (c == '+')
			in_tag = true;
		if (in_tag || (gmail && c == '.'))
			continue;
		pgwasm_buf_putc(&out, c);
	}
	if (out.len == 0)
		pgwasm_error("invalid e-mail address: empty local part");
	pgwasm_buf_putc(&out, '@');
	if (gmail)
		pgwasm_buf_append(&out, "gmail.com", 9);
	else
		for (i = 0; i < domain_len; i++)
			pgwasm_buf_putc(&out, ascii_lower(domain[i]));
	return pgwasm_buf_return(&out);
}

/* ---- word_count ------------------------------------------------------- */

/*
 * Number of words: maximal runs of letters, digits, non-ASCII characters and
 * inner apostrophes/hyphens ("don't", "well-known" count once).
 */
PGWASM_EXPORT(word_count)
int32_t
word_count(const char *ptr, size_t len)
{
	const unsigned char *s = (const unsigned char *) ptr;
	int32_t		words = 0;
	bool		in_word = false;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = s[i];
		bool		wordch = is_ascii_alnum(c) || c >= 0x80 || c == '_';

		if (!wordch && in_word && (c == '\'' || c == '-') &&
			i + 1 < len && (is_ascii_alnum(s[i + 1]) || s[i + 1] >= 0x80))
			continue;			/* joiner inside a word */
		if (wordch && !in_word)
			words++;
		in_word = wordch;
	}
	return words;
}
