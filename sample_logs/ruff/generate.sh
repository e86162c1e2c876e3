#!/usr/bin/env bash
# Re-creates every ruff sample case (ruff check and ruff format) from scratch: a throwaway venv
# with a pinned ruff, a small project in a temp dir, real runs captured as CI would
# (`cmd > output.log 2>&1; echo $? > exit_code`), honest runs (--exit-zero among them) and the
# ways CI loses the status (`|| true`, a pipe into tee without pipefail).
# Run from the repo root:  bash sample_logs/ruff/generate.sh
# Needs: python3 and PyPI (pip). Every run is bounded with `timeout` (lib.sh's capture).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir ruff
cd "$WORK"

RUFF_VERSION=0.8.4
export LC_ALL=C.UTF-8 LANG=C.UTF-8 NO_COLOR=1
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check "ruff==$RUFF_VERSION"
export PATH="$WORK/venv/bin:$PATH"
V="ruff $RUFF_VERSION (pip)"

write_toml() {  # case verdict description command
    cat > "$HERE/$1/case.toml" <<EOF
tool = "ruff"
expected_verdict = "$2"
description = $(toml_str "$3")
produced_by = $(toml_str "$V, \`$4\`")
hand_written = false
colour = false
EOF
}

clear_cases

mkdir -p src clean
cat > src/handlers.py <<'EOF'
import os


def error_handler(exc):
    return f"Found 1 error: {exc}"
EOF
cat > src/style.py <<'EOF'
ERRORS = {  "fatal":1, "warning" :2 }
EOF
cat > clean/errors.py <<'EOF'
def raise_error(message: str) -> None:
    raise RuntimeError(f"error: {message}")
EOF

# ------------------------------------------------ honest runs
capture check-pass ruff check clean
write_toml check-pass consistent "a clean module full of error words: 'All checks passed!', exit 0" "ruff check clean"

capture check-fail ruff check src
write_toml check-fail consistent "F401 with its code frame: 'Found 1 error.', '[*] 1 fixable with the --fix option.', exit 1" "ruff check src"

capture check-exit-zero bash -xc 'ruff check --exit-zero src'
write_toml check-exit-zero consistent "--exit-zero (shown by the set -x trace): 'Found 1 error.' and exit 0, as documented" "bash -xc 'ruff check --exit-zero src'"

capture format-check-fail ruff format --check src clean
write_toml format-check-fail consistent "'Would reformat: src/style.py', '1 file would be reformatted, 2 files already formatted', exit 1" "ruff format --check src clean"

capture format-check-pass ruff format --check clean
write_toml format-check-pass consistent "'1 file already formatted', exit 0" "ruff format --check clean"

capture usage-error ruff check --select NOPE123 src
write_toml usage-error consistent "an invalid rule selector: \"error: invalid value 'NOPE123' for '--select <RULE_CODE>'\", exit 2" "ruff check --select NOPE123 src"

# ------------------------------------------------ lies
capture check-or-true bash -xc 'ruff check --output-format concise src || true'
write_toml check-or-true false-success "set -x trace of 'ruff check --output-format concise src || true': 'Found 1 error.', then '+ true', exit 0" "bash -xc 'ruff check --output-format concise src || true'"

capture format-check-tee bash -c 'ruff format --check src clean | tee ruff-format.log'
write_toml format-check-tee false-success "ruff format --check piped into tee without pipefail: '1 file would be reformatted' but the status recorded is tee's 0" "bash -c 'ruff format --check src clean | tee ruff-format.log'"

echo "ruff samples written to $HERE"
