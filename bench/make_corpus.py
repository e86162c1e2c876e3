#!/usr/bin/env python3
"""Generate the benchmark's CI logs, dense as real CI output, with known mismatches planted.

A log is a CI job: a run of whole documents, nothing filtered out, inside a platform's envelope.

Documents:

* every sample log of ``sample_logs/`` (``manifest.csv``), whole, as the real tool wrote it:
  the honest ones of exit 0 make the bulk of a job that exited 0; a lying one (expected verdict
  a mismatch) is a plant;
* a verbose pytest session (``pytest -v``: one ``PASSED`` line per test, percent column, the
  summary), in pytest 8.3.5's layout, with test ids and durations varied;
* application logging at every level (``2024-05-01 10:00:03,515 INFO app.worker: ...``):
  INFO and DEBUG mostly, WARNING now and then, and now and then a WARNING with ``exc_info``
  followed by its traceback (the layout of ``sample_logs/python/handled-warning``).

Envelopes (every line of the job): GitHub Actions (``2024-05-01T10:00:03.5154170Z ``), the
GitLab runner's timestamps (``2024-06-11T12:34:56.789012Z 00O ``), Jenkins' Timestamper
(``[2024-05-01T10:00:03.515Z] ``) and plain. The CI platforms' own sample logs (GitHub
Actions, GitLab CI, Jenkins, CircleCI) are whole jobs already: they go in unchanged, plain.

Modes:

    python bench/make_corpus.py dense   bench/corpus/dense-github.log --size 1G --envelope github
    python bench/make_corpus.py many    bench/corpus/many/ --count 10000 --size 100K
    python bench/make_corpus.py match   bench/corpus/match.log --size 64M    # every line a counted hit
    python bench/make_corpus.py nomatch bench/corpus/nomatch.log --size 64M  # the same size, no hit
    python bench/make_corpus.py sparse  bench/corpus/sparse.log --size 1G    # the old corpus

A dense log exits 0 and carries 5 planted lying samples that exited 0, the last at its end; their
places are written beside it (``LOG.plants``: first and last line, sample). A lie in the middle
of a job may stop being one: a later honest run of the same tool replaces a signal whose value
is its last line, and some lies (a traceback as the last thing in the log) are lies only at the
end. The benchmark says which plants were found.

Of the many logs, one in a hundred ends with a lying sample, the others with an honest one; each
exits with its sample's code (``LOG.exit``); ``FOLDER.samples`` says which sample ends which.
``sparse`` is the benchmark's first corpus, kept as one row: lines no rule matches, and the
evidence of a false success planted 5 times.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_logs"
PLATFORMS = {"github-actions", "gitlab-ci", "jenkins", "circleci"}
"""Sample logs that are whole CI jobs, envelope included."""
LIES = {"false-success", "wrong-code", "false-failure"}
"""Expected verdicts of a lying sample (exit status and log disagree); the rest are honest."""
ENVELOPES = ("github", "gitlab", "jenkins", "plain")
_GITHUB_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z ")


@dataclass(frozen=True)
class Document:
    name: str
    lines: tuple[str, ...]
    exit_code: int
    lying: bool
    platform: bool


def samples() -> list[Document]:
    """Every sample log of the manifest, whole (decoded with surrogateescape: bytes kept)."""
    docs = []
    with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            raw = (SAMPLES / row["path"]).read_bytes().decode("utf-8", "surrogateescape")
            lines = raw.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            docs.append(Document(
                row["path"], tuple(lines), int(row["exit_code"]),
                row["expected_verdict"] in LIES, row["tool"] in PLATFORMS,
            ))
    return docs


# --------------------------------------------------------------------------------------------
# Documents written in the tools' layouts

_MODULES = ["api", "auth", "billing", "cache", "cli", "db", "export", "jobs", "models", "search", "storage", "views"]
_VERBS = ["creates", "rejects", "handles", "returns", "parses", "retries", "updates", "lists", "deletes", "renders"]
_NOUNS = ["user", "token", "invoice", "empty_payload", "unicode_name", "large_file", "timeout", "duplicate", "page", "csv"]


def pytest_verbose(rng: random.Random, tests: int) -> list[str]:
    """One ``pytest -v`` session that passes: header, a PASSED line per test, the summary."""
    out = [
        "============================= test session starts ==============================",
        "platform linux -- Python 3.11.7, pytest-8.3.5, pluggy-1.5.0 -- /usr/local/bin/python3",
        "cachedir: .pytest_cache",
        "rootdir: /builds/acme/service",
        "configfile: pyproject.toml",
        "plugins: timeout-2.3.1, cov-5.0.0",
        f"collecting ... collected {tests} items",
        "",
    ]
    for i in range(tests):
        mod = rng.choice(_MODULES)
        left = f"tests/test_{mod}.py::test_{rng.choice(_VERBS)}_{rng.choice(_NOUNS)}"
        if rng.random() < 0.2:
            left += f"[case{rng.randrange(40)}]"
        outcome = "SKIPPED (needs network)" if rng.random() < 0.02 else "PASSED"
        pct = f"[{(i + 1) * 100 // tests:3d}%]"
        body = f"{left} {outcome}"
        out.append(body + " " * max(1, 80 - len(body) - len(pct)) + pct)
    skipped = sum(" SKIPPED " in line for line in out)
    counts = f"{tests - skipped} passed" + (f", {skipped} skipped" if skipped else "")
    summary = f" {counts} in {rng.uniform(0.5, 90):.2f}s "
    pad = 80 - len(summary)
    out += ["", "=" * (pad // 2) + summary + "=" * (pad - pad // 2)]
    return out


_LOGGERS = ["app.worker", "app.db", "app.http", "urllib3.connectionpool", "app.cache", "celery.beat", "app.export"]
_MESSAGES = {
    "DEBUG": ["Starting new HTTPS connection (1): api.internal:443", "cache lookup key=user:{n} hit={b}",
              "query took {ms} ms: SELECT id, name FROM accounts WHERE org_id = {n}", "acquired lock jobs/{n}"],
    "INFO": ["processed batch {n} ({k} records) in {ms} ms", "GET /api/v1/items/{n} 200 {ms}ms",
             "scheduler: sending due task cleanup-{n}", "uploaded export-{n}.csv ({k} KiB)", "worker {k} ready"],
    "WARNING": ["slow query ({ms} ms) on accounts, consider an index", "retrying request to api.internal (attempt {k}/5)",
                "deprecated setting CACHE_TTL used; use CACHE_TIMEOUT"],
    "ERROR": ["payment provider returned 502 for invoice {n}; will retry", "could not send mail to user {n}: queued for retry"],
}
_TRACEBACK = [
    "Traceback (most recent call last):",
    '  File "/srv/app/cache.py", line 41, in warm',
    "    entries = read_index(path)",
    "              ^^^^^^^^^^^^^^^^",
    '  File "/srv/app/cache.py", line 18, in read_index',
    "    with open(path) as fh:",
    "         ^^^^^^^^^^",
    "FileNotFoundError: [Errno 2] No such file or directory: 'cache/index-{n}.json'",
]


def app_logging(rng: random.Random, lines: int, clock: list[float]) -> list[str]:
    """Application logging: INFO and DEBUG mostly, WARNING and ERROR now and then, and about one
    line in 400 a WARNING logged with ``exc_info`` (its traceback follows; the run carries on)."""
    out = []
    while len(out) < lines:
        clock[0] += rng.uniform(0.001, 0.2)
        t = clock[0]
        stamp = f"2024-05-01 {int(t // 3600) % 24:02d}:{int(t // 60) % 60:02d}:{int(t) % 60:02d},{int(t * 1000) % 1000:03d}"
        r = rng.random()
        level = "DEBUG" if r < 0.45 else "INFO" if r < 0.93 else "WARNING" if r < 0.99 else "ERROR"
        msg = rng.choice(_MESSAGES[level]).format(n=rng.randrange(100000), k=rng.randrange(1, 500), ms=rng.randrange(1, 3000), b=rng.random() < 0.8)
        if rng.random() < 0.0025:
            out.append(f"{stamp} WARNING app.cache: cache index unreadable, rebuilding")
            out += [line.replace("{n}", str(rng.randrange(1000))) for line in _TRACEBACK]
            continue
        out.append(f"{stamp} {level:<8} {rng.choice(_LOGGERS)}: {msg}")
    return out


# --------------------------------------------------------------------------------------------
# Envelopes


class Envelope:
    """Prefixes each line of a job the way a CI platform stores it."""

    def __init__(self, kind: str, rng: random.Random) -> None:
        self.kind = kind
        self.rng = rng
        self.t = 10 * 3600.0  # seconds since midnight

    def wrap(self, lines: list[str]) -> list[str]:
        if self.kind == "plain":
            return lines
        if self.kind == "jenkins" and not getattr(self, "started", False):
            # A Jenkins console log begins with Jenkins' own lines, as every real one does (the
            # envelope layer recognises a Timestamper log by them, not by timestamps alone).
            self.started = True
            lines = ["Started by user admin", "Running as SYSTEM", "[Pipeline] Start of Pipeline", "[Pipeline] node",
                     "Running on agent-1 in /var/lib/jenkins/workspace/app", "[Pipeline] {", "[Pipeline] sh", *lines]
        out = []
        for line in lines:
            self.t += self.rng.random() * 0.002
            t = self.t
            hms = f"{int(t // 3600) % 24:02d}:{int(t // 60) % 60:02d}:{int(t) % 60:02d}"
            frac = t - int(t)
            if self.kind == "github":
                out.append(f"2024-05-01T{hms}.{int(frac * 1e7):07d}Z {_GITHUB_STAMP.sub('', line)}")
            elif self.kind == "gitlab":
                out.append(f"2024-06-11T{hms}.{int(frac * 1e6):06d}Z 00O {line}")
            else:  # Jenkins' Timestamper plugin (pipeline `timestamps {}`)
                out.append(f"[2024-05-01T{hms}.{int(frac * 1e3):03d}Z] {line}")
        return out


def job_documents(rng: random.Random, docs: list[Document], clock: list[float]) -> list[str]:
    """One stretch of a job that exited 0: a verbose test session, application logging, or an
    honest sample log of exit 0."""
    r = rng.random()
    if r < 0.35:
        return pytest_verbose(rng, rng.randrange(20, 400))
    if r < 0.75:
        return app_logging(rng, rng.randrange(50, 2000), clock)
    return list(rng.choice(docs).lines)


def _writer(path: Path):  # type: ignore[no-untyped-def]
    return open(path, "w", encoding="utf-8", errors="surrogateescape", newline="\n")


def write_dense(path: Path, size: int, rng: random.Random, envelope: str, plants: int = 5) -> list[tuple[int, int, str]]:
    """A job of about ``size`` bytes that exited 0, with ``plants`` lying samples of exit 0 at
    random places, the last at its end. Returns the first and last line number and the sample
    of each plant (also written to ``path.plants``)."""
    docs = samples()
    honest = [d for d in docs if not d.lying and d.exit_code == 0 and not d.platform]
    lies = [d for d in docs if d.lying and d.exit_code == 0 and not d.platform]
    env = Envelope(envelope, rng)
    # The last plant ends the log: some lies (a traceback as the last thing in the log) are lies
    # only there; the others are anywhere.
    targets = sorted(rng.randrange(size) for _ in range(plants - 1)) + [size]
    clock = [0.0]
    written, line_no, places = 0, 0, []
    with _writer(path) as fh:
        while written < size or targets:
            if targets and (written >= targets[0] or written >= size):
                targets.pop(0)
                lie = rng.choice(lies)
                lines = env.wrap(list(lie.lines))
                places.append((line_no + 1, line_no + len(lines), lie.name))
            else:
                lines = env.wrap(job_documents(rng, honest, clock))
            text = "\n".join(lines) + "\n"
            fh.write(text)
            written += len(text)
            line_no += len(lines)
    path.with_name(path.name + ".plants").write_text("".join(f"{a} {b} {name}\n" for a, b, name in places))
    return places


def write_many(target: Path, count: int, size: int, rng: random.Random) -> None:
    """``count`` jobs of about ``size`` bytes each, envelopes in turn; each ends with a sample log
    and exits with its code; one in a hundred (job 0, 100, ...) ends with a lying sample. Which
    sample ends which job is written beside the folder (``FOLDER.samples``)."""
    docs = samples()
    bulk = [d for d in docs if not d.lying and d.exit_code == 0 and not d.platform]
    honest = [d for d in docs if not d.lying]
    lies = [d for d in docs if d.lying]
    target.mkdir(parents=True, exist_ok=True)
    ends = []
    for i in range(count):
        last = rng.choice(lies if i % 100 == 0 else honest)
        path = target / f"job-{i:05d}.log"
        with _writer(path) as fh:
            if last.platform:  # a whole CI job already: its own envelope, bulk left out
                fh.write("\n".join(last.lines) + "\n")
            else:
                env = Envelope(ENVELOPES[i % len(ENVELOPES)], rng)
                clock = [0.0]
                written = 0
                while written < size - sum(len(line) + 1 for line in last.lines):
                    text = "\n".join(env.wrap(job_documents(rng, bulk, clock)[:400])) + "\n"
                    fh.write(text)
                    written += len(text)
                fh.write("\n".join(env.wrap(list(last.lines))) + "\n")
        (target / f"job-{i:05d}.log.exit").write_text(f"{last.exit_code}\n")
        ends.append(f"{path.name} {last.name} {'lying' if last.lying else 'honest'}\n")
    target.with_name(target.name + ".samples").write_text("".join(ends))


MATCH_LINE = "ok  \tgithub.com/acme/service/internal/{pkg}\t{s:.3f}s"
"""`go test` output: every line a hit of go's count-only ``pkg_ok`` signal."""
NOMATCH_LINE = "   compiling module internal/{pkg} step {s:.3f} of the plan"


def write_uniform(path: Path, size: int, rng: random.Random, template: str) -> None:
    """Lines of the same layout and length, all hits (MATCH_LINE) or none (NOMATCH_LINE)."""
    pkgs = [f"{a}/{b}" for a in _MODULES for b in _NOUNS]
    written = 0
    with _writer(path) as fh:
        while written < size:
            text = "\n".join(template.format(pkg=rng.choice(pkgs), s=rng.uniform(0, 10)) for _ in range(4096)) + "\n"
            fh.write(text)
            written += len(text)


# --------------------------------------------------------------------------------------------
# The first corpus: lines no rule matches, the evidence planted (kept as one row of the table)

_EVIDENCE = re.compile(
    r"Errors: [1-9]|Grand total|[0-9]+ failed|Error [0-9]|FAILED|Traceback|Listen failure|GAME OVER"
    r"|unable to load app|exited with code|Return code|npm (error|ERR!)|command not found|No such file"
    r"|Exception in thread|failed=[1-9]|unreachable=[1-9]|##\[error\]|Job failed|Finished: |Exited with code"
    r"|received exit code|Reason: |Connection in use|Timeout|panic|Segmentation|error:|ERROR"
)
PLANTS = [
    "    [@local]   Changed: 1   No change: 0   Errors: 1   ",
    "========================= 2 failed, 3 passed in 0.07s ==========================",
]
NON_ASCII = ["Überprüfung abgeschlossen: 3 Dateien", "ビルド完了 — 12 件", "résumé: déploiement terminé ✓"]


def pack_patterns() -> list[re.Pattern[str]]:
    """Every pattern of the built-in pack (fingerprints, signals, exit-status lines)."""
    import tomllib

    out = []
    for path in sorted((ROOT / "rules").glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        texts = list(data["detect"]["patterns"]) + [e["pattern"] for e in data.get("exit_status", [])]
        for sig in data.get("signals", {}).values():
            texts += [sig["pattern"]] if "pattern" in sig else []
        for text in texts:
            try:
                out.append(re.compile(text, re.M))
            except re.error:
                pass  # regex-module syntax; the _EVIDENCE filter still applies
    return out


def sparse_lines() -> list[str]:
    """Real lines that no rule of the pack matches in full (the sparse corpus's bulk)."""
    patterns = pack_patterns()
    lines: list[str] = []
    for path in sorted(SAMPLES.glob("*/*/output.log")):
        for line in path.read_text("utf-8", errors="replace").splitlines():
            line = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line)[:300]
            if line.strip() and not _EVIDENCE.search(line) and not any(p.search(line) for p in patterns):
                lines.append(line)
    return lines


def varied(line: str, rng: random.Random) -> str:
    return re.sub(r"\d+", lambda m: str(rng.randrange(10 ** len(m.group(0)))), line)


def write_sparse(path: Path, size: int, rng: random.Random, pool: list[str], plants: int) -> None:
    """About ``size`` bytes of the pool; the evidence lines at ``plants`` random places."""
    chunk: list[str] = []
    written = 0
    targets = sorted(rng.randrange(size) for _ in range(plants))
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("--> Loading config...\n--> Beginning operation run...\n")
        fh.write("============================= test session starts ==============================\n")
        fh.write("platform linux -- Python 3.11.7, pytest-8.3.5, pluggy-1.7.0\n")
        while written < size:
            r = rng.random()
            if r < 0.01:
                line = rng.choice(NON_ASCII)
            elif r < 0.03:
                line = f"\x1b[32m{varied(rng.choice(pool), rng)}\x1b[0m"
            elif r < 0.031:
                line = "x" * rng.randrange(2000, 20000)
            else:
                line = varied(rng.choice(pool), rng)
            while targets and written >= targets[0]:
                targets.pop(0)
                chunk.append(rng.choice(PLANTS))
            chunk.append(line)
            written += len(line) + 1
            if len(chunk) >= 4096:
                fh.write("\n".join(chunk) + "\n")
                chunk.clear()
        chunk += [rng.choice(PLANTS) for _ in targets]  # places past the last line
        fh.write("\n".join(chunk) + "\n")


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["dense", "many", "match", "nomatch", "sparse", "big"])
    ap.add_argument("target", type=Path)
    ap.add_argument("--size", default="1G")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--envelope", choices=ENVELOPES, default="github")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    size = parse_size(args.size)
    if args.mode != "many":
        args.target.parent.mkdir(parents=True, exist_ok=True)
    if args.mode == "dense":
        write_dense(args.target, size, rng, args.envelope)
    elif args.mode == "many":
        write_many(args.target, args.count, size, rng)
    elif args.mode in ("match", "nomatch"):
        write_uniform(args.target, size, rng, MATCH_LINE if args.mode == "match" else NOMATCH_LINE)
    else:  # "sparse"; "big" is its old name
        write_sparse(args.target, size, rng, sparse_lines(), plants=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
