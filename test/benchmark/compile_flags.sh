# Sourced by compile_time.sh and compile_profile.sh: the flags of build.ninja for
# samples/orm_script.cpp (buildtype debugoptimized minus -g), with $root the dorm source tree.
# shellcheck shell=sh
flags="-I$root/include -D_FILE_OFFSET_BITS=64 -Wall -Winvalid-pch -Wextra -Wpedantic -std=c++20 -O2 -pthread -DBOOST_ALL_NO_LIB -Wno-missing-field-initializers"
