/*
 * unit.h — the small test framework of the runtime unit tests (test/unit/).
 *
 * A test is a `void test_NAME(void)` function listed in UNIT_TESTS below;
 * main.c runs each one in a child process (so a crash or a hang fails only
 * that test) and prints a closing line `N passed, N failed`.  CHECK-style
 * macros record the first failure with its file and line and return from
 * the test.  Helpers load the WAT fixtures (compiled by test/runtime.mk to
 * build/fixtures/NAME.wasm, directory given as argv[1]) and create stores;
 * the framework frees every store and module they made after the test, so
 * the tests stay leak-free under LeakSanitizer even when a check fails.
 */
#ifndef UNIT_H
#define UNIT_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wasmrt.h"

/* Every test, in the order they run. */
#define UNIT_TESTS(X) \
	X(malformed_bad_magic) \
	X(malformed_bad_version) \
	X(malformed_truncated) \
	X(malformed_truncated_fixture) \
	X(simd_body_runs) \
	X(simd_type_loads) \
	X(simd_lane_insert) \
	X(simd_shuffle_versions) \
	X(simd_api_call) \
	X(simd_slot_model) \
	X(simd_deep_recursion) \
	X(simd_globals) \
	X(simd_lane_loads) \
	X(simd_lane_stores) \
	X(tier_simd_api_call) \
	X(tier_simd_slot_model) \
	X(tier_simd_deep_recursion) \
	X(tier_simd_globals) \
	X(tier_simd_lane_loads) \
	X(tier_simd_lane_stores) \
	X(simd_host_import_refused) \
	X(host_typed_params_and_user) \
	X(host_direct_call) \
	X(host_failure_traps) \
	X(link_errors) \
	X(interrupt_from_host) \
	X(interrupt_from_thread) \
	X(interrupt_handler_continues) \
	X(fuel_exhausted) \
	X(fuel_consumed_linear) \
	X(fuel_charged_per_call) \
	X(memory_limit_grow) \
	X(memory_limit_instantiate) \
	X(memory_grow_2gib_mapped) \
	X(memory_grow_1gib_mapped) \
	X(memory_grow_allocator) \
	X(memory_reset_large_tail) \
	X(memory_end_every_width) \
	X(memory_limit_raised_moves) \
	X(reset_initial_state) \
	X(reset_to_snapshot) \
	X(stack_exhaustion_recovers) \
	X(stack_frame_limit) \
	X(trap_backtrace_names) \
	X(trap_backtrace_across_instances) \
	X(introspection_imports) \
	X(introspection_exports) \
	X(reentrant_host_call) \
	X(trapkind_names) \
	X(regress_memory_limit_raised) \
	X(regress_backtrace_export_name) \
	X(regress_fusion_across_label) \
	X(fused_superinstructions) \
	X(fused_set_keeps_old) \
	X(fusion_rows_tested) \
	X(ir_table) \
	X(ir_defuse) \
	X(ir_verify_fixtures) \
	X(ir_verify_rejects) \
	X(ir_disasm) \
	X(cost_linear_shapes) \
	X(cost_moves) \
	X(cost_interrupt) \
	X(cost_code_limit) \
	X(cost_arity_limit) \
	X(reader_every_opcode) \
	X(reader_immediates) \
	X(reader_malformed) \
	X(reader_extended_const) \
	X(tier_eager_results) \
	X(tier_calls_and_tables) \
	X(tier_trap_backtrace) \
	X(tier_memory_grow) \
	X(tier_runaway_recursion) \
	X(tier_backtraces_match) \
	X(tier_interrupt_native_loop) \
	X(tier_tiered_thresholds) \
	X(tier_fuel_interprets) \
	X(tier_library_missing) \
	X(tier_osr_results) \
	X(tier_osr_trap) \
	X(tier_osr_interrupt) \
	X(tier_osr_running_calls) \
	X(tier_osr_fuel) \
	X(tier_loops_then_calls) \
	X(tier_short_calls_whole) \
	X(tier_frame_limit_exact) \
	X(tier_calls_between_units) \
	X(tier_loop_versions) \
	X(tier_loop_versions_random) \
	X(tier_nan_signs) \
	X(tier_minmax_reorder) \
	X(tier_cache_hit) \
	X(tier_cache_damaged) \
	X(tier_cache_osr) \
	X(tier_cache_without_backend) \
	X(tier_objload_hostile)

#define UNIT_DECLARE(name) void test_##name(void);
UNIT_TESTS(UNIT_DECLARE)
#undef UNIT_DECLARE

/* Record a failure of the running test (printf-style). */
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* True once the running test has failed. */
bool unit_failed(void);

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			unit_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); \
			return; \
		} \
	} while (0)

#define CHECKF(cond, ...) \
	do { \
		if (!(cond)) { \
			unit_fail(__FILE__, __LINE__, __VA_ARGS__); \
			return; \
		} \
	} while (0)

#define CHECK_EQ(a, b) \
	do { \
		int64_t a_ = (int64_t)(a), b_ = (int64_t)(b); \
		if (a_ != b_) { \
			unit_fail(__FILE__, __LINE__, "%s == %s: %" PRId64 " != %" PRId64, \
					  #a, #b, a_, b_); \
			return; \
		} \
	} while (0)

#define CHECK_CONTAINS(hay, needle) \
	do { \
		const char *h_ = (hay), *n_ = (needle); \
		if (!h_ || !strstr(h_, n_)) { \
			unit_fail(__FILE__, __LINE__, "%s contains \"%s\": got \"%s\"", \
					  #hay, n_, h_ ? h_ : "(null)"); \
			return; \
		} \
	} while (0)

/* The store's last trap is of kind want (names both kinds if not). */
#define CHECK_TRAP(store, want) \
	do { \
		const wrt_trap *t_ = wrt_store_trap(store); \
		if (!t_ || t_->kind != (want)) { \
			unit_fail(__FILE__, __LINE__, "trap %s (\"%s\"), expected %s", \
					  t_ ? wrt_trapkind_name(t_->kind) : "(none)", \
					  t_ ? t_->message : "", wrt_trapkind_name(want)); \
			return; \
		} \
	} while (0)

/* Return from the test if a helper already recorded a failure. */
#define NEED(x) \
	do { \
		if (!(x)) { \
			if (!unit_failed()) \
				unit_fail(__FILE__, __LINE__, "%s failed", #x); \
			return; \
		} \
	} while (0)

/* ---- helpers (main.c) ---------------------------------------------------- */

/* Bytes of build/fixtures/NAME.wasm (malloc'd, freed after the test). */
uint8_t *unit_fixture_bytes(const char *name, size_t *len);
/* Load and validate a fixture; records a failure and returns NULL if it fails. */
wrt_module *unit_fixture(const char *name);
/* A new store, freed after the test. */
wrt_store *unit_store(void);
/* Instantiate; records a failure (with the error) and returns NULL if it fails. */
wrt_instance *unit_instantiate(wrt_store *s, wrt_module *m,
							   const wrt_extern *imports, size_t n);
/* An exported function, or NULL with a failure recorded. */
wrt_func *unit_export_func(wrt_instance *inst, const char *name);
/* Call f, whose parameters and results are all i32; returns false (with the
 * trap) on a trap without recording a failure. */
bool unit_call_i32(wrt_store *s, wrt_func *f, const int32_t *args, int32_t *result);
/* Same by export name; records a failure if the call traps. */
bool unit_invoke_i32(wrt_store *s, wrt_instance *inst, const char *name,
					 const int32_t *args, int32_t *result);
wrt_extern unit_func_extern(wrt_func *f);

#endif
