#!/usr/bin/env bash
# Re-creates every Python sample case from scratch.
# Run from the repo root:  bash sample_logs/python/generate.sh
# Needs: python3 (standard library only: a throwaway venv is made so nothing from site-packages leaks in). No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir python
cd "$WORK"

export LC_ALL=C.UTF-8 LANG=C.UTF-8
python3 -m venv "$WORK/venv"
PY="$WORK/venv/bin/python"
PY_VERSION="$("$PY" --version 2>&1)"
# CI images commonly set this; it keeps stdout and stderr in the order they were written.
export PYTHONUNBUFFERED=1


write_toml() {
    cat > "$HERE/$1/case.toml" <<EOF
tool = "python"
expected_verdict = "$2"
description = "$3"
produced_by = "$PY_VERSION (venv), PYTHONUNBUFFERED=1, \`$4\`"
hand_written = false
colour = false
EOF
}

# ------------------------------------------------ thread-exception
cat > upload.py <<'EOF'
import threading


def upload(batch):
    print(f"uploading batch {batch}")
    if batch == 2:
        raise ConnectionError(f"upload of batch {batch} failed: connection reset by peer")
    print(f"batch {batch} uploaded")


def main():
    for batch in (1, 2, 3):
        worker = threading.Thread(target=upload, args=(batch,), name=f"uploader-{batch}")
        worker.start()
        worker.join()
    print("all upload workers finished")


if __name__ == "__main__":
    main()
EOF
capture thread-exception "$PY" upload.py
write_toml thread-exception false-success \
  "a threading.Thread target raises; Python prints 'Exception in thread uploader-2:' and a Traceback ending 'ConnectionError', the main thread carries on and exits 0" \
  "python upload.py"

# ------------------------------------------------ futures-exception
cat > mirror.py <<'EOF'
import logging
import sys
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("mirror")


def fetch(name):
    if name == "libfoo":
        raise TimeoutError(f"timed out fetching {name} after 30s")
    return f"{name}-1.0.tar.gz"


def main():
    logging.basicConfig(level=logging.INFO)
    names = ["libbar", "libfoo", "libbaz"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(fetch, name) for name in names}
    mirrored = 0
    for name, future in futures.items():
        try:
            log.info("mirrored %s", future.result())
            mirrored += 1
        except Exception:
            log.exception("mirroring %s failed", name)
    log.info("mirrored %d of %d packages", mirrored, len(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
EOF
capture futures-exception "$PY" mirror.py
write_toml futures-exception false-success \
  "a concurrent.futures job raises; the script logs it with logging.exception ('ERROR:mirror:mirroring libfoo failed' + Traceback ending 'TimeoutError'), reports 2 of 3 mirrored and exits 0" \
  "python mirror.py"

# ------------------------------------------------ logged-abort
cat > migrate.py <<'EOF'
import logging
import sys

log = logging.getLogger("migrate")

MIGRATIONS = ["0001_initial", "0002_add_email", "0003_backfill_email"]


def apply(name):
    if name == "0003_backfill_email":
        raise ValueError("column 'email' contains 12 NULL values; cannot add NOT NULL constraint")
    log.info("applied %s", name)


def main():
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        for name in MIGRATIONS:
            apply(name)
    except Exception:
        log.exception("migration failed, aborting")
        return
    log.info("all migrations applied")


if __name__ == "__main__":
    sys.exit(main())
EOF
capture logged-abort "$PY" migrate.py
write_toml logged-abort false-success \
  "logging.exception('migration failed, aborting') with a Traceback ending 'ValueError'; the error path returns None so sys.exit(main()) exits 0" \
  "python migrate.py"

# ------------------------------------------------ uncaught-exception
cat > report.py <<'EOF'
import json


def load(path):
    with open(path) as fh:
        return json.load(fh)


def main():
    print("building coverage report")
    data = load("coverage.json")
    print(f"total: {data['totals']['percent_covered']:.1f}%")


if __name__ == "__main__":
    main()
EOF
capture uncaught-exception "$PY" report.py
write_toml uncaught-exception consistent \
  "uncaught FileNotFoundError in the main thread; Python prints the Traceback and exits 1" \
  "python report.py"

# ------------------------------------------------ handled-warning
cat > warm_cache.py <<'EOF'
import json
import logging
import sys

log = logging.getLogger("cache")


def read_cache(path):
    with open(path) as fh:
        return json.load(fh)


def main():
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        entries = read_cache("cache/index.json")
    except FileNotFoundError:
        log.warning("no usable cache, rebuilding from scratch", exc_info=True)
        entries = {f"page-{i}": i for i in range(3)}
    log.info("cache ready with %d entries", len(entries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
EOF
capture handled-warning "$PY" warm_cache.py
write_toml handled-warning consistent \
  "FALSE-ALARM TRAP: a handled FileNotFoundError is logged at WARNING with exc_info, so a full Traceback appears, but the script recovers, logs 'cache ready' and exits 0 correctly" \
  "python warm_cache.py"

echo "python samples written to $HERE"
