#!/usr/bin/env bash
# Re-creates the GitLab CI sample cases.
# Run from the repo root:  bash sample_logs/gitlab-ci/generate.sh
#
# GitLab CI cannot run here, so the job log around the script is written by this script from
# GitLab's documented job-log format: collapsible sections marked
# 'section_start:<unix time>:<name>\r\e[0K' / 'section_end:<unix time>:<name>\r\e[0K',
# coloured runner messages, '$ <command>' lines, and a last line 'ERROR: Job failed: exit code N'
# or 'Job succeeded'.
# The step_script section is REAL: the job's script lines are run the way gitlab-runner's bash
# shell runs them (pipefail if the shell has it, errexit, each command echoed in green as
# '$ command' before it runs), with pytest from a throwaway venv.
# Needs: bash, python3, PyPI (pytest). No other network.
set -euo pipefail

PYTEST_VERSION="8.3.5"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${TMPDIR:-/tmp}/exitaudit-samples/gitlab-ci"
rm -rf "$WORK"
PROJECT="$WORK/builds/demo-group/exitaudit-demo"
mkdir -p "$PROJECT/tests" "$PROJECT/ci" "$PROJECT/src"
trap 'rm -rf "$WORK"; rmdir "$(dirname "$WORK")" 2>/dev/null || true' EXIT

export LC_ALL=C.UTF-8 LANG=C.UTF-8
python3 -m venv "$WORK/venv"
timeout 600 "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check \
    "pytest==$PYTEST_VERSION" > "$WORK/pip.log" 2>&1 || { cat "$WORK/pip.log" >&2; exit 1; }
export PATH="$WORK/venv/bin:$PATH"
PY_VERSION="$(python --version 2>&1)"
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

cd "$PROJECT"
cat > src/money.py <<'EOF'
def format_amount(cents, currency="EUR"):
    return f"{cents / 100} {currency}"
EOF
cat > tests/test_money.py <<'EOF'
import sys

sys.path.insert(0, "src")

from money import format_amount


def test_whole_amount():
    assert format_amount(200) == "2.0 EUR"


def test_two_decimals():
    assert format_amount(150) == "1.50 EUR"


def test_currency():
    assert format_amount(100, "USD").endswith("USD")
EOF
cat > ci/run-tests.sh <<'EOF'
#!/bin/bash
mkdir -p reports
python -m pytest -p no:cacheprovider tests/ 2>&1 | tee reports/pytest.log
EOF
chmod +x ci/run-tests.sh

# run_script CASE CMD...: run the job's script lines as gitlab-runner's bash shell does.
run_script() {
    local case_name="$1"; shift
    local body="" cmd
    for cmd in "$@"; do
        body+="echo \$'\\x1b[32;1m\$ ${cmd//\'/\\\'}\\x1b[0;m'"$'\n'"$cmd"$'\n'
    done
    {
        echo 'if set -o | grep pipefail > /dev/null; then set -o pipefail; fi; set -o errexit'
        echo 'set +o noclobber'
        printf ': | eval %q\n' "$body"
        echo 'exit 0'
    } > "$WORK/$case_name.script.sh"
    set +e
    timeout 120 bash "$WORK/$case_name.script.sh" > "$WORK/$case_name.out" 2>&1 < /dev/null
    echo $? > "$WORK/$case_name.rc"
    set -e
}

run_script pytest-fails "python --version" "python -m pytest -p no:cacheprovider tests/"
run_script tee-trap "python --version" "./ci/run-tests.sh"

# assemble CASE: wrap the real step_script output in a GitLab job log.
assemble() {
    mkdir -p "$HERE/$1"
    python3 - "$WORK/$1.out" "$(cat "$WORK/$1.rc")" "$HERE/$1/output.log" <<'PY'
import sys

step_out, rc, dest = sys.argv[1], int(sys.argv[2]), sys.argv[3]
CLR = "\x1b[0K"
CYAN, GREEN, RED, RESET = "\x1b[36;1m", "\x1b[32;1m", "\x1b[31;1m", "\x1b[0;m"
t = 1714557600
out = []

def start(name, header):
    out.append(f"section_start:{t}:{name}\r{CLR}{CLR}{CYAN}{header}{RESET}\n")

def end(name):
    out.append(f"section_end:{t}:{name}\r{CLR}")

out.append(f"{CLR}Running with gitlab-runner 16.11.0 (91a27b2a){RESET}\n")
out.append(f"{CLR}  on demo-docker-runner xZ3vQk9P, system ID: s_4f1c2a9b7e3d{RESET}\n")
start("prepare_executor", 'Preparing the "docker" executor')
out.append(f"{CLR}Using Docker executor with image python:3.11 ...{RESET}\n")
out.append(f"{CLR}Pulling docker image python:3.11 ...{RESET}\n")
out.append(f"{CLR}Using docker image sha256:5b2d3c1e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c for python:3.11 with digest python@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 ...{RESET}\n")
t += 9
end("prepare_executor")
start("prepare_script", "Preparing environment")
out.append("Running on runner-xz3vqk9p-project-4242-concurrent-0 via demo-runner-host...\n")
t += 1
end("prepare_script")
start("get_sources", "Getting source from Git repository")
out.append(f"{GREEN}Fetching changes with git depth set to 20...{RESET}\n")
out.append("Initialized empty Git repository in /builds/demo-group/exitaudit-demo/.git/\n")
out.append(f"{GREEN}Created fresh repository.{RESET}\n")
out.append(f"{GREEN}Checking out 3f9c2e1a as detached HEAD (ref is main)...{RESET}\n")
out.append("\n")
out.append(f"{GREEN}Skipping Git submodules setup{RESET}\n")
t += 2
end("get_sources")
start("step_script", 'Executing "step_script" stage of the job script')
out.append(f"{CLR}Using docker image sha256:5b2d3c1e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c for python:3.11 with digest python@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 ...{RESET}\n")
with open(step_out, encoding="utf-8", newline="") as fh:
    text = fh.read()
out.append(text if text.endswith("\n") else text + "\n")
t += 4
end("step_script")
start("cleanup_file_variables", "Cleaning up project directory and file based variables")
t += 1
end("cleanup_file_variables")
out.append("\n")
if rc != 0:
    out.append(f"{RED}ERROR: Job failed: exit code {rc}\n{RESET}\n")
else:
    out.append(f"{GREEN}Job succeeded{RESET}\n")

with open(dest, "w", encoding="utf-8", newline="") as fh:
    fh.write("".join(out))
PY
    cp "$WORK/$1.rc" "$HERE/$1/exit_code"
}

write_toml() {
    cat > "$HERE/$1/case.toml" <<EOF
tool = "gitlab-ci"
also = ["pytest"]                    # tools whose output the job log contains
expected_verdict = "$2"
description = "$3"
produced_by = "step_script output: pytest $PYTEST_VERSION, $PY_VERSION, script lines run as gitlab-runner's bash shell runs them: $4; job log around it written by generate.sh"
hand_written = true
why_hand_written = "GitLab CI cannot run on this machine. The runner lines around the job script (banner, section_start/section_end markers with \\\\r\\\\e[0K, coloured headers, 'ERROR: Job failed: exit code N' / 'Job succeeded') follow GitLab's documented job-log format; the step_script section in between is real, captured by running the job's script lines the way gitlab-runner's bash shell does (pipefail if available, errexit, green '\$ command' echo before each command). exit_code holds the job exit code GitLab recorded (0 when it printed 'Job succeeded')."
colour = true
EOF
}

assemble pytest-fails
write_toml pytest-fails consistent \
  "python -m pytest fails (1 failed, 2 passed; 'FAILED tests/test_money.py::test_two_decimals') and the job ends 'ERROR: Job failed: exit code 1'" \
  "\`python --version\`, \`python -m pytest -p no:cacheprovider tests/\`"

assemble tee-trap
write_toml tee-trap false-success \
  "the job script runs ./ci/run-tests.sh, whose 'pytest ... | tee reports/pytest.log' has no pipefail; pytest reports '1 failed, 2 passed' but the script exits 0 and the job ends 'Job succeeded'" \
  "\`python --version\`, \`./ci/run-tests.sh\` (bash script: \`python -m pytest -p no:cacheprovider tests/ 2>&1 | tee reports/pytest.log\`)"

echo "gitlab-ci samples written to $HERE"
