#!/usr/bin/env bash
# run_sample.sh <sample-executable> <expected-output-line> [url]
# Runs a sample against a database URL (the argument, else DORM_TEST_URL, else the sample's
# default) and checks that its standard output contains the expected line.
set -euo pipefail
exe=$1
expected=$2
url=${3:-${DORM_TEST_URL:-}}
if [[ $url == sqlite:///* && $url != sqlite:////* ]]; then rm -f "${url#sqlite:///}"; fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if [[ -n $url ]]; then "$exe" "$url" >"$out"; else "$exe" >"$out"; fi
if ! grep -qxF -- "$expected" "$out"; then
  echo "run_sample.sh: expected a line '$expected' in the output of $exe:" >&2
  cat "$out" >&2
  exit 1
fi
