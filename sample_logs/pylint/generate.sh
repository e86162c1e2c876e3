#!/usr/bin/env bash
# Re-creates every pylint sample case from scratch: a throwaway venv with a pinned pylint (and
# astroid), a small package in a temp dir, real runs captured as CI would (`cmd > output.log
# 2>&1; echo $? > exit_code`): honest runs (the bit-encoded exit code, --exit-zero,
# --fail-under met) and a status lost in a pipe into tee.
# Run from the repo root:  bash sample_logs/pylint/generate.sh
# Needs: python3 and PyPI (pip). Every run is bounded with `timeout` (lib.sh's capture).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir pylint
cd "$WORK"

PYLINT_VERSION=3.3.2
ASTROID_VERSION=3.3.11
export LC_ALL=C.UTF-8 LANG=C.UTF-8 NO_COLOR=1
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check "pylint==$PYLINT_VERSION" "astroid==$ASTROID_VERSION"
export PATH="$WORK/venv/bin:$PATH"
V="pylint $PYLINT_VERSION, astroid $ASTROID_VERSION (pip), $(python --version 2>&1)"

write_toml() {  # case verdict description command
    cat > "$HERE/$1/case.toml" <<EOF
tool = "pylint"
expected_verdict = "$2"
description = $(toml_str "$3")
produced_by = $(toml_str "$V, \`$4\`")
hand_written = false
colour = false
EOF
}
# Each run gets a fresh PYLINTHOME, as a CI job does: no "(previous run: ...)" in the rating.
run() {  # case cmd...
    local c="$1"; shift
    mkdir -p "$WORK/home/$c"
    PYLINTHOME="$WORK/home/$c" capture "$c" "$@"
}

clear_cases

mkdir -p pkg
cat > pkg/__init__.py <<'EOF'
"""A small package whose code is full of error words."""
EOF
cat > pkg/handlers.py <<'EOF'
"""Error handlers."""
import os


def error_handler(exc):
    """Handle an error."""
    return undefined_name + exc


def failure_message(code):
    """Describe a failure."""
    if code == 1:
        return "error: failed"
    return "E0602 W0611 rated at 0.00/10"
EOF
cat > pkg/clean.py <<'EOF'
"""Clean module."""


def raise_error(message):
    """Raise an error."""
    raise RuntimeError("error: " + message)


def test_error_handling():
    """A test named after errors."""
    message = "Your code has been rated at 0.00/10"
    return message.startswith("Your code")
EOF
cat > pkg/style.py <<'EOF'
"""A module with one convention message."""


def render(items):
    """Render items."""
    out = []
    for i in range(len(items)):
        out.append(str(items[i]))
    return ", ".join(out)


def count(items):
    """Count items."""
    return len(items)


def first(items):
    """First item."""
    return items[0]
EOF

# ------------------------------------------------ honest runs
run pass pylint pkg/__init__.py pkg/clean.py
write_toml pass consistent "a clean package full of error words: 'Your code has been rated at 10.00/10', exit 0" "pylint pkg/__init__.py pkg/clean.py"

run fail pylint pkg
write_toml fail consistent "E0602, W0611 and C0200 (a clean module's error words in strings do not count): exit 22 = 2 (error) + 4 (warning) + 16 (convention), as pylint's bit-encoded exit code documents" "pylint pkg"

run fail-under-met bash -xc 'pylint --fail-under=7 pkg/style.py'
write_toml fail-under-met consistent "--fail-under=7 (shown by the set -x trace): one C0200 message, rated 8.89/10, so pylint exits 0 as documented" "bash -xc 'pylint --fail-under=7 pkg/style.py'"

run exit-zero bash -xc 'pylint --exit-zero pkg'
write_toml exit-zero consistent "--exit-zero (shown by the set -x trace): messages and a low rating, exit 0 as documented" "bash -xc 'pylint --exit-zero pkg'"

run usage-error pylint --no-such-option pkg
write_toml usage-error consistent "unknown option: 'pylint: error: Unrecognized option found: no-such-option', exit 32" "pylint --no-such-option pkg"

run fatal pylint no_such_module
write_toml fatal consistent "a module that does not exist: 'F0001: No module named no_such_module (fatal)', exit 1" "pylint no_such_module"

# ------------------------------------------------ lies
run tee-trap bash -c 'pylint pkg | tee pylint.log'
write_toml tee-trap false-success "pylint piped into tee without pipefail: E, W and C messages and a rating below 10, but the status recorded is tee's 0" "bash -c 'pylint pkg | tee pylint.log'"

echo "pylint samples written to $HERE"
