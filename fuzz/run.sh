#!/bin/sh
# Coverage-guided fuzzing of exitaudit with atheris, each target for a bounded time.
#   fuzz/run.sh [SECONDS]      (default 60 per target; needs `pip install atheris`)
# Crashes are written to fuzz/artifacts/; the corpora grow in fuzz/corpus/<target>/.
set -eu
cd "$(dirname "$0")"
SECONDS_PER_TARGET=${1:-60}
PY=${PYTHON:-python}
mkdir -p artifacts
status=0
for target in fuzz_readers fuzz_rules fuzz_conditions; do
    mkdir -p "corpus/$target"
    echo "== $target: $SECONDS_PER_TARGET s"
    "$PY" "$target.py" "corpus/$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=20 \
        -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="artifacts/$target-" \
        -print_final_stats=1 || status=$?
done
exit $status
