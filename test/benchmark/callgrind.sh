#!/bin/sh
# Instruction counts of the workloads W1..W5 (plus W3sel and W3bp) per implementation, and their ratios
# to the raw sqlite3 floor, under valgrind's callgrind: noise-free on a busy machine.
#
#   test/benchmark/callgrind.sh [-b BENCH] [-o OUTDIR] [-d memory|file|both] [-i impl,impl,...] [-- bench args]
#
#   -b BENCH   the dorm_bench executable (default: build-bench/test/benchmark/dorm_bench)
#   -o OUTDIR  keeps the callgrind dumps there (default: a new temporary directory)
#   -d DB      memory, file or both (default both)
#   -i IMPLS   implementations (default raw,dorm_orm,dorm_core)
#   after --    extra dorm_bench arguments, e.g. -- --n 20000 --lookups 2000
#
# Each implementation runs in its own process as
#   valgrind --tool=callgrind --dump-instr=no --callgrind-out-file=OUT/cg.DB.IMPL \
#            dorm_bench --callgrind --impl IMPL --db DB
# (--callgrind: N=10000, lookups=1000, w5_reps=100, one repetition). dorm_bench zeroes the
# counters before each timed region (CALLGRIND_ZERO_STATS) and dumps them after it
# (CALLGRIND_DUMP_STATS_AT("W1") ...), so dump OUT/cg.DB.IMPL.<k> holds exactly one workload;
# its `desc: Trigger: Client Request: W1` line says which. Profile one with
#   callgrind_annotate --inclusive=yes OUT/cg.memory.dorm_orm.1 | head -60
set -eu

bench=build-bench/test/benchmark/dorm_bench
out=
dbs="memory file"
impls="raw dorm_orm dorm_core"
while [ $# -gt 0 ]; do
    case "$1" in
        -b) bench=$2; shift 2 ;;
        -o) out=$2; shift 2 ;;
        -d) if [ "$2" = both ]; then dbs="memory file"; else dbs=$2; fi; shift 2 ;;
        -i) impls=$(echo "$2" | tr ',' ' '); shift 2 ;;
        --) shift; break ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "callgrind.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
command -v valgrind >/dev/null 2>&1 || { echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
[ -x "$bench" ] || { echo "callgrind.sh: no executable $bench (build it, or pass -b)" >&2; exit 2; }
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/dorm_callgrind.XXXXXX")
mkdir -p "$out"
: >"$out/counts.txt"  # a reused OUTDIR must not mix in an earlier run's counts

status=0
for db in $dbs; do
    for impl in $impls; do
        rm -f "$out/cg.$db.$impl" "$out/cg.$db.$impl".*
        if ! valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$out/cg.$db.$impl" \
            "$bench" --callgrind --impl "$impl" --db "$db" "$@" >"$out/log.$db.$impl" 2>"$out/valgrind.$db.$impl"; then
            echo "callgrind.sh: $impl on $db failed (see $out/log.$db.$impl, $out/valgrind.$db.$impl)" >&2
            status=1
        fi
        grep -q "CHECKSUM MISMATCH" "$out/log.$db.$impl" && { echo "callgrind.sh: $impl on $db: checksum mismatch" >&2; status=1; }
        # one line per workload: db impl workload instructions
        for f in "$out/cg.$db.$impl".*; do
            [ -f "$f" ] || continue
            awk -v db="$db" -v impl="$impl" '
                /^desc: Trigger: Client Request: / { w = $NF }
                /^summary: / { s = $2 }
                END { if (w != "" && s != "") print db, impl, w, s }' "$f"
        done >>"$out/counts.txt"
    done
done

sort -u "$out/counts.txt" -o "$out/counts.txt"
echo "callgrind instruction counts (Ir, millions) and ratio to raw; dumps in $out"
awk -v impls="$impls" '
    { ir[$1 " " $2 " " $3] = $4; dbs[$1] = 1 }
    END {
        n = split(impls, im, " ")
        split("W1 W2 W3 W3sel W3bp W4 W5", ws, " ")
        for (db in dbs) {
            printf "\n== %s ==\n%-6s", db, ""
            for (i = 1; i <= n; ++i) printf(im[i] == "raw" ? " %12s" : " | %12s %7s", im[i], "ratio")
            printf "\n"
            for (k = 1; k <= 7; ++k) {
                w = ws[k]; base = (w == "W3sel" || w == "W3bp") ? "W3" : w
                any = 0
                for (i = 1; i <= n; ++i) if ((db " " im[i] " " w) in ir) any = 1
                if (!any) continue
                printf "%-6s", w
                for (i = 1; i <= n; ++i) {
                    key = db " " im[i] " " w; rawkey = db " raw " base
                    if (im[i] == "raw") {
                        if (rawkey in ir) printf " %12.2f", ir[rawkey] / 1e6; else printf " %12s", "n/a"
                    } else if (key in ir) {
                        if (rawkey in ir) printf " | %12.2f %7.2f", ir[key] / 1e6, ir[key] / ir[rawkey]
                        else printf " | %12.2f %7s", ir[key] / 1e6, "-"
                    } else printf " | %12s %7s", "n/a", ""
                }
                printf "\n"
            }
        }
    }' "$out/counts.txt"
echo
echo "(W3sel: dorm_orm lookups written as select ... where id == ?; W3bp: through one statement built once with"
echo " where(col(&User::id) == dorm::bindparam<std::int64_t>(\"id\")); both compared with raw W3.)"
exit $status
