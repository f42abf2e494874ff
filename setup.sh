#!/usr/bin/env bash
# Installs every Debian package dorm's build and test suites need.
# Run as root on Debian 12. Idempotent: when everything is already installed it
# does not call apt-get at all.
#
#   ./setup.sh            install what is missing
#   ./setup.sh --check    only report what is missing (exit 1 if anything is)
set -euo pipefail

packages=(
  # toolchain (dpkg-dev, as build-essential has it: without dpkg-architecture Meson installs into
  # lib64, where CMake on Debian does not look for package configs)
  g++ dpkg-dev meson ninja-build pkg-config cmake git
  # Boost 1.81 (Describe needs >= 1.77; Debian's default libboost-dev is 1.74: never install it)
  libboost1.81-dev libboost-test1.81-dev
  # SQLite backend
  libsqlitecpp-dev libsqlite3-dev sqlite3
  # PostgreSQL backend: client library, and the server + psql for the throwaway test servers
  libpq-dev postgresql
  # PgBouncer 1.18 in transaction-pooling mode in front of a throwaway PostgreSQL (with_server.sh pgbouncer)
  pgbouncer
  # MySQL/MariaDB backend: Connector/C, and the server + clients for the throwaway test servers
  libmariadb-dev mariadb-server mariadb-client
  # tests and CI tooling (.ci/run counts results with python3)
  valgrind python3
  # test/fuzz/run_fuzz.sh: clang++-14 and libFuzzer + the ASan/UBSan runtimes
  clang-14 libclang-rt-14-dev
)

log() { printf 'setup.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

check_only=0
case "${1:-}" in
  --check) check_only=1 ;;
  "") ;;
  *) die "unknown argument '$1' (usage: $0 [--check])" ;;
esac

# Prints the packages of "$@" that are not installed (one dpkg-query call).
not_installed() {
  local -A state=()
  local name st
  while read -r name st; do
    state[$name]=$st
  done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null || true)
  for name in "$@"; do
    [[ "${state[$name]:-}" == installed ]] || printf '%s\n' "$name"
  done
}

# A second MariaDB Connector/C: the libmariadb3 version apt offers besides the installed one
# (Debian 12's main archive and its security archive ship different point releases), extracted
# under /var/cache/dorm, not installed. test/meson.build then runs the driver suite against it
# too, so a driver that works with one point release only is caught (issue 13, item 11: every
# text value read back empty with 1:10.11.18). Best effort: without it that test is not
# registered (a machine with one version available has nothing else to test against).
other_libmariadb() {
  local dir=/var/cache/dorm/libmariadb3-other installed other tmp libdir
  installed=$(dpkg-query -W -f='${Version}' libmariadb3 2>/dev/null) || return 0
  if [[ -f "$dir/version" && "$(<"$dir/version")" != "$installed" && -f "$dir/libdir" ]]; then
    return 0
  fi
  other=$(apt-cache madison libmariadb3 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
          grep -vxF "$installed" | head -n 1 || true)
  [[ -n "$other" ]] || return 0
  tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download -q "libmariadb3=$other" >/dev/null 2>&1); then
    rm -rf "$dir"
    mkdir -p "$dir"
    dpkg -x "$tmp"/libmariadb3_*.deb "$dir"
    libdir=$(dirname "$(find "$dir" -name 'libmariadb.so.3' -print -quit)")
    printf '%s\n' "$libdir" >"$dir/libdir"
    printf '%s\n' "$other" >"$dir/version"
    log "libmariadb3 $other extracted to $dir (the driver tests also run against it)"
  else
    log "note: could not download libmariadb3 $other; the driver tests run against the installed one only"
  fi
  rm -rf "$tmp"
}

mapfile -t missing < <(not_installed "${packages[@]}")

# Debian's default Boost (1.74) must not be mixed with 1.81's headers/libraries.
if [[ "$(dpkg-query -W -f='${db:Status-Status}' libboost-dev 2>/dev/null || true)" == installed ]]; then
  log "warning: libboost-dev (Debian's default Boost 1.74) is installed; dorm needs 1.81 and may pick up the wrong headers"
fi

if (( ${#missing[@]} == 0 )); then
  log "all ${#packages[@]} packages already installed; nothing to do"
  (( check_only || EUID != 0 )) || other_libmariadb
  exit 0
fi

log "missing packages: ${missing[*]}"
if (( check_only )); then
  exit 1
fi

(( EUID == 0 )) || die "must run as root to install packages (try: sudo $0)"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian 12 only"

export DEBIAN_FRONTEND=noninteractive

# Keep the postgresql / mariadb-server maintainer scripts from starting their
# default services (port 5432 / 3306): the tests start their own throwaway
# servers. A policy-rc.d that exits 101 tells invoke-rc.d "do not start".
# Only add (and later remove) one if none exists already.
policy=/usr/sbin/policy-rc.d
own_policy=0
cleanup_policy() {
  if (( own_policy )); then
    rm -f "$policy"
  fi
}
trap cleanup_policy EXIT
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\n# temporary, added by dorm setup.sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=1
fi

log "apt-get update"
apt-get update -q
log "apt-get install ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}"

# If a service got started anyway (e.g. a policy-rc.d that allows it), stop it:
# no stray server should keep running on the default ports.
if command -v pg_lsclusters >/dev/null 2>&1; then
  while read -r ver cluster _port status _rest; do
    if [[ "$status" == online* ]]; then
      log "stopping PostgreSQL cluster $ver/$cluster started by the package"
      pg_ctlcluster "$ver" "$cluster" stop || log "warning: could not stop PostgreSQL cluster $ver/$cluster"
    fi
  done < <(pg_lsclusters --no-header 2>/dev/null || true)
fi
for pidfile in /run/mysqld/mysqld.pid /var/run/mysqld/mysqld.pid; do
  if [[ -s "$pidfile" ]]; then
    pid=$(<"$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping MariaDB server (pid $pid) started by the package"
      kill "$pid" || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && log "warning: MariaDB server pid $pid still running"
    fi
    break
  fi
done

# Verify.
mapfile -t still < <(not_installed "${packages[@]}")
(( ${#still[@]} == 0 )) || die "packages still not installed: ${still[*]}"
log "done: installed ${missing[*]}"
other_libmariadb
