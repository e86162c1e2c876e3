#!/usr/bin/env bash
# Re-creates every PHPUnit sample case from scratch: a small class and its tests in a temp dir,
# real `phpunit` runs captured as CI would (`cmd > output.log 2>&1; echo $? > exit_code`).
# Usage (from the repo root): bash sample_logs/phpunit/generate.sh
# Needs (Debian 12, pinned): php8.2-cli (8.2), phpunit=9.6.7-1+deb12u1.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir phpunit
export LC_ALL=C.UTF-8 LANG=C.UTF-8 NO_COLOR=1

V="$(phpunit --version | sed -n 's/^\(PHPUnit [0-9.]*\).*/\1/p') (Debian), PHP $(php -r 'echo PHP_VERSION;')"
write_toml() {  # CASE VERDICT DESCRIPTION COMMAND
    {
        echo 'tool = "phpunit"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$V, \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

project() {
    mkdir -p "$1/src" "$1/tests"
    cat > "$1/src/Invoice.php" <<'EOF'
<?php
final class Invoice
{
    public static function total(array $lines): int
    {
        if ($lines === []) {
            throw new InvalidArgumentException('an invoice needs at least one line');
        }
        return array_sum($lines);
    }
}
EOF
    cat > "$1/tests/InvoiceTest.php" <<'EOF'
<?php
use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/../src/Invoice.php';

final class InvoiceTest extends TestCase
{
    public function testTotalAddsLines(): void
    {
        $this->assertSame(30, Invoice::total([10, 20]));
    }

    public function testErrorHandlingRejectsAnEmptyInvoice(): void
    {
        $this->expectException(InvalidArgumentException::class);
        Invoice::total([]);
    }

    public function testFailureReportIsEmailed(): void
    {
        $this->markTestSkipped('mail server not available: ERRORS! and FAILURES! reports are not sent');
    }
}
EOF
}

# ------------------------------------------------ all_pass (with a skipped test)
P="$WORK/pass"; project "$P"; cd "$P"
capture all_pass phpunit --colors=never tests
write_toml all_pass consistent "two tests pass (one named testErrorHandlingRejectsAnEmptyInvoice), one is skipped with a message quoting 'ERRORS!' and 'FAILURES!': 'OK, but incomplete, skipped, or risky tests!', exit 0" "phpunit --colors=never tests"

# ------------------------------------------------ failure
P="$WORK/fail"; project "$P"; cd "$P"
sed -i 's/assertSame(30, Invoice::total(\[10, 20\]))/assertSame(31, Invoice::total([10, 20]))/' tests/InvoiceTest.php
capture failure phpunit --colors=never tests
write_toml failure consistent "one assertion fails: 'FAILURES!', 'Tests: 3, Assertions: 2, Failures: 1, Skipped: 1.', exit 1" "phpunit --colors=never tests"
capture tee_trap sh -c 'phpunit --colors=never tests 2>&1 | tee phpunit.log'
write_toml tee_trap false-success "the failing run piped into tee in sh without pipefail: 'FAILURES!', tee's 0 recorded" "sh -c 'phpunit --colors=never tests 2>&1 | tee phpunit.log'"

# ------------------------------------------------ error: an exception in a test (exit 2)
P="$WORK/error"; project "$P"; cd "$P"
sed -i 's/Invoice::total(\[10, 20\])/Invoice::total([])/' tests/InvoiceTest.php
capture error phpunit --colors=never tests
write_toml error consistent "a test throws InvalidArgumentException: 'There was 1 error', 'ERRORS!', exit 2 (PHPUnit's exception exit code)" "phpunit --colors=never tests"

# ------------------------------------------------ find_exec: one phpunit per test file, find's status
P="$WORK/many"; project "$P"; cd "$P"
sed -i 's/assertSame(30, Invoice::total(\[10, 20\]))/assertSame(31, Invoice::total([10, 20]))/' tests/InvoiceTest.php
cat > tests/RoundingTest.php <<'EOF'
<?php
use PHPUnit\Framework\TestCase;

final class RoundingTest extends TestCase
{
    public function testRoundsHalfUp(): void
    {
        $this->assertSame(3.0, round(2.5));
    }
}
EOF
capture find_exec sh -c "find tests -name '*Test.php' | sort | xargs -n1 -I{} sh -c 'phpunit --colors=never {}; true'"
write_toml find_exec false-success "one phpunit per test file, as 'find tests -name *Test.php -exec phpunit {} \\\\;' runs them: the first run has 'FAILURES!', the last is 'OK (1 test, 1 assertion)', and find's 0 is recorded" "sh -c \"find tests -name '*Test.php' | sort | xargs -n1 -I{} sh -c 'phpunit --colors=never {}; true'\""

echo "phpunit samples written to $HERE"
