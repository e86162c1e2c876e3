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


class ConditionError(ValueError):
    """A condition that does not compile; the message points at the column."""


class Condition:
    """A compiled CEL condition, with the variables it reads."""

    __slots__ = ("source", "_program", "variables")

    def __init__(self, source: str) -> None:
        self.source = source
        try:
            self._program = _extension().compile(source)
        except ValueError as exc:
            raise ConditionError(_tidy(str(exc))) from None
        # Variables are the top-level names the expression reads (``exit``, signal names), so the
        # engine can skip a check whose inputs it does not have (an unknown exit status).
        self.variables = frozenset(v.split(".")[0] for v in self._program.variables())

    def evaluate(self, context: dict[str, Any]) -> Any:
        return self._program.execute(context)


def prepared(values: dict[str, Any]) -> Any:
    """Values converted to CEL once, for several conditions over the same facts: converting a
    dict on every evaluation costs about 100 times the evaluation itself."""
    return _extension().Context(values)


def _tidy(message: str) -> str:
    """Keep cel's position, reason and caret, drop its repetition of the whole expression."""
    head, sep, rest = message.partition("ERROR: ")
    text = rest if sep else head
    return text.replace("<input>:", "at ", 1).rstrip()
