"""How each CI platform marks a job's steps and records their exit status, as data.

Every pattern here is a bytes regex matched (MULTILINE) against a block whose envelope is already
removed (envelope.py): one line's own text, ANSI colours allowed around it. What a match means:

* ``start``: a step begins on this line (group ``name`` names it);
* ``step_code``: the step this line stands in ended with exit code ``code``;
* ``pending_code``: the latest step without a status yet ended with ``code`` (Jenkins prints
  `ERROR: script returned exit code N` after the stage that failed has closed);
* ``step_fail``: the step failed, and the platform gives no number;
* ``step_end``: the step finished (Azure's `##[section]Finishing: X`), successfully unless it
  recorded a failure;
* ``action_error``: GitHub: an `##[error]` line, a failure only in a step that runs an action
  (a `run:` step's `echo ::error::` prints the same and the step may still succeed);
* ``job_code`` / ``job_fail`` / ``job_ok``: the job's own verdict (with / without a code);
* ``job_end``: the job reached its cleanup (GitHub's `Cleaning up orphan processes`);
* ``shell``: the shell a GitHub step ran in (`shell: /usr/bin/bash -e {0}`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ESC = rb"(?:\x1b\[[0-9;]*[A-Za-z])*"
"""Colour codes a platform may print around its own lines."""


def _line(body: bytes) -> bytes:
    return rb"^" + _ESC + body + rb"[ \t]*" + _ESC + rb"\r?$"


def _head(body: bytes) -> bytes:
    return rb"^" + _ESC + body


@dataclass(frozen=True)
class StepMarkers:
    platform: str
    start: re.Pattern[bytes] | None
    events: tuple[tuple[str, re.Pattern[bytes]], ...]
    start_name: str = "{name}"
    """How a start line's ``name`` group becomes the step's name."""
    script_steps: re.Pattern[str] | None = None
    """Steps a job-level exit code belongs to (GitLab: the script sections); None: the last."""
    first_step: str = "(job start)"
    """The name of the lines before the first step marker."""


def _markers(platform: str, start: bytes | None, events: list[tuple[str, bytes]], **kw: object) -> StepMarkers:
    return StepMarkers(
        platform,
        re.compile(start, re.MULTILINE) if start is not None else None,
        tuple((kind, re.compile(p, re.MULTILINE)) for kind, p in events),
        **kw,  # type: ignore[arg-type]
    )


MARKERS: dict[str, StepMarkers] = {
    "github-actions": _markers(
        "github-actions",
        _line(rb"##\[group\](?P<name>Run [^\n]*?)") + rb"|" + _line(rb"(?P<post>Post job cleanup\.)"),
        [
            ("step_code", _line(rb"##\[error\]Process completed with exit code (?P<code>\d+)\.")),
            ("step_fail", _head(rb"##\[error\](?:The operation was canceled\.|The runner has received a shutdown signal|The action '[^'\n]*' has timed out|The job running on runner [^\n]* has exceeded the maximum execution time)")),
            ("action_error", _head(rb"##\[error\](?!Process completed with exit code )")),
            ("job_end", _line(rb"Cleaning up orphan processes")),
            ("shell", _line(rb"shell: (?P<text>[^\n\r]+?)")),
        ],
        first_step="Set up job",
    ),
    "azure-pipelines": _markers(
        "azure-pipelines",
        _line(rb"##\[section\]Starting: (?P<name>[^\n]*?)"),
        [
            ("step_code", _line(rb"##\[error\](?:[\w.\-]+(?: [\w.\-]+)? (?:exited|failed) with (?:exit )?code:? '?(?P<code>\d+)'?\.?|Process completed with exit code (?P<code2>\d+)\.)")),
            ("step_fail", _head(rb"##\[error\]")),
            ("step_end", _line(rb"##\[section\]Finishing: [^\n]*?")),
        ],
    ),
    "gitlab-ci": _markers(
        "gitlab-ci",
        # The runner's own sections only; a job's script may open collapsible sections of its own.
        rb"^[^\n]*?section_start:\d+:(?P<name>prepare_executor|prepare_script|get_sources|clear_worktree|restore_cache|download_artifacts|step_script|build_script|step_[\w.-]+|after_script|archive_cache\w*|upload_artifacts\w*|cleanup_file_variables)\b",
        [
            ("step_close", rb"^[^\n]*?section_end:\d+:(?:step_script|build_script|step_[\w.-]+|after_script)\b"),
            ("job_code", _line(rb"ERROR: Job failed: (?:command terminated with )?exit (?:code|status) (?P<code>\d+)")),
            ("job_fail", _head(rb"ERROR: Job failed\b")),
            ("job_ok", _line(rb"Job succeeded")),
        ],
        script_steps=re.compile(r"step_script|build_script|step_[\w.-]+"),
        first_step="(job start)",
    ),
    "jenkins": _markers(
        "jenkins",
        # Freestyle: `[ws] $ <the build step's script>`; Jenkins 1.x named it hudsonNNN, and a
        # build wrapper (docker exec, ssh) runs `/bin/sh -xe /tmp/...sh` at the end of a line of its own.
        rb"^\[Pipeline\] (?P<name>sh|bat|powershell|pwsh)\r?$|^\[[^\]\n]+\] \$ (?P<free>(?:/bin/(?:ba)?sh -xe \S*(?:jenkins|hudson)\d+\.sh|cmd /c call \S*(?:jenkins|hudson)\d+\.bat|powershell[^\n]*(?:jenkins|hudson)\d+\.ps1))\r?$"
        rb"|^[^\n]*? (?P<wrapped>/bin/(?:ba)?sh -xe /tmp/(?:jenkins|hudson)\d+\.sh)\r?$",
        [
            ("pending_code", _line(rb"ERROR: script returned exit code (?P<code>\d+)")),
            ("step_fail", _line(rb"Build step '[^'\n]+' marked build as failure")),
            ("job_ok", _line(rb"Finished: SUCCESS")),
            ("job_fail", _line(rb"Finished: (?:FAILURE|ABORTED|UNSTABLE|NOT_BUILT)")),
            ("stage", _line(rb"\[Pipeline\] \{ \((?P<text>[^\n]*)\)")),
            ("step_close", _head(rb"\[Pipeline\] ")),
        ],
    ),
    "travis": _markers(
        "travis",
        _line(rb"\$ (?P<name>[^\n]*?)"),
        [
            ("step_code", _line(rb"The command \"[^\n]*\" (?:failed and )?exited with (?P<code>\d+)(?: during [^\n.]*)?\.")),
            ("job_code", _line(rb"Done\. Your build exited with (?P<code>\d+)\.")),
            ("job_fail", _line(rb"(?:Your build has been stopped\.|The job exceeded the maximum time limit for jobs, and has been terminated\.|No output has been received in the last \d+m\d*s?[^\n]*)")),
        ],
    ),
    "circleci": _markers(
        "circleci",
        # `circleci local execute` names each step (`====>> Run tests`); the web UI's copy starts a
        # run step with its shell line alone (right after the name, in local output).
        # The CLI prints its redaction notice with no newline: the first run step's marker follows it.
        _line(rb"(?:The redacted variables listed above will be masked in run step output\.)?====>> (?P<name>[^\n]*?)")
        + rb"|" + _line(rb"(?P<shebang>#!/bin/(?:ba)?sh -eo pipefail)"),
        [
            ("step_code", _line(rb"(?:Exited with code (?:exit status )?|CircleCI received exit code )(?P<code>\d+)")),
            ("step_fail", _head(rb"Too long with no output \(exceeded ")),
        ],
    ),
    "buildkite": _markers(
        "buildkite",
        # The agent's own phases only. A command's `---`/`+++` groups are its own output, inside
        # its step: go test's `--- FAIL: TestX`, a .NET `--- End of stack trace ... ---`, a diff's
        # `--- a/f` all look like groups, and the exit status is the command's, not a group's.
        _line(rb"~~~ (?P<name>Preparing working directory|Running (?:global|local|plugin) [^\r\n]*? hooks?|Running commands|Running script[^\r\n]*?|Setting up plugins|Checking out[^\r\n]*?|Uploading artifacts[^\r\n]*?)"),
        [
            ("step_code", _head(rb"(?:\xf0\x9f\x9a\xa8 )?Error: The command exited with status (?P<code>\d+)")),
        ],
    ),
    "teamcity": _markers(
        "teamcity",
        _line(rb"(?P<name>Step \d+/\d+: [^\n]*?)"),
        [
            ("step_code", _head(rb"Process exited with code (?P<code>\d+)")),
            ("job_fail", _head(rb"##teamcity\[(?:buildProblem |buildStatus status='FAILURE')")),
        ],
    ),
}
