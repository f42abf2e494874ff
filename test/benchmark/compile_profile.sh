#!/bin/sh
# Where the compiler's memory goes in samples/orm_script.cpp (issue 19 item 4): the tutorial is
# compiled in stages, each one its first lines of main() (cut before a marker line), with the
# flags compile_time.sh uses:
#   header      dorm/dorm.hpp and <iostream>, nothing else
#   models      the three mapped structs and their metadata, main() empty
#   engine      + create_engine
#   create_all  + Base.create_all (the table descriptions of the three structs)
#   add_commit  + a session, add() and commit() (the session records of the structs)
#   selects     + the three selects
#   update      + a change, remove(), commits
#   full        + the relationship part (the whole file)
# For each stage: peak RSS of `-O2 -c` (what a build takes), of `-fsyntax-only` (parsing and
# template instantiation, no code), and of `-O2 -c` with g++'s garbage collector made to run at
# every chance (--param ggc-min-expand=5 --param ggc-min-heapsize=2048; slower). g++ collects
# only once its heap passes twice ggc-min-heapsize (128 MB by default on a machine with 1 GB of
# RAM or more: see `g++ -Q --help=params`), so below 256 MB its peak is everything it allocated,
# garbage included; the third column is the memory the compilation needs live.
#
#   test/benchmark/compile_profile.sh [--root DIR] [--cxx COMPILER]
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cxx=${CXX:-c++}
while [ $# -gt 0 ]; do
    case "$1" in
        --root) root=$2; shift 2 ;;
        --cxx) cxx=$2; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "compile_profile.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -x /usr/bin/time ] || { echo "compile_profile.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dorm_compile_profile.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# shellcheck source=compile_flags.sh
. "$(dirname "$0")/compile_flags.sh"
collect="--param ggc-min-expand=5 --param ggc-min-heapsize=2048"
sample=$root/samples/orm_script.cpp

# stage name and the line of main() it stops before (empty: the whole body; "-": no main body)
stages="models:-
engine:Base.create_all
create_all:dorm::session session
add_commit:auto users
selects:same->age
update:// relationships
full:"

printf '#include <dorm/dorm.hpp>\n#include <iostream>\nint main() {}\n' >"$tmp/header.cpp"
grep -q '^int main(' "$sample" || { echo "compile_profile.sh: no 'int main(' line in $sample" >&2; exit 2; }
while IFS=: read -r name marker; do
    out=$tmp/$name.cpp
    if [ "$marker" = - ]; then
        # everything before main(), then an empty main()
        sed '/^int main(/,$d' "$sample" >"$out"
        echo 'int main() {}' >>"$out"
    elif [ -z "$marker" ]; then
        cp "$sample" "$out"
    else
        grep -qF "$marker" "$sample" || { echo "compile_profile.sh: marker '$marker' not in $sample" >&2; exit 2; }
        # main()'s lines up to the marker, then close main(); the arguments may go unused
        awk -v m="$marker" '
            /^int main\(/ { inmain = 1; print; print "    (void)argc; (void)argv;"; next }
            inmain && index($0, m) { print "}"; exit }
            { print }' "$sample" >"$out"
    fi
done <<EOF
$stages
EOF

peak() {  # peak RSS in MB of one compile: peak FILE FLAGS...
    f=$1
    shift
    # shellcheck disable=SC2086
    /usr/bin/time -f '%M' -o "$tmp/rss" "$cxx" $flags "$@" "$f" 2>"$tmp/cc.txt" ||
        { echo "compile_profile.sh: $f does not compile:" >&2; cat "$tmp/cc.txt" >&2; exit 1; }
    awk '{ printf "%.1f", $1 / 1024 }' "$tmp/rss"
}

echo "compiler: $($cxx --version | head -n 1)"
echo "flags:    $flags"
printf '%-12s %12s %14s %14s %10s\n' stage "-O2 -c MB" "syntax MB" "collected MB" "text B"
for name in header models engine create_all add_commit selects update full; do
    src=$tmp/$name.cpp
    o2=$(peak "$src" -c -o "$tmp/out.o")
    text=$(size "$tmp/out.o" | awk 'NR == 2 { print $1 }')
    syn=$(peak "$src" -fsyntax-only)
    # shellcheck disable=SC2086
    live=$(peak "$src" $collect -c -o "$tmp/out.o")
    printf '%-12s %12s %14s %14s %10s\n' "$name" "$o2" "$syn" "$live" "$text"
    printf 'PROFILE %s o2_mb=%s syntax_mb=%s collected_mb=%s text_bytes=%s\n' "$name" "$o2" "$syn" "$live" "$text" >>"$tmp/results"
done
cat "$tmp/results"
