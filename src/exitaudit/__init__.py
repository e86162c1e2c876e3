"""exitaudit: audit finished runs by comparing a captured log with the exit status it recorded.

Library use::

    from exitaudit import audit, load_rules

    result = audit(open("build.log").read(), 0, load_rules())
    print(result.verdict, [f.message for f in result.findings])
"""

__version__ = "0.1.0"

from .engine import Engine, audit  # noqa: E402
from .errors import ExitauditError, InputError, RuleError, UsageError  # noqa: E402
from .model import (  # noqa: E402
    CheckOutcome,
    Evidence,
    ExitStatus,
    Finding,
    Kind,
    Origin,
    Report,
    RunResult,
    Severity,
)
from .reader import LogSource  # noqa: E402
from .rules import RuleFile, RuleSet, load_rule_file, load_rules  # noqa: E402

__all__ = [
    "CheckOutcome",
    "Engine",
    "Evidence",
    "ExitStatus",
    "ExitauditError",
    "Finding",
    "InputError",
    "Kind",
    "LogSource",
    "Origin",
    "Report",
    "RuleError",
    "RuleFile",
    "RuleSet",
    "RunResult",
    "Severity",
    "UsageError",
    "audit",
    "load_rule_file",
    "load_rules",
]
