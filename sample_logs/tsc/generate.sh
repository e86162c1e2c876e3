#!/usr/bin/env bash
# Re-creates every tsc (TypeScript compiler) sample case from scratch.
# Run from the repo root:  bash sample_logs/tsc/generate.sh
# Needs: node and npm (system); installs typescript at a pinned version from the npm registry
# into the scratch dir (the only network use).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir tsc

export LC_ALL=C LANG=C
: > "$WORK/npmrc"
export npm_config_userconfig="$WORK/npmrc" npm_config_cache="$WORK/cache"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export NO_UPDATE_NOTIFIER=1 CI=true

TS_PIN=5.9.3
TS7_PIN=7.0.2   # the newest major (the native compiler), for its output; the cases run 5 unless named -ts7
for dir_pin in "tools:$TS_PIN" "tools7:$TS7_PIN"; do
    d="$WORK/${dir_pin%%:*}"; mkdir -p "$d"
    echo '{"name":"tools","version":"1.0.0","private":true}' > "$d/package.json"
    timeout 600 npm install --no-audit --no-fund --prefix "$d" "typescript@${dir_pin#*:}" > "$d.install.log" 2>&1 \
        || { cat "$d.install.log" >&2; exit 1; }
done
export PATH="$WORK/tools/node_modules/.bin:$PATH"
TSC7="$WORK/tools7/node_modules/.bin/tsc"
TSC_VERSION="$(tsc --version | sed "s/^Version /tsc /")"
TSC7_VERSION="$("$TSC7" --version | sed "s/^Version /tsc /")"
NODE_VERSION="$(node --version)"
CAPTURE_TIMEOUT=120

write_toml() {  # CASE VERDICT DESCRIPTION COMMAND [COLOUR]
    cat > "$HERE/$1/case.toml" <<EOF
tool = "tsc"
expected_verdict = "$2"
description = "$3"
produced_by = "$TSC_VERSION (typescript from npm), node $NODE_VERSION, \`$4\`"
hand_written = false
colour = ${5:-false}
EOF
}

# Two small projects: one with type errors in two files, one clean.
P="$WORK/project"; mkdir -p "$P/src"; cd "$P"
cat > tsconfig.json <<'EOF'
{ "compilerOptions": { "strict": true, "outDir": "dist", "target": "es2020", "module": "commonjs" }, "include": ["src"] }
EOF
cat > src/money.ts <<'EOF'
export const total: number = "12";
export function double(amount: string) { return amount * 2; }
EOF
cat > src/errors.ts <<'EOF'
export const errorCount: number = "0";
EOF
C="$WORK/clean"; mkdir -p "$C/src"
cp tsconfig.json "$C/"
cat > "$C/src/errors.ts" <<'EOF'
// error handling: the number of failed requests
export const failedRequests: number = 0;
export function reportError(message: string): string { return `error: ${message}`; }
EOF

# ------------------------------------------------ errors: emit happens, exit 2
capture errors tsc -p .
write_toml errors consistent \
  "three type errors ('src/money.ts(1,14): error TS2322: ...'); outputs still emitted, so exit 2 (DiagnosticsPresent_OutputsGenerated)" "tsc -p ."

# ------------------------------------------------ noemit-errors
capture noemit-errors tsc --noEmit -p .
write_toml noemit-errors consistent "the same errors with --noEmit, exit 2" "tsc --noEmit -p ."

# ------------------------------------------------ noemitonerror-errors: exit 1
capture noemitonerror-errors tsc --noEmitOnError -p .
write_toml noemitonerror-errors consistent \
  "the same errors with --noEmitOnError: nothing emitted, exit 1 (DiagnosticsPresent_OutputsSkipped)" "tsc --noEmitOnError -p ."

# ------------------------------------------------ pretty-errors (colour, summary line)
capture pretty-errors tsc --noEmit --pretty -p .
write_toml pretty-errors consistent \
  "--pretty (colours kept): 'src/money.ts:1:14 - error TS2322: ...' and 'Found 3 errors in 2 files.', exit 2" "tsc --noEmit --pretty -p ." true

# ------------------------------------------------ build-mode-errors: tsc -b exits 1
capture build-mode-errors tsc -b .
write_toml build-mode-errors consistent "build mode (tsc -b) with the same errors, exit 1" "tsc -b ."

# ------------------------------------------------ unknown-option
capture unknown-option tsc --noEmit --strictest -p .
write_toml unknown-option consistent \
  "an unknown compiler option: 'error TS5025: Unknown compiler option '--strictest'. Did you mean 'strict'?', exit 1" "tsc --noEmit --strictest -p ."

# ------------------------------------------------ tee-trap (lie)
capture tee-trap sh -c 'tsc --noEmit -p . 2>&1 | tee tsc.log'
write_toml tee-trap false-success \
  "type errors, but 'tsc --noEmit | tee' in sh without pipefail records tee's 0" "sh -c 'tsc --noEmit -p . 2>&1 | tee tsc.log'"

# ------------------------------------------------ wrapper-drops-status (lie)
cat > typecheck.sh <<'EOF'
#!/bin/sh
# type-checks, then prints a banner; the banner's status is the script's
tsc --noEmit -p .
echo "typecheck finished"
EOF
chmod +x typecheck.sh
capture wrapper-drops-status ./typecheck.sh
write_toml wrapper-drops-status false-success \
  "a wrapper script whose last command is an echo: type errors, exit 0" "./typecheck.sh"

# ------------------------------------------------ background-wait (lie)
capture background-wait sh -c "tsc --noEmit -p $C & tsc --noEmit -p . & wait"
write_toml background-wait false-success \
  "two type checks started with '&' and a bare 'wait' (returns 0): the clean one prints nothing, the other prints type errors, exit 0" \
  "sh -c 'tsc --noEmit -p clean & tsc --noEmit -p . & wait'"

# ------------------------------------------------ clean-listed: tsc prints nothing on success; --listEmittedFiles shows what it wrote
cd "$C"
capture clean-listed tsc --listEmittedFiles -p .
write_toml clean-listed consistent \
  "a clean build (source full of 'error'/'failed' words) with --listEmittedFiles: only 'TSFILE: .../dist/errors.js', exit 0" \
  "tsc --listEmittedFiles -p ."

# ------------------------------------------------ TypeScript 7
cd "$P"
TSC5_VERSION="$TSC_VERSION"; TSC_VERSION="$TSC7_VERSION"
capture noemit-errors-ts7 "$TSC7" --noEmit -p .
write_toml noemit-errors-ts7 consistent "TypeScript 7: the same errors with --noEmit; the native compiler exits 1" "tsc --noEmit -p ."
capture pretty-errors-ts7 "$TSC7" --noEmit --pretty -p .
write_toml pretty-errors-ts7 consistent "TypeScript 7 with --pretty (colours kept): 'Found 3 errors in 2 files.', exit 1" "tsc --noEmit --pretty -p ." true
capture tee-trap-ts7 sh -c "'$TSC7' --noEmit -p . 2>&1 | tee tsc.log"
write_toml tee-trap-ts7 false-success "TypeScript 7: type errors piped through tee without pipefail, exit 0" "sh -c 'tsc --noEmit -p . 2>&1 | tee tsc.log'"
TSC_VERSION="$TSC5_VERSION"

echo "tsc samples written to $HERE"
