"""Reporters: one module per output format, each a function from a Report to text.

A reporter decides nothing: findings, verdicts and severities come from the engine, and whether
the run fails comes from ``Report.failing``. Adding a format is adding a module here.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Report

Renderer = Callable[[Report], str]


def renderer(name: str, *, junit_strict: bool = False, color: bool = False, quiet: bool = False) -> Renderer:
    """``color`` (ANSI colours) and ``quiet`` (only logs with findings) apply to the text
    format only: the others are read by programs, which want every log."""
    if name == "text":
        from .text import render as render_text

        return (lambda report: render_text(report, color=color, quiet=quiet)) if color or quiet else render_text
    elif name == "json":
        from .json import render
    elif name == "junit":
        from .junit import render as render_junit

        return lambda report: render_junit(report, strict=junit_strict)
    elif name == "github":
        from .github import render
    elif name == "sarif":
        from .sarif import render
    elif name == "gitlab":
        from .gitlab import render
    else:
        raise ValueError(f"unknown format {name!r}")
    return render


FORMATS = ("text", "json", "junit", "github", "sarif", "gitlab")
