#!/bin/sh
# Runs one compile_fail case: compiles SOURCE (syntax only) with the given compiler command and
# checks the outcome against the case's first `// expect: ` line:
#   // expect: compiles          the file must compile (positive controls, must-compile cases)
#   // expect: <sentence>        the file must NOT compile, and the compiler output must contain
#                                <sentence> (a substring of the library's static_assert)
# Usage: run_case.sh SOURCE COMPILER [ARGS...]
# Exit status: 0 pass, 1 fail, 99 a broken case file.
set -u
LC_ALL=C
export LC_ALL

src=$1
shift
expected=$(sed -n 's|^// expect: ||p' "$src" | head -n 1)
if [ -z "$expected" ]; then
    echo "ERROR: $src has no '// expect: ' line"
    exit 99
fi

out=$("$@" "$src" 2>&1)
rc=$?

if [ "$expected" = "compiles" ]; then
    if [ "$rc" -eq 0 ]; then
        echo "PASS: $src compiles"
        exit 0
    fi
    echo "FAIL: $src must compile, but the compiler exited with status $rc. Its errors:"
    printf '%s\n' "$out" | grep -E 'error' | head -n 20
    exit 1
fi

if [ "$rc" -eq 0 ]; then
    echo "FAIL: $src compiled, but it must be rejected with:"
    echo "    $expected"
    exit 1
fi
if printf '%s\n' "$out" | grep -F -q -e "$expected"; then
    echo "PASS: $src is rejected with:"
    echo "    $expected"
    exit 0
fi
echo "FAIL: $src is rejected, but the compiler did not say:"
echo "    $expected"
echo "Its errors:"
printf '%s\n' "$out" | grep -E 'error' | head -n 20
exit 1
