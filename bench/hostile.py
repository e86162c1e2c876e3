#!/usr/bin/env python3
"""Write the hostile rule files and logs of issue 15 (items 2 to 6) into a folder, and print the
command that runs each, for measuring time and peak memory (docs/reliability.md, "Budgets and
limits"):

    python bench/hostile.py /tmp/hostile
    cd /tmp/hostile/cond-nested && /usr/bin/time -f "%e s %M KiB" python -m exitaudit check log -e 0
"""

from __future__ import annotations

import sys
from pathlib import Path

HEADER = """format = 1
tool = "{tool}"
description = "A hostile rule file (bench/hostile.py)."
[detect]
patterns = ['^demo starting']
[exit_codes]
0 = "ok"
"""


def check(id_: str, when: str, message: str = "m") -> str:
    return f'\n[[checks]]\nid = "{id_}"\ntitle = "t"\nkind = "false-success"\nwhen = """{when}"""\nmessage = "{message}"\n'


def nested(levels: int, over: str, inner: str) -> str:
    expr = inner
    for i in reversed(range(levels)):
        expr = f"{over}.all(v{i}, {expr})"
    return expr


TEN = "[0,1,2,3,4,5,6,7,8,9]"


def main(root: Path) -> None:
    cases: dict[str, tuple[str, dict[str, bytes]]] = {}

    # 2. A condition nesting comprehensions, named by the folder's configuration.
    cases["cond-nested"] = ("python -m exitaudit check log -e 0", {
        "demo.toml": (HEADER.format(tool="demo") + check("nested", nested(8, TEN, "v7 >= 0") + " && exit.code == 0")).encode(),
        "exitaudit.toml": b'rules = ["demo.toml"]\n',
        "log": b"demo starting\n",
    })
    maps = "tool"
    for i in range(6):
        maps = f"{TEN}.map(m{i}, {maps} + {maps})"
    cases["cond-map"] = ("python -m exitaudit check log -e 0", {
        "demo.toml": (HEADER.format(tool="demo") + check("grows", f"size({maps}) > 0 && exit.code == 0")).encode(),
        "exitaudit.toml": b'rules = ["demo.toml"]\n',
        "log": b"demo starting\n",
    })
    # 3. Thirty catastrophic signals over lines of a's.
    # Thirty distinct patterns (one pattern named by several signals is searched once).
    slow = "".join(f"\n[signals.slow{i}]\npattern = '^(a|aa)+$|^z{{{i}}}q'\n" for i in range(30))
    cases["regex-30"] = ("python -m exitaudit check log -e 0 --no-config -r demo.toml", {
        "demo.toml": (HEADER.format(tool="demo") + slow + check("slow", " || ".join(f"slow{i} > 0" for i in range(30)))).encode(),
        "log": b"demo starting\n" + (b"a" * 60 + b"b\n") * 20,
    })
    # 4. followed_by: a catastrophic tail after 20 heads; an empty head with a 10,000-line window.
    tail = "\n[signals.seq]\npattern = '^head'\nfollowed_by = '^(a|aa)+$'\nwithin = 5\n"
    cases["follow-slow-tail"] = ("python -m exitaudit check log -e 0 --no-config -r demo.toml", {
        "demo.toml": (HEADER.format(tool="demo") + tail + check("seq", "seq > 0 && exit.code == 0")).encode(),
        "log": b"demo starting\n" + (b"head\n" + b"a" * 60 + b"b\n") * 20,
    })
    wide = "\n[signals.seq]\npattern = '^'\nfollowed_by = '^never$'\nwithin = 10000\n"
    cases["follow-wide"] = ("python -m exitaudit check log -e 0 --no-config -r demo.toml", {
        "demo.toml": (HEADER.format(tool="demo") + wide + check("seq", "seq > 0 && exit.code == 0")).encode(),
        "log": b"demo starting\n" + b"line\n" * 100_000,
    })
    # 5. One 8.4 MB line of bare-CR segments, every one a hit of the built-in rules.
    cases["cr-line"] = ("python -m exitaudit check log -e 0 --no-config", {
        "log": b"hello\r" + b"Error: x\r" * 930_000,
    })
    # 6. value = "all" over 8 MiB names; a greedy group rendered into the message.
    name = b"x" * (8 << 20)
    cases["all-8mib"] = ("python -m exitaudit check log -e 1 --no-config -t pytest -f json -o report.json", {
        "log": b"".join(b"FAILED tests/test_a.py::test_%d%s - assert 0\n" % (i, name) for i in range(100))
        + b"==== 100 failed in 1.00s ====\n",
    })
    greedy = "\n[signals.v]\npattern = 'value: (?P<v>.*)'\nvalue = \"last\"\n"
    cases["greedy-message"] = ("python -m exitaudit check log -e 0 --no-config -r demo.toml -f json -o report.json", {
        "demo.toml": (HEADER.format(tool="demo") + greedy + check("v", "v != '' && exit.code == 0", "{v} " * 50)).encode(),
        "log": b"demo starting\n" + (b"value: " + b"v" * (8 << 20) + b"\n") * 2,
    })

    for case, (command, files) in cases.items():
        folder = root / case
        folder.mkdir(parents=True, exist_ok=True)
        for name_, data in files.items():
            (folder / name_).write_bytes(data)
        print(f"(cd {folder} && {command})")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hostile"))
