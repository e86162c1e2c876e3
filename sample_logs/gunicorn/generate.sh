#!/usr/bin/env bash
# Re-creates every gunicorn sample case from scratch: throwaway venvs and apps in a temp dir,
# real gunicorn runs captured as CI would (`cmd > output.log 2>&1; echo $? > exit_code`).
# Servers bind 127.0.0.1 on a free high port; every run is bounded with `timeout`.
# Usage (from the repo root): bash sample_logs/gunicorn/generate.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"
GUNICORN_VERSION=23.0.0
AIOHTTP_BUGGY=3.13.5   # GunicornWebWorker.init_signals() never resets SIGCHLD (aiohttp#10070, #12327)
AIOHTTP_FIXED=3.14.5   # resets SIGCHLD to SIG_DFL (aiohttp PR #12328)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/exitaudit-gunicorn.XXXXXX")"
HOLDER_PID=""
cleanup() {
    if [[ -n "$HOLDER_PID" ]]; then kill "$HOLDER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '[gunicorn/generate] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- venvs
log "creating venvs in $WORK"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check \
    "gunicorn==$GUNICORN_VERSION" "aiohttp==$AIOHTTP_BUGGY"
"$PYTHON" -m venv "$WORK/venv-fixed"
"$WORK/venv-fixed/bin/pip" install -q --disable-pip-version-check \
    "gunicorn==$GUNICORN_VERSION" "aiohttp==$AIOHTTP_FIXED"
PYVER="$("$WORK/venv/bin/python" -c 'import platform; print(platform.python_version())')"

# ---------------------------------------------------------------- the apps (fixed dir name)
APPS="$WORK/apps"
mkdir -p "$APPS"
cat > "$APPS/okapp.py" <<'EOF'
def app(environ, start_response):
    body = b"ok\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
EOF
cat > "$APPS/badimport.py" <<'EOF'
# Importing this module fails inside the gunicorn worker.
import os

DATABASE_URL = os.environ["DATABASE_URL"]
EOF
cat > "$APPS/scaryapp.py" <<'EOF'
# A healthy app whose log is full of frightening words: it catches an exception and logs it
# with logging.exception, then logs a WARNING and an ERROR line, and still answers 200.
import logging

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("shop.payments")


def app(environ, start_response):
    try:
        {"provider": "primary"}["card_token"]
    except KeyError:
        log.exception("Failed to read card_token from primary provider; falling back to cached token")
    log.warning("WARNING: upstream inventory timed out (attempt 1/3); serving cached stock levels")
    log.error("ERROR budget at 2 percent of quota (informational, no action needed)")
    body = b"order accepted\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
EOF
cat > "$APPS/aio_subprocess.py" <<'EOF'
# aiohttp app whose handler runs a child script with subprocess.run and reports its return code
# (the reproducer of aiohttp#10070: subprocess.run(cmd, timeout=...) under GunicornWebWorker).
import subprocess
import sys
from pathlib import Path

from aiohttp import web

CHILD = str(Path(__file__).with_name("child.py"))


async def run(request):
    code = request.query.get("code", "3")
    p = subprocess.run([sys.executable, CHILD, code], timeout=60)
    print(f"Return code: {p.returncode}", flush=True)
    return web.Response(text=f"Return code: {p.returncode}\n")


async def make_app():
    app = web.Application()
    app.router.add_get("/run", run)
    return app
EOF
cat > "$APPS/aio_asyncio_subprocess.py" <<'EOF'
# Same idea with asyncio.create_subprocess_exec (aiohttp#7038 / gunicorn#3333).
import asyncio
import sys
from pathlib import Path

from aiohttp import web

CHILD = str(Path(__file__).with_name("child.py"))


async def run(request):
    code = request.query.get("code", "2")
    p = await asyncio.create_subprocess_exec(sys.executable, CHILD, code)
    rc = await p.wait()
    print(f"Return code: {rc}", flush=True)
    return web.Response(text=f"Return code: {rc}\n")


async def make_app():
    app = web.Application()
    app.router.add_get("/run", run)
    return app
EOF
cat > "$APPS/child.py" <<'EOF'
import sys

code = int(sys.argv[1])
print(f"child: export job failed, exiting with status {code}", flush=True)
sys.exit(code)
EOF

# ---------------------------------------------------------------- helpers
free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Run the given command in $APPS with a clean environment (as a CI job would: no terminal).
clean_env() {
    local venv="$1"; shift
    env -i PATH="$venv/bin:/usr/local/bin:/usr/bin:/bin" HOME="$WORK" LANG=C.UTF-8 "$@"
}

toml_str() { "$PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

write_toml() {  # dir verdict description produced_by
    {
        echo 'tool = "gunicorn"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$4")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$1/case.toml"
}

new_case() {  # name -> prints dir
    local dir="$HERE/$1"
    rm -rf "$dir"
    mkdir -p "$dir"
    printf '%s\n' "$dir"
}

# One-shot run: the command is expected to exit by itself.
run_oneshot() {  # dir venv cmd...
    local dir="$1" venv="$2"; shift 2
    local rc=0
    (cd "$APPS" && clean_env "$venv" timeout -k 5 90 "$@") > "$dir/output.log" 2>&1 || rc=$?
    echo "$rc" > "$dir/exit_code"
    log "$(basename "$dir"): exit $rc"
}

# Server run: start in background, wait until the worker booted, make one request,
# send SIGTERM to the gunicorn master (pid from --pid), wait for the exit code.
run_server() {  # dir venv url_path gunicorn-args...
    local dir="$1" venv="$2" path="$3"; shift 3
    local port pidfile pid master rc=0
    port="$(free_port)"
    pidfile="$WORK/gunicorn.pid"
    rm -f "$pidfile"
    (cd "$APPS" && exec env -i PATH="$venv/bin:/usr/local/bin:/usr/bin:/bin" HOME="$WORK" LANG=C.UTF-8 \
        timeout -k 5 60 gunicorn --bind "127.0.0.1:$port" --workers 1 --pid "$pidfile" "$@") \
        > "$dir/output.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        if grep -q "Booting worker with pid" "$dir/output.log" 2>/dev/null && [[ -s "$pidfile" ]]; then break; fi
        sleep 0.2
    done
    sleep 1.5
    "$venv/bin/python" - "http://127.0.0.1:$port$path" <<'EOF' >&2 || true
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=20) as r:
        print("  request ->", r.status, r.read().decode().strip())
except Exception as e:
    print("  request ->", type(e).__name__, e)
EOF
    sleep 1.5
    master="$(cat "$pidfile")"
    kill -TERM "$master"
    wait "$pid" || rc=$?
    echo "$rc" > "$dir/exit_code"
    log "$(basename "$dir"): exit $rc"
}

# Remove the cases this script owns (every sub-directory holding a case.toml).
for d in "$HERE"/*/; do
    if [[ -f "$d/case.toml" ]]; then rm -rf "$d"; fi
done

V="gunicorn $GUNICORN_VERSION (pip), Python $PYVER"
VA="gunicorn $GUNICORN_VERSION + aiohttp $AIOHTTP_BUGGY (pip), Python $PYVER"
VF="gunicorn $GUNICORN_VERSION + aiohttp $AIOHTTP_FIXED (pip), Python $PYVER"

# ---------------------------------------------------------------- exit 3: worker failed to boot
d="$(new_case worker_boot_error)"
run_oneshot "$d" "$WORK/venv" gunicorn --bind "127.0.0.1:$(free_port)" --workers 1 badimport:app
write_toml "$d" consistent \
    "App module raises KeyError at import inside the worker; arbiter logs 'Worker (pid:N) exited with code 3' and 'Reason: Worker failed to boot.', exits 3" \
    "$V, \`gunicorn --bind 127.0.0.1:<free port> --workers 1 badimport:app\`"

# ---------------------------------------------------------------- exit 3: module does not exist
d="$(new_case module_not_found)"
run_oneshot "$d" "$WORK/venv" gunicorn --bind "127.0.0.1:$(free_port)" --workers 1 nonexistent:app
write_toml "$d" consistent \
    "gunicorn nonexistent:app: ModuleNotFoundError in the worker is a boot error, not an app-load error: 'Reason: Worker failed to boot.', exit 3" \
    "$V, \`gunicorn --bind 127.0.0.1:<free port> --workers 1 nonexistent:app\`"

# ---------------------------------------------------------------- exit 4: app failed to load
d="$(new_case app_load_error)"
run_oneshot "$d" "$WORK/venv" gunicorn --bind "127.0.0.1:$(free_port)" --workers 1 okapp:nonexistent
write_toml "$d" consistent \
    "Module exists but has no such attribute: \"Failed to find attribute 'nonexistent' in 'okapp'.\", 'Reason: App failed to load.', exit 4" \
    "$V, \`gunicorn --bind 127.0.0.1:<free port> --workers 1 okapp:nonexistent\`"

# ---------------------------------------------------------------- exit 1: port in use
d="$(new_case port_in_use)"
port="$(free_port)"
"$PYTHON" -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$port" &
HOLDER_PID=$!
sleep 1
run_oneshot "$d" "$WORK/venv" gunicorn --bind "127.0.0.1:$port" --workers 1 okapp:app
kill "$HOLDER_PID" 2>/dev/null || true
wait "$HOLDER_PID" 2>/dev/null || true
HOLDER_PID=""
write_toml "$d" consistent \
    "Bind port already taken by another listener: 5x 'Connection in use: (127.0.0.1, PORT)' then \"Can't connect to\", exit 1" \
    "$V, \`gunicorn --bind 127.0.0.1:<busy port> --workers 1 okapp:app\`"

# ---------------------------------------------------------------- exit 0: healthy, SIGTERM
d="$(new_case sigterm_clean)"
run_server "$d" "$WORK/venv" / --access-logfile - okapp:app
write_toml "$d" consistent \
    "Healthy sync-worker server serves one request (access log 200), then SIGTERM to the master: 'Handling signal: term', 'Shutting down: Master', exit 0" \
    "$V, \`gunicorn --bind 127.0.0.1:<free port> --workers 1 --access-logfile - okapp:app\`, one GET, then kill -TERM <master>"

# ---------------------------------------------------------------- exit 0: frightening words, honest run
d="$(new_case scary_words_sigterm)"
run_server "$d" "$WORK/venv" /checkout --access-logfile - scaryapp:app
write_toml "$d" consistent \
    "Healthy server whose handler logs a caught KeyError with logging.exception (Traceback), a WARNING and an ERROR line, answers 200, then SIGTERM: exit 0" \
    "$V, \`gunicorn --bind 127.0.0.1:<free port> --workers 1 --access-logfile - scaryapp:app\`, one GET, then kill -TERM <master>"

# ---------------------------------------------------------------- aiohttp worker: SIGCHLD bug
AIO=(--worker-class aiohttp.GunicornWebWorker --access-logfile -)

d="$(new_case aiohttp_subprocess_returncode0)"
run_server "$d" "$WORK/venv" "/run?code=2" "${AIO[@]}" aio_subprocess:make_app
write_toml "$d" false-success \
    "aiohttp worker inherits the arbiter's SIGCHLD handler, which reaps the handler's subprocess.run child (exit 2): 'Worker (pid:CHILD) exited with code 2' then the app prints 'Return code: 0'; server stopped by SIGTERM, exit 0 (aiohttp#10070)" \
    "$VA, \`gunicorn --bind 127.0.0.1:<free port> --workers 1 --worker-class aiohttp.GunicornWebWorker --access-logfile - aio_subprocess:make_app\`, GET /run?code=2, then kill -TERM <master>"

d="$(new_case aiohttp_subprocess_exit3)"
run_server "$d" "$WORK/venv" "/run?code=3" "${AIO[@]}" aio_subprocess:make_app
write_toml "$d" false-success \
    "Same bug with a child exiting 3: the worker's inherited arbiter code logs 'Worker (pid:CHILD) exited with code 3' and raises HaltServer('Worker failed to boot.', 3) inside the request (traceback, no response, no 'Return code' line); the server keeps running, SIGTERM, exit 0" \
    "$VA, \`gunicorn --bind 127.0.0.1:<free port> --workers 1 --worker-class aiohttp.GunicornWebWorker --access-logfile - aio_subprocess:make_app\`, GET /run?code=3, then kill -TERM <master>"

# asyncio's ThreadedChildWatcher races the inherited SIGCHLD handler; the bug shows up in
# roughly one run in three here, so retry (each attempt is a full, real run) until it does.
d="$(new_case aiohttp_asyncio_returncode255)"
attempt=0
for attempt in 1 2 3 4 5 6 7 8 9 10 11 12; do
    run_server "$d" "$WORK/venv" "/run?code=2" "${AIO[@]}" aio_asyncio_subprocess:make_app
    if grep -q "will report returncode 255" "$d/output.log"; then break; fi
done
if grep -q "will report returncode 255" "$d/output.log"; then
    write_toml "$d" wrong-code \
        "asyncio.create_subprocess_exec child exits 2 but the inherited SIGCHLD handler reaps it first: 'Worker (pid:CHILD) exited with code 2', asyncio 'Unknown child process pid CHILD, will report returncode 255', app prints 'Return code: 255'; SIGTERM, exit 0 (racy: captured on attempt $attempt)" \
        "$VA, \`gunicorn --bind 127.0.0.1:<free port> --workers 1 --worker-class aiohttp.GunicornWebWorker --access-logfile - aio_asyncio_subprocess:make_app\`, GET /run?code=2, then kill -TERM <master>"
else
    write_toml "$d" consistent \
        "asyncio.create_subprocess_exec child exits 2; the race with the inherited SIGCHLD handler did not trigger in 12 attempts, app prints the true 'Return code: 2'; SIGTERM, exit 0" \
        "$VA, \`gunicorn --bind 127.0.0.1:<free port> --workers 1 --worker-class aiohttp.GunicornWebWorker --access-logfile - aio_asyncio_subprocess:make_app\`, GET /run?code=2, then kill -TERM <master>"
fi

d="$(new_case aiohttp_subprocess_fixed)"
run_server "$d" "$WORK/venv-fixed" "/run?code=2" "${AIO[@]}" aio_subprocess:make_app
write_toml "$d" consistent \
    "Control for the SIGCHLD bug: aiohttp $AIOHTTP_FIXED resets SIGCHLD in the worker, the app prints the true 'Return code: 2', no 'Worker ... exited' line; SIGTERM, exit 0" \
    "$VF, \`gunicorn --bind 127.0.0.1:<free port> --workers 1 --worker-class aiohttp.GunicornWebWorker --access-logfile - aio_subprocess:make_app\`, GET /run?code=2, then kill -TERM <master>"

log "done"
