#!/usr/bin/env bash
# Re-creates the GitHub Actions sample cases.
# Run from the repo root:  bash sample_logs/github-actions/generate.sh
#
# GitHub Actions cannot run here, so the job log around the step is written by this script
# from GitHub's documented raw-log format (every line prefixed with an ISO-8601 timestamp
# with 7 fractional digits and 'Z', '##[group]Run <command>' / '##[endgroup]' around each
# step header, '##[error]Process completed with exit code N.' when a step fails).
# The step's own output is REAL: the run: script is written to a file and executed exactly as
# the runner does for a plain `run:` step, `/usr/bin/bash -e {0}` (no pipefail), with GNU make.
# In a tee pipeline the order of lines written by the two sides (xtrace lines, stderr that
# bypasses tee) is decided by the scheduler, so it can differ between regenerations.
# Needs: bash, GNU make, python3 (Debian). No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${TMPDIR:-/tmp}/exitaudit-samples/github-actions"
rm -rf "$WORK"
mkdir -p "$WORK/_temp" "$WORK/exitaudit-demo/exitaudit-demo/tests"
trap 'rm -rf "$WORK"; rmdir "$(dirname "$WORK")" 2>/dev/null || true' EXIT

export LC_ALL=C LANG=C
unset MAKEFLAGS MFLAGS MAKELEVEL || true
MAKE_VERSION="$(make --version | sed -n 1p)"
BASH_VERSION_LINE="$(bash --version | sed -n 1p)"

# The checked-out project: `make test` runs a small test script that fails one test.
PROJECT="$WORK/exitaudit-demo/exitaudit-demo"
cd "$PROJECT"
cat > tests/run.sh <<'EOF'
#!/bin/sh
echo "test_tokenize ... ok"
echo "test_parse_expr ... ok"
echo "test_eval_division ... FAIL"
echo "  ZeroDivisionError not raised for 1/0"
echo "3 tests, 1 failure"
exit 1
EOF
chmod +x tests/run.sh
printf '.PHONY: test\ntest:\n\t@echo "running tests"\n\t./tests/run.sh\n' > Makefile

# run_step CASE RUN_TEXT: execute a `run:` step as the runner does; leaves
# $WORK/CASE.out (combined output) and $WORK/CASE.rc (exit status).
run_step() {
    local script="$WORK/_temp/$1.sh"
    printf '%s\n' "$2" > "$script"
    set +e
    timeout 60 /usr/bin/bash -e "$script" > "$WORK/$1.out" 2>&1 < /dev/null
    echo $? > "$WORK/$1.rc"
    set -e
}

run_step make-fails 'make test'
run_step tee-trap 'make test | tee make.log'

# assemble CASE RUN_TEXT: wrap the real step output in a GitHub Actions job log.
assemble() {
    mkdir -p "$HERE/$1"
    python3 - "$WORK/$1.out" "$(cat "$WORK/$1.rc")" "$2" "$HERE/$1/output.log" <<'PY'
import sys
from datetime import datetime, timedelta

step_out, rc, run_text, dest = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
t = datetime(2024, 5, 1, 10, 0, 3, 512000)
lines = []

def emit(text, step_ms=3):
    global t
    t += timedelta(milliseconds=step_ms, microseconds=417)
    lines.append(t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z " + text)

for text in [
    "Current runner version: '2.316.1'",
    "##[group]Operating System", "Ubuntu", "22.04.4", "LTS", "##[endgroup]",
    "##[group]Runner Image", "Image: ubuntu-22.04", "Version: 20240422.1.0", "##[endgroup]",
    "##[group]GITHUB_TOKEN Permissions", "Contents: read", "Metadata: read", "##[endgroup]",
    "Secret source: Actions",
    "Prepare workflow directory",
    "Prepare all required actions",
    "Getting action download info",
    "Download action repository 'actions/checkout@v4' (SHA:0ad4b8fadaa221de15dcec353f45205ec38ea70b)",
    "Complete job name: test",
    "##[group]Run actions/checkout@v4",
    "with:",
    "  repository: demo-org/exitaudit-demo",
    "  token: ***",
    "  ssh-strict: true",
    "  persist-credentials: true",
    "  clean: true",
    "  fetch-depth: 1",
    "##[endgroup]",
    "Syncing repository: demo-org/exitaudit-demo",
    "##[group]Getting Git version info",
    "Working directory is '/home/runner/work/exitaudit-demo/exitaudit-demo'",
    "[command]/usr/bin/git version",
    "git version 2.44.0",
    "##[endgroup]",
    "[command]/usr/bin/git checkout --progress --force -B main refs/remotes/origin/main",
    "Switched to a new branch 'main'",
    "branch 'main' set up to track 'origin/main'.",
    "[command]/usr/bin/git log -1 --format='%H'",
    "'3f9c2e1a7b5d4c6e8f0a1b2c3d4e5f60718293a4'",
    "##[group]Run " + run_text.splitlines()[0],
    *run_text.splitlines(),
    "shell: /usr/bin/bash -e {0}",
    "##[endgroup]",
]:
    emit(text)

with open(step_out, encoding="utf-8") as fh:
    for text in fh.read().splitlines():
        emit(text, step_ms=11)

if rc != 0:
    emit(f"##[error]Process completed with exit code {rc}.", step_ms=40)
for text in [
    "Post job cleanup.",
    "[command]/usr/bin/git version",
    "git version 2.44.0",
    "[command]/usr/bin/git config --local --name-only --get-regexp core\\.sshCommand",
    "[command]/usr/bin/git submodule foreach --recursive sh -c \"git config --local --name-only --get-regexp 'core\\.sshCommand' && git config --local --unset-all 'core.sshCommand' || :\"",
    "Cleaning up orphan processes",
]:
    emit(text, step_ms=150)

with open(dest, "w", encoding="utf-8") as fh:
    fh.write("\n".join(lines) + "\n")
PY
    cp "$WORK/$1.rc" "$HERE/$1/exit_code"
}

write_toml() {
    cat > "$HERE/$1/case.toml" <<EOF
tool = "github-actions"
also = ["make"]                      # tools whose output the job log contains
expected_verdict = "$2"
description = "$3"
produced_by = "step output: $MAKE_VERSION run by $BASH_VERSION_LINE as \`/usr/bin/bash -e {0}\` with run: \`$4\`; job log around it written by generate.sh"
hand_written = true
why_hand_written = "GitHub Actions cannot run on this machine. The job log lines around the step (runner banner, checkout step, '##[group]Run ...', '##[error]Process completed with exit code N.', post-job cleanup) follow GitHub's documented raw job-log format, with ISO-8601 timestamps (7 fractional digits) prefixed to every line; the step's output between them is real, captured by running the same run: script with /usr/bin/bash -e as the runner does. exit_code holds the step exit code that GitHub recorded (and prints in the ##[error] line when non-zero)."
colour = false
EOF
}

assemble make-fails 'make test'
write_toml make-fails consistent \
  "run: make test fails ('make: *** [Makefile:4: test] Error 1'); GitHub marks the step failed with '##[error]Process completed with exit code 2.'" \
  "make test"

assemble tee-trap 'make test | tee make.log'
write_toml tee-trap false-success \
  "run: make test | tee make.log; the default shell is 'bash -e {0}' without pipefail, so the failing make ('make: *** [Makefile:4: test] Error 1') is masked by tee and the step and job succeed (no ##[error] line)" \
  "make test | tee make.log"

echo "github-actions samples written to $HERE"
