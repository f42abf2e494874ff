#!/usr/bin/env bash
# Compile time (issue 19, item 4): <dorm/dorm.hpp> pulls in none of <functional>,
# <unordered_map>, <algorithm>, <ranges> or <variant> (together about a quarter of the compiler's
# work for a translation unit that includes dorm), nor <bits/chrono.h> (about 4 MB of compiler
# memory: dorm/detail/chrono_fwd.hpp declares the names it needs). Checked with libstdc++'s include guards; each
# guard is first shown to work by including its header on purpose (that compile must fail), so a
# renamed guard cannot make this test pass silently.
#   no_heavy_std_headers.sh <include-dir> <compiler> [compiler args...]
set -uo pipefail
(( $# >= 2 )) || { echo "usage: $0 <include-dir> <compiler> [args...]" >&2; exit 2; }
inc=$(cd "$1" && pwd)
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pairs="functional:_GLIBCXX_FUNCTIONAL unordered_map:_GLIBCXX_UNORDERED_MAP algorithm:_GLIBCXX_ALGORITHM ranges:_GLIBCXX_RANGES variant:_GLIBCXX_VARIANT bits/chrono.h:_GLIBCXX_CHRONO_H"
# $1: the header included on purpose before dorm (empty: none)
write_tu() {
    {
        [ -n "$1" ] && printf '#include <%s>\n' "$1"
        printf '#include <dorm/dorm.hpp>\n'
        printf '#if !defined(__GLIBCXX__)\n#error "this check needs libstdc++"\n#endif\n'
        for p in $pairs; do
            printf '#ifdef %s\n#error "a public dorm header includes <%s>"\n#endif\n' "${p#*:}" "${p%%:*}"
        done
    } >"$tmp/tu.cpp"
}
failed=0
write_tu ""
if ! "$@" -I"$inc" -fsyntax-only "$tmp/tu.cpp" >"$tmp/log" 2>&1; then
    echo "FAILED: <dorm/dorm.hpp> includes a header it should not:"
    grep -E "error" "$tmp/log" | head -n 10
    failed=1
fi
for p in $pairs; do
    write_tu "${p%%:*}"
    if "$@" -I"$inc" -fsyntax-only "$tmp/tu.cpp" >"$tmp/log" 2>&1; then
        echo "FAILED: the guard ${p#*:} does not detect <${p%%:*}> (libstdc++ renamed it?)"
        failed=1
    fi
done
# Each of dorm's stand-ins, included FIRST in a translation unit, must still choose the light
# form: a stand-in that tested __GLIBCXX__ before anything defined it would fall back to the
# heavy header in that TU only, and give atomic_cell two definitions (an ODR violation).
first="dorm/detail/atomic_cell.hpp:_GLIBCXX_ATOMIC dorm/detail/function_fwd.hpp:_GLIBCXX_FUNCTIONAL dorm/detail/ranges_fwd.hpp:_GLIBCXX_RANGES dorm/detail/chrono_fwd.hpp:_GLIBCXX_CHRONO_H"
for p in $first; do
    printf '#include <%s>\n#if !defined(__GLIBCXX__)\n#error "this check needs libstdc++"\n#endif\n#ifdef %s\n#error "<%s> included first takes the heavy header"\n#endif\n' \
        "${p%%:*}" "${p#*:}" "${p%%:*}" >"$tmp/first.cpp"
    if ! "$@" -I"$inc" -fsyntax-only "$tmp/first.cpp" >"$tmp/log" 2>&1; then
        echo "FAILED: <${p%%:*}> included first:"
        grep -E "error" "$tmp/log" | head -n 5
        failed=1
    fi
done
echo "no_heavy_std_headers.sh: checked $(echo $pairs | wc -w) headers and $(echo $first | wc -w) stand-ins included first"
exit "$failed"
