"""The benchmark's corpus is what its docstring says: only the planted logs are false-successes.

(A corpus where every log carried the evidence once made every "many logs" run a mismatch.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from exitaudit import ExitStatus, LogSource, Origin, load_rules
from exitaudit.engine import Engine

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_many_logs_plant_one_log_in_a_hundred(tmp_path):
    subprocess.run([sys.executable, str(BENCH / "make_corpus.py"), "many", str(tmp_path), "--count", "101", "--size", "8K"], check=True)
    engine = Engine(load_rules())
    verdicts = {}
    for log in sorted(tmp_path.glob("*.log")):
        with LogSource(str(log)) as src:
            status = ExitStatus.parse((tmp_path / (log.name + ".exit")).read_text(), Origin.FILE, "sidecar")
            verdicts[log.name] = engine.audit(src.blocks(), status).verdict.value
    false = sorted(name for name, v in verdicts.items() if v == "false-success")
    assert false == ["job-00000.log", "job-00100.log"]
    assert set(verdicts.values()) == {"false-success", "consistent"}


def test_the_big_log_has_its_five_plants(tmp_path):
    big = tmp_path / "big.log"
    subprocess.run([sys.executable, str(BENCH / "make_corpus.py"), "big", str(big), "--size", "200K"], check=True)
    text = big.read_text(encoding="utf-8")
    sys.path.insert(0, str(BENCH))
    from make_corpus import PLANTS

    assert sum(text.count(p + "\n") for p in PLANTS) == 5
