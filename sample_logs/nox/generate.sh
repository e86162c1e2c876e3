#!/usr/bin/env bash
# Re-creates every nox sample case from scratch: a throwaway venv with a pinned nox, a small
# project in a temp dir whose noxfile.py runs unittest (venv_backend="none": the sessions use the
# venv nox runs in, nothing is installed), real runs captured as CI would (`cmd > output.log
# 2>&1; echo $? > exit_code`): honest runs (failed, aborted and skipped sessions among them) and
# the ways CI loses the status (a pipe into tee without pipefail, `|| true`).
# Run from the repo root:  bash sample_logs/nox/generate.sh
# Needs: python3 and PyPI (pip). Every run is bounded with `timeout` (lib.sh's capture).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir nox
cd "$WORK"

NOX_VERSION=2024.10.9
export LC_ALL=C.UTF-8 LANG=C.UTF-8 NO_COLOR=1 PYTHONUNBUFFERED=1
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check "nox==$NOX_VERSION"
export PATH="$WORK/venv/bin:$PATH"
V="nox $NOX_VERSION (pip), $(python --version 2>&1)"

write_toml() {  # case verdict description command [also]
    {
        echo 'tool = "nox"'
        if [ -n "${5:-}" ]; then echo "also = [\"$5\"]"; fi
        echo "expected_verdict = \"$2\""
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$V, \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

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
cat > noxfile.py <<'EOF'
import nox

nox.options.sessions = ["tests", "lint", "docs", "release"]


@nox.session(venv_backend="none")
def tests(session):
    session.run("python", "-m", "unittest", "discover", "-s", "tests", "-t", ".")


@nox.session(venv_backend="none")
def lint(session):
    session.run("python", "-c", "print('lint: 0 errors, 0 failures')")


@nox.session(venv_backend="none")
def docs(session):
    session.skip("sphinx is not installed")


@nox.session(venv_backend="none")
def release(session):
    session.error("RELEASE_TOKEN is not set")
EOF

# ------------------------------------------------ honest runs
capture pass nox -s lint docs
write_toml pass consistent "a passing session whose output reads '0 errors, 0 failures' and a skipped one: 'Session lint was successful.', 'Session docs skipped', exit 0" "nox -s lint docs"

capture fail nox -s tests
write_toml fail consistent "the unittest run fails: 'Command python -m unittest ... failed with exit code 1', 'Session tests failed.', exit 1" "nox -s tests" unittest

capture multi nox
write_toml multi consistent "four sessions: failed, successful, skipped and aborted; 'Ran multiple sessions:' lists them, exit 1" "nox" unittest

capture session-not-found nox -s tset
write_toml session-not-found consistent "a session name that does not exist: 'Error while collecting sessions.', 'Sessions not found: tset', exit 3" "nox -s tset"

# ------------------------------------------------ lies
capture tee-trap bash -c 'nox -s tests lint | tee nox.log'
write_toml tee-trap false-success "nox piped into tee without pipefail: '* tests: failed' but the status recorded is tee's 0" "bash -c 'nox -s tests lint | tee nox.log'" unittest

capture or-true bash -xc 'nox -s release || true'
write_toml or-true false-success "set -x trace of 'nox -s release || true': 'Session release aborted: RELEASE_TOKEN is not set', then '+ true', exit 0" "bash -xc 'nox -s release || true'"

echo "nox samples written to $HERE"
