#!/usr/bin/env bash
# migrate_test.sh <migrate-executable> <migrations-dir> [url]
# Runs samples/migrate through status, upgrade (with and without a target), downgrade and a
# refused upgrade (an applied file edited) on a copy of the migrations directory, against the
# URL given (else DORM_TEST_URL, else a SQLite file in a temporary directory), and checks what
# it prints and its exit status.
set -euo pipefail
exe=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
url=${3:-${DORM_TEST_URL:-sqlite:///$work/app.db}}
cp -r "$src" "$work/migrations"
dir=$work/migrations
out=$work/out

fail() {
  echo "migrate_test.sh: $*" >&2
  echo "----- output -----" >&2
  cat "$out" >&2 || true
  exit 1
}
# run <expected exit status> <args...>: runs migrate, its output (stdout and stderr) in $out
run() {
  local want=$1 status=0
  shift
  "$exe" "$@" >"$out" 2>&1 || status=$?
  [[ $status == "$want" ]] || fail "migrate $* exited with $status, expected $want"
}
expect() { grep -qxF -- "$1" "$out" || fail "expected a line '$1'"; }
expect_match() { grep -qE -- "$1" "$out" || fail "expected a line matching '$1'"; }

run 2 "$url" "$dir"
expect "usage: migrate <url> <dir> status"
run 2 "$url" "$dir" downgrade

run 0 "$url" "$dir" status
expect "0001_create_book  pending"
expect "0002_add_stock  pending"
expect "2 steps: 0 applied, 2 pending"

run 0 "$url" "$dir" upgrade 1
expect "applied 0001_create_book"
expect "database at step 1"
run 0 "$url" "$dir" status
expect_match '^0001_create_book  applied [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
expect "2 steps: 1 applied, 1 pending"

run 0 "$url" "$dir" upgrade
expect "applied 0002_add_stock"
expect "database at step 2"
run 0 "$url" "$dir" upgrade
expect "nothing to apply: the database is up to date"

run 0 "$url" "$dir" downgrade 0
expect "undone 0002_add_stock"
expect "undone 0001_create_book"
expect "database at step 0"

# An applied file that was edited afterwards: status says so, upgrade refuses.
run 0 "$url" "$dir" upgrade 1
echo "-- edited after it ran" >>"$dir/0001_create_book.up.sql"
run 1 "$url" "$dir" status
expect_match '^0001_create_book  applied .*  EDITED since it was applied$'
run 1 "$url" "$dir" upgrade
expect_match '^migrate: dorm::migrations::upgrade: refused before running anything'
expect_match '0001_create_book.up.sql was edited after it was applied'
echo "migrate_test.sh: ok"
