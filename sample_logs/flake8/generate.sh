#!/usr/bin/env bash
# Re-creates every flake8 sample case from scratch: a throwaway venv with a pinned flake8 (and
# the pycodestyle/pyflakes/mccabe it pins), a small project in a temp dir, real runs captured as
# CI would (`cmd > output.log 2>&1; echo $? > exit_code`): honest runs (a silent clean run,
# --exit-zero) and the ways CI loses the status (`find -exec ... \;`, `cmd & ... wait`).
# Run from the repo root:  bash sample_logs/flake8/generate.sh
# Needs: python3 and PyPI (pip). Every run is bounded with `timeout` (lib.sh's capture).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir flake8
cd "$WORK"

FLAKE8_VERSION=7.1.1
export LC_ALL=C.UTF-8 LANG=C.UTF-8 NO_COLOR=1
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check "flake8==$FLAKE8_VERSION" "pycodestyle==2.12.1" "pyflakes==3.2.0" "mccabe==0.7.0"
export PATH="$WORK/venv/bin:$PATH"
V="flake8 $FLAKE8_VERSION (pycodestyle 2.12.1, pyflakes 3.2.0; pip), $(python --version 2>&1)"

write_toml() {  # case verdict description command [forced verdict]
    {
        echo 'tool = "flake8"'
        echo "expected_verdict = \"$2\""
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$V, \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
        if [ -n "${5:-}" ]; then echo "forced_verdict = \"$5\"  # silent on success: nothing in the log names the tool"; fi
    } > "$HERE/$1/case.toml"
}

clear_cases

mkdir -p src clean broken
cat > src/handlers.py <<'EOF'
import os


def error_handler(exc):
    return "error: %s" % exc
def on_failure(l):
    return l
EOF
cat > src/models.py <<'EOF'
class Failure:
    reason = "E501 line too long"   
EOF
cat > clean/errors.py <<'EOF'
def raise_error(message):
    raise RuntimeError("F401 error: " + message)
EOF
cat > broken/syntax.py <<'EOF'
def broken(:
    pass
EOF

# ------------------------------------------------ honest runs
# Traced, so that the log is not empty (an empty log is a clean run too, but this branch's
# reader still rejects empty input).
capture pass bash -xc 'flake8 clean'
write_toml pass no-coverage "a clean module full of error words: flake8 prints nothing; the set -x trace '+ flake8 clean' is the whole log, exit 0" "bash -xc 'flake8 clean'" consistent

capture fail flake8 src
write_toml fail consistent "F401, E302, E741 and W291: one line per violation, exit 1" "flake8 src"

capture syntax-error flake8 broken
write_toml syntax-error consistent "a syntax error is reported as 'E999 SyntaxError: ...', exit 1" "flake8 broken"

capture exit-zero bash -xc 'flake8 --exit-zero --count src'
write_toml exit-zero consistent "--exit-zero --count (shown by the set -x trace): four violations, the count '4', exit 0 as documented" "bash -xc 'flake8 --exit-zero --count src'"

capture usage-error flake8 --no-such-option src
write_toml usage-error consistent "unknown option: 'flake8: error: unrecognized arguments', exit 2" "flake8 --no-such-option src"

# ------------------------------------------------ lies
capture find-exec bash -xc "find src -name '*.py' -exec flake8 {} ';'"
write_toml find-exec false-success "set -x trace of 'find src -name *.py -exec flake8 {} ;': flake8 runs once per file and reports violations, find exits 0" "bash -xc \"find src -name '*.py' -exec flake8 {} ';'\""

capture background-wait bash -xc 'flake8 src/handlers.py & sleep 3; flake8 src/models.py & wait'
write_toml background-wait false-success "set -x trace of two flake8 runs in the background and a bare wait: both report violations, wait returns 0" "bash -xc 'flake8 src/handlers.py & sleep 3; flake8 src/models.py & wait'"

echo "flake8 samples written to $HERE"
