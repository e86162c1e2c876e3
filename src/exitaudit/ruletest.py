"""Running the examples embedded in rule files (``exitaudit rules test``).

Each example is audited against its own rule file alone, with detection on, so an example also
proves the file's fingerprints recognise the tool's output.
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import MASKING, Engine
from .reader import blocks_of
from .model import ExitStatus, Kind, Origin, Outcome, RunResult
from .rules import Example, RuleFile, RuleSet, example_line, load_rules
from .steps import audit_job


@dataclass(frozen=True)
class ExampleResult:
    rule: RuleFile
    example: Example
    verdict: str
    fired: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def where(self) -> str:
        line = example_line(self.rule, self.example)
        return f"{self.rule.path}:{line}" if line else self.rule.path


def run_examples(rule: RuleFile) -> list[ExampleResult]:
    rules = RuleSet({rule.tool: rule})
    if rule.tool == MASKING:
        # Masking constructs only ever name how another tool's false success lost its status:
        # their examples are audited with the built-in pack, this file replacing the pack's.
        rules = RuleSet({**load_rules().files, rule.tool: rule})
    plain = Engine(rules)
    results = []
    for ex in rule.examples:
        engine = Engine(rules, params={rule.tool: ex.params}) if ex.params else plain
        status = ExitStatus.unknown() if ex.exit_code is None else ExitStatus.from_code(ex.exit_code, Origin.FLAG, "example")
        # Through the CI envelope layer, as `check` reads a log: a platform's examples are job logs.
        run = audit_job(engine, blocks_of(ex.log), status, source=f"example {ex.name!r}")
        fired = tuple(sorted(o.check.split("/", 1)[1] for o in run.checks if o.outcome is Outcome.FIRED and o.tool == rule.tool))
        problems = []
        if run.verdict.value != ex.verdict:
            problems.append(f"verdict {run.verdict.value}{_because(run)}, expected {ex.verdict}")
        if ex.checks is not None and set(fired) != set(ex.checks):
            problems.append(f"checks fired [{', '.join(fired)}], expected [{', '.join(sorted(ex.checks))}]")
        # A check that could not be evaluated is never silent: which one, and why.
        problems += [f"check {o.check} errored: {_one_line(o.reason or '')}" for o in run.checks if o.outcome is Outcome.SKIPPED and o.finding is not None]
        results.append(ExampleResult(rule, ex, run.verdict.value, fired, tuple(problems)))
    return results


def _because(run: RunResult) -> str:
    """`` (from CHECK: message)``: the finding that gave the run its verdict."""
    if run.verdict is Kind.INCOMPLETE:
        return ""  # the errored check is named with its reason
    finding = next((f for f in run.findings if f.kind is run.verdict), None)
    return f" (from {finding.check}: {_one_line(finding.message)})" if finding is not None else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())
