#!/usr/bin/env bash
# Re-creates every `node --test` sample case from scratch.
# Run from the repo root:  bash sample_logs/node-test/generate.sh
# Needs: node (system; its built-in test runner) and npm. No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir node-test

npm_env
NODE_VERSION="$(node --version)"
NPM_VERSION="$(npm --version)"
CAPTURE_TIMEOUT=120

write_toml() {  # CASE VERDICT DESCRIPTION COMMAND [ALSO]
    {
        echo 'tool = "node-test"'
        [ -z "${5:-}" ] || echo "also = [$5]"
        cat <<EOF
expected_verdict = "$2"
description = "$3"
produced_by = "node $NODE_VERSION (built-in test runner), npm $NPM_VERSION, \`$4\`"
hand_written = false
colour = false
EOF
    } > "$HERE/$1/case.toml"
}

P="$WORK/project"; mkdir -p "$P/test" "$P/slow" "$P/empty"; cd "$P"
cat > package.json <<'JSON'
{
  "name": "node-test-demo",
  "version": "1.0.0",
  "private": true,
  "scripts": { "test": "node --test" }
}
JSON
cat > test/errors.test.js <<'EOF'
const { describe, it } = require('node:test');
const assert = require('node:assert');
describe('error handling', () => {
  it('handles errors', () => { assert.throws(() => { throw new Error('boom'); }, /boom/); });
  it('retries after a failure', { skip: 'flaky on CI' }, () => {});
  it('reports failed requests', { todo: true }, () => {});
});
EOF
cat > test/money.test.js <<'EOF'
const test = require('node:test');
const assert = require('node:assert');
test('parses amounts', () => { assert.strictEqual(Number('1.5'), 1.5); });
test('formats currency', () => { assert.strictEqual(`${1.5} EUR`, '1.50 EUR'); });
EOF
cat > slow/queue.test.js <<'EOF'
const test = require('node:test');
test('waits for the queue', { timeout: 100 }, () => new Promise((resolve) => setTimeout(resolve, 2000)));
EOF

# ------------------------------------------------ pass (TAP, the default without a terminal on node 20)
capture pass node --test test/errors.test.js
write_toml pass consistent \
  "passing run with a skipped and a todo test, test names saying 'errors' and 'failure': '# pass 1', '# fail 0', exit 0" \
  "node --test test/errors.test.js"

# ------------------------------------------------ fail (TAP)
capture fail node --test test/
write_toml fail consistent "one failing test: 'not ok 2 - formats currency', '# fail 1', exit 1" "node --test test/"

# ------------------------------------------------ fail-spec (spec reporter)
capture fail-spec node --test --test-reporter=spec test/
write_toml fail-spec consistent \
  "the same failure with the spec reporter: 'ℹ fail 1', '✖ failing tests:', exit 1" "node --test --test-reporter=spec test/"

# ------------------------------------------------ pass-spec
capture pass-spec node --test --test-reporter=spec test/errors.test.js
write_toml pass-spec consistent "a passing run with the spec reporter: 'ℹ fail 0', exit 0" \
  "node --test --test-reporter=spec test/errors.test.js"

# ------------------------------------------------ timeout (cancelled)
capture timeout node --test slow/
write_toml timeout consistent \
  "a test that exceeds its timeout: 'test timed out after 100ms', '# cancelled 1', '# fail 0', exit 1" "node --test slow/"

# ------------------------------------------------ no-tests
capture no-tests node --test empty/
write_toml no-tests consistent "no test files: '# tests 0', exit 0" "node --test empty/"

# ------------------------------------------------ npm-test-fail
capture npm-test-fail npm test
write_toml npm-test-fail consistent "'npm test' running 'node --test' over the whole project: the failing and the timed-out test ('# fail 1', '# cancelled 1'), npm 11 passes the 1 on, exit 1" "npm test" '"npm"'

# ------------------------------------------------ tee-trap (lie)
capture tee-trap sh -c 'node --test test/ 2>&1 | tee test.log'
write_toml tee-trap false-success \
  "'# fail 1', but 'node --test | tee' in sh without pipefail records tee's 0" "sh -c 'node --test test/ 2>&1 | tee test.log'"

# ------------------------------------------------ timeout-or-true (lie)
capture timeout-or-true sh -c 'node --test slow/ || true'
write_toml timeout-or-true false-success \
  "a timed-out test ('# cancelled 1') and '|| true' records 0" "sh -c 'node --test slow/ || true'"

# ------------------------------------------------ find-exec (lie)
capture find-exec sh -c 'find test -name "*.test.js" -exec node --test {} \;'
write_toml find-exec false-success \
  "one run per test file by 'find -exec ... \\\\;', which ignores the command's status: money.test.js fails, exit 0" \
  "sh -c 'find test -name \\\"*.test.js\\\" -exec node --test {} \\\\;'"

echo "node-test samples written to $HERE"
