#!/usr/bin/env bash
# Re-creates every tox sample case from scratch: a throwaway venv with a pinned tox (and the
# virtualenv it creates environments with), a small project in a temp dir whose environments
# run unittest, real runs captured as CI would (`cmd > output.log 2>&1; echo $? > exit_code`):
# honest runs (ignore_outcome and a `-` command among them) and a status lost in a pipe into tee.
# Run from the repo root:  bash sample_logs/tox/generate.sh
# Needs: python3 and PyPI (pip). The tox environments install nothing (skip_install, no deps).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir tox
cd "$WORK"

TOX_VERSION=4.23.2
VIRTUALENV_VERSION=21.15.14
export LC_ALL=C.UTF-8 LANG=C.UTF-8 NO_COLOR=1 PYTHONUNBUFFERED=1
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check "tox==$TOX_VERSION" "virtualenv==$VIRTUALENV_VERSION"
export PATH="$WORK/venv/bin:$PATH"
V="tox $TOX_VERSION, virtualenv $VIRTUALENV_VERSION (pip), $(python --version 2>&1)"

write_toml() {  # case verdict description command [also]
    {
        echo 'tool = "tox"'
        if [ -n "${5:-}" ]; then echo "also = [\"$5\"]"; fi
        echo "expected_verdict = \"$2\""
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$V, \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}
# The durations and pids tox prints change with every run; nothing else does.
run() { local c="$1"; shift; capture "$c" "$@"; }

clear_cases

mkdir -p tests
: > tests/__init__.py
cat > tests/test_parser.py <<'EOF'
import unittest


def parse_version(s):
    return tuple(int(x) for x in s.split("."))


class ParserTest(unittest.TestCase):
    def test_simple(self):
        self.assertEqual(parse_version("1.2.3"), (1, 2, 3))

    def test_error_handling(self):
        with self.assertRaises(ValueError):
            parse_version("1.x")

    def test_two_parts(self):
        self.assertEqual(parse_version("1.2"), (1, 2, 0))
EOF
cat > tox.ini <<'EOF'
[tox]
env_list = unit, lint
skipsdist = true

[testenv]
skip_install = true
set_env = PYTHONDONTWRITEBYTECODE = 1

[testenv:unit]
commands = python -m unittest discover -s tests -t .

[testenv:lint]
commands = python -c "print('lint: 0 errors, 0 failures')"

[testenv:nightly]
description = tests against the development branch of a dependency, advisory only
ignore_outcome = true
commands = python -m unittest discover -s tests -t .

[testenv:report]
commands =
    - python -m unittest discover -s tests -t .
    python -c "print('report written')"
EOF

# Create the environments once, so that every captured run below shows only the runs.
tox run -e unit,lint,nightly,report --notest > /dev/null 2>&1

# ------------------------------------------------ honest runs
run pass tox run -e lint
write_toml pass consistent "one passing environment whose output reads '0 errors, 0 failures': 'lint: OK', 'congratulations :)', exit 0" "tox run -e lint"

run fail-single tox run -e unit
write_toml fail-single consistent "one environment whose unittest run fails: 'unit: exit 1', 'unit: FAIL code 1', 'evaluation failed :(', exit 1 (tox returns the environment's code)" "tox run -e unit" unittest

run fail-multi tox run -e unit,lint
write_toml fail-multi consistent "two environments, one failing: 'unit: FAIL code 1', 'lint: OK', 'evaluation failed :(', exit 255 (tox returns -1 when several environments ran)" "tox run -e unit,lint" unittest

run ignore-outcome tox run -e nightly,lint
write_toml ignore-outcome consistent "ignore_outcome = true: the nightly environment's unittest run fails ('FAILED (failures=1, errors=1)', 'nightly: IGNORED FAIL code 1'), tox says 'congratulations :)' and exits 0 as configured" "tox run -e nightly,lint" unittest

run ignored-command tox run -e report
write_toml ignored-command consistent "a command prefixed with '-': unittest fails, tox prints 'command failed but is marked ignore outcome so handling it as success', runs the next command, 'report: OK', exit 0" "tox run -e report" unittest

run usage-error tox run --no-such-option
write_toml usage-error consistent "unknown option: 'tox: error: unrecognized arguments', exit 2" "tox run --no-such-option"

# ------------------------------------------------ lies
run tee-trap bash -c 'tox run -e unit,lint | tee tox.log'
write_toml tee-trap false-success "tox piped into tee without pipefail: 'unit: FAIL code 1', 'evaluation failed :(' but the status recorded is tee's 0" "bash -c 'tox run -e unit,lint | tee tox.log'" unittest

echo "tox samples written to $HERE"
