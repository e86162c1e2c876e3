"""What a new user trips over (issue 16): each behaviour a first session with the README met."""

from __future__ import annotations

import json

import pytest

from conftest import PYINFRA_LOG

LOG = str(PYINFRA_LOG)


# 1. An empty log is valid input ------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf"], ids=["empty", "bom-only"])
def test_an_empty_log_with_exit_0_is_consistent_and_says_so(cli, tmp_path, content):
    log = tmp_path / "flake8.log"
    log.write_bytes(content)
    for args, stdin in (([log], None), (["-"], content)):
        res = cli("check", *args, "-e", "0", stdin=stdin)
        assert res.code == 0, res
        assert res.stderr == ""
        assert "the log is empty" in res.stdout and ": consistent (exit 0" in res.stdout


def test_an_empty_log_with_a_non_zero_exit_is_an_unexplained_failure(cli, tmp_path):
    log = tmp_path / "empty.log"
    log.write_bytes(b"")
    res = cli("check", log, "-e", "1", "-f", "json")
    assert res.code == 0, res
    run = json.loads(res.stdout)["runs"][0]
    assert run["verdict"] == "unexplained-failure"
    assert run["findings"][0]["check"] == "exitaudit/empty-log"


def test_check_batch_and_run_agree_on_an_empty_log(cli, tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "quiet.log").write_bytes(b"")
    (tmp_path / "logs" / "quiet.log.exit").write_text("0\n")
    batch = cli("batch", tmp_path / "logs", "-o", tmp_path / "runs.csv")
    assert batch.code == 0, batch
    assert "consistent" in (tmp_path / "runs.csv").read_text()
    run = cli("run", "-f", "json", "-o", tmp_path / "run.json", "--", "true")
    assert run.code == 0, run
    check = cli("check", tmp_path / "logs" / "quiet.log", "-e", "0", "-f", "json")
    verdicts = {json.loads(x)["runs"][0]["verdict"] for x in ((tmp_path / "run.json").read_text(), check.stdout)}
    assert verdicts == {"consistent"}
