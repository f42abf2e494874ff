#!/bin/sh
# Compile time and peak memory of three dorm translation units, compiled (-c) with the flags Meson
# uses for the samples (-std=c++20 -O2 -I include, warnings on, no -g):
#   dorm.hpp alone                      `#include <dorm/dorm.hpp>` and nothing else (no model)
#   samples/orm_script.cpp              the tutorial (3 models)
#   test/benchmark/ten_models.cpp       10 models with relationships and every query shape
#
#   test/benchmark/compile_time.sh [--root DIR] [--reps K] [--cxx COMPILER] [--extra "FLAGS"]
#                                  [--instructions]
#
#   --root DIR   the dorm source tree (default: two directories above this script)
#   --reps K     compile each file K times; wall and CPU time are medians, RSS the maximum (default 3)
#   --cxx C      the compiler (default: $CXX, else c++)
#   --extra F    more flags, e.g. --extra -g to match a debugoptimized build
#   --instructions  also count the compiler's instructions once per file under valgrind
#                (callgrind; about 50x slower): a figure a busy machine does not change, for
#                comparing two trees (times on a shared VM vary by a factor of two)
#
# Measured with /usr/bin/time -v (Debian package `time`). Prints a table and one line per file
#   RESULT <file> wall_s=<median> peak_rss_mb=<max> cpu_s=<median user+sys> [instructions=<n>]
# (dorm_bench reads those lines into its report and JSON). The machine may be busy: wall time
# includes waiting for a CPU; cpu_s does not.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
reps=3
cxx=${CXX:-c++}
extra=
instructions=0
while [ $# -gt 0 ]; do
    case "$1" in
        --root) root=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --cxx) cxx=$2; shift 2 ;;
        --extra) extra=$2; shift 2 ;;
        --instructions) instructions=1; shift ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "compile_time.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -x /usr/bin/time ] || { echo "compile_time.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
if [ "$instructions" = 1 ] && ! command -v valgrind >/dev/null; then
    echo "compile_time.sh: --instructions needs valgrind (apt-get install valgrind)" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dorm_compile_time.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# shellcheck source=compile_flags.sh
. "$(dirname "$0")/compile_flags.sh"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "compiler: $($cxx --version | head -n 1)"
echo "command:  $cxx $flags $extra -c FILE -o FILE.o   ($reps run(s) each)"
printf '%-34s %10s %10s %14s\n' "translation unit" "wall s" "cpu s" "peak RSS MB"
status=0
mkdir "$tmp/src"
echo '#include <dorm/dorm.hpp>' >"$tmp/src/dorm_header_only.cpp"
for f in dorm_header_only.cpp samples/orm_script.cpp test/benchmark/ten_models.cpp; do
    src=$root/$f
    [ "$f" = dorm_header_only.cpp ] && src=$tmp/src/$f
    : >"$tmp/wall"
    : >"$tmp/cpu"
    : >"$tmp/rss"
    i=0
    while [ "$i" -lt "$reps" ]; do
        i=$((i + 1))
        # shellcheck disable=SC2086
        if ! /usr/bin/time -v -o "$tmp/time.txt" $cxx $flags $extra -c "$src" -o "$tmp/out.o" 2>"$tmp/cc.txt"; then
            echo "compile_time.sh: $f does not compile:" >&2
            cat "$tmp/cc.txt" >&2
            status=1
            continue
        fi
        if [ -s "$tmp/cc.txt" ]; then
            echo "compile_time.sh: warnings in $f:" >&2
            cat "$tmp/cc.txt" >&2
        fi
        awk -F': ' '
            /Elapsed \(wall clock\) time/ {
                n = split($2, p, ":"); s = 0
                for (k = 1; k <= n; ++k) s = s * 60 + p[k]
                print s >> "'"$tmp/wall"'"
            }
            /User time \(seconds\)/ { u = $2 }
            /System time \(seconds\)/ { sy = $2 }
            /Maximum resident set size/ { print $2 / 1024 >> "'"$tmp/rss"'" }
            END { print u + sy >> "'"$tmp/cpu"'" }' "$tmp/time.txt"
    done
    [ -s "$tmp/wall" ] || continue
    wall=$(median <"$tmp/wall")
    cpu=$(median <"$tmp/cpu")
    rss=$(sort -n "$tmp/rss" | tail -n 1)
    printf '%-34s %10.2f %10.2f %14.1f\n' "$f" "$wall" "$cpu" "$rss"
    count=
    if [ "$instructions" = 1 ]; then
        # every process g++ starts (cc1plus, as), summed from callgrind's summary lines
        mkdir -p "$tmp/cg"
        rm -f "$tmp/cg/"*
        # shellcheck disable=SC2086
        valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$tmp/cg/out.%p" \
            $cxx $flags $extra -c "$src" -o "$tmp/out.o" >/dev/null 2>&1 || status=1
        n=$(cat "$tmp/cg/"out.* 2>/dev/null | awk '/^summary:/ { s += $2 } END { printf "%.0f", s }')
        printf '%-34s %d instructions\n' "" "$n"
        count=" instructions=$n"
    fi
    printf 'RESULT %s wall_s=%.2f peak_rss_mb=%.1f cpu_s=%.2f%s\n' "$(basename "$f")" "$wall" "$rss" "$cpu" "$count" >>"$tmp/results"
done
[ -f "$tmp/results" ] && cat "$tmp/results"
exit $status
