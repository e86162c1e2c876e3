#!/usr/bin/env bash
# Re-creates the Gradle sample cases that run here: small JUnit 4 projects in a temp dir, real
# `gradle` runs captured as CI would (`cmd > output.log 2>&1; echo $? > exit_code`).
# Usage (from the repo root): bash sample_logs/gradle/generate.sh
#
# Needs (Debian 12, pinned): gradle=4.4.1-18, openjdk-17-jdk-headless, junit4=4.13.2-3 (the jars
# are given as files, so no repository is contacted; --offline). Gradle 4.4.1 prints tasks as
# `:test`, where Gradle 5+ prints `> Task :test`; the cases android_stdout_only, android_stdout_tee and gradle9_success are
# real logs of current Gradle releases that public projects committed, downloaded from their
# pinned commits and checked against the sha256 recorded below (never edited). Such a log does not
# record its run's exit status: the honest case gets the status Gradle exits with for what the
# log shows, and the lying case is the same log with exit 0, the only thing that differs when
# `| tee` or `|| true` masks the status. Where raw.githubusercontent.com is unreachable, put on
# PATH a `curl` that serves the same commit from a local clone: the sha256 checks still apply.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir gradle
export LC_ALL=C.UTF-8 LANG=C.UTF-8 GRADLE_USER_HOME="$WORK/gradle-home"
unset GRADLE_OPTS JAVA_TOOL_OPTIONS || true
CAPTURE_TIMEOUT=300

GRADLE_VERSION="$(gradle --version 2>/dev/null | sed -n 's/^Gradle //p')"
JAVA_VERSION="$(java -version 2>&1 | sed -n 's/^openjdk version "\([^"]*\)".*/\1/p')"
V="Gradle $GRADLE_VERSION (Debian), JUnit 4.13.2, OpenJDK $JAVA_VERSION"
G=(gradle --offline --no-daemon --console=plain)

write_toml() {  # CASE VERDICT DESCRIPTION COMMAND
    {
        echo 'tool = "gradle"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$V, \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

project() {
    mkdir -p "$1/src/main/java/demo" "$1/src/test/java/demo"
    printf "rootProject.name = 'calc'\n" > "$1/settings.gradle"
    cat > "$1/build.gradle" <<'EOF'
apply plugin: 'java'
sourceCompatibility = 1.8
targetCompatibility = 1.8
dependencies { testCompile files('/usr/share/java/junit4.jar', '/usr/share/java/hamcrest-core.jar') }
test { ignoreFailures = project.hasProperty('ignoreTestFailures') }
EOF
    cat > "$1/src/main/java/demo/Calc.java" <<'EOF'
package demo;

public class Calc {
    public static int add(int a, int b) { return a + b; }
}
EOF
    cat > "$1/src/test/java/demo/CalcTest.java" <<'EOF'
package demo;

import org.junit.Ignore;
import org.junit.Test;
import static org.junit.Assert.*;

public class CalcTest {
    @Test public void addsTwoNumbers() { assertEquals(5, Calc.add(2, 3)); }
    @Test public void addsNegativeNumbers() { assertEquals(-1, Calc.add(2, -3)); }
    @Test public void testErrorHandlingOfOverflow() { assertEquals(Integer.MIN_VALUE, Calc.add(Integer.MAX_VALUE, 1)); }
    @Ignore("FAILED on CI once") @Test public void failsOnSlowMachines() { fail("timing"); }
}
EOF
}
break_test() { sed -i 's/assertEquals(-1, Calc.add(2, -3))/assertEquals(-2, Calc.add(2, -3))/' "$1/src/test/java/demo/CalcTest.java"; }

# ------------------------------------------------ all_pass
P="$WORK/calc"; project "$P"; cd "$P"
capture all_pass "${G[@]}" test
write_toml all_pass consistent "three tests pass (one named testErrorHandlingOfOverflow), one @Ignore'd 'FAILED on CI once'; BUILD SUCCESSFUL, exit 0" "gradle --offline --no-daemon --console=plain test"

# ------------------------------------------------ test_failure
break_test "$P"
capture test_failure "${G[@]}" test
write_toml test_failure consistent "one assertion fails: 'demo.CalcTest > addsNegativeNumbers FAILED', '4 tests completed, 1 failed, 1 skipped', 'FAILURE: Build failed with an exception.', 'BUILD FAILED in Ns', exit 1" "gradle --offline --no-daemon --console=plain test"

# ------------------------------------------------ tee_trap
capture tee_trap sh -c "${G[*]} test 2>&1 | tee gradle.log"
write_toml tee_trap false-success "the failing test run as 'gradle test | tee gradle.log' in sh without pipefail: BUILD FAILED, tee's 0 recorded" "sh -c 'gradle --offline --no-daemon --console=plain test 2>&1 | tee gradle.log'"

# ------------------------------------------------ continue_or_true: --continue, status dropped
capture continue_or_true sh -c "${G[*]} --continue test javadoc || true"
write_toml continue_or_true false-success "the failing test run with --continue (javadoc still runs after :test fails), '|| true' drops gradle's 1" "sh -c 'gradle --offline --no-daemon --console=plain --continue test javadoc || true'"

# ------------------------------------------------ ignore_failures: test { ignoreFailures = true }
capture ignore_failures "${G[@]}" -PignoreTestFailures test
write_toml ignore_failures consistent "the failing test with test.ignoreFailures = true: '4 tests completed, 1 failed, 1 skipped' and 'There were failing tests', yet BUILD SUCCESSFUL and exit 0 by design" "gradle --offline --no-daemon --console=plain -PignoreTestFailures test"

# ------------------------------------------------ compile_error
P="$WORK/broken"; project "$P"; cd "$P"
sed -i 's/return a + b;/return a + b/' src/main/java/demo/Calc.java
capture compile_error "${G[@]}" build
write_toml compile_error consistent "a missing semicolon: 'error: ';' expected', 'Compilation failed; see the compiler error output for details.', BUILD FAILED, exit 1" "gradle --offline --no-daemon --console=plain build"

# ------------------------------------------------ unknown_task
P="$WORK/calc2"; project "$P"; cd "$P"
capture unknown_task "${G[@]}" tset
write_toml unknown_task consistent "a typo in the task name: \"Task 'tset' not found in root project 'calc'.\", BUILD FAILED, exit 1" "gradle --offline --no-daemon --console=plain tset"

# ------------------------------------------------ committed logs of current Gradle releases
public_log() {  # CASE REPO COMMIT PATH SHA256 EXIT
    local dir="$HERE/$1"
    mkdir -p "$dir"
    curl -fsSL "https://raw.githubusercontent.com/$2/$3/$4" -o "$WORK/log"
    echo "$5  $WORK/log" | sha256sum -c --quiet -
    cp "$WORK/log" "$dir/output.log"
    echo "$6" > "$dir/exit_code"
}
public_toml() {  # CASE VERDICT DESCRIPTION PRODUCED_BY SOURCE
    {
        echo 'tool = "gradle"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$4")"
        echo "source = $(toml_str "$5")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

C=Inneren12/ARWeld; K=3f8e9351890fc42c64246f1f4ae8956b47033f14; F=gradle_test.log
public_log android_stdout_only "$C" "$K" "$F" 31e55cfb224fc05ed598c4ccce3771a7a27700569dfba9a9f8e3e631e17101d3 1
public_toml android_stdout_only consistent \
  "Android multi-module build (--continue or parallel: several tasks fail), standard output only (Gradle writes 'FAILURE:' and 'BUILD FAILED' to standard error): three '> Task ... FAILED' lines (kspDebugKotlin, compileDebugKotlin, compileDebugUnitTestKotlin) and '206 actionable tasks'; exit 1, Gradle's status for a failed build" \
  "Gradle 8-era (version not in the log; Android Gradle plugin, Kotlin 1.9.20+ and KSP) on Windows, run by the project; standard output committed as $F" "https://github.com/$C/blob/$K/$F"
public_log android_stdout_tee "$C" "$K" "$F" 31e55cfb224fc05ed598c4ccce3771a7a27700569dfba9a9f8e3e631e17101d3 0
public_toml android_stdout_tee false-success \
  "the same real log audited with exit 0: exactly what './gradlew test | tee gradle_test.log' records without pipefail (tee gets standard output only, and its 0 is the status)" \
  "Gradle 8-era (version not in the log; Android Gradle plugin, Kotlin 1.9.20+ and KSP) on Windows, run by the project; standard output committed as $F; exit 0 stands for the masked status" "https://github.com/$C/blob/$K/$F"

C=A-Gregorius-Ega-Aditama-S-2406434153/Module-2-CI-CD-DevOpsFile; K=27785707a2ae38c9501e9e0b16129a7512447c0e; F=gradle_test.log
public_log gradle9_success "$C" "$K" "$F" 34c4c903e5d4f4b097d0ea1be2a52d041a162f017901ba770a2c391b7b7d94df 0
public_toml gradle9_success consistent \
  "Gradle 9.3.0 'clean test jacocoTestReport': a JVM 'warning' line, 'BUILD SUCCESSFUL in 23s', exit 0" \
  "Gradle 9.3.0, run by the project; log committed as $F" "https://github.com/$C/blob/$K/$F"

echo "gradle samples written to $HERE"
