#!/usr/bin/env bash
# Re-creates every helm sample case. helm is not installed here and cannot be built (the Go
# toolchain is 1.19, helm 3.18+ needs 1.24) nor run against a cluster, so every case is a real
# helm log that a public project committed, downloaded from its pinned commit and checked against
# the sha256 recorded below; the bytes are never edited. Such a log does not record its run's exit
# status: the honest case gets the status helm exits with for what the log shows (1 after an
# `Error:`, 0 otherwise), and the lying case is the same honest log with exit 0, the only thing
# that differs when `| tee` or `|| true` masks the status.
# Usage (from the repo root): bash sample_logs/helm/generate.sh
# Needs: curl, sha256sum. Where raw.githubusercontent.com is unreachable, put on PATH a `curl`
# that serves the same commit from a local clone: the sha256 checks still apply.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir helm

public_log() {  # CASE REPO COMMIT PATH SHA256 EXIT
    local dir="$HERE/$1"
    mkdir -p "$dir"
    curl -fsSL "https://raw.githubusercontent.com/$2/$3/$4" -o "$WORK/log"
    echo "$5  $WORK/log" | sha256sum -c --quiet -
    cp "$WORK/log" "$dir/output.log"
    echo "$6" > "$dir/exit_code"
}
public_toml() {  # CASE VERDICT DESCRIPTION PRODUCED_BY SOURCE
    {
        echo 'tool = "helm"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "$4")"
        echo "source = $(toml_str "$5")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

C=nifesimii/Databrikcs-Airflow-Kuberntes_Project-; K=659fe5c7467ce193283853bdfaffdbbee3d08a82; F=helm-install.log
public_log post_install_timeout "$C" "$K" "$F" f8d28f1fa073a35716715f6f8f5f23ec4bfb56114eed88ff30b9a42e668cce5d 1
public_toml post_install_timeout consistent \
  "helm install of Airflow: a deprecation warning in Helm 4's 'level=WARN msg=...' form, then 'Error: INSTALLATION FAILED: failed post-install: resource not ready, name: airflow-run-airflow-migrations, kind: Job' and 'context deadline exceeded'; exit 1" \
  "helm 4 (slog output), run by the project; log committed as $F" "https://github.com/$C/blob/$K/$F"
public_log post_install_timeout_or_true "$C" "$K" "$F" f8d28f1fa073a35716715f6f8f5f23ec4bfb56114eed88ff30b9a42e668cce5d 0
public_toml post_install_timeout_or_true false-success \
  "the same real failure log audited with exit 0, as 'helm install ... 2> helm-install.log || true' records it (the exit status is the only thing that differs)" \
  "helm 4 (slog output), run by the project; log committed as $F; exit 0 stands for the masked status" "https://github.com/$C/blob/$K/$F"

C=huamichaelchen/rabbitmq-automation; K=6c6f3ec5b8d5d0d5e28ca75b3244e3d29b428f50; F=helm-install.log
public_log helm2_install_deployed "$C" "$K" "$F" 2bca6d00d4a6a68533646f764e9a778f7ad67af96774fa989a1f129fe917faca 0
public_toml helm2_install_deployed consistent \
  "Helm 2 install of stable/rabbitmq-ha: 'STATUS: DEPLOYED', the resources (pods 'Terminating' from an earlier release) and the chart's NOTES; exit 0" \
  "helm 2 (Tiller), run by the project; log committed as $F" "https://github.com/$C/blob/$K/$F"

C=topicfun/api-gw; K=414165cf10c983e7ecc74f2af579ecd9adfbf5b3; F=helm-install.log
public_log helm3_debug_wait_succeeded "$C" "$K" "$F" 3c14f1172d521c65e3e9aff87eebc04dce23bde3b1a98688d8075d0d22433b66 0
public_toml helm3_debug_wait_succeeded consistent \
  "Helm 3 install --wait --debug, standard error only: '[debug] Deployment is not ready: ...' while waiting, then 'wait for resources succeeded within 2s'; exit 0" \
  "helm 3 (--debug), run by the project on Windows; standard error committed as $F" "https://github.com/$C/blob/$K/$F"

echo "helm samples written to $HERE"
