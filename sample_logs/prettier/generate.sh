#!/usr/bin/env bash
# Re-creates every `prettier --check` sample case from scratch.
# Run from the repo root:  bash sample_logs/prettier/generate.sh
# Needs: node and npm (system); installs prettier 3 and prettier 2 at pinned versions from the
# npm registry into the scratch dir (the only network use). Prettier 2 words its summary
# differently ("Forgot to run Prettier?").
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir prettier

npm_env

PRETTIER_PIN=3.10.1
PRETTIER2_PIN=2.8.8
for v in "$PRETTIER_PIN" "$PRETTIER2_PIN"; do
    mkdir -p "$WORK/tools-$v"
    echo '{"name":"tools","version":"1.0.0","private":true}' > "$WORK/tools-$v/package.json"
    timeout 600 npm install --no-audit --no-fund --prefix "$WORK/tools-$v" "prettier@$v" > "$WORK/install-$v.log" 2>&1 \
        || { cat "$WORK/install-$v.log" >&2; exit 1; }
done
export PATH="$WORK/tools-$PRETTIER_PIN/node_modules/.bin:$PATH"
PRETTIER2=(node "$WORK/tools-$PRETTIER2_PIN/node_modules/prettier/bin-prettier.js")
PRETTIER_VERSION="$(prettier --version)"
PRETTIER2_VERSION="$("${PRETTIER2[@]}" --version)"
NODE_VERSION="$(node --version)"
CAPTURE_TIMEOUT=120

write_toml() {  # CASE VERDICT DESCRIPTION COMMAND [PRETTIER_VERSION]
    cat > "$HERE/$1/case.toml" <<EOF
tool = "prettier"
expected_verdict = "$2"
description = "$3"
produced_by = "prettier ${5:-$PRETTIER_VERSION} (npm), node $NODE_VERSION, \`$4\`"
hand_written = false
colour = false
EOF
}

P="$WORK/project"; mkdir -p "$P/src" "$P/broken"; cd "$P"
echo '{"name":"prettier-demo","version":"1.0.0","private":true}' > package.json
printf 'export const errors = { failed: "request failed", error: "error" };\n' > src/errors.js
printf 'export const total = (items) => items.reduce((sum, i) => sum + i.price, 0);\n' > src/total.js
mkdir -p ugly
printf 'export const money = {amount:1.5,\n  currency:"EUR"}\n' > ugly/money.js
printf 'export function  format( n ){return n+" EUR"}\n' > ugly/format.js
printf 'export function broken( {\n' > broken/parse.js

# ------------------------------------------------ clean (failure words in the code)
capture clean prettier --check src
write_toml clean consistent \
  "every file formatted (their code says 'failed' and 'error'): 'All matched files use Prettier code style!', exit 0" "prettier --check src"

# ------------------------------------------------ unformatted: one file, then two
capture unformatted prettier --check src ugly/money.js
write_toml unformatted consistent \
  "one unformatted file: '[warn] Code style issues found in the above file. Run Prettier with --write to fix.', exit 1" \
  "prettier --check src ugly/money.js"
capture unformatted-many prettier --check ugly
write_toml unformatted-many consistent \
  "two unformatted files: '[warn] Code style issues found in 2 files. Run Prettier with --write to fix.', exit 1" "prettier --check ugly"

# ------------------------------------------------ syntax-error: exit 2
capture syntax-error prettier --check broken ugly
write_toml syntax-error consistent \
  "a file Prettier cannot parse: '[error] broken/parse.js: SyntaxError: ...', 'Error occurred when checking code style in the above file.', exit 2" \
  "prettier --check broken ugly"

# ------------------------------------------------ no-files: an error, and yet 'All matched files use Prettier code style!'
capture no-files prettier --check 'lib/**/*.js'
write_toml no-files consistent \
  "a pattern that matches nothing: '[error] No files matching the pattern were found', then 'All matched files use Prettier code style!', exit 2 (the success line is no proof of success)" \
  "prettier --check 'lib/**/*.js'"

# ------------------------------------------------ tee-trap (lie)
capture tee-trap sh -c 'prettier --check ugly 2>&1 | tee prettier.log'
write_toml tee-trap false-success \
  "two unformatted files, but 'prettier --check | tee' in sh without pipefail records tee's 0" "sh -c 'prettier --check ugly 2>&1 | tee prettier.log'"

# ------------------------------------------------ or-true (lie)
capture syntax-error-or-true sh -c 'prettier --check broken ugly || true'
write_toml syntax-error-or-true false-success \
  "a file Prettier cannot parse and two unformatted ones, and '|| true' records 0" "sh -c 'prettier --check broken ugly || true'"

# ------------------------------------------------ find-exec (lie)
capture find-exec sh -c 'find src ugly -name "*.js" -exec prettier --check {} \;'
write_toml find-exec false-success \
  "one check per file by 'find -exec ... \\\\;', which ignores the command's status: the unformatted files' exit 1 is lost, exit 0" \
  "sh -c 'find src ugly -name \\\"*.js\\\" -exec prettier --check {} \\\\;'"

# ------------------------------------------------ Prettier 2 wording
capture unformatted-prettier2 "${PRETTIER2[@]}" --check ugly
write_toml unformatted-prettier2 consistent \
  "Prettier 2: '[warn] Code style issues found in 2 files. Forgot to run Prettier?', exit 1" "prettier --check ugly" "$PRETTIER2_VERSION"
capture unformatted-prettier2-or-true sh -c "node '$WORK/tools-$PRETTIER2_PIN/node_modules/prettier/bin-prettier.js' --check ugly || true"
write_toml unformatted-prettier2-or-true false-success \
  "the same under '|| true', exit 0" "sh -c 'prettier --check ugly || true'" "$PRETTIER2_VERSION"

echo "prettier samples written to $HERE"
