"""`exitaudit batch --dask`: the batch audit on a Dask cluster gives what the local batch gives,
row for row; the engine ships pickled; logs may be fsspec URLs; every failure is one line.

One local cluster of two worker processes is started for the module; the CLI reaches it by its
scheduler address, as it would reach a real cluster's."""

from __future__ import annotations

import csv
import logging
import pickle
import shutil
import socket
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

import polars as pl
from conftest import PYINFRA_LOG, SAMPLES, assert_one_line_error
from polars.testing import assert_frame_equal

MANIFEST = SAMPLES / "manifest.csv"


@pytest.fixture(scope="module")
def scheduler():
    """The address of a local cluster of two worker processes, one thread each."""
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
        host="127.0.0.1", silence_logs=logging.CRITICAL, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def batch_outputs(cli, tmp_path: Path, name: str, *args: str | Path):
    """Run a batch with every table output; return them and the result."""
    out = tmp_path / name
    out.mkdir()
    runs, findings, summary, junit = out / "runs.parquet", out / "findings.csv", out / "summary.csv", out / "junit.xml"
    res = cli("batch", *args, "-o", runs, "--findings", findings, "--summary", summary, "--junit", junit)
    tables = {p.name: p for p in (runs, findings, summary, junit) if p.exists()}
    return res, tables


def assert_same_batch(local, distributed_):
    (res_l, tables_l), (res_d, tables_d) = local, distributed_
    assert res_d.code == res_l.code, (res_l, res_d)
    assert res_d.stdout == res_l.stdout  # the plain summary
    assert res_d.stderr == res_l.stderr
    assert sorted(tables_d) == sorted(tables_l)
    for name, path in tables_l.items():
        if name.endswith(".parquet"):
            assert_frame_equal(pl.read_parquet(tables_d[name]), pl.read_parquet(path))
        assert tables_d[name].read_bytes() == path.read_bytes(), name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------
# The same results as the local batch


def test_the_sample_corpus_on_a_cluster_equals_the_local_batch(cli, tmp_path, scheduler):
    local = batch_outputs(cli, tmp_path, "local", MANIFEST, "--jobs", "2")
    dask = batch_outputs(cli, tmp_path, "dask", MANIFEST, "--dask", scheduler)
    assert local[0].code == 1 and local[0].stderr == "", local[0]
    assert_same_batch(local, dask)
    runs = pl.read_parquet(dask[1]["runs.parquet"])
    with open(MANIFEST, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert runs.height == len(rows) > 50
    assert runs.get_column("source").to_list() == [str(SAMPLES / r["path"]) for r in rows]  # input order
    assert runs.get_column("expected_verdict").to_list() == [r["expected_verdict"] for r in rows]  # carried
    assert {"consistent", "false-success"} <= set(runs.get_column("verdict").to_list())
    summary = pl.read_csv(dask[1]["summary.csv"])
    assert summary.filter(pl.col("check").is_null()).height >= 5


def test_dask_local_starts_its_own_cluster(cli, tmp_path):
    local = batch_outputs(cli, tmp_path, "local", MANIFEST, "--jobs", "1")
    dask = batch_outputs(cli, tmp_path, "dask", MANIFEST, "--dask", "local", "--jobs", "2")
    assert_same_batch(local, dask)


def test_an_unreadable_log_is_one_error_row(cli, tmp_path, scheduler):
    shutil.copy(PYINFRA_LOG, tmp_path / "deploy.log")
    (tmp_path / "hello.log").write_text("hello world\n")
    (tmp_path / "empty.log").write_bytes(b"")
    manifest = tmp_path / "jobs.csv"
    manifest.write_text("path,exit_code\ndeploy.log,0\nmissing.log,0\nhello.log,0\nempty.log,1\n")
    local = batch_outputs(cli, tmp_path, "local", manifest, "--jobs", "1")
    dask = batch_outputs(cli, tmp_path, "dask", manifest, "--dask", scheduler)
    assert_same_batch(local, dask)
    res, tables = dask
    assert res.code == 2  # an unreadable log makes the batch's exit code 2, after every row
    assert res.stderr.splitlines() == [f"exitaudit: {tmp_path / 'missing.log'}: no such file"]
    runs = pl.read_parquet(tables["runs.parquet"])
    assert runs.get_column("verdict").to_list() == ["false-success", None, "no-coverage", "unexplained-failure"]
    assert runs.get_column("error").to_list()[1] == f"{tmp_path / 'missing.log'}: no such file"


def test_a_failed_task_is_one_error_row_per_log_and_the_batch_goes_on(scheduler, tmp_path):
    from exitaudit.distributed import DaskCluster
    from exitaudit.model import ExitStatus

    tasks = [(str(tmp_path / f"{i}.log"), ExitStatus.unknown(), None, None) for i in range(3)]
    tasks.append(("bad.log", ExitStatus.unknown(), None, "bad.log.exit: expected an exit code"))
    with DaskCluster(scheduler) as cluster:
        # No engine: the task fails on the worker, outside the per-log audit.
        outcomes = list(cluster.audit_all(tasks, None))  # type: ignore[arg-type]
    assert [run for run, _e in outcomes] == [None] * 4
    errors = [e for _r, e in outcomes]
    assert errors[3] == "bad.log.exit: expected an exit code"
    for task, error in zip(tasks[:3], errors, strict=False):
        assert error.startswith(f"{task[0]}: not audited: its Dask task failed: AssertionError"), error


# --------------------------------------------------------------------------------------------
# Streaming in bounded memory, in input order


def test_results_come_in_input_order_within_a_bounded_window(scheduler, tmp_path, monkeypatch):
    from exitaudit import distributed as d
    from exitaudit.engine import Engine
    from exitaudit.model import ExitStatus, Origin
    from exitaudit.rules import load_rules

    monkeypatch.setattr(d, "WINDOW_PER_THREAD", 2)
    tasks = []
    for i in range(300):
        log = tmp_path / f"{i}.log"
        log.write_bytes(PYINFRA_LOG.read_bytes() if i % 3 else f"hello {i}\n".encode())
        tasks.append((str(log), ExitStatus.from_code(i % 2, Origin.FILE), None, None))
    engine = Engine(load_rules(), fast=True)
    with d.DaskCluster(scheduler) as cluster:
        threads = cluster.threads()
        size = d.chunk_size(len(tasks), threads)
        window = d.WINDOW_PER_THREAD * threads
        submitted = []
        submit = cluster.client.submit
        cluster.client.submit = lambda *a, **kw: submitted.append(1) or submit(*a, **kw)
        outcomes = []
        for outcome in cluster.audit_all(tasks, engine):
            # Never more than the window of chunks beyond those already handed out.
            assert len(submitted) <= len(outcomes) // size + window + 1
            outcomes.append(outcome)
    assert len(submitted) == -(-len(tasks) // size) > window
    from exitaudit.batch import audit_all, set_engine

    set_engine(engine)
    assert outcomes == list(audit_all(tasks, None))


# --------------------------------------------------------------------------------------------
# The engine ships pickled


def test_a_pickled_engine_gives_identical_results():
    from exitaudit.batch import audit_one, set_engine
    from exitaudit.engine import Engine
    from exitaudit.model import ExitStatus, Origin
    from exitaudit.rules import load_rules

    engine = Engine(load_rules(), fast=True)
    engine.prepare()
    copy = pickle.loads(pickle.dumps(engine))
    assert copy._filters == {} and copy._hyperscan == {}  # rebuilt on first use, where it runs
    with open(MANIFEST, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        status = ExitStatus.parse(row["exit_code"], Origin.FILE, "manifest")
        task = (str(SAMPLES / row["path"]), status, tuple(row["tool"].split()) or None, None)
        set_engine(engine)
        original = audit_one(task)
        set_engine(copy)
        assert audit_one(task) == original, row["path"]
    # Results travel back from the workers pickled too.
    run, _error = original
    assert pickle.loads(pickle.dumps(run)) == run


# --------------------------------------------------------------------------------------------
# fsspec URLs


def test_a_file_url_in_a_manifest_locally_and_on_the_cluster(cli, tmp_path, scheduler):
    shutil.copy(PYINFRA_LOG, tmp_path / "deploy.log")
    url = (tmp_path / "deploy.log").as_uri()
    manifest = tmp_path / "sub" / "jobs.csv"
    manifest.parent.mkdir()
    manifest.write_text(f"path,exit_code\n{url},0\n{url}.missing,0\n")
    local = batch_outputs(cli, tmp_path, "local", manifest, "--jobs", "1")
    dask = batch_outputs(cli, tmp_path, "dask", manifest, "--dask", scheduler)
    assert_same_batch(local, dask)
    runs = pl.read_parquet(dask[1]["runs.parquet"])
    assert runs.get_column("source").to_list() == [url, url + ".missing"]  # not joined to the manifest's folder
    assert runs.get_column("verdict").to_list() == ["false-success", None]
    assert dask[0].stderr == f"exitaudit: {url}.missing: no such file\n"


def test_a_memory_url_is_read_by_fsspec(tmp_path):
    import fsspec

    from exitaudit import batch as b
    from exitaudit.engine import Engine
    from exitaudit.model import Severity
    from exitaudit.rules import load_rules

    fsspec.filesystem("memory").pipe("/exitaudit-test/deploy.log", PYINFRA_LOG.read_bytes())
    manifest = tmp_path / "jobs.jsonl"
    manifest.write_text('{"path": "memory://exitaudit-test/deploy.log", "exit_code": 0}\n{"path": "memory://exitaudit-test/gone.log", "exit_code": 0}\n')
    ruleset = load_rules()
    b.set_engine(Engine(ruleset))
    todo = b.collect([str(manifest)], b.Columns(), known_tools=ruleset.files)
    said: list[str] = []
    results = b.run_batch(todo, None, fail_on=Severity.ERROR, baseline=None, say=said.append, progress=False)
    assert results.runs["source"] == ["memory://exitaudit-test/deploy.log", "memory://exitaudit-test/gone.log"]
    assert results.runs["verdict"] == ["false-success", None]
    assert said == ["memory://exitaudit-test/gone.log: no such file"]


def test_a_url_whose_backend_is_missing_is_one_error_row(cli, tmp_path):
    try:
        import s3fs
    except ImportError:
        pass
    else:
        pytest.skip("s3fs is installed")
    manifest = tmp_path / "jobs.csv"
    manifest.write_text(f"path,exit_code\ns3://bucket/job.log,0\n{PYINFRA_LOG},0\n")
    res = cli("batch", manifest, "-o", tmp_path / "runs.csv", "--jobs", "1")
    assert res.code == 2
    assert res.stderr.splitlines() == ["exitaudit: s3://bucket/job.log: no fsspec backend for s3:// here (Install s3fs to access S3)"]
    assert "1 unreadable" in res.stdout


# --------------------------------------------------------------------------------------------
# Failures are one line


def test_a_scheduler_that_cannot_be_reached(cli, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    res = cli("batch", MANIFEST, "--dask", address, "-o", tmp_path / "runs.csv", env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert_one_line_error(res, f"--dask: cannot reach scheduler {address}: ")
    assert not (tmp_path / "runs.csv").exists()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--dask", "foo"], ["--dask: not a scheduler address", "missing port"]),
        (["--dask", "http://host:8786"], ["--dask: not a scheduler address", "'http'"]),
        (["--dask", ""], ["--dask: expected a scheduler address"]),
        (["--dask", "tcp://127.0.0.1:8786", "--jobs", "2"], ["--jobs: sets the workers of --dask local only"]),
    ],
)
def test_bad_dask_options_are_one_line(cli, tmp_path, args, needles):
    res = cli("batch", MANIFEST, *args, "-o", tmp_path / "runs.csv")
    assert_one_line_error(res, *needles)


def test_without_the_extra_dask_says_how_to_install_it(cli, tmp_path):
    stub = tmp_path / "stub" / "distributed"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("raise ImportError('No module named distributed')\n")
    res = cli("batch", MANIFEST, "--dask", "local", env={"PYTHONPATH": str(stub.parent)})
    assert_one_line_error(res, "--dask: Dask is not installed: pip install 'exitaudit[dask]'")


