"""Sweeps: value grammar, designs, identical tables on every backend, shards, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.experiments.sweep import design_points, parse_vary
from simulator.experiments.variants import ExperimentError

SMALL = """\
name: small sweep
clock: {open: "09:00", close: "10:00"}
customer_classes:
  c: {pathway: p, patience: {dist: exponential, mean: 10}}
arrivals: {w: {rate_per_hour: {"09:00": 40}}}
stations:
  s: {counters: 4, staff: st, service: {dist: exponential, mean: 3}}
staff:
  st: {shifts: [{start: "09:00", end: "10:00", count: 2}]}
pathways: {p: [s]}
run: {replications: 20, seed: 11}
"""
VARY = ["--vary", "staff.st.shifts.0.count=1..4",
        "--vary", "stations.s.service.mean=2,2.5,3,3.5",
        "--vary", "customer_classes.c.patience.mean=5:20:5"]
TABLES = ("variants.csv", "replications.csv", "sweep.csv")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("sc") / "small.yaml"
    p.write_text(SMALL)
    return p


def sweep(scenario: Path, out: Path, *extra: str) -> None:
    res = CliRunner().invoke(main, ["sweep", str(scenario), *VARY, "-o", str(out), "-q",
                                    "--no-figures", *extra])
    assert res.exit_code == 0, res.output + str(res.exception)


@pytest.fixture(scope="module")
def reference(scenario, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "j1"
    sweep(scenario, out, "-j", "1")
    return out


def test_grammar():
    assert parse_vary("a.b=3,4,5").values == (3, 4, 5)
    assert parse_vary("a.b=3..6").values == (3, 4, 5, 6)
    assert parse_vary("a.b=0.8:1.2:0.1").values == (0.8, 0.9, 1.0, 1.1, 1.2)
    assert parse_vary('a.b="08:00","09:00"').values == ("08:00", "09:00")
    v = parse_vary("a.0.b=0.5~1.5")
    assert (v.low, v.high, v.path) == (0.5, 1.5, ("a", 0, "b"))
    for bad in ("a.b", "a.b=5..3", "a.b=1:0:0.1", "a.b=2~1", "a.b=1,,2"):
        with pytest.raises(ExperimentError):
            parse_vary(bad)


def test_designs():
    vs = [parse_vary("x=1..3"), parse_vary("y=a,b")]
    grid = design_points(vs, "grid", None, 1)
    assert grid == [{"x": 1, "y": "a"}, {"x": 1, "y": "b"}, {"x": 2, "y": "a"},
                    {"x": 2, "y": "b"}, {"x": 3, "y": "a"}, {"x": 3, "y": "b"}]
    lhs = design_points([parse_vary("x=0~1"), parse_vary("y=0~10")], "lhs", 8, 3)
    assert len(lhs) == 8
    # Latin hypercube: each eighth of each range holds exactly one point
    assert sorted(int(p["x"] * 8) for p in lhs) == list(range(8))
    assert sorted(int(p["y"] / 10 * 8) for p in lhs) == list(range(8))
    assert lhs == design_points([parse_vary("x=0~1"), parse_vary("y=0~10")], "lhs", 8, 3)
    with pytest.raises(ExperimentError, match="needs --design lhs"):
        design_points([parse_vary("x=0~1")], "grid", None, 1)


def test_reference_shape(reference):
    import pandas as pd

    variants = pd.read_csv(reference / "variants.csv")
    assert len(variants) == 64 and variants["variant_id"].is_unique
    reps = pd.read_csv(reference / "replications.csv")
    assert len(reps) == 64 * 20
    tidy = pd.read_csv(reference / "sweep.csv")
    assert {"variant_id", "kpi", "mean", "sd", "n", "ci_low", "ci_high"} <= set(tidy.columns)
    m = json.loads((reference / "manifest.json").read_text())
    assert m["execution"]["computed_tasks"] == 1280 and m["execution"]["reused_tasks"] == 0
    # more staff never hurts on average here: a sanity check of direction
    w = tidy[tidy["kpi"] == "wait_mean_min"].groupby("staff.st.shifts.0.count")["mean"].mean()
    assert w.is_monotonic_decreasing


def test_two_workers_give_identical_tables(scenario, reference, tmp_path):
    sweep(scenario, tmp_path / "j2", "-j", "2")
    for t in TABLES:
        assert (tmp_path / "j2" / t).read_bytes() == (reference / t).read_bytes(), t


def test_dask_cluster_on_loopback_gives_identical_tables(scenario, reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        sweep(scenario, tmp_path / "dask", "--backend", "dask", "--scheduler",
              cluster.scheduler_address)
    for t in TABLES:
        assert (tmp_path / "dask" / t).read_bytes() == (reference / t).read_bytes(), t


def test_shards_then_merge_give_identical_tables(scenario, reference, tmp_path):
    shards = []
    for i in (1, 2, 3):
        d = tmp_path / f"shard{i}"
        sweep(scenario, d, "--shard", f"{i}/3")
        assert not (d / "sweep.csv").exists() and (d / "shard.json").exists()
        shards.append(str(d))
    counts = [len(list((Path(d) / "tasks").rglob("*.json"))) for d in shards]
    assert sum(counts) == 1280 and max(counts) - min(counts) <= 1
    res = CliRunner().invoke(main, ["merge", *shards, "-o", str(tmp_path / "merged"),
                                    "--no-figures"])
    assert res.exit_code == 0, res.output
    for t in TABLES:
        assert (tmp_path / "merged" / t).read_bytes() == (reference / t).read_bytes(), t


def test_merge_refuses_an_incomplete_set(scenario, tmp_path):
    sweep(scenario, tmp_path / "s1", "--shard", "1/3")
    res = CliRunner().invoke(main, ["merge", str(tmp_path / "s1"), "-o", str(tmp_path / "m")])
    assert res.exit_code == 1 and "have no result yet" in res.output
    assert not (tmp_path / "m" / "manifest.json").exists()


def test_killed_sweep_resumes_without_recomputing(scenario, reference, tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "simulator", "sweep", str(scenario), *VARY, "-o", str(out),
           "-q", "--no-figures", "-j", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = len(list((out / "tasks").rglob("*.json"))) if (out / "tasks").exists() else 0
        if done >= 300:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    finished = len(list((out / "tasks").rglob("*.json")))
    assert 300 <= finished < 1280, "the sweep should be killed half-way"
    assert not (out / "manifest.json").exists()  # an unfinished folder does not look complete
    res = CliRunner().invoke(main, ["sweep", str(scenario), *VARY, "-o", str(out), "-q",
                                    "--no-figures"])
    assert res.exit_code == 0, res.output
    m = json.loads((out / "manifest.json").read_text())
    assert m["execution"]["reused_tasks"] == finished
    assert m["execution"]["computed_tasks"] == 1280 - finished
    for t in TABLES:
        assert (out / t).read_bytes() == (reference / t).read_bytes(), t


def test_an_interrupted_sweep_says_how_to_resume(scenario, tmp_path):
    """Ctrl-C (SIGINT) during a sweep: the finished replications are kept and the message
    says how many and to run the same command again with the same -o."""
    out = tmp_path / "interrupted"
    cmd = [sys.executable, "-m", "simulator", "sweep", str(scenario), *VARY, "-o", str(out),
           "--no-figures", "-j", "1"]
    # Ctrl-C's default action in the child, even when this test runs in a background job
    # (where the shell starts everything with SIGINT ignored, and Python keeps it ignored)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if (out / "tasks").exists() and len(list((out / "tasks").rglob("*.json"))) >= 20:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    finished = len(list((out / "tasks").rglob("*.json")))
    assert f"sweep interrupted: {finished} finished replication(s) are kept in" in err
    assert f"run the same command again with -o {out}" in err
    assert not (out / "manifest.json").exists()


def test_a_failing_task_is_reported_and_others_kept(scenario, tmp_path, monkeypatch):
    import simulator.engine.model as model

    original = model.simulate

    def flaky(plan, seed, replication, **kwargs):
        if replication == 3:
            raise RuntimeError("boom")
        return original(plan, seed, replication, **kwargs)

    monkeypatch.setattr(model, "simulate", flaky)
    out = tmp_path / "flaky"
    res = CliRunner().invoke(main, ["sweep", str(scenario), "--vary",
                                    "staff.st.shifts.0.count=1,2", "-n", "5", "-o", str(out),
                                    "-q", "--no-figures"])
    assert res.exit_code == 1
    assert "replication 3" in res.stderr and "boom" in res.stderr and "seed 11" in res.stderr
    assert len(list((out / "tasks").rglob("*.json"))) == 8  # the 8 good tasks are kept
    assert not (out / "manifest.json").exists()
    monkeypatch.setattr(model, "simulate", original)
    res = CliRunner().invoke(main, ["sweep", str(scenario), "--vary",
                                    "staff.st.shifts.0.count=1,2", "-n", "5", "-o", str(out),
                                    "-q", "--no-figures"])
    assert res.exit_code == 0
    m = json.loads((out / "manifest.json").read_text())
    assert m["execution"]["computed_tasks"] == 2 and m["execution"]["reused_tasks"] == 8


def test_workers_write_their_own_records(scenario, tmp_path):
    import pandas as pd

    out = tmp_path / "rec"
    res = CliRunner().invoke(main, ["sweep", str(scenario), "--vary",
                                    "staff.st.shifts.0.count=1,2", "-n", "3", "-o", str(out),
                                    "-q", "--no-figures", "--records", "full", "-j", "2"])
    assert res.exit_code == 0, res.output
    variants = pd.read_csv(out / "variants.csv")["variant_id"].tolist()
    for table in ("customers", "visits", "levels", "staff"):
        for v in variants:
            files = sorted((out / "records" / table / f"variant={v}").glob("rep=*.csv"))
            assert [f.name for f in files] == ["rep=00000.csv", "rep=00001.csv",
                                               "rep=00002.csv"]
    reps = pd.read_csv(out / "replications.csv")
    for v in variants:
        c = pd.read_csv(out / "records" / "customers" / f"variant={v}" / "rep=00001.csv")
        row = reps[(reps["variant_id"] == v) & (reps["replication"] == 1)].iloc[0]
        assert len(c) == row["arrived"]
