#!/usr/bin/env bash
# Re-creates every mypy sample case from scratch: a throwaway venv with a pinned mypy, a small
# package in a temp dir, real runs captured as CI would (`cmd > output.log 2>&1; echo $? >
# exit_code`), honest runs and the ways CI loses the status (a pipe into tee without pipefail,
# `cmd & ... wait`).
# Run from the repo root:  bash sample_logs/mypy/generate.sh
# Needs: python3 and PyPI (pip). Every run is bounded with `timeout` (lib.sh's capture).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir mypy
cd "$WORK"

MYPY_VERSION=1.13.0
export LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONUNBUFFERED=1 NO_COLOR=1
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check "mypy==$MYPY_VERSION" "mypy-extensions==1.0.0" "typing-extensions==4.12.2"
export PATH="$WORK/venv/bin:$PATH"
V="mypy $MYPY_VERSION (pip), $(python --version 2>&1)"

write_toml() {  # case verdict description command
    cat > "$HERE/$1/case.toml" <<EOF
tool = "mypy"
expected_verdict = "$2"
description = $(toml_str "$3")
produced_by = $(toml_str "$V, \`$4\`")
hand_written = false
colour = false
EOF
}

clear_cases

mkdir -p src/app
: > src/app/__init__.py
cat > src/app/ok.py <<'EOF'
def add(a: int, b: int) -> int:
    return a + b


def handle_error(message: str) -> str:
    # An honest module whose names and strings are full of failure words.
    return f"error: {message} (Found 2 errors)"
EOF
cat > src/app/bad.py <<'EOF'
from app.ok import add

count: int = "three"
total = add(1, "2")
reveal_type(total)
EOF
mkdir -p broken
cat > broken/syntax.py <<'EOF'
def broken(:
    pass
EOF

# ------------------------------------------------ honest runs
capture pass mypy src/app/ok.py
write_toml pass consistent "a clean module whose code is full of error words: 'Success: no issues found in 1 source file', exit 0" "mypy src/app/ok.py"

capture fail mypy src
write_toml fail consistent "two type errors and a reveal_type note: 'Found 2 errors in 1 file (checked 3 source files)', exit 1" "mypy src"

capture syntax-error mypy broken/syntax.py
write_toml syntax-error consistent "a syntax error is a blocking error: 'Found 1 error in 1 file (errors prevented further checking)', exit 2" "mypy broken/syntax.py"

capture usage-error mypy --no-such-option src
write_toml usage-error consistent "unknown option: 'mypy: error: unrecognized arguments', exit 2" "mypy --no-such-option src"

capture no-summary mypy --no-error-summary src
write_toml no-summary consistent "--no-error-summary: error lines only, no 'Found N errors' line, exit 1" "mypy --no-error-summary src"

# ------------------------------------------------ lies
capture tee-trap bash -c 'mypy src | tee mypy.log'
write_toml tee-trap false-success "the failing run piped into tee without pipefail: 'Found 2 errors in 1 file' but the status recorded is tee's 0" "bash -c 'mypy src | tee mypy.log'"

# Two checks run in the background and a bare wait; each mypy gets its own cache so that they
# do not race, and the second starts after the first has finished writing (the order of their
# output is then fixed).
capture background-wait bash -xc 'mypy --cache-dir=.cache-a src & sleep 5; mypy --cache-dir=.cache-b src/app/ok.py & wait'
write_toml background-wait false-success "set -x trace of 'mypy src & ...; mypy src/app/ok.py & wait': the first run finds 2 errors, the second passes, the bare wait returns 0" "bash -xc 'mypy --cache-dir=.cache-a src & sleep 5; mypy --cache-dir=.cache-b src/app/ok.py & wait'"

echo "mypy samples written to $HERE"
