# pgwasm — top-level Makefile.
#
# The PostgreSQL extension is built with PGXS.  The standalone runtime (library,
# command-line runner, test programs) is built by test/runtime.mk into build/.
# `make test` and `make demo` run scripts that first install what a fresh
# Debian 12 machine lacks, so PGXS is included only when it is present.

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

MODULE_big = pgwasm
EXTENSION = pgwasm
EXTVERSION = 0.4.0
DATA = $(wildcard pgwasm--*.sql)
RUNTIME_SRCS = $(sort $(wildcard runtime/*.c))
SRC_SRCS = $(sort $(wildcard src/*.c))
OBJS = $(SRC_SRCS:.c=.o) $(RUNTIME_SRCS:.c=.o)
PG_CPPFLAGS = -I$(CURDIR)/runtime -I$(CURDIR)/src
PG_CFLAGS = -std=gnu11 -ffp-contract=off -Wno-declaration-after-statement
SHLIB_LINK = -lzstd -lm

# pg_regress suites, one pair per area in sql/ + expected/.  They load their
# guest modules with pg_read_binary_file() from $PGWASM_GUEST_DIR (psql's
# \getenv), which test/pg/run.sh points at a copy the server can read.
REGRESS = $(basename $(notdir $(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=pgwasm

# Guest fixtures of the regression tests, built from sources in test/guest/
# (WAT with wat2wasm, C with clang for wasm32-wasi in the reactor model).
GUEST_DIR = build/guest
GUESTS = $(patsubst test/guest/%.wat,$(GUEST_DIR)/%.wasm,$(wildcard test/guest/*.wat)) \
	$(patsubst test/guest/%.c,$(GUEST_DIR)/%.wasm,$(wildcard test/guest/*.c))
WAT2WASM ?= wat2wasm
GUEST_CC ?= clang
GUEST_CFLAGS ?= --target=wasm32-wasi -O2 -Wall -Werror -mexec-model=reactor -Wl,--strip-debug
export PGWASM_GUEST_DIR ?= $(CURDIR)/$(GUEST_DIR)
EXTRA_CLEAN = build results regression.diffs regression.out tmp_check

ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
all:
	@echo "PostgreSQL server headers are missing: run 'make test' or 'make demo' (they install them), or 'bash test/deps.sh'" >&2
	@false
clean:
	rm -rf $(EXTRA_CLEAN) src/*.o runtime/*.o *.so *.bc
endif

include test/runtime.mk

# PGXS knows no header dependencies: without this, a changed runtime header
# (a struct layout in internal.h) leaves stale objects linked into pgwasm.so.
$(OBJS): $(wildcard runtime/*.h runtime/*.def src/*.h)

# The SIMD guest (sql/simd.sql) is the one built with -msimd128.
$(GUEST_DIR)/simd.wasm: GUEST_CFLAGS += -msimd128

$(GUEST_DIR)/%.wasm: test/guest/%.wat
	@mkdir -p $(dir $@)
	$(WAT2WASM) --debug-names $(if $(filter invalid_%,$*),--no-check) $< -o $@

$(GUEST_DIR)/%.wasm: test/guest/%.c
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) $< -o $@

guests: $(GUESTS)
installcheck: guests

# The native tier's back end (test/runtime.mk: build/wasmrt-llvm.so, where
# llvm-config-14 exists) is installed beside pgwasm.so, as PostgreSQL's
# llvmjit.so is: pgwasm.so loads it from $libdir with dlopen on the first
# tier-up (src/jit.c), so a backend that never compiles never maps libLLVM.
# Without LLVM, pgwasm builds and installs alone and interprets.
ifneq ($(wildcard $(PGXS)),)
ifneq ($(RT_TIER_SO),)
all: $(RT_TIER_SO)

install: install-tier
install-tier: $(RT_TIER_SO) installdirs
	$(INSTALL_SHLIB) $(RT_TIER_SO) '$(DESTDIR)$(pkglibdir)/wasmrt-llvm.so'

uninstall: uninstall-tier
uninstall-tier:
	rm -f '$(DESTDIR)$(pkglibdir)/wasmrt-llvm.so'
.PHONY: install-tier uninstall-tier
endif
endif

.PHONY: test demo runtime bench bench-engine fuzz guests
test:
	bash test/run-all.sh
demo:
	bash examples/demo.sh
