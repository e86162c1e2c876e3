"""CI envelopes: what a CI platform wraps around every line of a job's output, removed once.

A job log archived by a CI platform is the tools' output inside an envelope: GitHub Actions puts
a timestamp before every line (and ``gh run view --log`` a ``job<TAB>step<TAB>`` before that),
GitLab's runner may put its own timestamp and stream marker, Jenkins' Timestamper plugin a time,
Buildkite a ``_bk;t=...`` marker, Travis its ``travis_fold``/``travis_time`` markers, TeamCity a
``[12:34:56]`` prefix. Rules never match envelopes: this module recognises the platform from the
start of the log (or is told it, ``--platform``) and removes each line's envelope with one bytes
regex substitution per block, before the engine scans it. No substitution ever removes a newline,
so every line keeps its number; the original block stays available for evidence.

A log with no envelope (a tool's own output, a captured command) is detected as such from its
first block and passes through untouched: the same Block objects, no extra cost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .errors import UsageError
from .reader import Block

SNIFF_BYTES = 64 << 10
"""How much of the first block detection looks at: platforms announce themselves early."""

_TS = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z"
"""An ISO-8601 UTC timestamp as runners write it (fraction optional, 6 or 7 digits usual)."""
_BOM = rb"(?:\xef\xbb\xbf)?"
_TS7 = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z"
"""The runner's own timestamp (GitHub, Azure): always 7 fractional digits, which application
logs that start their lines with a time rarely use; detection asks for it."""


@dataclass(frozen=True)
class Envelope:
    """One platform's envelope in one of its forms."""

    platform: str
    """The platform's name, as ``--platform`` takes it and the platform's rule file is named."""
    form: str
    """Which of the platform's log forms (``raw``, ``gh-run-view``, ``timestamper``, ...)."""
    prefix: re.Pattern[bytes] | None
    """The envelope at the start of a line (matched where a line starts); None: none."""
    inline: re.Pattern[bytes] | None
    """Markers removed wherever they stand in a line; None: none."""
    trigger: bytes | None = None
    """A literal every inline marker contains: a block without it skips that substitution."""
    after_newline: re.Pattern[bytes] | None = None
    """``prefix`` after a newline: one substitution led by a literal newline, which the regex
    engine finds at memchr speed, where a MULTILINE ``^`` would be tried at every byte."""

    @property
    def strip(self) -> re.Pattern[bytes] | None:
        """One pattern for all this form removes (MULTILINE), for tests and documentation."""
        parts = [b"^(?:" + self.prefix.pattern + b")"] if self.prefix is not None else []
        parts += [self.inline.pattern] if self.inline is not None else []
        return re.compile(b"|".join(parts), re.MULTILINE) if parts else None

    def unwrap(self, block: Block) -> Block:
        """The block with every line's envelope removed, same first line, same line count."""
        data = block.data
        if self.prefix is not None:
            data = self.after_newline.sub(b"\n", data)  # type: ignore[union-attr]
            m = self.prefix.match(data)
            if m is not None and m.end():
                data = data[m.end():]
        if self.inline is not None and (self.trigger is None or self.trigger in data):
            data = self.inline.sub(b"", data)
        return block if data == block.data else Block(data, block.first_line)


def _env(platform: str, form: str, prefix: bytes | None, inline: bytes | None = None, trigger: bytes | None = None) -> Envelope:
    env = Envelope(
        platform,
        form,
        re.compile(prefix) if prefix is not None else None,
        re.compile(inline) if inline is not None else None,
        trigger,
        re.compile(b"\n(?:" + prefix + b")") if prefix is not None else None,
    )
    for pattern in (env.prefix, env.inline):
        assert pattern is None or b"\n" not in (pattern.match(b"\n") or [b""])[0], form  # line numbers rest on it
    return env


# Each form's strip pattern. Patterns anchored at ^ remove a line prefix; the others remove
# in-line markers. None of them can cross a newline ([^\n] classes, no \s).
GITHUB_RAW = _env("github-actions", "raw", _BOM + _TS + rb" ?")
# `gh run view --log`: a multi-line annotation's continuation lines carry the columns, no time.
GITHUB_GH = _env("github-actions", "gh-run-view", rb"[^\t\n]*\t[^\t\n]*\t(?:" + _BOM + _TS + rb" ?)?")
AZURE = _env("azure-pipelines", "raw", _BOM + _TS + rb" ?")
# gitlab-runner's own timestamps (FF_TIMESTAMPS, runner 17): `<time> <stream><O|E>[+] `; the
# section markers themselves stay (the step cutter reads them; each ends with `\r\e[0K`, so the
# tool's text after it is matched as a segment of its own).
GITLAB_TIMESTAMPED = _env("gitlab-ci", "timestamped", _TS + rb" [0-9a-f]{2}[OE]\+? ?")
GITLAB = _env("gitlab-ci", "raw", None)
# Jenkins: the Timestamper plugin's prefixes, and the console notes (`\e[8mha:////...\e[0m`)
# that a raw build log (not consoleText) carries before Pipeline lines.
_JENKINS_NOTE = rb"\x1b\[8mha:[^\x1b\n]*\x1b\[0m"
JENKINS_ISO = _env("jenkins", "timestamper", rb"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\] ", _JENKINS_NOTE, b"\x1b[8mha:")
JENKINS_ELAPSED = _env("jenkins", "timestamper-elapsed", rb"\d\d:\d\d:\d\d(?:\.\d+)? ", _JENKINS_NOTE, b"\x1b[8mha:")
JENKINS = _env("jenkins", "console", None, _JENKINS_NOTE, b"\x1b[8mha:")
# Buildkite: an APC marker `\e_bk;t=<ms>\a` before each line (and after each bare CR).
BUILDKITE = _env("buildkite", "raw", None, rb"(?:\x1b_)?bk;t=\d+\x07", b"bk;t=")
# Travis: fold and timing markers, each ended by `\r\e[0K`.
TRAVIS = _env("travis", "raw", None, rb"travis_(?:fold|time):[a-z]+:[^\r\n]*\r(?:\x1b\[0K)?", b"travis_")
# TeamCity: `[12:34:56]` + a status letter (i, W, E, F or blank) + `:` + tabs/indent, then the
# block the line belongs to (`[Step 1/2] `).
TEAMCITY = _env("teamcity", "build-log", rb"\[\d\d:\d\d:\d\d\][A-Za-z ]?:[\t ]*(?:\[[^\]\n]*\] )?")
CIRCLECI = _env("circleci", "steps", None)

PLATFORMS: dict[str, Envelope] = {
    "github-actions": GITHUB_RAW,
    "gitlab-ci": GITLAB,
    "jenkins": JENKINS,
    "travis": TRAVIS,
    "circleci": CIRCLECI,
    "azure-pipelines": AZURE,
    "buildkite": BUILDKITE,
    "teamcity": TEAMCITY,
}
"""Every platform by name, in its most common form (``--platform`` NAME)."""

# Detection, in order: (form, what the head of the log must show). Forms that share GitHub's
# timestamp (Azure, GitLab's) come before it, the envelopes without prefixes after.
_DETECT: tuple[tuple[Envelope, re.Pattern[bytes]], ...] = tuple(
    (env, re.compile(pattern, re.MULTILINE))
    for env, pattern in (
        (GITHUB_GH, rb"\A(?:[^\t\n]*\t[^\t\n]*\t" + _BOM + _TS7 + rb" [^\n]*\n){2}"),
        (GITLAB_TIMESTAMPED, rb"\A" + _TS + rb" [0-9a-f]{2}[OE]\+? "),
        (AZURE, rb"\A" + _BOM + _TS7 + rb" (?:##\[section\]Starting: |[^\n]*\n" + _TS7 + rb" ##\[section\]Starting: )"),
        (AZURE, rb"^" + _TS7 + rb" (?:Agent name: |##\[section\]Starting: Initialize job$)"),
        (AZURE, rb"^##\[section\](?:Starting|Finishing): "),  # an excerpt without the times
        (GITHUB_RAW, rb"\A" + _BOM + _TS7 + rb" [^\n]*\n" + _TS7 + rb" "),
        (BUILDKITE, rb"\A(?:\x1b_)?bk;t=\d+\x07"),
        (TRAVIS, rb"travis_(?:fold|time):start:"),
        (GITLAB, rb"^(?:\x1b\[0K)?Running with gitlab-runner \d|^section_start:\d+:"),
        # A timestamped application log is no Jenkins log: one of Jenkins' own lines must show.
        (JENKINS_ISO, rb"\A\[\d{4}-[^\n]*\n(?:[^\n]*\n){0,40}?\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\] (?:Started by |\[Pipeline\] |Building (?:remotely )?(?:on |in workspace )|Running (?:on |as SYSTEM)|Obtained Jenkinsfile )"),
        (JENKINS_ELAPSED, rb"\A\d\d:\d\d:\d\d(?:\.\d+)? (?:Started by |\[Pipeline\] |Running |Building |Obtained )"),
        (JENKINS, rb"\A(?:\x1b\[8mha:[^\n]*)?(?:Started by |Branch indexing|Obtained Jenkinsfile)|^(?:" + _JENKINS_NOTE + rb")?\[Pipeline\] |^\[[^\]\n]+\] \$ /bin/(?:ba)?sh -xe /tmp/(?:jenkins|hudson)"),
        # A downloaded build log opens with a header ("Build '...' #N", trigger, start, finish,
        # VCS revisions, URL, "TeamCity server version is ...") before its first timed line.
        (TEAMCITY, rb"\A(?:\[\d\d:\d\d:\d\d\][A-Za-z ]?:[^\n]*\n){2}|##teamcity\[|\ABuild '[^'\n]+' #\d+[^\n]*\n(?:[^\n]*\n){0,10}?TeamCity server version is \d"),
        (CIRCLECI, rb"^(?:====>> |Build-agent version \d|#!/bin/bash -eo pipefail$|CircleCI received exit code \d)"),
        # A Buildkite log without its timestamps (copied from the page, `bk job log
        # --no-timestamps`): the agent's own first group or its status line.
        (BUILDKITE, rb"^~~~ (?:Running (?:global|plugin|local) \S+ hook|Preparing working directory)\r?$|^(?:\xf0\x9f\x9a\xa8 )?Error: The command exited with status \d+\r?$"),
    )
)


def detect(head: bytes) -> Envelope | None:
    """The envelope the start of a log shows, or None for a log no CI platform wrapped."""
    head = head[:SNIFF_BYTES]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    for env, pattern in _DETECT:
        if pattern.search(head):
            return env
    return None


_FORMS: dict[str, tuple[Envelope, ...]] = {
    "github-actions": (GITHUB_GH, GITHUB_RAW),
    "gitlab-ci": (GITLAB_TIMESTAMPED,),
    "jenkins": (JENKINS_ISO, JENKINS_ELAPSED),
}
"""A platform's forms with a per-line prefix, tried on the first line when the platform is named."""


def named(name: str, head: bytes = b"") -> Envelope:
    """The envelope of platform ``name`` (``--platform``), in the form the log's head shows."""
    if name not in PLATFORMS:
        raise UsageError(f"unknown platform {name!r}; known platforms: {', '.join(sorted(PLATFORMS))}, auto, none", where="--platform")
    found = detect(head)
    if found is not None and found.platform == name:
        return found
    line = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    for env in _FORMS.get(name, ()):
        if env.prefix is not None and env.prefix.match(line):
            return env
    return PLATFORMS[name]


def resolve(platform: str | None, head: bytes) -> Envelope | None:
    """The envelope for ``--platform`` (None or "auto": detect; "none": no envelope)."""
    if platform in (None, "auto"):
        return detect(head)
    if platform == "none":
        return None
    return named(platform, head)


def unwrap(env: Envelope, blocks: Iterable[Block]) -> Iterator[Block]:
    """The blocks with their envelope removed (line numbers unchanged)."""
    for block in blocks:
        yield env.unwrap(block)
