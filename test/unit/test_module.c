/*
 * test_module.c — unit tests of module loading and introspection: malformed
 * binaries are rejected as WRT_ERR_MALFORMED, and the import/export
 * introspection reports names and types exactly as the WAT fixture declares
 * them.
 */
#include <stdlib.h>

#include "unit.h"

static void
expect_load_error(const uint8_t *bytes, size_t len, wrt_errkind kind, const char *what)
{
	wrt_error err;
	wrt_module *m;

	memset(&err, 0, sizeof(err));
	m = wrt_module_load(bytes, len, NULL, &err);
	if (m)
	{
		wrt_module_free(m);
		unit_fail(__FILE__, __LINE__, "%s: module loaded, expected error kind %d", what, (int)kind);
		return;
	}
	if (err.kind != kind)
		unit_fail(__FILE__, __LINE__, "%s: error kind %d (%s), expected %d", what,
				  (int)err.kind, err.message, (int)kind);
	else if (!err.message[0])
		unit_fail(__FILE__, __LINE__, "%s: empty error message", what);
}

void
test_malformed_bad_magic(void)
{
	static const uint8_t bad_magic[] = {0x00, 'a', 's', 'n', 0x01, 0x00, 0x00, 0x00};
	static const uint8_t text[] = "(module)";

	expect_load_error(bad_magic, sizeof(bad_magic), WRT_ERR_MALFORMED, "bad magic");
	expect_load_error(text, sizeof(text) - 1, WRT_ERR_MALFORMED, "text format");
	expect_load_error(bad_magic, 0, WRT_ERR_MALFORMED, "empty input");
}

void
test_malformed_bad_version(void)
{
	static const uint8_t v2[] = {0x00, 'a', 's', 'm', 0x02, 0x00, 0x00, 0x00};
	static const uint8_t component[] = {0x00, 'a', 's', 'm', 0x0d, 0x00, 0x01, 0x00};

	expect_load_error(v2, sizeof(v2), WRT_ERR_MALFORMED, "version 2");
	expect_load_error(component, sizeof(component), WRT_ERR_MALFORMED, "component layer");
}

void
test_malformed_truncated(void)
{
	static const uint8_t header_only[] = {0x00, 'a', 's', 'm', 0x01, 0x00};
	/* A type section announcing 5 bytes with 2 present. */
	static const uint8_t short_section[] = {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00,
											0x01, 0x05, 0x01, 0x60};
	static const uint8_t empty[] = {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00};
	wrt_error err;
	wrt_module *m;

	expect_load_error(header_only, sizeof(header_only), WRT_ERR_MALFORMED, "truncated header");
	expect_load_error(short_section, sizeof(short_section), WRT_ERR_MALFORMED, "truncated section");
	if (unit_failed())
		return;
	/* The smallest valid module loads. */
	memset(&err, 0, sizeof(err));
	m = wrt_module_load(empty, sizeof(empty), NULL, &err);
	CHECKF(m != NULL, "empty module rejected: %s", err.message);
	CHECK_EQ(wrt_module_import_count(m), 0);
	CHECK_EQ(wrt_module_export_count(m), 0);
	wrt_module_free(m);
}

void
test_malformed_truncated_fixture(void)
{
	size_t len;
	const uint8_t *bytes = unit_fixture_bytes("reset", &len);

	NEED(bytes);
	/* Every proper prefix that cuts into a section is malformed. */
	for (size_t cut = 9; cut < len; cut++)
	{
		wrt_error err;
		wrt_module *m;

		memset(&err, 0, sizeof(err));
		m = wrt_module_load(bytes, cut, NULL, &err);
		if (m)
		{
			/* A cut exactly at a section boundary is a valid shorter module. */
			wrt_module_free(m);
			continue;
		}
		CHECKF(err.kind == WRT_ERR_MALFORMED,
			   "prefix of %zu/%zu bytes: kind %d (%s), expected malformed",
			   cut, len, (int)err.kind, err.message);
	}
}

static bool
name_is(const char *s, uint32_t len, const char *want)
{
	return s && len == strlen(want) && memcmp(s, want, len) == 0;
}

void
test_introspection_imports(void)
{
	wrt_module *m = unit_fixture("introspect");
	const char *mod, *name;
	uint32_t modlen, namelen;
	wrt_externtype t;

	NEED(m);
	CHECK_EQ(wrt_module_import_count(m), 4);

	memset(&t, 0, sizeof(t));
	wrt_module_import(m, 0, &mod, &modlen, &name, &namelen, &t);
	CHECK(name_is(mod, modlen, "env"));
	CHECK(name_is(name, namelen, "f"));
	CHECK_EQ(t.kind, WRT_EXTERN_FUNC);
	CHECK_EQ(t.func.nparams, 2);
	CHECK_EQ(t.func.params[0], WRT_I32);
	CHECK_EQ(t.func.params[1], WRT_F64);
	CHECK_EQ(t.func.nresults, 1);
	CHECK_EQ(t.func.results[0], WRT_I64);

	memset(&t, 0, sizeof(t));
	wrt_module_import(m, 1, &mod, &modlen, &name, &namelen, &t);
	CHECK(name_is(name, namelen, "t"));
	CHECK_EQ(t.kind, WRT_EXTERN_TABLE);
	CHECK_EQ(t.elemtype, WRT_FUNCREF);
	CHECK_EQ(t.limits.min, 1);
	CHECK(t.limits.has_max);
	CHECK_EQ(t.limits.max, 2);

	memset(&t, 0, sizeof(t));
	wrt_module_import(m, 2, &mod, &modlen, &name, &namelen, &t);
	CHECK(name_is(name, namelen, "m"));
	CHECK_EQ(t.kind, WRT_EXTERN_MEMORY);
	CHECK_EQ(t.limits.min, 1);
	CHECK(t.limits.has_max);
	CHECK_EQ(t.limits.max, 3);

	memset(&t, 0, sizeof(t));
	wrt_module_import(m, 3, &mod, &modlen, &name, &namelen, &t);
	CHECK(name_is(name, namelen, "g"));
	CHECK_EQ(t.kind, WRT_EXTERN_GLOBAL);
	CHECK_EQ(t.valtype, WRT_I32);
	CHECK(t.mutable_);
}

void
test_introspection_exports(void)
{
	wrt_module *m = unit_fixture("introspect");
	static const char *const names[] = {"h", "f_again", "t2", "g2", "m"};
	static const wrt_externkind kinds[] = {WRT_EXTERN_FUNC, WRT_EXTERN_FUNC, WRT_EXTERN_TABLE,
										   WRT_EXTERN_GLOBAL, WRT_EXTERN_MEMORY};
	wrt_externtype t;
	const char *name;
	uint32_t namelen;
	wrt_functype a, b;

	NEED(m);
	CHECK_EQ(wrt_module_export_count(m), 5);
	for (uint32_t i = 0; i < 5; i++)
	{
		memset(&t, 0, sizeof(t));
		wrt_module_export(m, i, &name, &namelen, &t);
		CHECKF(name_is(name, namelen, names[i]), "export %u is \"%.*s\", expected \"%s\"",
			   i, (int)namelen, name ? name : "", names[i]);
		CHECKF(t.kind == kinds[i], "export %s: kind %d", names[i], (int)t.kind);
	}

	memset(&t, 0, sizeof(t));
	CHECK(wrt_module_find_export(m, "h", 1, &t));
	CHECK_EQ(t.kind, WRT_EXTERN_FUNC);
	CHECK_EQ(t.func.nparams, 1);
	CHECK_EQ(t.func.params[0], WRT_I64);
	CHECK_EQ(t.func.nresults, 1);
	CHECK_EQ(t.func.results[0], WRT_I32);
	a = t.func;

	memset(&t, 0, sizeof(t));
	CHECK(wrt_module_find_export(m, "f_again", 7, &t));
	b = t.func;
	CHECK(!wrt_functype_equal(&a, &b));
	CHECK(wrt_functype_equal(&a, &a));

	memset(&t, 0, sizeof(t));
	CHECK(wrt_module_find_export(m, "t2", 2, &t));
	CHECK_EQ(t.elemtype, WRT_EXTERNREF);
	CHECK_EQ(t.limits.min, 4);
	CHECK(!t.limits.has_max);

	memset(&t, 0, sizeof(t));
	CHECK(wrt_module_find_export(m, "g2", 2, &t));
	CHECK_EQ(t.valtype, WRT_F32);
	CHECK(!t.mutable_);

	/* Lookup is by exact length: "g" is not "g2". */
	CHECK(!wrt_module_find_export(m, "g2", 1, &t));
	CHECK(!wrt_module_find_export(m, "nope", 4, &t));

	CHECK_CONTAINS(wrt_valtype_name(WRT_I64), "i64");
	CHECK_CONTAINS(wrt_valtype_name(WRT_EXTERNREF), "externref");
}
