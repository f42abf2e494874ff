#!/usr/bin/env bash
# Hand-run checks of with_server.sh (not registered with Meson: it needs no dorm build).
#   bash test/servers/with_server_selftest.sh [postgresql|mysql ...]
# Checks, per backend: the URL works with the backend's own client; the test's exit
# status comes back; a killed test and a killed with_server.sh leave no server and
# no temporary directory behind; a taken port is retried; instances run in
# parallel; an external server gets a fresh database that is dropped afterwards;
# a server that cannot start is an error with its log, never a skip; the test can
# restart the server (DORM_TEST_SERVER_RESTART: same port and data, a new server
# process, stopped by the cleanup), but not an external one. As root it also runs
# the checks once as an unprivileged user.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ws=$here/with_server.sh
backends=("$@")
(( ${#backends[@]} )) || backends=(postgresql mysql)

passed=0
failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
check() { # description, command...
  local d=$1
  shift
  if "$@"; then ok "$d"; else bad "$d"; fi
}

# a command (run inside with_server.sh) that runs SQL given as $1 on $DORM_TEST_URL
sql_cmd() { # backend -> prints a sh -c script
  case "$1" in
    postgresql) echo 'psql "$DORM_TEST_URL" -XAtqc "$1"' ;;
    mysql) echo 'u=${DORM_TEST_URL#*://}; hp=${u#*@}; h=${hp%%:*}; p=${hp#*:}; p=${p%%/*}; db=${hp#*/}; mariadb --no-defaults -h"$h" -P"$p" -uroot -N -B "$db" -e "$1"' ;;
  esac
}

server_procs() { # our throwaway servers still running (the ones using /tmp/dorm-*)
  pgrep -af 'dorm-(pg|my)\.' | grep -Ev 'pgrep|with_server_selftest' || true
}

leftovers() {
  # after a signal, with_server.sh leaves stopping the server and removing its
  # directory to a detached process: give that a few seconds
  local procs dirs i
  for ((i = 0; i < 150; i++)); do
    procs=$(server_procs)
    dirs=$(ls -d /tmp/dorm-pg.* /tmp/dorm-my.* 2>/dev/null || true)
    [[ -z "$procs$dirs" ]] && return 0
    sleep 0.1
  done
  if [[ -n "$procs$dirs" ]]; then
    printf '  leftover processes:\n%s\n  leftover dirs:\n%s\n' "$procs" "$dirs"
    return 1
  fi
  return 0
}

expect_status() { # expected, command...
  local want=$1 got=0
  shift
  "$@" >/tmp/ws-selftest.out 2>&1 || got=$?
  if [[ "$got" != "$want" ]]; then
    printf '  expected status %s, got %s; output:\n' "$want" "$got"
    sed 's/^/    /' /tmp/ws-selftest.out
    return 1
  fi
}

run_checks() { # backend
  local b=$1 q
  q=$(sql_cmd "$b")

  check "$b: select 1 through DORM_TEST_URL" \
    expect_status 0 "$ws" "$b" sh -c "$q" sh 'select 1'
  check "$b: output of the test is passed through" \
    bash -c "'$ws' '$b' sh -c '$q' sh 'select 40+2' 2>/dev/null | grep -qx 42"
  check "$b: no leftovers after success" leftovers

  check "$b: the test's exit status 3 comes back" expect_status 3 "$ws" "$b" sh -c 'exit 3'
  check "$b: a test killed by SIGKILL gives 137" expect_status 137 "$ws" "$b" sh -c 'kill -9 $$'
  check "$b: missing test executable gives 127" expect_status 127 "$ws" "$b" /nonexistent/test-exe
  check "$b: no leftovers after failures" leftovers

  # with_server.sh itself killed while the test runs (as meson does on a timeout)
  "$ws" "$b" sleep 60 >/tmp/ws-selftest.out 2>&1 &
  local pid=$! i
  for ((i = 0; i < 100; i++)); do
    grep -q ' up on ' /tmp/ws-selftest.out && break
    sleep 0.1
  done
  sleep 0.3
  kill -TERM "$pid"
  local st=0
  wait "$pid" || st=$?
  check "$b: SIGTERM to with_server.sh gives 143" test "$st" = 143
  check "$b: no leftovers after SIGTERM" leftovers

  # restart on request: a new server process on the same port and data; the cleanup stops it
  cat >/tmp/ws-selftest.restart.sh <<'EOF'
# runs inside with_server.sh; $1 = a sh -c script that runs the SQL given as its $1
set -eu
q=$1
sql() { sh -c "$q" sh "$1"; }
server_pid() {
  d=$(dirname "$DORM_TEST_SERVER_RESTART")
  if [ -f "$d/data/postmaster.pid" ]; then head -n 1 "$d/data/postmaster.pid"; else cat "$d/mariadbd.pid"; fi
}
sql 'create table ws_restart (x int)'
sql 'insert into ws_restart values (41)'
before=$(server_pid)
"$DORM_TEST_SERVER_RESTART"
after=$(server_pid)
[ "$before" != "$after" ] || { echo "the server pid did not change ($before)"; exit 1; }
sql 'select x + 1 from ws_restart'
"$DORM_TEST_SERVER_RESTART"
sql 'select x + 2 from ws_restart'
EOF
  "$ws" "$b" bash /tmp/ws-selftest.restart.sh "$q" >/tmp/ws-selftest.out 2>&1 && st=0 || st=$?
  check "$b: DORM_TEST_SERVER_RESTART restarts the server twice" test "$st" = 0
  check "$b: ... same port and data, a new server process" \
    bash -c "grep -qx 42 /tmp/ws-selftest.out && grep -qx 43 /tmp/ws-selftest.out"
  check "$b: ... logged" grep -q "server restarted in" /tmp/ws-selftest.out
  check "$b: no leftovers after restarts" leftovers
  # shellcheck disable=SC2016 # expanded by the test's shell
  "$ws" "$b" bash -c '"$DORM_TEST_SERVER_RESTART" && echo restarted-ok && sleep 60' >/tmp/ws-selftest.out 2>&1 &
  pid=$!
  for ((i = 0; i < 300; i++)); do
    grep -q restarted-ok /tmp/ws-selftest.out && break
    sleep 0.1
  done
  kill -TERM "$pid"
  st=0
  wait "$pid" || st=$?
  check "$b: SIGTERM after a restart gives 143" test "$st" = 143
  check "$b: no leftovers after a restart and SIGTERM (the new server is stopped)" leftovers

  # a port that is bound (not listening, so the free-port probe misses it): retried
  local port=$((20000 + RANDOM % 30000))
  python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); print("bound", flush=True); time.sleep(30)' "$port" >/tmp/ws-selftest.bind &
  local holder=$!
  for ((i = 0; i < 50; i++)); do grep -q bound /tmp/ws-selftest.bind 2>/dev/null && break; sleep 0.1; done
  DORM_SERVER_TRY_PORT=$port "$ws" "$b" sh -c "$q" sh 'select 1' >/tmp/ws-selftest.out 2>&1 && st=0 || st=$?
  kill "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
  check "$b: a taken port is retried" test "$st" = 0
  check "$b: ... and the retry was logged" grep -q "port $port was taken" /tmp/ws-selftest.out

  # parallel instances
  local pids=() n=4 fails=0
  for ((i = 0; i < n; i++)); do
    "$ws" "$b" sh -c "$q" sh 'select 1' >/dev/null 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || fails=$((fails + 1)); done
  check "$b: $n instances in parallel" test "$fails" = 0
  check "$b: no leftovers after parallel runs" leftovers

  # external server: a fresh database per run, dropped afterwards
  local var=DORM_TEST_POSTGRESQL_URL list_dbs="select datname from pg_database where datname like 'dorm\\_%'"
  [[ "$b" == mysql ]] && var=DORM_TEST_MYSQL_URL list_dbs="show databases like 'dorm\\_%'"
  # outer: throwaway server; inner: with_server.sh told to use it, twice in parallel
  local inner="$var=\"\$DORM_TEST_URL\" '$ws' '$b' sh -c '$q' sh 'select 7' & a=\$!
    $var=\"\$DORM_TEST_URL\" '$ws' '$b' sh -c 'echo \"\$DORM_TEST_URL\"; $q' sh 'select 7' > /tmp/ws-selftest.inner & b=\$!
    wait \$a && wait \$b || exit 1
    sh -c '$q' sh \"$list_dbs\""
  "$ws" "$b" sh -c "$inner" >/tmp/ws-selftest.out 2>&1 && st=0 || st=$?
  check "$b: external server runs" test "$st" = 0
  check "$b: external server: test URL names a dorm_<random> database" \
    grep -Eq '/dorm_[0-9a-f]{12}$' /tmp/ws-selftest.inner
  check "$b: external server: databases dropped afterwards" \
    bash -c "! grep -q '^dorm_' /tmp/ws-selftest.out"
  # an external server cannot be restarted: the variable is unset, also when an outer
  # with_server.sh (a throwaway server) had set it
  "$ws" "$b" sh -c "$var=\"\$DORM_TEST_URL\" '$ws' '$b' sh -c 'echo \"restart=\${DORM_TEST_SERVER_RESTART-unset}\"'" \
    >/tmp/ws-selftest.out 2>&1 || true
  check "$b: external server: DORM_TEST_SERVER_RESTART is unset" grep -qx 'restart=unset' /tmp/ws-selftest.out
  check "$b: external server: unreachable server is an error" \
    expect_status 1 env "$var=${b}://root@127.0.0.1:1/x" "$ws" "$b" true
  check "$b: no leftovers after external runs" leftovers
}

for b in "${backends[@]}"; do
  run_checks "$b"
done

# PostgreSQL that fails to start: log on stderr, non-zero status, nothing left behind
if [[ " ${backends[*]} " == *" postgresql "* ]]; then
  fake=$(mktemp -d)
  real=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  ln -s "$real/initdb" "$fake/initdb"
  printf '#!/bin/sh\necho "FATAL: simulated start failure" >&2\nexit 1\n' >"$fake/pg_ctl"
  chmod 755 "$fake" "$fake/pg_ctl"
  check "postgresql: a server that fails to start is an error (1)" \
    expect_status 1 env DORM_PG_BINDIR="$fake" "$ws" postgresql true
  check "postgresql: ... with its log on stderr" grep -q 'simulated start failure' /tmp/ws-selftest.out
  check "postgresql: ... and nothing left behind" leftovers
  rm -rf "$fake"
  check "postgresql: missing server binaries are an error" \
    expect_status 1 env DORM_PG_BINDIR=/nonexistent "$ws" postgresql true
fi
check "bad usage is an error" expect_status 2 "$ws" oracle true

# the same as an unprivileged user
if (( EUID == 0 )) && [[ "${WS_SELFTEST_NESTED:-0}" != 1 ]] && id postgres >/dev/null 2>&1; then
  printf -- '--- again as user postgres (non-root path)\n'
  rm -f /tmp/ws-selftest.*
  copy=$(mktemp -d /tmp/ws-selftest-copy.XXXXXX)
  cp "$ws" "$here/with_server_selftest.sh" "$copy/"
  chmod 755 "$copy"
  if runuser -u postgres -- env WS_SELFTEST_NESTED=1 bash "$copy/with_server_selftest.sh" "${backends[@]}"; then
    ok "all checks as user postgres"
  else
    bad "checks as user postgres"
  fi
  rm -rf "$copy"
fi
rm -f /tmp/ws-selftest.*

printf '%s passed, %s failed\n' "$passed" "$failed"
(( failed == 0 ))
