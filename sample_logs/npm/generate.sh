#!/usr/bin/env bash
# Re-creates every npm sample case from scratch.
# Run from the repo root:  bash sample_logs/npm/generate.sh
# Needs: node and npm (system). The package scripts only run `node -e`; the one network use
# is installing npm@6 from the npm registry into a throwaway prefix, to capture the legacy
# 'npm ERR! code ELIFECYCLE' format.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir npm
mkdir -p "$WORK/project" "$WORK/monorepo/packages/money"

export LC_ALL=C LANG=C
# Keep npm's cache and logs in the scratch dir, use an empty user config (so this machine's
# ~/.npmrc adds no warnings), and silence notices that would need the network.
: > "$WORK/npmrc"
export npm_config_userconfig="$WORK/npmrc"
export npm_config_cache="$WORK/cache"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export NO_UPDATE_NOTIFIER=1 NO_COLOR=1

NODE_VERSION="$(node --version)"
NPM_VERSION="$(npm --version)"

CAPTURE_TIMEOUT=120  # seconds per captured command (capture, lib.sh; its default is 60)

write_toml() {  # CASE VERDICT DESCRIPTION COMMAND [NPM_VERSION]
    cat > "$HERE/$1/case.toml" <<EOF
tool = "npm"
expected_verdict = "$2"
description = "$3"
produced_by = "npm ${5:-$NPM_VERSION}, node $NODE_VERSION, \`$4\`"
hand_written = false
colour = false
EOF
}

# The same failing test script in a single package and in a monorepo's one workspace.
TEST_SCRIPT='node -e \"console.log('"'"'ok 1 - parses dates'"'"'); console.log('"'"'not ok 2 - formats currency'"'"'); console.error('"'"'  AssertionError: expected 1.50 EUR, got 1.5 EUR'"'"'); console.log('"'"'# tests 2, pass 1, fail 1'"'"'); process.exit(1)\"'
BUILD_SCRIPT='node -e \"console.log('"'"'bundling 3 modules'"'"'); console.log('"'"'wrote dist/app.js (2.1 kB)'"'"')\"'

cat > "$WORK/project/package.json" <<JSON
{
  "name": "exitaudit-demo",
  "version": "1.0.0",
  "private": true,
  "scripts": {
    "build": "$BUILD_SCRIPT",
    "test": "$TEST_SCRIPT"
  }
}
JSON
cat > "$WORK/monorepo/package.json" <<'JSON'
{
  "name": "exitaudit-monorepo",
  "version": "1.0.0",
  "private": true,
  "workspaces": ["packages/*"]
}
JSON
cat > "$WORK/monorepo/packages/money/package.json" <<JSON
{
  "name": "@demo/money",
  "version": "1.0.0",
  "scripts": {
    "test": "$TEST_SCRIPT"
  }
}
JSON
node -e 'for (const f of process.argv.slice(1)) JSON.parse(require("fs").readFileSync(f, "utf8"))' \
    "$WORK/project/package.json" "$WORK/monorepo/package.json" "$WORK/monorepo/packages/money/package.json"

cd "$WORK/project"
# ------------------------------------------------ script-fails
capture script-fails npm test
write_toml script-fails consistent \
  "the test script exits 1; npm 11 adds no error lines of its own for a failing 'npm test' outside workspaces (only the script's 'not ok 2' and '# tests 2, pass 1, fail 1'), exit 1" \
  "npm test"

# ------------------------------------------------ missing-script
capture missing-script npm run lint
write_toml missing-script consistent \
  "npm run of a script that package.json does not define: 'npm error Missing script: \\\"lint\\\"', exit 1" \
  "npm run lint"

# ------------------------------------------------ clean-run
capture clean-run npm run build
write_toml clean-run consistent \
  "clean 'npm run build' that only runs node -e; exits 0" "npm run build"

cd "$WORK/monorepo"
# ------------------------------------------------ workspace-script-fails
capture workspace-script-fails npm test --workspaces
write_toml workspace-script-fails consistent \
  "a workspace's test script exits 1; npm prints 'npm error Lifecycle script \`test\` failed with error:' / 'npm error code 1' and exits 1" \
  "npm test --workspaces"

# ------------------------------------------------ tee-trap
capture tee-trap sh -c 'npm test --workspaces 2>&1 | tee npm-test.log'
write_toml tee-trap false-success \
  "a workspace's test script fails ('npm error Lifecycle script \`test\` failed', 'npm error code 1') but the run was 'npm test --workspaces | tee npm-test.log' in sh without pipefail, so tee's 0 was recorded" \
  "sh -c 'npm test --workspaces 2>&1 | tee npm-test.log'"

# ------------------------------------------------ script-fails-npm6 (legacy 'npm ERR!' format)
# npm 6 was the last npm to print 'npm ERR! code ELIFECYCLE' for every failing script.
cd "$WORK/project"
timeout 300 npm install --no-save --prefix "$WORK/npm6" npm@6 > "$WORK/npm6-install.log" 2>&1 \
    || { cat "$WORK/npm6-install.log" >&2; exit 1; }
NPM6=(node "$WORK/npm6/node_modules/npm/bin/npm-cli.js")
NPM6_VERSION="$("${NPM6[@]}" --version)"
capture script-fails-npm6 "${NPM6[@]}" test
write_toml script-fails-npm6 consistent \
  "the same failing test script under npm 6, which prints the legacy 'npm ERR! Test failed.  See above for more details.'; exit 1" \
  "npm test" "$NPM6_VERSION"

# ------------------------------------------------ build-fails-npm6
# Make the build script fail too, to get npm 6's full ELIFECYCLE block.
sed -i 's/wrote dist\/app.js (2.1 kB)'"'"')/wrote dist\/app.js (2.1 kB)'"'"'); process.exit(2)/' package.json
capture build-fails-npm6 "${NPM6[@]}" run build
write_toml build-fails-npm6 consistent \
  "npm 6 run of a build script that exits 2: 'npm ERR! code ELIFECYCLE', 'npm ERR! errno 2', 'npm ERR! Exit status 2', 'npm ERR! Failed at the exitaudit-demo@1.0.0 build script.'; exit 2" \
  "npm run build" "$NPM6_VERSION"

echo "npm samples written to $HERE"
