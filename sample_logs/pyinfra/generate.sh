#!/usr/bin/env bash
# Re-creates every pyinfra sample case from scratch by running the real pyinfra.
#
#   bash sample_logs/pyinfra/generate.sh        (from the repo root)
#
# Everything happens in a throwaway temp dir: one venv per pinned pyinfra version
# (dependencies pinned below, as resolved when the samples were made), a fixed
# project dir as the working directory, deploys from ./deploys/, all run against
# @local only with harmless commands (true/false/echo/touch in the temp dir).
# Runs are captured as CI would: `cmd > output.log 2>&1 < /dev/null; echo $?`.
# The colour cases run under `script` (a pseudo-terminal): pyinfra and click have
# no FORCE_COLOR-style switch, colours only appear when stdout is a terminal.
#
# Each case states the exit code it expects; if a run exits differently the
# script stops and leaves the existing case dirs untouched.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/exitaudit-pyinfra.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

PROJECT="$WORK/project"   # working directory of every run
OUT="$WORK/out"           # case dirs are assembled here, then copied over
mkdir -p "$PROJECT" "$OUT"
cp "$HERE"/deploys/*.py "$PROJECT"/

# --- pinned dependencies ----------------------------------------------------
# pyinfra 2.x: its entry points load through pkg_resources, which breaks with
# today's gevent/zope.interface/setuptools; pin a 2023-era set (paramiko<3 is
# required by pyinfra 2.x anyway).
cat > "$WORK/constraints-2.x.txt" <<'EOF'
bcrypt==5.0.0
certifi==2026.10.18
cffi==2.1.1
charset-normalizer==3.5.2
click==8.1.7
colorama==0.4.6
configparser==7.3.0
cryptography==41.0.7
distro==1.9.0
gevent==23.9.1
greenlet==3.0.3
idna==3.20
Jinja2==3.1.6
MarkupSafe==3.0.4
paramiko==2.12.0
pycparser==3.12
PyNaCl==1.6.2
pyspnego==0.12.4
python-dateutil==2.9.0.post0
pywinrm==0.5.0
requests==2.34.2
requests_ntlm==1.3.0
setuptools==69.0.3
six==1.17.0
urllib3==2.8.0
xmltodict==1.0.4
zope.event==5.0
zope.interface==6.1
EOF

cat > "$WORK/constraints-3.x.txt" <<'EOF'
annotated-types==0.8.0
bcrypt==5.0.0
cffi==2.1.1
click==8.5.1
cryptography==50.0.2
distro==1.9.0
gevent==26.9.0
greenlet==3.5.6
Jinja2==3.1.6
MarkupSafe==3.0.4
packaging==26.3
paramiko==3.5.1
pycparser==3.12
pydantic==2.14.3
pydantic_core==2.50.4
PyNaCl==1.6.2
python-dateutil==2.9.0.post0
six==1.17.0
typeguard==4.6.0
typing-inspection==0.4.5
typing_extensions==4.16.0
zope.event==6.2
zope.interface==8.7
EOF

PYVER="$(python3 -c 'import platform; print(platform.python_version())')"

# make_venv VERSION -> $PROJECT/.venvs/pyinfra-VERSION
make_venv() {
    local version="$1" venv="$PROJECT/.venvs/pyinfra-$1" constraints extra=()
    [ -x "$venv/bin/pyinfra" ] && return 0
    case "$version" in
        2.*) constraints="$WORK/constraints-2.x.txt"; extra=(setuptools) ;;
        *)   constraints="$WORK/constraints-3.x.txt" ;;
    esac
    echo "== venv pyinfra $version" >&2
    python3 -m venv "$venv"
    timeout 600 "$venv/bin/pip" install --disable-pip-version-check -q \
        -c "$constraints" "pyinfra==$version" "${extra[@]}" > "$WORK/pip-$version.log" 2>&1 \
        || { cat "$WORK/pip-$version.log" >&2; exit 1; }
    local got
    got="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("pyinfra"))')"
    [ "$got" = "$version" ] || { echo "installed pyinfra $got, wanted $version" >&2; exit 1; }
}

# run_case NAME VERSION COLOUR EXPECTED_EXIT VERDICT DESCRIPTION -- PYINFRA_ARGS...
run_case() {
    local name="$1" version="$2" colour="$3" want="$4" verdict="$5" description="$6"
    shift 7
    local dir="$OUT/$name" rc=0 cmd
    make_venv "$version"
    mkdir -p "$dir"
    echo "== $name (pyinfra $version $*)" >&2
    (
        cd "$PROJECT"
        rm -rf scratch
        if [ "$colour" = true ]; then
            # pseudo-terminal of a fixed size; script -e returns the child's status
            cmd="stty cols 120 rows 40; exec .venvs/pyinfra-$version/bin/pyinfra $*"
            timeout 120 script -qefc "$cmd" /dev/null > "$dir/output.log" 2>&1 < /dev/null
        else
            timeout 120 ".venvs/pyinfra-$version/bin/pyinfra" "$@" > "$dir/output.log" 2>&1 < /dev/null
        fi
    ) || rc=$?
    echo "$rc" > "$dir/exit_code"
    if [ "$rc" != "$want" ]; then
        echo "!! $name: exit $rc, expected $want; output:" >&2
        cat "$dir/output.log" >&2
        exit 1
    fi
    local how="\`pyinfra $*\`"
    [ "$colour" = true ] && how="\`script -qefc 'pyinfra $*' /dev/null\` (pseudo-terminal, 120x40)"
    cat > "$dir/case.toml" <<EOF
tool = "pyinfra"
expected_verdict = "$verdict"
description = "$description"
produced_by = "pyinfra $version (pip, deps pinned in generate.sh), Python $PYVER, $how run from a fixed project dir, against @local"
hand_written = false
colour = $colour
EOF
}

# --- cases ---------------------------------------------------------------------
# Descriptions go into TOML basic strings: no double quotes or backslashes.

run_case python-call-fail-2.8 2.8 false 0 false-success \
    "python.call callback runs server.shell false, which fails; pyinfra 2.8 prints 'nested Error' and 'Errors: 1' in the Results summary but exits 0 (pyinfra#1050, fixed in 2.9.1)" \
    -- @local python_call_fail.py

run_case python-call-fail-2.9 2.9 false 0 false-success \
    "same deploy as python-call-fail-2.8 on pyinfra 2.9: the bug is still present (Errors: 1, exit 0); 2.9.1 is the first fixed release (pyinfra#1050)" \
    -- @local python_call_fail.py

run_case python-call-fail-2.9.1 2.9.1 false 1 consistent \
    "same deploy as python-call-fail-2.8 on pyinfra 2.9.1 (fixed): the nested error fails the host, pyinfra ends with 'pyinfra error: No hosts remaining!' and exits 1; no Results summary is printed. The 'pyinfra error' words keep ANSI escapes even without a terminal (pyinfra 2.x writes them with sys.stderr.write)" \
    -- @local python_call_fail.py

run_case plain-fail-2.8 2.8 false 1 consistent \
    "a top-level server.shell false fails (no python.call); pyinfra 2.8 prints 'Error: executed 0/1 commands' then 'pyinfra error: No hosts remaining!' (with ANSI escapes even without a terminal) and exits 1; no Results summary" \
    -- @local plain_fail.py

run_case scary-success-2.8 2.8 false 0 consistent \
    "successful deploy run with -vvv whose commands print ERROR, Traceback and FATAL text, plus a failing op with _ignore_errors=True ('Error (ignored)'); Results say 'Errors: 0 (1 ignored)'; exit 0 is right" \
    -- -vvv @local scary_success.py

run_case python-call-fail-3.6 3.6 false 0 false-success \
    "python.call callback runs server.shell false, which fails; pyinfra 3.6 prints 'nested Error' and a Results table whose Grand total row has Error 1, yet exits 0 (pyinfra#1190, fixed in 3.6.1)" \
    -- -y @local python_call_fail.py

run_case python-call-fail-3.6.1 3.6.1 false 1 consistent \
    "same deploy as python-call-fail-3.6 on pyinfra 3.6.1 (fixed): 'Error in nested operation', no Results table, ends with 'pyinfra error: No hosts remaining!' and exits 1" \
    -- -y @local python_call_fail.py

run_case scary-success-3.6.1 3.6.1 false 0 consistent \
    "successful pyinfra 3.6.1 deploy run with -vvv whose commands print ERROR, Traceback and FATAL text, plus a failing op with _ignore_errors=True: the Grand total row counts it as Error 1 although it was ignored ('Error (ignored)'); exit 0 is right" \
    -- -y -vvv @local scary_success.py

run_case python-call-fail-2.8-colour 2.8 true 0 false-success \
    "as python-call-fail-2.8 but captured through a pseudo-terminal so colours are on (ANSI escapes, CRLF line ends, spinner lines); 'Errors: 1' is written with bold escapes around the 1; exits 0 (pyinfra#1050)" \
    -- @local python_call_fail.py

run_case python-call-fail-3.6-colour 3.6 true 0 false-success \
    "as python-call-fail-3.6 but captured through a pseudo-terminal so colours are on (ANSI escapes, CRLF line ends, spinner lines); Grand total row has Error 1; exits 0 (pyinfra#1190)" \
    -- -y @local python_call_fail.py

# --- install the new case dirs (only the ones made above) -----------------------
for dir in "$OUT"/*/; do
    name="$(basename "$dir")"
    rm -rf "${HERE:?}/$name"
    cp -r "$dir" "$HERE/$name"
    echo "wrote $HERE/$name (exit $(cat "$HERE/$name/exit_code"))" >&2
done
