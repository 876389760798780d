#!/usr/bin/env bash
# test/citus/build.sh — make Citus 13.2.2 available to this PostgreSQL, for
# the distributed tests (test/tap/009_citus.pl) and benchmark
# (test/bench/citus/run.sh).
#
# Citus is a test dependency: it is never linked into pgwasm.  The source is
# the tarball in ../shared/citus/ beside the repository (with the one-line
# patch Debian's PostgreSQL 15.20 needs, see its README); it is never copied
# into the project.  If a Citus of this version is already installed for
# this PostgreSQL it is reused; otherwise it is unpacked, patched, built
# under build/citus/ (about 4 minutes on 2 cores) and installed, after the
# Debian packages its build needs.  Without ../shared/citus it prints why and
# exits 0: the Citus test then skips itself.
#
# Environment: PG_CONFIG, CITUS_SRC (default ../shared/citus beside the
# repository), CITUS_REBUILD=1 (build even if installed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VERSION=13.2.2
SRC=${CITUS_SRC:-$ROOT/../shared/citus}
PG_CONFIG=${PG_CONFIG:-$(command -v /usr/lib/postgresql/15/bin/pg_config || command -v pg_config)}
pkglibdir=$("$PG_CONFIG" --pkglibdir)

installed_version() {
	[ -f "$pkglibdir/citus.so" ] || return 0
	grep -a -o "Citus [0-9][0-9.]*[0-9]" "$pkglibdir/citus.so" | head -n1 | cut -d' ' -f2
}

if [ "$(installed_version)" = "$VERSION" ] && [ -z "${CITUS_REBUILD:-}" ]; then
	echo "citus: Citus $VERSION is installed in $pkglibdir: reused"
	exit 0
fi
tarball=$SRC/citus-$VERSION.tar.gz
if [ ! -f "$tarball" ]; then
	echo "citus: $tarball not found: Citus not built (the Citus tests skip themselves)"
	exit 0
fi

# The libraries Citus's configure looks for (its README in ../shared/citus).
packages=(liblz4-dev libzstd-dev libcurl4-openssl-dev libkrb5-dev libselinux1-dev
	libxslt1-dev libpam0g-dev postgresql-server-dev-15)
missing=()
for pkg in "${packages[@]}"; do
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" = installed ] ||
		missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "citus: missing packages ${missing[*]}; install them as root" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends "${missing[@]}"
fi

work=$ROOT/build/citus
rm -rf "$work"
mkdir -p "$work"
tar -xzf "$tarball" -C "$work"
tree=$work/citus-$VERSION
[ -d "$tree" ] || tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n1)
for p in "$SRC"/*.patch; do
	[ -f "$p" ] && patch -d "$tree" -p1 < "$p"
done
echo "citus: building Citus $VERSION in $tree (log: $work/build.log)"
if ! ( cd "$tree" && ./configure PG_CONFIG="$PG_CONFIG" && make -j"$(nproc)" && make install ) \
	>"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log"
	echo "citus: build failed" >&2
	exit 1
fi
echo "citus: installed Citus $(installed_version) in $pkglibdir"
