#!/usr/bin/env bash
# Builds samples/consumer (a separate Meson project that uses dorm as a subproject
# through dependency('dorm', fallback: ...)) in a temporary build directory, runs
# it and checks its output. Registered as test 'consumer' in suite 'samples'.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
src=$root/samples/consumer
log() { printf 'consumer_test: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

[[ -f "$src/meson.build" && -f "$src/main.cpp" ]] || fail "$src is incomplete"
for tool in meson ninja; do
  command -v "$tool" >/dev/null || fail "$tool not found (run ./setup.sh)"
done

# meson test sets MALLOC_PERTURB_ for tests; it would only slow the compiler down here.
unset MALLOC_PERTURB_

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dorm-consumer.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

# samples/consumer/subprojects/dorm is a symlink to the dorm tree (../../..). If
# this checkout lost it (symlinks not kept), build from a temporary copy of the
# consumer with the link recreated.
if [[ ! -f "$src/subprojects/dorm/meson.build" ]]; then
  log "subprojects/dorm symlink missing; using a temporary copy of samples/consumer"
  mkdir -p "$tmp/src/subprojects"
  cp "$src/meson.build" "$src/main.cpp" "$tmp/src/"
  ln -s "$root" "$tmp/src/subprojects/dorm"
  src=$tmp/src
fi

# --force-fallback-for: always the dorm of this tree, even if one is installed.
# --werror: the public headers and the library must build warning-free in a
# consumer project too (warning_level=3 there). -O0 without debug info: the library
# compiles a second time here (the main build checks it at -O2 with -g); this is the
# fastest build of it, and keeps the test well inside its timeout.
log "meson setup $tmp/build $src"
if ! meson setup "$tmp/build" "$src" --force-fallback-for=dorm -Dwerror=true -Doptimization=0 -Ddebug=false >"$tmp/setup.log" 2>&1; then
  cat "$tmp/setup.log" >&2
  fail "meson setup of the consumer project failed"
fi
log "ninja -C $tmp/build"
if ! ninja -C "$tmp/build" >"$tmp/build.log" 2>&1; then
  cat "$tmp/build.log" >&2
  fail "building the consumer project failed"
fi

exe=$tmp/build/consumer
[[ -x "$exe" ]] || fail "no consumer executable at $exe"
set +e
out=$("$exe" 2>&1)
status=$?
set -e
printf '%s\n' "$out"
(( status == 0 )) || fail "consumer exited with status $status"

expected='notes: 1
note 1: hello from a consumer
same object: yes'
if [[ "$out" != "$expected" ]]; then
  printf -- '--- expected:\n%s\n--- got:\n%s\n' "$expected" "$out" >&2
  fail "unexpected output"
fi
log "ok"
