#!/usr/bin/env bash
# Every public header compiles on its own (issue 17, item 4): a translation unit that includes
# only that header is compiled with -fsyntax-only, two at a time.
#   headers_compile_alone.sh <include-dir> <compiler> [compiler args...]
set -uo pipefail
(( $# >= 2 )) || { echo "usage: $0 <include-dir> <compiler> [args...]" >&2; exit 2; }
inc=$(cd "$1" && pwd)
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t headers < <(cd "$inc" && find dorm -name '*.hpp' | sort)
(( ${#headers[@]} > 0 )) || { echo "no headers under $inc" >&2; exit 1; }
export tmp inc
check() {
  local h=$1 cxx=$2
  shift 2
  local tu="$tmp/${h//\//_}.cpp"
  printf '#include <%s>\n' "$h" >"$tu"
  if ! "$cxx" "$@" -I"$inc" -fsyntax-only "$tu" >"$tu.log" 2>&1; then
    echo "FAILED: $h does not compile on its own:"
    head -n 20 "$tu.log"
    return 1
  fi
}
export -f check
failed=0
printf '%s\n' "${headers[@]}" | xargs -P 2 -I{} bash -c 'check "$@"' _ {} "$@" || failed=1
echo "headers_compile_alone.sh: ${#headers[@]} headers checked"
exit "$failed"
