#!/usr/bin/env bash
# Re-creates every kubectl sample case: real kubectl runs with no cluster reachable (the
# kubeconfig points nowhere, so kubectl falls back to localhost:8080 and the connection is
# refused), captured as CI would (`cmd > output.log 2>&1; echo $? > exit_code`). Client-side
# commands (`create ... --dry-run=client`) succeed without a cluster.
# Usage (from the repo root): bash sample_logs/kubectl/generate.sh
# Needs: kubectl v1.32.4 on PATH. No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir kubectl
export LC_ALL=C.UTF-8 LANG=C.UTF-8 HOME="$WORK" KUBECONFIG="$WORK/no-kubeconfig"
unset KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT || true

KVER="$(kubectl version --client -o json 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])')"
write_toml() {  # CASE VERDICT DESCRIPTION COMMAND
    {
        echo 'tool = "kubectl"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "kubectl $KVER (client only, no cluster), \`$4\`")"
        echo 'hand_written = false'
        echo 'colour = false'
    } > "$HERE/$1/case.toml"
}

cd "$WORK"
cat > configmap.yaml <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  LOG_LEVEL: error
  ON_FAILURE: retry
EOF
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  key: [unclosed\n' > broken.yaml

# ------------------------------------------------ client-side success
capture dry_run_created sh -c 'kubectl create configmap app-config --from-literal=LOG_LEVEL=error --from-literal=ON_FAILURE=retry --dry-run=client && kubectl create deployment web --image=nginx:1.27 --replicas=2 --dry-run=client'
write_toml dry_run_created consistent "client-side dry runs of a ConfigMap (with data values 'error' and 'retry') and a Deployment: 'configmap/app-config created (dry run)', 'deployment.apps/web created (dry run)', exit 0" "sh -c 'kubectl create configmap app-config ... --dry-run=client && kubectl create deployment web --image=nginx:1.27 --replicas=2 --dry-run=client'"

# ------------------------------------------------ errors
capture parse_error kubectl apply --dry-run=client -f broken.yaml
write_toml parse_error consistent "a manifest that is not valid YAML: 'error: error parsing broken.yaml: error converting YAML to JSON: ...', exit 1" "kubectl apply --dry-run=client -f broken.yaml"
capture apply_refused kubectl apply -f configmap.yaml
write_toml apply_refused consistent "kubectl apply with no cluster: 'error: error validating \"configmap.yaml\": error validating data: failed to download openapi: ... connection refused', exit 1" "kubectl apply -f configmap.yaml"
capture apply_refused_or_true sh -c 'kubectl apply -f configmap.yaml || true'
write_toml apply_refused_or_true false-success "the same apply step written '|| true': nothing was applied, the status recorded is 0" "sh -c 'kubectl apply -f configmap.yaml || true'"
capture rollout_refused kubectl rollout status deployment/web --timeout=30s
write_toml rollout_refused consistent "kubectl rollout status with no cluster: klog 'couldn't get current server API group list' lines, then 'The connection to the server localhost:8080 was refused - did you specify the right host or port?', exit 1" "kubectl rollout status deployment/web --timeout=30s"

# ------------------------------------------------ deploy script without set -e: the last command's status
cat > deploy.sh <<'EOF'
#!/bin/sh
# deploy.sh: no `set -e`, so the script's status is its last command's
kubectl create configmap app-config --from-literal=LOG_LEVEL=error --dry-run=client
kubectl apply --dry-run=client -f broken.yaml
kubectl create deployment web --image=nginx:1.27 --replicas=2 --dry-run=client
EOF
chmod +x deploy.sh
capture script_drops_status ./deploy.sh
write_toml script_drops_status false-success "a deploy script without 'set -e': the second kubectl fails ('error: error parsing broken.yaml'), the third succeeds, and the script exits with the last command's 0" "./deploy.sh (three kubectl commands, no set -e)"

# ------------------------------------------------ usage error
capture unknown_flag kubectl rollout status deployment/web --local
write_toml unknown_flag consistent "an option rollout status does not have: 'error: unknown flag: --local' (cobra) and the help hint, exit 1" "kubectl rollout status deployment/web --local"

echo "kubectl samples written to $HERE"
