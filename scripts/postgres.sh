# Sourced by scripts/test: a throw-away PostgreSQL cluster on loopback for the store's tests.
#   pg_test_start   installs PostgreSQL from Debian if missing (needs root), initdb's a fresh
#                   cluster under $PG_TEST_DIR as the unprivileged user postgres, starts it on
#                   127.0.0.1:$PG_TEST_PORT (no TCP on other addresses; its socket in the
#                   cluster's directory), creates the database and exports BULWARK_TEST_PG_URL.
#   pg_test_stop    stops it and removes its files.
# Idempotent: a cluster left by an interrupted run is stopped and replaced.
PG_TEST_PORT="${PG_TEST_PORT:-55432}"
PG_TEST_DIR="${PG_TEST_DIR:-${TMPDIR:-/tmp}/bulwark-test-pg}"

pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$d" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

pg_as() {  # runs a command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_test_start() {
  if [ -z "$(pg_bin)" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "bulwark: installing postgresql with apt-get ..." >&2
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    else
      echo "bulwark: PostgreSQL is needed for the store's tests (apt-get install postgresql)" >&2
      return 1
    fi
  fi
  local bin; bin="$(pg_bin)"
  pg_test_stop
  mkdir -p "$PG_TEST_DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_TEST_DIR"
  pg_as "$bin/initdb" -D "$PG_TEST_DIR/data" -U bulwark --auth=trust -E UTF8 >"$PG_TEST_DIR/initdb.log" 2>&1 \
    || { cat "$PG_TEST_DIR/initdb.log" >&2; return 1; }
  pg_as "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_TEST_PORT -k $PG_TEST_DIR -c fsync=on -c synchronous_commit=on" \
    >/dev/null || { cat "$PG_TEST_DIR/server.log" >&2; return 1; }
  pg_as "$bin/createdb" -h 127.0.0.1 -p "$PG_TEST_PORT" -U bulwark bulwark_test
  export BULWARK_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$PG_TEST_PORT/bulwark_test?user=bulwark"
}

pg_test_stop() {
  local bin; bin="$(pg_bin)" || return 0
  if [ -f "$PG_TEST_DIR/data/postmaster.pid" ]; then
    pg_as "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_TEST_DIR"
}
