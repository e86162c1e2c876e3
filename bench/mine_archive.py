"""A generated archive of CI runs for mining, with lies planted in tools the rule pack does not
cover, beside honest runs of tools it does. Used by tests/test_mine.py and bench/mine_bench.py.

    python bench/mine_archive.py DIR [--runs 300] [--size-kib 0]

Writes DIR/NNNNN.log and DIR/manifest.csv (path, exit_code, planted): ``planted`` is the lie a
run carries (``shipit``, ``dbmigrate``) or empty. Hand-made by design: the point is to know
which runs lie. ``--size-kib`` pads each log with application logging (INFO/DEBUG lines with
timestamps, ids, durations) to about that size.
"""

from __future__ import annotations

import argparse
import csv
import random
import uuid
from pathlib import Path

SERVICES = ["billing", "search", "auth", "checkout", "profile", "gateway"]


def _ts(rng: random.Random) -> str:
    return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}Z"


def _noise(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.4:
            out.append(f"{_ts(rng)} INFO worker[{rng.randint(100, 9999)}] processed batch {rng.randint(1, 10**6)} in {rng.randint(1, 900)}ms")
        elif kind < 0.7:
            out.append(f"{_ts(rng)} DEBUG cache hit key={uuid.UUID(int=rng.getrandbits(128))} size={rng.randint(1, 10**5)}")
        elif kind < 0.85:
            out.append(f"Downloading https://mirror.example.org/pkg/{rng.choice(SERVICES)}-{rng.randint(1, 9)}.{rng.randint(0, 20)}.tar.gz ({rng.randint(1, 900)} kB)")
        else:
            out.append(f"{_ts(rng)} WARNING slow request to 10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}:{rng.randint(1024, 65000)} took {rng.randint(1, 30)}.{rng.randint(0, 9)}s")
    return out


def shipit(rng: random.Random, fail: bool) -> list[str]:
    svc = rng.choice(SERVICES)
    lines = [f"shipit 4.2.{rng.randint(0, 9)} deploying service {svc} (build {rng.getrandbits(40):010x})"]
    lines += [f"shipit: uploading artifact dist/{svc}-{rng.randint(1, 400)}.whl ({rng.randint(1, 90)} MB)"]
    if rng.random() < 0.3:
        lines.append(f"shipit: registry slow, retrying in {rng.randint(1, 9)}s")
    if fail:
        lines += [
            f"shipit: ERROR could not push image sha256:{rng.getrandbits(64):016x} to registry.internal:5000 (attempt 3/3)",
            "shipit: deploy aborted, rolling back",
        ]
    else:
        lines += [f"shipit: pushed image sha256:{rng.getrandbits(64):016x}", f"shipit: deploy of {svc} complete in {rng.randint(5, 300)}s"]
    return lines


def dbmigrate(rng: random.Random, fail: bool) -> list[str]:
    n = rng.randint(1, 120)
    lines = [f"dbmigrate v1.{rng.randint(0, 5)} connecting to postgres://db-{rng.randint(1, 4)}.internal/app"]
    lines += [f"dbmigrate: applying {n:04d}_add_index_{rng.choice(SERVICES)}"]
    if fail:
        lines += [f'dbmigrate: FATAL migration {n:04d} failed: relation "{rng.choice(SERVICES)}_events" does not exist', "dbmigrate: 0 migrations applied"]
    else:
        lines += [f"dbmigrate: {rng.randint(1, 5)} migrations applied in {rng.randint(1, 60)}.{rng.randint(0, 99)}s"]
    return lines


def pytest_run(rng: random.Random, fail: bool) -> list[str]:
    lines = ["============================= test session starts ==============================",
             f"platform linux -- Python 3.11.{rng.randint(0, 9)}, pytest-8.{rng.randint(0, 3)}.0, pluggy-1.5.0",
             f"collected {rng.randint(5, 90)} items", ""]
    if fail:
        lines += ["FAILED tests/test_api.py::test_create_order - AssertionError: assert 500 == 201",
                  f"========================= 1 failed, {rng.randint(4, 80)} passed in {rng.randint(1, 9)}.{rng.randint(10, 99)}s ========================="]
    else:
        lines += [f"============================== {rng.randint(5, 90)} passed in {rng.randint(1, 9)}.{rng.randint(10, 99)}s =============================="]
    return lines


def generate(directory: Path, runs: int = 300, size_kib: int = 0, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(runs):
        tool = rng.choice([shipit, shipit, dbmigrate, pytest_run])
        r = rng.random()
        # Failing runs are common, lies rare: 60% honest success, 32% honest failure, 8% lies.
        fail, code, planted = (False, 0, "") if r < 0.60 else ((True, rng.choice([1, 1, 2]), "") if r < 0.92 else (True, 0, ""))
        if fail and code == 0 and tool is not pytest_run:
            planted = tool.__name__
        lines = _noise(rng, rng.randint(3, 12)) + tool(rng, fail) + _noise(rng, rng.randint(2, 8))
        text = "\n".join(lines) + "\n"
        while size_kib and len(text) < size_kib * 1024:
            text += "\n".join(_noise(rng, 50)) + "\n"
        name = f"{i:05d}.log"
        (directory / name).write_text(text, encoding="utf-8")
        rows.append({"path": name, "exit_code": str(code), "planted": planted, "tool": tool.__name__})
    with open(directory / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["path", "exit_code", "planted"], extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("directory", type=Path)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--size-kib", type=int, default=0)
    a = ap.parse_args()
    rows = generate(a.directory, a.runs, a.size_kib)
    print(f"{len(rows)} runs, {sum(bool(r['planted']) for r in rows)} planted lies, in {a.directory}")


if __name__ == "__main__":
    main()
