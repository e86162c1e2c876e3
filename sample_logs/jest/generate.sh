#!/usr/bin/env bash
# Re-creates every jest sample case from scratch.
# Run from the repo root:  bash sample_logs/jest/generate.sh
# Needs: node and npm (system); installs jest at a pinned version from the npm registry into the
# scratch dir (the only network use).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir jest

npm_env

JEST_PIN=29.7.0
JEST30_PIN=30.5.2   # the newest major, for its output; the cases run 29 unless named -jest30
# ESLint and TypeScript too, for the CI scripts that run all three in one log.
ESLINT_PIN=9.39.5
TS_PIN=5.9.3
for dir_pin in "tools:$JEST_PIN eslint@$ESLINT_PIN @eslint/js@$ESLINT_PIN typescript@$TS_PIN" "tools30:$JEST30_PIN"; do
    d="$WORK/${dir_pin%%:*}"; mkdir -p "$d"
    echo '{"name":"tools","version":"1.0.0","private":true}' > "$d/package.json"
    # shellcheck disable=SC2086  # the extra packages are meant to split
    timeout 600 npm install --no-audit --no-fund --prefix "$d" jest@${dir_pin#*:} > "$d.install.log" 2>&1 \
        || { cat "$d.install.log" >&2; exit 1; }
done
export PATH="$WORK/tools/node_modules/.bin:$PATH"
JEST30="$WORK/tools30/node_modules/.bin/jest"
JEST_VERSION="$(jest --version)"
JEST30_VERSION="$("$JEST30" --version)"
NODE_VERSION="$(node --version)"
NPM_VERSION="$(npm --version)"
CAPTURE_TIMEOUT=120

write_toml() {  # CASE VERDICT DESCRIPTION COMMAND [ALSO]
    {
        echo 'tool = "jest"'
        [ -z "${5:-}" ] || echo "also = [$5]"
        cat <<EOF
expected_verdict = "$2"
description = "$3"
produced_by = "jest $JEST_VERSION (npm), node $NODE_VERSION, npm $NPM_VERSION, \`$4\`"
hand_written = false
colour = false
EOF
    } > "$HERE/$1/case.toml"
}

# A project with a passing suite (its test names full of failure words, a skipped test and a
# todo) and a suite with one failing test.
P="$WORK/project"; mkdir -p "$P/test"; cd "$P"
cat > package.json <<'JSON'
{
  "name": "jest-demo",
  "version": "1.0.0",
  "private": true,
  "scripts": { "test": "jest --ci" }
}
JSON
cat > test/errors.test.js <<'EOF'
const parse = (s) => { if (!s) throw new Error('empty input'); return JSON.parse(s); };
describe('error handling', () => {
  it('handles errors', () => { expect(() => parse('')).toThrow('empty input'); });
  it('reports a failed parse as an Error', () => { expect(() => parse('{')).toThrow(SyntaxError); });
  it.skip('fails over to the replica', () => {});
  it.todo('retries after a timeout');
});
EOF
cat > test/money.test.js <<'EOF'
const format = (n) => `${n} EUR`;
describe('money', () => {
  test('parses amounts', () => { expect(Number('1.5')).toBe(1.5); });
  test('formats currency', () => { expect(format(1.5)).toBe('1.50 EUR'); });
});
EOF

# ------------------------------------------------ pass (only the passing suite)
capture pass jest --ci test/errors
write_toml pass consistent \
  "passing suite whose test names say 'errors' and 'failed', with a skipped test and a todo; 'Tests: 1 skipped, 1 todo, 2 passed, 4 total', exit 0" \
  "jest --ci test/errors"

# ------------------------------------------------ fail
capture fail jest --ci
write_toml fail consistent \
  "one failing test: 'Test Suites: 1 failed, 1 passed, 2 total', 'Tests: 1 failed, ...', exit 1" "jest --ci"

# ------------------------------------------------ npm-test-fail (jest under npm 11)
capture npm-test-fail npm test
write_toml npm-test-fail consistent \
  "the same failure run through 'npm test' (npm 11 passes jest's exit 1 on), exit 1" "npm test" '"npm"'

# ------------------------------------------------ tee-trap
capture tee-trap sh -c 'jest --ci 2>&1 | tee jest.log'
write_toml tee-trap false-success \
  "a failing run piped through tee in sh without pipefail: 'Tests: 1 failed' but tee's 0 was recorded" \
  "sh -c 'jest --ci 2>&1 | tee jest.log'"

# ------------------------------------------------ or-true
capture or-true sh -c 'jest --ci || true'
write_toml or-true false-success \
  "a failing run whose status '|| true' discards: 'Test Suites: 1 failed', exit 0" "sh -c 'jest --ci || true'"

# ------------------------------------------------ background-wait
capture background-wait sh -c 'jest --ci test/errors & jest --ci test/money & wait'
write_toml background-wait false-success \
  "two jest runs started with '&' and collected with a bare 'wait', which returns 0: one run fails ('Test Suites: 1 failed, 1 total'), exit 0" \
  "sh -c 'jest --ci test/errors & jest --ci test/money & wait'"

# ------------------------------------------------ wrapper-drops-status
cat > run-tests.sh <<'EOF'
#!/bin/sh
# runs the suite, then reports; the last command's status is the script's
jest --ci
echo "test report written to reports/"
EOF
chmod +x run-tests.sh
capture wrapper-drops-status ./run-tests.sh
write_toml wrapper-drops-status false-success \
  "a wrapper script runs jest and then echo, so the script exits 0 after 'Tests: 1 failed'" "./run-tests.sh"

# ------------------------------------------------ no-tests / pass-with-no-tests
capture no-tests jest --ci test/nothing-matches
write_toml no-tests consistent \
  "a test path pattern that matches nothing: 'No tests found, exiting with code 1', exit 1" "jest --ci test/nothing-matches"
capture pass-with-no-tests jest --ci --passWithNoTests test/nothing-matches
write_toml pass-with-no-tests consistent \
  "the same with --passWithNoTests: 'No tests found, exiting with code 0', exit 0" \
  "jest --ci --passWithNoTests test/nothing-matches"
capture no-tests-or-true sh -c 'jest --ci test/nothing-matches || true'
write_toml no-tests-or-true false-success \
  "no tests found ('No tests found, exiting with code 1') and '|| true' records 0" \
  "sh -c 'jest --ci test/nothing-matches || true'"

# ------------------------------------------------ coverage-threshold: every test passes, exit 1
C="$WORK/coverage"; mkdir -p "$C"; cd "$C"
echo '{"name":"jest-coverage-demo","version":"1.0.0","private":true}' > package.json
cat > lib.js <<'EOF'
exports.pick = (x) => { if (x) { return 1; } return 2; };
exports.unused = () => 3;
EOF
cat > lib.test.js <<'EOF'
const { pick } = require('./lib');
test('picks the first branch', () => { expect(pick(true)).toBe(1); });
EOF
capture coverage-threshold jest --ci --coverage --coverageThreshold='{"global":{"statements":90}}'
write_toml coverage-threshold consistent \
  "every test passes but statement coverage is under the threshold: 'Jest: \\\"global\\\" coverage threshold for statements (90%) not met', exit 1" \
  "jest --ci --coverage --coverageThreshold='{\\\"global\\\":{\\\"statements\\\":90}}'"

# ------------------------------------------------ suite-failed-to-run (syntax error)
S="$WORK/syntax"; mkdir -p "$S"; cd "$S"
echo '{"name":"jest-syntax-demo","version":"1.0.0","private":true}' > package.json
echo 'const total = ;' > broken.test.js
capture suite-failed-to-run jest --ci
write_toml suite-failed-to-run consistent \
  "a test file with a syntax error: '● Test suite failed to run', 'Test Suites: 1 failed, 1 total', 'Tests: 0 total', exit 1" "jest --ci"

# ------------------------------------------------ the same project under Jest 30
cd "$P"
JEST29_VERSION="$JEST_VERSION"; JEST_VERSION="$JEST30_VERSION"
capture fail-jest30 "$JEST30" --ci
write_toml fail-jest30 consistent "Jest 30: one failing test, 'Tests: 1 failed, ...', exit 1" "jest --ci"
capture pass-jest30 "$JEST30" --ci test/errors
write_toml pass-jest30 consistent "Jest 30: the passing suite with a skipped and a todo test, exit 0" "jest --ci test/errors"
capture tee-trap-jest30 sh -c "'$JEST30' --ci 2>&1 | tee jest.log"
write_toml tee-trap-jest30 false-success "Jest 30: the failing run piped through tee without pipefail, exit 0" "sh -c 'jest --ci 2>&1 | tee jest.log'"
JEST_VERSION="$JEST29_VERSION"

# ------------------------------------------------ CI scripts running ESLint, tsc and Jest in one log
cd "$P"
ln -s "$WORK/tools/node_modules" node_modules
mkdir -p src
cat > eslint.config.js <<'EOF'
const js = require("@eslint/js");
module.exports = [
  js.configs.recommended,
  { languageOptions: { sourceType: "commonjs", globals: { console: "readonly", module: "writable" } }, rules: { "no-console": "warn" } },
  { ignores: ["test/**", "dist/**"] },
];
EOF
cat > tsconfig.json <<'EOF'
{ "compilerOptions": { "strict": true, "noEmit": true }, "include": ["src/**/*.ts"] }
EOF
cat > src/report.js <<'EOF'
const unusedErrorHandler = (err) => err;
console.log("report: 0 failed");
EOF
cat > src/total.ts <<'EOF'
export const total: number = "12";
EOF
cat > ci.sh <<'EOF'
#!/bin/sh
# no `set -e`: every step runs, and the last one's status is the script's
echo "== lint"; eslint src
echo "== typecheck"; tsc -p .
echo "== test"; jest --ci test/errors
EOF
chmod +x ci.sh
capture ci-script-no-set-e ./ci.sh
write_toml ci-script-no-set-e false-success \
  "a CI script without 'set -e' runs ESLint (1 error), tsc (1 type error) and Jest (passes); the script exits with Jest's 0" \
  "./ci.sh (eslint src; tsc -p .; jest --ci test/errors)" '"eslint", "tsc"'
# The honest counterpart: lint warnings only, a clean type check (tsc prints nothing), failing tests.
cat > src/report.js <<'EOF'
console.log("report: 0 failed");
EOF
cat > src/total.ts <<'EOF'
export const total: number = 12;
EOF
sed -i 's|jest --ci test/errors$|jest --ci|' ci.sh
capture ci-script-tests-fail ./ci.sh
write_toml ci-script-tests-fail consistent \
  "the same CI script: ESLint warnings only ('0 errors, 1 warning', exit 0), tsc clean (silent), Jest fails; exit 1 is Jest's, not ESLint's (no false-failure)" \
  "./ci.sh (eslint src; tsc -p .; jest --ci)" '"eslint"'

echo "jest samples written to $HERE"
