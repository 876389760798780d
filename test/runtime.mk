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
$(RT_BUILD)/wasm-run: test/wasm-run.c $(RT_BUILD)/libwasmrt.a
	$(RT_CC) $(RT_CFLAGS) -Iruntime $< $(RT_BUILD)/libwasmrt.a -lm -o $@

$(RT_BUILD)/spec-runner: test/spec/spec-runner.c $(RT_BUILD)/libwasmrt.a
	$(RT_CC) $(RT_CFLAGS) -Iruntime $< $(RT_BUILD)/libwasmrt.a -ljansson -lm -o $@

$(RT_BUILD)/test-runtime: $(wildcard test/unit/*.c test/unit/*.h) $(RT_BUILD)/libwasmrt.a
	$(RT_CC) $(RT_CFLAGS) -pthread -Iruntime $(wildcard test/unit/*.c) $(RT_BUILD)/libwasmrt.a -lm -o $@

# WAT fixtures of the unit tests, compiled once for every build flavour:
# build/test-runtime build/fixtures (the default directory) runs them.
RT_FIXTURES = $(patsubst test/unit/fixtures/%.wat,build/fixtures/%.wasm,$(sort $(wildcard test/unit/fixtures/*.wat)))

build/fixtures/%.wasm: test/unit/fixtures/%.wat
	@mkdir -p $(dir $@)
	wat2wasm --debug-names $< -o $@

fixtures: $(RT_FIXTURES)

runtime: $(RT_BUILD)/libwasmrt.a $(RT_BUILD)/wasm-run $(RT_BUILD)/spec-runner $(RT_BUILD)/test-runtime fixtures

# The same programs under AddressSanitizer + UndefinedBehaviorSanitizer.
runtime-asan:
	$(MAKE) runtime RT_BUILD=build/asan RT_CC=clang \
	  RT_CFLAGS="-std=gnu11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wno-unused-parameter -ffp-contract=off"
.PHONY: fixtures runtime-asan
