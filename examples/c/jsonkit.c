/*
 * jsonkit.c — JSON field extraction for pgwasm, with a small hand-written
 * JSON scanner that trusts nothing about its input.
 *
 *   CREATE FUNCTION json_get(jsonb, text) RETURNS text
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'jsonkit:json_get';
 *   CREATE FUNCTION json_get(text, text) RETURNS text
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'jsonkit:json_get';
 *   CREATE FUNCTION json_has(jsonb, text) RETURNS bool
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'jsonkit:json_has';
 *   CREATE FUNCTION json_valid(text) RETURNS bool
 *       IMMUTABLE STRICT PARALLEL SAFE LANGUAGE wasm AS 'jsonkit:json_valid';
 *
 * json_get(doc, 'a.b.0.c') follows a path of object keys and array indexes
 * (0-based; a negative index counts from the end, -1 is the last element)
 * and returns the value found there as text: a string unquoted, with its
 * escapes decoded to UTF-8, anything else (number, true, false, null, object,
 * array) as its JSON text.  In a path, '\' makes the next character literal,
 * so 'a\.b' is the single key "a.b"; the empty path is the whole document.
 * When a key repeats in an object, the last one counts, as in jsonb.
 *
 * A jsonb argument arrives as its JSON text (ABI v1), so one export serves
 * jsonb, json and text arguments alike.  Text may be anything, so every
 * document is checked in full before it is used: malformed or truncated JSON
 * is an ERROR with SQLSTATE 22P02 (invalid_text_representation) naming the
 * byte offset; a string holding \u0000, which text cannot hold, is 22P05
 * (untranslatable_character), as in PostgreSQL's own ->> operator.
 *
 * ABI v1 cannot return NULL, so a path that leads nowhere (a missing key, an
 * index past the end, a step into a number) is an ERROR with SQLSTATE 2203A
 * (sql_json_member_not_found).  json_has(doc, path) tests for it first:
 * CASE WHEN json_has(d, p) THEN json_get(d, p) END.  json_valid(text) says
 * whether text is one well-formed JSON value (RFC 8259, with \u escapes of
 * surrogates properly paired); it never raises an error.
 *
 * Nothing recurses: nesting is tracked in a bit stack of one bit per level,
 * so a million '[' cost 125 kB and no call stack, and every read is checked
 * against the input length.
 */
#include "pgwasm.h"

/* ---- error reporting -------------------------------------------------- */

static void
buf_puts(pgwasm_buf *b, const char *s)
{
	pgwasm_buf_append(b, s, strlen(s));
}

static void
buf_putu(pgwasm_buf *b, size_t v)
{
	char		digits[24];
	int			n = 0;

	do
		digits[n++] = (char) ('0' + v % 10);
	while ((v /= 10) > 0);
	while (n > 0)
		pgwasm_buf_putc(b, digits[--n]);
}

/* Raise an ERROR whose message is the buffer's content. */
__attribute__((noreturn)) static void
raise_msg(const char *sqlstate, pgwasm_buf *msg)
{
	pgwasm_error_sqlstate_raw(sqlstate, msg->data, msg->len);
}

/* ---- the scanner ------------------------------------------------------ */

typedef struct scan
{
	const uint8_t *s;
	size_t		len;
	size_t		pos;
	const char *err;			/* why the document is malformed, or NULL */
} scan;

static inline bool
at_end(const scan *sc)
{
	return sc->pos >= sc->len;
}

static inline void
skip_ws(scan *sc)
{
	while (sc->pos < sc->len)
	{
		uint8_t		c = sc->s[sc->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		sc->pos++;
	}
}

static bool
fail(scan *sc, const char *why)
{
	sc->err = why;
	return false;
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s[pos..pos+4), or -1. */
static long
hex4(const scan *sc, size_t pos)
{
	long		v = 0;
	size_t		i;

	if (pos > sc->len || sc->len - pos < 4)
		return -1;
	for (i = 0; i < 4; i++)
	{
		int			d = hexval(sc->s[pos + i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void
put_utf8(pgwasm_buf *out, uint32_t cp)
{
	if (cp < 0x80)
		pgwasm_buf_putc(out, (char) cp);
	else if (cp < 0x800)
	{
		pgwasm_buf_putc(out, (char) (0xC0 | (cp >> 6)));
		pgwasm_buf_putc(out, (char) (0x80 | (cp & 0x3F)));
	}
	else if (cp < 0x10000)
	{
		pgwasm_buf_putc(out, (char) (0xE0 | (cp >> 12)));
		pgwasm_buf_putc(out, (char) (0x80 | ((cp >> 6) & 0x3F)));
		pgwasm_buf_putc(out, (char) (0x80 | (cp & 0x3F)));
	}
	else
	{
		pgwasm_buf_putc(out, (char) (0xF0 | (cp >> 18)));
		pgwasm_buf_putc(out, (char) (0x80 | ((cp >> 12) & 0x3F)));
		pgwasm_buf_putc(out, (char) (0x80 | ((cp >> 6) & 0x3F)));
		pgwasm_buf_putc(out, (char) (0x80 | (cp & 0x3F)));
	}
}

/*
 * Length of the well-formed UTF-8 sequence at s[pos] (a non-ASCII lead
 * byte), or 0: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
static size_t
utf8_seq(const scan *sc, size_t pos)
{
	const uint8_t *s = sc->s + pos;
	size_t		avail = sc->len - pos;
	uint8_t		c = s[0];
	uint8_t		lo = 0x80,
				hi = 0xBF;
	size_t		n,
				i;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;			/* overlong */
		else if (c == 0xED)
			hi = 0x9F;			/* surrogates */
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	else
		return 0;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

/*
 * Scan the string starting at the '"' at sc->pos and leave sc->pos after its
 * closing quote.  With out, append the decoded value; with no_nul, \u0000 is
 * refused (text cannot hold it).  Returns false with sc->err set when the
 * string is malformed.
 */
static bool
scan_string(scan *sc, pgwasm_buf *out, bool no_nul)
{
	sc->pos++;					/* the opening quote */
	for (;;)
	{
		size_t		start = sc->pos;
		uint8_t		c;

		/* a run of plain characters is copied in one go */
		while (sc->pos < sc->len)
		{
			c = sc->s[sc->pos];
			if (c == '"' || c == '\\' || c < 0x20)
				break;
			if (c < 0x80)
				sc->pos++;
			else
			{
				size_t		n = utf8_seq(sc, sc->pos);

				if (n == 0)
					return fail(sc, "invalid UTF-8 in a string");
				sc->pos += n;
			}
		}
		if (out && sc->pos > start)
			pgwasm_buf_append(out, sc->s + start, sc->pos - start);
		if (at_end(sc))
			return fail(sc, "unterminated string");
		c = sc->s[sc->pos];
		if (c == '"')
		{
			sc->pos++;
			return true;
		}
		if (c < 0x20)
			return fail(sc, "control character in a string (escape it)");

		/* an escape; errors point at its backslash */
		start = sc->pos++;
		if (at_end(sc))
			return fail(sc, "unterminated string");
		c = sc->s[sc->pos++];
		if (c == 'u')
		{
			long		cp = hex4(sc, sc->pos);

			sc->pos = start;
			if (cp < 0)
				return fail(sc, "\\u must be followed by four hex digits");
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail(sc, "unpaired Unicode low surrogate");
			if (cp >= 0xD800 && cp <= 0xDBFF)
			{
				long		low;

				if (sc->len - start < 12 || sc->s[start + 6] != '\\' || sc->s[start + 7] != 'u' ||
					(low = hex4(sc, start + 8)) < 0xDC00 || low > 0xDFFF)
					return fail(sc, "Unicode high surrogate not followed by a low surrogate");
				sc->pos += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
			}
			if (cp == 0 && no_nul)
			{
				pgwasm_buf	msg = PGWASM_BUF_INIT;

				buf_puts(&msg, "json_get: \\u0000 cannot be converted to text (at byte ");
				buf_putu(&msg, start);
				buf_puts(&msg, ")");
				raise_msg("22P05", &msg);
			}
			sc->pos += 6;
			if (out)
				put_utf8(out, (uint32_t) cp);
			continue;
		}
		switch (c)
		{
			case '"':
			case '\\':
			case '/':
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			default:
				sc->pos = start;
				return fail(sc, "invalid escape sequence");
		}
		if (out)
			pgwasm_buf_putc(out, (char) c);
	}
}

static inline bool
is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
scan_number(scan *sc)
{
	if (sc->s[sc->pos] == '-')
		sc->pos++;
	if (at_end(sc) || !is_digit(sc->s[sc->pos]))
		return fail(sc, "invalid number");
	if (sc->s[sc->pos] == '0')
		sc->pos++;
	else
		while (!at_end(sc) && is_digit(sc->s[sc->pos]))
			sc->pos++;
	if (!at_end(sc) && sc->s[sc->pos] == '.')
	{
		sc->pos++;
		if (at_end(sc) || !is_digit(sc->s[sc->pos]))
			return fail(sc, "invalid number: digits must follow '.'");
		while (!at_end(sc) && is_digit(sc->s[sc->pos]))
			sc->pos++;
	}
	if (!at_end(sc) && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E'))
	{
		sc->pos++;
		if (!at_end(sc) && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
			sc->pos++;
		if (at_end(sc) || !is_digit(sc->s[sc->pos]))
			return fail(sc, "invalid number: digits must follow the exponent");
		while (!at_end(sc) && is_digit(sc->s[sc->pos]))
			sc->pos++;
	}
	return true;
}

static bool
scan_literal(scan *sc, const char *word)
{
	size_t		n = strlen(word);

	if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0)
		return fail(sc, "invalid token");
	sc->pos += n;
	return true;
}

/* A member's key and the ':' after it; sc->pos is at the key. */
static bool
scan_key(scan *sc)
{
	if (at_end(sc))
		return fail(sc, "unexpected end of input");
	if (sc->s[sc->pos] != '"')
		return fail(sc, "expected a string as object key");
	if (!scan_string(sc, NULL, false))
		return false;
	skip_ws(sc);
	if (at_end(sc))
		return fail(sc, "unexpected end of input");
	if (sc->s[sc->pos] != ':')
		return fail(sc, "expected ':' after an object key");
	sc->pos++;
	return true;
}

/*
 * Check that the whole input is exactly one JSON value, with optional
 * surrounding whitespace.  Iterative: the kind of each open container is one
 * bit of a stack (1 = object) that grows as needed.
 */
static bool
validate(scan *sc)
{
	uint8_t		fixed[64];
	uint8_t    *stack = fixed;
	size_t		cap = sizeof(fixed) * 8,
				depth = 0;
	bool		want_value = true,
				ok = false;

#define TOP_IS_OBJECT() ((stack[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1)

	sc->pos = 0;
	sc->err = NULL;
	for (;;)
	{
		skip_ws(sc);
		if (want_value)
		{
			uint8_t		c;

			if (at_end(sc))
			{
				fail(sc, "unexpected end of input");
				break;
			}
			c = sc->s[sc->pos];
			if (c == '{' || c == '[')
			{
				sc->pos++;
				skip_ws(sc);
				if (!at_end(sc) && sc->s[sc->pos] == (c == '{' ? '}' : ']'))
				{
					sc->pos++;	/* empty container */
					want_value = false;
					continue;
				}
				if (depth == cap)
				{
					uint8_t    *bigger = (uint8_t *) pgwasm_alloc(cap / 4);

					memcpy(bigger, stack, cap / 8);
					if (stack != fixed)
						free(stack);
					stack = bigger;
					cap *= 2;
				}
				if (c == '{')
					stack[depth / 8] |= (uint8_t) (1u << (depth % 8));
				else
					stack[depth / 8] &= (uint8_t) ~(1u << (depth % 8));
				depth++;
				if (c == '{' && !scan_key(sc))
					break;
				continue;		/* want_value stays true */
			}
			if (c == '"')
			{
				if (!scan_string(sc, NULL, false))
					break;
			}
			else if (c == '-' || is_digit(c))
			{
				if (!scan_number(sc))
					break;
			}
			else if (c == 't' || c == 'f' || c == 'n')
			{
				if (!scan_literal(sc, c == 't' ? "true" : c == 'f' ? "false" : "null"))
					break;
			}
			else
			{
				fail(sc, "unexpected character");
				break;
			}
			want_value = false;
			continue;
		}

		/* after a value */
		if (depth == 0)
		{
			if (at_end(sc))
				ok = true;
			else
				fail(sc, "unexpected data after the JSON value");
			break;
		}
		if (at_end(sc))
		{
			fail(sc, "unexpected end of input");
			break;
		}
		if (sc->s[sc->pos] == ',')
		{
			sc->pos++;
			want_value = true;
			if (TOP_IS_OBJECT())
			{
				skip_ws(sc);
				if (!scan_key(sc))
					break;
			}
		}
		else if (sc->s[sc->pos] == (TOP_IS_OBJECT() ? '}' : ']'))
		{
			sc->pos++;
			depth--;
		}
		else
		{
			fail(sc, TOP_IS_OBJECT() ? "expected ',' or '}'" : "expected ',' or ']'");
			break;
		}
	}
#undef TOP_IS_OBJECT
	if (stack != fixed)
		free(stack);
	return ok;
}

/* Validate, or raise 22P02 saying where and why the JSON is malformed. */
static void
validate_or_raise(scan *sc, const char *fn)
{
	pgwasm_buf	msg = PGWASM_BUF_INIT;

	if (validate(sc))
		return;
	buf_puts(&msg, fn);
	buf_puts(&msg, ": invalid JSON at byte ");
	buf_putu(&msg, sc->pos);
	buf_puts(&msg, ": ");
	buf_puts(&msg, sc->err);
	raise_msg("22P02", &msg);
}

/*
 * Skip the value at sc->pos in a document already validated: containers by
 * counting brackets outside strings, so no stack is needed.
 */
static void
skip_value(scan *sc)
{
	size_t		depth = 0;

	do
	{
		uint8_t		c;

		skip_ws(sc);
		c = sc->s[sc->pos];
		if (c == '"')
			(void) scan_string(sc, NULL, false);
		else if (c == '{' || c == '[')
		{
			depth++;
			sc->pos++;
		}
		else if (c == '}' || c == ']')
		{
			depth--;
			sc->pos++;
		}
		else
		{
			/* scalar, ',' or ':' */
			if (c == ',' || c == ':')
				sc->pos++;
			else
				while (!at_end(sc) && !strchr(",:]} \t\r\n", sc->s[sc->pos]))
					sc->pos++;
		}
	} while (depth > 0);
}

/* ---- paths ------------------------------------------------------------ */

/*
 * The next path element from path[*pos..len) into seg, '\' escaping the next
 * character.  *pos ends after the '.' separator; returns whether there was
 * one, i.e. whether another element (maybe empty) follows.
 */
static bool
next_segment(const char *path, size_t len, size_t *pos, pgwasm_buf *seg)
{
	seg->len = 0;
	while (*pos < len && path[*pos] != '.')
	{
		if (path[*pos] == '\\' && *pos + 1 < len)
			(*pos)++;
		pgwasm_buf_putc(seg, path[(*pos)++]);
	}
	if (*pos < len)
	{
		(*pos)++;
		return true;
	}
	return false;
}

/*
 * An array index: optional '-', then decimal digits (leading zeros allowed);
 * false if the element is not one.
 */
static bool
parse_index(const pgwasm_buf *seg, bool *negative, size_t *index)
{
	size_t		i = 0,
				v = 0;

	*negative = seg->len > 0 && seg->data[0] == '-';
	if (*negative)
		i++;
	if (i == seg->len)
		return false;
	for (; i < seg->len; i++)
	{
		if (!is_digit((uint8_t) seg->data[i]))
			return false;
		if (v > (SIZE_MAX - 9) / 10)
			v = SIZE_MAX;		/* saturate: no array is that long */
		else
			v = v * 10 + (size_t) (seg->data[i] - '0');
	}
	*index = v;
	return true;
}

static const char *
kind_name(uint8_t c)
{
	switch (c)
	{
		case '"':
			return "a string";
		case 't':
		case 'f':
			return "a boolean";
		case 'n':
			return "null";
		default:
			return "a number";
	}
}

/*
 * Walk the path through a validated document.  On success sc->pos is at the
 * value (whitespace skipped) and NULL is returned; otherwise a message saying
 * why the path leads nowhere.
 */
static pgwasm_buf *
walk(scan *sc, const char *path, size_t plen)
{
	pgwasm_buf	seg = PGWASM_BUF_INIT,
				key = PGWASM_BUF_INIT;
	pgwasm_buf *why = NULL;
	size_t		ppos = 0;
	bool		more = plen > 0;

	sc->pos = 0;
	skip_ws(sc);
	while (more && why == NULL)
	{
		size_t		seg_start = ppos,
					found = SIZE_MAX;
		uint8_t		c = sc->s[sc->pos];

		more = next_segment(path, plen, &ppos, &seg);

		if (c == '{')
		{
			sc->pos++;
			skip_ws(sc);
			while (sc->s[sc->pos] != '}')
			{
				key.len = 0;
				(void) scan_string(sc, &key, false);
				skip_ws(sc);
				sc->pos++;		/* ':' */
				skip_ws(sc);
				if (key.len == seg.len && (seg.len == 0 || memcmp(key.data, seg.data, seg.len) == 0))
					found = sc->pos;	/* keep looking: the last one wins */
				skip_value(sc);
				skip_ws(sc);
				if (sc->s[sc->pos] == ',')
				{
					sc->pos++;
					skip_ws(sc);
				}
			}
		}
		else if (c == '[')
		{
			bool		negative;
			size_t		index,
						count = 0;

			if (parse_index(&seg, &negative, &index))
			{
				size_t		open = sc->pos;

				if (negative)
				{
					/* count the elements first */
					sc->pos++;
					skip_ws(sc);
					while (sc->s[sc->pos] != ']')
					{
						skip_value(sc);
						count++;
						skip_ws(sc);
						if (sc->s[sc->pos] == ',')
							sc->pos++;
						skip_ws(sc);
					}
					index = index <= count && index > 0 ? count - index : SIZE_MAX;
					sc->pos = open;
				}
				sc->pos++;
				skip_ws(sc);
				for (count = 0; sc->s[sc->pos] != ']'; count++)
				{
					if (count == index)
					{
						found = sc->pos;
						break;
					}
					skip_value(sc);
					skip_ws(sc);
					if (sc->s[sc->pos] == ',')
						sc->pos++;
					skip_ws(sc);
				}
			}
		}

		if (found != SIZE_MAX)
		{
			sc->pos = found;
			continue;
		}
		why = (pgwasm_buf *) pgwasm_alloc(sizeof(pgwasm_buf));
		*why = PGWASM_BUF_INIT;
		if (c == '{')
		{
			buf_puts(why, "no key \"");
			pgwasm_buf_append(why, seg.data, seg.len);
			buf_puts(why, "\"");
		}
		else if (c == '[')
		{
			buf_puts(why, "no array element \"");
			pgwasm_buf_append(why, seg.data, seg.len);
			buf_puts(why, "\"");
		}
		else
		{
			buf_puts(why, "cannot step into ");
			buf_puts(why, kind_name(c));
			buf_puts(why, " with \"");
			pgwasm_buf_append(why, seg.data, seg.len);
			buf_puts(why, "\"");
		}
		if (seg_start > 0)
		{
			buf_puts(why, " at \"");
			pgwasm_buf_append(why, path, seg_start - 1);
			buf_puts(why, "\"");
		}
	}
	free(seg.data);
	free(key.data);
	return why;
}

/* ---- exported functions ----------------------------------------------- */

PGWASM_EXPORT(json_get)
int64_t
json_get(const char *doc, size_t len, const char *path, size_t plen)
{
	scan		sc = {(const uint8_t *) doc, len, 0, NULL};
	pgwasm_buf *why;
	pgwasm_buf	out = PGWASM_BUF_INIT;
	size_t		start;

	validate_or_raise(&sc, "json_get");
	why = walk(&sc, path, plen);
	if (why != NULL)
	{
		pgwasm_buf	msg = PGWASM_BUF_INIT;

		buf_puts(&msg, "json_get: path \"");
		pgwasm_buf_append(&msg, path, plen);
		buf_puts(&msg, "\" not found: ");
		pgwasm_buf_append(&msg, why->data, why->len);
		raise_msg("2203A", &msg);
	}
	if (sc.s[sc.pos] == '"')
	{
		(void) scan_string(&sc, &out, true);
		return pgwasm_buf_return(&out);
	}
	start = sc.pos;
	skip_value(&sc);
	return pgwasm_return_copy(doc + start, sc.pos - start);
}

PGWASM_EXPORT(json_has)
int32_t
json_has(const char *doc, size_t len, const char *path, size_t plen)
{
	scan		sc = {(const uint8_t *) doc, len, 0, NULL};
	pgwasm_buf *why;

	validate_or_raise(&sc, "json_has");
	why = walk(&sc, path, plen);
	if (why == NULL)
		return 1;
	free(why->data);
	free(why);
	return 0;
}

PGWASM_EXPORT(json_valid)
int32_t
json_valid(const char *doc, size_t len)
{
	scan		sc = {(const uint8_t *) doc, len, 0, NULL};

	return validate(&sc);
}
