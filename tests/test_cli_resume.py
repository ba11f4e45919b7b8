"""A CLI run killed with SIGKILL at several points (one mid-way through writing its checkpoint) and
resumed ends with the same log (all but wall-clock times) and the same checkpoint tensors, bit for
bit, as a run never interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from workbench.atomic import SLOW_WRITE_ENV, is_temp_file
from workbench.checkpoint import load_checkpoint

ROOT = Path(__file__).resolve().parents[1]
RUN = [
    "--space",
    "teaching",
    "--num-nodes",
    "2",
    "--batch-size",
    "256",
    "--controller-steps",
    "2",
    "--controller-aggregate",
    "2",
    "--epochs",
    "3",
    "--seed",
    "0",
    "--checkpoint-every",
    "5",
    "--quiet",
]
STEPS = 3 * (12 + 2)  # 3000 training examples / 256 = 12 ω steps an epoch, then 2 θ steps


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != SLOW_WRITE_ENV}
    return {**env, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT), **extra}


def _start(*args, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", "search", *args],
        cwd=ROOT,
        env=_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen) -> None:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err


def _lines(folder: Path) -> int:
    try:
        return (folder / "log.jsonl").read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 60.0) -> bool:
    """SIGKILL `proc` as soon as `ready()` holds; False if it ended first."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.communicate()
            return False
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    return proc.returncode == -signal.SIGKILL


def _records(folder: Path) -> list[dict]:
    rows = [json.loads(line) for line in (folder / "log.jsonl").read_text().splitlines()]
    for row in rows:
        row.pop("seconds")
    return rows


def _assert_same(a, b, where: str = "checkpoint") -> None:
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("runs") / "whole"
    _finish(_start(*RUN, "--out", str(folder)))
    return folder


def test_killed_and_resumed_run_equals_uninterrupted_run(uninterrupted, tmp_path):
    folder = tmp_path / "killed"
    kills = []
    # before the first checkpoint: the resumed run starts again from step 0 with an empty log
    kills.append(_kill_when(_start(*RUN, "--out", str(folder)), lambda: _lines(folder) >= 3))
    assert not (folder / "checkpoint.pt").exists()
    # mid-epoch, between checkpoints, at points a deterministic schedule picks
    for at in (12, 23):
        kills.append(_kill_when(_start("--resume", str(folder), "--quiet"), lambda at=at: _lines(folder) >= at))
    # mid-way through writing checkpoint.pt: the hook pauses the write halfway through its temporary file
    stale = {p.name for p in folder.iterdir()}  # an earlier kill may have torn a write too

    def half_written() -> bool:
        return any(
            p.name.startswith(".checkpoint.pt.") and p.name not in stale and p.stat().st_size > 0
            for p in folder.iterdir()
        )

    proc = _start("--resume", str(folder), "--quiet", **{SLOW_WRITE_ENV: "checkpoint.pt=60"})
    kills.append(_kill_when(proc, half_written))
    assert half_written(), "the kill should leave a torn temporary file"
    assert load_checkpoint(folder / "checkpoint.pt")["trainer"]["step"] < _lines(folder)  # the previous one, intact
    # a kill right after a step's log line, before its checkpoint
    kills.append(_kill_when(_start("--resume", str(folder), "--quiet"), lambda: _lines(folder) >= 36))
    assert kills == [True] * 5, "every kill should land while the run was still going"
    _finish(_start("--resume", str(folder), "--quiet"))

    assert not any(is_temp_file(p.name) for p in folder.iterdir())
    whole, resumed = _records(uninterrupted), _records(folder)
    assert [r["step"] for r in resumed] == list(range(1, STEPS + 1))
    assert resumed == whole
    a, b = load_checkpoint(uninterrupted / "checkpoint.pt"), load_checkpoint(folder / "checkpoint.pt")
    assert a["trainer"]["step"] == STEPS
    _assert_same(a["trainer"], b["trainer"])
    assert (
        json.loads((folder / "summary.json").read_text())["most_likely"]
        == json.loads((uninterrupted / "summary.json").read_text())["most_likely"]
    )


def test_sigterm_writes_a_checkpoint_and_resume_finishes_the_same(uninterrupted, tmp_path):
    folder = tmp_path / "termed"
    proc = _start(*RUN, "--out", str(folder))
    deadline = time.monotonic() + 60
    while _lines(folder) < 8 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted at step" in err and "--resume" in err and len(err.strip().splitlines()) == 1
    step = load_checkpoint(folder / "checkpoint.pt")["trainer"]["step"]
    assert step == _lines(folder) >= 8  # the checkpoint is at the last logged step
    _finish(_start("--resume", str(folder), "--quiet"))
    assert _records(folder) == _records(uninterrupted)
    _assert_same(
        load_checkpoint(uninterrupted / "checkpoint.pt")["trainer"],
        load_checkpoint(folder / "checkpoint.pt")["trainer"],
    )
