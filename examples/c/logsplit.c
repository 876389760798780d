/*
 * logsplit.c — set-returning functions, a trigger, and functions declared
 * by the module itself (docs/tutorials/sets.md walks through it).
 *
 *   csv_fields(line text) RETURNS SETOF text
 *       the fields of one CSV line ("a,""quoted"",b" -> a / "quoted" / b)
 *   parse_log(log text) RETURNS TABLE(line_no int4, level text, message text)
 *       one row per non-empty line "LEVEL message"
 *   logs_normalize() RETURNS trigger
 *       BEFORE INSERT OR UPDATE on a table (level text, message text):
 *       upper-cases the level, drops DEBUG rows
 *
 * A set comes from a cursor: the export opens it and returns a handle,
 * <export>_next(handle) returns the next row ({tag, value}: tag 1 a row,
 * 0 the end), <export>_close(handle) frees it (called once per cursor, also
 * when a LIMIT stops the query early).  parse_log malloc's every string of
 * a row, which pgwasm frees after reading it; csv_fields instead reuses one
 * buffer per cursor and exports cabi_post_csv_fields_next, which pgwasm
 * calls after reading each row instead of freeing anything (one guest call
 * and a malloc/free pair fewer per row).
 */
#include "pgwasm.h"

PGWASM_SQL("csv_fields(line text) RETURNS SETOF text STRICT IMMUTABLE");
PGWASM_SQL("parse_log(log text) RETURNS TABLE(line_no int4, level text, message text) STRICT IMMUTABLE");
PGWASM_SQL("logs_normalize() RETURNS trigger");

/* ---- cursors ------------------------------------------------------------ */

typedef struct cursor
{
	char	   *text;			/* a copy of the argument */
	size_t		len;
	size_t		pos;
	int32_t		line_no;
	int			done;
	pgwasm_buf	field;			/* csv_fields: the current field, reused */
} cursor;

#define MAX_CURSORS 16
static cursor *cursors[MAX_CURSORS];

static int32_t
cursor_open(const char *s, size_t len)
{
	for (int32_t h = 0; h < MAX_CURSORS; h++)
	{
		if (cursors[h] == NULL)
		{
			cursor	   *c = pgwasm_alloc(sizeof(cursor));

			c->text = pgwasm_alloc(len);
			memcpy(c->text, s, len);
			c->len = len;
			c->pos = 0;
			c->line_no = 0;
			c->done = 0;
			c->field = PGWASM_BUF_INIT;
			cursors[h] = c;
			return h;
		}
	}
	pgwasm_error_sqlstate("53000", "logsplit: too many open cursors");
}

static void
cursor_close(int32_t h)
{
	if (h >= 0 && h < MAX_CURSORS && cursors[h] != NULL)
	{
		free(cursors[h]->text);
		free(cursors[h]->field.data);
		free(cursors[h]);
		cursors[h] = NULL;
	}
}

static char *
copy(const char *s, size_t n)
{
	char	   *p = pgwasm_alloc(n);

	memcpy(p, s, n);
	return p;
}

/* ---- csv_fields(line text) RETURNS SETOF text ------------------------- */

typedef struct text_row
{
	uint8_t		tag;			/* 1: a row, 0: the end */
	pgwasm_str	value;
} text_row;

PGWASM_EXPORT(csv_fields)
int32_t csv_fields(const char *line, size_t len)
{
	return cursor_open(line, len);
}

PGWASM_EXPORT(csv_fields_next)
text_row *csv_fields_next(int32_t h)
{
	static text_row row;
	cursor	   *c = cursors[h];
	pgwasm_buf *field = &c->field;
	int			quoted = 0;

	if (c->done)
	{
		row.tag = 0;
		return &row;
	}
	field->len = 0;
	for (; c->pos < c->len; c->pos++)
	{
		char		ch = c->text[c->pos];

		if (quoted)
		{
			if (ch == '"' && c->pos + 1 < c->len && c->text[c->pos + 1] == '"')
				pgwasm_buf_putc(field, c->text[c->pos++]);	/* "" is one " */
			else if (ch == '"')
				quoted = 0;
			else
				pgwasm_buf_putc(field, ch);
		}
		else if (ch == '"')
			quoted = 1;
		else if (ch == ',')
			break;
		else
			pgwasm_buf_putc(field, ch);
	}
	if (c->pos >= c->len)
		c->done = 1;			/* the last field */
	c->pos++;
	if (field->data == NULL)
		pgwasm_buf_reserve(field, 1);
	row.tag = 1;
	row.value.len = field->len;
	row.value.ptr = field->data;	/* ours: reused for the next row */
	return &row;
}

/* After each row: the field buffer stays the cursor's, nothing to free. */
PGWASM_EXPORT(cabi_post_csv_fields_next)
void cabi_post_csv_fields_next(int32_t row)
{
	(void) row;
}

PGWASM_EXPORT(csv_fields_close)
void csv_fields_close(int32_t h)
{
	cursor_close(h);
}

/* ---- parse_log(log text) RETURNS TABLE(line_no, level, message) -------- */

typedef struct log_row
{
	uint8_t		tag;
	struct
	{
		int32_t		line_no;	/* record {line_no: s32, level: string, message: string} */
		pgwasm_str	level;
		pgwasm_str	message;
	}			value;
} log_row;

PGWASM_EXPORT(parse_log)
int32_t parse_log(const char *log, size_t len)
{
	return cursor_open(log, len);
}

PGWASM_EXPORT(parse_log_next)
log_row *parse_log_next(int32_t h)
{
	static log_row row;
	cursor	   *c = cursors[h];

	while (c->pos < c->len)
	{
		size_t		start = c->pos,
					end,
					sp;

		while (c->pos < c->len && c->text[c->pos] != '\n')
			c->pos++;
		end = c->pos++;
		c->line_no++;
		if (end > start && c->text[end - 1] == '\r')
			end--;
		if (end == start)
			continue;			/* blank lines make no row */
		sp = start;
		while (sp < end && c->text[sp] != ' ')
			sp++;
		row.tag = 1;
		row.value.line_no = c->line_no;
		row.value.level.ptr = copy(c->text + start, sp - start);
		row.value.level.len = sp - start;
		if (sp < end)
			sp++;
		row.value.message.ptr = copy(c->text + sp, end - sp);
		row.value.message.len = end - sp;
		return &row;
	}
	row.tag = 0;
	return &row;
}

PGWASM_EXPORT(parse_log_close)
void parse_log_close(int32_t h)
{
	cursor_close(h);
}

/* ---- logs_normalize() RETURNS trigger ---------------------------------- */

/* The row of a table (level text, message text): every column an option. */
typedef struct log_entry
{
	pgwasm_opt_str level;
	pgwasm_opt_str message;
} log_entry;

typedef PGWASM_OPTION(log_entry) opt_entry;

typedef struct trigger_call
{
	pgwasm_trigger_event event;
	opt_entry	old;
	opt_entry	new_;
} trigger_call;

PGWASM_EXPORT(logs_normalize)
opt_entry *logs_normalize(const trigger_call *call)
{
	static opt_entry result;
	const log_entry *in = &call->new_.value;
	char	   *level;

	result.is_some = PGWASM_TG_UNCHANGED;
	if (!call->new_.is_some || !in->level.is_some)
		return &result;
	level = copy(in->level.value.ptr, in->level.value.len);
	for (size_t i = 0; i < in->level.value.len; i++)
	{
		if (level[i] >= 'a' && level[i] <= 'z')
			level[i] -= 'a' - 'A';
	}
	if (in->level.value.len == 5 && memcmp(level, "DEBUG", 5) == 0)
	{
		free(level);
		result.is_some = PGWASM_TG_SKIP;	/* not stored */
		return &result;
	}
	result.is_some = PGWASM_TG_MODIFIED;
	result.value = *in;			/* the message as it came */
	result.value.level.value.ptr = level;
	return &result;
}
