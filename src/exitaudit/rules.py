"""The rule loader: TOML rule files to a validated, compiled ``RuleSet``.

Rule files are data, never code: TOML parsed by tomllib, patterns compiled by ``regex``,
conditions compiled by a CEL implementation that has no access to the host. A rule file from an
untrusted repository can therefore be loaded safely; the worst it can do is a slow pattern, and
every pattern runs under a time limit (see engine.py).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import re

import regex

from . import cache as disk_cache
from .celcost import CONDITION_BUDGET, COST_MAX, SCALAR, CostError, Size, join, size_of
from .celexpr import Condition, ConditionError
from .errors import RuleError, RuleErrors
from .model import DEFAULT_SEVERITY, Kind, Severity
from .reader import read_small_file
from .tomlpos import dotted, index_lines, line_of

FORMAT_VERSION = 1
MAX_RULE_FILE_BYTES = 1 << 20
"""A rule file is a page or two of TOML; anything this large is a mistake or an attack."""
REGEX_FLAGS = regex.MULTILINE | regex.VERSION0

VALUE_MODES = ("count", "present", "first", "last", "sum", "max", "min", "all")
RESERVED_NAMES = frozenset(
    # `exit`, `tool` and `params` are provided by the engine; the rest are CEL's reserved words.
    "exit tool params true false null in as break const continue else for function if import let loop "
    "package namespace return var void while".split()
)


@dataclass(frozen=True)
class Signal:
    name: str
    pattern: str | None = None
    value: str = "count"
    group: str | None = None
    type: str = "string"
    followed_by: str | None = None
    within: int = 5
    order: tuple[str, str] | None = None
    description: str = ""

    def default(self) -> Any:
        """The value when no line matched, typed so that conditions never meet a null."""
        if self.order is not None or self.value == "present":
            return False
        if self.value == "all":
            return []
        if self.value in ("count", "sum") or self.type == "int":
            return 0
        return ""


@dataclass(frozen=True)
class Check:
    id: str
    tool: str
    title: str
    kind: Kind
    severity: Severity
    when: Condition
    message: str
    evidence: tuple[str, ...]
    description: str = ""
    rationale: str = ""
    status: str = "stable"
    versions: str = ""
    fixed_in: str = ""
    references: tuple[str, ...] = ()
    false_positives: tuple[str, ...] = ()

    @property
    def full_id(self) -> str:
        return f"{self.tool}/{self.id}"


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    description: str

    def parse(self, values: list[str], where: str) -> Any:
        """A user's setting, typed like the default; a list setting takes every value given."""
        from .errors import UsageError

        d = self.default
        if isinstance(d, list):
            # Repeat the option for several values; no splitting at commas, which regular
            # expressions (`a{1,3}`) contain.
            return list(values)
        raw = values[-1]
        if isinstance(d, bool):
            if raw.lower() in ("true", "yes", "1"):
                return True
            if raw.lower() in ("false", "no", "0"):
                return False
            raise UsageError(f"{self.name} takes true or false, got {raw!r}", where=where)
        if isinstance(d, int):
            try:
                return int(raw)
            except ValueError:
                raise UsageError(f"{self.name} takes a whole number, got {raw!r}", where=where) from None
        return raw


@dataclass(frozen=True)
class ExitStatusPattern:
    pattern: str
    code: int | None = None


@dataclass(frozen=True)
class Example:
    name: str
    log: str
    verdict: str
    exit_code: int | None = None
    checks: tuple[str, ...] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    index: int = 0
    """Position among the file's examples; ``example_line`` finds its line for messages."""


@dataclass(frozen=True)
class RuleFile:
    tool: str
    path: str
    description: str
    detect: tuple[str, ...]
    min_matches: int = 1
    homepage: str = ""
    versions: str = ""
    exit_codes: dict[int, str] = field(default_factory=dict)
    exit_status: tuple[ExitStatusPattern, ...] = ()
    signals: dict[str, Signal] = field(default_factory=dict)
    params: dict[str, Param] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    examples: tuple[Example, ...] = ()
    builtin: bool = False
    aliases: tuple[str, ...] = ()
    """Other names of the tool (``--tool aiohttp`` for gunicorn's file)."""

    def param_values(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        values = {name: p.default for name, p in self.params.items()}
        values.update(overrides or {})
        return values


@dataclass(frozen=True)
class RuleSet:
    """Rule files by tool name; a later source replaces an earlier one for the same tool."""

    files: dict[str, RuleFile]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.files[name] for name in sorted(self.files))

    def __len__(self) -> int:
        return len(self.files)

    def get(self, tool: str) -> RuleFile | None:
        """The rule file of ``tool``, by its name or one of its aliases (a name wins)."""
        rf = self.files.get(tool)
        if rf is None:
            rf = next((f for f in self.files.values() if tool in f.aliases), None)
        return rf

    def canonical(self, tool: str) -> str:
        """``tool``'s own name when it is an alias; else ``tool`` unchanged."""
        rf = self.get(tool)
        return rf.tool if rf is not None else tool

    def only(self, tools: Iterable[str]) -> RuleSet:
        return RuleSet({t: self.files[t] for t in tools})


# --------------------------------------------------------------------------------------------
# Locating the built-in pack


def builtin_rules_dir() -> Path:
    """The rule pack shipped in the package; in a source checkout, the top-level rules/."""
    # The package is a directory of files (never a zip: it ships data read by path), so its
    # location is this file's; importlib.resources would cost a fifth of start-up to say so.
    packaged = Path(__file__).resolve().parent / "rules"
    if packaged.is_dir():
        return packaged
    # An editable install maps the package to src/exitaudit, where the pack is not copied;
    # the pack's single source is the repository's top-level rules/.
    return Path(__file__).resolve().parents[2] / "rules"


def rule_paths(path: str | os.PathLike[str]) -> list[Path]:
    """The rule files a path names: the file itself, or a directory's *.toml, sorted."""
    p = Path(path)
    if p.is_dir():
        return sorted(q for q in p.glob("*.toml") if q.is_file())
    if p.exists():
        return [p]
    raise RuleError("no such file or directory", path=str(p))


@cache
def _schema() -> dict[str, Any]:
    text = (Path(__file__).resolve().parent / "schemas" / "rules.schema.json").read_text("utf-8")
    return json.loads(text)


# --------------------------------------------------------------------------------------------
# Loading


class _GroupsOnly:
    """What the builder needs of a pattern it trusts without compiling: its named groups."""

    _NAMED = re.compile(r"\(\?P?<([A-Za-z_]\w*)>")

    def __init__(self, text: str) -> None:
        self.groupindex = {name: i for i, name in enumerate(self._NAMED.findall(text), start=1)}


class _Builder:
    """Builds one RuleFile, collecting every error with its line and field.

    ``trusted`` files (the built-in pack, validated by the test suite) skip the costly checks:
    compiling every pattern and dry-running every condition would double the start-up of a
    CI post-step; the engine compiles a pattern when a log first needs it.
    """

    def __init__(self, path: str, source: str, *, trusted: bool = False) -> None:
        self.path = path
        self.source = source
        self._positions: dict[tuple[str | int, ...], int] | None = None
        self.errors: list[RuleError] = []
        self.trusted = trusted

    @property
    def positions(self) -> dict[tuple[str | int, ...], int]:
        """Lines of fields, indexed only when an error or an example needs one."""
        if self._positions is None:
            self._positions = index_lines(self.source)
        return self._positions

    def error(self, where: Sequence[str | int], message: str) -> None:
        self.errors.append(
            RuleError(message, path=self.path, line=line_of(self.positions, where), field=dotted(where) or None)
        )

    def pattern(self, where: Sequence[str | int], text: str) -> regex.Pattern[str] | _GroupsOnly | None:
        if self.trusted:
            return _GroupsOnly(text)
        try:
            return regex.compile(text, REGEX_FLAGS)
        except regex.error as exc:
            col = f" at position {exc.pos}" if exc.pos is not None else ""
            self.error(where, f"invalid regular expression{col}: {exc.msg}")
        except (OverflowError, RecursionError, MemoryError):
            self.error(where, "regular expression too large or too deeply nested")
        return None


def _read_rule_source(path: str) -> str:
    return read_small_file(
        path,
        what="a rule file",
        limit=MAX_RULE_FILE_BYTES,
        error=lambda message, line: RuleError(message, path=path, line=line),
    )

def parse_toml(path: str, source: str) -> dict[str, Any]:
    """The rule file's TOML as data. Parsing is a third of start-up (the pack's descriptions are
    long), so what it gives is kept in the cache for that very source (a TOML date or time
    cannot be kept: such a file is parsed every time)."""
    data: dict[str, Any] = disk_cache.remembered("toml", source, lambda: _parse_toml(path, source))
    return data


def _parse_toml(path: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        # tomllib ends its message with "(at line L, column C)"; keep it as our line.
        text = str(exc)
        line = None
        if "(at line " in text:
            head, _, pos = text.rpartition(" (at line ")
            text = head
            try:
                line = int(pos.split(",")[0])
            except ValueError:
                line = None
        raise RuleError(f"TOML syntax error: {text}", path=path, line=line) from None
    except RecursionError:
        raise RuleError("TOML nested too deeply", path=path) from None


def validate_schema(path: str, data: dict[str, Any], source: str) -> None:
    """JSON-Schema validation of a parsed rule file; raises RuleErrors naming line and field."""
    import jsonschema  # costs ~0.2 s; only rule files from outside the package are validated at run time

    validator = jsonschema.Draft202012Validator(_schema())
    positions = index_lines(source)
    errors = []
    for err in sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        where = list(err.absolute_path)
        message = err.message
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            # Point at the unknown key itself rather than its table.
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            where = [*where, extra[0]] if extra else where
            message = f"unknown field (allowed: {', '.join(sorted(err.schema.get('properties', {})))})"
        elif err.validator == "oneOf" and where and where[0] == "signals":
            message = "a signal needs exactly one of `pattern` or `order`"
        if len(message) > 300:
            # jsonschema quotes the offending value whole: a deeply nested or huge value would
            # make a one-line error thousands of characters long.
            message = message[:150] + " … " + message[-100:]
        errors.append(
            RuleError(message, path=path, line=line_of(positions, where), field=dotted(where) or None)
        )
    if errors:
        raise RuleErrors(errors)


def load_rule_file(path: str | os.PathLike[str], *, validate: bool = True, builtin: bool = False) -> RuleFile:
    """Load, validate and compile one rule file. Raises RuleError or RuleErrors."""
    name = os.fspath(path)
    source = _read_rule_source(name)
    data = parse_toml(name, source)
    if validate and "format" not in data:
        # Not a rule file at all (a secret, another tool's settings): say so without quoting its
        # keys or values, which the schema's errors would put in a CI log.
        raise RuleError("not a rule file: it has no `format = 1` at its top (its contents are not shown)", path=name)
    if validate:
        validate_schema(name, data, source)
    try:
        return _build(name, source, data, builtin=builtin, trusted=not validate)
    except (RuleError, RuleErrors):
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # Only reachable with validate=False (the built-in pack, validated by its tests).
        raise RuleError(f"invalid rule file ({exc!r}); run `exitaudit rules lint`", path=name) from None


def _build(path: str, source: str, data: dict[str, Any], *, builtin: bool, trusted: bool = False) -> RuleFile:
    b = _Builder(path, source, trusted=trusted)
    tool = data["tool"]
    stem = Path(path).stem
    if stem != tool:
        b.error(["tool"], f"tool {tool!r} does not match the file name {stem}.toml")

    for i, pat in enumerate(data["detect"]["patterns"]):
        b.pattern(["detect", "patterns", i], pat)

    exit_status = []
    for i, entry in enumerate(data.get("exit_status", [])):
        compiled = b.pattern(["exit_status", i, "pattern"], entry["pattern"])
        if compiled is not None and "code" not in entry and "code" not in compiled.groupindex:
            b.error(["exit_status", i], "needs `code = N` or a named group (?P<code>...) in its pattern")
        exit_status.append(ExitStatusPattern(entry["pattern"], entry.get("code")))

    signals: dict[str, Signal] = {}
    for name, spec in data.get("signals", {}).items():
        where = ["signals", name]
        if name in RESERVED_NAMES:
            b.error(where, f"{name!r} is reserved; choose another signal name")
        signals[name] = _build_signal(b, where, name, spec)
    for name, sig in signals.items():
        if sig.order is not None:
            for other in sig.order:
                if other not in signals or signals[other].pattern is None:
                    b.error(["signals", name, "order"], f"{other!r} is not a pattern signal of this file")

    params = {
        name: Param(name, spec["default"], spec["description"]) for name, spec in data.get("params", {}).items()
    }

    checks: list[Check] = []
    seen: set[str] = set()
    broken: set[str] = set()
    for i, spec in enumerate(data.get("checks", [])):
        check = _build_check(b, i, tool, spec, signals, params)
        if check is None:
            broken.add(spec["id"])  # reported once, where it is; examples naming it say nothing more
            continue
        if check.id in seen:
            b.error(["checks", i, "id"], f"duplicate check id {check.id!r}")
        seen.add(check.id)
        checks.append(check)

    examples = []
    for i, spec in enumerate(data.get("examples", [])):
        for cid in spec.get("checks", []):
            if cid not in seen and cid not in broken:
                b.error(["examples", i, "checks"], f"no check {cid!r} in this file")
        for name, value in spec.get("params", {}).items():
            if name not in params:
                b.error(["examples", i, "params", name], f"no parameter {name!r} in this file")
            elif type(value) is not type(params[name].default):
                b.error(["examples", i, "params", name], f"must be of the type of its default ({type(params[name].default).__name__})")
        examples.append(
            Example(
                name=spec["name"],
                log=spec["log"],
                verdict=spec["verdict"],
                exit_code=spec.get("exit_code"),
                checks=tuple(spec["checks"]) if "checks" in spec else None,
                params=dict(spec.get("params", {})),
                index=i,
            )
        )

    exit_codes: dict[int, str] = {}
    for key, meaning in data.get("exit_codes", {}).items():
        try:
            exit_codes[int(key)] = meaning
        except ValueError:
            b.error(["exit_codes", key], "exit code keys are numbers from 0 to 255")

    aliases = tuple(data.get("aliases", ()))
    if tool in aliases:
        b.error(["aliases"], f"{tool!r} is the tool's own name, not an alias")

    if b.errors:
        raise b.errors[0] if len(b.errors) == 1 else RuleErrors(b.errors)
    return RuleFile(
        aliases=aliases,
        tool=tool,
        path=path,
        description=data["description"],
        detect=tuple(data["detect"]["patterns"]),
        min_matches=data["detect"].get("min_matches", 1),
        homepage=data.get("homepage", ""),
        versions=data.get("versions", ""),
        exit_codes=exit_codes,
        exit_status=tuple(exit_status),
        signals=signals,
        params=params,
        checks=tuple(checks),
        examples=tuple(examples),
        builtin=builtin,
    )


def _build_signal(b: _Builder, where: list[str | int], name: str, spec: dict[str, Any]) -> Signal:
    value = spec.get("value", "count")
    if "order" in spec:
        return Signal(name=name, order=tuple(spec["order"]), value="present", description=spec.get("description", ""))  # type: ignore[arg-type]
    compiled = b.pattern([*where, "pattern"], spec["pattern"])
    group = spec.get("group")
    if value in ("first", "last", "sum", "max", "min", "all") and compiled is not None:
        groups = list(compiled.groupindex)
        if group is None:
            if len(groups) == 1:
                group = groups[0]
            elif value in ("sum", "max", "min") or groups:
                b.error([*where, "group"], f"value = {value!r} needs `group`, or a pattern with exactly one named group")
        elif group not in groups:
            b.error([*where, "group"], f"the pattern has no named group {group!r}")
    typ = spec.get("type") or ("int" if value in ("sum", "max", "min") else "string")
    if value in ("sum", "max", "min") and typ != "int":
        b.error([*where, "type"], f"value = {value!r} adds or compares numbers; type must be int")
    if "followed_by" in spec:
        b.pattern([*where, "followed_by"], spec["followed_by"])
        if value not in ("count", "present"):
            b.error([*where, "value"], "a signal with followed_by counts sequences: value must be count or present")
    return Signal(
        name=name,
        pattern=spec["pattern"],
        value=value,
        group=group,
        type=typ,
        followed_by=spec.get("followed_by"),
        within=spec.get("within", 5),
        description=spec.get("description", ""),
    )


def _build_check(
    b: _Builder, i: int, tool: str, spec: dict[str, Any], signals: dict[str, Signal], params: dict[str, Param]
) -> Check | None:
    where: list[str | int] = ["checks", i]
    try:
        condition = Condition(spec["when"])
    except ConditionError as exc:
        b.error([*where, "when"], f"condition does not compile: {exc}")
        return None
    unknown = sorted(v for v in condition.variables - set(signals) - {"exit", "tool", "params"} if not _bound_in(v, spec["when"]))
    if unknown:
        b.error([*where, "when"], f"unknown signal(s) {', '.join(unknown)} (signals: {', '.join(sorted(signals)) or 'none'})")
        return None
    # Cost it before anything runs it (celcost.py): with every value at its limit, then with
    # the values of a log with no matches; only then the trial runs over every exit status.
    try:
        bound = condition.bound()
    except CostError as exc:
        b.error([*where, "when"], f"condition cannot be costed: {exc}")
        return None
    item: Size | None = None
    for p in params.values():
        item = join(item, param_size(p.default, costed=True))
    worst = bound.steps(condition_sizes(signals, tool, Size(len(params), item or SCALAR)))
    if worst > COST_MAX:
        b.error([*where, "when"], f"check {spec['id']!r}: its condition may cost up to {worst:.3g} steps with values at their limits (at most {COST_MAX:.0e}): fewer nested comprehensions, or over shorter lists")
        return None
    if not b.trusted:
        ctx: dict[str, Any] = {n: s.default() for n, s in signals.items()}
        ctx["exit"] = {"code": 0, "signal": "", "known": True, "meaning": ""}
        ctx["tool"] = tool
        ctx["params"] = {name: p.default for name, p in params.items()}
        trial = bound.steps_over(ctx)
        if trial > CONDITION_BUDGET:
            b.error([*where, "when"], f"check {spec['id']!r}: its condition costs {trial:.3g} steps on a log with no matches, over the budget of {CONDITION_BUDGET:.0e} (nest fewer comprehensions)")
            return None
        problem = trial_run(condition, spec["when"], tool, signals, params)
        if problem is not None:
            b.error([*where, "when"], problem)
            return None
    kind = Kind(spec["kind"])
    evidence = tuple(spec.get("evidence", sorted(v for v in condition.variables if v in signals)))
    for name in evidence:
        if name not in signals:
            b.error([*where, "evidence"], f"no signal {name!r}")
    for placeholder in _placeholders(spec["message"]):
        root, _, rest = placeholder.partition(".")
        known = placeholder in ("exit.code", "exit.signal", "exit.meaning", "tool") or (root == "params" and rest in params)
        if root not in signals and not known:
            b.error([*where, "message"], f"unknown placeholder {{{placeholder}}}")
    return Check(
        id=spec["id"],
        tool=tool,
        title=spec["title"],
        kind=kind,
        severity=Severity(spec["severity"]) if "severity" in spec else DEFAULT_SEVERITY[kind],
        when=condition,
        message=spec["message"],
        evidence=evidence,
        description=spec.get("description", ""),
        rationale=spec.get("rationale", ""),
        status=spec.get("status", "stable"),
        versions=spec.get("versions", ""),
        fixed_in=spec.get("fixed_in", ""),
        references=tuple(spec.get("references", ())),
        false_positives=tuple(spec.get("false_positives", ())),
    )


TRIAL_EXITS: tuple[tuple[int, str] | None, ...] = ((0, ""), (1, ""), (2, ""), (137, "SIGKILL"), (143, "SIGTERM"), None)
"""The exit statuses ``rules lint`` tries each condition with: success, the usual failures, death
by a signal, and unknown (None: a condition that reads ``exit`` is then skipped, as in an audit)."""


def _matched(sig: Signal) -> Any:
    """A value the signal takes when lines matched (the other side of ``Signal.default``)."""
    if sig.order is not None or sig.value == "present":
        return True
    if sig.value == "all":
        return [1] if sig.type == "int" else ["x"]
    if sig.value in ("count", "sum", "max", "min") or sig.type == "int":
        return 1
    return "x"


def _describe_exit(trial: tuple[int, str] | None) -> str:
    if trial is None:
        return "an unknown exit status"
    code, name = trial
    return f"exit {code} ({name})" if name else f"exit {code}"


def trial_run(condition: Condition, source: str, tool: str, signals: dict[str, Signal], params: dict[str, Param]) -> str | None:
    """Why the condition fails or yields no boolean for some log, or None. It is evaluated for
    every exit status of TRIAL_EXITS with every signal unmatched, each signal matched alone, and
    all matched, so that a type error behind ``exit.code >= 2 && ...`` or behind a matched
    signal surfaces at lint time, not as audit-incomplete mid-audit. The message names the exit
    status, the signal (found by giving it a value of another type) and its column."""
    read = [n for n in signals if n in condition.variables]
    variants: list[tuple[str | None, dict[str, Any]]] = [(None, {})]
    variants += [(n, {n: _matched(signals[n])}) for n in read]
    if len(read) > 1:
        variants.append(("*", {n: _matched(signals[n]) for n in read}))
    base: dict[str, Any] = {n: sig.default() for n, sig in signals.items()}
    base["tool"] = tool
    base["params"] = {name: p.default for name, p in params.items()}
    for trial in TRIAL_EXITS:
        if trial is None and "exit" in condition.variables:
            continue  # skipped in an audit too
        for matched, values in variants:
            ctx = {**base, **values}
            if trial is not None:
                code, name = trial
                ctx["exit"] = {"code": code, "signal": name, "known": True, "meaning": "undocumented"}
            try:
                result = condition.evaluate(ctx)
            except Exception as exc:  # noqa: BLE001 - cel raises several types; all mean "bad condition"
                when = _describe_exit(trial) + (
                    "" if matched is None else " and every signal matched" if matched == "*" else f" and signal {matched!r} matched"
                )
                return f"condition fails with {when}{_culprit(condition, source, ctx, read)}: {_first_sentence(exc)}"
            if not isinstance(result, bool):
                return f"condition must be true or false, got {type(result).__name__} (with {_describe_exit(trial)})"
    return None


def _culprit(condition: Condition, source: str, ctx: dict[str, Any], read: list[str]) -> str:
    """``: signal 'x' (a string) at column N`` for the signal whose value makes the condition
    fail: the one that, given a value of another type, lets it evaluate."""
    for name in read:
        for other in (0, "", False, []):
            if type(other) is type(ctx[name]):
                continue
            try:
                condition.evaluate({**ctx, name: other})
            except Exception:  # noqa: BLE001
                continue
            m = re.search(r"(?<![\w.])" + re.escape(name) + r"(?!\w)", source)
            column = f" at column {m.start() + 1}" if m else ""
            return f", through signal {name!r} ({_type_word(ctx[name])}){column}"
    return ""


def _type_word(value: Any) -> str:
    return {bool: "a boolean", int: "an int", str: "a string", list: "a list"}.get(type(value), type(value).__name__)


def _first_sentence(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


# Our own patterns use the standard library's re: regex's compile is slow at import time.
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def _placeholders(template: str) -> list[str]:
    return _PLACEHOLDER.findall(template)


def _bound_in(name: str, expression: str) -> bool:
    """Whether ``name`` is bound by a comprehension macro (``x`` in ``list.exists(x, ...)``)."""
    return re.search(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*" + re.escape(name) + r"\s*,", expression) is not None


ALL_VALUES_MAX = 1000
"""A signal with value = "all" keeps at most this many values, so memory stays bounded."""
PARAM_ITEMS_COSTED = 64
"""Items of a list parameter a condition's cost is bounded for when it loads (its default's, if
longer); at run time the values given are costed as they are."""
VALUE_MAX = 4096
"""Characters kept of one signal value (and of one placeholder's text in a message): a log line
can be megabytes long, and a value is kept for each of thousands of logs."""
MESSAGE_MAX = 16384
"""Characters kept of one rendered message."""


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how many were cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…[{len(text) - limit} characters cut]"


def param_size(value: Any, *, costed: bool = False) -> Size:
    """The cost bound of a parameter's value; ``costed``: of any value a user may give it."""
    size = size_of(value)
    if costed and isinstance(value, list):
        return Size(max(size.n, PARAM_ITEMS_COSTED), join(size.item, Size(VALUE_MAX)))
    if costed and isinstance(value, str):
        return Size(max(size.n, VALUE_MAX))
    return size


def condition_sizes(signals: dict[str, Signal], tool: str, params: Size) -> dict[str, Size]:
    """Bounds on every value a condition of the tool reads, at their limits."""
    text = Size(VALUE_MAX + 32)  # a value cut to VALUE_MAX says so in a few characters more
    sizes = {}
    for name, sig in signals.items():
        if sig.order is not None or sig.value in ("count", "present", "sum", "max", "min"):
            sizes[name] = SCALAR
        elif sig.value == "all":
            sizes[name] = Size(ALL_VALUES_MAX, SCALAR if sig.type == "int" else text)
        else:
            sizes[name] = SCALAR if sig.type == "int" else text
    sizes["exit"] = Size(4, text)
    sizes["tool"] = Size(len(tool))
    sizes["params"] = params
    return sizes


def render_message(template: str, values: dict[str, Any]) -> str:
    """Fill ``{name}`` placeholders. Deliberately not str.format: a rule file from an untrusted
    repository must not reach attributes of Python objects (``{x.__class__}``). Each filled-in
    text and the whole message are cut to their limits (VALUE_MAX, MESSAGE_MAX)."""
    limit = VALUE_MAX + 64  # a signal's value, cut already, keeps the note of its length

    def fill(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        if value is None:
            return m.group(0)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            shown = []
            size = 0
            for item in value:  # joined only as far as will be kept
                shown.append(str(item))
                size += len(shown[-1]) + 2
                if size > limit:
                    break
            text = ", ".join(shown)
            if len(shown) < len(value):
                return cut(text, limit) + f" (and {len(value) - len(shown)} more)"
            return cut(text, limit)
        return cut(str(value), limit)

    return cut(_PLACEHOLDER.sub(fill, template), MESSAGE_MAX)


def load_rules(
    extra: Sequence[str | os.PathLike[str]] = (),
    *,
    builtin: bool = True,
) -> RuleSet:
    """The built-in pack plus the user's rule files or directories; a user file for the same
    tool replaces the built-in one. All errors in all files are raised together."""
    files: dict[str, RuleFile] = {}
    errors: list[RuleError] = []
    sources: list[tuple[Path, bool]] = []
    if builtin:
        sources += [(p, True) for p in rule_paths(builtin_rules_dir())]
    for entry in extra:
        try:
            sources += [(p, False) for p in rule_paths(entry)]
        except RuleError as exc:
            errors.append(exc)
    for path, is_builtin in sources:
        try:
            rf = load_rule_file(path, validate=not is_builtin, builtin=is_builtin)
        except RuleErrors as exc:
            errors.extend(exc.errors)
            continue
        except RuleError as exc:
            errors.append(exc)
            continue
        files[rf.tool] = rf
    if errors:
        raise errors[0] if len(errors) == 1 else RuleErrors(errors)
    return RuleSet(files)


def example_line(rf: RuleFile, example: Example) -> int | None:
    return line_of(index_lines(_read_rule_source(rf.path)), ["examples", example.index])


def slow_patterns(rf: RuleFile) -> list[RuleError]:
    """Patterns without a literal for the prefilter: correct, but they run on every line of
    every log and slow all audits. ``rules lint`` reports them as warnings."""
    from .prefilter import required_literals

    positions = index_lines(_read_rule_source(rf.path))
    fields: list[tuple[list[str | int], str]] = [(["detect", "patterns", i], p) for i, p in enumerate(rf.detect)]
    fields += [(["exit_status", i, "pattern"], e.pattern) for i, e in enumerate(rf.exit_status)]
    fields += [(["signals", n, "pattern"], s.pattern) for n, s in rf.signals.items() if s.pattern is not None]
    fields += [(["signals", n, "followed_by"], s.followed_by) for n, s in rf.signals.items() if s.followed_by is not None]
    warnings = []
    for where, pattern in fields:
        if where[-1] != "followed_by" and required_literals(pattern) is None:
            warnings.append(RuleError(
                "warning: no literal of 3 or more characters that every match contains, so this pattern"
                " runs on every line of every log; add one (e.g. a fixed word) to keep audits fast",
                path=rf.path,
                line=line_of(positions, where),
                field=dotted(where),
            ))
        why = backtracking_risk(pattern)
        if why:
            warnings.append(RuleError(
                f"warning: {why}: on a long line this pattern can backtrack for ever and will be"
                " stopped by the regex time limit, skipping its checks; rewrite it so that each"
                " character can be matched only one way",
                path=rf.path,
                line=line_of(positions, where),
                field=dotted(where),
            ))
    return warnings


# A static check for catastrophic backtracking (ReDoS), deliberately conservative: it flags only
# the two classic shapes, a quantifier repeating something that is itself only a quantifier
# (`(a+)+`, `(\s*\w+)*`), and a quantifier over an alternation two of whose branches can start
# with the same character (`(a|a)*`, `(\w|\d)+`). Anything it cannot analyse is not flagged.

_UNIVERSE = range(256)


def backtracking_risk(pattern: str) -> str | None:
    """Why ``pattern`` risks catastrophic backtracking, or None."""
    try:
        import re._parser as sre_parse  # type: ignore[import-not-found]
    except ImportError:  # Python < 3.11
        import sre_parse  # type: ignore[no-redef]
    # The stdlib parser rewrites `(a|a)` as `a(?:|)` and `(\w|\d)` as `[\w\d]`, hiding the very
    # alternations looked for; parse with those two rewrites turned off (lint only, one thread).
    with _LITERAL_ALTERNATIONS:
        original = sre_parse._parse_sub
        sre_parse._parse_sub = _plain_parse_sub(sre_parse)
        try:
            tree = sre_parse.parse(pattern)
        except Exception:  # noqa: BLE001 - syntax only `regex` knows: no opinion
            return None
        finally:
            sre_parse._parse_sub = original
    try:
        return _risk(list(tree), sre_parse)
    except RecursionError:
        return None


_LITERAL_ALTERNATIONS = __import__("threading").Lock()


def _plain_parse_sub(sp: Any) -> Any:
    """The stdlib's ``_parse_sub`` without its prefix factoring and branch-to-class rewrites."""

    def parse_sub(source: Any, state: Any, verbose: Any, nested: int) -> Any:
        items = []
        while True:
            items.append(sp._parse(source, state, verbose, nested + 1, not nested and not items))
            if not source.match("|"):
                break
            if not nested:
                verbose = state.flags & sp.SRE_FLAG_VERBOSE
        if len(items) == 1:
            return items[0]
        sub = sp.SubPattern(state)
        sub.append((sp.BRANCH, (None, items)))
        return sub

    return parse_sub


def _risk(items: list[Any], sp: Any) -> str | None:
    c = sp  # the constants live in the parser's namespace
    for op, av in items:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            lo, hi, body = av
            body = list(body)
            if op is not getattr(c, "POSSESSIVE_REPEAT", None) and hi == c.MAXREPEAT:
                if _only_a_repeat(body, c):
                    return "nested quantifiers (a repeated group that is itself only a repetition, as in (a+)+)"
                alts = _alternation(body, c)
                if alts is not None:
                    firsts = [_first_chars(list(a), c) for a in alts]
                    known = [f for f in firsts if f is not None]
                    for i, a in enumerate(known):
                        for b in known[i + 1:]:
                            if a & b:
                                return "a repeated alternation whose branches can match the same character (as in (a|a)*)"
            why = _risk(body, c)
            if why:
                return why
        elif op == c.SUBPATTERN:
            why = _risk(list(av[-1]), c)
            if why:
                return why
        elif op == c.BRANCH:
            for alt in av[1]:
                why = _risk(list(alt), c)
                if why:
                    return why
        elif op in (c.ASSERT, c.ASSERT_NOT):
            why = _risk(list(av[1]), c)
            if why:
                return why
    return None


def _unwrap(items: list[Any], c: Any) -> list[Any]:
    while len(items) == 1 and items[0][0] == c.SUBPATTERN:
        items = list(items[0][1][-1])
    return items


def _min_width(items: list[Any]) -> int:
    import re._parser as sre_parse  # type: ignore[import-not-found]

    sub = sre_parse.SubPattern(sre_parse.State(), list(items))
    return sub.getwidth()[0]


def _only_a_repeat(body: list[Any], c: Any) -> bool:
    """The repeated body is an unbounded repetition plus only parts that may match nothing."""
    body = _unwrap(body, c)
    repeats = [i for i, (op, av) in enumerate(body) if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[1] == c.MAXREPEAT and av[0] > 0 and _min_width(list(av[2])) > 0]
    if len(repeats) != 1:
        return False
    rest = [item for i, item in enumerate(body) if i != repeats[0]]
    try:
        return all(_min_width([item]) == 0 for item in rest)
    except Exception:  # noqa: BLE001
        return False


def _alternation(body: list[Any], c: Any) -> list[Any] | None:
    body = _unwrap(body, c)
    if len(body) == 1 and body[0][0] == c.BRANCH:
        return list(body[0][1][1])
    if len(body) == 1 and body[0][0] == c.IN:
        return None  # a character class matches one character one way
    return None


def _first_chars(items: list[Any], c: Any) -> set[int] | None:
    """The characters (below 256) a branch can start with, or None when unsure."""
    items = _unwrap(items, c)
    if not items:
        return None
    op, av = items[0]
    if op == c.LITERAL:
        return {av} if av < 256 else set()
    if op == c.NOT_LITERAL:
        return set(_UNIVERSE) - {av}
    if op == c.ANY:
        return set(_UNIVERSE) - {10}
    if op == c.IN:
        return _class_chars(list(av), c)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] > 0:
        return _first_chars(list(av[2]), c)
    if op == c.SUBPATTERN:
        return _first_chars(list(av[-1]), c)
    return None


_CATEGORY_TEST = {
    "CATEGORY_DIGIT": lambda ch: chr(ch).isdigit(),
    "CATEGORY_NOT_DIGIT": lambda ch: not chr(ch).isdigit(),
    "CATEGORY_SPACE": lambda ch: chr(ch).isspace(),
    "CATEGORY_NOT_SPACE": lambda ch: not chr(ch).isspace(),
    "CATEGORY_WORD": lambda ch: chr(ch).isalnum() or ch == 95,
    "CATEGORY_NOT_WORD": lambda ch: not (chr(ch).isalnum() or ch == 95),
}


def _class_chars(items: list[Any], c: Any) -> set[int] | None:
    out: set[int] = set()
    negate = False
    for op, av in items:
        if op == c.NEGATE:
            negate = True
        elif op == c.LITERAL:
            out.add(av)
        elif op == c.RANGE:
            out.update(range(av[0], min(av[1], 255) + 1))
        elif op == c.CATEGORY:
            test = _CATEGORY_TEST.get(str(av))
            if test is None:
                return None
            out.update(ch for ch in _UNIVERSE if test(ch))
        else:
            return None
    return set(_UNIVERSE) - out if negate else out
