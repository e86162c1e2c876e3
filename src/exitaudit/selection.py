"""Which files of a batch directory (or glob) are logs: ``--include`` and ``--exclude`` globs over
defaults that skip exit-code sidecars and what is clearly not a log.

A directory of captured runs holds more than logs: the exit-code files beside them, a README, the
script that made them, a manifest. Auditing those as logs gives a ``no-coverage`` row each and
buries the real results, so by default they are skipped:

- exit-code sidecars: ``<log>.exit`` and ``exit_code`` (``<case>/output.log`` +
  ``<case>/exit_code``, the layout of sample_logs/), always; ``<name>.rc`` (``echo $? > pytest.rc``);
- documentation and scripts: ``README*``, ``LICENSE*``, ``*.md``, ``*.rst``, ``*.toml``, ``*.sh``,
  ``*.py``, ``*.yml``/``*.yaml``, ``*.cfg``/``*.ini``;
- tables: manifests and results (``*.csv``, ``*.tsv``, ``*.jsonl``, ``*.ndjson``, ``*.parquet``),
  reports (``*.json``, ``*.xml``, ``*.sarif``).

A pattern is matched (``fnmatch``, case-sensitive) against the file's name and its path relative
to the directory given (``/``-separated; ``*`` matches across ``/`` too). A file is audited when
it matches an ``--include`` pattern, or no ``--include`` is given and it matches no default
exclusion; and it matches no ``--exclude`` pattern. ``--include '*.md'`` thus audits Markdown
files after all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatchcase

EXIT_CODE_FILE = "exit_code"
"""A file beside a folder's one log that holds its exit code (sample_logs/ layout)."""
RC_SUFFIX = ".rc"
"""``<name>.rc`` beside ``<name>.log``, as ``cmd | tee name.log; echo $? > name.rc`` writes them."""

SIDECARS: tuple[str, ...] = ("*.exit", EXIT_CODE_FILE)
"""Always skipped: they are read as exit codes, never audited as logs."""
DEFAULT_EXCLUDES: tuple[str, ...] = (
    "*" + RC_SUFFIX,
    "README*", "LICENSE*", "*.md", "*.rst", "*.toml", "*.sh", "*.py", "*.yml", "*.yaml", "*.cfg", "*.ini",
    "*.csv", "*.tsv", "*.jsonl", "*.ndjson", "*.parquet", "*.json", "*.xml", "*.sarif",
)


@dataclass(frozen=True)
class Selection:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def wants(self, path: str, top: str | None = None) -> bool:
        """Whether ``path`` (found under ``top``, or by a glob when None) is audited."""
        name = os.path.basename(path)
        rel = os.path.relpath(path, top).replace(os.sep, "/") if top is not None else path.replace(os.sep, "/")
        hit = lambda patterns: any(fnmatchcase(name, p) or fnmatchcase(rel, p) for p in patterns)  # noqa: E731
        if hit(self.exclude) or any(fnmatchcase(name, p) for p in SIDECARS):
            return False
        if self.include:
            return hit(self.include)
        return not hit(DEFAULT_EXCLUDES)
