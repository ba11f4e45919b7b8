"""The ground-truth sweep: its plan, its results file (resumable after a kill, torn lines dropped,
no duplicates), the local backend's results equal in-process stand-alone training, and the
`workbench groundtruth` command refusing bad values before any work starts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import workbench as wb
from workbench import cli
from workbench.groundtruth import Settings, plan, read_results, train_standalone

ROOT = Path(__file__).resolve().parents[1]
SMALL = "teaching(num_nodes=2)"  # 32 architectures
FAST = ["--space", SMALL, "--epochs", "8", "--quiet"]


def test_plan_covers_every_arch_once_per_seed_and_repeats_a_random_subset():
    space = wb.spaces.get("teaching")
    tasks = plan(space, seeds=(0, 1), repeat=500)
    assert len(tasks) == 6144 + 500 and len(set(tasks)) == len(tasks)
    first = {a for a, s in tasks if s == 0}
    second = {a for a, s in tasks if s == 1}
    assert len(first) == 6144 and len(second) == 500 and second <= first
    assert plan(space, (0, 1), repeat=500) == tasks  # the draw is seeded
    assert plan(space, (0, 1), repeat=500, draw_seed=1) != tasks
    few = plan(space, (4,), archs=10)
    assert len(few) == 10 and all(s == 4 and space.parse(a) for a, s in few)
    for bad in (
        {"seeds": ()},
        {"seeds": (0, 0)},
        {"seeds": (-1,)},
        {"archs": 0},
        {"archs": 6145},
        {"seeds": (0, 1), "repeat": 6145},
    ):
        with pytest.raises(ValueError):
            plan(space, **{"seeds": (0,), **bad})


def _env() -> dict:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}


def test_a_killed_local_sweep_resumes_without_loss_or_duplication(tmp_path, mnist1d):
    out = tmp_path / "gt.jsonl"
    args = [
        sys.executable,
        "-m",
        "workbench",
        "groundtruth",
        *FAST,
        "--out",
        str(out),
        "--seeds",
        "0",
        "1",
        "--repeat",
        "4",
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        args, cwd=ROOT, env=_env(), start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 6):
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, mid-way
        proc.wait()
    _, partial = read_results(out)
    assert 5 <= len(partial) < 36, "killed too late to test resuming"
    with open(out, "ab") as f:
        f.write(b'{"arch": "node1=relu(stem) node2=re')  # as if killed mid-line
    assert (
        cli.main(["groundtruth", *FAST, "--out", str(out), "--seeds", "0", "1", "--repeat", "4", "--workers", "2"]) == 0
    )
    head, rows = read_results(out)
    lines = out.read_text().splitlines()
    assert len(lines) == 1 + 36 and all(json.loads(line) for line in lines)  # torn line gone, no duplicates
    keys = [(r["arch"], r["seed"]) for r in rows]
    assert sorted(keys) == sorted(plan(SMALL, (0, 1), repeat=4)) and len(set(keys)) == 36
    assert rows[: len(partial)] == partial  # nothing finished was redone
    assert head["settings"] == Settings(epochs=8).to_dict() and head["space"] == SMALL
    for r in rows[::9]:  # the workers' results are exactly in-process stand-alone training
        mine = train_standalone(SMALL, r["arch"], mnist1d, r["seed"], epochs=8)
        assert (mine.val_accuracy, mine.test_accuracy, mine.params) == (
            r["val_accuracy"],
            r["test_accuracy"],
            r["params"],
        )
    table = wb.groundtruth.load_results(out)
    assert list(table.columns) == ["arch", "seed", "val_accuracy", "test_accuracy", "params", "seconds"]
    assert len(table) == 36 and table["val_accuracy"].between(0, 1).all()


def test_a_file_of_another_sweep_is_refused_unless_forced(tmp_path, capsys):
    out = tmp_path / "gt.jsonl"
    assert cli.main(["groundtruth", *FAST, "--out", str(out), "--archs", "2", "--workers", "1"]) == 0
    before = out.read_bytes()
    assert cli.main(["groundtruth", *FAST[:2], "--epochs", "9", "--quiet", "--out", str(out), "--archs", "2"]) == 2
    assert "holds a sweep with different settings" in capsys.readouterr().err and out.read_bytes() == before
    assert (
        cli.main(
            [
                "groundtruth",
                *FAST[:2],
                "--epochs",
                "9",
                "--quiet",
                "--out",
                str(out),
                "--archs",
                "2",
                "--workers",
                "1",
                "--force",
            ]
        )
        == 0
    )
    assert read_results(out)[0]["settings"]["epochs"] == 9 and len(read_results(out)[1]) == 2


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--seeds", "0", "0"], "distinct"),
        (["--seeds", "-1"], "--seeds"),
        (["--repeat", "40"], "repeat=40"),
        (["--archs", "0"], "--archs"),
        (["--archs", "33"], "only 32 architectures"),
        (["--epochs", "0"], "--epochs"),
        (["--lr", "nan"], "--lr"),
        (["--lr", "-1e-3"], "--lr"),
        (["--batch-size", "x"], "--batch-size"),
        (["--backend", "spark"], "invalid choice"),
        (["--address", "1.2.3.4:6379"], "--address is for --backend ray"),
        (["--backend", "ray", "--workers", "2"], "--workers is for --backend local"),
        (["--space", "teaching(num_nodes=0)"], "num_nodes"),
        (["--space", "nope"], "unknown search space"),
    ],
)
def test_bad_values_are_refused_before_any_work(tmp_path, capsys, argv, says):
    out = tmp_path / "gt.jsonl"
    base = {"--space": SMALL, "--out": str(out)}
    flags = [x for k, v in base.items() if k not in argv for x in (k, v)]
    assert cli.main(["groundtruth", *flags, *argv]) == 2
    assert says in capsys.readouterr().err
    assert not out.exists()


def test_help_explains_every_option(capsys):
    with pytest.raises(SystemExit):
        cli.main(["groundtruth", "--help"])
    text = capsys.readouterr().out
    for flag in (
        "--space",
        "--out",
        "--seeds",
        "--repeat",
        "--archs",
        "--draw-seed",
        "--backend",
        "--workers",
        "--address",
        "--epochs",
        "--batch-size",
        "--lr",
        "--force",
        "--quiet",
        "resumable",
    ):
        assert flag in text, flag
    assert cli.main(["groundtruth"]) == 2  # --out is required
