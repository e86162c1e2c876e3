"""Configuration files: ``exitaudit.toml`` or ``[tool.exitaudit]`` in ``pyproject.toml``.

Three steps, each usable on its own:

- ``resolve`` finds and reads the file (``--config FILE``, ``--no-config``, or discovery from the
  current directory upwards) and checks its shape: keys, types, dates. Nothing here needs the
  rule files.
- ``Config.check_against`` checks what needs them: check ids, tools and parameters.
- ``apply`` is the one place where the file changes an audit's outcome: a pure function from a
  RunResult to a RunResult (disabled checks dropped, severities overridden, known mismatches
  suppressed, expired suppressions reported). The engine never sees the file.

Every problem is a ``ConfigError`` naming the file, the line and the key, so the command line
prints it as one line and exits 2. Nothing unknown is ignored: a misspelt key would otherwise
silently turn a gate off.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import stat
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import ExitauditError
from .model import (
    DEFAULT_SEVERITY,
    VERDICT_ORDER,
    Finding,
    Kind,
    RunResult,
    Severity,
)
from .reader import read_small_file
from .tomlpos import index_lines, line_of

CONFIG_NAME = "exitaudit.toml"
PYPROJECT = "pyproject.toml"
MAX_CONFIG_BYTES = 1 << 20

EXPIRED_SUPPRESSION = "exitaudit/expired-suppression"
ENGINE_CHECKS = frozenset(f"exitaudit/{k.value}" for k in (Kind.NO_COVERAGE, Kind.EXIT_UNKNOWN, Kind.UNEXPLAINED_FAILURE))
"""The findings the engine makes itself; a file may disable them or change their severity."""

KEYS = ("color", "condition_budget", "deadline", "disable", "fail_on", "params", "rules", "severity", "suppress")
SUPPRESS_KEYS = ("check", "reason", "source", "until")
COLOR_CHOICES = ("auto", "always", "never")
FAIL_ON_CHOICES = ("error", "warning")

KeyPath = tuple[str | int, ...]


class ConfigError(ExitauditError):
    """A configuration file that is not valid: names the file, the line and the key."""

    def __init__(self, message: str, *, path: str, line: int | None = None, key: str | None = None) -> None:
        super().__init__(f"{key}: {message}" if key else message, where=path if line is None else f"{path}:{line}")
        self.path = path
        self.line = line
        self.key = key


class ConfigErrors(ExitauditError):
    """Every problem of a configuration file, reported together (one line each), so that a user
    fixes them in one go rather than one run at a time."""

    def __init__(self, errors: list[ConfigError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class _Collect:
    """Runs one validation step after another, keeping each step's ConfigError instead of
    stopping at the first; ``done`` raises them all."""

    def __init__(self) -> None:
        self.errors: list[ConfigError] = []

    def __call__(self, step: Any, default: Any = None) -> Any:
        try:
            return step()
        except ConfigErrors as exc:
            self.errors += exc.errors
        except ConfigError as exc:
            self.errors.append(exc)
        return default

    def done(self) -> None:
        """Raise what was kept, in the file's line order."""
        if self.errors:
            errors = sorted(self.errors, key=lambda e: e.line or 0)
            raise errors[0] if len(errors) == 1 else ConfigErrors(errors)


@dataclass(frozen=True)
class Suppression:
    check: str
    reason: str
    until: date
    source: str | None = None
    where: str = ""
    """``path:line`` of the entry, for the expired-suppression finding."""
    index: int = 0

    def covers(self, source: str, base: str | None) -> bool:
        return self.source is None or _glob_match(self.source, source, base)


@dataclass(frozen=True)
class Config:
    """A configuration file's settings. ``Config()`` is "no file": it changes nothing."""

    path: str | None = None
    """As shown in messages: relative to the current directory when found by discovery."""
    rules: tuple[str, ...] = ()
    """Rule files or directories, resolved against the file's directory."""
    severity: Mapping[str, Severity] = field(default_factory=dict)
    disable: tuple[str, ...] = ()
    suppress: tuple[Suppression, ...] = ()
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    fail_on: Severity | None = None
    color: str | None = None
    deadline: float | None = None
    """Seconds one log's scan may take (engine.DEADLINE when not set)."""
    condition_budget: int | None = None
    """Steps one evaluation of a condition may cost (celcost.CONDITION_BUDGET when not set)."""
    source: str = ""
    prefix: KeyPath = ()
    """Where the settings live in the document: ``("tool", "exitaudit")`` in pyproject.toml."""

    @property
    def base(self) -> str | None:
        """The directory relative paths in the file are resolved against."""
        return os.path.dirname(os.path.abspath(self.path)) if self.path else None

    # Errors ---------------------------------------------------------------------------------

    def error(self, where: Sequence[str | int], message: str, *, value: str | None = None) -> ConfigError:
        """An error at key path ``where`` (relative to the settings); with ``value``, at the line
        of that string inside a multi-line array."""
        full = (*self.prefix, *where)
        positions = index_lines(self.source)
        line = line_of(positions, full)
        if value is not None and line is not None:
            line = _line_of_string(self.source, line, value) or line
        return ConfigError(message, path=self.path or "?", line=line, key=_key_name(full))

    # Checks that need the rule set ----------------------------------------------------------

    def check_against(self, ruleset: Any) -> None:
        """Check ids, tools and parameters against the loaded rule set; every problem is raised
        together (ConfigErrors)."""
        collect = _Collect()
        known = {c.full_id for rf in ruleset for c in rf.checks}

        def check_id(where: Sequence[str | int], cid: str, *, value: bool, extra: frozenset[str] = frozenset()) -> None:
            if cid in known or cid in ENGINE_CHECKS or cid in extra:
                return
            hint = difflib.get_close_matches(cid, sorted(known | ENGINE_CHECKS | extra), n=1)
            tool = cid.partition("/")[0]
            if hint:
                why = f"did you mean {hint[0]}?"
            elif ruleset.get(tool) is None and tool != "exitaudit":
                why = f"no rule file for tool {tool!r}"
            else:
                why = "`exitaudit rules show TOOL` lists a tool's checks"
            raise self.error(where, f"unknown check {cid!r} ({why})", value=cid if value else None)

        for cid in self.severity:
            collect(lambda cid=cid: check_id(["severity", cid], cid, value=False, extra=frozenset({EXPIRED_SUPPRESSION})))
        for cid in self.disable:
            collect(lambda cid=cid: check_id(["disable"], cid, value=True))
        for s in self.suppress:
            collect(lambda s=s: check_id(["suppress", s.index, "check"], s.check, value=False))
        for tool, values in self.params.items():
            rf = ruleset.get(tool)
            if rf is None:
                collect.errors.append(self.error(["params", tool], f"no rule file for tool {tool!r}; known tools: {', '.join(sorted(ruleset.files))}"))
                continue
            for name, value in values.items():
                p = rf.params.get(name)
                if p is None:
                    known_params = ", ".join(sorted(rf.params)) or "none"
                    collect.errors.append(self.error(["params", tool, name], f"{tool} has no parameter {name!r} (parameters: {known_params})"))
                    continue
                problem = _type_problem(value, p.default)
                if problem:
                    collect.errors.append(self.error(["params", tool, name], problem))
        collect.done()

    def merged_params(self, given: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """The file's parameters with the command line's (``--param``) on top, per parameter."""
        out: dict[str, dict[str, Any]] = {tool: dict(values) for tool, values in self.params.items()}
        for tool, values in given.items():
            out.setdefault(tool, {}).update(values)
        return out


# --------------------------------------------------------------------------------------------
# Finding and reading the file


def discover(start: str | os.PathLike[str]) -> Path | None:
    """The first configuration file in ``start`` or its parents: ``exitaudit.toml``, else a
    ``pyproject.toml`` with a ``[tool.exitaudit]`` table (one without it is passed over)."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_section(pyproject):
            return pyproject
    return None


def _has_section(pyproject: Path) -> bool:
    """Whether a found pyproject.toml is ours. Read only up to MAX_CONFIG_BYTES (a sparse 1 GB
    file once took 3 GB and 17 s): one larger that mentions exitaudit in that much is refused by
    load(), in one line; one that does not is someone else's and passed over."""
    try:
        fd = os.open(pyproject, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return True  # ours to refuse, in one line (load() says it is not a regular file)
        head = os.read(fd, MAX_CONFIG_BYTES + 1)
    except OSError:
        return False
    finally:
        os.close(fd)
    if b"exitaudit" not in head:
        return False  # cheap: not ours, and a broken pyproject.toml that is not ours is not our error
    if len(head) > MAX_CONFIG_BYTES:
        return True  # load() refuses it: larger than the limit
    text = head.decode("utf-8", errors="replace")
    data = _parse(str(pyproject), text)
    return isinstance(data.get("tool"), dict) and "exitaudit" in data["tool"]


def resolve(
    config_file: str | os.PathLike[str] | None,
    no_config: bool = False,
    *,
    cwd: str | os.PathLike[str] | None = None,
) -> Config:
    """The configuration in effect: ``--config FILE``, nothing with ``--no-config``, else the
    file discovery finds (or none)."""
    if config_file is not None and no_config:
        from .errors import UsageError

        raise UsageError("give --config or --no-config, not both", where="--config")
    if no_config:
        return Config()
    if config_file is not None:
        return load(config_file)
    here = Path(cwd) if cwd is not None else Path.cwd()
    found = discover(here)
    if found is None:
        return Config()
    shown = os.path.relpath(found, here.resolve())
    return load(shown if not os.path.isabs(shown) else found, cwd=here)


def load(path: str | os.PathLike[str], *, cwd: str | os.PathLike[str] | None = None) -> Config:
    """Read and check one configuration file. A file named pyproject.toml holds the settings in
    ``[tool.exitaudit]``; any other file at its top level."""
    shown = os.fspath(path)
    real = shown if cwd is None or os.path.isabs(shown) else os.path.join(os.fspath(cwd), shown)
    text = _read(shown, real)
    data = _parse(shown, text)
    prefix: KeyPath = ()
    if os.path.basename(shown) == PYPROJECT:
        tool = data.get("tool")
        if not isinstance(tool, dict) or "exitaudit" not in tool:
            raise ConfigError("no [tool.exitaudit] table", path=shown)
        data = tool["exitaudit"]
        prefix = ("tool", "exitaudit")
        if not isinstance(data, dict):
            cfg = Config(path=shown, source=text)
            raise cfg.error(prefix, "must be a table")
    base = os.path.dirname(os.path.abspath(real))
    return _build(Config(path=shown, source=text, prefix=prefix), data, base)


def _read(shown: str, real: str) -> str:
    return read_small_file(
        real,
        what="a configuration file",
        limit=MAX_CONFIG_BYTES,
        error=lambda message, line: ConfigError(message, path=shown, line=line),
    )


_ASSIGNED_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_.-]|"[^"]*"|'[^']*')+?)\s*=""")

def _parse(shown: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, key = str(exc), None, None
        head, sep, pos = message.rpartition(" (at line ")
        if sep:
            message = head
            try:
                line = int(pos.split(",")[0])
            except ValueError:
                line = None
        elif message.endswith(" (at end of document)"):
            message = message.removesuffix(" (at end of document)") + " at the end of the file"
            line = max(1, len(text.splitlines()))
        if line is not None:
            # Name the key the broken value belongs to, when the line assigns one.
            found = _ASSIGNED_KEY.match((text.splitlines() or [""])[min(line, len(text.splitlines())) - 1] if text else "")
            key = found.group(1).strip() if found else None
        raise ConfigError(f"TOML syntax error: {message}", path=shown, line=line, key=key) from None
    except RecursionError:
        raise ConfigError("TOML nested too deeply", path=shown) from None


def _build(cfg: Config, data: dict[str, Any], base: str) -> Config:
    # Every key is checked and every problem reported at once (ConfigErrors), in file order.
    collect = _Collect()
    for key in data:
        if key not in KEYS:
            hint = difflib.get_close_matches(key, KEYS, n=1)
            extra = f"did you mean {hint[0]}? " if hint else ""
            collect.errors.append(cfg.error([key], f"unknown key ({extra}allowed: {', '.join(KEYS)})"))

    rules: list[str] = []
    for i, entry in enumerate(collect(lambda: _string_list(cfg, ["rules"], data.get("rules", [])), [])):
        path = entry if os.path.isabs(entry) else os.path.normpath(os.path.join(base, entry))
        if not os.path.exists(path):
            collect.errors.append(cfg.error(["rules"], f"no such file or directory: {entry} (relative to {cfg.path})", value=entry))
            continue
        if collect(lambda: _inside_project(cfg, entry, path, base) or True, False):  # noqa: B023 - called at once
            rules.append(path)

    severity: dict[str, Severity] = {}
    table = collect(lambda: _table(cfg, ["severity"], data.get("severity", {})), {})
    for cid, value in table.items():
        choices = [s.value for s in Severity]
        if not isinstance(value, str) or value not in choices:
            collect.errors.append(cfg.error(["severity", cid], f"must be one of {', '.join(choices)}, got {_shown(value)}"))
            continue
        severity[cid] = Severity(value)

    disable = collect(lambda: _string_list(cfg, ["disable"], data.get("disable", [])), [])
    for cid in disable:
        if cid == EXPIRED_SUPPRESSION:
            collect.errors.append(cfg.error(["disable"], f"{EXPIRED_SUPPRESSION} cannot be disabled; renew or remove the suppression", value=cid))

    suppress = data.get("suppress", [])
    suppressions: list[Suppression] = []
    if not isinstance(suppress, list) or not all(isinstance(s, dict) for s in suppress):
        collect.errors.append(cfg.error(["suppress"], f"must be an array of tables ([[suppress]]), got {_type_name(suppress)}"))
    else:
        for i, entry in enumerate(suppress):
            one = collect(lambda i=i, entry=entry: _suppression(cfg, i, entry))
            if one is not None:
                suppressions.append(one)

    params: dict[str, dict[str, Any]] = {}
    for tool, values in collect(lambda: _table(cfg, ["params"], data.get("params", {})), {}).items():
        table = collect(lambda tool=tool, values=values: _table(cfg, ["params", tool], values))
        if table is not None:
            params[tool] = dict(table)

    fail_on = data.get("fail_on")
    if fail_on is not None and fail_on not in FAIL_ON_CHOICES:
        collect.errors.append(cfg.error(["fail_on"], f"must be one of {', '.join(FAIL_ON_CHOICES)}, got {_shown(fail_on)}"))
    color = data.get("color")
    if color is not None and color not in COLOR_CHOICES:
        collect.errors.append(cfg.error(["color"], f"must be one of {', '.join(COLOR_CHOICES)}, got {_shown(color)}"))
    deadline = data.get("deadline")
    if deadline is not None and (isinstance(deadline, bool) or not isinstance(deadline, int | float) or not 0 < deadline < 1e9):
        collect.errors.append(cfg.error(["deadline"], f"must be a number of seconds above 0, got {_shown(deadline)}"))
    budget = data.get("condition_budget")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 1):
        collect.errors.append(cfg.error(["condition_budget"], f"must be a whole number of steps above 0, got {_shown(budget)}"))
    collect.done()

    return dataclasses.replace(
        cfg,
        deadline=float(deadline) if deadline is not None else None,
        condition_budget=budget,
        rules=tuple(rules),
        severity=severity,
        disable=tuple(disable),
        suppress=tuple(suppressions),
        params=params,
        fail_on=Severity(fail_on) if fail_on is not None else None,
        color=color,
    )


def _inside_project(cfg: Config, entry: str, path: str, base: str) -> None:
    """A rule path from a configuration file must lie inside the configuration's project (the
    folder holding the file), symbolic links resolved, and so must every rule file of a folder
    it names: a repository's configuration must not make a CI job read ``/etc/passwd`` or another
    project's files into its log. The command line's ``--rules`` may name any path."""
    from .rules import rule_paths

    root = os.path.realpath(base)
    files = [path]
    if os.path.isdir(path):
        files += [str(p) for p in rule_paths(path)]
    for file in files:
        real = os.path.realpath(file)
        if os.path.commonpath([root, real]) != root:
            shown = entry if file == path else f"{entry} ({os.path.basename(file)})"
            raise cfg.error(
                ["rules"],
                f"{shown} is outside the project {root}: a configuration file names rule files only inside its own folder"
                " (name others with --rules on the command line)",
                value=entry,
            )


def _suppression(cfg: Config, i: int, entry: dict[str, Any]) -> Suppression:
    where: list[str | int] = ["suppress", i]
    for key in entry:
        if key not in SUPPRESS_KEYS:
            raise cfg.error([*where, key], f"unknown key (allowed: {', '.join(SUPPRESS_KEYS)})")
    for key in ("check", "reason", "until"):
        if key not in entry:
            raise cfg.error(where, f"needs `{key}`" + (" (a date, until = 2027-01-31)" if key == "until" else ""))
    for key in ("check", "reason", "source"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key].strip()):
            raise cfg.error([*where, key], f"must be a non-empty string, got {_shown(entry[key])}")
    until = entry["until"]
    if isinstance(until, datetime) or not isinstance(until, date):
        raise cfg.error([*where, "until"], f"must be a TOML date such as until = 2027-01-31 (no quotes, no time), got {_shown(until)}")
    line = line_of(index_lines(cfg.source), (*cfg.prefix, *where))
    return Suppression(
        check=entry["check"],
        reason=entry["reason"].strip(),
        until=until,
        source=entry.get("source"),
        where=f"{cfg.path}:{line}" if line is not None else str(cfg.path),
        index=i,
    )


def _table(cfg: Config, where: list[str | int], value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise cfg.error(where, f"must be a table, got {_type_name(value)}")
    return value


def _string_list(cfg: Config, where: list[str | int], value: Any) -> list[str]:
    if not isinstance(value, list):
        raise cfg.error(where, f"must be a list of strings, got {_type_name(value)}")
    for item in value:
        if not isinstance(item, str):
            raise cfg.error(where, f"must be a list of strings, got an item {_shown(item)}")
    return value


def _type_problem(value: Any, default: Any) -> str | None:
    """Why ``value`` cannot set a parameter whose default is ``default``; None when it can."""
    if isinstance(default, list):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return None
        return f"must be a list of strings, got {_shown(value)}"
    if isinstance(default, bool):
        return None if isinstance(value, bool) else f"must be true or false, got {_shown(value)}"
    if isinstance(default, int):
        return None if isinstance(value, int) and not isinstance(value, bool) else f"must be a whole number, got {_shown(value)}"
    return None if isinstance(value, str) else f"must be a string, got {_shown(value)}"


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    return f"a {type(value).__name__}"


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, bool | int | float):
        return f"{_type_name(value)} ({str(value).lower() if isinstance(value, bool) else value})"
    return _type_name(value)


_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key_name(path: Sequence[str | int]) -> str:
    """``("severity", "pytest/x")`` -> ``severity."pytest/x"``; ``("suppress", 0, "until")`` ->
    ``suppress[0].until``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        name = part if _BARE.match(part) else '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out += f".{name}" if out else name
    return out


def _line_of_string(source: str, start: int, value: str) -> int | None:
    """The first line from ``start`` holding ``value`` as a quoted string (an item of a
    multi-line array)."""
    quoted = (f'"{value}"', f"'{value}'")
    for number, line in enumerate(source.splitlines()[start - 1:], start=start):
        if any(q in line for q in quoted):
            return number
    return None


# --------------------------------------------------------------------------------------------
# Source globs


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regular expression: ``**`` crosses directories, ``*`` and ``?`` do not."""
    out, i, n = "", 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif c == "*":
            out += "[^/]*"
            i += 1
        elif c == "?":
            out += "[^/]"
            i += 1
        elif c == "[" and pattern.find("]", i + 2) != -1:
            end = pattern.find("]", i + 2)  # `[]...]` holds a `]`
            body = pattern[i + 1:end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out += "[" + body.replace("\\", "\\\\") + "]"
            i = end + 1
        else:
            out += re.escape(c)
            i += 1
    return re.compile(out + r"\Z", re.S)


def _glob_match(pattern: str, source: str, base: str | None) -> bool:
    """Whether a log's path matches a suppression's ``source``. The path is taken relative to
    the configuration file's directory (absolute when the log lies outside it, or when the
    pattern is absolute); standard input is ``-``."""
    if source == "-":
        return pattern == "-"
    path = os.path.abspath(source)
    if base is not None and not os.path.isabs(pattern):
        rel = os.path.relpath(path, base)
        if not rel.startswith(".." + os.sep) and rel != "..":
            path = rel
    path = path.replace(os.sep, "/")
    return _glob_regex(pattern).match(path) is not None


# --------------------------------------------------------------------------------------------
# Applying the file to an audit


def apply(run: RunResult, config: Config, today: date) -> RunResult:
    """The audit as the configuration file has it. Pure; in this order:

    1. findings of disabled checks are dropped (and their outcomes); a non-zero exit that only a
       disabled check explained becomes an unexplained failure, as if the check did not exist;
    2. ``severity`` overrides set the severity of a check's findings (a check that could not run
       stays at least a warning, as the engine has it);
    3. a suppression in force (``until`` today or later) turns a matching finding into an info
       finding whose message says so; its kind, and so the run's verdict, stay: it changes the
       gate, not the facts. It never hides an audit-incomplete finding;
    4. an expired suppression leaves its findings alone and adds a warning,
       ``exitaudit/expired-suppression``, to every run it would have applied to.
    """
    if not (config.disable or config.severity or config.suppress):
        return run
    base = config.base
    findings = [f for f in run.findings if f.check not in config.disable]
    outcomes = [o for o in run.checks if o.check not in config.disable]
    if (
        len(findings) < len(run.findings)
        and _explained(run.findings)
        and not _explained(findings)
        and run.exit_status.known
        and run.exit_status.code != 0
        and run.tools
        and not any(f.kind is Kind.UNEXPLAINED_FAILURE for f in findings)
        and "exitaudit/unexplained-failure" not in config.disable
    ):
        gone = sorted({f.check for f in run.findings} & set(config.disable))
        findings.append(Finding(
            check="exitaudit/unexplained-failure",
            tool="exitaudit",
            kind=Kind.UNEXPLAINED_FAILURE,
            severity=DEFAULT_SEVERITY[Kind.UNEXPLAINED_FAILURE],
            title="Non-zero exit that no rule explains",
            message=(
                f"{run.exit_status.describe()}, and no check of {', '.join(run.tools)} explains it from the log"
                f" ({', '.join(gone)} disabled in {config.path})"
            ),
        ))

    active = [s for s in config.suppress if s.until >= today]
    expired = [s for s in config.suppress if s.until < today]
    changed: dict[int, Finding] = {}
    result: list[Finding] = []
    for f in findings:
        g = _override(f, config.severity)
        if f.kind is not Kind.INCOMPLETE:
            for s in active:
                if s.check == f.check and s.covers(run.source, base):
                    g = dataclasses.replace(g, severity=Severity.INFO, message=f"suppressed until {s.until.isoformat()}: {s.reason}: {g.message}")
                    break
        if g is not f:
            changed[id(f)] = g
        result.append(g)

    for s in expired:
        tool = s.check.partition("/")[0]
        if (tool == "exitaudit" or tool in run.tools) and s.covers(run.source, base):
            result.append(Finding(
                check=EXPIRED_SUPPRESSION,
                tool="exitaudit",
                kind=Kind.EXPIRED_SUPPRESSION,
                severity=config.severity.get(EXPIRED_SUPPRESSION, Severity.WARNING),
                title="Expired suppression",
                message=(
                    f"the suppression of {s.check} at {s.where} expired on {s.until.isoformat()} ({s.reason});"
                    " its findings count again: renew or remove it"
                ),
            ))

    if changed:
        outcomes = [
            dataclasses.replace(o, finding=changed[id(o.finding)]) if o.finding is not None and id(o.finding) in changed else o
            for o in outcomes
        ]
    kinds = {f.kind for f in result if f.kind.is_mismatch}
    verdict = next((k for k in VERDICT_ORDER if k in kinds), Kind.CONSISTENT)
    return dataclasses.replace(run, findings=tuple(result), checks=tuple(outcomes), verdict=verdict)


def _explained(findings: Sequence[Finding]) -> bool:
    """Whether some check of a rule file fired (what keeps the engine from calling a non-zero
    exit unexplained)."""
    return any(not f.check.startswith("exitaudit/") and f.kind is not Kind.INCOMPLETE for f in findings)


def _override(f: Finding, severity: Mapping[str, Severity]) -> Finding:
    wanted = severity.get(f.check)
    if wanted is None:
        return f
    if f.kind is Kind.INCOMPLETE:
        # A gate must not open because its check could not run.
        wanted = max(wanted, DEFAULT_SEVERITY[Kind.INCOMPLETE], key=lambda s: s.rank)
    return f if wanted is f.severity else dataclasses.replace(f, severity=wanted)


# --------------------------------------------------------------------------------------------
# Colour


def color_wanted(
    option: str | None,
    configured: str | None,
    env: Mapping[str, str],
    *,
    to_file: bool,
    isatty: bool,
) -> bool:
    """Whether the text report is coloured.

    ``--color always|never`` first; then ``NO_COLOR`` (non-empty: off), then ``FORCE_COLOR``
    (non-empty: on), then the file's ``color``, then whether the destination is a terminal.
    A report written to a file (``-o``) is coloured only with ``--color always``.
    """
    if option in ("always", "never"):
        return option == "always"
    if to_file:
        return False
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if option is None and configured in ("always", "never"):
        return configured == "always"
    return isatty
