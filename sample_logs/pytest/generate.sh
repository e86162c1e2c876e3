#!/usr/bin/env bash
# Re-creates every pytest sample case from scratch: a throwaway venv and small test projects in a
# temp dir, real pytest runs captured as CI would (`cmd > output.log 2>&1; echo $? > exit_code`).
# Every run is bounded with `timeout`.
# Usage (from the repo root): bash sample_logs/pytest/generate.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"
PYTEST_VERSION=8.3.5
PYTEST_TIMEOUT_VERSION=2.3.1
PLUGGY_VERSION=1.7.0   # printed in the session header, so pinned too

WORK="$(mktemp -d "${TMPDIR:-/tmp}/exitaudit-pytest.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

log() { printf '[pytest/generate] %s\n' "$*" >&2; }

log "creating venv in $WORK"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check \
    "pytest==$PYTEST_VERSION" "pytest-timeout==$PYTEST_TIMEOUT_VERSION" "pluggy==$PLUGGY_VERSION"
PYVER="$("$WORK/venv/bin/python" -c 'import platform; print(platform.python_version())')"
V="pytest $PYTEST_VERSION + pytest-timeout $PYTEST_TIMEOUT_VERSION (pip), Python $PYVER"

# ---------------------------------------------------------------- helpers
# A clean environment, as a CI job without a terminal would have (no PYTEST_ADDOPTS, no
# FORCE_COLOR/NO_COLOR, no COLUMNS: pytest falls back to 80 columns).
clean_env() {
    env -i PATH="$WORK/venv/bin:/usr/local/bin:/usr/bin:/bin" HOME="$WORK" LANG=C.UTF-8 "$@"
}

toml_str() { "$PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

write_toml() {  # dir verdict colour description produced_by
    {
        echo 'tool = "pytest"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$4")"
        echo "produced_by = $(toml_str "$5")"
        echo 'hand_written = false'
        echo "colour = $3"
    } > "$1/case.toml"
}

new_case() {  # name -> prints output dir
    local dir="$HERE/$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    printf '%s\n' "$dir"
}

# run_case OUTDIR PROJECT cmd...   (runs in $WORK/PROJECT)
run_case() {
    local dir="$1" proj="$2"; shift 2
    local rc=0
    (cd "$WORK/$proj" && clean_env timeout -k 5 120 "$@") > "$dir/output.log" 2>&1 || rc=$?
    echo "$rc" > "$dir/exit_code"
    log "$(basename "$dir"): exit $rc"
}

# f PATH  <<'EOF' ... EOF : write a project file under $WORK
f() { mkdir -p "$(dirname "$WORK/$1")"; cat > "$WORK/$1"; }

# Remove the cases this script owns (every sub-directory holding a case.toml).
for d in "$HERE"/*/; do
    if [[ -f "$d/case.toml" ]]; then rm -rf "$d"; fi
done

# ---------------------------------------------------------------- projects (fixed dir names)
f all_pass/tests/test_math.py <<'EOF'
def test_add():
    assert 1 + 1 == 2


def test_sub():
    assert 5 - 3 == 2


def test_mul():
    assert 3 * 4 == 12
EOF

for p in some_fail tee_trap colour_fail; do
f "$p/tests/test_parser.py" <<'EOF'
import pytest


def parse_version(s):
    return tuple(int(x) for x in s.split("."))


def test_parse_simple():
    assert parse_version("1.2.3") == (1, 2, 3)


def test_parse_two_parts():
    assert parse_version("1.2") == (1, 2)


def test_parse_prerelease():
    assert parse_version("1.2.3rc1") == (1, 2, 3)


@pytest.mark.parametrize("s,expected", [("0.1", (0, 1)), ("10.0.1", (10, 0, 2))])
def test_parse_param(s, expected):
    assert parse_version(s) == expected
EOF
done

mkdir -p "$WORK/no_tests/tests"
f no_tests/tests/helpers.py <<'EOF'
def make_user(name="alice"):
    return {"name": name}
EOF

f collection_error/tests/test_ok.py <<'EOF'
def test_ok():
    assert True
EOF
f collection_error/tests/test_db.py <<'EOF'
import psycopg_missing_driver


def test_query():
    assert psycopg_missing_driver.connect()
EOF

f usage_error/tests/test_ok.py <<'EOF'
def test_ok():
    assert True
EOF
f file_not_found/tests/test_ok.py <<'EOF'
def test_ok():
    assert True
EOF

# With a second thread alive, pytest-timeout's signal method dumps every stack between
# '+++ Timeout +++' banners before failing the test with 'Failed: Timeout >Ns'.
f timeout/tests/test_network.py <<'EOF'
import threading
import time


def test_fast():
    assert True


def test_download_hangs():
    stop = threading.Event()
    server = threading.Thread(target=stop.wait, name="fake-server", daemon=True)
    server.start()
    time.sleep(30)
EOF
# The thread method dumps the stacks and kills the whole process: no pytest summary at all.
f timeout_thread/tests/test_network.py <<'EOF'
import time


def test_fast():
    assert True


def test_download_hangs():
    time.sleep(30)


def test_after():
    assert True
EOF

f scary_pass/tests/test_errors.py <<'EOF'
import logging
import traceback
import warnings

import pytest

log = logging.getLogger("app.errors")


def test_ERROR_page_renders_500():
    """A test with ERROR in its name that passes."""
    assert "500 Internal Server Error".startswith("500")


def test_logs_exception_with_traceback():
    try:
        raise ConnectionError("FATAL: upstream refused connection")
    except ConnectionError:
        traceback.print_exc()
        log.exception("Error: request failed, retrying")
    log.error("ERROR: 1 of 3 retries exhausted (expected in this test)")
    assert True


def test_raises_value_error():
    with pytest.raises(ValueError, match="invalid literal"):
        int("not-a-number")


def test_prints_failure_words():
    print("FAILED to connect on first try; Traceback (most recent call last) is expected here")
    print("AssertionError handled; exit code 1 from the child was the point of this test")
    warnings.warn("deprecated failure mode", DeprecationWarning)
    assert True


@pytest.mark.xfail(reason="known bug #123: rounding error", strict=False)
def test_known_rounding_bug():
    assert round(2.675, 2) == 2.68
EOF

for p in pyodide_extension_timeout pyodide_core_failure; do
f "$p/pytest.ini" <<'EOF'
[pytest]
markers =
    core: tests of the core runtime (gating)
    extension: tests of optional extension packages (non-gating)
EOF
f "$p/tests/core/test_runtime.py" <<'EOF'
import pytest

pytestmark = pytest.mark.core


def test_eval_simple():
    assert eval("1 + 2") == 3


def test_import_json():
    import json

    assert json.loads("[1, 2]") == [1, 2]
EOF
f "$p/tests/core/test_ffi.py" <<'EOF'
import pytest

pytestmark = pytest.mark.core


def to_js(value):
    return {"type": type(value).__name__, "value": value}


def test_to_js_int():
    assert to_js(3) == {"type": "int", "value": 3}


def test_to_js_list():
    assert to_js([1, 2])["type"] == "list"
EOF
f "$p/tests/extensions/test_numpy_ext.py" <<'EOF'
import time

import pytest

pytestmark = pytest.mark.extension


def test_numpy_small():
    assert sum(range(10)) == 45


def test_numpy_large_matrix():
    time.sleep(30)
EOF
f "$p/tests/extensions/test_regex_ext.py" <<'EOF'
import re

import pytest

pytestmark = pytest.mark.extension


def test_regex_match():
    assert re.match(r"\d+", "123")
EOF
done
# In the core-failure project the extension test is fast and a core test fails by assertion.
"$PYTHON" - "$WORK/pyodide_core_failure/tests" <<'EOF'
import sys
from pathlib import Path

tests = Path(sys.argv[1])
ext = tests / "extensions" / "test_numpy_ext.py"
ext.write_text(ext.read_text().replace("time.sleep(30)", "assert sum(range(100)) == 4950"))
ffi = tests / "core" / "test_ffi.py"
ffi.write_text(ffi.read_text().replace('["type"] == "list"', '["type"] == "tuple"'))
EOF

# ---------------------------------------------------------------- runs
d="$(new_case all_pass)"
run_case "$d" all_pass pytest
write_toml "$d" consistent false "Three passing tests: '3 passed in', exit 0" "$V, \`pytest\`"

d="$(new_case some_fail)"
run_case "$d" some_fail pytest
write_toml "$d" consistent false \
    "Two assertion failures among five tests; short test summary lists FAILED ids, '2 failed, 3 passed in', exit 1" \
    "$V, \`pytest\`"

d="$(new_case no_tests)"
run_case "$d" no_tests pytest tests
write_toml "$d" consistent false "Test dir without test files: 'collected 0 items', 'no tests ran in', exit 5" \
    "$V, \`pytest tests\`"

d="$(new_case collection_error)"
run_case "$d" collection_error pytest
write_toml "$d" consistent false \
    "Test module imports a missing module: 'ERROR collecting tests/test_db.py', 'Interrupted: 1 error during collection', '1 error in', exit 2" \
    "$V, \`pytest\`"

d="$(new_case usage_error)"
run_case "$d" usage_error pytest --definitely-not-an-option
write_toml "$d" consistent false \
    "Unknown command-line option: 'ERROR: usage: pytest ...' / 'error: unrecognized arguments', exit 4" \
    "$V, \`pytest --definitely-not-an-option\`"

d="$(new_case file_not_found)"
run_case "$d" file_not_found pytest tests/test_missing.py
write_toml "$d" consistent false \
    "Path given on the command line does not exist: 'ERROR: file or directory not found: tests/test_missing.py', 'no tests ran in', exit 4" \
    "$V, \`pytest tests/test_missing.py\`"

d="$(new_case timeout)"
run_case "$d" timeout pytest --timeout=2
write_toml "$d" consistent false \
    "pytest-timeout (signal method) fails a hanging test that has a helper thread running: '+++ Timeout +++' stack dump, 'Failed: Timeout >2.0s', '1 failed, 1 passed in', exit 1" \
    "$V, \`pytest --timeout=2\`"

d="$(new_case timeout_thread)"
run_case "$d" timeout_thread pytest --timeout=2 --timeout-method=thread
write_toml "$d" consistent false \
    "pytest-timeout thread method: '+++ Timeout +++' stack dump, then the process is killed (os._exit(1)) with no summary line at all; exit 1" \
    "$V, \`pytest --timeout=2 --timeout-method=thread\`"

# The tee trap: no pipefail, so the recorded status is tee's 0 while pytest exited 1.
d="$(new_case tee_trap)"
(
    set +o pipefail
    cd "$WORK/tee_trap"
    clean_env timeout -k 5 120 pytest 2>&1 | tee "$d/output.log" > /dev/null
    echo $? > "$d/exit_code"
)
log "tee_trap: exit $(cat "$d/exit_code")"
write_toml "$d" false-success false \
    "pytest 2>&1 | tee output.log without pipefail: the summary says '2 failed, 3 passed' but the pipeline status recorded is tee's 0" \
    "$V, \`pytest 2>&1 | tee output.log\` in bash without pipefail, exit_code is \$? of the pipeline"

d="$(new_case scary_pass)"
run_case "$d" scary_pass pytest -rA
write_toml "$d" consistent false \
    "Passing run full of frightening words: test names with ERROR, printed Traceback/FATAL/FAILED, logged errors, a DeprecationWarning and an xfail, shown by -rA; '4 passed, 1 xfailed, 1 warning in', exit 0" \
    "$V, \`pytest -rA\`"

d="$(new_case pyodide_extension_timeout)"
run_case "$d" pyodide_extension_timeout pytest -ra --timeout=2 tests
write_toml "$d" consistent false \
    "Pyodide-like layout (tests/core, tests/extensions, markers core/extension): only the extension test tests/extensions/test_numpy_ext.py::test_numpy_large_matrix times out (pytest-timeout), core passes; exit 1" \
    "$V, \`pytest -ra --timeout=2 tests\`"

d="$(new_case pyodide_core_failure)"
run_case "$d" pyodide_core_failure pytest -ra --timeout=2 tests
write_toml "$d" consistent false \
    "Pyodide-like layout: core test tests/core/test_ffi.py::test_to_js_list fails by assertion, extensions pass; exit 1" \
    "$V, \`pytest -ra --timeout=2 tests\`"

d="$(new_case colour_fail)"
run_case "$d" colour_fail pytest --color=yes
write_toml "$d" consistent true \
    "Same failing suite as some_fail with colours forced (ANSI escapes kept): '2 failed, 3 passed in', exit 1" \
    "$V, \`pytest --color=yes\`"

log "done"
