#!/usr/bin/env bash
# test/deps.sh — install the Debian 12 packages pgwasm's build and tests need.
#
# Idempotent: asks dpkg which packages are missing and only then runs
# `apt-get update` and `apt-get install -y --no-install-recommends` for them,
# so on a prepared machine it does nothing and needs no network.  Installing
# needs root; run by another user with something missing, it names the
# missing packages and fails.  The packages: a C toolchain (build-essential),
# clang/lld with the wasm32 target (wasi-libc, compiler-rt builtins) to build
# the example modules, wabt (wat2wasm, wast2json) and binaryen for test
# fixtures and the spec suite, libzstd and libjansson (the extension and the
# spec runner), libssl (wasm-run's code cache names modules by SHA-256),
# llvm-14-dev (the native tier's back end, build/wasmrt-llvm.so),
# PostgreSQL 15 with its server headers, and IPC::Run for the TAP tests.
set -euo pipefail

PACKAGES=(
	build-essential
	clang
	lld
	wabt
	wasi-libc
	libclang-rt-14-dev-wasm32
	libclang-rt-14-dev
	llvm-14-dev
	libzstd-dev
	libjansson-dev
	libssl-dev
	postgresql-15
	postgresql-server-dev-15
	libipc-run-perl
	binaryen
	rustc
	libstd-rust-dev-wasm32
)

missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	if [ "$status" != "installed" ]; then
		missing+=("$pkg")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} packages installed"
	exit 0
fi

echo "deps: missing packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: not root: install them with" >&2
	echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
echo "deps: installed ${missing[*]}"
