#!/usr/bin/env bash
# Re-creates every ESLint sample case from scratch.
# Run from the repo root:  bash sample_logs/eslint/generate.sh
# Needs: node and npm (system); installs eslint and @eslint/js at a pinned version from the npm
# registry into the scratch dir (the only network use).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir eslint

npm_env

ESLINT_PIN=9.39.5
ESLINT10_PIN=10.16.0   # the newest major, for its output; the cases run 9 unless named -eslint10
ESLINTJS10_PIN=10.0.1
mkdir -p "$WORK/tools" "$WORK/tools10"
echo '{"name":"tools","version":"1.0.0","private":true}' > "$WORK/tools/package.json"
echo '{"name":"tools","version":"1.0.0","private":true}' > "$WORK/tools10/package.json"
timeout 600 npm install --no-audit --no-fund --prefix "$WORK/tools" "eslint@$ESLINT_PIN" "@eslint/js@$ESLINT_PIN" > "$WORK/install.log" 2>&1 \
    || { cat "$WORK/install.log" >&2; exit 1; }
timeout 600 npm install --no-audit --no-fund --prefix "$WORK/tools10" "eslint@$ESLINT10_PIN" "@eslint/js@$ESLINTJS10_PIN" > "$WORK/install10.log" 2>&1 \
    || { cat "$WORK/install10.log" >&2; exit 1; }
export PATH="$WORK/tools/node_modules/.bin:$PATH"
ESLINT_VERSION="$(eslint --version)"
ESLINT10_VERSION="$("$WORK/tools10/node_modules/.bin/eslint" --version)"
NODE_VERSION="$(node --version)"
NPM_VERSION="$(npm --version)"
CAPTURE_TIMEOUT=120

write_toml() {  # CASE TOOL VERDICT DESCRIPTION COMMAND [ALSO]
    {
        echo "tool = \"$2\""
        [ -z "${6:-}" ] || echo "also = [$6]"
        cat <<EOF
expected_verdict = "$3"
description = "$4"
produced_by = "ESLint $ESLINT_VERSION (npm), node $NODE_VERSION, npm $NPM_VERSION, \`$5\`"
hand_written = false
colour = false
EOF
    } > "$HERE/$1/case.toml"
}

P="$WORK/project"; mkdir -p "$P/src"; cd "$P"
ln -s "$WORK/tools/node_modules" node_modules
cat > package.json <<'JSON'
{
  "name": "eslint-demo",
  "version": "1.0.0",
  "private": true,
  "scripts": { "lint": "eslint src/clean.js" }
}
JSON
cat > eslint.config.js <<'EOF'
const js = require("@eslint/js");
module.exports = [
  js.configs.recommended,
  {
    languageOptions: { sourceType: "commonjs", globals: { console: "readonly", require: "readonly", module: "writable" } },
    rules: { "no-console": "warn" },
  },
];
EOF
cat > src/errors.js <<'EOF'
const unusedErrorHandler = (err) => err;
console.log("error handling: failed requests are retried");
EOF
cat > src/warnings.js <<'EOF'
console.log("0 errors, deploy failed=false");
EOF
cat > src/clean.js <<'EOF'
module.exports = { retries: 3 };
EOF

# ------------------------------------------------ errors (honest exit 1)
capture errors eslint src
write_toml errors eslint consistent \
  "one error and two warnings: '✖ 3 problems (1 error, 2 warnings)', exit 1" "eslint src"

# ------------------------------------------------ warnings-only (honest exit 0)
capture warnings-only eslint src/warnings.js src/clean.js
write_toml warnings-only eslint consistent \
  "warnings only (the linted line says '0 errors' and 'failed'): '✖ 1 problem (0 errors, 1 warning)', exit 0" \
  "eslint src/warnings.js src/clean.js"

# ------------------------------------------------ max-warnings (honest exit 1)
capture max-warnings eslint --max-warnings 0 src/warnings.js
write_toml max-warnings eslint consistent \
  "warnings only, but --max-warnings 0: 'ESLint found too many warnings (maximum: 0).', exit 1" \
  "eslint --max-warnings 0 src/warnings.js"

# ------------------------------------------------ max-warnings-or-true (lie)
capture max-warnings-or-true sh -c 'eslint --max-warnings 0 src/warnings.js || true'
write_toml max-warnings-or-true eslint false-success \
  "too many warnings ('ESLint found too many warnings (maximum: 0).'), and '|| true' records 0" \
  "sh -c 'eslint --max-warnings 0 src/warnings.js || true'"

# ------------------------------------------------ tee-trap (lie)
capture tee-trap sh -c 'eslint src 2>&1 | tee eslint.log'
write_toml tee-trap eslint false-success \
  "errors found ('✖ 3 problems (1 error, 2 warnings)') but 'eslint src | tee' in sh without pipefail records tee's 0" \
  "sh -c 'eslint src 2>&1 | tee eslint.log'"

# ------------------------------------------------ find-exec (lie)
capture find-exec sh -c 'find src -name "*.js" -exec eslint {} \;'
write_toml find-exec eslint false-success \
  "ESLint run once per file by 'find -exec ... \\\\;', whose exit status ignores the command's: the errors file fails, exit 0" \
  "sh -c 'find src -name \\\"*.js\\\" -exec eslint {} \\\\;'"

# ------------------------------------------------ no-files (honest exit 2)
capture no-files eslint lib
write_toml no-files eslint consistent \
  "a pattern that matches no file: 'Oops! Something went wrong! :(' / 'No files matching the pattern \\\"lib\\\" were found.', exit 2" \
  "eslint lib"

# ------------------------------------------------ no-files-or-true (lie)
capture no-files-or-true sh -c 'eslint lib || true'
write_toml no-files-or-true eslint false-success \
  "the same crash banner, and '|| true' records 0" "sh -c 'eslint lib || true'"

# ------------------------------------------------ invalid-option (honest exit 2)
capture invalid-option eslint --env browser src
write_toml invalid-option eslint consistent \
  "an option flat config no longer has: 'Invalid option '--env' - perhaps you meant '--ext'?', exit 2" "eslint --env browser src"

# ------------------------------------------------ quiet-clean (eslint prints nothing on success)
capture quiet-clean npm run lint
write_toml quiet-clean npm consistent \
  "a clean 'npm run lint': ESLint prints nothing when there is no problem, only npm's script header shows, exit 0 (eslint's rule must not fire on a quiet log)" \
  "npm run lint"

# ------------------------------------------------ make-lint (honest: make exits 2 for any failed recipe)
printf '.PHONY: lint\nlint:\n\teslint src\n' > Makefile
capture make-lint make lint
write_toml make-lint eslint consistent \
  "ESLint errors under 'make lint': ESLint exits 1, make reports '*** [Makefile:3: lint] Error 1' and exits 2 (not a wrong code)" \
  "make lint" '"make"'

# ------------------------------------------------ ESLint 10 (its own project copy, so that the config finds @eslint/js 10)
rm -f Makefile
P10="$WORK/project10"; mkdir -p "$P10"; cp -r src eslint.config.js package.json "$P10/"; cd "$P10"
ln -s "$WORK/tools10/node_modules" node_modules
ESLINT9_VERSION="$ESLINT_VERSION"; ESLINT_VERSION="$ESLINT10_VERSION"
capture errors-eslint10 node_modules/.bin/eslint src
write_toml errors-eslint10 eslint consistent "ESLint 10: one error and two warnings, exit 1" "eslint src"
capture max-warnings-eslint10-tee sh -c 'node_modules/.bin/eslint --max-warnings 0 src/warnings.js 2>&1 | tee eslint.log'
write_toml max-warnings-eslint10-tee eslint false-success \
  "ESLint 10: too many warnings, 'eslint --max-warnings 0 | tee' records tee's 0" "sh -c 'eslint --max-warnings 0 src/warnings.js 2>&1 | tee eslint.log'"
ESLINT_VERSION="$ESLINT9_VERSION"

echo "eslint samples written to $HERE"
