#!/usr/bin/env bash
# Regenerate every sample log by running the real tools at their pinned versions, then rebuild
# the manifest. Needs network access to PyPI (and npm for npm samples); takes several minutes.
# CI never runs this: the logs are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
for script in sample_logs/*/generate.sh; do
    echo "== $script" >&2
    bash "$script"
done
python3 sample_logs/build_manifest.py
