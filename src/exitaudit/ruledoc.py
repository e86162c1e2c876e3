"""Human-readable views of rule files: ``exitaudit rules show`` and the generated reference docs."""

from __future__ import annotations

from .rules import RuleFile, RuleSet


def describe(rf: RuleFile) -> str:
    """Plain text for a terminal."""
    out = [f"{rf.tool}: {rf.description}", f"  file: {rf.path}"]
    if rf.aliases:
        out.append(f"  aliases: {', '.join(rf.aliases)}")
    if rf.homepage:
        out.append(f"  homepage: {rf.homepage}")
    if rf.versions:
        out.append(f"  versions: {rf.versions}")
    out.append("  fingerprints:")
    out += [f"    {p}" for p in rf.detect]
    if rf.exit_codes:
        out.append("  exit codes:")
        out += [f"    {code:>3}  {meaning}" for code, meaning in sorted(rf.exit_codes.items())]
    if rf.exit_status:
        out.append("  exit status read from the log:")
        out += [f"    {e.pattern}" + (f"  -> {e.code}" if e.code is not None else "") for e in rf.exit_status]
    if rf.signals:
        out.append("  signals:")
        for name, sig in rf.signals.items():
            what = f"order {sig.order[0]} before {sig.order[1]}" if sig.order else f"{sig.value} of {sig.pattern}"
            if sig.followed_by:
                what += f" followed within {sig.within} lines by {sig.followed_by}"
            out.append(f"    {name}: {what}")
    if rf.params:
        out.append("  parameters (--param TOOL.NAME=VALUE):")
        out += [f"    {p.name} = {p.default!r}: {p.description}" for p in rf.params.values()]
    out.append("  checks:")
    for c in rf.checks:
        out.append(f"    {c.full_id}  [{c.kind.value}, {c.severity.value}, {c.status}]  {c.title}")
        out.append(f"      when: {c.when.source}")
        if c.versions or c.fixed_in:
            out.append(f"      affects: {c.versions or '-'}; fixed in: {c.fixed_in or '-'}")
        out += [f"      see {r}" for r in c.references]
    out.append(f"  examples: {len(rf.examples)}")
    return "\n".join(out) + "\n"


def markdown(ruleset: RuleSet) -> str:
    """The rule reference (docs/reference.md), generated from the rule files."""
    out = [
        "# Rule reference",
        "",
        "Generated from the built-in rule pack by `python -m exitaudit.ruledoc`; do not edit by hand.",
        "",
    ]
    for rf in ruleset:
        out += [f"## {rf.tool}", "", rf.description.strip(), ""]
        if rf.aliases:
            out += [f"Also named: {', '.join(f'`{a}`' for a in rf.aliases)} (`--tool {rf.aliases[0]}`).", ""]
        if rf.versions:
            out += [f"Written against: {rf.versions}.", ""]
        need = "a line" if rf.min_matches == 1 else f"{rf.min_matches} lines"
        out += [f"Recognised in a log with {need} matching:", ""]
        out += [f"- `{p}`" for p in rf.detect]
        out.append("")
        if rf.exit_codes:
            out += ["| exit code | meaning |", "| --- | --- |"]
            out += [f"| {code} | {meaning} |" for code, meaning in sorted(rf.exit_codes.items())]
            out.append("")
        if rf.params:
            out += ["Parameters (`--param " + rf.tool + ".NAME=VALUE`):", ""]
            out += [f"- `{p.name}` (default `{p.default!r}`): {p.description}" for p in rf.params.values()]
            out.append("")
        for c in rf.checks:
            out += [f"### `{c.full_id}`: {c.title}", ""]
            out += [f"*Kind:* {c.kind.value} · *severity:* {c.severity.value} · *status:* {c.status}", ""]
            if c.description:
                out += [f"**What it detects.** {c.description.strip()}", ""]
            if c.rationale:
                out += [f"**Why it matters.** {c.rationale.strip()}", ""]
            out += [f"**Condition.** `{c.when.source}`", ""]
            if c.versions or c.fixed_in:
                out += [f"**Affected versions.** {c.versions or 'any'}" + (f"; fixed in {c.fixed_in}." if c.fixed_in else "."), ""]
            example = next((e for e in rf.examples if e.checks and c.id in e.checks), None)
            if example is not None:
                code = "unknown" if example.exit_code is None else example.exit_code
                out += [f"**Example** ({example.name}; exit {code} → {example.verdict}):", "", "```", example.log.strip("\n"), "```", ""]
            if c.false_positives:
                out += ["**Known false positives.**", ""] + [f"- {fp}" for fp in c.false_positives] + [""]
            if c.references:
                out += ["**References.**", ""] + [f"- <{r}>" for r in c.references] + [""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    from .rules import load_rules

    import sys

    sys.stdout.write(markdown(load_rules()))
