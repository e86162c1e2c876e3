#!/usr/bin/env bash
# Re-creates every Mocha sample case from scratch.
# Run from the repo root:  bash sample_logs/mocha/generate.sh
# Needs: node and npm (system); installs mocha at a pinned version from the npm registry into
# the scratch dir (the only network use).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir mocha

npm_env

MOCHA_PIN=11.8.0
MOCHA12_PIN=12.0.3   # the newest major, for its output; cases named -mocha12
for dir_pin in "tools:$MOCHA_PIN" "tools12:$MOCHA12_PIN"; do
    d="$WORK/${dir_pin%%:*}"; mkdir -p "$d"
    echo '{"name":"tools","version":"1.0.0","private":true}' > "$d/package.json"
    timeout 600 npm install --no-audit --no-fund --prefix "$d" "mocha@${dir_pin#*:}" > "$d.install.log" 2>&1 \
        || { cat "$d.install.log" >&2; exit 1; }
done
export PATH="$WORK/tools/node_modules/.bin:$PATH"
MOCHA12="$WORK/tools12/node_modules/.bin/mocha"
MOCHA_VERSION="$(mocha --version)"
NODE_VERSION="$(node --version)"
NPM_VERSION="$(npm --version)"
CAPTURE_TIMEOUT=120

write_toml() {  # CASE VERDICT DESCRIPTION COMMAND [ALSO]
    {
        echo 'tool = "mocha"'
        [ -z "${5:-}" ] || echo "also = [$5]"
        cat <<EOF
expected_verdict = "$2"
description = "$3"
produced_by = "mocha $MOCHA_VERSION (npm), node $NODE_VERSION, npm $NPM_VERSION, \`$4\`"
hand_written = false
colour = false
EOF
    } > "$HERE/$1/case.toml"
}

P="$WORK/project"; mkdir -p "$P/test" "$P/other"; cd "$P"
cat > package.json <<'JSON'
{
  "name": "mocha-demo",
  "version": "1.0.0",
  "private": true,
  "scripts": { "test": "mocha" }
}
JSON
cat > test/errors.test.js <<'EOF'
const assert = require('node:assert');
describe('error handling', () => {
  it('handles errors', () => { assert.throws(() => { throw new Error('boom'); }, /boom/); });
  it('reports a failed parse as an Error', () => { assert.throws(() => JSON.parse('{'), SyntaxError); });
  it.skip('fails over to the replica', () => {});
  it('retries after a failure');
});
EOF
cat > test/money.test.js <<'EOF'
const assert = require('node:assert');
describe('money', () => {
  it('parses amounts', () => { assert.strictEqual(Number('1.5'), 1.5); });
  it('formats currency', () => { assert.strictEqual(`${1.5} EUR`, '1.50 EUR'); });
  it('rounds totals half to even', () => { assert.strictEqual(Math.round(2.5), 2); });
});
EOF

# ------------------------------------------------ pass (pending tests, failure words)
capture pass mocha test/errors.test.js
write_toml pass consistent \
  "passing run with two pending tests, test names saying 'errors' and 'failure': '2 passing', '2 pending', exit 0" \
  "mocha test/errors.test.js"

# ------------------------------------------------ fail: mocha exits with the number of failures
capture fail mocha
write_toml fail consistent \
  "two failing tests: '2 failing'; mocha exits with the number of failures, exit 2" "mocha"

# ------------------------------------------------ fail-one
capture fail-one mocha --bail
write_toml fail-one consistent "--bail stops at the first failure: '1 failing', exit 1" "mocha --bail"

# ------------------------------------------------ npm-test-fail
capture npm-test-fail npm test
write_toml npm-test-fail consistent "the failing run under 'npm test' (npm 11 passes mocha's 2 on), exit 2" "npm test" '"npm"'

# ------------------------------------------------ tee-trap (lie)
capture tee-trap sh -c 'mocha 2>&1 | tee mocha.log'
write_toml tee-trap false-success \
  "'2 failing', but 'mocha | tee' in sh without pipefail records tee's 0" "sh -c 'mocha 2>&1 | tee mocha.log'"

# ------------------------------------------------ or-true (lie)
capture or-true sh -c 'mocha --reporter dot || true'
write_toml or-true false-success "the dot reporter's '2 failing', and '|| true' records 0" "sh -c 'mocha --reporter dot || true'"

# ------------------------------------------------ background-wait (lie)
capture background-wait sh -c 'mocha test/errors.test.js & mocha test/money.test.js & wait'
write_toml background-wait false-success \
  "two runs started with '&' and a bare 'wait' (returns 0): one has '2 failing', exit 0" \
  "sh -c 'mocha test/errors.test.js & mocha test/money.test.js & wait'"

# ------------------------------------------------ no-files (honest) / no-files-or-true (lie)
capture no-files mocha 'spec/**/*.spec.js'
write_toml no-files consistent \
  "a spec glob that matches nothing: 'Error: No test files found: \\\"spec/**/*.spec.js\\\"', exit 1" "mocha 'spec/**/*.spec.js'"
capture no-files-or-true sh -c "mocha 'spec/**/*.spec.js' || true"
write_toml no-files-or-true false-success "the same, and '|| true' records 0" "sh -c \\\"mocha 'spec/**/*.spec.js' || true\\\""

# ------------------------------------------------ Mocha 12
MOCHA11_VERSION="$MOCHA_VERSION"; MOCHA_VERSION="$("$MOCHA12" --version)"
capture fail-mocha12 "$MOCHA12"
write_toml fail-mocha12 consistent "Mocha 12: two failing tests, '2 failing', exit 2" "mocha"
capture pass-mocha12 "$MOCHA12" test/errors.test.js
write_toml pass-mocha12 consistent "Mocha 12: passing run with pending tests, exit 0" "mocha test/errors.test.js"
capture or-true-mocha12 sh -c "'$MOCHA12' || true"
write_toml or-true-mocha12 false-success "Mocha 12: '2 failing' and '|| true' records 0" "sh -c 'mocha || true'"
MOCHA_VERSION="$MOCHA11_VERSION"

echo "mocha samples written to $HERE"
