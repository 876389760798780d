# test/bench/cluster.sh — the throwaway PostgreSQL cluster of the SQL
# benchmarks (test/bench/compare/run.sh, test/bench/sql/run.sh), sourced by
# them.  The server never runs as root: as root, everything runs as the
# postgres OS user.  Settings favour repeatable timings over durability: no
# fsync, no autovacuum, no JIT (it would start in some queries and not in
# others), no parallel query unless a query asks for it, a private Unix
# socket and no TCP.
#
# Needs: bindir (the server's binaries), die() and say().
#   bench_cluster_init DIR TMPNAME  sets pguser, as_pg, pgdir (DIR, or a
#                                   mktemp directory named TMPNAME.XXXXXX
#                                   when the server user cannot enter DIR),
#                                   data, sock, guest; stops a cluster left
#                                   there by an interrupted run and empties
#                                   them (KEEP=1: the data directory is kept
#                                   at exit)
#   bench_cluster_start PORT CONF   initdb, the settings above plus the
#                                   lines CONF, start; exports PGHOST etc.
#   bench_cluster_stop              stop it (also on EXIT)
#   bench_cluster_restart

bench_cluster_init() {
	if [[ $(id -u) == 0 ]]; then
		pguser=postgres
		as_pg() { runuser -u postgres -- "$@"; }
	else
		pguser="$(id -un)"
		as_pg() { "$@"; }
	fi
	pgdir="$1"
	mkdir -p "$pgdir"
	as_pg test -x "$pgdir" || pgdir="$(mktemp -d "/tmp/$2.XXXXXX")"
	data="$pgdir/data"
	sock="$pgdir/sock"
	guest="$pgdir/guest"
	trap bench_cluster_cleanup EXIT
	bench_cluster_cleanup
	rm -rf "$data" "$sock" "$guest"
	mkdir -p "$sock" "$guest"
}

bench_cluster_stop() {
	if [[ -f $data/postmaster.pid ]]; then
		as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 ||
			as_pg "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
}

bench_cluster_cleanup() {
	bench_cluster_stop
	((${KEEP:-0})) || rm -rf "$data"
}

bench_cluster_start() {
	local port="$1" conf="$2"
	[[ $(id -u) == 0 ]] && chown -R "$pguser" "$pgdir"
	say "starting a cluster in $data (socket $sock, port $port)"
	as_pg "$bindir/initdb" -D "$data" -U "$pguser" -A trust --no-sync -E UTF8 --locale=C.UTF-8 \
		>"$pgdir/initdb.log" 2>&1 || { cat "$pgdir/initdb.log"; die "initdb failed"; }
	cat >>"$data/postgresql.conf" <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$sock'
		port = $port
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		autovacuum = off
		jit = off
		max_parallel_workers_per_gather = 0
		log_min_messages = warning
		$conf
	EOF
	as_pg "$bindir/pg_ctl" -D "$data" -l "$pgdir/server.log" -w -t 60 start >/dev/null ||
		{ cat "$pgdir/server.log"; die "the server did not start"; }
	export PGHOST="$sock" PGPORT="$port" PGUSER="$pguser" PGDATABASE=postgres
}

bench_cluster_restart() {
	as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
	as_pg "$bindir/pg_ctl" -D "$data" -l "$pgdir/server.log" -w -t 60 start >/dev/null
}
