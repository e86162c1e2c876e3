"""Conditions in Common Expression Language, compiled by the Rust-backed ``cel`` package.

``import cel`` costs about 0.3 s because the package's ``__init__`` also imports its interactive
command line (typer, prompt_toolkit, pygments). exitaudit needs only the compiled extension
module ``cel.cel``, which loads in about 0.02 s on its own, so we load that file directly,
without running the package's ``__init__``. If the package layout ever changes, we fall back
to the ordinary import: slower start-up, same behaviour.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
from functools import cache
from types import ModuleType
from typing import Any


@cache
def _extension() -> ModuleType:
    spec = importlib.util.find_spec("cel")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "cel" + suffix)
            if os.path.exists(path):
                loader = importlib.machinery.ExtensionFileLoader("cel.cel", path)
                ext_spec = importlib.util.spec_from_loader("cel.cel", loader)
                if ext_spec is None:
                    continue
                module = importlib.util.module_from_spec(ext_spec)
                loader.exec_module(module)
                return module
    import cel  # pragma: no cover - the slow path, only if the wheel's layout changes

    return cel  # pragma: no cover


MATCHES_TIMEOUT = 0.1
"""Seconds the regex module may spend on a condition's ``matches()``, computed ahead for cel."""


class ConditionError(ValueError):
    """A condition that does not compile; the message points at the column."""


class Condition:
    """A compiled CEL condition, with the variables it reads."""

    __slots__ = ("source", "_program", "variables", "_fast", "_matches", "_bound")

    def __init__(self, source: str) -> None:
        self.source = source
        try:
            self._program = _extension().compile(source)
        except ValueError as exc:
            raise ConditionError(_tidy(str(exc))) from None
        # Variables are the top-level names the expression reads (``exit``, signal names), so the
        # engine can skip a check whose inputs it does not have (an unknown exit status).
        self.variables = frozenset(v.split(".")[0] for v in self._program.variables())
        self._fast, self._matches = _precompute_matches(source)
        self._bound: Any = None

    def bound(self) -> Any:
        """The condition's cost bound (celcost.Bound), parsed on first use; raises
        celcost.CostError for a source it cannot read."""
        if self._bound is None:
            from .celcost import bound

            self._bound = bound(self.source)
        return self._bound

    def add_matches(self, values: dict[str, Any]) -> None:
        """Add to ``values`` the outcome of each ``signal.matches(r"literal")`` of the condition,
        for evaluate() to read instead of calling matches(): cel compiles the regular expression
        on every call (about 0.25 ms, a quarter of a small log's audit), Python once."""
        for name, variable, text in self._matches:
            value = values.get(variable)
            if name not in values and isinstance(value, str):
                pattern = _compiled(text)
                if pattern is not None:  # else evaluate() lets cel call matches() itself
                    try:
                        values[name] = pattern.search(value, timeout=MATCHES_TIMEOUT) is not None
                    except TimeoutError:
                        pass  # left to cel, whose regular expressions run in linear time

    def evaluate(self, values: dict[str, Any], prepared: Any = None) -> Any:
        """The condition's value over ``values``, or over ``prepared``: the same values (after
        add_matches) converted once by prepared() for several conditions."""
        program = self._program
        if self._fast is not None and all(name in values for name, _v, _p in self._matches):
            program = self._fast
        return program.execute(values if prepared is None else prepared)

    def __reduce__(self) -> tuple[type[Condition], tuple[str]]:
        # A compiled program does not pickle; its source does, and recompiles in microseconds
        # (an engine shipped to Dask workers carries its conditions this way).
        return (Condition, (self.source,))


# A CEL string literal (raw or not, in any quotes), or a call `variable.matches(literal)`.
# Matched left to right in one pass, so a call spelled inside a string literal is passed over
# with the literal.
_LITERAL = (
    r'''(?:[rR]?"""[\s\S]*?"""|[rR]?\'\'\'[\s\S]*?\'\'\''''
    r'''|[rR]"[^"\n]*"|[rR]'[^'\n]*\''''
    r'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')'''
)
_CALL_OR_LITERAL = re.compile(
    r"(?<![\w.])(?P<variable>[A-Za-z_]\w*)\s*\.\s*matches\s*\(\s*(?P<literal>" + _LITERAL + r")\s*\)|" + _LITERAL
)


_MATCH_NAMES: dict[tuple[str, str], str] = {}


def _literal_text(literal: str) -> str | None:
    """The text of a CEL string literal: raw, or plain without escapes (others: None)."""
    raw = literal[0] in "rR"
    body = literal[1:] if raw else literal
    quote = 3 if body[:3] in ('"""', "'''") else 1
    text = body[quote:-quote]
    return text if raw or "\\" not in text else None


def _precompute_matches(source: str) -> tuple[Any, tuple[tuple[str, str, str], ...]]:
    """The condition with each ``variable.matches(literal)`` replaced by a variable of its own,
    and what each stands for (name, variable, pattern); (None, ()) when there is none, or one
    cannot be replaced."""
    parts: list[str] = []
    found: list[tuple[str, str, str]] = []
    last = 0
    for m in _CALL_OR_LITERAL.finditer(source):
        if m.group("variable") is None:
            continue
        text = _literal_text(m.group("literal"))
        if text is None:
            return None, ()
        # One name per (variable, pattern) in this process: conditions of a tool share one
        # dict of values, and the same call in two of them is the same value.
        name = _MATCH_NAMES.setdefault((m.group("variable"), text), f"__matches{len(_MATCH_NAMES)}")
        found.append((name, m.group("variable"), text))
        parts += [source[last : m.start()], name]
        last = m.end()
    if not found:
        return None, ()
    try:
        fast = _extension().compile("".join(parts) + source[last:])
    except ValueError:
        return None, ()
    return fast, tuple(found)


_PATTERNS: dict[str, Any] = {}


def _compiled(text: str) -> Any:
    """The pattern compiled by the ``regex`` module, on first use (start-up compiles nothing a
    log does not need); None when the module warns or fails on it, which leaves it to cel: the
    syntax both accept without complaint means the same in both."""
    if text not in _PATTERNS:
        import warnings

        import regex

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                _PATTERNS[text] = regex.compile(text)
        except (regex.error, Warning):
            _PATTERNS[text] = None
    return _PATTERNS[text]


def prepared(values: dict[str, Any]) -> Any:
    """Values converted to CEL once, for several conditions over the same facts: converting a
    dict on every evaluation costs about 100 times the evaluation itself."""
    return _extension().Context(values)


def _tidy(message: str) -> str:
    """One line: cel's position and reason of its first error, without its repetition of the
    expression and its caret lines (an error is one line on stderr), and how many more."""
    head, sep, rest = message.partition("ERROR: ")
    errors = (rest if sep else head).split("ERROR: ")
    lines = [line for line in errors[0].splitlines() if line.strip() and not line.startswith("| ")]
    first = (lines[0] if lines else message.strip().splitlines()[0] if message.strip() else "invalid").replace("<input>:", "at ", 1).rstrip()
    return first + (f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else "")
