/*
 * test_fused.c — the compiler's fused instructions (compile.c peepholes)
 * compute what the separate Wasm instructions do, including wrapping
 * address adds, traps and NaN compares.  Fixture: fused.wat.
 */
#define _GNU_SOURCE
#include "unit.h"
#include "compile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Occurrences of instruction `ir` in export `name`'s register code (it
 * has been called), or -1 if it has no register code to read. */
static int
count_form(wrt_instance *inst, const char *name, const char *ir)
{
	wrt_func *f = unit_export_func(inst, name);
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int n = 0;

	if (!f || !f->code || !f->code->compiled || !(out = open_memstream(&buf, &len)))
		return -1;
	wrt_disasm(f->code->compiled, out);
	fclose(out);
	for (const char *p = buf; (p = strstr(p, ir)) != NULL; p += strlen(ir))
		n++;
	free(buf);
	return n;
}

/* Was export `name` compiled with instruction `ir`? */
static bool
has_form(wrt_instance *inst, const char *name, const char *ir)
{
	return count_form(inst, name, ir) > 0;
}

#define FORM(name, ir) CHECKF(has_form(inst, name, ir), "%s: no %s", name, ir)

static bool
call2(wrt_store *s, wrt_instance *inst, const char *name, int32_t a, int32_t b, int32_t *r)
{
	int32_t args[2] = {a, b};

	return unit_call_i32(s, unit_export_func(inst, name), args, r);
}

/* name(w, 200) == want, or a failure naming w. */
static bool
call_is(wrt_store *s, wrt_instance *inst, const char *name, uint32_t w, int32_t want)
{
	int32_t		r = 0;

	if (call2(s, inst, name, (int32_t) w, 200, &r) && r == want)
		return true;
	unit_fail(__FILE__, __LINE__, "%s(0x%08x) = %d, want %d", name, w, (int) r, (int) want);
	return false;
}

#define EXPECT(name, a, b, want) \
	do { \
		int32_t r_ = 0; \
		if (!call2(s, inst, name, a, b, &r_)) { \
			unit_fail(__FILE__, __LINE__, "%s(%d, %d) trapped: %s", name, (int) (a), (int) (b), \
					  wrt_store_trap(s)->message); \
			return; \
		} \
		CHECK_EQ(r_, (want)); \
	} while (0)

#define EXPECT_OOB(name, a, b) \
	do { \
		int32_t r_ = 0; \
		CHECK(!call2(s, inst, name, a, b, &r_)); \
		CHECK_TRAP(s, WRT_TRAP_MEMORY_OOB); \
	} while (0)

void
test_fused_superinstructions(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("fused");
	wrt_instance *inst;

	NEED(s);
	NEED(m);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	/* add-immediate fused with the loop branch */
	EXPECT("countdown", 5, 0, 10);
	EXPECT("countdown", 1, 0, 2);
	FORM("countdown", "I32_ADDI_BR_NZ_A");
	EXPECT("countdownx", 3, 0, 9);      /* i = 0<<1 ^ 3 = 3, 3<<1 ^ 2 = 4, 4<<1 ^ 1 = 9 */
	FORM("countdownx", "I32_ADDI_BR_NZ ");  /* not _A */
	EXPECT("stepto", 12, 0, 4012);
	FORM("stepto", "I32_ADDI_BR_NE_A");
	/* c = rotl(c, 5) ^ i for i = 0, 3, 6: 0, 3, 96 ^ 6 = 102; + i = 9 */
	EXPECT("steptox", 9, 0, 111);
	FORM("steptox", "I32_ADDI_BR_NE ");     /* not _A */
	EXPECT("exits", 4, 0, 9);
	EXPECT("exits", 1, 0, 6);
	EXPECT("add2", 1, 0, 5 - 18);
	EXPECT("add2", -5, 7, -1);
	/* compare + select */
	EXPECT("minmax", 3, 9, 309);
	EXPECT("minmax", -5, 2, -493);
	EXPECT("minmax", 60, 2, 207);
	EXPECT("fsel", 0, 0, 2);
	EXPECT("fsel", -1, 0, 1);
	EXPECT("fsel", 1, 0, 2);
	/* operator with a load at p + k (32-bit wrap before the bounds check) */
	EXPECT("rma", 0, 5, 8);
	EXPECT("rma", -8, 0, 41);
	EXPECT("rma", -4, 0, 1);
	EXPECT_OOB("rma", 65524, 0);
	EXPECT("rma_f64", 0, 0, 6);
	EXPECT_OOB("rma_f64", 65530, 0);
	EXPECT_OOB("rma_f64", -8, 0);
	/* (x & m) ==/!= k */
	EXPECT("andi", 0x80, 0, 0);
	EXPECT("andi", 0x1241, 0, 11);
	/* f64 chains */
	EXPECT("chain", 3, 2, 984);
	EXPECT("chain", -2, 5, -6987);
	EXPECT("chain_nan", 0, 0, 1);
	EXPECT("chain_nan", 2, 0, 0);
	/* two byte loads compared in one instruction, and accumulated */
	EXPECT("diff8", 100, 200, 2);
	EXPECT("diff8", 200, 200, 0);
	EXPECT_OOB("diff8", 100, 65533);
	EXPECT_OOB("diff8", 65536, 0);
	EXPECT("eq8", 100, 199, 101);
	EXPECT("eq8", 98, 200, 98);
	EXPECT("eq8", 0, -3, 1);            /* q + 3 wraps to 0 */
	EXPECT_OOB("eq8", -2, 0);           /* an offset does not wrap */
	EXPECT_OOB("eq8", 0, -4);
	EXPECT_OOB("eq8", 65534, 0);        /* first load */
	EXPECT_OOB("eq8", 0, 65533);        /* second load */
	EXPECT("ne8", 100, 199, 1);
	EXPECT("ne8", 102, 202, 0);
	EXPECT_OOB("ne8", 0, 65535);
	EXPECT_OOB("ne8", 0, -1);
	/* byte load + mask compare (+ accumulate) */
	EXPECT("utf8len", 100, 9, 8);
	EXPECT("utf8len", 100, 6, 6);
	EXPECT("utf8len", 106, 2, 1);
	EXPECT_OOB("utf8len", 65535, 2);
	EXPECT("cont8", 101, 7, 8);
	EXPECT("cont8", 100, 7, 7);
	EXPECT("cont8", -5, 3, 3);          /* (u32)(p + 5) + 1 = 1 */
	EXPECT_OOB("cont8", -6, 0);         /* (u32)(p + 5) + 1 = 2^32 */
	EXPECT("andi8", 107, 0, 0);
	EXPECT("andi8", 106, 0, 1);
	EXPECT("andi8", 0, 0, 1);
	EXPECT_OOB("andi8", 65536, 0);
	/* range checks ((c + k) & m) <, <=, >, >= n as one branch */
	EXPECT("class", 'A', 0, 1);
	EXPECT("class", 'Z', 0, 1);
	EXPECT("class", 'A' + 256, 0, 1);
	EXPECT("class", 'a', 0, 2);
	EXPECT("class", 'z', 0, 2);
	EXPECT("class", '0', 0, 3);
	EXPECT("class", '9', 0, 3);
	EXPECT("class", '[', 0, 4);
	EXPECT("class", '@', 0, 4);
	EXPECT("class", '/', 0, 4);
	EXPECT("class", ':', 0, 4);
	EXPECT("class", -1, 0, 4);
	EXPECT("class", 0xffff, 0, 4);
	EXPECT("class", 0x7fff, 0, 5);
	EXPECT("class", 0x17fff, 0, 5);
	EXPECT("always", 0, 0, 7);
	EXPECT("always", -3, 0, 7);
	EXPECT("always", -4, 0, 7);
	/* three increments; split again for a loop branch */
	EXPECT("add3", 1, 0, 2012112);
	EXPECT("add3", -1, 5, 10110);
	EXPECT("add3loop", 4, 0, 8012);
	EXPECT("add3loop", 1, 0, 2003);
	/* a copy fused into the loop tail, done before the add */
	EXPECT("fib", 1, 0, 1);
	EXPECT("fib", 2, 0, 1);
	EXPECT("fib", 10, 0, 55);
	EXPECT("fibto", 1, 0, 1);
	EXPECT("fibto", 10, 0, 55);
	EXPECT("exits_c", 4, 0, 314);
	EXPECT("exits_c", 1, 0, 11);
	/* f64 operators of two loads */
	EXPECT("fmm", 0, 0, 10);
	EXPECT("fmm", -8, 0, 12);           /* p + 16 wraps to 8 */
	EXPECT_OOB("fmm", 0, -24);          /* q + offset 24 does not wrap */
	EXPECT("fmm", -16, 0, 2);
	EXPECT_OOB("fmm", -17, 0);          /* first load */
	EXPECT_OOB("fmm", 65520, 0);
	EXPECT_OOB("fmm", 0, 65512);        /* second load */
	EXPECT("fsubmm", -8, 0, 200);
	EXPECT("fsubmm", 8, 0, 0);
	EXPECT("fsubmm", 16, 0, -150);
	EXPECT("fsubmm", 0, 8, 100);
	EXPECT_OOB("fsubmm", 0, -8);        /* an offset does not wrap */
	EXPECT("faddnan", 32, 0, 1);
	EXPECT("faddnan", 16, 0, 0);
	/* two compare+selects of one compare in one instruction */
	EXPECT("max3", 3, 9, 10);
	EXPECT("max3", 9, 3, 10);
	EXPECT("max3", -1, 2, -1);
	EXPECT("max3", 1, -2, -1);
	EXPECT("max3", 0x40000000, 0x3fffffff, 0x7fffffff);
	EXPECT("max3", 0x70000000, 0x10000000, 0x70000000);
	FORM("max3", "SEL2_I32_GT_U_RR");
	EXPECT("min3x", 0, 0, 0);
	EXPECT("min3x", 1, 1, 1);
	EXPECT("min3x", 5, 10, 5);
	EXPECT("min3x", 0, 5, 1);
	EXPECT("min3x", 5, 2, 2);
	EXPECT_OOB("min3x", 0, -20);
	EXPECT_OOB("min3x", 1, -3);         /* the second byte: b + 1 wraps, offset 1 does not */
	EXPECT_OOB("min3x", 65536, 0);      /* the first byte */
	EXPECT_OOB("min3x", 0, 65535);
	EXPECT("min3x", 65535, 65534, 65534);
	FORM("min3x", "SEL2_I32_GT_S_RR");
	EXPECT("fmin3", 3, 4, 0);           /* 3 / 4 = 0.75 */
	EXPECT("fmin3", 4, 2, 2);
	EXPECT("fmin3", -4, 2, -4);
	EXPECT("fmin3", 0, 0, -1000);       /* 0 / 0 is NaN: not less, so it is chosen */
	EXPECT("fmin3", 5, 0, 0);           /* inf */
	EXPECT("fmin3", -5, 0, -2147483647 - 1);   /* -inf saturates */
	FORM("fmin3", "SEL2_F64_LT_RR");
	/* runs of byte tests on consecutive bytes: one bounds check */
	EXPECT("cnt4k", 100, 0, 3);
	EXPECT("cnt4k", 101, 0, 2);
	EXPECT("cnt4k", 102, 10, 11);
	EXPECT("cnt4k", 104, 0, 2);
	EXPECT("cnt4k", 65532, 0, 4);
	EXPECT_OOB("cnt4k", 65533, 0);     /* the last byte */
	EXPECT_OOB("cnt4k", 65536, 0);     /* the first */
	EXPECT_OOB("cnt4k", -1, 0);        /* p + 1 wraps to 0, but p is out */
	EXPECT_OOB("cnt4k", -4, 0);
	FORM("cnt4k", "I32_ADD_ANDI_NEI_M8N");
	EXPECT("cnt3o", 100, 0, 1);
	EXPECT("cnt3o", 101, 5, 7);
	EXPECT("cnt3o", 65532, 0, 0);
	EXPECT_OOB("cnt3o", 65533, 0);
	EXPECT_OOB("cnt3o", -1, 0);        /* p + offset does not wrap */
	FORM("cnt3o", "I32_ADD_ANDI_EQI_M8N");
	/* Four-byte runs over many byte patterns against a byte-by-byte count:
	 * every byte value in every position, then pseudo-random words. */
	{
		uint32_t x = 0x9e3779b9u;

		for (int i = 0; i < 4 * 256 + 4096; i++)
		{
			uint32_t w = 0;
			int32_t want_ne, want_eq;

			if (i < 4 * 256)
				w = (0x80c0413fu & ~(0xffu << (8 * (i / 256)))) | ((uint32_t) (i % 256) << (8 * (i / 256)));
			else
			{
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				w = x;
			}
			want_ne = want_eq = (int32_t) w;
			for (int k = 0; k < 4; k++)
			{
				uint32_t b = (w >> (8 * k)) & 0xff;

				want_ne = (int32_t) ((uint32_t) want_ne + ((b & 0xc0) != 0x80));
				want_eq = (int32_t) ((uint32_t) want_eq + ((b & 0xf5) == 0x41));
			}
			if (!call_is(s, inst, "cnt4w", w, want_ne) || !call_is(s, inst, "cnt4we", w, want_eq) ||
				!call_is(s, inst, "cnt4wv", w, (int32_t) (w + 4)))
				return;
		}
	}
	FORM("cnt4w", "I32_ADD_ANDI_NEI_M8N");
	FORM("cnt4we", "I32_ADD_ANDI_EQI_M8N");
	FORM("cnt4wv", "I32_ADD_ANDI_NEI_M8N");
	EXPECT("cnt4rr", 96, 4, 7);         /* bytes 100..103: 3 of them not continuation bytes */
	EXPECT("cnt4rr", 100, 0, 3);
	EXPECT("cnt4rr", 102, 2, 4);        /* 104..107 */
	EXPECT("cnt4rr", -1, 1, 5);         /* p + i wraps to 0: zeros */
	EXPECT_OOB("cnt4rr", 65532, 1);     /* the last byte */
	EXPECT_OOB("cnt4rr", 65536, 0);     /* the first */
	FORM("cnt4rr", "I32_ADD_RR_NEI_M8N");
	/* in-place pairs: out[n++] = c (st8rr: +1, +2, p+3, +4 offsets) */
	EXPECT("st8rr", 100, 5, 8);
	EXPECT("ld8", 106, 0, 0x5a);
	EXPECT("ld8", 108, 0, 6);
	EXPECT("ld8", 103, 0, 7);
	EXPECT("ld8", 112, 0, 0x5a);
	EXPECT_OOB("st8rr", -5, 5);         /* p + i wraps to 0, 1; p + 3 does not */
	EXPECT("ld8", 1, 0, 0x5a);
	EXPECT("ld8", 3, 0, 6);
	{
		int32_t b0 = 0;
		CHECK(call2(s, inst, "ld8", 0, 0, &b0));
		EXPECT_OOB("st8rr", -6, 5);         /* (u32)(p + i) + 1 = 2^32: byte 0 untouched */
		EXPECT("ld8", 0, 0, b0);
	}
	EXPECT_OOB("st8rr", 65530, 4);      /* the first in bounds, the second not */
	EXPECT("ld8", 65535, 0, 0x5a);
	EXPECT_OOB("st8rr", 65534, 1);
	EXPECT_OOB("st8rr", 65520, 10);     /* the last, a plain add + store */
	EXPECT("ld8", 65533, 0, 11);
	FORM("st8rr", "I32_ADD_RR_STORE8_ADDI");
	FORM("st8rr", "I32_STORE8_ADDI");
	FORM("st8rr", "I32_ADD_RR_STORE8 ");
	/* slug: "Hello, World! 09-Zz@[`{/:" at 2048 */
	EXPECT("slugw", 2048, 25, 17);      /* hello-world-09-zz */
	EXPECT("ld8", 1024, 0, 'h');
	EXPECT("ld8", 1029, 0, '-');
	EXPECT("ld8", 1036, 0, '0');
	EXPECT("ld8", 1037, 0, '9');
	EXPECT("ld8", 1038, 0, '-');
	EXPECT("ld8", 1039, 0, 'z');
	EXPECT("ld8", 1040, 0, 'z');
	EXPECT("ld8", 1041, 0, 0);
	EXPECT("slugw", 2048, 5, 5);
	EXPECT("slugw", 2053, 3, 1);        /* ", W": no leading dash */
	EXPECT("ld8", 1024, 0, 'w');
	EXPECT("slugw", 65535, 1, 1);       /* 'Z', the last byte */
	EXPECT("ld8", 1024, 0, 'z');
	EXPECT_OOB("slugw", 65535, 2);
	EXPECT_OOB("slugw", -1, 1);
	FORM("slugw", "I32_LOAD8_U_BR_GEU");
	FORM("slugw", "I32_ADD_RI_BR");
	FORM("slugw", "CONST_COPY_ADDI_BR_NZ_A");
	FORM("slugw", "I32_ADD_RR_STORE8_ADDI");
	/* the same with i32.store */
	EXPECT("st32rr", 100, 5, 7);
	EXPECT("ld8", 106, 0, 0x5a);
	EXPECT("ld8", 107, 0, 0);
	EXPECT("ld8", 108, 0, 6);
	EXPECT("ld8", 115, 0, 0x5a);
	EXPECT("st32rr", -5, 5, 7);         /* wraps to 1, 3, 10 */
	EXPECT("ld8", 1, 0, 0x5a);
	EXPECT("ld8", 3, 0, 6);
	EXPECT("ld8", 10, 0, 0x5a);
	{
		int32_t b0 = 0;
		CHECK(call2(s, inst, "ld8", 0, 0, &b0));
		EXPECT_OOB("st32rr", -6, 5);         /* (u32)(p + i) + 1 = 2^32: byte 0 untouched */
		EXPECT("ld8", 0, 0, b0);
	}
	EXPECT_OOB("st32rr", 65528, 3);
	EXPECT("ld8", 65532, 0, 0x5a);
	EXPECT_OOB("st32rr", 65532, 1);
	EXPECT_OOB("st32rr", 65524, 0);
	EXPECT("ld8", 65527, 0, 1);
	FORM("st32rr", "I32_ADD_RR_STORE_ADDI");
	FORM("st32rr", "I32_ADD_RR_STORE ");
}

/*
 * x = f(x) while the old x is still on the operand stack: the old value is
 * copied out before f and f writes x, one copy instead of two (compile.c,
 * materialize_local_before_last), with f reading x itself.
 */
void
test_fused_set_keeps_old(void)
{
	wrt_store *s = unit_store();
	wrt_module *m = unit_fixture("fused");
	wrt_instance *inst;

	NEED(s);
	NEED(m);
	inst = unit_instantiate(s, m, NULL, 0);
	NEED(inst);
	EXPECT("setkeep", 0, 0, 3 * 0x01020304);
	EXPECT("setkeep", 65532, 0, 65532 - 21);
	EXPECT("setkeep", 4, 0, 4);
	EXPECT_OOB("setkeep", 65533, 0);
	EXPECT_OOB("setkeep", -1, 0);
	CHECK_EQ(count_form(inst, "setkeep", " COPY "), 1);
	EXPECT("setkeepf", 3, 0, 3 - 6000);
	EXPECT("setkeepf", -5, 0, -5 + 10000);
	CHECK_EQ(count_form(inst, "setkeepf", " COPY "), 1);
}

