#!/usr/bin/env bash
# Re-creates every ctest sample case from scratch: small C projects configured with cmake and
# built with make, their tests run by ctest, captured as CI would.
# Run from the repo root:  bash sample_logs/ctest/generate.sh
# Needs (Debian 12 bookworm packages): cmake 3.25.1-1 (cmake and ctest 3.25.1), gcc 12.2.0,
# make 4.3. No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir ctest

export LC_ALL=C LANG=C
# No colour, no parallelism or output settings from the environment.
unset CTEST_OUTPUT_ON_FAILURE CTEST_PARALLEL_LEVEL CTEST_PROGRESS_OUTPUT CMAKE_GENERATOR \
      CMAKE_BUILD_PARALLEL_LEVEL CLICOLOR_FORCE MAKEFLAGS || true
export CLICOLOR=0

CTEST_VERSION="$(ctest --version | sed -n 1p)"   # "ctest version 3.25.1"


write_toml() {  # CASE VERDICT DESCRIPTION COMMAND [ALSO_TOOL]
    {
        echo 'tool = "ctest"'
        [ -z "${5:-}" ] || echo "also = [\"$5\"]"
        echo "expected_verdict = \"$2\""
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$CTEST_VERSION (Debian cmake 3.25.1-1), gcc $(gcc -dumpfullversion), \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

# f PATH <<'EOF' ... EOF : write a project file under $WORK
f() { mkdir -p "$(dirname "$WORK/$1")"; cat > "$WORK/$1"; }

clear_cases

# ---------------------------------------------------------------- projects
# One test program, told by its argument which check to run.
f src/checks.c <<'EOF'
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int parse_port(const char *s) { int p = 0; while (*s >= '0' && *s <= '9') p = p * 10 + (*s++ - '0'); return *s ? -1 : p; }

int main(int argc, char **argv) {
    const char *which = argc > 1 ? argv[1] : "";
    if (!strcmp(which, "parse")) {
        return parse_port("8080") == 8080 ? 0 : 1;
    }
    if (!strcmp(which, "error_handling")) {
        /* passes: prints the words a careless pattern would take for a failure */
        printf("error: invalid port 'x80' rejected as expected\n");
        printf("FAILED would mean the error went unnoticed\n");
        return parse_port("x80") == -1 ? 0 : 1;
    }
    if (!strcmp(which, "overflow")) {
        int p = parse_port("99999");
        printf("FAIL: parse_port(\"99999\") = %d, want -1 (out of range)\n", p);
        return p == -1 ? 0 : 1;
    }
    if (!strcmp(which, "crash")) {
        raise(SIGSEGV);
    }
    if (!strcmp(which, "hang")) {
        sleep(30);
        return 0;
    }
    if (!strcmp(which, "ipv6")) {
        printf("no IPv6 on this host: skipping\n");
        return 77;
    }
    return 2;
}
EOF

# green: passing tests only, one skipped (exit 77 with SKIP_RETURN_CODE), one expected to fail
# (WILL_FAIL), one DISABLED (`***Not Run (Disabled)`, not a failure).
f green/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(green C)
enable_testing()
add_executable(checks ../src/checks.c)
add_test(NAME parse COMMAND checks parse)
add_test(NAME error_handling COMMAND checks error_handling)
add_test(NAME ipv6 COMMAND checks ipv6)
set_tests_properties(ipv6 PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME overflow_is_known_bug COMMAND checks overflow)
set_tests_properties(overflow_is_known_bug PROPERTIES WILL_FAIL TRUE)
add_test(NAME legacy_overflow COMMAND checks overflow)
set_tests_properties(legacy_overflow PROPERTIES DISABLED TRUE)
EOF

# red: a failing test, a crash and a timeout next to passing tests.
f red/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(red C)
enable_testing()
add_executable(checks ../src/checks.c)
add_test(NAME parse COMMAND checks parse)
add_test(NAME error_handling COMMAND checks error_handling)
add_test(NAME overflow COMMAND checks overflow)
add_test(NAME crash COMMAND checks crash)
add_test(NAME hang COMMAND checks hang)
set_tests_properties(hang PROPERTIES TIMEOUT 2)
EOF

# flaky: a test that fails the first time it runs in a build dir and passes afterwards.
f flaky/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(flaky C)
enable_testing()
add_executable(checks ../src/checks.c)
add_test(NAME parse COMMAND checks parse)
add_test(NAME replica_lag COMMAND sh -c "if [ -f first-run-done ]; then exit 0; fi; touch first-run-done; echo 'FAIL: replica 2 behind by 1 write'; exit 1")
EOF

# empty: no tests at all.
f empty/CMakeLists.txt <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(empty C)
enable_testing()
add_executable(checks ../src/checks.c)
EOF

for p in green red flaky empty; do
    cmake -S "$WORK/$p" -B "$WORK/$p/build" -G "Unix Makefiles" > /dev/null
    cmake --build "$WORK/$p/build" > /dev/null
done

# ---------------------------------------------------------------- honest runs
cd "$WORK/green/build"
capture test-pass ctest
write_toml test-pass consistent \
  "ctest passes: a test named error_handling, a skipped test ('***Skipped'), a DISABLED one ('***Not Run (Disabled)', 'The following tests did not run'), a WILL_FAIL test; '100% tests passed'; exit 0" \
  "ctest"

capture test-verbose-pass ctest -V
write_toml test-verbose-pass consistent \
  "ctest -V passes: tests print 'error: invalid port', 'FAILED would mean...', 'FAIL: parse_port' (the WILL_FAIL test); exit 0" \
  "ctest -V"

cd "$WORK/red/build"
capture test-fail ctest --output-on-failure
write_toml test-fail consistent \
  "ctest --output-on-failure: a failing test, a SEGFAULT and a Timeout; '40% tests passed, 3 tests failed out of 5', 'Errors while running CTest'; exit 8" \
  "ctest --output-on-failure"

capture make-test make test
write_toml make-test consistent \
  "make test (the Makefile generator's test target runs ctest): tests fail, ctest exits 8, make reports 'Error 8' and exits 2" \
  "make test" make

cd "$WORK/empty/build"
capture no-tests ctest
write_toml no-tests consistent \
  "ctest in a project without tests: 'No tests were found!!!', exit 0 (ctest 3.25's default, --no-tests=ignore)" \
  "ctest"

capture no-tests-error ctest --no-tests=error
write_toml no-tests-error consistent \
  "ctest --no-tests=error in a project without tests: 'No tests were found!!!', 'Errors while running CTest'; exit 8" \
  "ctest --no-tests=error"

cd "$WORK/flaky/build"
rm -f first-run-done
capture repeat-until-pass ctest --output-on-failure --repeat until-pass:3
write_toml repeat-until-pass consistent \
  "ctest --repeat until-pass:3: a flaky test fails ('***Failed', 'FAIL: replica 2 behind') and passes on its second attempt; '100% tests passed'; exit 0" \
  "ctest --output-on-failure --repeat until-pass:3"

rm -f first-run-done
capture rerun-failed sh -c 'ctest || ctest --rerun-failed --output-on-failure'
write_toml rerun-failed consistent \
  "'ctest || ctest --rerun-failed': the first run has a failed test, the re-run passes it; exit 0 is the re-run's" \
  "sh -c 'ctest || ctest --rerun-failed --output-on-failure'"

# ---------------------------------------------------------------- lying runs
cd "$WORK/red/build"
capture test-fail-tee sh -c 'ctest --output-on-failure 2>&1 | tee ctest.log'
write_toml test-fail-tee false-success \
  "failing ctest piped through tee in sh without pipefail: tee's 0 is recorded" \
  "sh -c 'ctest --output-on-failure 2>&1 | tee ctest.log'"

capture test-fail-or-true sh -c 'ctest -R "parse|overflow" || true'
write_toml test-fail-or-true false-success \
  "ctest with a failing test, status discarded by '|| true'" \
  "sh -c 'ctest -R \"parse|overflow\" || true'"

capture test-fail-background sh -c 'ctest -R overflow & ctest -R parse & wait'
write_toml test-fail-background false-success \
  "two ctest runs in the background and a bare 'wait' (0 whatever they returned); one has a failing test" \
  "sh -c 'ctest -R overflow & ctest -R parse & wait'"

f red/run-tests.sh <<'EOF'
#!/bin/sh
# Runs the tests, then collects the report: the script's status is cp's.
ctest --output-on-failure -R 'parse|crash'
cp Testing/Temporary/LastTest.log /tmp/exitaudit-samples/ctest/last-test.log
EOF
chmod +x "$WORK/red/run-tests.sh"
capture test-fail-wrapper ../run-tests.sh
write_toml test-fail-wrapper false-success \
  "a wrapper script runs ctest (a test crashes) and then copies the log: the script's status is cp's 0" \
  "../run-tests.sh (ctest --output-on-failure -R 'parse|crash'; cp ...)"

cd "$WORK/red"
capture test-find-exec find . -maxdepth 2 -name CTestTestfile.cmake -execdir ctest -R overflow \;
write_toml test-find-exec false-success \
  "ctest run in every build dir by 'find -name CTestTestfile.cmake -execdir ctest \\;': a test fails, find exits 0" \
  "find . -maxdepth 2 -name CTestTestfile.cmake -execdir ctest -R overflow \\;"

echo "ctest samples written to $HERE"
