#!/usr/bin/env bash
# examples/build.sh — build every example guest module into build/examples/.
#
#   bash examples/build.sh [OUTDIR]
#
# Rust examples: rustc --target wasm32-unknown-unknown (packages rustc and
# libstd-rust-dev-wasm32); skipped with a note when no rustc has that target.
# C examples: clang --target=wasm32-wasi with Debian's wasi-libc (reactor
# model, no main) and the wasm32 compiler-rt builtins
# (packages clang, lld, wasi-libc, libclang-rt-14-dev-wasm32).
# WAT examples: wat2wasm (package wabt).
# AssemblyScript examples: npm's assemblyscript, pinned by
# examples/assemblyscript/package-lock.json; skipped with a note without npm.
# Each module's exports are checked against the list below with wasm-objdump,
# so a silently dropped export fails the build.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$root/build/examples}"
mkdir -p "$out"

CLANG="${CLANG:-$(command -v clang-14 || command -v clang || true)}"
WAT2WASM="${WAT2WASM:-$(command -v wat2wasm || true)}"
OBJDUMP="${WASM_OBJDUMP:-$(command -v wasm-objdump || true)}"
[ -n "$CLANG" ] || { echo "build.sh: clang not found (apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32)" >&2; exit 1; }
[ -n "$WAT2WASM" ] || { echo "build.sh: wat2wasm not found (apt-get install wabt)" >&2; exit 1; }

# -mexec-model=reactor: link crt1-reactor.o, which exports _initialize (runs
#   C constructors); there is no _start and no main.
# -Wl,--strip-debug: drop DWARF but keep the name section, so traps report
#   function names in their backtrace.
# shellcheck disable=SC2054  # the comma in -Wl,--strip-debug is intended
CFLAGS=(--target=wasm32-wasi -O2 -Wall -Wextra -Werror -std=c11 -D_DEFAULT_SOURCE
        -mexec-model=reactor -Wl,--strip-debug -I"$here/c")

# module -> exports it must have.
declare -A expect=(
	[textkit]="slugify normalize_email word_count cabi_realloc free _initialize memory"
	[vecmath]="cosine_similarity dot_product l2_norm l2_distance unit_vector cabi_realloc free _initialize memory"
	[checksum]="crc32 fnv1a64 adler32 cabi_realloc free _initialize memory"
	[hll]="hll_add hll_merge hll_count cabi_realloc free _initialize memory"
	[jsonkit]="json_get json_has json_valid cabi_realloc free _initialize memory"
	[add]="add idiv mul_add"
	[fib]="fib fib_rec memory"
	[fuzzy]="levenshtein title_case median cabi_realloc free memory"
	[urlkit]="normalize_url url_host url_param cabi_realloc free memory"
	[logsplit]="csv_fields csv_fields_next csv_fields_close cabi_post_csv_fields_next parse_log parse_log_next parse_log_close logs_normalize cabi_realloc free _initialize memory"
	[logsplit_rs]="csv_fields csv_fields_next csv_fields_close parse_log parse_log_next parse_log_close logs_normalize cabi_realloc free memory"
)

check_exports() {
	local name="$1" wasm="$2" e exports
	[ -n "$OBJDUMP" ] || return 0
	exports="$("$OBJDUMP" -x -j Export "$wasm" | sed -n 's/.*-> "\(.*\)"$/\1/p')"
	for e in ${expect[$name]:-}; do
		if ! grep -qx -- "$e" <<<"$exports"; then
			echo "build.sh: $wasm lacks export '$e'" >&2
			exit 1
		fi
	done
}

for src in "$here"/c/*.c; do
	name="$(basename "$src" .c)"
	"$CLANG" "${CFLAGS[@]}" -o "$out/$name.wasm" "$src"
	check_exports "$name" "$out/$name.wasm"
	printf '  %-14s %7d bytes  (C)\n' "$name.wasm" "$(stat -c %s "$out/$name.wasm")"
done

for src in "$here"/wat/*.wat; do
	name="$(basename "$src" .wat)"
	# --debug-names keeps the $names, so trap backtraces show them
	"$WAT2WASM" --debug-names -o "$out/$name.wasm" "$src"
	check_exports "$name" "$out/$name.wasm"
	printf '  %-14s %7d bytes  (WAT)\n' "$name.wasm" "$(stat -c %s "$out/$name.wasm")"
done
# A rustc that can target wasm32-unknown-unknown: $RUSTC, else the one in
# PATH, else Debian's (a rustup toolchain in PATH often lacks the target).
find_rustc() {
	local r
	for r in ${RUSTC:-} $(command -v rustc || true) /usr/bin/rustc; do
		if [ -x "$r" ] && [ -d "$("$r" --print sysroot 2>/dev/null)/lib/rustlib/wasm32-unknown-unknown" ]; then
			echo "$r"
			return
		fi
	done
}
rustc_wasm="$(find_rustc)"
for src in "$here"/rust/*.rs; do
	name="$(basename "$src" .rs)"
	if [ -z "$rustc_wasm" ]; then
		printf '  %-14s skipped: no rustc with the wasm32-unknown-unknown target (apt-get install rustc libstd-rust-dev-wasm32)\n' "$name.wasm"
		continue
	fi
	"$rustc_wasm" --target wasm32-unknown-unknown --crate-type cdylib -O -C strip=debuginfo \
		-o "$out/$name.wasm" "$src"
	check_exports "$name" "$out/$name.wasm"
	printf '  %-14s %7d bytes  (Rust)\n' "$name.wasm" "$(stat -c %s "$out/$name.wasm")"
done

# AssemblyScript examples: the compiler comes from npm, at the version
# examples/assemblyscript/package-lock.json pins, installed by `npm ci` into
# $out/npm (node_modules never lands in the source tree).  Skipped with a note
# when npm, Node.js >= 20 or the registry is missing.
as_dir="$here/assemblyscript"
as_skip() {
	local src name
	for src in "$as_dir"/assembly/*.ts; do
		name="$(basename "$src" .ts)"
		[ "$name" = pgwasm ] && continue	# the glue, not a module
		printf '  %-14s skipped: %s\n' "$name.wasm" "$1"
	done
}
if ! command -v npm >/dev/null; then
	as_skip "no npm (Node.js 20 or later with npm)"
elif ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
	as_skip "Node.js $(node --version) is older than 20, which assemblyscript 0.28 needs"
else
	npm_dir="$out/npm"
	mkdir -p "$npm_dir"
	cp "$as_dir/package.json" "$as_dir/package-lock.json" "$npm_dir/"
	# A cache of our own when npm's default one (under $HOME) is not writable.
	if [ -z "${npm_config_cache:-}" ] && ! { mkdir -p "${HOME:-/nonexistent}/.npm" && [ -w "$HOME/.npm" ]; } 2>/dev/null; then
		export npm_config_cache="$out/npm-cache"
	fi
	if ! npm ci --prefix "$npm_dir" --no-audit --no-fund --loglevel=error >"$npm_dir/install.log" 2>&1; then
		cat "$npm_dir/install.log" >&2
		as_skip "npm ci failed (is the npm registry reachable?), see above"
	else
		for src in "$as_dir"/assembly/*.ts; do
			name="$(basename "$src" .ts)"
			[ "$name" = pgwasm ] && continue
			# asc names the abort handler by its path relative to the
			# current directory, hence the cd.
			# --runtime minimal: see the top of assembly/pgwasm.ts.
			(cd "$as_dir" && "$npm_dir/node_modules/.bin/asc" "assembly/$name.ts" --optimize \
				--runtime minimal --use abort=assembly/pgwasm/abort -o "$out/$name.wasm")
			# asc writes no custom sections: declare.mjs appends the
			# module's "// @pgwasm-sql" declarations as pgwasm_functions.
			node "$as_dir/declare.mjs" "$out/$name.wasm" "$src" >/dev/null
			check_exports "$name" "$out/$name.wasm"
			printf '  %-14s %7d bytes  (AssemblyScript)\n' "$name.wasm" "$(stat -c %s "$out/$name.wasm")"
		done
	fi
fi
echo "examples built in $out"
