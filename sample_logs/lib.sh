# Helpers the sample generators share; a generate.sh sources it after setting HERE:
#
#   . "$HERE/../lib.sh"
#
# Sourcing it defines functions and an empty BG_PIDS, and runs nothing. CI never runs the generators.

# scratch_dir NAME: WORK becomes ${TMPDIR:-/tmp}/exitaudit-samples/NAME, emptied now and removed
# on exit. A fixed path, not mktemp's, keeps the paths the tools print stable between
# regenerations, so that a regenerated log differs from the committed one only where the tool's
# output does.
scratch_dir() {
    WORK="${TMPDIR:-/tmp}/exitaudit-samples/$1"
    rm -rf "$WORK"
    mkdir -p "$WORK"
    trap 'rm -rf "$WORK"; rmdir "$(dirname "$WORK")" 2>/dev/null || true' EXIT
}

# capture CASE CMD...: run CMD in the current directory as CI would (no terminal, nothing on
# standard input, at most CAPTURE_TIMEOUT seconds, default 60), its output both streams in one
# file, $HERE/CASE/output.log, and its exit status in $HERE/CASE/exit_code.
capture() {
    local case_dir="$HERE/$1"; shift
    mkdir -p "$case_dir"
    set +e
    timeout "${CAPTURE_TIMEOUT:-60}" "$@" > "$case_dir/output.log" 2>&1 < /dev/null
    echo $? > "$case_dir/exit_code"
    set -e
}

# Servers run in the background under `timeout`; BG_PIDS holds the pids of those `timeout`s
# still running (removed by untrack once waited for, so that a recycled pid is never signalled).
BG_PIDS=()

# stop_servers SIGNAL: send SIGNAL to the server each tracked `timeout` started (an early exit
# leaves them running; `timeout -k` bounds them in any case).
stop_servers() {
    local p c
    for p in "${BG_PIDS[@]}"; do
        for c in $(pgrep -P "$p" 2>/dev/null || true); do kill "-$1" "$c" 2>/dev/null || true; done
    done
}

# untrack PID: forget a `timeout` pid that has been waited for.
untrack() {
    local p keep=()
    for p in "${BG_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    BG_PIDS=("${keep[@]}")
}

# child_of PID: the process `timeout` PID started (so that signals go to the server itself).
child_of() {
    local i c
    for i in $(seq 1 50); do
        c="$(pgrep -P "$1" | head -n1 || true)"
        if [ -n "$c" ]; then echo "$c"; return 0; fi
        sleep 0.1
    done
    return 1
}

# free_port: a TCP port on 127.0.0.1 nothing listens on now.
free_port() {
    "${PY:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# toml_str TEXT: TEXT as a TOML basic string (JSON's string escapes are TOML's), for case.toml.
toml_str() { python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

# clear_cases: remove the cases this generator owns, every folder beside it holding a case.toml
# (a folder of anything else is left alone).
clear_cases() {
    local d
    for d in "$HERE"/*/; do
        if [[ -f "$d/case.toml" ]]; then rm -rf "$d"; fi
    done
}

# npm_env: npm's cache, logs and user config in $WORK (an empty npmrc), no update notices, funding
# or audit messages, no colour, the C locale, and CI=true, as on a CI runner.
npm_env() {
    export LC_ALL=C LANG=C
    : > "$WORK/npmrc"
    export npm_config_userconfig="$WORK/npmrc" npm_config_cache="$WORK/cache"
    export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
    export NO_UPDATE_NOTIFIER=1 NO_COLOR=1 CI=true
}
