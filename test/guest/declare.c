/*
 * declare.c — guest of sql/declare.sql: a module that declares its own
 * functions (PGWASM_SQL: the custom section "pgwasm_functions"), for
 * wasm.create_functions and wasm.install_module(..., create_functions).
 */
#include "../../examples/c/pgwasm.h"

PGWASM_SQL("d_add(a int4, b int4) RETURNS int4 STRICT IMMUTABLE PARALLEL SAFE AS 'add'");
PGWASM_SQL("# comments and blank lines are skipped");
PGWASM_SQL("");
PGWASM_SQL("d_greet(name text) RETURNS text STRICT");
PGWASM_SQL("d_words(line text) RETURNS SETOF text STRICT ROWS 5 AS 'words'");
PGWASM_SQL("d_stamp() RETURNS trigger AS 'stamp'");

PGWASM_EXPORT(add) int32_t
add(int32_t a, int32_t b)
{
	return a + b;
}

PGWASM_EXPORT(d_greet) int64_t
d_greet(const char *p, size_t n)
{
	pgwasm_buf	b = PGWASM_BUF_INIT;

	pgwasm_buf_append(&b, "hello, ", 7);
	pgwasm_buf_append(&b, p, n);
	return pgwasm_buf_return(&b);
}

/* SETOF text: space-separated words */
typedef struct row_str
{
	uint8_t		tag;
	pgwasm_str	value;
} row_str;

static char *words_text;
static size_t words_len,
			words_pos;

PGWASM_EXPORT(words) int32_t
words(const char *p, size_t n)
{
	free(words_text);
	words_text = pgwasm_alloc(n);
	memcpy(words_text, p, n);
	words_len = n;
	words_pos = 0;
	return 1;
}

PGWASM_EXPORT(words_next) row_str *
words_next(int32_t h)
{
	static row_str r;
	size_t		start;

	(void) h;
	while (words_pos < words_len && words_text[words_pos] == ' ')
		words_pos++;
	if (words_pos >= words_len)
	{
		r.tag = 0;
		return &r;
	}
	start = words_pos;
	while (words_pos < words_len && words_text[words_pos] != ' ')
		words_pos++;
	r.tag = 1;
	r.value.ptr = pgwasm_alloc(words_pos - start);
	memcpy((char *) r.value.ptr, words_text + start, words_pos - start);
	r.value.len = words_pos - start;
	return &r;
}

/* BEFORE INSERT on (id int4, note text): note := 'stamped' */
typedef struct note_row
{
	PGWASM_OPTION(int32_t) id;
	pgwasm_opt_str note;
} note_row;
typedef PGWASM_OPTION(note_row) opt_note;
typedef struct note_call
{
	pgwasm_trigger_event ev;
	opt_note	old,
				new_;
} note_call;

PGWASM_EXPORT(stamp) opt_note *
stamp(const note_call *c)
{
	static opt_note r;

	r.is_some = PGWASM_TG_MODIFIED;
	r.value = c->new_.value;
	r.value.note.is_some = 1;
	r.value.note.value.ptr = pgwasm_alloc(7);
	memcpy((char *) r.value.note.value.ptr, "stamped", 7);
	r.value.note.value.len = 7;
	return &r;
}
