# Sourced by scripts/test: a throwaway PostgreSQL 15 cluster for the PostgreSQL variants of the store and
# API suites (docs/TOOLCHAIN recipe: initdb and postgres refuse root, so the cluster folder belongs to the
# postgres user and both run through runuser). Trust authentication on 127.0.0.1 only, fsync off.
#   test_pg_start [PORT]  -> exports RECTIFY_TEST_PG=postgresql://postgres@127.0.0.1:PORT/postgres; returns 1
#                            (and says why) when PostgreSQL 15 is missing or does not start
#   test_pg_stop          -> stops the cluster and removes its folder (safe to call twice)
test_pg_bin=/usr/lib/postgresql/15/bin
test_pg_dir=""

test_pg_start() {
  local port=${1:-55432}
  if [[ ! -x $test_pg_bin/initdb ]]; then
    echo "== postgresql: $test_pg_bin/initdb not found (scripts/install-deps installs postgresql-15)"; return 1
  fi
  test_pg_dir=$(mktemp -d /tmp/rectify-pg.XXXXXX)
  local as=()
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$test_pg_dir"
    as=(runuser -u postgres --)
  fi
  if ! "${as[@]}" "$test_pg_bin/initdb" -D "$test_pg_dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
       >"$test_pg_dir/initdb.log" 2>&1; then
    echo "== postgresql: initdb failed:"; cat "$test_pg_dir/initdb.log"; return 1
  fi
  # In the cluster's configuration rather than pg_ctl -o, so a restart by a test ($RECTIFY_TEST_PG_CTL start,
  # tests/api/postgres_restart_test.cpp) comes back on the same port.
  cat >>"$test_pg_dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$test_pg_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
  if ! "${as[@]}" "$test_pg_bin/pg_ctl" -D "$test_pg_dir/data" -l "$test_pg_dir/server.log" -w -t 30 \
       start >/dev/null; then
    echo "== postgresql: pg_ctl start failed (port $port taken?):"; tail -n 20 "$test_pg_dir/server.log"; return 1
  fi
  export RECTIFY_TEST_PG="postgresql://postgres@127.0.0.1:$port/postgres"
  export RECTIFY_TEST_PG_CTL="$test_pg_bin/pg_ctl -D $test_pg_dir/data"
  echo "== postgresql: 15 running at $RECTIFY_TEST_PG"
}

test_pg_stop() {
  [[ -n $test_pg_dir && -d $test_pg_dir ]] || return 0
  local as=()
  [[ $(id -u) -eq 0 ]] && as=(runuser -u postgres --)
  "${as[@]}" "$test_pg_bin/pg_ctl" -D "$test_pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$test_pg_dir"
  test_pg_dir=""
  unset RECTIFY_TEST_PG RECTIFY_TEST_PG_CTL
}
