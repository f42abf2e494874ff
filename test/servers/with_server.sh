#!/usr/bin/env bash
# with_server.sh <postgresql|pgbouncer|mysql|postgresql-replica|mysql-replica> <test-executable> [args...]
# shellcheck disable=SC2317 # functions run from traps and indirectly
#
# Runs one test executable against a database server of the given kind and
# exits with the test's status. DORM_TEST_URL is set for the test.
#
# - By default it starts a throwaway server on loopback (random free port in
#   below the kernel's ephemeral range, data in a fresh temporary directory, fsync off), and stops it
#   and removes the directory afterwards, also when the test fails or is killed.
# - If DORM_TEST_POSTGRESQL_URL / DORM_TEST_MYSQL_URL is set, that server is used
#   instead: a fresh database dorm_<random> is created on it for this run and
#   dropped afterwards, so test executables running in parallel don't collide.
#
# - `pgbouncer` is PostgreSQL (throwaway or external, as above) reached through a PgBouncer in
#   transaction-pooling mode on another loopback port (its own temporary directory, run as the
#   server's user): DORM_TEST_URL names PgBouncer and carries `transaction_pooling=true`. Each
#   transaction may run on another server connection, as in production behind PgBouncer.
#
# - `postgresql-replica` / `mysql-replica` start two throwaway servers on loopback: a primary
#   (DORM_TEST_URL, as `postgresql` / `mysql` give it) and a read replica of it (DORM_TEST_REPLICA_URL,
#   same user and database, another port; data in the `replica` subdirectory of the primary's
#   temporary directory). PostgreSQL: wal_level=replica, a hot standby made by pg_basebackup -R
#   -X stream (physical slot dorm_replica), up once it streams and pg_is_in_recovery() is true.
#   MariaDB: binary log + server-id 1 on the primary, a --read-only replica (server-id 2, GTID
#   slave_pos, root: root may still write there) with both replication threads running; the
#   database `test` is created on the primary afterwards and is on the replica before the test
#   starts. Replication is asynchronous: a test polls the replica for what it wrote (deadline).
#   DORM_TEST_REPLICA_STOP names a script (no arguments) that shuts the replica down (fast) and
#   returns when it is gone (0; 1 if it did not stop), so a test can check that reads fall back
#   to the primary; running it again is harmless, and the cleanup copes with a stopped replica.
#   DORM_TEST_SERVER_RESTART is not offered for these backends.
#   External servers: DORM_TEST_POSTGRESQL_URL + DORM_TEST_POSTGRESQL_REPLICA_URL (or
#   DORM_TEST_MYSQL_URL + DORM_TEST_MYSQL_REPLICA_URL) are used as given: no per-run database
#   (the replica could not see a database created for the run in time), so the database they
#   name must be empty and used by one test at a time; DORM_TEST_REPLICA_STOP is unset. Setting
#   only one of the two variables is an error for these backends (the other backends ignore the
#   *_REPLICA_URL variables).
#
# A server that fails to start is an error (its log goes to stderr): never a skip.
#
# A throwaway server can be restarted by the test: DORM_TEST_SERVER_RESTART names a script
# (no arguments) that asks this process for a fast shutdown of the server and a start of the
# same data directory on the same port, and returns when the server answers again (status 0)
# or when the restart failed (status 1, the reason on stderr and in this script's log). The
# restart is done by this process (on SIGUSR1 from that script), so the new server is the one
# its cleanup stops. With an external server DORM_TEST_SERVER_RESTART is unset: a test that
# needs a restart must say so and fail, never pass without one.
#
# Environment knobs (all optional):
#   DORM_PG_BINDIR           PostgreSQL server binaries (default: newest /usr/lib/postgresql/*/bin)
#   DORM_SERVER_START_TIMEOUT seconds to wait for a server to answer (default 90)
#   DORM_KEEP_SERVER_DIR=1   keep the temporary directory (for debugging)
#   DORM_SERVER_TRY_PORT     try this port first, without checking it (to test the retry)
set -euo pipefail

prog=with_server.sh
log() { printf '%s: %s\n' "$prog" "$*" >&2; }

usage() {
  printf 'usage: %s <postgresql|pgbouncer|mysql|postgresql-replica|mysql-replica> <test-executable> [args...]\n' "$prog" >&2
  exit 2
}

(( $# >= 2 )) || usage
case "$1" in
  postgresql | postgres | pg) backend=postgresql ;;
  pgbouncer) backend=pgbouncer ;;
  mysql | mariadb) backend=mysql ;;
  postgresql-replica | postgres-replica | pg-replica) backend=postgresql-replica ;;
  mysql-replica | mariadb-replica) backend=mysql-replica ;;
  *) log "unknown backend '$1'"; usage ;;
esac
shift

start_timeout=${DORM_SERVER_START_TIMEOUT:-90}
is_root=0
(( EUID == 0 )) && is_root=1

# ---------------------------------------------------------------- state + cleanup
workdir=""      # temporary directory of a throwaway server
server_kind=""  # postgresql | mysql once a throwaway server may be running
server_pid=""   # mariadbd pid (we started it as our child)
stopping_pid="" # server pid that was told to shut down
bg_pid=""       # a startup step running in the background (so signals are handled at once)
child_pid=""    # the test process
ext_drop=""     # function that drops the fresh database on an external server
ext_err=""      # temporary file for a client's error output (external servers)
server_port=""  # port of the throwaway server (a restart keeps it)
pg_opts=""      # postgres options of the throwaway server (a restart keeps them)
mysql_user_opt=()
bouncer_dir=""  # PgBouncer's directory (its pidfile says whether it runs)
replica_dir=""  # the replica's directory ($workdir/replica) once a replica may be running
replica_kind="" # postgresql | mysql once a throwaway replica may be running
replica_pid=""  # the replica's mariadbd pid (our child)
replica_stopping_pid="" # replica pid that was told to shut down
replica_port=""
cleaned=0
in_signal=0

fail() {
  log "error: $*"
  exit 1
}

elapsed_since() { # $1 = start $EPOCHREALTIME -> seconds with 1 decimal
  local now=$EPOCHREALTIME
  awk -v a="$1" -v b="$now" 'BEGIN { printf "%.1f", b - a }'
}

dump_file() { # $1 = file, $2 = label, [$3 = max lines]
  local f=$1 label=$2 max=${3:-200}
  if [[ -s "$f" ]]; then
    printf '%s: ----- %s (%s, last %s lines) -----\n' "$prog" "$label" "$f" "$max" >&2
    tail -n "$max" "$f" >&2 || true
    printf '%s: ----- end of %s -----\n' "$prog" "$label" >&2
  fi
}

as_pg() { # run a PostgreSQL server tool as a user the server accepts
  if (( is_root )); then
    (cd "$workdir" && runuser -u postgres -- "$@")
  else
    (cd "$workdir" && "$@")
  fi
}

# PostgreSQL's postmaster runs in a session of its own (pg_ctl calls setsid), so
# a signal to our process group (meson on a timeout) does not reach it: stop it
# by its pid, signalling first and waiting after, so that even a cleanup cut
# short has already told the server to shut down.
postmaster_pid() { # [$1 = data directory, default the primary's]
  local pid
  pid=$(head -n 1 "${1:-$workdir/data}/postmaster.pid" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == postgres* ]] || return 1
  echo "$pid"
}

signal_server() { # ask the server to shut down (fast), do not wait
  local pid
  case "$server_kind" in
    postgresql)
      [[ -n "$workdir" ]] || return 0
      pid=$(postmaster_pid) || return 0
      kill -INT "$pid" 2>/dev/null # fast shutdown
      stopping_pid=$pid
      ;;
    mysql)
      [[ -n "$server_pid" ]] || return 0
      kill -TERM "$server_pid" 2>/dev/null
      stopping_pid=$server_pid
      ;;
  esac
  return 0
}

wait_server() { # wait up to 30 s for the signalled server, then kill it
  [[ -n "$stopping_pid" ]] || return 0
  local i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$stopping_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$stopping_pid" 2>/dev/null; then
    log "$server_kind server pid $stopping_pid did not stop in 30 s; killing it"
    kill -KILL "$stopping_pid" 2>/dev/null
  fi
  if [[ "$server_kind" == mysql ]]; then
    wait "$stopping_pid" 2>/dev/null # our child: reap it
    server_pid=""
  fi
  stopping_pid=""
  return 0
}

stop_server() {
  signal_server
  wait_server
}

proc_running() { # $1 = pid, $2 = command name prefix: such a process exists and is no zombie
  local comm st
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  comm=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
  [[ "$comm" == "$2"* ]] || return 1
  read -r _ _ st _ <"/proc/$1/stat" 2>/dev/null || return 1
  [[ "$st" != Z ]]
}

replica_comm() { [[ "$replica_kind" == mysql ]] && echo mariadbd || echo postgres; }

signal_replica() { # ask the replica to shut down (fast), do not wait; nothing if it is stopped
  local pid
  case "$replica_kind" in
    postgresql)
      pid=$(postmaster_pid "$replica_dir/data") || return 0
      kill -INT "$pid" 2>/dev/null
      replica_stopping_pid=$pid
      ;;
    mysql)
      proc_running "$replica_pid" mariadbd || return 0
      kill -TERM "$replica_pid" 2>/dev/null
      replica_stopping_pid=$replica_pid
      ;;
  esac
  return 0
}

wait_replica() { # wait up to 30 s for the signalled replica, then kill it
  local i comm
  comm=$(replica_comm)
  if [[ -n "$replica_stopping_pid" ]]; then
    for ((i = 0; i < 300; i++)); do
      proc_running "$replica_stopping_pid" "$comm" || break
      sleep 0.1
    done
    if proc_running "$replica_stopping_pid" "$comm"; then
      log "$replica_kind replica pid $replica_stopping_pid did not stop in 30 s; killing it"
      kill -KILL "$replica_stopping_pid" 2>/dev/null
    fi
    replica_stopping_pid=""
  fi
  if [[ "$replica_kind" == mysql && -n "$replica_pid" ]]; then
    # our child (maybe stopped by DORM_TEST_REPLICA_STOP): reap it once it is gone (never block
    # on one that was not signalled)
    if ! kill -0 "$replica_pid" 2>/dev/null; then
      wait "$replica_pid" 2>/dev/null || true
    fi
    replica_pid=""
  fi
  return 0
}

stop_replica() {
  signal_replica
  wait_replica
}

cleanup() {
  (( cleaned )) && return 0
  cleaned=1
  set +e
  trap '' USR1 # a restart request from a leftover process of the test is ignored now
  # the server first: this may be cut short (meson SIGKILLs the group 0.5 s
  # after its SIGTERM on a timeout), and the server must stop all the same
  signal_server
  signal_replica
  if [[ -n "$child_pid" ]] && kill -0 "$child_pid" 2>/dev/null; then
    kill -TERM "$child_pid" 2>/dev/null
    (sleep 2 && kill -KILL "$child_pid" 2>/dev/null) &
    local watchdog=$!
    wait "$child_pid" 2>/dev/null
    kill "$watchdog" 2>/dev/null
    wait "$watchdog" 2>/dev/null
  fi
  stop_pgbouncer
  if [[ -n "$ext_drop" ]]; then
    "$ext_drop"
  fi
  [[ -n "$ext_err" ]] && rm -f -- "$ext_err"
  if [[ -n "$bg_pid" ]]; then # a startup step (initdb, mariadb-install-db, pg_ctl start)
    kill -TERM "$bg_pid" 2>/dev/null
  fi
  if (( in_signal )) && [[ -n "$workdir$stopping_pid$replica_stopping_pid" ]] && command -v setsid >/dev/null; then
    # killed: leave waiting for the server (and a startup step) and removing
    # the directory to a detached process that a SIGKILL of our process group
    # (meson does that 0.5 s after its SIGTERM) does not reach
    # (the directory goes through the environment so that the reaper's own
    # command line does not match the search for processes using it)
    # shellcheck disable=SC2016 # expanded by the reaper's shell
    REAPER_PIDS="$stopping_pid $replica_stopping_pid $bg_pid" REAPER_DIR=$workdir REAPER_KEEP=${DORM_KEEP_SERVER_DIR:-0} \
      setsid -f bash -c '
      for pid in $REAPER_PIDS; do
        for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
      done
      [[ -n "$REAPER_DIR" ]] || exit 0
      # a server (or replica) started by pg_ctl just before the signal: stop it too
      for pmfile in "$REAPER_DIR/data/postmaster.pid" "$REAPER_DIR/replica/data/postmaster.pid"; do
        [[ -f "$pmfile" ]] || continue
        pm=$(head -n 1 "$pmfile")
        if [[ "$pm" =~ ^[0-9]+$ && "$(cat /proc/$pm/comm 2>/dev/null)" == postgres* ]]; then
          kill -INT "$pm"
        fi
      done
      # anything else still using the directory (a bootstrap mariadbd of
      # mariadb-install-db, a postmaster): let it end, then end it
      if command -v pgrep >/dev/null; then
        for ((i = 0; i < 300; i++)); do
          procs=$(pgrep -f -- "$REAPER_DIR") || break
          (( i == 100 )) && kill -TERM $procs 2>/dev/null
          (( i == 250 )) && kill -KILL $procs 2>/dev/null
          sleep 0.1
        done
      fi
      [[ "$REAPER_KEEP" == 1 ]] || rm -rf -- "$REAPER_DIR"' \
      </dev/null >/dev/null 2>&1
    return 0
  fi
  if [[ -n "$bg_pid" ]]; then
    wait "$bg_pid" 2>/dev/null
    bg_pid=""
    # pg_ctl start may have started the server (or the replica) after all
    signal_server
    signal_replica
  fi
  wait_server
  wait_replica
  if [[ -n "$workdir" && -d "$workdir" ]]; then
    if [[ "${DORM_KEEP_SERVER_DIR:-0}" == 1 ]]; then
      log "keeping $workdir"
    else
      rm -rf -- "$workdir"
    fi
  fi
}

on_exit() {
  local rc=$?
  cleanup
  exit "$rc"
}

on_signal() { # $1 = name, $2 = number
  log "received SIG$1; stopping the test and the server"
  in_signal=1
  trap - "$1"
  exit $((128 + $2)) # runs on_exit -> cleanup
}

trap on_exit EXIT
trap '' USR1 # restart requests: handled once the server is up (on_restart_request)
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

# ---------------------------------------------------------------- helpers
# Runs a (long) startup step in the background and waits for it: bash runs a
# trap only after a foreground command ends, but interrupts `wait` at once.
run_bg() {
  "$@" &
  bg_pid=$!
  local rc=0
  wait "$bg_pid" || rc=$?
  bg_pid=""
  return "$rc"
}

rand_u32() { od -An -N4 -tu4 /dev/urandom | tr -d ' \n'; }
rand_hex() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }

port_in_use() { # something listens on 127.0.0.1:$1
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

pick_port() {
  local port i
  if [[ -n "${DORM_SERVER_TRY_PORT:-}" ]]; then # testing hook: try this port first, unchecked
    echo "$DORM_SERVER_TRY_PORT"
    return 0
  fi
  # Below the ephemeral range (ip_local_port_range, 32768-60999 by default): a client socket of
  # any test may take a port of that range, and then a restarted server could not bind it again.
  local low=32768
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  [[ "$low" =~ ^[0-9]+$ ]] && (( low > 12000 )) || low=32768
  for ((i = 0; i < 200; i++)); do
    port=$((10000 + $(rand_u32) % (low - 10000)))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  fail "found no free port in 10000-$((low - 1)) after 200 tries"
}

make_workdir() { # $1 = prefix
  # Unix socket paths are limited to 107 bytes: keep the directory short, and
  # reachable by the postgres user when we run as root.
  local base=${TMPDIR:-/tmp}
  if (( is_root )) || (( ${#base} > 60 )) || [[ ! -d "$base" || ! -w "$base" ]]; then
    base=/tmp
  fi
  workdir=$(mktemp -d "$base/$1.XXXXXX") || fail "mktemp failed in $base"
}

url_decode() { # percent-decoding
  local s=${1//+/ }
  printf '%b' "${s//%/\\x}"
}

# Splits a URL into url_scheme url_user url_pass url_host url_port url_db url_query.
# (userinfo kept raw in url_userinfo so it can be put back unchanged)
parse_url() {
  local re='^([A-Za-z][A-Za-z0-9+.-]*)://(([^@/]*)@)?(\[[^]/]*\]|[^:/?]*)(:([0-9]*))?(/([^?]*))?(\?.*)?$'
  [[ "$1" =~ $re ]] || return 1
  url_scheme=${BASH_REMATCH[1]}
  url_userinfo=${BASH_REMATCH[3]}
  url_host=${BASH_REMATCH[4]}
  url_port=${BASH_REMATCH[6]}
  # shellcheck disable=SC2034 # parsed for completeness
  url_db=${BASH_REMATCH[8]}
  url_query=${BASH_REMATCH[9]}
  url_user="" url_pass=""
  if [[ -n "$url_userinfo" ]]; then
    if [[ "$url_userinfo" == *:* ]]; then
      url_user=$(url_decode "${url_userinfo%%:*}")
      url_pass=$(url_decode "${url_userinfo#*:}")
    else
      url_user=$(url_decode "$url_userinfo")
    fi
  fi
}

url_with_db() { # $1 = database name -> the parsed URL with its database replaced
  local auth=""
  [[ -n "$url_userinfo" ]] && auth="$url_userinfo@"
  local port=""
  [[ -n "$url_port" ]] && port=":$url_port"
  printf '%s://%s%s%s/%s%s' "$url_scheme" "$auth" "$url_host" "$port" "$1" "$url_query"
}

redact() { # a URL without its password, for messages
  printf '%s' "$1" | sed -E 's#^([^:/]+://[^:@/]*):[^@/]*@#\1:***@#'
}

# ---------------------------------------------------------------- PostgreSQL
find_pg_bindir() {
  if [[ -n "${DORM_PG_BINDIR:-}" ]]; then
    pg_bindir=$DORM_PG_BINDIR
  else
    # shellcheck disable=SC2012 # the directories are /usr/lib/postgresql/<version>/bin
    pg_bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  [[ -n "$pg_bindir" && -x "$pg_bindir/initdb" && -x "$pg_bindir/pg_ctl" ]] ||
    fail "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin; install the 'postgresql' package with ./setup.sh, or set DORM_PG_BINDIR)"
}

pg_server_opts() { # $1 = port, $2 = socket directory -> postgres options of a throwaway server
  local opts="-p $1 -k $2 -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
  opts+=" -c full_page_writes=off -c shared_buffers=16MB -c max_connections=64 -c timezone=UTC"
  opts+=" -c max_wal_size=256MB -c checkpoint_timeout=1h"
  # two-phase commit (dorm::binds::two_phase): PREPARE TRANSACTION needs prepared-transaction slots
  opts+=" -c max_prepared_transactions=8"
  # primary and standby of postgresql-replica (a standby needs max_connections, max_wal_senders,
  # ... at least as high as its primary's: both get the same)
  [[ "$backend" == postgresql-replica ]] &&
    opts+=" -c wal_level=replica -c max_wal_senders=10 -c max_replication_slots=10 -c hot_standby=on"
  printf '%s' "$opts"
}

start_postgresql() {
  find_pg_bindir
  if (( is_root )); then
    id -u postgres >/dev/null 2>&1 || fail "running as root but there is no 'postgres' user to run the server as"
  fi
  local t0=$EPOCHREALTIME
  make_workdir dorm-pg
  (( is_root )) && chown postgres: "$workdir"
  server_kind=postgresql

  if ! run_bg as_pg "$pg_bindir/initdb" -D "$workdir/data" -A trust -U postgres -E UTF8 --locale=C \
    --no-sync --no-instructions </dev/null >"$workdir/initdb.log" 2>&1; then
    dump_file "$workdir/initdb.log" "initdb output"
    fail "initdb failed"
  fi
  if [[ "$backend" == postgresql-replica ]]; then # pg_basebackup and the standby connect over TCP
    printf 'host replication all 127.0.0.1/32 trust\n' >>"$workdir/data/pg_hba.conf"
  fi

  local attempt port opts
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$(pick_port)
    unset DORM_SERVER_TRY_PORT
    opts=$(pg_server_opts "$port" "$workdir")
    rm -f "$workdir/server.log"
    if run_bg as_pg "$pg_bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t "$start_timeout" \
      -o "$opts" start </dev/null >"$workdir/pg_ctl.log" 2>&1; then
      server_port=$port
      pg_opts=$opts
      DORM_TEST_URL="postgresql://postgres@127.0.0.1:$port/postgres"
      log "PostgreSQL ($pg_bindir) up on 127.0.0.1:$port in $(elapsed_since "$t0") s (data in $workdir)"
      return 0
    fi
    if grep -qE 'could not bind|Address already in use|could not create any TCP/IP sockets' "$workdir/server.log" 2>/dev/null; then
      log "port $port was taken (attempt $attempt); retrying with another port"
      stop_server
      continue
    fi
    dump_file "$workdir/pg_ctl.log" "pg_ctl output"
    dump_file "$workdir/server.log" "PostgreSQL server log"
    stop_server
    fail "PostgreSQL failed to start"
  done
  dump_file "$workdir/server.log" "PostgreSQL server log"
  fail "PostgreSQL failed to start: no usable port after 8 attempts"
}

pg_psql() { # psql of the server binaries (or any), without a psqlrc
  local bin=$pg_bindir/psql
  [[ -x "$bin" ]] || bin=psql
  "$bin" -X "$@"
}

# A hot standby of the throwaway primary (DORM_TEST_URL), in $workdir/replica on another port.
start_postgresql_standby() {
  local t0=$EPOCHREALTIME
  replica_dir=$workdir/replica
  mkdir "$replica_dir"
  (( is_root )) && chown postgres: "$replica_dir"
  replica_kind=postgresql
  # a fast checkpoint (a spread one would take most of checkpoint_timeout); the slot keeps the
  # WAL the standby still needs (also while DORM_TEST_REPLICA_STOP has it stopped)
  if ! run_bg as_pg "$pg_bindir/pg_basebackup" -h 127.0.0.1 -p "$server_port" -U postgres -w \
    -D "$replica_dir/data" -R -X stream -c fast -C -S dorm_replica --no-sync \
    </dev/null >"$replica_dir/basebackup.log" 2>&1; then
    dump_file "$replica_dir/basebackup.log" "pg_basebackup output"
    dump_file "$workdir/server.log" "PostgreSQL primary log" 40
    fail "pg_basebackup of the primary (port $server_port) failed"
  fi

  local attempt port opts started=0
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$(pick_port)
    opts=$(pg_server_opts "$port" "$replica_dir")
    rm -f "$replica_dir/server.log"
    if run_bg as_pg "$pg_bindir/pg_ctl" -D "$replica_dir/data" -l "$replica_dir/server.log" -w -t "$start_timeout" \
      -o "$opts" start </dev/null >"$replica_dir/pg_ctl.log" 2>&1; then
      started=1
      break
    fi
    if grep -qE 'could not bind|Address already in use|could not create any TCP/IP sockets' "$replica_dir/server.log" 2>/dev/null; then
      log "port $port was taken (standby, attempt $attempt); retrying with another port"
      stop_replica
      continue
    fi
    dump_file "$replica_dir/pg_ctl.log" "pg_ctl output (standby)"
    dump_file "$replica_dir/server.log" "PostgreSQL standby log"
    stop_replica
    fail "the PostgreSQL standby failed to start"
  done
  (( started )) || { dump_file "$replica_dir/server.log" "PostgreSQL standby log"; fail "the PostgreSQL standby failed to start: no usable port after 8 attempts"; }
  replica_port=$port

  # up: it answers, is in recovery, and its WAL receiver streams from the primary
  local state="" deadline=$((SECONDS + start_timeout))
  while :; do
    state=$(pg_psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atq -c \
      "select pg_is_in_recovery()::text || ',' || coalesce((select status from pg_stat_wal_receiver), 'no wal receiver')" \
      </dev/null 2>&1) || true
    [[ "$state" == true,streaming ]] && break
    if (( SECONDS >= deadline )) || ! postmaster_pid "$replica_dir/data" >/dev/null; then
      dump_file "$replica_dir/server.log" "PostgreSQL standby log"
      dump_file "$workdir/server.log" "PostgreSQL primary log" 40
      fail "the PostgreSQL standby on port $port did not become a streaming hot standby within $start_timeout s (last answer: $state)"
    fi
    sleep 0.1
  done
  DORM_TEST_REPLICA_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  log "PostgreSQL hot standby up on 127.0.0.1:$replica_port in $(elapsed_since "$t0") s (pg_basebackup + start; data in $replica_dir)"
}

use_external_postgresql() {
  local url=$1
  ext_err=$(mktemp "${TMPDIR:-/tmp}/dorm-with-server-err.XXXXXX")
  command -v psql >/dev/null || fail "psql not found (needed to create a database on $(redact "$url")); run ./setup.sh"
  parse_url "$url" || fail "cannot parse DORM_TEST_POSTGRESQL_URL '$(redact "$url")'"
  # psql understands postgresql:// and postgres:// (no '+driver' suffix).
  local admin_url
  admin_url="postgresql://${url#*://}"
  ext_db="dorm_$(rand_hex)"
  ext_admin_url=$admin_url
  if ! psql "$admin_url" -v ON_ERROR_STOP=1 -qX -c "CREATE DATABASE $ext_db" </dev/null >/dev/null 2>"$ext_err"; then
    cat "$ext_err" >&2
    fail "could not create database $ext_db on $(redact "$url")"
  fi
  ext_drop=drop_external_postgresql
  DORM_TEST_URL=$(url_with_db "$ext_db")
  log "using external PostgreSQL $(redact "$url"), fresh database $ext_db"
}

drop_external_postgresql() {
  psql "$ext_admin_url" -v ON_ERROR_STOP=1 -qX -c "DROP DATABASE IF EXISTS $ext_db WITH (FORCE)" </dev/null >/dev/null 2>"$ext_err" ||
    { cat "$ext_err" >&2; log "warning: could not drop database $ext_db"; }
}

# ---------------------------------------------------------------- PgBouncer
pgbouncer_pid() {
  local pid
  pid=$(cat "$bouncer_dir/pgbouncer.pid" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ && "$(cat "/proc/$pid/comm" 2>/dev/null)" == pgbouncer* ]] || return 1
  echo "$pid"
}

stop_pgbouncer() { # SIGTERM: immediate shutdown (clients are gone or being stopped)
  [[ -n "$bouncer_dir" ]] || return 0
  local pid i
  pid=$(pgbouncer_pid) || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "PgBouncer pid $pid did not stop in 10 s; killing it"
  kill -KILL "$pid" 2>/dev/null
  return 0
}

# Puts a PgBouncer (transaction pooling) in front of the PostgreSQL server DORM_TEST_URL names.
start_pgbouncer() {
  local bin
  bin=$(command -v pgbouncer || true)
  [[ -z "$bin" && -x /usr/sbin/pgbouncer ]] && bin=/usr/sbin/pgbouncer
  [[ -n "$bin" ]] || fail "pgbouncer not found (install the 'pgbouncer' package with ./setup.sh)"
  local t0=$EPOCHREALTIME
  parse_url "$DORM_TEST_URL" || fail "cannot parse the PostgreSQL URL behind PgBouncer"
  local pg_host=$url_host pg_port=${url_port:-5432} pg_user=${url_user:-postgres} pg_pass=$url_pass pg_db=$url_db
  [[ -n "$workdir" ]] || make_workdir dorm-pgb # an external server: a directory of our own
  bouncer_dir=$workdir/pgbouncer
  mkdir -p "$bouncer_dir"
  (( is_root )) && chown postgres: "$workdir" "$bouncer_dir"
  local server_auth="user=$pg_user"
  [[ -n "$pg_pass" ]] && server_auth+=" password=$pg_pass"
  printf '"%s" ""\n' "$pg_user" >"$bouncer_dir/userlist.txt"
  local attempt port
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$(pick_port)
    unset DORM_SERVER_TRY_PORT
    cat >"$bouncer_dir/pgbouncer.ini" <<INI
[databases]
* = host=$pg_host port=$pg_port $server_auth

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $bouncer_dir/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
max_db_connections = 40
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $bouncer_dir/pgbouncer.log
pidfile = $bouncer_dir/pgbouncer.pid
INI
    (( is_root )) && chown postgres: "$bouncer_dir"/*
    rm -f "$bouncer_dir/pgbouncer.pid"
    if ! run_bg as_pg "$bin" -d -q "$bouncer_dir/pgbouncer.ini" </dev/null >>"$bouncer_dir/start.log" 2>&1; then
      dump_file "$bouncer_dir/start.log" "pgbouncer output"
      dump_file "$bouncer_dir/pgbouncer.log" "PgBouncer log"
      if grep -q 'Address already in use' "$bouncer_dir/pgbouncer.log" "$bouncer_dir/start.log" 2>/dev/null; then
        log "port $port was taken (attempt $attempt); retrying with another port"
        continue
      fi
      fail "PgBouncer failed to start"
    fi
    local i
    # (a pid file read while it is written, or a port probe that timed out under load, is not a
    # failure: for the first 5 s only a running pgbouncer listening on the port ends the wait)
    for ((i = 0; i < start_timeout * 10; i++)); do
      port_in_use "$port" && pgbouncer_pid >/dev/null && break
      ((i < 50)) || pgbouncer_pid >/dev/null || break
      sleep 0.1
    done
    if port_in_use "$port" && pgbouncer_pid >/dev/null; then
      DORM_TEST_URL="postgresql://$pg_user@127.0.0.1:$port/$pg_db?transaction_pooling=true"
      log "PgBouncer (transaction pooling) up on 127.0.0.1:$port in front of $pg_host:$pg_port in $(elapsed_since "$t0") s"
      return 0
    fi
    stop_pgbouncer
    if grep -q 'Address already in use' "$bouncer_dir/pgbouncer.log" 2>/dev/null; then
      log "port $port was taken (attempt $attempt); retrying with another port"
      continue
    fi
    dump_file "$bouncer_dir/pgbouncer.log" "PgBouncer log"
    fail "PgBouncer did not answer on port $port"
  done
  fail "PgBouncer failed to start: no usable port after 8 attempts"
}

# ---------------------------------------------------------------- MariaDB / MySQL
mysql_common_opts=(
  --innodb-flush-log-at-trx-commit=0
  --innodb-doublewrite=0
  --innodb-buffer-pool-size=32M
  --innodb-log-file-size=16M
  --innodb-use-native-aio=0
  --skip-name-resolve
  --character-set-server=utf8mb4
  --collation-server=utf8mb4_general_ci
  --default-time-zone=+00:00
  --max-connections=100
)
mysql_server_opts=(--skip-log-bin "${mysql_common_opts[@]}") # mariadb-install-db, `mysql`, a replica
mysql_run_opts=("${mysql_server_opts[@]}") # the (primary) server launch_mariadbd starts
if [[ "$backend" == mysql-replica ]]; then # the primary: a binary log (GTIDs) for the replica
  mysql_run_opts=(--log-bin=dorm-bin --server-id=1 "${mysql_common_opts[@]}")
fi

start_mysql() {
  local tool
  for tool in mariadb-install-db mariadbd mariadb-admin mariadb; do
    command -v "$tool" >/dev/null ||
      fail "$tool not found (install the 'mariadb-server' package with ./setup.sh)"
  done
  local t0=$EPOCHREALTIME
  make_workdir dorm-my
  server_kind=mysql
  (( is_root )) && mysql_user_opt=(--user=root)

  if ! run_bg mariadb-install-db --no-defaults --datadir="$workdir/data" "${mysql_user_opt[@]}" \
    --auth-root-authentication-method=normal --skip-test-db --tmpdir="$workdir" "${mysql_server_opts[@]}" \
    </dev/null >"$workdir/install.log" 2>&1; then
    dump_file "$workdir/install.log" "mariadb-install-db output"
    fail "mariadb-install-db failed"
  fi
  if [[ "$backend" == mysql-replica ]]; then # the replica starts from a copy of the fresh data directory
    replica_dir=$workdir/replica
    mkdir "$replica_dir"
    cp -a "$workdir/data" "$replica_dir/data" || fail "could not copy $workdir/data for the replica"
  fi

  local port
  if ! start_mariadbd_on_free_port "$workdir" MariaDB server_pid "${mysql_run_opts[@]}"; then
    dump_file "$workdir/error.log" "MariaDB error log"
    stop_server
    fail "MariaDB did not answer within $start_timeout s"
  fi
  port=$spawned_port
  server_port=$port
  DORM_TEST_URL="mysql://root@127.0.0.1:$port/test"
  if [[ "$backend" == mysql-replica ]]; then
    # the database `test` is created once the replica runs (start_mysql_replica)
    log "MariaDB primary (binary log, server-id 1) up on 127.0.0.1:$port in $(elapsed_since "$t0") s (data in $workdir)"
    return 0
  fi
  # the database of the URL, and a check that the URL itself works over TCP
  if ! mariadb --no-defaults --socket="$workdir/sock" -uroot -e 'CREATE DATABASE test' </dev/null >&2 ||
    ! mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$port" -uroot test -e 'SELECT 1' </dev/null >/dev/null; then
    dump_file "$workdir/error.log" "MariaDB error log"
    fail "MariaDB started but could not create/reach database 'test'"
  fi
  log "MariaDB up on 127.0.0.1:$port in $(elapsed_since "$t0") s (data in $workdir)"
}

# Starts mariadbd on directory $1 ($1/data) on a free loopback port; a port found taken when the
# server binds it is retried with another one (8 attempts). $2 names the server in messages, $3 is
# the variable that holds its pid (server_pid / replica_pid: set at once, so the exit trap stops
# it); options for mariadbd follow. Returns 0 when it answers (port in spawned_port), 1 when it
# does not answer within the start timeout (it still runs: the caller stops it); fails when it
# exits for another reason or no port worked.
start_mariadbd_on_free_port() {
  local dir=$1 what=$2 pid_var=$3 attempt port rc
  shift 3
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$(pick_port)
    unset DORM_SERVER_TRY_PORT
    rm -f "$dir/error.log"
    spawn_mariadbd "$dir" "$port" "$@"
    printf -v "$pid_var" '%s' "$spawned_pid"
    rc=0
    await_mariadbd "$spawned_pid" "$dir" || rc=$?
    case $rc in
      0)
        spawned_port=$port
        return 0
        ;;
      2) return 1 ;;
    esac
    wait "$spawned_pid" 2>/dev/null || true
    printf -v "$pid_var" '%s' ""
    if grep -qE 'Address already in use|Do you already have another .*server running' "$dir/error.log" 2>/dev/null; then
      log "port $port was taken ($what, attempt $attempt); retrying with another port"
      continue
    fi
    dump_file "$dir/mariadbd.out" "mariadbd output ($what)"
    dump_file "$dir/error.log" "$what error log"
    fail "$what exited during startup"
  done
  fail "$what failed to start: no usable port after 8 attempts"
}

spawn_mariadbd() { # $1 = directory (data/ in it), $2 = port, options...: mariadbd in the background
  local dir=$1 port=$2
  shift 2
  mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --port="$port" \
    --bind-address=127.0.0.1 "${mysql_user_opt[@]}" --pid-file="$dir/mariadbd.pid" \
    --log-error="$dir/error.log" --tmpdir="$dir" "$@" \
    </dev/null >>"$dir/mariadbd.out" 2>&1 &
  spawned_pid=$!
}

launch_mariadbd() { # $1 = port: starts mariadbd on the data directory in the background
  spawn_mariadbd "$workdir" "$1" "${mysql_run_opts[@]}"
  server_pid=$spawned_pid
}

await_mariadbd() { # [$1 = pid, $2 = directory]: 0: it answers; 1: it exited; 2: no answer within the start timeout
  local i pid=${1:-$server_pid} dir=${2:-$workdir}
  for ((i = 0; i < start_timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    if mariadb-admin --no-defaults --socket="$dir/sock" -uroot --connect-timeout=2 ping \
      </dev/null >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  return 2
}

replica_sql() { # SQL on the throwaway replica (socket, root)
  mariadb --no-defaults --socket="$replica_dir/sock" -uroot "$@" </dev/null
}

# The replica of the throwaway primary (start_mysql copied the fresh data directory to
# $workdir/replica/data), then the database `test` on the primary, replicated.
start_mysql_replica() {
  local t0=$EPOCHREALTIME
  replica_kind=mysql
  local opts=(--server-id=2 --read-only --skip-slave-start --relay-log=dorm-relay "${mysql_server_opts[@]}")
  local port
  if ! start_mariadbd_on_free_port "$replica_dir" "MariaDB replica" replica_pid "${opts[@]}"; then
    dump_file "$replica_dir/error.log" "MariaDB replica error log"
    stop_replica
    fail "the MariaDB replica did not answer within $start_timeout s"
  fi
  port=$spawned_port
  replica_port=$port

  if ! replica_sql -e "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$server_port, MASTER_USER='root',
      MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE" >&2; then
    dump_file "$replica_dir/error.log" "MariaDB replica error log"
    fail "could not configure the MariaDB replica (CHANGE MASTER TO / START SLAVE)"
  fi
  local status="" deadline=$((SECONDS + start_timeout))
  while :; do
    status=$(replica_sql -e 'SHOW SLAVE STATUS\G' 2>&1) || true
    if grep -qE '^ *Slave_IO_Running: Yes$' <<<"$status" && grep -qE '^ *Slave_SQL_Running: Yes$' <<<"$status"; then
      break
    fi
    if (( SECONDS >= deadline )) || ! proc_running "$replica_pid" mariadbd; then
      printf '%s\n' "$status" >&2
      dump_file "$replica_dir/error.log" "MariaDB replica error log"
      dump_file "$workdir/error.log" "MariaDB primary error log" 40
      fail "the MariaDB replica's IO and SQL threads did not both run within $start_timeout s"
    fi
    sleep 0.1
  done

  # the database of the URLs, created on the primary (binary log) and replicated
  if ! mariadb --no-defaults --socket="$workdir/sock" -uroot -e 'CREATE DATABASE test' </dev/null >&2; then
    dump_file "$workdir/error.log" "MariaDB primary error log"
    fail "could not create database 'test' on the MariaDB primary"
  fi
  local n=""
  while :; do
    n=$(replica_sql -N -B -e "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'test'" 2>&1) || true
    [[ "$n" == 1 ]] && break
    if (( SECONDS >= deadline )); then
      replica_sql -e 'SHOW SLAVE STATUS\G' >&2 || true
      dump_file "$replica_dir/error.log" "MariaDB replica error log"
      fail "database 'test' did not reach the MariaDB replica within $start_timeout s (last answer: $n)"
    fi
    sleep 0.1
  done
  local p
  for p in "$server_port" "$port"; do # the URLs themselves work over TCP
    mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$p" -uroot test -e 'SELECT 1' </dev/null >/dev/null ||
      fail "could not reach database 'test' on 127.0.0.1:$p over TCP"
  done
  DORM_TEST_REPLICA_URL="mysql://root@127.0.0.1:$port/test"
  log "MariaDB replica (read-only, server-id 2, GTID) up on 127.0.0.1:$replica_port in $(elapsed_since "$t0") s (data in $replica_dir)"
}

mysql_client_args() { # from the parsed URL
  mysql_args=(--no-defaults)
  local host=${url_host#[}
  host=${host%]}
  [[ -n "$host" ]] && mysql_args+=(-h "$host")
  [[ -n "$url_port" ]] && mysql_args+=(-P "$url_port")
  [[ -n "$url_user" ]] && mysql_args+=(-u "$url_user")
  return 0
}

use_external_mysql() {
  local url=$1
  ext_err=$(mktemp "${TMPDIR:-/tmp}/dorm-with-server-err.XXXXXX")
  command -v mariadb >/dev/null || fail "mariadb client not found (needed to create a database on $(redact "$url")); run ./setup.sh"
  parse_url "$url" || fail "cannot parse DORM_TEST_MYSQL_URL '$(redact "$url")'"
  mysql_client_args
  ext_db="dorm_$(rand_hex)"
  if ! MYSQL_PWD=$url_pass mariadb "${mysql_args[@]}" -e "CREATE DATABASE $ext_db" </dev/null >/dev/null 2>"$ext_err"; then
    cat "$ext_err" >&2
    fail "could not create database $ext_db on $(redact "$url")"
  fi
  ext_drop=drop_external_mysql
  DORM_TEST_URL=$(url_with_db "$ext_db")
  log "using external MySQL/MariaDB $(redact "$url"), fresh database $ext_db"
}

drop_external_mysql() {
  MYSQL_PWD=$url_pass mariadb "${mysql_args[@]}" -e "DROP DATABASE IF EXISTS $ext_db" </dev/null >/dev/null 2>"$ext_err" ||
    { cat "$ext_err" >&2; log "warning: could not drop database $ext_db"; }
}

# ---------------------------------------------------------------- external primary + replica
# $1 = postgresql | mysql, $2 = primary URL, $3 = replica URL: used as they are (no per-run
# database: what the run would create on the primary might not have reached the replica yet).
use_external_replicas() {
  local kind=$1 url
  ext_err=$(mktemp "${TMPDIR:-/tmp}/dorm-with-server-err.XXXXXX")
  DORM_TEST_URL=$2
  DORM_TEST_REPLICA_URL=$3
  if [[ "$kind" == postgresql ]]; then
    command -v psql >/dev/null || fail "psql not found (needed to check the external servers); run ./setup.sh"
    local role want got
    for role in primary replica; do
      url=$DORM_TEST_URL want=f
      [[ "$role" == replica ]] && url=$DORM_TEST_REPLICA_URL want=t
      if ! got=$(psql "postgresql://${url#*://}" -XAtq -v ON_ERROR_STOP=1 -c 'select pg_is_in_recovery()' \
        </dev/null 2>"$ext_err"); then
        cat "$ext_err" >&2
        fail "cannot reach the external PostgreSQL $role $(redact "$url")"
      fi
      [[ "$got" == "$want" ]] ||
        fail "the external PostgreSQL $role $(redact "$url") reports pg_is_in_recovery() = $got (expected $want)"
    done
  else
    command -v mariadb >/dev/null || fail "mariadb client not found (needed to check the external servers); run ./setup.sh"
    for url in "$DORM_TEST_URL" "$DORM_TEST_REPLICA_URL"; do
      parse_url "$url" || fail "cannot parse '$(redact "$url")'"
      mysql_client_args
      [[ -n "$url_db" ]] && mysql_args+=("$url_db")
      if ! MYSQL_PWD=$url_pass mariadb "${mysql_args[@]}" -e 'SELECT 1' </dev/null >/dev/null 2>"$ext_err"; then
        cat "$ext_err" >&2
        fail "cannot reach the external MySQL/MariaDB server $(redact "$url")"
      fi
    done
  fi
  log "using external $kind primary $(redact "$DORM_TEST_URL") and replica $(redact "$DORM_TEST_REPLICA_URL")" \
    "as they are (no per-run database: it must be empty, one test at a time); DORM_TEST_REPLICA_STOP is unset"
}

# ---------------------------------------------------------------- replica stop on request
write_replica_stop_script() { # the script named by DORM_TEST_REPLICA_STOP
  local script=$replica_dir/stop
  {
    printf '#!/usr/bin/env bash\n'
    printf '# Written by with_server.sh (pid %s): fast shutdown of its throwaway %s replica; returns\n' "$$" "$replica_kind"
    printf '# when the replica is gone (0), or 1 if it did not stop in 30 s. Running it again is harmless.\n'
    printf 'set -u\n'
    if [[ "$replica_kind" == postgresql ]]; then
      printf 'comm=postgres sig=INT\n'
      # shellcheck disable=SC2016 # expanded by the generated script
      printf 'pid=$(head -n 1 %q 2>/dev/null)\n' "$replica_dir/data/postmaster.pid"
    else
      printf 'comm=mariadbd sig=TERM pid=%q\n' "$replica_pid"
    fi
    # shellcheck disable=SC2016 # expanded by the generated script
    printf '%s\n' \
      'running() { # the replica process exists and is no zombie' \
      '  local c st' \
      '  c=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1' \
      '  [[ "$c" == "$comm"* ]] || return 1' \
      '  read -r _ _ st _ <"/proc/$pid/stat" 2>/dev/null || return 1' \
      '  [[ "$st" != Z ]]' \
      '}' \
      '[[ "$pid" =~ ^[0-9]+$ ]] && running || exit 0 # stopped already' \
      'kill -"$sig" "$pid" 2>/dev/null' \
      'for ((i = 0; i < 300; i++)); do' \
      '  running || exit 0' \
      '  sleep 0.1' \
      'done' \
      'echo "replica-stop: the replica (pid $pid) did not stop in 30 s" >&2' \
      'exit 1'
  } >"$script"
  chmod 755 "$script"
  DORM_TEST_REPLICA_STOP=$script
  export DORM_TEST_REPLICA_STOP
}

# ---------------------------------------------------------------- restart on request
restart_server() { # fast shutdown, then a start on the same data directory and port
  local t0=$EPOCHREALTIME rc=0
  log "restarting the $server_kind server (fast shutdown, start on port $server_port) for the test"
  signal_server
  wait_server
  case "$server_kind" in
    postgresql)
      run_bg as_pg "$pg_bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t "$start_timeout" \
        -o "$pg_opts" start </dev/null >>"$workdir/pg_ctl.log" 2>&1 || rc=$?
      if (( rc != 0 )); then
        dump_file "$workdir/pg_ctl.log" "pg_ctl output" 20
        dump_file "$workdir/server.log" "PostgreSQL server log" 40
        log "error: the restarted PostgreSQL server did not come up on port $server_port"
        return 1
      fi
      ;;
    mysql)
      launch_mariadbd "$server_port"
      await_mariadbd || rc=$?
      if (( rc != 0 )); then
        dump_file "$workdir/error.log" "MariaDB error log" 40
        log "error: the restarted MariaDB server did not come up on port $server_port"
        return 1
      fi
      ;;
  esac
  log "$server_kind server restarted in $(elapsed_since "$t0") s"
}

on_restart_request() { # SIGUSR1 from $workdir/restart: restart, then answer in restart.done
  local rc=0
  restart_server || rc=$?
  { printf '%s\n' "$rc" >"$workdir/restart.done.tmp" && mv -f "$workdir/restart.done.tmp" "$workdir/restart.done"; } ||
    log "warning: could not answer the restart request in $workdir"
  return 0
}

write_restart_script() { # the script named by DORM_TEST_SERVER_RESTART
  local script=$workdir/restart
  {
    printf '#!/usr/bin/env bash\n'
    printf '# Written by with_server.sh (pid %s): restarts its throwaway %s server (fast shutdown, start\n' "$$" "$server_kind"
    printf '# of the same data directory on the same port); returns when it answers again (0) or failed (1).\n'
    printf 'set -u\n'
    printf 'dir=%q ws_pid=%q limit=%q\n' "$workdir" "$$" "$(( (start_timeout + 40) * 20 ))"
    # shellcheck disable=SC2016 # expanded by the generated script
    printf '%s\n' \
      'exec 9>>"$dir/restart.lock" && flock 9 || { echo "restart: cannot lock $dir/restart.lock" >&2; exit 1; }' \
      'rm -f "$dir/restart.done"' \
      'kill -USR1 "$ws_pid" 2>/dev/null || { echo "restart: with_server.sh (pid $ws_pid) is gone" >&2; exit 1; }' \
      'for ((i = 0; i < limit; i++)); do' \
      '  if [[ -s "$dir/restart.done" ]]; then' \
      '    read -r rc <"$dir/restart.done"; rm -f "$dir/restart.done"; exit "${rc:-1}"' \
      '  fi' \
      '  sleep 0.05' \
      'done' \
      'echo "restart: no answer from with_server.sh (pid $ws_pid) in $((limit / 20)) s" >&2' \
      'exit 1'
  } >"$script"
  chmod 755 "$script"
  DORM_TEST_SERVER_RESTART=$script
  export DORM_TEST_SERVER_RESTART
  trap on_restart_request USR1
}

# ---------------------------------------------------------------- main
# meson test sets MALLOC_PERTURB_ for the test; keep it away from the servers and
# clients (it only slows them down) and give it back to the test.
had_perturb=${MALLOC_PERTURB_+1}
saved_perturb=${MALLOC_PERTURB_-}
unset MALLOC_PERTURB_

# (an outer with_server.sh's restart script, replica URL, replica stop script must not reach this
# run's test)
unset DORM_TEST_SERVER_RESTART DORM_TEST_REPLICA_URL DORM_TEST_REPLICA_STOP

need_both_or_neither() { # $1 = primary variable, $2 = replica variable
  [[ -n "${!1:-}" && -n "${!2:-}" ]] && return 0
  [[ -z "${!1:-}" && -z "${!2:-}" ]] && return 1
  local set=$1 unset=$2
  [[ -n "${!2:-}" ]] && set=$2 unset=$1
  fail "$set is set but $unset is not: the $backend backend needs both (an external primary and a replica of it, used as they are) or neither (throwaway servers)"
}
case "$backend" in
  postgresql | pgbouncer)
    if [[ -n "${DORM_TEST_POSTGRESQL_URL:-}" ]]; then
      use_external_postgresql "$DORM_TEST_POSTGRESQL_URL"
    else
      start_postgresql
    fi
    [[ "$backend" == pgbouncer ]] && start_pgbouncer
    ;;
  mysql)
    if [[ -n "${DORM_TEST_MYSQL_URL:-}" ]]; then
      use_external_mysql "$DORM_TEST_MYSQL_URL"
    else
      start_mysql
    fi
    ;;
  postgresql-replica)
    if need_both_or_neither DORM_TEST_POSTGRESQL_URL DORM_TEST_POSTGRESQL_REPLICA_URL; then
      use_external_replicas postgresql "$DORM_TEST_POSTGRESQL_URL" "$DORM_TEST_POSTGRESQL_REPLICA_URL"
    else
      t_start=$EPOCHREALTIME
      start_postgresql
      start_postgresql_standby
      log "PostgreSQL primary + hot standby ready in $(elapsed_since "$t_start") s"
    fi
    ;;
  mysql-replica)
    if need_both_or_neither DORM_TEST_MYSQL_URL DORM_TEST_MYSQL_REPLICA_URL; then
      use_external_replicas mysql "$DORM_TEST_MYSQL_URL" "$DORM_TEST_MYSQL_REPLICA_URL"
    else
      t_start=$EPOCHREALTIME
      start_mysql
      start_mysql_replica
      log "MariaDB primary + replica ready in $(elapsed_since "$t_start") s"
    fi
    ;;
esac

export DORM_TEST_URL
case "$backend" in
  *-replica)
    export DORM_TEST_REPLICA_URL
    [[ -n "$replica_kind" ]] && write_replica_stop_script # throwaway: the test may stop the replica
    ;;
  *)
    [[ -n "$server_kind" ]] && write_restart_script # a throwaway server: the test may restart it
    ;;
esac
[[ -n "$had_perturb" ]] && export MALLOC_PERTURB_="$saved_perturb"
"$@" &
child_pid=$!
status=0
while :; do
  wait "$child_pid" && status=0 || status=$?
  # a restart request (SIGUSR1) ends `wait` early (> 128) while the test still runs: wait again
  if (( status > 128 )) && kill -0 "$child_pid" 2>/dev/null; then
    continue
  fi
  break
done
child_pid=""
if (( status != 0 )); then
  log "test exited with status $status ($*)"
  case "$server_kind" in
    postgresql)
      dump_file "$workdir/server.log" "PostgreSQL server log" 40
      [[ -n "$bouncer_dir" ]] && dump_file "$bouncer_dir/pgbouncer.log" "PgBouncer log" 40
      [[ -n "$replica_kind" ]] && dump_file "$replica_dir/server.log" "PostgreSQL standby log" 40
      ;;
    mysql)
      dump_file "$workdir/error.log" "MariaDB error log" 40
      [[ -n "$replica_kind" ]] && dump_file "$replica_dir/error.log" "MariaDB replica error log" 40
      ;;
  esac
fi
exit "$status"
