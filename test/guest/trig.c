/*
 * trig.c — guest of sql/triggers.sql.  A trigger export takes a pointer to
 * the trigger call { event, old: option<row>, new: option<row> } and
 * returns a pointer to { skip, unchanged, row(row) }, row being the table's
 * row as a record of options.  For the table
 *
 *   tr_items (id int4, name text, price numeric, tags text[])
 *
 * the row is item_row below.  log_event works for any table: it reads only
 * the event, which comes first.
 */
#include "../../examples/c/pgwasm.h"

typedef struct list_t
{
	const void *ptr;
	size_t		n;
} list_t;

typedef struct event_t
{
	uint8_t		op;				/* 0 INSERT, 1 UPDATE, 2 DELETE, 3 TRUNCATE */
	uint8_t		timing;			/* 0 BEFORE, 1 AFTER, 2 INSTEAD OF */
	uint8_t		level;			/* 0 ROW, 1 STATEMENT */
	pgwasm_str	table_name;
	pgwasm_str	table_schema;
	list_t		args;			/* of pgwasm_str */
} event_t;

typedef struct item_row
{
	PGWASM_OPTION(int32_t) id;
	pgwasm_opt_str name;
	pgwasm_opt_str price;		/* numeric, as text */
	PGWASM_OPTION(list_t) tags; /* of PGWASM_OPTION(pgwasm_str) */
} item_row;

typedef PGWASM_OPTION(item_row) opt_item;

typedef struct item_call
{
	event_t		ev;
	opt_item	old,
				new_;
} item_call;

_Static_assert(sizeof(event_t) == 28, "event layout");
_Static_assert(sizeof(item_row) == 44, "row layout");
_Static_assert(__builtin_offsetof(item_call, old) == 28, "old");
_Static_assert(__builtin_offsetof(item_call, new_) == 76, "new");

static const char *const ops[] = {"INSERT", "UPDATE", "DELETE", "TRUNCATE"};
static const char *const timings[] = {"BEFORE", "AFTER", "INSTEAD OF"};
static const char *const levels[] = {"ROW", "STATEMENT"};

static void
put(pgwasm_buf *b, const char *s)
{
	pgwasm_buf_append(b, s, strlen(s));
}

static void
put_event(pgwasm_buf *b, const event_t *ev)
{
	put(b, timings[ev->timing]);
	pgwasm_buf_putc(b, ' ');
	put(b, ops[ev->op]);
	put(b, " FOR EACH ");
	put(b, levels[ev->level]);
	put(b, " ON ");
	pgwasm_buf_append(b, ev->table_schema.ptr, ev->table_schema.len);
	pgwasm_buf_putc(b, '.');
	pgwasm_buf_append(b, ev->table_name.ptr, ev->table_name.len);
	put(b, " args [");
	for (size_t i = 0; i < ev->args.n; i++)
	{
		const pgwasm_str *a = (const pgwasm_str *) ev->args.ptr + i;

		if (i)
			pgwasm_buf_putc(b, ',');
		pgwasm_buf_append(b, a->ptr, a->len);
	}
	pgwasm_buf_putc(b, ']');
}

static opt_item result;

/* Any table: a NOTICE naming the event; the row unchanged. */
PGWASM_EXPORT(log_event) opt_item *
log_event(const event_t *ev)
{
	pgwasm_buf	b = PGWASM_BUF_INIT;

	put_event(&b, ev);
	pgwasm_log_raw(PGWASM_NOTICE, b.data, b.len);
	free(b.data);
	result.is_some = 1;
	return &result;
}

static void
put_id(pgwasm_buf *b, const char *what, const opt_item *r)
{
	put(b, what);
	if (!r->is_some)
		put(b, "-");
	else if (!r->value.id.is_some)
		put(b, "null");
	else
		pgwasm_numeric_append_scaled(b, r->value.id.value, 0);
}

/* tr_items: a NOTICE with the event and the ids of OLD and NEW. */
PGWASM_EXPORT(log_item) opt_item *
log_item(const item_call *c)
{
	pgwasm_buf	b = PGWASM_BUF_INIT;

	put_event(&b, &c->ev);
	put_id(&b, " old ", &c->old);
	put_id(&b, " new ", &c->new_);
	pgwasm_log_raw(PGWASM_NOTICE, b.data, b.len);
	free(b.data);
	result.is_some = 1;
	return &result;
}

/*
 * BEFORE INSERT OR UPDATE on tr_items: upper-cases the name ("UNNAMED" if
 * NULL), skips rows with a negative price, raises an error for a NULL
 * price when the trigger's first argument is 'strict'.
 */
PGWASM_EXPORT(normalize) opt_item *
normalize(const item_call *c)
{
	const item_row *in = &c->new_.value;
	char	   *name;
	size_t		len;

	if (in->price.is_some && in->price.value.len > 0 && in->price.value.ptr[0] == '-')
	{
		result.is_some = 0;		/* skip */
		return &result;
	}
	if (!in->price.is_some && c->ev.args.n > 0 &&
		((const pgwasm_str *) c->ev.args.ptr)[0].len == 6 &&
		memcmp(((const pgwasm_str *) c->ev.args.ptr)[0].ptr, "strict", 6) == 0)
		pgwasm_error_sqlstate("23502", "price must not be null");
	result.is_some = 2;			/* a row of our own */
	result.value = *in;			/* the other fields point into the call: fine */
	if (in->name.is_some)
	{
		len = in->name.value.len;
		name = pgwasm_alloc(len);
		for (size_t i = 0; i < len; i++)
		{
			char		ch = in->name.value.ptr[i];

			name[i] = (ch >= 'a' && ch <= 'z') ? (char) (ch - 32) : ch;
		}
	}
	else
	{
		len = 7;
		name = pgwasm_alloc(len);
		memcpy(name, "UNNAMED", 7);
	}
	result.value.name.is_some = 1;
	result.value.name.value.ptr = name;
	result.value.name.value.len = len;
	return &result;
}

/* BEFORE DELETE: row 1 is protected (skip), others go (unchanged). */
PGWASM_EXPORT(guard) opt_item *
guard(const item_call *c)
{
	result.is_some = (c->old.value.id.is_some && c->old.value.id.value == 1) ? 0 : 1;
	return &result;
}

PGWASM_EXPORT(bad_tag) opt_item *
bad_tag(const item_call *c)
{
	(void) c;
	result.is_some = 9;
	return &result;
}

/* A row whose name points outside memory. */
PGWASM_EXPORT(bad_row) opt_item *
bad_row(const item_call *c)
{
	result.is_some = 2;
	result.value = c->new_.value;
	result.value.name.is_some = 1;
	result.value.name.value.ptr = (const char *) (uintptr_t) 0xfffffff0u;
	result.value.name.value.len = 64;
	return &result;
}
