#!/usr/bin/env bash
# Re-creates every docker sample case.
# Usage (from the repo root): bash sample_logs/docker/generate.sh
#
# Two kinds of case:
# - Runs of the real docker CLI (Docker 28.2.2 client, static binary from download.docker.com)
#   with no daemon reachable: the client's own errors, captured as CI would.
# - Real build logs that public projects committed (BuildKit, legacy builder, compose), since no
#   Docker daemon runs here. Each is downloaded from its pinned commit and checked against the
#   sha256 recorded below; the bytes are never edited. Such a log does not record the status its
#   run exited with: the honest case gets the status docker exits with for what the log shows (1
#   for a failed build, 0 for a built image), and the lying case is the same honest log with exit
#   0, the only thing that differs when `| tee` or `|| true` masks the status.
# Needs: docker (client only), curl, sha256sum. Where raw.githubusercontent.com is unreachable, put
# on PATH a `curl` that serves the same commit from a local clone: the sha256 checks still apply.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir docker
export LC_ALL=C.UTF-8 LANG=C.UTF-8
DOCKER_VERSION="$(docker version --format '{{.Client.Version}}' 2>/dev/null || true)"


# write_toml CASE VERDICT DESCRIPTION PRODUCED_BY [SOURCE] [EXTRA_TOML_LINE]
write_toml() {
    {
        echo 'tool = "docker"'
        [ -z "${6:-}" ] || echo "$6"
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$4")"
        [ -z "${5:-}" ] || echo "source = $(toml_str "$5")"
        echo 'hand_written = false'
        if grep -q $'\x1b\[' "$HERE/$1/output.log"; then echo 'colour = true'; else echo 'colour = false'; fi
    } > "$HERE/$1/case.toml"
}

# public_log CASE REPO COMMIT PATH SHA256 EXIT: the committed log, byte for byte.
public_log() {
    local dir="$HERE/$1"
    mkdir -p "$dir"
    curl -fsSL "https://raw.githubusercontent.com/$2/$3/$4" -o "$WORK/log"
    echo "$5  $WORK/log" | sha256sum -c --quiet -
    cp "$WORK/log" "$dir/output.log"
    echo "$6" > "$dir/exit_code"
}

# ------------------------------------------------ real docker CLI runs, no daemon
cd "$WORK"
printf 'FROM alpine:3.20\nRUN apk add --no-cache curl\n' > Dockerfile
capture daemon_unreachable docker build -t app:ci .
write_toml daemon_unreachable consistent \
  "docker build with no daemon: the client prints its legacy-builder notice and 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' and exits 1" \
  "Docker $DOCKER_VERSION client (no buildx plugin), \`docker build -t app:ci .\` with no daemon"
capture daemon_unreachable_or_true sh -c 'docker build -t app:ci . || true'
write_toml daemon_unreachable_or_true false-success \
  "the same build step written 'docker build -t app:ci . || true': nothing was built, the status recorded is 0" \
  "Docker $DOCKER_VERSION client (no buildx plugin), \`sh -c 'docker build -t app:ci . || true'\` with no daemon"

# ------------------------------------------------ committed logs
C=bencan1a/canvasCheckerBot; K=97f084457cabed4fbf34df476989e2152eb96e84; F=docker-build-error.log
public_log buildkit_run_failure "$C" "$K" "$F" 3eb339456cf4b4829e8d98c0ad38dfefdf018ac7d7f03856c6f36e0098439f6b 1
write_toml buildkit_run_failure consistent \
  "BuildKit (plain progress): 'RUN npm run build' fails with tsc errors, '#13 ERROR: process ... exit code: 2' and 'ERROR: failed to build: failed to solve: ...'; exit_code 1 is what docker build exits with after a failed solve" \
  "docker buildx (BuildKit, docker driver, --progress=plain), run by the project; log committed as $F" "https://github.com/$C/blob/$K/$F"
public_log buildkit_run_failure_tee "$C" "$K" "$F" 3eb339456cf4b4829e8d98c0ad38dfefdf018ac7d7f03856c6f36e0098439f6b 0
write_toml buildkit_run_failure_tee false-success \
  "the same real BuildKit failure log audited with exit 0: what CI records for 'docker build --progress=plain . 2>&1 | tee docker-build-error.log' without pipefail (the exit status is the only thing that differs)" \
  "docker buildx (BuildKit, docker driver, --progress=plain), run by the project; log committed as $F; exit 0 stands for the masked status" "https://github.com/$C/blob/$K/$F"

C=purepeepal/A-NEURO-SYMBOLIC-COGNITIVE-NAVIGATION-SYSTEM-FOR-PRECISION-ANDRAGOGY; K=afac7156c60ccb9152885916e9d423676ef23da4; F=docker-build-error.log
public_log desktop_prerender_failure "$C" "$K" "$F" 162d2bfe9ffe4c701d764fe7e643b4ec9958627d6375109da3f559936bbe6c6f 1
write_toml desktop_prerender_failure consistent \
  "BuildKit on Docker Desktop ('desktop-linux' instance, CRLF line ends, mis-decoded UTF-8): 'next build' fails prerendering a page, 'ERROR: failed to build: failed to solve: ...'; exit 1" \
  "docker buildx (BuildKit, Docker Desktop), run by the project; log committed as $F" "https://github.com/$C/blob/$K/$F"
public_log desktop_prerender_failure_or_true "$C" "$K" "$F" 162d2bfe9ffe4c701d764fe7e643b4ec9958627d6375109da3f559936bbe6c6f 0
write_toml desktop_prerender_failure_or_true false-success \
  "the same real Docker Desktop failure log audited with exit 0, as 'docker build . > docker-build-error.log 2>&1 || true' records it" \
  "docker buildx (BuildKit, Docker Desktop), run by the project; log committed as $F; exit 0 stands for the masked status" "https://github.com/$C/blob/$K/$F"

C=Verilean/xeus-lean; K=7d1ad1be9a42f215e416261e4ec699807b92b5cd; F=docker-build.log
public_log buildkit_success "$C" "$K" "$F" 81f69011fd2032b40255d41b9810b560265a9d737e94efcdb78db85971dd91c5 0
write_toml buildkit_success consistent \
  "BuildKit (plain progress) multi-stage build that succeeds: apt, pixi and a long WASM build full of 'liberror-perl', warnings and test words, ending in '#25 naming to docker.io/library/xeus-lean-wasm ... done'; exit 0" \
  "docker buildx (BuildKit, docker driver, --progress=plain), run by the project; log committed as $F" "https://github.com/$C/blob/$K/$F"

C=DenAV/docker-phpfpm-nginx; K=bdfa80e62864fd35bad4d2ce125d4d6527ea97e4; F=docker_build.log
public_log legacy_success_with_pytest "$C" "$K" "$F" b1f68d59d48ee208b8ec00119aa8f88ecfb4056bb88520b46d334a4128a56fd2 0
write_toml legacy_success_with_pytest consistent \
  "legacy builder (Step N/27, CRLF, red pip warnings in ANSI colour): the last step runs pytest inside the image ('2 passed'), then 'Successfully built 5df1b5e69da3'; exit 0" \
  "docker build, legacy builder (DOCKER_BUILDKIT=0), run by the project; log committed as $F" "https://github.com/$C/blob/$K/$F" 'also = ["pytest"]'

C=Milimas/inception; K=743a261fd5f5e75647e9a7911f262d9dd82dcf3a; F=docker-build.log
public_log compose_volume_error "$C" "$K" "$F" 05a5487223cf1a865c9dd23224da0e8bac18d195f73843daa936c4314787bed1 1
write_toml compose_volume_error consistent \
  "docker compose v2 up: the network is created, then 'Error response from daemon: failed to mount local volume: ...'; compose exits 1" \
  "docker compose v2, run by the project; log committed as $F" "https://github.com/$C/blob/$K/$F"

echo "docker samples written to $HERE"
