"""The command line. It only wires the pieces: readers -> engine -> reporters -> exit code.

Every way out goes through ``main``: a user error is one line on stderr and exit 2, a crash of
exitaudit itself is one line and exit 2 too (never 1, which means "mismatches found").
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import ExitauditError, InputError, RuleError, RuleErrors, UsageError
from .exitcodes import ExitCode
from .model import ExitStatus, Origin, Report, RunResult, Severity, Unreadable
from .output import check_distinct, write_reports

app = typer.Typer(
    name="exitaudit",
    help="Audit finished runs: compare a captured log with the exit code the run recorded.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
rules_app = typer.Typer(help="List, show, test and lint rule files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


class Format(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"
    github = "github"
    sarif = "sarif"
    gitlab = "gitlab"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"


class ColorChoice(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


# Options that several commands share, declared once.
RulesOption = Annotated[Optional[list[Path]], typer.Option("--rules", "-r", metavar="PATH", help="Extra rule file or directory (repeatable); replaces a built-in file of the same tool.")]
JsonOption = Annotated[Optional[str], typer.Option("--json", metavar="FILE", help="Also write a JSON report.")]
JunitOption = Annotated[Optional[str], typer.Option("--junit", metavar="FILE", help="Also write a JUnit XML report.")]
JunitStrictOption = Annotated[bool, typer.Option("--junit-strict", help="JUnit without testcase file/line, for Jenkins' xunit schema.")]
SarifOption = Annotated[Optional[str], typer.Option("--sarif", metavar="FILE", help="Also write SARIF 2.1.0 (GitHub code scanning).")]
GitlabOption = Annotated[Optional[str], typer.Option("--gitlab", metavar="FILE", help="Also write a GitLab Code Quality report.")]
StepSummaryOption = Annotated[bool, typer.Option("--step-summary", help="Append a Markdown summary to $GITHUB_STEP_SUMMARY.")]
FailOnOption = Annotated[Optional[FailOn], typer.Option("--fail-on", help="Lowest severity that makes the exit code 1 (default: the config's fail_on, else error).")]
ParamOption = Annotated[Optional[list[str]], typer.Option("--param", "-p", metavar="TOOL.NAME=VALUE", help="Set a rule file's parameter (repeatable; a list parameter takes every value).")]
PlatformOption = Annotated[Optional[str], typer.Option("--platform", metavar="NAME", help="The CI platform whose job log this is (github-actions, gitlab-ci, jenkins, travis, circleci, azure-pipelines, buildkite, teamcity); auto (default) detects it, none reads the log as it is. See docs/ci-logs.md.")]
ConfigOption = Annotated[Optional[Path], typer.Option("--config", metavar="FILE", help="Configuration file (default: exitaudit.toml or pyproject.toml [tool.exitaudit] here or above).")]
NoConfigOption = Annotated[bool, typer.Option("--no-config", help="Read no configuration file.")]
HtmlOption = Annotated[Optional[str], typer.Option("--html", metavar="FILE", help="Also write a self-contained HTML page (opens offline; keep it as a CI artefact).")]
DeadlineOption = Annotated[Optional[float], typer.Option("--deadline", metavar="SECONDS", min=0.001, help="Seconds one log's scan may take; past it the log is audit-incomplete (default: the configuration's deadline, else 60).")]
RulesListingOption = Annotated[Optional[list[Path]], typer.Option("--rules", "-r", metavar="PATH", help="Extra rule file or directory.")]


def _check_platform(platform: str | None) -> None:
    """An unknown --platform is refused before any log is read."""
    if platform not in (None, "auto", "none"):
        from .envelope import named

        named(platform)


def _say(message: str) -> None:
    try:
        print(f"exitaudit: {message}", file=sys.stderr, flush=True)
    except OSError:
        pass  # standard error on a full disk: nowhere left to say it


def _version(value: bool) -> None:
    if value:
        print(f"exitaudit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    pass


def _load(rules: list[Path] | None, builtin: bool = True):  # type: ignore[no-untyped-def]
    from .rules import load_rules

    return load_rules([str(p) for p in rules or []], builtin=builtin)


# --------------------------------------------------------------------------------------------
# check


@app.command()
def check(
    logs: Annotated[list[str], typer.Argument(metavar="LOG...", help="Log files to audit; - reads standard input. gzip, bz2 and xz are read as they are.")],
    exit_codes: Annotated[Optional[list[str]], typer.Option("--exit-code", "-e", metavar="N", help="The exit code the run recorded (as $? shows it); once.", show_default=False)] = None,
    exit_code_files: Annotated[Optional[list[Path]], typer.Option("--exit-code-file", metavar="FILE", help="A file holding the exit code, as `echo $? > FILE` writes it; once.", show_default=False)] = None,
    tool: Annotated[Optional[list[str]], typer.Option("--tool", "-t", metavar="NAME", help="Audit as this tool's log (repeatable); default: detect from the log.")] = None,
    rules: RulesOption = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format for standard output or -o.")] = Format.text,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write the --format report here instead of standard output.")] = None,
    json_out: JsonOption = None,
    junit_out: JunitOption = None,
    junit_strict: JunitStrictOption = False,
    sarif_out: SarifOption = None,
    gitlab_out: GitlabOption = None,
    step_summary: StepSummaryOption = False,
    fail_on: FailOnOption = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when mismatches are found (errors still exit 2).")] = False,
    param: ParamOption = None,
    config_file: ConfigOption = None,
    no_config: NoConfigOption = False,
    color: Annotated[Optional[ColorChoice], typer.Option("--color", help="Colour the text report (auto: on a terminal; NO_COLOR, FORCE_COLOR are honoured).")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", metavar="N", min=1, help="Processes for a large log file (64 MiB or more); default: the CPUs available, at most 4.")] = None,
    html_out: HtmlOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Text report: only the logs with findings (not consistent ones), and the summary.")] = False,
    platform: PlatformOption = None,
    deadline: DeadlineOption = None,
) -> None:
    """Audit logs against the exit status their runs recorded."""
    from .engine import Engine
    from .parallel import audit_source, default_jobs
    from .reader import LogSource, read_text
    from .reporters import renderer

    # One status for every log: a second -e is a mistake (two runs' codes?), not "the last wins".
    exit_code = _once(exit_codes, "--exit-code")
    exit_code_file = _once(exit_code_files, "--exit-code-file")
    if exit_code is not None and exit_code_file is not None:
        raise UsageError("give --exit-code or --exit-code-file, not both")
    step_summary = _step_summary_wanted(step_summary)
    if exit_code is not None:
        status = ExitStatus.parse(exit_code, Origin.FLAG, "--exit-code")
    elif exit_code_file is not None:
        status = ExitStatus.parse(read_text(exit_code_file, regular_only=False), Origin.FILE, str(exit_code_file))
    else:
        status = ExitStatus.unknown()
    if logs.count("-") > 1:
        raise UsageError("standard input (-) can be read only once")
    check_distinct([("--output", output), ("--json", json_out), ("--junit", junit_out), ("--sarif", sarif_out), ("--gitlab", gitlab_out), ("--html", html_out)])

    cfg, ruleset = _configured(config_file, no_config, rules)
    fail_on = _fail_on(fail_on, cfg)
    adjust = _adjuster(cfg)
    engine = Engine(ruleset, params=cfg.merged_params(_params(ruleset, param or [])), **_limits(deadline, cfg))
    _check_platform(platform)
    engine.ci_platform = platform  # type: ignore[attr-defined]
    runs: list[RunResult] = []
    unreadable: list[Unreadable] = []
    for name in logs:
        try:
            with LogSource(name) as src:
                runs.append(adjust(audit_source(engine, src, status, tools=tool, source=name, jobs=jobs or default_jobs())))
        except InputError as exc:
            # Audit what can be read; every report lists the unreadable log as an error, so
            # that none reads as if it had been audited clean, and the exit code is 2.
            _say(str(exc))
            unreadable.append(Unreadable(name, exc.message))

    report = Report(tuple(runs), fail_on=Severity(fail_on.value), unreadable=tuple(unreadable))
    main_report = renderer(fmt.value, junit_strict=junit_strict, color=_color(color, cfg, output), quiet=quiet)(report)
    outputs = [(output or "-", main_report), *_further_reports(report, json_out, junit_out, junit_strict, sarif_out, gitlab_out)]
    if html_out:
        from .context import file_opener

        outputs.append((html_out, _html_page(report, html_out, file_opener)))
    write_reports(outputs)
    if step_summary:
        _append_step_summary(report)
    if unreadable:
        raise typer.Exit(ExitCode.ERROR)
    raise typer.Exit(ExitCode.MISMATCH if report.has_failures and not exit_zero else ExitCode.CLEAN)


def _once(values, option: str):  # type: ignore[no-untyped-def]
    """The one value of an option that may be given once; None when not given."""
    if not values:
        return None
    if len(values) > 1:
        shown = ", ".join(map(str, values))
        raise UsageError(f"given {len(values)} times ({shown}); give it once: one exit status applies to every log", where=option)
    return values[0]


def _further_reports(
    report: Report,
    json_out: str | None,
    junit_out: str | None,
    junit_strict: bool,
    sarif_out: str | None,
    gitlab_out: str | None,
) -> list[tuple[str, str]]:
    """The --json, --junit, --sarif and --gitlab reports asked for, as (path, text)."""
    from .reporters import renderer

    asked = ((json_out, "json"), (junit_out, "junit"), (sarif_out, "sarif"), (gitlab_out, "gitlab"))
    return [(path, renderer(name, junit_strict=junit_strict)(report)) for path, name in asked if path]


def _html_page(report: Report, html_out: str, opener) -> str:  # type: ignore[no-untyped-def]
    """check's and run's --html page: each finding with the log's lines around its evidence
    (``opener(source)`` reads a log again; None where it cannot be)."""
    from .context import for_runs
    from .reporters.html import render as render_html

    return render_html(report, context=for_runs(report.runs, opener), link=lambda source: _log_link(source, html_out))


def _log_link(source: str, page: str) -> str | None:
    """A log's href from a page written to ``page``: a URL as given, a file relative to the
    page's folder (so a CI artefact of page and logs keeps its links); stdin has none."""
    from urllib.parse import quote

    from .reader import is_url

    if is_url(source):
        return source
    if source == "-" or page == "-" or not os.path.exists(source):
        return None
    rel = os.path.relpath(os.path.abspath(source), os.path.dirname(os.path.abspath(page)))
    return quote(rel.replace(os.sep, "/"))
def _step_summary_wanted(asked: bool) -> bool:
    """--step-summary outside GitHub Actions (no $GITHUB_STEP_SUMMARY): one warning, and the
    audit goes on, its reports and exit code unchanged; the same command line then works both
    in a workflow and on a laptop."""
    if asked and not os.environ.get("GITHUB_STEP_SUMMARY"):
        _say("warning: --step-summary: GITHUB_STEP_SUMMARY is not set (not in GitHub Actions?); no step summary is written")
        return False
    return asked


def _append_step_summary(report: Report) -> None:
    """GitHub's step summary is a file the runner names; it is appended to, never replaced."""
    from .reporters.github import step_summary

    path = os.environ["GITHUB_STEP_SUMMARY"]  # checked before the audit
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(step_summary(report))
    except OSError as exc:
        raise UsageError(f"cannot append to {path}: {exc.strerror or exc}", where="--step-summary") from None


def _params(ruleset, settings: list[str]) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    """``--param pytest.non_gating=tests/ext/`` settings, typed like each parameter's default."""
    given: dict[tuple[str, str], list[str]] = {}
    for setting in settings:
        key, eq, value = setting.partition("=")
        tool, dot, name = key.partition(".")
        if not eq or not dot:
            raise UsageError(f"expected TOOL.NAME=VALUE, got {setting!r}", where="--param")
        rf = ruleset.get(tool)
        if rf is None:
            raise UsageError(f"no rule file for tool {tool!r}", where="--param")
        if name not in rf.params:
            known = ", ".join(sorted(rf.params)) or "none"
            raise UsageError(f"{tool} has no parameter {name!r} (parameters: {known})", where="--param")
        given.setdefault((rf.tool, name), []).append(value)  # an alias sets its tool's parameter
    out: dict[str, dict[str, object]] = {}
    for (tool, name), values in given.items():
        out.setdefault(tool, {})[name] = ruleset.get(tool).params[name].parse(values, "--param")
    return out


def _configured(config_file: Path | None, no_config: bool, rules: list[Path] | None):  # type: ignore[no-untyped-def]
    """The configuration file in effect (config.py) and the rule set, with the file's rule
    directories before --rules; the file's check ids and parameters are checked against it."""
    from .config import resolve

    cfg = resolve(config_file, no_config)
    ruleset = _load([*map(Path, cfg.rules), *(rules or [])])
    cfg.check_against(ruleset)
    return cfg, ruleset


def _limits(deadline: float | None, cfg) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The engine's budgets: --deadline, else the configuration's; its condition_budget."""
    from .engine import DEADLINE

    if deadline is None:
        deadline = cfg.deadline if cfg.deadline is not None else DEADLINE
    return {"deadline": deadline, "condition_budget": cfg.condition_budget}


def _fail_on(given: FailOn | None, cfg) -> FailOn:  # type: ignore[no-untyped-def]
    """--fail-on, else the configuration file's fail_on, else error."""
    return given or (FailOn(cfg.fail_on.value) if cfg.fail_on else FailOn.error)


def _adjuster(cfg):  # type: ignore[no-untyped-def]
    """The configuration file applied to each run (config.apply), with one date for the whole run."""
    from datetime import date

    from .config import apply

    today = date.today()
    return lambda run: apply(run, cfg, today)


def _color(option: ColorChoice | None, cfg, output: str | None, stream=None) -> bool:  # type: ignore[no-untyped-def]
    """Whether the text report is coloured; ``stream``: where it goes without -o (run: stderr)."""
    from .config import color_wanted

    to_file = output not in (None, "-")
    tty = (sys.stdout if output == "-" or stream is None else stream).isatty()
    return color_wanted(option.value if option else None, cfg.color, os.environ, to_file=to_file, isatty=not to_file and tty)


# --------------------------------------------------------------------------------------------
# run


class _RunCommand(typer.core.TyperCommand):
    """Notes whether the command line has ``--``: the parser drops it, and ``exitaudit run make
    -k`` (no ``--``) must be refused, not run."""

    def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
        ctx.meta["exitaudit.run.dashdash"] = "--" in args
        return super().parse_args(ctx, args)


@app.command("run", cls=_RunCommand, context_settings={"allow_interspersed_args": False})
def run_command(
    ctx: typer.Context,
    command: Annotated[Optional[list[str]], typer.Argument(metavar="-- COMMAND [ARGS]...", help="The command to run, after --.", show_default=False)] = None,
    tool: Annotated[Optional[list[str]], typer.Option("--tool", "-t", metavar="NAME", help="Audit as this tool's log (repeatable); default: detect from the output.")] = None,
    rules: RulesOption = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format for standard error or -o.")] = Format.text,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="Write the --format report here instead of standard error (- for standard output).")] = None,
    json_out: JsonOption = None,
    junit_out: JunitOption = None,
    junit_strict: JunitStrictOption = False,
    sarif_out: SarifOption = None,
    gitlab_out: GitlabOption = None,
    step_summary: StepSummaryOption = False,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on", help="Lowest severity that makes a run that exited 0 fail (default: the configuration's, else error).")] = None,
    config_file: ConfigOption = None,
    no_config: NoConfigOption = False,
    on_mismatch: Annotated[Optional[int], typer.Option("--on-mismatch", metavar="N", min=1, max=255, help="Exit code when the command exited 0 but the audit failed it (default 1).")] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 when the command exited 0, whatever the audit found.")] = False,
    param: ParamOption = None,
    html_out: HtmlOption = None,
    color: Annotated[Optional[ColorChoice], typer.Option("--color", help="Colour the text report (auto: when it goes to a terminal; NO_COLOR, FORCE_COLOR are honoured).")] = None,
    deadline: DeadlineOption = None,
) -> None:
    """Run a command, pass its output through, and audit it against how it exited.

    Exits with the command's code when that is not 0; with 1 (--on-mismatch) when it exited 0 but a finding at or above --fail-on was found; else 0. The report goes to standard error.
    """
    from . import wrapper

    # Everything that can be wrong with the command line is found before the command starts.
    if not command or not ctx.meta.get("exitaudit.run.dashdash"):
        raise UsageError("give the command after --: exitaudit run [OPTIONS] -- COMMAND [ARGS]...")
    if exit_zero and on_mismatch is not None:
        raise UsageError("give --on-mismatch or --exit-zero, not both")
    step_summary = _step_summary_wanted(step_summary)
    for path, what in ((output, "--output"), (json_out, "--json"), (junit_out, "--junit"), (sarif_out, "--sarif"), (gitlab_out, "--gitlab"), (html_out, "--html")):
        if path is not None and path != "-":
            _writable_destination(path, what)
    check_distinct([("--output", output), ("--json", json_out), ("--junit", junit_out), ("--sarif", sarif_out), ("--gitlab", gitlab_out), ("--html", html_out)])
    if config_file is not None and no_config:
        raise UsageError("give --config or --no-config, not both")
    engine, cfg = _run_engine(rules, tool, param, config_file, no_config, deadline)

    try:
        done = wrapper.run(command)
    except wrapper.NotRunnable as exc:
        _say(exc.message)  # as a shell says it: "CMD: command not found", exit 127 (126: not executable)
        raise typer.Exit(exc.code) from None
    code = done.returncode
    with done:
        # From here on the command has run: nothing may replace its exit status with exitaudit's.
        for stream, why in done.not_passed.items():
            _say(f"cannot write the command's standard {'output' if stream == 'stdout' else 'error'}: {why}; the rest of it was not passed through")
        try:
            if done.spool.failed is not None:
                raise _AuditSkipped(done.spool.failed)
            from .reporters import renderer

            report = _audit_run(engine, done, tool, Severity(_fail_on(fail_on, cfg).value), _adjuster(cfg))
            main_report = renderer(fmt.value, junit_strict=junit_strict, color=_color(color, cfg, output, sys.stderr))(report)
            outputs = _further_reports(report, json_out, junit_out, junit_strict, sarif_out, gitlab_out)
            if html_out:
                outputs.append((html_out, _html_page(report, html_out, lambda source: (lambda: done.spool.source(source)) if done.spool.bytes else None)))
            if output:
                outputs.append((output, main_report))
            write_reports(outputs)  # files first, then standard output (-o -)
            if not output:
                # Standard error, not output: the command's standard output stays its own.
                sys.stderr.write(main_report)
                sys.stderr.flush()
            if step_summary:
                _append_step_summary(report)
            if code == 0 and report.has_failures and not exit_zero:
                code = on_mismatch if on_mismatch is not None else ExitCode.MISMATCH
        except _AuditSkipped as exc:
            _say(f"audit skipped: {exc}; exiting with the command's status {code}")
        except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the command's status must survive any failure
            if os.environ.get("EXITAUDIT_DEBUG"):
                import traceback

                traceback.print_exc()
            _say(f"audit failed: {_one_line(exc)}; exiting with the command's status {code}")
    if done.died_of_our_sigint:
        # The Ctrl-C that ended the command reached us too: end the same way (see wrapper.die_of_sigint).
        _quiet_stdout()
        sys.stderr.flush()
        wrapper.die_of_sigint()
    raise typer.Exit(int(code))


class _AuditSkipped(Exception):
    """The copy of a wrapped command's output could not be kept (``$TMPDIR`` full): no audit."""


def _run_engine(rules: list[Path] | None, tool: list[str] | None, param: list[str] | None, config_file: Path | None, no_config: bool, deadline: float | None = None):  # type: ignore[no-untyped-def]
    """``run``'s engine, built before the command starts: a rule or configuration file that does
    not load, a bad --tool or --param stops it from running (exit 2). A typo in a rule file must
    not let the command run unaudited while CI stays green."""
    from .engine import Engine

    cfg, ruleset = _configured(config_file, no_config, rules)
    unknown = [t for t in tool or [] if ruleset.get(t) is None]
    if unknown:
        raise UsageError(f"unknown tool {', '.join(unknown)}; known tools: {', '.join(sorted(ruleset.files))}", where="--tool")
    return Engine(ruleset, params=cfg.merged_params(_params(ruleset, param or [])), **_limits(deadline, cfg)), cfg


def _audit_run(engine, done, tool: list[str] | None, fail_on: Severity, adjust) -> Report:  # type: ignore[no-untyped-def]
    """The wrapped run's audit: its combined output against the status it ended with."""
    import shlex

    label = shlex.join(done.argv)
    source = label if len(label) <= 80 else label[:79] + "…"
    status = ExitStatus.from_code(done.returncode, Origin.RUN, where=f"exitaudit run, {done.duration:.1f} s")
    if done.spool.bytes == 0:
        result = engine.audit([], status, tools=tool, source=source)  # printed nothing: no log to read
    else:
        from .parallel import audit_source

        with done.spool.source(source) as src:
            result = audit_source(engine, src, status, tools=tool, source=source)
    return Report((adjust(result),), fail_on=fail_on)


def _writable_destination(path: str, what: str) -> None:
    """A report's destination, checked before the command runs: its folder exists."""
    target = os.path.abspath(path)
    if os.path.isdir(target):
        raise UsageError(f"{path} is a directory", where=what)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {path}: no such directory {folder}", where=what)


def _one_line(exc: BaseException) -> str:
    from .output import StdoutClosed

    if isinstance(exc, ExitauditError):
        text = f"{exc.where}: {exc.message}" if exc.where else exc.message
    elif isinstance(exc, KeyboardInterrupt):
        text = "interrupted"
    elif isinstance(exc, StdoutClosed):
        text = "standard output is closed"
    else:
        text = f"internal error: {type(exc).__name__}: {exc}"
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------
# batch


@app.command("batch")
def batch_command(
    sources: Annotated[list[str], typer.Argument(metavar="SOURCE...", help="Manifests (.csv, .tsv, .jsonl, .parquet: a path and an exit code column), directories (walked, hidden files and folders skipped; exit codes from <log>.exit, <name>.rc or a folder's exit_code file, else from the log), or quoted globs ('logs/**/*.log').")],
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="One row per run; .csv, .tsv, .jsonl or .parquet.")] = None,
    findings_out: Annotated[Optional[str], typer.Option("--findings", metavar="FILE", help="One row per finding; .csv, .tsv, .jsonl or .parquet.")] = None,
    summary_out: Annotated[Optional[str], typer.Option("--summary", metavar="FILE", help="The summary per tool and check; .csv, .tsv, .jsonl or .parquet.")] = None,
    junit_out: Annotated[Optional[str], typer.Option("--junit", metavar="FILE", help="JUnit XML: one testsuite per tool, one testcase per run.")] = None,
    junit_strict: JunitStrictOption = False,
    baseline: Annotated[Optional[str], typer.Option("--baseline", metavar="PREVIOUS", help="A previous --output or --findings file: report only findings not in it, matched by (source, check).")] = None,
    path_column: Annotated[str, typer.Option("--path-column", metavar="NAME", help="Manifest column of log paths (relative to the manifest).")] = "path",
    exit_column: Annotated[str, typer.Option("--exit-column", metavar="NAME", help="Manifest column of exit codes; an empty cell is unknown.")] = "exit_code",
    tool_column: Annotated[Optional[str], typer.Option("--tool-column", metavar="NAME", help="Manifest column of tools (space-separated); default: tool, if present.")] = None,
    date_column: Annotated[Optional[str], typer.Option("--date-column", metavar="NAME", help="Manifest column of run dates for first/last seen; default: date, if present.")] = None,
    tool: Annotated[Optional[list[str]], typer.Option("--tool", "-t", metavar="NAME", help="Audit as this tool's log (repeatable) where a manifest names no tool; default: detect.")] = None,
    rules: RulesOption = None,
    param: ParamOption = None,
    fail_on: FailOnOption = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when mismatches are found (unreadable logs still exit 2).")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", metavar="N", min=1, help="Worker processes; default: the CPUs available (a container's CPU quota counts). 1 audits in-process. With --dask local: the local cluster's workers.")] = None,
    dask: Annotated[Optional[str], typer.Option("--dask", metavar="ADDRESS", help="Audit on a Dask cluster: a scheduler's address (tcp://HOST:8786), or local for a local cluster. Needs exitaudit's dask extra.")] = None,
    config_file: ConfigOption = None,
    no_config: NoConfigOption = False,
    html_out: HtmlOption = None,
    include: Annotated[Optional[list[str]], typer.Option("--include", metavar="GLOB", help="In directories and globs, audit only files matching this (name or relative path; repeatable). Default: every file but exit-code sidecars and what is clearly not a log (README*, *.md, *.toml, *.sh, *.py, *.csv, ...).")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", metavar="GLOB", help="In directories and globs, skip files matching this (name or relative path; repeatable).")] = None,
    platform: PlatformOption = None,
    deadline: DeadlineOption = None,
) -> None:
    """Audit many logs, each against its own exit status, into tables and a summary."""
    from . import batch as b
    from .parallel import available_cpus
    from .engine import Engine

    # Everything that can be wrong with the command line is found before any log is read.
    for path, what in ((output, "--output"), (findings_out, "--findings"), (summary_out, "--summary")):
        if path is not None:
            b.table_format(path, what)
    if html_out is not None:
        from .reporters import html_charts

        html_charts.require()  # before any log is read: one line and exit 2 without the html extra
    check_distinct([("--output", output), ("--findings", findings_out), ("--summary", summary_out), ("--junit", junit_out), ("--html", html_out)])
    cfg, ruleset = _configured(config_file, no_config, rules)
    fail_on = _fail_on(fail_on, cfg)
    unknown = [t for t in tool or [] if ruleset.get(t) is None]
    if unknown:
        raise UsageError(f"unknown tool {', '.join(unknown)}; known tools: {', '.join(sorted(ruleset.files))}", where="--tool")
    engine = Engine(ruleset, params=cfg.merged_params(_params(ruleset, param or [])), fast=True, **_limits(deadline, cfg))
    _check_platform(platform)
    engine.ci_platform = platform  # type: ignore[attr-defined]
    engine.prepare(tool)  # compiled once here, inherited by the worker processes
    b.set_engine(engine)
    cluster = audit = None
    if dask is not None:  # the engine is shipped to the cluster's workers instead (distributed.py)
        from .distributed import DaskCluster

        cluster = DaskCluster(dask, workers=jobs).__enter__()  # connected before any log is read
        pool = None
        audit = lambda tasks: cluster.audit_all(tasks, engine)  # noqa: E731
    else:
        # Fork the workers now, while this process has one thread: reading manifests starts polars'.
        pool = b.make_pool(jobs if jobs is not None else available_cpus())
    try:
        known = b.load_baseline(baseline) if baseline else None
        columns = b.Columns(path=path_column, exit=exit_column, tool=tool_column, date=date_column)
        from .selection import Selection

        selection = Selection(tuple(include or ()), tuple(exclude or ()))
        names = [*ruleset.files, *(alias for rf in ruleset for alias in rf.aliases)]
        todo = b.collect(sources, columns, known_tools=names, default_tools=tool, selection=selection)
        results = b.run_batch(
            todo, pool,
            fail_on=Severity(fail_on.value),
            baseline=known,
            say=_say,
            progress=sys.stderr.isatty(),
            adjust=_adjuster(cfg),
            audit=audit,
            keep_evidence=html_out is not None,
        )
    finally:
        b.close_pool(pool)
        if cluster is not None:
            cluster.close()

    summary = results.summary_frame()
    staged = b.Staged()
    try:
        if output:
            staged.write_table(output, results.runs_frame())
        if findings_out:
            staged.write_table(findings_out, results.findings_frame())
        if summary_out:
            staged.write_table(summary_out, summary)
        if junit_out:
            from .reporters.junit_batch import render as render_junit

            staged.write_text(junit_out, render_junit(results.junit_runs(), Severity(fail_on.value), strict=junit_strict))
        if html_out:
            from .reporters.html_batch import render as render_html

            staged.write_text(html_out, render_html(results, summary, link=lambda source: _log_link(source, html_out)))
        staged.commit()
    finally:
        staged.discard()

    from .output import write_report

    if sys.stdout.isatty():
        results.print_table(summary)
    else:
        write_report("-", results.plain_summary(summary))
    if results.errors:
        raise typer.Exit(ExitCode.ERROR)
    raise typer.Exit(ExitCode.MISMATCH if results.failing and not exit_zero else ExitCode.CLEAN)


# --------------------------------------------------------------------------------------------
# rules


@rules_app.command("list")
def rules_list(
    rules: RulesListingOption = None,
) -> None:
    """List the rule files in use: tool, checks, source."""
    ruleset = _load(rules)
    width = max((len(rf.tool) for rf in ruleset), default=4)
    for rf in ruleset:
        origin = "built-in" if rf.builtin else rf.path
        aliases = f"  (also: {', '.join(rf.aliases)})" if rf.aliases else ""
        print(f"{rf.tool:<{width}}  {len(rf.checks):>2} checks  {origin}  {rf.description.splitlines()[0] if rf.description else ''}{aliases}")


@rules_app.command("show")
def rules_show(
    tool: Annotated[str, typer.Argument(metavar="TOOL")],
    rules: RulesListingOption = None,
) -> None:
    """Show one tool's rule file: fingerprints, exit codes, signals and checks."""
    from .ruledoc import describe

    ruleset = _load(rules)
    rf = ruleset.get(tool)
    if rf is None:
        raise UsageError(f"no rule file for tool {tool!r}; known tools: {', '.join(sorted(ruleset.files))}")
    sys.stdout.write(describe(rf))


def _targets(paths: list[Path] | None) -> list[Path]:
    from .rules import builtin_rules_dir, rule_paths

    found: list[Path] = []
    for p in paths or [builtin_rules_dir()]:
        found += rule_paths(p)
    if not found:
        raise UsageError(f"no rule files (*.toml) in {', '.join(map(str, paths or []))}")
    return found


@rules_app.command("new")
def rules_new(
    tool: Annotated[str, typer.Argument(metavar="TOOL", help="The tool's name: lower case, digits and -.")],
    folder: Annotated[Path, typer.Option("--dir", "-d", metavar="DIR", help="Where to write TOOL.toml (created if missing).")] = Path("rules"),
) -> None:
    """Write a commented rule file to start from, DIR/TOOL.toml: it passes rules lint and rules test."""
    from .output import write_report
    from .skeleton import TOOL_NAME, skeleton

    if not TOOL_NAME.match(tool):
        raise UsageError(f"a tool's name is lower case letters, digits and -, starting with a letter; got {tool!r}", where="TOOL")
    path = folder / f"{tool}.toml"
    if path.exists() or path.is_symlink():
        raise UsageError(f"{path} exists; edit it, or remove it first", where="rules new")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is not a directory", where="--dir")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {folder}: {exc.strerror or exc}", where="--dir") from None
    write_report(str(path), skeleton(tool))
    print(f"wrote {path}; check it with: exitaudit rules lint {path} && exitaudit rules test {path}")


@rules_app.command("test")
def rules_test(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar="[PATH...]", help="Rule files or directories; default: the built-in pack.")] = None,
) -> None:
    """Run every rule file's embedded examples and report each pass or fail."""
    from .rules import load_rule_file
    from .ruletest import run_examples

    passed = failed = 0
    for path in _targets(paths):
        rf = load_rule_file(path)
        for res in run_examples(rf):
            status = "PASS" if res.passed else "FAIL"
            detail = f": {'; '.join(res.problems)}" if res.problems else ""
            print(f"{status} {res.where}: {rf.tool}: {res.example.name}{detail}")
            passed += res.passed
            failed += not res.passed
    print(f"{passed} passed, {failed} failed")
    raise typer.Exit(ExitCode.MISMATCH if failed else ExitCode.CLEAN)


@rules_app.command("lint")
def rules_lint(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar="[PATH...]", help="Rule files or directories; default: the built-in pack.")] = None,
) -> None:
    """Validate rule files: schema, patterns, conditions, ids. Errors name file, line and field."""
    from .rules import load_rule_file, slow_patterns

    errors: list[RuleError] = []
    warnings: list[RuleError] = []
    targets = _targets(paths)
    for path in targets:
        try:
            warnings += slow_patterns(load_rule_file(path))
        except RuleErrors as exc:
            errors += exc.errors
        except RuleError as exc:
            errors.append(exc)
    for problem in errors + warnings:
        print(str(problem), file=sys.stderr)
    summary = f"{len(targets)} rule file(s) checked, {len(errors)} error(s), {len(warnings)} warning(s)"
    print(summary, file=sys.stderr if errors else sys.stdout)
    raise typer.Exit(ExitCode.ERROR if errors else ExitCode.CLEAN)


# --------------------------------------------------------------------------------------------
# schema


class SchemaName(str, Enum):
    report = "report"
    rules = "rules"
    mine = "mine"


@app.command()
def schema(which: Annotated[SchemaName, typer.Argument(help="report: the JSON report; rules: the rule file format; mine: the JSON of exitaudit mine.")] = SchemaName.report) -> None:
    """Print a JSON Schema: of the JSON report (default) or of rule files."""
    from importlib import resources

    sys.stdout.write(resources.files("exitaudit").joinpath(f"schemas/{which.value}.schema.json").read_text("utf-8"))


from . import cli_mine  # noqa: E402,F401 - registers `exitaudit mine` on the app


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the command and maps every ending to an exit code."""
    from .output import StdoutClosed

    command = typer.main.get_command(app)
    invoke = command.invoke

    def invoke_interruptible(ctx):  # type: ignore[no-untyped-def]
        # Typer turns a KeyboardInterrupt into a silent Exit(130); carry it out to say so.
        try:
            return invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None

    command.invoke = invoke_interruptible  # type: ignore[method-assign]
    try:
        code = command.main(args=argv if argv is not None else sys.argv[1:], prog_name="exitaudit", standalone_mode=False)
        code = int(code or 0)
    except typer.TyperException as exc:
        # Usage errors (unknown option, bad value, missing argument). Typer's own display is a
        # multi-line panel; a CI log wants one line that names what is wrong.
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":
            print(exc.format_message(), file=sys.stderr)
        else:
            command_path = ctx.command_path if ctx is not None else "exitaudit"
            _say(f"{exc.format_message()} (see '{command_path} --help')")
        code = ExitCode.ERROR
    except (typer.Abort, KeyboardInterrupt, _Interrupted):
        _say("interrupted")
        code = ExitCode.INTERRUPTED
    except RuleErrors as exc:
        for err in exc.errors:
            _say(str(err))
        code = ExitCode.ERROR
    except ExitauditError as exc:
        for err in getattr(exc, "errors", None) or [exc]:  # several problems of one file: one line each
            _say(str(err))
        code = ExitCode.ERROR
    except StdoutClosed:
        # The reader went away (`exitaudit ... | head`). Stop quietly, as `cat` does: 128 + SIGPIPE.
        code = 128 + 13
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback, never exit 1
        if os.environ.get("EXITAUDIT_DEBUG"):
            raise
        _say(f"internal error: {type(exc).__name__}: {exc} (set EXITAUDIT_DEBUG=1 for the traceback)")
        code = ExitCode.ERROR
    _quiet_stdout()
    return int(code)


class _Interrupted(BaseException):
    """Ctrl-C, carried past typer (which would turn it into a silent exit 130)."""


def _quiet_stdout() -> None:
    """Flush now, and if the reader is gone, point stdout at /dev/null so that the interpreter's
    own flush at exit does not print a BrokenPipeError."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):  # the reader gone (EPIPE), or a full disk
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
