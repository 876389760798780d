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
EXTVERSION = 0.1.0
DATA = $(wildcard pgwasm--*.sql)
RUNTIME_SRCS = $(sort $(wildcard runtime/*.c))
SRC_SRCS = $(sort $(wildcard src/*.c))
OBJS = $(SRC_SRCS:.c=.o) $(RUNTIME_SRCS:.c=.o)
PG_CPPFLAGS = -I$(CURDIR)/runtime -I$(CURDIR)/src
PG_CFLAGS = -std=gnu11 -ffp-contract=off -Wno-declaration-after-statement
SHLIB_LINK = -lzstd -lm

# pg_regress suites, one pair per area in sql/ + expected/.
REGRESS = $(basename $(notdir $(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=pgwasm
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

.PHONY: test demo runtime bench fuzz
test:
	bash test/run-all.sh
demo:
	bash examples/demo.sh
