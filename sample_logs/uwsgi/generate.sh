#!/usr/bin/env bash
# Re-creates every uWSGI sample case from scratch by running the real server.
#
#   bash sample_logs/uwsgi/generate.sh        (from the repo root)
#
# Needs: python3 (3.11 used for the committed logs), gcc + Python headers (pip builds
# uWSGI from source, ~1 min per version), pip access to PyPI, curl.
# Everything runs in a throwaway temp dir with throwaway venvs; servers bind
# 127.0.0.1 on a free high port and every run is bounded by `timeout`.
#
# Cases (uWSGI 2.0.25.1 = newest release with the need-app/lazy-apps exit-code race,
# uwsgi#1397 / #2640; 2.0.26 removed the worker's kill(master, SIGINT) that caused it)
#   need-app-import-error/           --master --need-app, app import error: GAME OVER, exit 22
#   need-app-lazy-apps-race-exit0/   --master --lazy-apps --need-app, same error, race lost: exit 0 (bug)
#   need-app-lazy-apps-race-exit22/  same command, race won: exit 22
#   need-app-lazy-apps-fixed/        same command on uWSGI 2.0.28: exit 22
#   healthy-sigint/                  valid app, one request, SIGINT: goodbye to uWSGI, exit 0
#   healthy-sigterm-reload/          valid app, SIGTERM (= brutal reload in uWSGI 2.0), then SIGINT: exit 0
#   no-need-app-dynamic-mode-sigint/ app import error without --need-app: full dynamic mode, 500, SIGINT, exit 0
#
# The race case is caught by running the command up to RACE_TRIES (50) times. If no run
# exits 0, the committed need-app-lazy-apps-race-exit0/ is left as it is and a warning is
# printed. No colour case: uWSGI never emits ANSI colours.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
PY="${PYTHON:-python3}"

UWSGI_RACE="2.0.25.1"
UWSGI_FIXED="2.0.28"
RACE_TRIES="${RACE_TRIES:-50}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/exitaudit-uwsgi.XXXXXX")"
# On an early exit, servers still running (BG_PIDS, lib.sh) get SIGINT.
cleanup() {
    stop_servers INT
    rm -rf "$WORK"
}
trap cleanup EXIT

PYVER="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"

log() { printf '[uwsgi/generate] %s\n' "$*" >&2; }

# wait_http URL: bounded wait until the URL answers (any HTTP status)
wait_http() {
    local i
    for i in $(seq 1 100); do
        if curl -s -o /dev/null "$1"; then return 0; fi
        sleep 0.1
    done
    log "no answer from $1 after 10s"
    return 1
}

# wait_log FILE TEXT COUNT: bounded wait until TEXT appears COUNT times in FILE
wait_log() {
    local i n
    for i in $(seq 1 200); do
        n="$(grep -cF -- "$2" "$1" || true)"
        if [ "$n" -ge "$3" ]; then return 0; fi
        sleep 0.1
    done
    log "'$2' did not appear $3 time(s) in $1 after 20s"
    return 1
}

make_venv() {  # make_venv DIR UWSGI_VERSION
    log "venv $1 with uwsgi==$2 (compiles, takes about a minute)"
    "$PY" -m venv "$1"
    "$1/bin/pip" install --quiet --disable-pip-version-check "uwsgi==$2" >"$1.pip.log" 2>&1 \
        || { cat "$1.pip.log" >&2; return 1; }
}

# write_case NAME EXPECTED_VERDICT DESCRIPTION PRODUCED_BY  (output.log + exit_code already in $WORK/cases/NAME)
write_case() {
    cat >"$WORK/cases/$1/case.toml" <<EOF
tool = "uwsgi"
expected_verdict = "$2"
description = "$3"
produced_by = "$4"
hand_written = false
colour = false
EOF
}

# run_once CASE_DIR UWSGI_ARGS...: foreground run, captured as CI would
run_once() {
    local dir="$1" rc=0
    shift
    mkdir -p "$dir"
    timeout -k 10 60 "$@" >"$dir/output.log" 2>&1 || rc=$?
    echo "$rc" >"$dir/exit_code"
    return 0
}

mkdir -p "$WORK/app" "$WORK/cases"
cat >"$WORK/app/wsgi_app.py" <<'EOF'
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello from uwsgi\n"]
EOF
cat >"$WORK/app/broken_app.py" <<'EOF'
import nonexistent_dependency  # noqa: F401  (deliberately missing)


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"never served\n"]
EOF

make_venv "$WORK/v-race" "$UWSGI_RACE"
make_venv "$WORK/v-fixed" "$UWSGI_FIXED"
U_RACE="$WORK/v-race/bin/uwsgi"
U_FIXED="$WORK/v-fixed/bin/uwsgi"

cd "$WORK/app"

# --- need-app without lazy-apps: the master loads the app, fails, exits 22 -----------------
name=need-app-import-error
run_once "$WORK/cases/$name" "$U_RACE" --master --need-app --http "127.0.0.1:$(free_port)" --module broken_app:application
log "$name: exit $(cat "$WORK/cases/$name/exit_code")"
write_case "$name" consistent \
    "--need-app, app import error: 'unable to load app 0' then '*** no app loaded. GAME OVER ***', exit 22" \
    "uWSGI $UWSGI_RACE (pip), Python $PYVER, \`uwsgi --master --need-app --http 127.0.0.1:PORT --module broken_app:application\`"

# --- need-app + lazy-apps on the racy version: collect one exit-0 and one exit-22 run --------
RACE_CMD_DESC="uwsgi --master --lazy-apps --need-app --http 127.0.0.1:PORT --module broken_app:application"
got0=""; got22=""; tries=0
while [ "$tries" -lt "$RACE_TRIES" ] && { [ -z "$got0" ] || [ -z "$got22" ]; }; do
    tries=$((tries + 1))
    run_once "$WORK/race" "$U_RACE" --master --lazy-apps --need-app --http "127.0.0.1:$(free_port)" --module broken_app:application
    rc="$(cat "$WORK/race/exit_code")"
    if [ "$rc" = 0 ] && [ -z "$got0" ]; then
        got0="$tries"; mv "$WORK/race" "$WORK/cases/need-app-lazy-apps-race-exit0"
    elif [ "$rc" = 22 ] && [ -z "$got22" ]; then
        got22="$tries"; mv "$WORK/race" "$WORK/cases/need-app-lazy-apps-race-exit22"
    else
        rm -rf "$WORK/race"
    fi
done
log "race: $tries run(s); first exit 0 at run ${got0:-never}, first exit 22 at run ${got22:-never}"
if [ -n "$got0" ]; then
    write_case need-app-lazy-apps-race-exit0 false-success \
        "--need-app --lazy-apps, app import error: worker logs '*** no app loaded. GAME OVER ***', then the worker's SIGINT to the master wins the race, master shuts down gracefully ('goodbye to uWSGI.') and exits 0 (uwsgi#1397, #2640; fixed in 2.0.26)" \
        "uWSGI $UWSGI_RACE (pip), Python $PYVER, \`$RACE_CMD_DESC\` (exit 0 on run $got0 of a retry loop)"
else
    log "WARNING: the exit-0 race did not reproduce in $RACE_TRIES runs; keeping the committed need-app-lazy-apps-race-exit0/"
fi
if [ -n "$got22" ]; then
    write_case need-app-lazy-apps-race-exit22 consistent \
        "--need-app --lazy-apps, app import error: GAME OVER, master sees 'OOPS ! failed loading app in worker 1' and 'need-app requested, destroying the instance...', exit 22" \
        "uWSGI $UWSGI_RACE (pip), Python $PYVER, \`$RACE_CMD_DESC\` (exit 22 on run $got22 of a retry loop)"
else
    log "WARNING: no exit-22 run in $RACE_TRIES runs; keeping the committed need-app-lazy-apps-race-exit22/"
fi

# --- same command on the fixed version ------------------------------------------------------
name=need-app-lazy-apps-fixed
run_once "$WORK/cases/$name" "$U_FIXED" --master --lazy-apps --need-app --http "127.0.0.1:$(free_port)" --module broken_app:application
log "$name: exit $(cat "$WORK/cases/$name/exit_code")"
write_case "$name" consistent \
    "--need-app --lazy-apps on a fixed uWSGI: GAME OVER, 'OOPS ! failed loading app in worker 1', 'need-app requested, destroying the instance...', exit 22" \
    "uWSGI $UWSGI_FIXED (pip), Python $PYVER, \`$RACE_CMD_DESC\`"

# --- background servers stopped by signals --------------------------------------------------
# start_bg CASE_DIR PORT APP [EXTRA ARGS...]: sets SRV (the timeout pid) and MASTER (uWSGI master pid)
start_bg() {
    local dir="$1" port="$2" app="$3"
    shift 3
    mkdir -p "$dir"
    timeout -k 10 60 "$U_RACE" --master --http "127.0.0.1:$port" --module "$app" "$@" >"$dir/output.log" 2>&1 &
    SRV=$!
    BG_PIDS+=("$SRV")
    MASTER="$(child_of "$SRV")"
}
finish_bg() {  # finish_bg CASE_DIR: wait for the server and record its exit code
    local rc=0
    wait "$SRV" || rc=$?
    untrack "$SRV"
    echo "$rc" >"$1/exit_code"
}

name=healthy-sigint
dir="$WORK/cases/$name"; port="$(free_port)"
start_bg "$dir" "$port" wsgi_app:application
wait_http "http://127.0.0.1:$port/"   # the first answered probe is the one logged request
sleep 2
kill -INT "$MASTER"
finish_bg "$dir"
log "$name: exit $(cat "$dir/exit_code")"
write_case "$name" consistent \
    "healthy uWSGI serves one GET, stopped by SIGINT: 'SIGINT/SIGTERM received...killing workers...', 'goodbye to uWSGI.', exit 0" \
    "uWSGI $UWSGI_RACE (pip), Python $PYVER, \`uwsgi --master --http 127.0.0.1:PORT --module wsgi_app:application\`, one curl request, SIGINT after ~2 s"

name=healthy-sigterm-reload
dir="$WORK/cases/$name"; port="$(free_port)"
start_bg "$dir" "$port" wsgi_app:application
wait_http "http://127.0.0.1:$port/"   # the first answered probe is the one logged request
sleep 1
kill -TERM "$MASTER"     # uWSGI 2.0 without --die-on-term: SIGTERM = brutal reload
wait_log "$dir/output.log" "*** Starting uWSGI" 2
wait_log "$dir/output.log" "spawned uWSGI http 1" 2
wait_http "http://127.0.0.1:$port/"   # one request served after the reload
sleep 1
kill -INT "$MASTER"
finish_bg "$dir"
log "$name: exit $(cat "$dir/exit_code")"
write_case "$name" consistent \
    "healthy uWSGI serves one GET, gets SIGTERM, which uWSGI 2.0 treats as a brutal reload ('...brutally killing workers...', 'binary reloading uWSGI...', a second '*** Starting uWSGI'), serves one more GET, then SIGINT: 'goodbye to uWSGI.', exit 0" \
    "uWSGI $UWSGI_RACE (pip), Python $PYVER, \`uwsgi --master --http 127.0.0.1:PORT --module wsgi_app:application\`, SIGTERM, then SIGINT after the reload"

name=no-need-app-dynamic-mode-sigint
dir="$WORK/cases/$name"; port="$(free_port)"
start_bg "$dir" "$port" broken_app:application
wait_http "http://127.0.0.1:$port/"   # the one logged request, answered with 500
sleep 2
kill -INT "$MASTER"
finish_bg "$dir"
log "$name: exit $(cat "$dir/exit_code")"
write_case "$name" consistent \
    "app import error WITHOUT --need-app: 'unable to load app 0', '*** no app loaded. going in full dynamic mode ***', one request gets 500 ('no python application found'), stopped by SIGINT, exit 0 (the run did what was asked: serve until stopped)" \
    "uWSGI $UWSGI_RACE (pip), Python $PYVER, \`uwsgi --master --http 127.0.0.1:PORT --module broken_app:application\`, one curl request, SIGINT after ~2 s"

# --- install the fresh cases -----------------------------------------------------------------
for d in "$WORK"/cases/*/; do
    name="$(basename "$d")"
    rm -rf "${HERE:?}/$name"
    cp -r "$d" "$HERE/$name"
done
log "wrote $(ls "$WORK/cases" | wc -l) cases under $HERE"
