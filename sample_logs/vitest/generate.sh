#!/usr/bin/env bash
# Re-creates every Vitest sample case from scratch.
# Run from the repo root:  bash sample_logs/vitest/generate.sh
# Needs: node and npm (system); installs vitest at a pinned version from the npm registry into
# the scratch dir (the only network use). Vitest 2 is the newest major that supports Node 18/20
# without warnings; later majors need newer Node releases.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir vitest

npm_env

VITEST_PIN=2.1.9
VITEST4_PIN=4.1.12   # the newest major that runs on Node 20 (5 needs Node 22); cases named -vitest4
for dir_pin in "tools:$VITEST_PIN" "tools4:$VITEST4_PIN"; do
    d="$WORK/${dir_pin%%:*}"; mkdir -p "$d"
    echo '{"name":"tools","version":"1.0.0","private":true}' > "$d/package.json"
    timeout 600 npm install --no-audit --no-fund --prefix "$d" "vitest@${dir_pin#*:}" > "$d.install.log" 2>&1 \
        || { cat "$d.install.log" >&2; exit 1; }
done
export PATH="$WORK/tools/node_modules/.bin:$PATH"
VITEST_VERSION="$(vitest --version | cut -d" " -f1)"
NODE_VERSION="$(node --version)"
NPM_VERSION="$(npm --version)"
CAPTURE_TIMEOUT=120

write_toml() {  # CASE VERDICT DESCRIPTION COMMAND [ALSO]
    {
        echo 'tool = "vitest"'
        [ -z "${5:-}" ] || echo "also = [$5]"
        cat <<EOF
expected_verdict = "$2"
description = "$3"
produced_by = "$VITEST_VERSION (npm), node $NODE_VERSION, npm $NPM_VERSION, \`$4\`"
hand_written = false
colour = false
EOF
    } > "$HERE/$1/case.toml"
}

P="$WORK/project"; mkdir -p "$P/test" "$P/flaky"; cd "$P"
ln -s "$WORK/tools/node_modules" node_modules
cat > package.json <<'JSON'
{
  "name": "vitest-demo",
  "version": "1.0.0",
  "private": true,
  "type": "module",
  "scripts": { "test": "vitest run test/" }
}
JSON
cat > test/errors.test.js <<'EOF'
import { describe, it, expect } from 'vitest';
describe('error handling', () => {
  it('handles errors', () => { expect(() => { throw new Error('boom'); }).toThrow('boom'); });
  it('reports a failed parse as an Error', () => { expect(() => JSON.parse('{')).toThrow(SyntaxError); });
  it.skip('fails over to the replica', () => {});
  it.todo('retries after a timeout');
});
EOF
cat > test/money.test.js <<'EOF'
import { describe, test, expect } from 'vitest';
const format = (n) => `${n} EUR`;
describe('money', () => {
  test('parses amounts', () => { expect(Number('1.5')).toBe(1.5); });
  test('formats currency', () => { expect(format(1.5)).toBe('1.50 EUR'); });
});
EOF
# Every test passes, but a timer throws after the first one: an unhandled error fails the run.
cat > flaky/flush.test.js <<'EOF'
import { test, expect } from 'vitest';
test('schedules the flush', () => { setTimeout(() => { throw new Error('flush failed after the test'); }, 1); expect(1).toBe(1); });
test('waits for the queue', async () => { await new Promise((resolve) => setTimeout(resolve, 50)); });
EOF

# ------------------------------------------------ pass
capture pass vitest run test/errors
write_toml pass consistent \
  "passing run, test names full of failure words, a skipped and a todo test: 'Tests  2 passed | 1 skipped | 1 todo (4)', exit 0" \
  "vitest run test/errors"

# ------------------------------------------------ fail
capture fail vitest run test/
write_toml fail consistent \
  "one failing test: 'Test Files  1 failed | 1 passed (2)', 'Tests  1 failed | ...', exit 1" "vitest run test/"

# ------------------------------------------------ npm-test-fail
capture npm-test-fail npm test
write_toml npm-test-fail consistent "the same failure under 'npm test' (npm 11 passes the 1 on), exit 1" "npm test" '"npm"'

# ------------------------------------------------ tee-trap (lie)
capture tee-trap sh -c 'vitest run test/ 2>&1 | tee vitest.log'
write_toml tee-trap false-success \
  "the failing run piped through tee in sh without pipefail, which records tee's 0" "sh -c 'vitest run test/ 2>&1 | tee vitest.log'"

# ------------------------------------------------ background-wait (lie)
capture background-wait sh -c 'vitest run test/money & vitest run test/errors & wait'
write_toml background-wait false-success \
  "two runs started with '&' and a bare 'wait' (returns 0): one fails, exit 0" \
  "sh -c 'vitest run test/money & vitest run test/errors & wait'"

# ------------------------------------------------ wrapper-drops-status (lie)
cat > ci-test.sh <<'EOF'
#!/bin/sh
# runs the tests, then archives the report; tar's status is the script's
vitest run test/
tar -cf reports.tar package.json
EOF
chmod +x ci-test.sh
capture wrapper-drops-status ./ci-test.sh
write_toml wrapper-drops-status false-success \
  "a wrapper script whose last command (tar) succeeds: 'Tests  1 failed', exit 0" "./ci-test.sh"

# ------------------------------------------------ unhandled-error (honest: every test passed, exit 1)
capture unhandled-error vitest run flaky/
write_toml unhandled-error consistent \
  "every test passes, but a timer throws after a test: 'Vitest caught 1 unhandled error during the test run.', 'Errors  1 error', exit 1" \
  "vitest run flaky/"

# ------------------------------------------------ no-tests / pass-with-no-tests / no-tests-or-true
capture no-tests vitest run nothing-matches
write_toml no-tests consistent "a filter that matches no file: 'No test files found, exiting with code 1', exit 1" "vitest run nothing-matches"
capture pass-with-no-tests vitest run --passWithNoTests nothing-matches
write_toml pass-with-no-tests consistent "the same with --passWithNoTests: 'No test files found, exiting with code 0', exit 0" \
  "vitest run --passWithNoTests nothing-matches"
capture no-tests-or-true sh -c 'vitest run nothing-matches || true'
write_toml no-tests-or-true false-success "no test files found (exit 1 announced) and '|| true' records 0" \
  "sh -c 'vitest run nothing-matches || true'"

# ------------------------------------------------ Vitest 4 (its own project copy, so that imports of 'vitest' resolve to 4)
P4="$WORK/project4"; mkdir -p "$P4"; cp -r test flaky package.json "$P4/"; cd "$P4"
ln -s "$WORK/tools4/node_modules" node_modules
VITEST2_VERSION="$VITEST_VERSION"; VITEST_VERSION="$(node_modules/.bin/vitest --version | cut -d" " -f1)"
capture fail-vitest4 node_modules/.bin/vitest run test/
write_toml fail-vitest4 consistent "Vitest 4: one failing test, 'Test Files  1 failed | 1 passed (2)', exit 1" "vitest run test/"
capture unhandled-error-vitest4 node_modules/.bin/vitest run flaky/
write_toml unhandled-error-vitest4 consistent "Vitest 4: every test passes, an unhandled error fails the run, exit 1" "vitest run flaky/"
capture tee-trap-vitest4 sh -c 'node_modules/.bin/vitest run test/ 2>&1 | tee vitest.log'
write_toml tee-trap-vitest4 false-success "Vitest 4: the failing run piped through tee without pipefail, exit 0" "sh -c 'vitest run test/ 2>&1 | tee vitest.log'"
VITEST_VERSION="$VITEST2_VERSION"

echo "vitest samples written to $HERE"
