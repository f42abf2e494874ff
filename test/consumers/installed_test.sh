#!/usr/bin/env bash
# installed_test.sh pkg-config|cmake <build-dir> <source-dir>
# Installs the built dorm into a fresh temporary DESTDIR (meson install --no-rebuild: the
# build directory must be built; meson test does that first), checks what was installed,
# then builds a program against the installed copy the way a user would and runs it:
#   pkg-config  samples/cmake_consumer/main.cpp with `c++ ... $(pkg-config --cflags --libs dorm)`
#   cmake       samples/cmake_consumer as a CMake project (find_package(dorm CONFIG), dorm::dorm)
# The same program both ways: its designated initializers that skip relationship members need
# dorm's -Wno-missing-field-initializers, so a package that drops the flag fails here.
# Both compile with -Wall -Wextra -Wpedantic -Werror: the flags dorm's users need (C++20, the
# -Wno-... of dorm_dep) must come with the package. Registered as tests 'consumer-pkg-config'
# and 'consumer-cmake' (suites samples, consumer) by test/consumers/meson.build, which passes
# DORM_PREFIX, DORM_LIBDIR, DORM_INCLUDEDIR, DORM_VERSION and DORM_BACKENDS (space-separated)
# in the environment.
set -euo pipefail

mode=${1:?usage: installed_test.sh pkg-config|cmake <build-dir> <source-dir>}
build=${2:?build dir}
src=${3:?source dir}
log() { printf 'installed_test(%s): %s\n' "$mode" "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
: "${DORM_PREFIX:?}" "${DORM_LIBDIR:?}" "${DORM_INCLUDEDIR:?}" "${DORM_VERSION:?}" "${DORM_BACKENDS:?}"
case $mode in
  pkg-config) tools=(meson pkg-config "${CXX:-c++}") ;;
  cmake) tools=(meson cmake ninja) ;;
  *) fail "unknown mode '$mode'" ;;
esac
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || fail "$tool not found (run ./setup.sh)"
done

# meson test sets MALLOC_PERTURB_ for tests (it would only slow the compiler down here) and
# LD_LIBRARY_PATH to the build tree's lib/ (the programs must load the installed libdorm).
unset MALLOC_PERTURB_ LD_LIBRARY_PATH

# A directory of its own: the two modes run at the same time as each other and other tests.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dorm-installed-$mode.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
destdir=$tmp/destdir
root=$destdir$DORM_PREFIX          # the installation prefix, as staged
libdir=$root/$DORM_LIBDIR
includedir=$root/$DORM_INCLUDEDIR

# ---------------------------------------------------------------- install
log "meson install -C $build --destdir $destdir"
if ! meson install -C "$build" --destdir "$destdir" --no-rebuild >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log" >&2
  fail "meson install failed"
fi

# Everything Meson says it installs is there (the library, dorm.pc, the CMake package, headers).
meson introspect "$build" --installed >"$tmp/installed.json" || fail "meson introspect --installed failed"
python3 - "$tmp/installed.json" "$destdir" <<'PY' || fail "files missing from the installation"
import json, os, sys
installed = json.load(open(sys.argv[1]))
missing = [dst for dst in installed.values() if not os.path.exists(sys.argv[2] + dst)]
for dst in missing:
    print(f"  not installed: {dst}", file=sys.stderr)
sys.exit(1 if missing or not installed else 0)
PY
for f in "$libdir/pkgconfig/dorm.pc" "$libdir/cmake/dorm/dormConfig.cmake" \
         "$libdir/cmake/dorm/dormConfigVersion.cmake" "$includedir/dorm/dorm.hpp"; do
  [[ -f $f ]] || fail "not installed: ${f#"$destdir"}"
done
compgen -G "$libdir/libdorm.*" >/dev/null || fail "no libdorm.* in ${libdir#"$destdir"}"

# Every header of the source tree is installed, and every dorm header an installed header
# includes is installed too (no include of lib/ or of a file outside include/).
(cd "$src/include" && find dorm -type f) | sort >"$tmp/src-headers"
(cd "$includedir" && find dorm -type f) | sort >"$tmp/installed-headers"
if ! diff -u "$tmp/src-headers" "$tmp/installed-headers" >&2; then
  fail "the installed headers differ from include/ (- source, + installed)"
fi
bad=0
while IFS= read -r line; do
  file=${line%%:*}
  inc=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1/' <<<"${line#*:}")
  case ${line#*:} in
    *'#'*include*'"'*) log "${file#"$includedir"/} includes \"$inc\": public headers include <dorm/...>"; bad=1 ;;
  esac
  if [[ $inc == dorm/* && ! -f $includedir/$inc ]]; then
    log "${file#"$includedir"/} includes <$inc>, which is not installed"
    bad=1
  fi
done < <(grep -rE '^[[:space:]]*#[[:space:]]*include[[:space:]]*("|<dorm/)' "$includedir/dorm" || true)
(( bad == 0 )) || fail "installed headers include headers that are not installed"

# ---------------------------------------------------------------- build a consumer
# Checks that the program loads the installed libdorm (not the build tree's, not another
# installed copy) when it is a shared library, runs it and compares its output.
run_consumer() { # exe expected-output
  local exe=$1 expected=$2 out status lib
  [[ -x $exe ]] || fail "no executable at $exe"
  if lib=$(ldd "$exe" | awk '$1 ~ /^libdorm\.so/ { print $3 }') && [[ -n $lib ]]; then
    [[ $(realpath "$lib") == "$(realpath "$libdir")"/* ]] ||
      fail "$exe loads $lib, not the installed copy in ${libdir#"$destdir"}"
  fi
  set +e
  out=$("$exe" 2>&1)
  status=$?
  set -e
  printf '%s\n' "$out"
  (( status == 0 )) || fail "$exe exited with status $status"
  if [[ $out != "$expected" ]]; then
    printf -- '--- expected:\n%s\n--- got:\n%s\n' "$expected" "$out" >&2
    fail "unexpected output"
  fi
}

warnings=(-Wall -Wextra -Wpedantic -Werror)
# What samples/cmake_consumer/main.cpp prints (it also checks its results itself).
expected='books by Ursula: 2
The Dispossessed
The Lathe of Heaven'

if [[ $mode == pkg-config ]]; then
  export PKG_CONFIG_PATH=$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
  pc=(pkg-config)
  # dorm.pc is relocatable (prefix=${pcfiledir}/...: project default pkgconfig.relocatable).
  # A build directory configured before that default existed keeps an absolute prefix.
  if [[ $(realpath -m "$(pkg-config --variable=prefix dorm)") != "$(realpath "$root")" ]]; then
    log "note: dorm.pc is not relocatable in this build dir (meson configure -Dpkgconfig.relocatable=true); using --define-variable=prefix"
    pc+=("--define-variable=prefix=$root")
  fi
  version=$("${pc[@]}" --modversion dorm) || fail "pkg-config does not find dorm.pc"
  [[ $version == "$DORM_VERSION" ]] || fail "dorm.pc has version $version, the project $DORM_VERSION"
  backends=$("${pc[@]}" --variable=backends dorm)
  [[ $backends == "$DORM_BACKENDS" ]] || fail "dorm.pc says backends='$backends', the build has '$DORM_BACKENDS'"
  flags=$("${pc[@]}" --cflags --libs dorm) || fail "pkg-config --cflags --libs dorm failed"
  log "pkg-config --cflags --libs dorm: $flags"
  [[ " $flags " == *" -std=c++20 "* ]] || fail "dorm.pc's Cflags lack -std=c++20"
  rpath=$("${pc[@]}" --variable=libdir dorm)
  read -ra flag_list <<<"$flags"   # pkg-config prints one line of flags
  cmd=("${CXX:-c++}" "${warnings[@]}" -O2 "$src/samples/cmake_consumer/main.cpp" -o "$tmp/consumer"
       "${flag_list[@]}" "-Wl,-rpath,$rpath")
  log "${cmd[*]}"
  if ! "${cmd[@]}" >"$tmp/build.log" 2>&1; then
    cat "$tmp/build.log" >&2
    fail "compiling and linking samples/cmake_consumer/main.cpp with pkg-config's flags failed"
  fi
  run_consumer "$tmp/consumer" "$expected"
else
  # The version file: 0.<minor> of this version matches, the next minor and major do not.
  cat >"$tmp/version_check.cmake" <<'CM'
string(REPLACE "." ";" _parts "${PACKAGE_FIND_VERSION}")
list(GET _parts 0 PACKAGE_FIND_VERSION_MAJOR)
list(GET _parts 1 PACKAGE_FIND_VERSION_MINOR)
include("${VERSION_FILE}")
if(PACKAGE_VERSION_COMPATIBLE)
  message("TRUE")
else()
  message("FALSE")
endif()
CM
  IFS=. read -r major minor _ <<<"$DORM_VERSION"
  for want in "$major.$minor:TRUE" "$major.$((minor + 1)):FALSE" "$((major + 1)).0:FALSE"; do
    got=$(cmake -DPACKAGE_FIND_VERSION="${want%%:*}" -DVERSION_FILE="$libdir/cmake/dorm/dormConfigVersion.cmake" \
            -P "$tmp/version_check.cmake" 2>&1) || fail "cmake -P over dormConfigVersion.cmake failed: $got"
    [[ $got == "${want#*:}" ]] ||
      fail "dormConfigVersion.cmake: find_package(dorm ${want%%:*}) compatible=$got, expected ${want#*:}"
  done

  log "cmake -S samples/cmake_consumer -DCMAKE_PREFIX_PATH=$root"
  if ! cmake -S "$src/samples/cmake_consumer" -B "$tmp/cmake-build" -G Ninja \
         -DCMAKE_PREFIX_PATH="$root" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
         -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="${warnings[*]}" >"$tmp/configure.log" 2>&1; then
    cat "$tmp/configure.log" >&2
    fail "configuring samples/cmake_consumer failed"
  fi
  grep -qF -- "dorm $DORM_VERSION with backends: ${DORM_BACKENDS// /;}" "$tmp/configure.log" ||
    { cat "$tmp/configure.log" >&2; fail "dorm_VERSION / dorm_BACKENDS not as built ($DORM_VERSION, $DORM_BACKENDS)"; }
  found=$(sed -n 's/^dorm_DIR:[A-Z]*=//p' "$tmp/cmake-build/CMakeCache.txt")
  [[ $(realpath "$found") == "$(realpath "$libdir/cmake/dorm")" ]] ||
    fail "find_package(dorm) found $found, not the installed copy"
  if ! cmake --build "$tmp/cmake-build" -- -v >"$tmp/build.log" 2>&1; then
    cat "$tmp/build.log" >&2
    fail "building samples/cmake_consumer failed"
  fi
  grep -E 'std=(c|gnu)\+\+20' "$tmp/build.log" >/dev/null || { cat "$tmp/build.log" >&2; fail "dorm::dorm did not bring C++20"; }
  run_consumer "$tmp/cmake-build/cmake_consumer" "$expected"
fi
log "ok"
