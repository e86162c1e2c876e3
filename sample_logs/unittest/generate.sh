#!/usr/bin/env bash
# Re-creates every unittest sample case from scratch: a small test project in a temp dir, real
# `python -m unittest` runs captured as CI would (`cmd > output.log 2>&1; echo $? > exit_code`),
# honest runs and the ways CI loses the status (a pipe into tee without pipefail, `|| true`,
# `find -exec ... \;`).
# Run from the repo root:  bash sample_logs/unittest/generate.sh
# Needs: CPython 3.11 (PY311) and 3.12 (PY312, for `NO TESTS RAN` and exit 5); standard library
# only, in throwaway venvs. No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir unittest
cd "$WORK"

export LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONUNBUFFERED=1
PY311="${PY311:-$(pyenv prefix 3.11.7 2>/dev/null)/bin/python3.11}"
PY312="${PY312:-$(pyenv prefix 3.12.1 2>/dev/null)/bin/python3.12}"
"$PY311" -m venv "$WORK/venv311"
"$PY312" -m venv "$WORK/venv312"
V311="$("$WORK/venv311/bin/python" --version 2>&1) (venv)"
V312="$("$WORK/venv312/bin/python" --version 2>&1) (venv)"
export PATH="$WORK/venv311/bin:$PATH"


write_toml() {  # case verdict description produced_by
    cat > "$HERE/$1/case.toml" <<EOF
tool = "unittest"
expected_verdict = "$2"
description = $(toml_str "$3")
produced_by = $(toml_str "$4")
hand_written = false
colour = false
EOF
}

clear_cases

mkdir -p tests empty
touch tests/__init__.py
cat > tests/test_calc.py <<'EOF'
import unittest


class CalcTest(unittest.TestCase):
    def test_add(self):
        self.assertEqual(1 + 1, 2)

    def test_error_handling(self):
        with self.assertRaises(ZeroDivisionError):
            1 / 0

    def test_failure_message_is_shown(self):
        self.assertIn("FAILED", "build FAILED (errors=1)")

    @unittest.skip("needs network")
    def test_download(self):
        pass

    @unittest.expectedFailure
    def test_known_rounding_error(self):
        self.assertEqual(round(2.675, 2), 2.68)
EOF
cat > tests/test_parser.py <<'EOF'
import unittest


def parse_version(s):
    return tuple(int(x) for x in s.split("."))


class ParserTest(unittest.TestCase):
    def test_simple(self):
        self.assertEqual(parse_version("1.2.3"), (1, 2, 3))

    def test_prerelease(self):
        self.assertEqual(parse_version("1.2.3rc1"), (1, 2, 3))

    def test_two_parts(self):
        self.assertEqual(parse_version("1.2"), (1, 2, 0))
EOF

# ------------------------------------------------ honest runs
capture pass-verbose python -m unittest -v tests.test_calc
write_toml pass-verbose consistent \
  "passing -v run full of failure words: test_error_handling, test_failure_message_is_shown, a skip and an expected failure; 'OK (skipped=1, expected failures=1)', exit 0" \
  "$V311, \`python -m unittest -v tests.test_calc\`"

capture fail python -m unittest discover -s tests -t .
write_toml fail consistent \
  "one ERROR (ValueError) and one FAIL (AssertionError): 'FAILED (failures=1, errors=1, skipped=1, expected failures=1)', exit 1" \
  "$V311, \`python -m unittest discover -s tests -t .\`"

capture no-tests-3.12 "$WORK/venv312/bin/python" -m unittest discover -s empty
write_toml no-tests-3.12 consistent \
  "discover finds nothing: 'Ran 0 tests', 'NO TESTS RAN', exit 5 (Python 3.12+)" \
  "$V312, \`python -m unittest discover -s empty\`"

capture usage-error python -m unittest --no-such-option
write_toml usage-error consistent \
  "unknown option: argparse 'python -m unittest: error: unrecognized arguments', exit 2" \
  "$V311, \`python -m unittest --no-such-option\`"

# ------------------------------------------------ lies
capture tee-trap bash -c 'python -m unittest discover -s tests -t . 2>&1 | tee unittest.log'
write_toml tee-trap false-success \
  "the failing run piped into tee without pipefail: 'FAILED (failures=1, errors=1, ...)' but the status recorded is tee's 0" \
  "$V311, bash 5.2, \`bash -c 'python -m unittest discover -s tests -t . 2>&1 | tee unittest.log'\`"

capture or-true bash -xc 'python -m unittest tests.test_parser || true'
write_toml or-true false-success \
  "set -x trace of 'python -m unittest tests.test_parser || true': 'FAILED (failures=1, errors=1)', then '+ true', exit 0" \
  "$V311, bash 5.2, \`bash -xc 'python -m unittest tests.test_parser || true'\`"

capture find-exec bash -xc "find tests -name 'test_*.py' -exec python -m unittest {} ';'"
write_toml find-exec false-success \
  "set -x trace of find -exec python -m unittest per file: one file's run is 'FAILED (failures=1, errors=1)', the other's 'OK', find exits 0" \
  "$V311, bash 5.2, GNU find, \`bash -xc \"find tests -name 'test_*.py' -exec python -m unittest {} ';'\"\`"

echo "unittest samples written to $HERE"
