#!/usr/bin/env bash
# Re-creates every Maven sample case from scratch: small JUnit 4 projects in a temp dir, real
# `mvn` runs captured as CI would (`cmd > output.log 2>&1; echo $? > exit_code`).
# Usage (from the repo root): bash sample_logs/maven/generate.sh
#
# Needs (Debian 12 packages, pinned): maven=3.8.7-1 openjdk-17-jdk-headless libsurefire-java=2.22.3-2
#   libmaven-compiler-plugin-java=3.10.1-2 libmaven-resources-plugin-java=3.3.0-1 junit4=4.13.2-3
# No network: Maven Central is replaced by Debian's /usr/share/maven-repo (a `mirrorOf *` in a
# settings.xml), loaded once into a throwaway local repository by an uncaptured priming run, so
# that the captured runs (`-o`, offline) print no download lines.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir maven
export LC_ALL=C.UTF-8 LANG=C.UTF-8
unset MAVEN_OPTS MAVEN_ARGS JAVA_TOOL_OPTIONS || true
CAPTURE_TIMEOUT=300

MVN_VERSION="$(mvn -v 2>/dev/null | sed -n 's/\x1b\[[0-9;]*m//g; s/^Apache Maven \([0-9.]*\).*/\1/p')"
JAVA_VERSION="$(java -version 2>&1 | sed -n 's/^openjdk version "\([^"]*\)".*/\1/p')"
SUREFIRE_VERSION="$(dpkg-query -W -f '${Version}' libsurefire-java)"
V="Apache Maven $MVN_VERSION (Debian), maven-surefire-plugin 2.22.3 (Debian libsurefire-java $SUREFIRE_VERSION), JUnit 4.13.2, OpenJDK $JAVA_VERSION"

cat > "$WORK/settings.xml" <<EOF
<settings>
  <localRepository>$WORK/m2</localRepository>
  <mirrors><mirror><id>debian</id><mirrorOf>*</mirrorOf><url>file:///usr/share/maven-repo</url></mirror></mirrors>
</settings>
EOF
MVN=(mvn -B -s "$WORK/settings.xml")


write_toml() {  # CASE VERDICT DESCRIPTION COMMAND
    {
        echo 'tool = "maven"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$V, \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

# project DIR: a one-module project (demo:calc) with a Calc class and its JUnit 4 test class.
project() {
    mkdir -p "$1/src/main/java/demo" "$1/src/test/java/demo"
    cat > "$1/pom.xml" <<'EOF'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>demo</groupId><artifactId>calc</artifactId><version>1.0</version>
  <properties>
    <maven.compiler.source>17</maven.compiler.source><maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency>
  </dependencies>
  <build><plugins>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.0</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.10.1</version></plugin>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>2.22.3</version></plugin>
  </plugins></build>
</project>
EOF
    cat > "$1/src/main/java/demo/Calc.java" <<'EOF'
package demo;

public class Calc {
    public static int add(int a, int b) { return a + b; }
    public static int divide(int a, int b) { return a / b; }
}
EOF
    cat > "$1/src/test/java/demo/CalcTest.java" <<'EOF'
package demo;

import org.junit.Test;
import static org.junit.Assert.*;

public class CalcTest {
    @Test public void addsTwoNumbers() { assertEquals(5, Calc.add(2, 3)); }
    @Test public void addsNegativeNumbers() { assertEquals(-1, Calc.add(2, -3)); }
    @Test public void dividesEvenly() { assertEquals(4, Calc.divide(8, 2)); }
}
EOF
}

# A failing test: a wrong expectation.
break_test() { sed -i 's/assertEquals(-1, Calc.add(2, -3))/assertEquals(-2, Calc.add(2, -3))/' "$1/src/test/java/demo/CalcTest.java"; }

# ------------------------------------------------ priming (not captured): fills $WORK/m2
project "$WORK/prime"
(cd "$WORK/prime" && "${MVN[@]}" -q test > /dev/null 2>&1) || { echo "priming run failed" >&2; exit 1; }

# ------------------------------------------------ all_pass
P="$WORK/calc"; project "$P"; cd "$P"
capture all_pass "${MVN[@]}" -o test
write_toml all_pass consistent "three JUnit tests pass: 'Tests run: 3, Failures: 0', BUILD SUCCESS, exit 0" "mvn -B -o test"

# ------------------------------------------------ test_failure
break_test "$P"
capture test_failure "${MVN[@]}" -o test
write_toml test_failure consistent "one assertion fails: '[ERROR] Tests run: 3, Failures: 1', BUILD FAILURE, 'Failed to execute goal ... There are test failures.', exit 1" "mvn -B -o test"

# ------------------------------------------------ tee_trap
capture tee_trap sh -c "${MVN[*]} -o test 2>&1 | tee build.log"
write_toml tee_trap false-success "the same failing test run as 'mvn test | tee build.log' in sh without pipefail: BUILD FAILURE, but tee's 0 is the status recorded" "sh -c 'mvn -B -o test 2>&1 | tee build.log'"

# ------------------------------------------------ quiet_or_true
capture quiet_or_true sh -c "${MVN[*]} -q -o test || true"
write_toml quiet_or_true false-success "the failing test run with -q (no banner, no BUILD FAILURE line: only surefire's and Maven's [ERROR] lines), status dropped by '|| true'" "sh -c 'mvn -B -q -o test || true'"

# ------------------------------------------------ test_failure_ignore (honest exit 0)
capture test_failure_ignore "${MVN[@]}" -o -Dmaven.test.failure.ignore=true test
write_toml test_failure_ignore consistent "the failing test with -Dmaven.test.failure.ignore=true: surefire reports '[ERROR] Tests run: 3, Failures: 1' and '[ERROR] There are test failures.', but the build was told to carry on: BUILD SUCCESS, exit 0" "mvn -B -o -Dmaven.test.failure.ignore=true test"

# ------------------------------------------------ fail_never (honest exit 0)
capture fail_never "${MVN[@]}" -o --fail-never test
write_toml fail_never consistent "the failing test with --fail-never: BUILD FAILURE and 'Failed to execute goal', then '[INFO] Build failures were ignored.' and exit 0, as documented" "mvn -B -o --fail-never test"

# ------------------------------------------------ compile_error
P="$WORK/broken"; project "$P"; cd "$P"
sed -i 's/return a + b;/return a + b/' src/main/java/demo/Calc.java
capture compile_error "${MVN[@]}" -o test
write_toml compile_error consistent "a missing semicolon: '[ERROR] COMPILATION ERROR', BUILD FAILURE, exit 1" "mvn -B -o test"

# ------------------------------------------------ scary_pass: failure words in an honest run
P="$WORK/scary"; project "$P"; cd "$P"
cat > src/test/java/demo/ErrorHandlingTest.java <<'EOF'
package demo;

import org.junit.Ignore;
import org.junit.Test;
import static org.junit.Assert.*;

public class ErrorHandlingTest {
    @Test public void testErrorHandling() {
        System.out.println("[ERROR] BUILD FAILURE simulated by the fixture: expected");
        System.out.println("Tests run: 9, Failures: 9, Errors: 9, Skipped: 0");
        try { Calc.divide(1, 0); fail("no exception"); } catch (ArithmeticException expected) { }
    }
    @Test public void failureMessageIsKept() { assertEquals("FAILURE", "FAILURE"); }
    @Ignore("flaky on CI") @Test public void failsOnSlowMachines() { fail("timing"); }
}
EOF
capture scary_pass "${MVN[@]}" -o test
write_toml scary_pass consistent "honest passing run full of failure words: a test named testErrorHandling prints '[ERROR] BUILD FAILURE ...' and a fake 'Tests run: 9, Failures: 9' line on stdout, one @Ignore'd test (Skipped: 1); BUILD SUCCESS, exit 0" "mvn -B -o test"

# Surefire 2.12.4 (Maven 3.0-3.8's default binding, summary lines without a level prefix) cannot
# run here: Debian relocates maven-surefire-plugin 2.12.4 to 2.22.3. rules/maven.toml covers its
# format with an example instead.

echo "maven samples written to $HERE"
