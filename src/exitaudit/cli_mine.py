"""``exitaudit mine``: the command line of mining (mining/), wired like ``batch``'s. Registered on
the app by cli.py; imports nothing heavy until it runs."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli import ConfigOption, HtmlOption, NoConfigOption, ParamOption, PlatformOption, RulesOption, _check_platform, _configured, _limits, _params, _say, app
from .errors import UsageError
from .exitcodes import ExitCode


class MineFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    parquet = "parquet"
    csv = "csv"


def _format_of(path: str | None, given: MineFormat | None) -> MineFormat:
    if given is not None:
        return given
    if path is None or path == "-":
        return MineFormat.json
    for fmt in MineFormat:
        if path.endswith(f".{fmt.value}"):
            return fmt
    raise UsageError(f"cannot tell the format of {path!r} from its name: give --format json|jsonl|parquet|csv", where="--output")


@app.command("mine")
def mine_command(
    sources: Annotated[list[str], typer.Argument(metavar="SOURCE...", help="As for batch: manifests with an exit code column, directories with sidecars, or quoted globs.")],
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="The report: JSON (templates and candidates), or the candidates as JSON Lines, Parquet or CSV.")] = None,
    fmt: Annotated[Optional[MineFormat], typer.Option("--format", "-f", help="Format of -o (default: from its extension; json on standard output).")] = None,
    templates_out: Annotated[Optional[str], typer.Option("--templates", metavar="FILE", help="The templates table (.csv, .tsv, .jsonl or .parquet).")] = None,
    suggest: Annotated[Optional[Path], typer.Option("--suggest-rules", metavar="DIR", help="Write a draft rule file per cluster of failure templates (each passes rules lint and rules test).")] = None,
    min_support: Annotated[int, typer.Option("--min-support", min=1, help="Failing runs a failure template must be seen in.")] = 3,
    min_score: Annotated[float, typer.Option("--min-score", min=0.0, max=1.0, help="Lowest score of a failure template (0: the base failure rate, 1: certain).")] = 0.3,
    max_share: Annotated[float, typer.Option("--max-share", min=0.0, max=1.0, help="A template in more than this share of all runs is a line of every run, never a failure template.")] = 0.5,
    top: Annotated[int, typer.Option("--top", min=1, help="Templates in the report.")] = 200,
    path_column: Annotated[str, typer.Option("--path-column", metavar="NAME", help="Manifest column of log paths.")] = "path",
    exit_column: Annotated[str, typer.Option("--exit-column", metavar="NAME", help="Manifest column of exit codes.")] = "exit_code",
    tool_column: Annotated[Optional[str], typer.Option("--tool-column", metavar="NAME", help="Manifest column of tools.")] = None,
    tool: Annotated[Optional[list[str]], typer.Option("--tool", "-t", metavar="NAME", help="Audit as this tool's log where a manifest names none; default: detect.")] = None,
    rules: RulesOption = None,
    param: ParamOption = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", metavar="N", min=1, help="Worker processes; default: the CPUs available.")] = None,
    dask: Annotated[Optional[str], typer.Option("--dask", metavar="ADDRESS", help="Mine on a Dask cluster (tcp://HOST:8786, or local).")] = None,
    config_file: ConfigOption = None,
    no_config: NoConfigOption = False,
    platform: PlatformOption = None,
    html_out: HtmlOption = None,
) -> None:
    """Find the lies no rule knows yet: lines that come with failing exits, seen in runs that exited 0."""
    from . import batch as b
    from .engine import Engine
    from .mining import collect
    from .mining.score import Params
    from .mining.session import mine
    from .parallel import available_cpus

    out_format = _format_of(output, fmt)
    if templates_out is not None:
        b.table_format(templates_out, "--templates")
    from .output import check_distinct

    check_distinct([("--output", output), ("--templates", templates_out), ("--html", html_out)])
    if output == "-" and out_format is MineFormat.parquet:
        raise UsageError("Parquet cannot go to standard output: give -o FILE", where="--format")
    if output not in (None, "-") and out_format in (MineFormat.csv, MineFormat.parquet) and b.table_format(output, "--output") != out_format.value:
        raise UsageError(f"{output!r} is not named .{out_format.value}, the --format given", where="--output")
    cfg, ruleset = _configured(config_file, no_config, rules)
    unknown = [t for t in tool or [] if ruleset.get(t) is None]
    if unknown:
        raise UsageError(f"unknown tool {', '.join(unknown)}; known tools: {', '.join(sorted(ruleset.files))}", where="--tool")
    engine = Engine(ruleset, params=cfg.merged_params(_params(ruleset, param or [])), fast=True, **_limits(None, cfg))
    engine.prepare(tool)
    _check_platform(platform)
    engine.ci_platform = platform  # type: ignore[attr-defined]  # as batch: read by collect.mine_one
    from .mining import session

    session.PLATFORM = platform
    collect.set_engine(engine)
    params = Params(min_support=min_support, min_score=min_score, max_share=max_share, top=top)
    cluster = None
    pool = None
    if dask is not None:
        from .distributed import DaskCluster

        cluster = DaskCluster(dask, workers=jobs).__enter__()
    else:
        pool = b.make_pool(jobs if jobs is not None else available_cpus())
    try:
        todo = b.collect(sources, b.Columns(path=path_column, exit=exit_column, tool=tool_column), known_tools=ruleset.files, default_tools=tool)
        tasks = [(j.source, j.status, j.tools, j.error) for j in todo.jobs]
        if cluster is not None:
            outcomes = cluster.audit_all(tasks, engine, chunk_work=collect.mine_chunk)
        else:
            outcomes = b.audit_all(tasks, pool, work=collect.mine_task)
        result = mine(tasks, outcomes, params, say=_say)
    finally:
        b.close_pool(pool)
        if cluster is not None:
            cluster.close()
    try:
        _write(result, output, out_format, templates_out, html_out)
        if suggest is not None:
            from .mining.drafts import write_drafts

            written, skipped = write_drafts(result, suggest, set(ruleset.files))
            for why in skipped:
                _say(why)
            print(f"{len(written)} draft rule file(s) written to {suggest}", file=sys.stderr)
    finally:
        result.close()
    if result.unreadable:
        raise typer.Exit(ExitCode.ERROR)
    raise typer.Exit(ExitCode.CLEAN)


def _write(result, output: str | None, out_format: MineFormat, templates_out: str | None, html_out: str | None = None) -> None:  # type: ignore[no-untyped-def]
    from . import batch as b
    from .mining import report
    from .output import write_report

    staged = b.Staged()
    try:
        if output and output != "-":
            if out_format is MineFormat.json:
                staged.write_text(output, report.render_json(result))
            elif out_format is MineFormat.jsonl:
                staged.write_text(output, report.render_jsonl(result))
            else:
                staged.write_table(output, report.candidates_frame(result))
        if templates_out:
            staged.write_table(templates_out, report.templates_frame(result))
        if html_out:
            from .cli import _log_link
            from .reporters.html_mine import render as render_html

            staged.write_text(html_out, render_html(result, link=lambda source: _log_link(source, html_out)))
        staged.commit()
    finally:
        staged.discard()
    if output == "-":
        rendered = {MineFormat.json: report.render_json, MineFormat.jsonl: report.render_jsonl}.get(out_format)
        write_report("-", rendered(result) if rendered else report.candidates_frame(result).write_csv())
    elif sys.stdout.isatty():
        report.print_table(result)
    else:
        write_report("-", report.plain(result))
