#!/usr/bin/env bash
# Re-creates every pip sample case from scratch: a throwaway venv upgraded to a pinned pip, real
# `pip install` runs against PyPI captured as CI would (`cmd > output.log 2>&1; echo $? >
# exit_code`): honest runs (a success, a post-install dependency-conflict ERROR that pip exits 0
# after, ResolutionImpossible, no matching distribution, a failed wheel build) and the ways CI
# loses the status (a pipe into tee without pipefail, `|| true`).
# Run from the repo root:  bash sample_logs/pip/generate.sh
# Needs: python3 and PyPI. Every run is bounded with `timeout` (lib.sh's capture).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir pip
cd "$WORK"

PIP_VERSION=24.3.1
export LC_ALL=C.UTF-8 LANG=C.UTF-8 NO_COLOR=1 PYTHONUNBUFFERED=1
export CAPTURE_TIMEOUT=240
# pip as a CI runner has it: PyPI only, no configuration file of this machine's (mirrors, links,
# constraints), no cache, no progress bars; the CA bundle is the only setting passed on.
CI=(env -i PATH="$WORK/venv/bin:/usr/bin:/bin" HOME="$WORK" LANG=C.UTF-8 LC_ALL=C.UTF-8
    PIP_CONFIG_FILE=/dev/null PIP_CERT="${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}"
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_PROGRESS_BAR=off PYTHONUNBUFFERED=1)
ci() { "${CI[@]}" "$@"; }
python3 -m venv "$WORK/venv"
ci "$WORK/venv/bin/python" -m pip install -q "pip==$PIP_VERSION"
export PATH="$WORK/venv/bin:$PATH"
V="pip $PIP_VERSION, $(python --version 2>&1), PyPI"

write_toml() {  # case verdict description command
    cat > "$HERE/$1/case.toml" <<EOF
tool = "pip"
expected_verdict = "$2"
description = $(toml_str "$3")
produced_by = $(toml_str "$V, \`$4\`")
hand_written = false
colour = false
EOF
}
fresh_venv() { rm -rf "$WORK/env"; python -m venv "$WORK/env"; ci "$WORK/env/bin/python" -m pip install -q "pip==$PIP_VERSION"; }

clear_cases

# A package whose build fails (its setup.py raises), the way a missing compiler or header does.
mkdir -p broken-pkg
cat > broken-pkg/setup.py <<'EOF'
from setuptools import setup

raise RuntimeError("error: libfoo headers not found; install libfoo-dev")
setup(name="broken-pkg", version="0.1")
EOF
cat > broken-pkg/pyproject.toml <<'EOF'
[build-system]
requires = ["setuptools==75.6.0"]
build-backend = "setuptools.build_meta"
EOF

# ------------------------------------------------ honest runs
fresh_venv
capture install-ok "${CI[@]}" "$WORK/env/bin/pip" install "six==1.16.0"
write_toml install-ok consistent "'Successfully installed six-1.16.0', exit 0" "pip install six==1.16.0"

capture resolver-conflict-warning "${CI[@]}" bash -c "'$WORK/env/bin/pip' install -q 'requests==2.32.3' && '$WORK/env/bin/pip' install 'idna==2.0'"
write_toml resolver-conflict-warning consistent "installing idna 2.0 next to requests 2.32.3: pip prints \"ERROR: pip's dependency resolver does not currently take into account all the packages that are installed\" and the conflict, then 'Successfully installed idna-2.0', exit 0 as pip does" "pip install -q requests==2.32.3 && pip install idna==2.0"

fresh_venv
capture resolution-impossible "${CI[@]}" "$WORK/env/bin/pip" install "requests==2.32.3" "idna==2.0"
write_toml resolution-impossible consistent "conflicting pins: 'ERROR: Cannot install requests==2.32.3 and idna==2.0', 'ERROR: ResolutionImpossible', exit 1" "pip install requests==2.32.3 idna==2.0"

capture no-matching-distribution "${CI[@]}" "$WORK/env/bin/pip" install "six==99.0"
write_toml no-matching-distribution consistent "a version that does not exist: 'ERROR: Could not find a version that satisfies the requirement six==99.0', 'ERROR: No matching distribution found', exit 1" "pip install six==99.0"

capture build-failure "${CI[@]}" "$WORK/env/bin/pip" install ./broken-pkg
write_toml build-failure consistent "setup.py raises while building: 'error: subprocess-exited-with-error', 'Getting requirements to build wheel did not run successfully', exit 1" "pip install ./broken-pkg"

capture usage-error "${CI[@]}" "$WORK/env/bin/pip" install --no-such-option six
write_toml usage-error consistent "unknown option: 'no such option: --no-such-option', exit 2" "pip install --no-such-option six"

# ------------------------------------------------ lies
capture resolution-impossible-tee "${CI[@]}" bash -c "'$WORK/env/bin/pip' install 'requests==2.32.3' 'idna==2.0' 2>&1 | tee pip.log"
write_toml resolution-impossible-tee false-success "the conflicting install piped into tee without pipefail: 'ERROR: ResolutionImpossible' but the status recorded is tee's 0" "bash -c 'pip install requests==2.32.3 idna==2.0 2>&1 | tee pip.log'"

capture build-failure-or-true "${CI[@]}" bash -xc "'$WORK/env/bin/pip' install ./broken-pkg || true"
write_toml build-failure-or-true false-success "set -x trace of 'pip install ./broken-pkg || true': the build fails, '+ true', exit 0" "bash -xc 'pip install ./broken-pkg || true'"

echo "pip samples written to $HERE"
