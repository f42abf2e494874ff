#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2012 # scripts for the tests' shells in single quotes; ls of /usr/lib/postgresql/*/bin
# Hand-run checks of with_server.sh (not registered with Meson: it needs no dorm build).
#   bash test/servers/with_server_selftest.sh [postgresql|mysql|postgresql-replica|mysql-replica ...]
# Checks, per backend: the URL works with the backend's own client; the test's exit
# status comes back; a killed test and a killed with_server.sh leave no server and
# no temporary directory behind; a taken port is retried; instances run in
# parallel; an external server gets a fresh database that is dropped afterwards;
# a server that cannot start is an error with its log, never a skip; the test can
# restart the server (DORM_TEST_SERVER_RESTART: same port and data, a new server
# process, stopped by the cleanup), but not an external one. For the replica backends
# (run_replica_checks): a row written on the primary reaches the replica, the PostgreSQL
# standby refuses writes, DORM_TEST_REPLICA_STOP stops the replica (the primary still
# answers, a second call is harmless, the cleanup copes), a killed or failing run leaves
# neither server nor directory behind, the external primary + replica variables are
# used as they are (and one without the other is an error), a replica that fails to
# start is an error with its log. As root it also runs the checks once as an
# unprivileged user.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ws=$here/with_server.sh
backends=("$@")
(( ${#backends[@]} )) || backends=(postgresql mysql postgresql-replica mysql-replica)

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

# Like leftovers, but only for the temporary directories that with_server.sh logged in the
# given output files (so that servers of test runs going on beside this one do not count).
leftovers_of() { # output file...
  local dirs procs left i d
  dirs=$(grep -ohE '[^ ()]*/dorm-(pg|my)\.[A-Za-z0-9]+' "$@" 2>/dev/null | sort -u) || true
  if [[ -z "$dirs" ]]; then
    printf '  no server directory logged in %s\n' "$*"
    return 1
  fi
  for ((i = 0; i < 150; i++)); do
    procs="" left=""
    for d in $dirs; do
      procs+=$(pgrep -af -- "$d" | grep -Ev 'pgrep|with_server_selftest') || true
      [[ -e "$d" ]] && left+="$d "
    done
    [[ -z "$procs$left" ]] && return 0
    sleep 0.1
  done
  printf '  leftover processes:\n%s\n  leftover dirs:\n%s\n' "$procs" "$left"
  return 1
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

# runs inside with_server.sh for a replica backend: $1 = postgresql | mysql
cat >/tmp/ws-selftest.replica.sh <<'EOF'
set -u
kind=$1
die() { echo "replica-test: $*"; exit 1; }
sql() { # $1 = URL, $2 = SQL
  if [ "$kind" = postgresql ]; then
    psql "$1" -XAtq -v ON_ERROR_STOP=1 -c "$2"
  else
    u=${1#*://}; hp=${u#*@}; h=${hp%%:*}; p=${hp#*:}; p=${p%%/*}; db=${hp#*/}
    mariadb --no-defaults -h"$h" -P"$p" -uroot -N -B --connect-timeout=5 "$db" -e "$2"
  fi
}
[ -n "${DORM_TEST_REPLICA_URL:-}" ] || die "DORM_TEST_REPLICA_URL is not set"
[ -x "${DORM_TEST_REPLICA_STOP:-}" ] || die "DORM_TEST_REPLICA_STOP is not an executable"
[ -z "${DORM_TEST_SERVER_RESTART+x}" ] || die "DORM_TEST_SERVER_RESTART is set"
[ "${DORM_TEST_URL##*/}" = "${DORM_TEST_REPLICA_URL##*/}" ] || die "different databases: $DORM_TEST_URL $DORM_TEST_REPLICA_URL"
[ "$DORM_TEST_URL" != "$DORM_TEST_REPLICA_URL" ] || die "the replica URL is the primary's"
echo "urls: $DORM_TEST_URL $DORM_TEST_REPLICA_URL"
sql "$DORM_TEST_URL" 'create table ws_replica (x int)' || die "create table on the primary failed"
sql "$DORM_TEST_URL" 'insert into ws_replica values (42)' || die "insert on the primary failed"
deadline=$((SECONDS + 20)) got=""
while [ "$got" != 42 ]; do
  [ "$SECONDS" -lt "$deadline" ] || die "the row did not reach the replica in 20 s (last: $got)"
  got=$(sql "$DORM_TEST_REPLICA_URL" 'select x from ws_replica' 2>/dev/null) || got=""
  [ "$got" = 42 ] || sleep 0.1
done
echo replicated-ok
if [ "$kind" = postgresql ]; then
  if sql "$DORM_TEST_REPLICA_URL" 'insert into ws_replica values (1)' >/tmp/ws-selftest.ro 2>&1; then
    die "the standby accepted an INSERT"
  fi
  grep -q 'cannot execute INSERT in a read-only transaction' /tmp/ws-selftest.ro ||
    die "unexpected error from the standby: $(cat /tmp/ws-selftest.ro)"
else
  # root may write despite --read-only (a user without READ_ONLY ADMIN could not)
  [ "$(sql "$DORM_TEST_REPLICA_URL" 'select @@read_only')" = 1 ] || die "the replica is not read-only"
fi
echo read-only-ok
"$DORM_TEST_REPLICA_STOP" || die "DORM_TEST_REPLICA_STOP failed"
if sql "$DORM_TEST_REPLICA_URL" 'select 1' >/dev/null 2>&1; then die "the replica still answers"; fi
[ "$(sql "$DORM_TEST_URL" 'select x + 1 from ws_replica')" = 43 ] || die "the primary does not answer"
"$DORM_TEST_REPLICA_STOP" || die "a second DORM_TEST_REPLICA_STOP failed"
echo replica-stop-ok
EOF

run_replica_checks() { # postgresql-replica | mysql-replica
  local b=$1 kind=${1%-replica} st pid i
  check "$b: write on the primary, read on the replica, read-only replica, DORM_TEST_REPLICA_STOP" \
    expect_status 0 "$ws" "$b" bash /tmp/ws-selftest.replica.sh "$kind"
  check "$b: ... all steps ran" \
    bash -c "grep -qx replicated-ok /tmp/ws-selftest.out && grep -qx read-only-ok /tmp/ws-selftest.out &&
      grep -qx replica-stop-ok /tmp/ws-selftest.out"
  check "$b: ... the start-up time is logged" grep -Eq 'primary \+ (hot standby|replica) ready in [0-9.]+ s' /tmp/ws-selftest.out
  grep -E 'ready in' /tmp/ws-selftest.out | sed 's/^/     /' || true
  check "$b: no leftovers after a run with the replica stopped" leftovers_of /tmp/ws-selftest.out

  check "$b: the test's exit status 3 comes back" expect_status 3 "$ws" "$b" sh -c 'exit 3'
  check "$b: no leftovers after a failing test" leftovers_of /tmp/ws-selftest.out

  # with_server.sh killed while the test runs: both servers stopped, directory removed
  local label cmd mark
  for label in running stopped; do
    cmd='echo test-started; sleep 60' mark=test-started
    [[ "$label" == stopped ]] && cmd='"$DORM_TEST_REPLICA_STOP" && echo replica-stopped && sleep 60' mark=replica-stopped
    "$ws" "$b" bash -c "$cmd" >/tmp/ws-selftest.out 2>&1 &
    pid=$!
    for ((i = 0; i < 600; i++)); do
      grep -q "$mark" /tmp/ws-selftest.out && break
      sleep 0.1
    done
    sleep 0.3
    kill -TERM "$pid"
    st=0
    wait "$pid" || st=$?
    check "$b: SIGTERM to with_server.sh (replica $label) gives 143" test "$st" = 143
    check "$b: no leftovers after SIGTERM (replica $label)" leftovers_of /tmp/ws-selftest.out
  done

  # two runs in parallel
  local pids=() fails=0
  for ((i = 0; i < 2; i++)); do
    "$ws" "$b" bash /tmp/ws-selftest.replica.sh "$kind" >"/tmp/ws-selftest.par$i" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || fails=$((fails + 1)); done
  check "$b: 2 runs in parallel" test "$fails" = 0
  (( fails == 0 )) || cat /tmp/ws-selftest.par*
  check "$b: no leftovers after parallel runs" leftovers_of /tmp/ws-selftest.par0 /tmp/ws-selftest.par1

  # external primary + replica: used as they are (the outer run's throwaway servers)
  local pvar=DORM_TEST_POSTGRESQL_URL rvar=DORM_TEST_POSTGRESQL_REPLICA_URL
  [[ "$kind" == mysql ]] && pvar=DORM_TEST_MYSQL_URL rvar=DORM_TEST_MYSQL_REPLICA_URL
  local show='echo "seen: $DORM_TEST_URL $DORM_TEST_REPLICA_URL stop=${DORM_TEST_REPLICA_STOP-unset} restart=${DORM_TEST_SERVER_RESTART-unset}"'
  "$ws" "$b" bash -c "echo \"outer: \$DORM_TEST_URL \$DORM_TEST_REPLICA_URL stop=unset restart=unset\"
    $pvar=\"\$DORM_TEST_URL\" $rvar=\"\$DORM_TEST_REPLICA_URL\" '$ws' '$b' bash -c '$show'" >/tmp/ws-selftest.out 2>&1 &&
    st=0 || st=$?
  cp /tmp/ws-selftest.out /tmp/ws-selftest.ext
  check "$b: external primary + replica run" test "$st" = 0
  check "$b: ... the test gets both URLs as they are, no DORM_TEST_REPLICA_STOP" \
    bash -c "a=\$(sed -n 's/^outer: //p' /tmp/ws-selftest.out); b=\$(sed -n 's/^seen: //p' /tmp/ws-selftest.out)
      [[ -n \"\$a\" && \"\$a\" == \"\$b\" ]]"
  check "$b: only $pvar set is an error" \
    expect_status 1 env "$pvar=$kind://root@127.0.0.1:1/x" "$ws" "$b" true
  check "$b: ... saying that $rvar is missing" grep -q "$rvar is not" /tmp/ws-selftest.out
  check "$b: only $rvar set is an error" \
    expect_status 1 env "$rvar=$kind://root@127.0.0.1:1/x" "$ws" "$b" true
  check "$b: external: unreachable servers are an error" \
    expect_status 1 env "$pvar=$kind://root@127.0.0.1:1/x" "$rvar=$kind://root@127.0.0.1:1/x" "$ws" "$b" true
  check "$b: no leftovers after external runs" leftovers_of /tmp/ws-selftest.ext

  # a replica that cannot be made or started: an error with its log, the primary stopped too
  local fake
  fake=$(mktemp -d)
  chmod 755 "$fake"
  if [[ "$kind" == postgresql ]]; then
    local real f
    real=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    for f in "$real"/*; do ln -s "$f" "$fake/"; done
    rm -f "$fake/pg_basebackup"
    printf '#!/bin/sh\necho "simulated pg_basebackup failure" >&2\nexit 1\n' >"$fake/pg_basebackup"
    chmod 755 "$fake/pg_basebackup"
    check "$b: a standby that cannot be made is an error (1)" \
      expect_status 1 env DORM_PG_BINDIR="$fake" "$ws" "$b" true
    check "$b: ... with its log on stderr" grep -q 'simulated pg_basebackup failure' /tmp/ws-selftest.out
  else
    printf '#!/bin/sh\ncase " $* " in *" --server-id=2 "*) echo "simulated replica failure" >&2; exit 1;; esac\nexec %s "$@"\n' \
      "$(command -v mariadbd)" >"$fake/mariadbd"
    chmod 755 "$fake/mariadbd"
    check "$b: a replica that fails to start is an error (1)" \
      expect_status 1 env PATH="$fake:$PATH" "$ws" "$b" true
    check "$b: ... with its log on stderr" grep -q 'simulated replica failure' /tmp/ws-selftest.out
  fi
  check "$b: ... and nothing left behind (the primary stopped too)" leftovers_of /tmp/ws-selftest.out
  rm -rf "$fake"
}

for b in "${backends[@]}"; do
  case "$b" in
    *-replica) run_replica_checks "$b" ;;
    *) run_checks "$b" ;;
  esac
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
