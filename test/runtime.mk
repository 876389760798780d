# test/runtime.mk — the standalone runtime and its test programs, in build/.
# Included by the top-level Makefile; independent of PostgreSQL.

RT_CC ?= gcc
RT_CFLAGS ?= -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -ffp-contract=off -fno-strict-aliasing
RT_BUILD ?= build
RT_SRCS = $(sort $(wildcard runtime/*.c))
RT_HDRS = $(wildcard runtime/*.h runtime/*.def)
RT_OBJS = $(patsubst runtime/%.c,$(RT_BUILD)/rt/%.o,$(RT_SRCS))

$(RT_BUILD)/rt/%.o: runtime/%.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(RT_CC) $(RT_CFLAGS) -Iruntime -c $< -o $@

$(RT_BUILD)/libwasmrt.a: $(RT_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Programs: each test/<name>.c or directory listed here links the library.
# -rdynamic: the native tier's back end (wasmrt-llvm.so, loaded with dlopen)
# resolves the engine's functions it uses (the instruction reader) from the
# program, as PostgreSQL's llvmjit.so resolves the server's.
RT_LDFLAGS ?= -rdynamic
# wasm-run's --cache names a module by its SHA-256: libcrypto.
$(RT_BUILD)/wasm-run: test/wasm-run.c $(RT_BUILD)/libwasmrt.a
	$(RT_CC) $(RT_CFLAGS) $(RT_LDFLAGS) -Iruntime $< $(RT_BUILD)/libwasmrt.a -lcrypto -lm -o $@

# wasm-run counting the interpreter's dispatch pairs (interp.c,
# WRT_IR_PAIRS): a tool for choosing fusions, not part of any test.
$(RT_BUILD)/wasm-run-pairs: test/wasm-run.c $(RT_SRCS) $(RT_HDRS)
	$(RT_CC) $(RT_CFLAGS) -DWRT_IR_PAIRS $(RT_LDFLAGS) -Iruntime $< $(RT_SRCS) -lcrypto -lm -o $@

$(RT_BUILD)/spec-runner: test/spec/spec-runner.c $(RT_BUILD)/libwasmrt.a
	$(RT_CC) $(RT_CFLAGS) $(RT_LDFLAGS) -Iruntime $< $(RT_BUILD)/libwasmrt.a -ljansson -lm -o $@

$(RT_BUILD)/test-runtime: $(wildcard test/unit/*.c test/unit/*.h) test/hostile.c test/hostile.h $(RT_BUILD)/libwasmrt.a
	$(RT_CC) $(RT_CFLAGS) $(RT_LDFLAGS) -pthread -Iruntime -Itest $(wildcard test/unit/*.c) test/hostile.c $(RT_BUILD)/libwasmrt.a -lm -o $@

# Writes the module shapes of test/hostile.c (issue 11) for the TAP tests.
$(RT_BUILD)/hostile-gen: test/hostile-gen.c test/hostile.c test/hostile.h
	$(RT_CC) $(RT_CFLAGS) -Itest test/hostile-gen.c test/hostile.c -o $@

# WAT fixtures of the unit tests, compiled once for every build flavour:
# build/test-runtime build/fixtures (the default directory) runs them.
RT_FIXTURES = $(patsubst test/unit/fixtures/%.wat,build/fixtures/%.wasm,$(sort $(wildcard test/unit/fixtures/*.wat)))

build/fixtures/%.wasm: test/unit/fixtures/%.wat
	@mkdir -p $(dir $@)
	wat2wasm --debug-names $< -o $@

fixtures: $(RT_FIXTURES)

# ---- the native tier's LLVM back end (runtime/llvm/, runtime/tier.h) ------
# A shared object of its own, loaded with dlopen on the first tier-up, so a
# program that never tiers up never maps libLLVM.  ops.c (the numeric rows of
# opcodes.def as C functions) is compiled to bitcode by the clang of the same
# LLVM and embedded in the object.  Built only where llvm-config-14 exists
# (Debian llvm-14-dev, test/deps.sh); without it the engine interprets.
LLVM_CONFIG ?= llvm-config-14
LLVM_BINDIR := $(shell $(LLVM_CONFIG) --bindir 2>/dev/null)
ifneq ($(LLVM_BINDIR),)
RT_TIER_SO = $(RT_BUILD)/wasmrt-llvm.so
LLVM_VERSION := $(shell $(LLVM_CONFIG) --version)

# simd-ops.c (the SIMD rows) is a second bitcode file, linked only into the
# units that lower SIMD instructions.
$(RT_BUILD)/tier-ops.bc: runtime/llvm/ops.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(LLVM_BINDIR)/clang -std=gnu11 -O2 -ffp-contract=off -fno-math-errno -fno-strict-aliasing -Iruntime -emit-llvm -c $< -o $@

$(RT_BUILD)/tier-simd.bc: runtime/llvm/simd-ops.c runtime/simd-fns.h $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(LLVM_BINDIR)/clang -std=gnu11 -O2 -ffp-contract=off -fno-math-errno -fno-strict-aliasing -Wno-unused-function -Iruntime -emit-llvm -c $< -o $@

$(RT_TIER_SO): runtime/llvm/lower.c runtime/llvm/minmax.c runtime/llvm/minmax.h $(RT_BUILD)/tier-ops.bc $(RT_BUILD)/tier-simd.bc $(RT_HDRS)
	$(RT_CC) $(filter-out -fsanitize%,$(RT_CFLAGS)) -fPIC -shared -fvisibility=hidden $(shell $(LLVM_CONFIG) --cflags) \
	  -DWRT_TIER_OPS_BC='"$(RT_BUILD)/tier-ops.bc"' -DWRT_TIER_SIMD_BC='"$(RT_BUILD)/tier-simd.bc"' \
	  -DLLVM_VERSION_STRING_='"$(LLVM_VERSION)"' \
	  -Iruntime $(filter %.c,$^) -o $@ $(shell $(LLVM_CONFIG) --ldflags) $(shell $(LLVM_CONFIG) --libs)
endif

runtime: $(RT_BUILD)/libwasmrt.a $(RT_BUILD)/wasm-run $(RT_BUILD)/spec-runner $(RT_BUILD)/test-runtime $(RT_BUILD)/hostile-gen fixtures $(RT_TIER_SO)

# The same programs under AddressSanitizer + UndefinedBehaviorSanitizer.
# -O0: at -O1 UBSan makes clang take minutes over the interpreter's one big
# dispatch function (about 4 minutes on 2 CPUs, versus seconds at -O0).
runtime-asan:
	$(MAKE) runtime RT_BUILD=build/asan RT_CC=clang \
	  RT_CFLAGS="-std=gnu11 -O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wno-unused-parameter -ffp-contract=off"
.PHONY: fixtures runtime-asan

# ---- fuzzing (test/fuzz/, docs/reliability.md) ---------------------------
# libFuzzer targets build/fuzz/fuzz-decode and build/fuzz/fuzz-exec, and the
# differential driver build/fuzz/diff-run, all linked with one copy of the
# runtime compiled with coverage instrumentation + ASan + UBSan (diff-run
# gets libFuzzer's coverage callbacks from its no-main runtime: compiling
# interp.c under the sanitizers is slow, so it is done once; it exports the
# engine's symbols, so that WRT_TIER_LIBRARY=build/wasmrt-llvm.so can load
# the native tier into it for diff-run --tier).  The seed
# corpus build/fuzz/seeds/ is converted from test/fuzz/corpus-src/*.wat.
# `make fuzz` runs every target for FUZZ_SECONDS each (test/fuzz/run.sh);
# `make fuzz-build` only builds.
FUZZ_BUILD = build/fuzz
FUZZ_SECONDS ?= 600
FUZZ_CC ?= clang
FUZZ_CFLAGS ?= -std=gnu11 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
  -fno-sanitize-recover=all -Wall -Wextra -Wno-unused-parameter -ffp-contract=off -fno-strict-aliasing
FUZZ_COMMON = test/fuzz/fuzz-common.c test/fuzz/fuzz-common.h
FUZZ_RT = $(patsubst runtime/%.c,$(FUZZ_BUILD)/rt/%.o,$(RT_SRCS))
FUZZ_NO_MAIN = $(shell $(FUZZ_CC) -print-file-name=libclang_rt.fuzzer_no_main-$(shell uname -m).a)
FUZZ_SEEDS = $(patsubst test/fuzz/corpus-src/%.wat,$(FUZZ_BUILD)/seeds/%.wasm,$(sort $(wildcard test/fuzz/corpus-src/*.wat)))

# UBSan's pointer-overflow, alignment, null and object-size checks (which
# ASan's own checks cover) take clang minutes on the interpreter's one big
# function; without them it builds in seconds, keeping the arithmetic checks.
$(FUZZ_BUILD)/rt/interp.o: FUZZ_FILE_CFLAGS = -fno-sanitize=pointer-overflow,alignment,null,object-size

$(FUZZ_BUILD)/rt/%.o: runtime/%.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FILE_CFLAGS) -fsanitize=fuzzer-no-link -Iruntime -c $< -o $@

$(FUZZ_BUILD)/fuzz-%: test/fuzz/fuzz-%.c $(FUZZ_COMMON) $(FUZZ_RT)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Iruntime $< test/fuzz/fuzz-common.c $(FUZZ_RT) -lm -o $@

$(FUZZ_BUILD)/diff-run: test/fuzz/diff-run.c $(FUZZ_COMMON) $(FUZZ_RT)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -rdynamic -Iruntime $< test/fuzz/fuzz-common.c $(FUZZ_RT) $(FUZZ_NO_MAIN) -lstdc++ -lm -o $@

$(FUZZ_BUILD)/seeds/%.wasm: test/fuzz/corpus-src/%.wat
	@mkdir -p $(dir $@)
	wat2wasm $< -o $@

fuzz-build: $(FUZZ_BUILD)/fuzz-decode $(FUZZ_BUILD)/fuzz-exec $(FUZZ_BUILD)/diff-run $(FUZZ_SEEDS)

fuzz:
	bash test/fuzz/run.sh $(FUZZ_SECONDS)
.PHONY: fuzz fuzz-build

# ---- SQL benchmarks (test/bench/sql/, docs/benchmarks.md) -----------------
# Per-call cost of wasm functions inside PostgreSQL against a C UDF, PL/pgSQL
# and SQL, cold start, and callgrind instruction counts; as root on Debian 12
# (it installs the extension and starts a throwaway cluster in
# build/bench-sql).  Informational only: never part of `make test`.
bench-sql:
	bash test/bench/sql/run.sh
.PHONY: bench-sql

# ---- comparison benchmark (test/bench/compare/, docs/benchmarks.md) -------
# pgwasm against a C UDF, PL/pgSQL, PL/Python and PL/Perl on the same
# workloads, in one run on a throwaway cluster (build/compare); as root on
# Debian 12, it installs what it needs.  Rewrites the results section of
# docs/benchmarks.md.  Informational only: never part of `make test`.
bench:
	bash test/bench/compare/run.sh --profile
	bash test/bench/sets/run.sh

# ---- sets and triggers (test/bench/sets/, docs/benchmarks.md) ---------------
# Rows per second of a set-returning wasm function against PostgreSQL's C
# SRFs and PL/pgSQL, and a BEFORE ROW trigger in wasm against PL/pgSQL.
bench-sets:
	bash test/bench/sets/run.sh
.PHONY: bench-sets

# ---- engine benchmarks (test/bench/, docs/benchmarks.md) -------------------
# Kernels and the broad suite (CoreMark, PolyBench/C, LZ4: test/bench/suite.sh)
# natively, through wasm-run and through node, plus module load time; about
# 6 minutes.  Options in BENCH_ARGS, e.g. make bench-engine BENCH_ARGS=--cpu.
# Informational only: never part of `make test`.
bench-engine:
	bash test/bench/run.sh $(BENCH_ARGS)

# ---- Citus benchmark (test/bench/citus/, docs/benchmarks.md) ----------------
bench-citus:
	bash test/bench/citus/run.sh
.PHONY: bench-citus
