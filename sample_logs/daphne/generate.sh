#!/usr/bin/env bash
# Re-creates every Daphne sample case from scratch by running the real server.
#
#   bash sample_logs/daphne/generate.sh        (from the repo root)
#
# Needs: python3 (3.11 used for the committed logs), pip access to PyPI, curl.
# Everything runs in a throwaway temp dir with throwaway venvs; servers bind
# 127.0.0.1 on a free high port and every run is bounded by `timeout`.
#
# Cases
#   listen-failure-4.1/  daphne 4.1.2, second instance on a busy port: CRITICAL Listen failure, exit 0 (bug)
#   listen-failure-4.2/  daphne 4.2.3, same: exit 1 (fixed in 4.2.0)
#   import-error/        daphne 4.1.2, `daphne nonexistent_module:app`: traceback, exit 1
#   healthy-sigterm/     daphne 4.1.2, serves one request, stopped by SIGTERM: exit 0
#
# No colour case: the daphne CLI never emits ANSI colours (plain logging.basicConfig;
# only Django's `runserver` command colours, and that is not the daphne CLI).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
PY="${PYTHON:-python3}"

DAPHNE_OLD="4.1.2"   # newest release before the fix
DAPHNE_NEW="4.2.3"   # fixed line (fix landed in 4.2.0)
# Pin the dependencies too, so the runs are repeatable.
DEPS=(twisted==26.10.0 asgiref==3.13.0)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/exitaudit-daphne.XXXXXX")"
# On an early exit, servers still running (BG_PIDS, lib.sh) get SIGTERM.
cleanup() {
    stop_servers TERM
    rm -rf "$WORK"
}
trap cleanup EXIT

PYVER="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

log() { printf '[daphne/generate] %s\n' "$*" >&2; }

# wait_listen PORT: bounded wait until something accepts on 127.0.0.1:PORT
wait_listen() {
    local i
    for i in $(seq 1 100); do
        if "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5).close()' "$1" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    log "nothing listening on 127.0.0.1:$1 after 10s"
    return 1
}

make_venv() {  # make_venv DIR DAPHNE_VERSION
    log "venv $1 with daphne==$2"
    "$PY" -m venv "$1"
    "$1/bin/pip" install --quiet --disable-pip-version-check "daphne==$2" "${DEPS[@]}" >"$1.pip.log" 2>&1 \
        || { cat "$1.pip.log" >&2; return 1; }
}

# write_case NAME EXPECTED_VERDICT DESCRIPTION PRODUCED_BY  (output.log + exit_code already in $WORK/cases/NAME)
write_case() {
    local dir="$WORK/cases/$1"
    cat >"$dir/case.toml" <<EOF
tool = "daphne"
expected_verdict = "$2"
description = "$3"
produced_by = "$4"
hand_written = false
colour = false
EOF
}

mkdir -p "$WORK/app" "$WORK/cases"
cat >"$WORK/app/asgiapp.py" <<'EOF'
async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello from daphne\n"})
EOF

make_venv "$WORK/v-old" "$DAPHNE_OLD"
make_venv "$WORK/v-new" "$DAPHNE_NEW"

cd "$WORK/app"

# --- listen failure: a first daphne holds the port, a second one is started on it ----------
listen_failure_case() {  # NAME VENV VERSION VERDICT DESCRIPTION
    local name="$1" venv="$2" version="$3" verdict="$4" desc="$5"
    local dir="$WORK/cases/$name" port first first_child rc
    mkdir -p "$dir"
    port="$(free_port)"
    timeout -k 5 60 "$venv/bin/daphne" -b 127.0.0.1 -p "$port" asgiapp:application \
        >"$WORK/$name.first.log" 2>&1 &
    first=$!
    BG_PIDS+=("$first")
    wait_listen "$port"

    rc=0
    timeout -k 5 30 "$venv/bin/daphne" -b 127.0.0.1 -p "$port" asgiapp:application \
        >"$dir/output.log" 2>&1 || rc=$?
    echo "$rc" >"$dir/exit_code"

    first_child="$(child_of "$first")"
    kill -TERM "$first_child"
    wait "$first" || true
    untrack "$first"
    log "$name: exit $rc"
    write_case "$name" "$verdict" "$desc" \
        "daphne $version (pip), Twisted 26.10.0, Python $PYVER, \`daphne -b 127.0.0.1 -p PORT asgiapp:application\` while another daphne already listens on PORT"
}

listen_failure_case listen-failure-4.1 "$WORK/v-old" "$DAPHNE_OLD" false-success \
    "second daphne on a busy port logs 'CRITICAL Listen failure: ... [Errno 98] Address already in use.' and exits 0 (fixed in daphne 4.2.0)"
listen_failure_case listen-failure-4.2 "$WORK/v-new" "$DAPHNE_NEW" consistent \
    "second daphne on a busy port logs 'CRITICAL Listen failure: ... [Errno 98] Address already in use.' and exits 1 (daphne >= 4.2.0)"

# --- import error -----------------------------------------------------------------------------
name=import-error
mkdir -p "$WORK/cases/$name"
rc=0
timeout -k 5 30 "$WORK/v-old/bin/daphne" -b 127.0.0.1 -p "$(free_port)" nonexistent_module:app \
    >"$WORK/cases/$name/output.log" 2>&1 || rc=$?
echo "$rc" >"$WORK/cases/$name/exit_code"
log "$name: exit $rc"
write_case "$name" consistent \
    "application module cannot be imported: ModuleNotFoundError traceback from daphne/cli.py, exit 1" \
    "daphne $DAPHNE_OLD (pip), Python $PYVER, \`daphne -b 127.0.0.1 -p PORT nonexistent_module:app\`"

# --- healthy server, one request, stopped by SIGTERM ---------------------------------------
name=healthy-sigterm
dir="$WORK/cases/$name"
mkdir -p "$dir"
port="$(free_port)"
timeout -k 5 60 "$WORK/v-old/bin/daphne" -b 127.0.0.1 -p "$port" asgiapp:application \
    >"$dir/output.log" 2>&1 &
srv=$!
BG_PIDS+=("$srv")
wait_listen "$port"
curl -fsS "http://127.0.0.1:$port/" >/dev/null
sleep 2
kill -TERM "$(child_of "$srv")"
rc=0
wait "$srv" || rc=$?
untrack "$srv"
echo "$rc" >"$dir/exit_code"
log "$name: exit $rc"
write_case "$name" consistent \
    "healthy daphne serves one GET (access-log line), is stopped by SIGTERM, logs 'Killed 0 pending application instances', exit 0" \
    "daphne $DAPHNE_OLD (pip), Python $PYVER, \`daphne -b 127.0.0.1 -p PORT asgiapp:application\`, one curl request, SIGTERM after ~2 s"

# --- install the fresh cases -----------------------------------------------------------------
for d in "$WORK"/cases/*/; do
    name="$(basename "$d")"
    rm -rf "${HERE:?}/$name"
    cp -r "$d" "$HERE/$name"
done
log "wrote $(ls "$WORK/cases" | wc -l) cases under $HERE"
