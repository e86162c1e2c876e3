#!/usr/bin/env bash
# Re-creates the CircleCI sample cases.
# Run from the repo root:  bash sample_logs/circleci/generate.sh
#
# CircleCI cannot run here, so the job output around the test step is written by this script.
# CircleCI shows each step's output separately; this file joins the steps of one job in order,
# each introduced by '====>> <step name>' (as `circleci local execute` printed them), a run
# step beginning with its shell line '#!/bin/bash -eo pipefail' and its command, and a failing
# step ending 'Exited with code exit status N' and 'CircleCI received exit code N'.
# The test step's output is REAL: its command is run as CircleCI runs a run step by default,
# `/bin/bash -eo pipefail -c <command>`, with npm (system) in a monorepo with one workspace.
# Needs: bash, node, npm, python3. No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${TMPDIR:-/tmp}/exitaudit-samples/circleci"
rm -rf "$WORK"
PROJECT="$WORK/project"
mkdir -p "$PROJECT/packages/money" "$PROJECT/scripts"
trap 'rm -rf "$WORK"; rmdir "$(dirname "$WORK")" 2>/dev/null || true' EXIT

export LC_ALL=C LANG=C
: > "$WORK/npmrc"
export npm_config_userconfig="$WORK/npmrc" npm_config_cache="$WORK/npm-cache"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export NO_UPDATE_NOTIFIER=1 NO_COLOR=1
NODE_VERSION="$(node --version)"
NPM_VERSION="$(npm --version)"

cd "$PROJECT"
cat > package.json <<'EOF'
{
  "name": "exitaudit-monorepo",
  "version": "1.0.0",
  "private": true,
  "workspaces": ["packages/*"]
}
EOF
cat > packages/money/test.js <<'EOF'
const assert = require("node:assert");
const format = (cents) => `${cents / 100} EUR`;
let failed = 0;
for (const [name, fn] of [
  ["formats whole amounts", () => assert.strictEqual(format(200), "2 EUR")],
  ["formats two decimals", () => assert.strictEqual(format(150), "1.50 EUR")],
]) {
  try { fn(); console.log(`ok - ${name}`); }
  catch (err) { failed++; console.log(`not ok - ${name}`); console.error(`  AssertionError: expected ${JSON.stringify(err.expected)}, got ${JSON.stringify(err.actual)}`); }
}
console.log(`# pass ${2 - failed}, fail ${failed}`);
process.exit(failed ? 1 : 0);
EOF
cat > packages/money/package.json <<'EOF'
{
  "name": "@demo/money",
  "version": "1.0.0",
  "scripts": {
    "test": "node test.js"
  }
}
EOF
cat > scripts/test.sh <<'EOF'
#!/bin/bash
mkdir -p test-results
npm test --workspaces 2>&1 | tee test-results/npm-test.log
EOF
chmod +x scripts/test.sh

# run_step CASE COMMAND: run a `run:` step as CircleCI does with its default shell.
run_step() {
    set +e
    timeout 120 /bin/bash -eo pipefail -c "$2" > "$WORK/$1.out" 2>&1 < /dev/null
    echo $? > "$WORK/$1.rc"
    set -e
}

run_step npm-fails 'npm test --workspaces'
run_step tee-trap './scripts/test.sh'

# assemble CASE COMMAND: wrap the real step output in the job's step outputs.
assemble() {
    mkdir -p "$HERE/$1"
    python3 - "$WORK/$1.out" "$(cat "$WORK/$1.rc")" "$2" "$HERE/$1/output.log" <<'PY'
import sys

step_out, rc, command, dest = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
lines = [
    "====>> Spin up environment",
    "Build-agent version 1.0.236874-93c3a4a2 (2024-05-01T09:58:10+0000)",
    "System information:",
    " Server Version: 24.0.9",
    " Storage Driver: overlay2",
    "  Backing Filesystem: xfs",
    " Cgroup Driver: cgroupfs",
    " Cgroup Version: 1",
    " Kernel Version: 5.15.0-1057-aws",
    " Operating System: Ubuntu 20.04.6 LTS",
    " OSType: linux",
    " Architecture: x86_64",
    "",
    "Starting container cimg/node:20.12",
    "cimg/node:20.12:",
    "  using image cimg/node@sha256:7d3e1f0c2b4a59687a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f",
    "  pull stats: Image was already available so the image was not pulled",
    "  time to create container: 1.021s",
    "Time to upload agent and config: 512.339ms",
    "Time to start containers: 401.558ms",
    "====>> Preparing environment variables",
    "Using build environment variables:",
    "  BASH_ENV=/tmp/.bash_env-6632a1f0-0000-4c1d-9f2e-000000000000-0-build",
    "  CI=true",
    "  CIRCLECI=true",
    "  CIRCLE_BRANCH=main",
    "  CIRCLE_BUILD_NUM=1234",
    "  CIRCLE_JOB=test",
    "  CIRCLE_NODE_INDEX=0",
    "  CIRCLE_NODE_TOTAL=1",
    "  CIRCLE_PROJECT_REPONAME=exitaudit-demo",
    "  CIRCLE_PROJECT_USERNAME=demo-org",
    "  CIRCLE_SHA1=3f9c2e1a7b5d4c6e8f0a1b2c3d4e5f60718293a4",
    "  CIRCLE_WORKING_DIRECTORY=~/project",
    "",
    "====>> Checkout code",
    "Using SSH Config Dir '/home/circleci/.ssh'",
    "git version 2.44.0",
    "Cloning git repository",
    "Cloning into '.'...",
    "Checking out branch",
    "Your branch is up to date with 'origin/main'.",
    "====>> Run tests",
    "#!/bin/bash -eo pipefail",
    command,
]
with open(step_out, encoding="utf-8") as fh:
    lines += fh.read().splitlines()
if rc != 0:
    lines += ["", f"Exited with code exit status {rc}", f"CircleCI received exit code {rc}"]
else:
    lines += [
        "====>> Uploading artifacts",
        "Uploading /home/circleci/project/test-results to test-results",
        "Uploading /home/circleci/project/test-results/npm-test.log (1.1 kB): DONE",
    ]
with open(dest, "w", encoding="utf-8") as fh:
    fh.write("\n".join(lines) + "\n")
PY
    cp "$WORK/$1.rc" "$HERE/$1/exit_code"
}

write_toml() {
    cat > "$HERE/$1/case.toml" <<EOF
tool = "circleci"
also = ["npm"]                       # tools whose output the job log contains
expected_verdict = "$2"
description = "$3"
produced_by = "test step output: npm $NPM_VERSION, node $NODE_VERSION, run as \`/bin/bash -eo pipefail -c '$4'\`; step outputs around it written by generate.sh"
hand_written = true
why_hand_written = "CircleCI cannot run on this machine, and it keeps no single raw job log: this file joins one job's step outputs in order, each introduced by '====>> <step name>' as 'circleci local execute' printed them, with the spin-up, environment and checkout steps written from CircleCI's documented step output and a failing step ending 'Exited with code exit status N' / 'CircleCI received exit code N'. The test step's output is real, captured by running its command with CircleCI's default shell /bin/bash -eo pipefail. exit_code holds the step exit code that CircleCI recorded (0 when the job succeeded)."
colour = false
EOF
}

assemble npm-fails 'npm test --workspaces'
write_toml npm-fails consistent \
  "run step 'npm test --workspaces' fails ('not ok - formats two decimals', 'npm error Lifecycle script \`test\` failed with error:'); the step ends 'Exited with code exit status 1' / 'CircleCI received exit code 1'" \
  "npm test --workspaces"

assemble tee-trap './scripts/test.sh'
write_toml tee-trap false-success \
  "run step './scripts/test.sh', a bash script whose 'npm test --workspaces | tee test-results/npm-test.log' has no pipefail (the step shell's pipefail does not reach it): npm errors, the step exits 0 and the job goes on to upload artifacts as a success" \
  "./scripts/test.sh"

echo "circleci samples written to $HERE"
