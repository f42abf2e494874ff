#!/usr/bin/env bash
# Builds dorm's libFuzzer targets with clang++-14 (ASan + UBSan, every report fatal) and runs each
# for a bounded time:
#
#   test/fuzz/run_fuzz.sh <seconds-per-target> [build-dir] [target...]
#
# Targets (test/fuzz/fuzz_<name>.cpp): url (dorm::url::parse / render), values (the conversions
# drivers read values through: numbers, dates and times, column_traits reads, quote_value), text
# (the text() placeholder scanner, per dialect). Each starts from its committed seed corpus
# test/fuzz/corpus/<name>/ (read only) and keeps what it finds in <build-dir>/corpus/<name>/.
# A crash, a sanitizer report or a broken invariant leaves <build-dir>/artifacts/<name>-crash-*
# and makes the script exit non-zero, after one summary line per target. Built outside Meson: the
# targets and the few lib/ sources they need, compiled with clang and libstdc++ (Debian packages
# clang-14 and libclang-rt-14-dev, which setup.sh installs). Missing tools are an error, not a skip.
set -euo pipefail

usage() { echo "usage: $0 <seconds-per-target> [build-dir] [target...]" >&2; exit 2; }
die() { echo "run_fuzz.sh: error: $*" >&2; exit 1; }

[[ $# -ge 1 && "$1" =~ ^[0-9]+$ ]] || usage
seconds=$1
build=${2:-build-fuzz}
shift $(( $# >= 2 ? 2 : 1 ))
all_targets=(url values text)
targets=("${@:-${all_targets[@]}}")

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cxx=${DORM_FUZZ_CXX:-clang++-14}

command -v "$cxx" >/dev/null 2>&1 ||
  die "$cxx not found: the fuzz targets need clang 14 and libFuzzer (Debian: apt-get install clang-14 libclang-rt-14-dev; setup.sh installs them)"
mkdir -p "$build/obj" "$build/artifacts" "$build/corpus"
build=$(cd "$build" && pwd)

# libFuzzer's runtime and the sanitizers are in libclang-rt-14-dev: a one-line program shows
# whether they link.
probe="$build/obj/probe"
printf '#include <cstdint>\n#include <cstddef>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' >"$probe.cpp"
"$cxx" -fsanitize=fuzzer,address,undefined "$probe.cpp" -o "$probe" 2>"$probe.log" ||
  die "$cxx cannot link a libFuzzer program with ASan/UBSan (is libclang-rt-14-dev installed?): $(head -c 600 "$probe.log")"

flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
       -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unused-function -Wno-missing-field-initializers
       -I"$root/include" -I"$root/lib" -I"$here")

# lib/ sources per target (what the target calls and what they call)
declare -A sources=(
  [url]="engine/url.cpp"
  [values]="driver/numbers.cpp reflect/time_points.cpp reflect/data_errors.cpp error.cpp reflect/types.cpp engine/value.cpp driver/driver.cpp"
  [text]="query/text.cpp dialect/dialect.cpp dialect/hooks.cpp dialect/sqlite.cpp dialect/postgresql.cpp dialect/mysql.cpp dialect/oracle.cpp dialect/list_param.cpp driver/text_check.cpp reflect/data_errors.cpp error.cpp engine/value.cpp driver/driver.cpp"
)

for t in "${targets[@]}"; do
  [[ -n "${sources[$t]+x}" ]] || die "unknown target '$t' (known: ${all_targets[*]})"
done

# Compile each needed lib source once (again when the source or any header is newer than its object).
start=$(date +%s)
newest_header=$(find "$root/include" "$root/lib" "$here" -name '*.hpp' -newer "$build/obj/stamp" 2>/dev/null | head -n 1 || true)
[[ -f "$build/obj/stamp" ]] || newest_header=yes
needed=()
for t in "${targets[@]}"; do
  for s in ${sources[$t]}; do needed+=("lib/$s"); done
  needed+=("test/fuzz/fuzz_$t.cpp")
done
mapfile -t needed < <(printf '%s\n' "${needed[@]}" | sort -u)
compile() {  # <source relative to root>
  local src=$1 obj="$build/obj/${1//\//_}.o"
  if [[ -n "$newest_header" || ! -f "$obj" || "$root/$src" -nt "$obj" ]]; then
    extra=()
    [[ "$src" == test/fuzz/* ]] && extra=(-fsanitize=fuzzer-no-link)
    "$cxx" "${flags[@]}" "${extra[@]}" -c "$root/$src" -o "$obj"
  fi
}
failed=0
jobs=${DORM_FUZZ_JOBS:-2}
for src in "${needed[@]}"; do
  while (( $(jobs -rp | wc -l) >= jobs )); do wait -n || failed=1; done
  compile "$src" &
done
while (( $(jobs -rp | wc -l) > 0 )); do wait -n || failed=1; done
(( failed == 0 )) || die "compiling the fuzz targets failed"
touch "$build/obj/stamp"
for t in "${targets[@]}"; do
  objs=("$build/obj/test_fuzz_fuzz_$t.cpp.o")
  for s in ${sources[$t]}; do objs+=("$build/obj/lib_${s//\//_}.o"); done
  "$cxx" -fsanitize=fuzzer,address,undefined "${objs[@]}" -o "$build/fuzz_$t" || die "linking fuzz_$t failed"
done
echo "run_fuzz.sh: built ${targets[*]} in $(( $(date +%s) - start )) s"

# Run each target for the time given; one summary line each.
status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  log="$build/fuzz_$t.log"
  rc=0
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
    "$build/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$build/artifacts/$t-" "$build/corpus/$t" "$here/corpus/$t" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1 || true)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1 || true)
  cov=$({ grep -o 'cov: [0-9]*' "$log" || true; } | tail -n 1 | cut -d' ' -f2)
  corpus=$(find "$build/corpus/$t" -type f | wc -l)
  if (( rc == 0 )); then
    summary+=("fuzz $t: ok, ${runs:-?} runs in ${seconds} s (${speed:-?} exec/s), coverage ${cov:-?}, corpus $corpus")
  else
    status=1
    crash=$(ls -t "$build/artifacts/$t-"* 2>/dev/null | head -n 1 || true)
    summary+=("fuzz $t: FAILED (exit $rc) after ${runs:-?} runs; input ${crash:-?}; log $log")
    grep -a -m 3 -E 'INVARIANT BROKEN|ERROR: AddressSanitizer|runtime error|ERROR: libFuzzer|uncaught exception|terminate called' "$log" >&2 || tail -n 20 "$log" >&2
  fi
done
printf '%s\n' "${summary[@]}"
exit "$status"
