#!/usr/bin/env bash
# Re-creates every cmake sample case (configure with `cmake -S -B`, build with `cmake --build`)
# from scratch, with the Ninja and the Unix Makefiles generators.
# Run from the repo root:  bash sample_logs/cmake/generate.sh
# Needs (Debian 12 bookworm packages): cmake 3.25.1-1, ninja-build 1.11.1-2~deb12u1,
# make 4.3, gcc 12.2.0. No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir cmake

export LC_ALL=C LANG=C
unset CMAKE_GENERATOR CMAKE_BUILD_PARALLEL_LEVEL CLICOLOR_FORCE MAKEFLAGS NINJA_STATUS || true
export CLICOLOR=0

CMAKE_VERSION="$(cmake --version | sed -n 1p)"   # "cmake version 3.25.1"
NINJA_VERSION="$(ninja --version)"


write_toml() {  # CASE VERDICT DESCRIPTION COMMAND [ALSO_TOOL]
    {
        echo 'tool = "cmake"'
        [ -z "${5:-}" ] || echo "also = [\"$5\"]"
        echo "expected_verdict = \"$2\""
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$CMAKE_VERSION (Debian cmake 3.25.1-1), ninja $NINJA_VERSION, gcc $(gcc -dumpfullversion), \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

# f PATH <<'EOF' ... EOF : write a project file under $WORK
f() { mkdir -p "$(dirname "$WORK/$1")"; cat > "$WORK/$1"; }

clear_cases

# ---------------------------------------------------------------- projects
# app: builds, with a configure-time warning and a compiler warning whose words are frightening.
f app/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(app C)
option(WITH_SYSLOG "log errors to syslog" OFF)
if(NOT WITH_SYSLOG)
  message(WARNING "WITH_SYSLOG is OFF: errors and fatal failures are logged to stderr only")
endif()
add_library(errors STATIC src/errors.c)
target_compile_options(errors PRIVATE -Wall)
add_executable(app src/main.c)
target_link_libraries(app PRIVATE errors)
EOF
f app/src/errors.c <<'EOF'
#include <stdio.h>
void report_error(const char *what) {
    int unused_fatal_count = 0;
    fprintf(stderr, "error: %s\n", what);
}
EOF
f app/src/main.c <<'EOF'
void report_error(const char *what);
int main(void) { report_error("none"); return 0; }
EOF

# broken: a C file that does not compile.
f broken/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(broken C)
add_executable(server src/server.c src/config.c)
EOF
f broken/src/server.c <<'EOF'
int config_port(void);
int main(void) { return config_port() == 8080 ? 0 : 1; }
EOF
f broken/src/config.c <<'EOF'
int config_port(void) {
    return default_port;   /* never declared */
}
EOF

# needs: a dependency that is not installed.
f needs/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(needs C)
find_package(LibArchiveExitaudit 3.6 REQUIRED)
add_executable(needs main.c)
EOF
f needs/main.c <<'EOF'
int main(void) { return 0; }
EOF

# ---------------------------------------------------------------- honest runs
cd "$WORK/app"
capture configure-build-pass sh -c 'cmake -S . -B build-ninja -G Ninja && cmake --build build-ninja'
write_toml configure-build-pass consistent \
  "configure and build with Ninja: a configure warning 'errors and fatal failures are logged', gcc's unused-variable warning; exit 0" \
  "sh -c 'cmake -S . -B build-ninja -G Ninja && cmake --build build-ninja'"

cmake -S . -B build-make -G "Unix Makefiles" > /dev/null 2>&1
capture build-make-pass cmake --build build-make
write_toml build-make-pass consistent \
  "cmake --build with the Unix Makefiles generator: '[100%] Built target app', a compiler warning; exit 0" \
  "cmake --build build-make"

cd "$WORK/needs"
capture configure-error cmake -S . -B build
write_toml configure-error consistent \
  "configure fails: find_package(... REQUIRED) finds nothing, 'CMake Error at CMakeLists.txt:3 (find_package)', 'Configuring incomplete, errors occurred!'; exit 1" \
  "cmake -S . -B build"

capture no-build-dir cmake --build build-missing
write_toml no-build-dir consistent \
  "cmake --build on a directory that does not exist: 'Error: ... is not a directory'; exit 1" \
  "cmake --build build-missing"

cd "$WORK/broken"
cmake -S . -B build-ninja -G Ninja > /dev/null 2>&1
cmake -S . -B build-make -G "Unix Makefiles" > /dev/null 2>&1
capture build-error-ninja cmake --build build-ninja
write_toml build-error-ninja consistent \
  "cmake --build with Ninja: gcc rejects config.c, 'FAILED: ...', 'ninja: build stopped: subcommand failed.'; cmake --build passes on ninja's exit 1" \
  "cmake --build build-ninja"

capture build-error-make cmake --build build-make
write_toml build-error-make consistent \
  "cmake --build with Unix Makefiles: gcc rejects config.c, 'gmake[2]: *** [...] Error 1'; cmake --build passes on make's exit 2" \
  "cmake --build build-make" make

# ---------------------------------------------------------------- lying runs
cd "$WORK/broken"
rm -rf build-ninja && cmake -S . -B build-ninja -G Ninja > /dev/null 2>&1
capture build-error-tee sh -c 'cmake --build build-ninja 2>&1 | tee build.log'
write_toml build-error-tee false-success \
  "failing Ninja build piped through tee in sh without pipefail: tee's 0 is recorded" \
  "sh -c 'cmake --build build-ninja 2>&1 | tee build.log'"

f broken/ci-build.sh <<'EOF'
#!/bin/sh
# Builds, then prints where the binaries are: the script's status is echo's.
cmake --build build-make --parallel 1
echo "artifacts in build-make/"
EOF
chmod +x "$WORK/broken/ci-build.sh"
capture build-error-wrapper ./ci-build.sh
write_toml build-error-wrapper false-success \
  "a wrapper script runs cmake --build (Makefiles), which fails, then echoes: the script exits 0" \
  "./ci-build.sh (cmake --build build-make --parallel 1; echo ...)" make

cd "$WORK"
rm -rf broken/build-ninja && cmake -S broken -B broken/build-ninja -G Ninja > /dev/null 2>&1
capture build-find-exec find broken -maxdepth 2 -name build.ninja -execdir cmake --build . \;
write_toml build-find-exec false-success \
  "cmake --build run in every Ninja build dir by 'find -name build.ninja -execdir cmake --build . \\;': the build fails, find exits 0" \
  "find broken -maxdepth 2 -name build.ninja -execdir cmake --build . \\;"

cd "$WORK/needs"
capture configure-error-or-true sh -c 'cmake -S . -B build || true'
write_toml configure-error-or-true false-success \
  "configure fails on a missing package, status discarded by '|| true'" \
  "sh -c 'cmake -S . -B build || true'"

cd "$WORK"
rm -rf app/build-ninja broken/build-ninja
cmake -S app -B app/build-ninja -G Ninja > /dev/null 2>&1
cmake -S broken -B broken/build-ninja -G Ninja > /dev/null 2>&1
capture build-background sh -c 'cmake --build broken/build-ninja & cmake --build app/build-ninja & wait'
write_toml build-background false-success \
  "two builds in the background and a bare 'wait' (0 whatever they returned); one fails to compile" \
  "sh -c 'cmake --build broken/build-ninja & cmake --build app/build-ninja & wait'"

echo "cmake samples written to $HERE"
