"""Draft rule files from the failure templates: one per cluster of templates that come in the
same runs, named after the tool the pack detected in those runs where it did.

A draft is a starting point a person reviews, and says so in its comments: its fingerprints are
the templates most of the cluster's runs share that also appear in runs without the failure
(the tool's own banner or summary, ideally), its signals are the failure templates made into
patterns, its checks a false-success (failure lines, exit 0) and a consistent explanation
(failure lines, non-zero exit), and its examples are lines of real runs of the archive: a
failing run, a lying run where there is one, an honest run. Every draft is loaded, linted and
its examples run before it is written; one that does not pass is not written.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .session import MineResult, read_lines
from .templates import template_of, to_pattern

JACCARD = 0.3
"""Two failure templates belong to one cluster when this share of their runs is common."""
SHARED = 0.8
"""A fingerprint is in at least this share of the cluster's runs."""
MAX_SIGNALS = 8
MAX_FINGERPRINTS = 3


@dataclass
class Cluster:
    templates: list[int]
    runs: set[int] = field(default_factory=set)
    fingerprints: list[int] = field(default_factory=list)
    failing: int | None = None
    lying: int | None = None
    honest: int | None = None
    lines: dict[int, dict[int, int]] = field(default_factory=dict)
    """Per example run: template hash -> its first line there."""


def _clusters(result: MineResult) -> list[Cluster]:
    failure = result.failure
    runs_of: dict[int, set[int]] = defaultdict(set)
    for index, hs, _ls in result.archive.spooled():
        for h in hs:
            if h in failure:
                runs_of[h].add(index)
    order = sorted(failure, key=lambda h: (-failure[h].score, failure[h].template))
    parent = {h: h for h in order}

    def root(h: int) -> int:
        while parent[h] != h:
            parent[h] = parent[parent[h]]
            h = parent[h]
        return h

    for i, a in enumerate(order):
        for b in order[i + 1:]:
            ra, rb = runs_of[a], runs_of[b]
            if ra and rb and len(ra & rb) / len(ra | rb) >= JACCARD:
                parent[root(b)] = root(a)
    groups: dict[int, list[int]] = defaultdict(list)
    for h in order:
        groups[root(h)].append(h)
    out = []
    for members in groups.values():
        c = Cluster(templates=members[:MAX_SIGNALS])
        for h in c.templates:
            c.runs |= runs_of[h]
        out.append(c)
    return out


def _choose(result: MineResult, clusters: list[Cluster]) -> None:
    """Fingerprints and example runs for each cluster, in two passes over the spool."""
    archive = result.archive
    shared: list[Counter[int]] = [Counter() for _ in clusters]
    for index, hs, _ls in archive.spooled():
        for c, counts in zip(clusters, shared):
            if index in c.runs:
                counts.update(hs)
    limit = result.params.max_share * max(1, archive.weighed)
    for c, counts in zip(clusters, shared):
        need = SHARED * len(c.runs)
        own = set(c.templates)
        picks = []
        for h, n in counts.items():
            st = archive.stats.get(h)
            if h in own or h in result.failure or st is None or n < need:
                continue
            df = st.zero + st.nonzero
            if df <= limit and df > n:  # also in runs without the failure: the tool's own line
                picks.append((-n, -(df - n), h))
        c.fingerprints = [h for *_k, h in sorted(picks)[:MAX_FINGERPRINTS]]
    for index, hs, ls in archive.spooled():
        info = archive.runs[index]
        if info.exit_code is None:
            continue
        here = set(hs)
        for c in clusters:
            role = None
            if index in c.runs:
                if info.exit_code != 0 and c.failing is None:
                    role = "failing"
                elif info.exit_code == 0 and c.lying is None:
                    role = "lying"
            elif info.exit_code == 0 and c.honest is None and c.fingerprints and here & set(c.fingerprints):
                role = "honest"
            if role is not None:
                setattr(c, role, index)
                wanted = set(c.templates) | set(c.fingerprints)
                c.lines[index] = {h: line for h, line in zip(hs, ls) if h in wanted}


def _slug(result: MineResult, c: Cluster, taken: set[str]) -> str:
    tools = Counter()
    for h in c.templates:
        for key, n in result.failure[h].tools.items():
            for tool in key.split():
                if tool != "(none)":
                    tools[tool] += n
    if tools:
        base = tools.most_common(1)[0][0]
    else:
        words = re.findall(r"[a-z][a-z0-9]+", result.failure[c.templates[0]].template.lower())
        base = next((w for w in words if w not in {"error", "failed", "fatal", "warning", "info", "debug"}), "tool")
    name = f"mined-{base}"[:40].rstrip("-")
    n = 2
    while name in taken:
        name = f"mined-{base}-{n}"
        n += 1
    taken.add(name)
    return name


def _toml(text: str) -> str:
    """A TOML string: a literal one where the text allows, else a basic one."""
    if re.search(r"[\x00-\x1f\x7f]", text) is None:
        if "'" not in text:
            return f"'{text}'"
        if "'''" not in text and not text.endswith("'"):
            return f"'''{text}'''"
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _log(text: str) -> str:
    if "'''" not in text and not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", text):
        return "'''\n" + text + "'''"
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _example_log(result: MineResult, c: Cluster, run: int) -> str:
    lines = sorted(set(c.lines.get(run, {}).values()))
    text = read_lines(result.archive.runs[run].source, lines)
    return "".join(text[n] + "\n" for n in lines if n in text)


def render(result: MineResult, c: Cluster, tool: str) -> str | None:
    failure = result.failure
    archive = result.archive
    signals = [f"failure_{i + 1}" for i in range(len(c.templates))]
    total = " + ".join(signals)
    fp_texts = []
    for h in c.fingerprints:
        run = next((r for r in (c.failing, c.honest, c.lying) if r is not None and h in c.lines.get(r, {})), None)
        if run is None:
            continue
        line = c.lines[run][h]
        text = read_lines(archive.runs[run].source, [line]).get(line)
        if text is not None:
            fp_texts.append(template_of(text))
    fingerprint_note = "the templates that most of these runs share and that also appear in runs without the failure"
    if not fp_texts:
        fp_texts = [failure[h].key for h in c.templates]
        fingerprint_note = "the failure templates themselves (no line shared by the tool's honest runs was found): an honest run of this tool is not recognised; add its own banner or summary line"
    out = [
        "# DRAFT rule file written by `exitaudit mine`: review every line before adopting it.",
        f"# Drafted from {len(c.runs)} run(s) of an archive of {archive.weighed} with a known exit status, in which",
        "# these lines came (almost) only with a non-zero exit.",
        "# REVIEW: the fingerprints ([detect]) are " + fingerprint_note + ".",
        "# REVIEW: each signal is one template of the archive made into a pattern; widen or narrow it so it",
        "#         matches the tool's failure lines and nothing else.",
        "# REVIEW: [exit_codes] is empty: add the codes the tool documents, and a wrong-code check if it has several.",
        "# REVIEW: the examples are lines of real runs of the archive (sources in their names); keep or replace them.",
        "# Adopt: rename the file and `tool` to the tool's name, then `exitaudit rules lint FILE` and",
        "# `exitaudit rules test FILE`, and use it with `--rules FILE`.",
        "format = 1",
        f'tool = "{tool}"',
        f'description = {_toml(f"Drafted from an archive: {len(c.templates)} failure line template(s) seen with a non-zero exit (review before use).")}',
        'versions = "unknown: drafted from an archive of runs"',
        "",
        "[detect]",
        "patterns = [",
        *[f"    {_toml(to_pattern(t))}," for t in dict.fromkeys(fp_texts)],
        "]",
        "",
    ]
    for name, h in zip(signals, c.templates):
        row = failure[h]
        out += [
            f"[signals.{name}]",
            f"description = {_toml(f'Seen in {row.runs_nonzero} failing run(s) and {row.runs_exit_zero} that exited 0 (score {row.score}): {row.template}')}",
            f"pattern = {_toml(to_pattern(row.key))}",
            "",
        ]
    evidence = "[" + ", ".join(f'"{s}"' for s in signals) + "]"
    out += [
        "[[checks]]",
        'id = "failure-exit-zero"',
        'title = "Failure lines of the archive, exit 0"',
        'kind = "false-success"',
        f'when = "({total}) > 0 && exit.code == 0"',
        'message = "the log shows failure lines that came only with failing runs in the archive, but the run exited 0"',
        f"evidence = {evidence}",
        f'description = {_toml("Lines that, in the archive this draft was mined from, appeared with a non-zero exit: seen in a run that exited 0, its status was most likely lost (`| tee` without pipefail, `|| true`, a wrapper).")}',
        f'rationale = {_toml("A failing step that records success lets CI publish or deploy a broken build.")}',
        f'false_positives = [{_toml("A failure the run deliberately tolerates (a retried step, an optional check): REVIEW.")}]',
        "",
        "[[checks]]",
        'id = "failure-exit-nonzero"',
        'title = "Failure lines of the archive, non-zero exit"',
        'kind = "consistent"',
        f'when = "({total}) > 0 && exit.code != 0"',
        'message = "the log shows the failure and the run exited {exit.code}"',
        f"evidence = {evidence}",
        "",
    ]
    examples = []
    for role, verdict, checks in (("failing", "consistent", "failure-exit-nonzero"), ("lying", "false-success", "failure-exit-zero"), ("honest", "consistent", None)):
        run = getattr(c, role)
        if run is None:
            continue
        log = _example_log(result, c, run)
        if not log:
            continue
        info = archive.runs[run]
        examples += [
            "[[examples]]",
            f"name = {_toml(f'{role} run from the archive: {info.source}')}",
            f"exit_code = {info.exit_code}",
            f'verdict = "{verdict}"',
            f"checks = [{chr(34) + checks + chr(34) if checks else ''}]",
            f"log = {_log(log)}",
            "",
        ]
    if not examples:
        return None
    return "\n".join(out + examples)


def _covered_by_pack(result: MineResult, c: Cluster, known_tools: set[str]) -> str | None:
    """The pack tool these failure lines belong to, when the pack flags every run of them
    that exited 0: a draft would only repeat it."""
    runs = result.archive.runs
    tools = Counter(t for i in c.runs for t in runs[i].tools)
    if not tools:
        return None
    tool = tools.most_common(1)[0][0]
    if tool not in known_tools or any(runs[i].exit_code == 0 and not runs[i].known for i in c.runs):
        return None
    return tool


def write_drafts(result: MineResult, directory: Path, known_tools: set[str]) -> tuple[list[Path], list[str]]:
    """Write one proven draft per cluster into ``directory``; returns the files written and,
    for each draft left out, why."""
    from ..errors import RuleError, RuleErrors
    from ..rules import load_rule_file, slow_patterns
    from ..ruletest import run_examples

    clusters = _clusters(result)
    if not clusters:
        return [], []
    _choose(result, clusters)
    directory.mkdir(parents=True, exist_ok=True)
    taken = set(known_tools) | {p.stem for p in directory.glob("*.toml")}
    written, skipped = [], []
    for c in clusters:
        covered = _covered_by_pack(result, c, known_tools)
        if covered:
            skipped.append(f"no draft for {covered}'s failure lines: the pack covers {covered}, and flags every run of them that exited 0")
            continue
        tool = _slug(result, c, taken)
        text = render(result, c, tool)
        if text is None:
            skipped.append(f"{tool}: no example lines could be read back from the archive")
            continue
        path = directory / f"{tool}.toml"
        # Proven under its own name (a rule file's tool must equal its file name), in a
        # hidden folder beside its destination, then moved into place.
        staging = Path(tempfile.mkdtemp(prefix=".exitaudit-draft-", dir=directory))
        tmp = staging / f"{tool}.toml"
        try:
            tmp.write_text(text, encoding="utf-8")
            try:
                rf = load_rule_file(tmp, validate=True)
                problems = [str(w) for w in slow_patterns(rf)]
                problems += [f"example {r.example.name!r}: {'; '.join(r.problems)}" for r in run_examples(rf) if not r.passed]
            except (RuleError, RuleErrors) as exc:
                problems = [str(exc)]
            if problems:
                skipped.append(f"{tool}: left out, it does not pass lint and test: {problems[0]}")
                continue
            tmp.replace(path)
            written.append(path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return written, skipped
