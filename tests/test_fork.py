"""Kept checkpoints and forks: `--keep-checkpoints N` keeps a bounded number, `wb.load_trainer(run, step=t)`
is the run as it was at the last kept checkpoint at or before t, bit for bit, and `workbench search
--resume X --from-step t --out Y` makes a new run Y (X untouched) that, unchanged, goes on exactly as X
did, killed with SIGKILL or not; `--set KEY=VALUE` changes what follows."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import workbench as wb
from workbench.atomic import SLOW_WRITE_ENV, is_temp_file
from workbench.checkpoint import CheckpointError, load_checkpoint
from workbench.cli import EXIT_OK, EXIT_USAGE, main
from workbench.runs import RunFolder

ROOT = Path(__file__).resolve().parents[1]
SPACE = wb.spaces.get("teaching", num_nodes=2)
TINY = ["--space", "teaching", "--num-nodes", "2", "--batch-size", "256", "--controller-steps", "2"]
TINY += ["--controller-aggregate", "2", "--epochs", "2", "--seed", "0", "--quiet"]
STEPS = 2 * (12 + 2)  # 3000 / 256 -> 12 ω steps an epoch, then 2 θ steps


@pytest.fixture(scope="module")
def run_x(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fork") / "X"
    assert main(["search", *TINY, "--keep-checkpoints", "4", "--keep-last", "0", "--out", str(folder)]) == EXIT_OK
    return folder


def _rows(folder: Path) -> list[dict]:
    rows = [json.loads(line) for line in (folder / "log.jsonl").read_text().splitlines()]
    for row in rows:
        row.pop("seconds")
    return rows


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.*")}


def _assert_same(a, b, where: str = "state") -> None:
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


class _Stop(Exception):
    pass


def _uninterrupted_until(step: int) -> wb.Trainer:
    config = wb.TrainerConfig.for_space(SPACE, batch_size=256, controller_steps=2, controller_aggregate=2)
    trainer = wb.Trainer(SPACE, config=config, seed=0)

    def on_step(record):
        if record.step == step:
            raise _Stop

    with pytest.raises(_Stop):
        trainer.run(2, progress=False, on_step=on_step)
    return trainer


def _refused(capsys, argv, *expected) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == EXIT_USAGE, err
    assert len(err.strip().splitlines()) == 1, err
    for text in expected:
        assert text in err, err


def test_kept_checkpoints_are_every_n_steps_and_bounded(run_x, tmp_path):
    assert RunFolder(run_x).kept_steps() == list(range(4, STEPS + 1, 4))
    for step in (4, 16, 28):
        assert load_checkpoint(run_x / "checkpoints" / f"step-{step:08d}.pt")["log"]["lines"] == step
    few = tmp_path / "few"
    assert main(["search", *TINY, "--keep-checkpoints", "5", "--keep-last", "2", "--out", str(few)]) == EXIT_OK
    assert RunFolder(few).kept_steps() == [20, 25]
    assert "--epochs 2 --keep-checkpoints 5 --keep-last 2 " in json.loads((few / "config.json").read_text())["command"]


@pytest.mark.parametrize("t, kept", [(13, 12), (12, 12), (27, 24)])
def test_load_trainer_at_a_step_is_the_uninterrupted_run_there_bit_for_bit(run_x, t, kept):
    before = _files(run_x)
    trainer = wb.load_trainer(run_x, step=t)
    assert trainer.step == kept
    whole = _uninterrupted_until(kept)
    _assert_same(trainer.state_dict(), whole.state_dict())  # weights, optimizers, generators, baseline, counts
    assert [dataclasses.replace(r, seconds=0.0) for r in trainer.history] == [
        dataclasses.replace(r, seconds=0.0) for r in whole.history
    ]
    assert len(trainer.history) == kept and trainer.history[-1].step == kept
    assert _files(run_x) == before  # only read


def test_load_trainer_refuses_a_step_before_every_checkpoint(run_x):
    with pytest.raises(CheckpointError, match=r"no checkpoint at or before step 3; it has steps 4, 8"):
        wb.load_trainer(run_x, step=3)
    with pytest.raises(ValueError, match="needs a run folder"):
        wb.load_trainer(run_x / "checkpoint.pt", step=4)
    assert wb.load_trainer(run_x).step == STEPS  # without a step: the latest checkpoint, as before


def test_a_fork_without_changes_goes_on_exactly_as_the_run_it_forks(run_x, tmp_path):
    before = _files(run_x)
    y = tmp_path / "Y"
    assert main(["search", "--resume", str(run_x), "--from-step", "22", "--out", str(y), "--quiet"]) == EXIT_OK
    assert _files(run_x) == before
    x_lines, y_lines = (run_x / "log.jsonl").read_bytes(), (y / "log.jsonl").read_bytes()
    assert y_lines.split(b"\n")[:20] == x_lines.split(b"\n")[:20]  # X's records up to the checkpoint, byte for byte
    assert _rows(y) == _rows(run_x)  # and the rest made again, the same but for wall-clock times
    _assert_same(load_checkpoint(y / "checkpoint.pt")["trainer"], load_checkpoint(run_x / "checkpoint.pt")["trainer"])
    config = json.loads((y / "config.json").read_text())
    assert config["forked_from"] == {"run": str(run_x), "step": 20, "from_step": 22, "changes": {}}
    assert config["config"] == json.loads((run_x / "config.json").read_text())["config"]


def test_a_fork_with_set_changes_the_config_from_the_checkpoint_on(run_x, tmp_path, capsys):
    z = tmp_path / "Z"
    argv = ["search", "--resume", str(run_x), "--from-step", "20", "--out", str(z), "--quiet"]
    assert main([*argv, "--set", "entropy_weight=0.5", "--set", "controller_lr=0.01"]) == EXIT_OK
    config = json.loads((z / "config.json").read_text())
    assert config["config"]["entropy_weight"] == 0.5 and config["config"]["controller_lr"] == 0.01
    assert list(config["forked_from"]["changes"].items()) == [("controller_lr", 0.01), ("entropy_weight", 0.5)]
    assert load_checkpoint(z / "checkpoint.pt")["trainer"]["config"]["entropy_weight"] == 0.5
    x, z_rows = _rows(run_x), _rows(z)
    assert z_rows[:26] == x[:26]  # up to the checkpoint (20) and the ω steps after it, which θ does not touch
    assert [r["reward"] for r in z_rows[26:]] != [r["reward"] for r in x[26:]]  # the θ steps see the bonus
    assert wb.load_trainer(z).config.entropy_weight == 0.5
    assert main(["show", str(z)]) == EXIT_OK
    shown = capsys.readouterr().out
    assert f"forked from {run_x} at step 20 (controller_lr=0.01, entropy_weight=0.5)" in shown
    assert "kept checkpoints: steps 24, 28" in shown


def test_a_fork_killed_anywhere_and_run_again_ends_as_the_run_it_forks(run_x, tmp_path):
    y = tmp_path / "killed"
    command = [sys.executable, "-m", "workbench", "search", "--resume", str(run_x), "--from-step", "21"]
    command += ["--out", str(y), "--quiet"]
    env = {k: v for k, v in os.environ.items() if k != SLOW_WRITE_ENV}
    env.update(OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))

    def killed_while_writing(name: str, folder: Path) -> None:
        proc = subprocess.Popen(command, cwd=ROOT, env={**env, SLOW_WRITE_ENV: f"{name}=60"})
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(f".{name}.") and p.stat().st_size for p in folder.glob(".*.tmp")):
            assert proc.poll() is None and time.monotonic() < deadline, "the write should pause"
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    y.mkdir()
    killed_while_writing("checkpoint.pt", y)  # the fork's own checkpoint: no config.json yet, no run there
    assert not (y / "config.json").exists()
    (y / "checkpoints").mkdir(exist_ok=True)
    killed_while_writing("step-00000024.pt", y / "checkpoints")  # the fork goes on; killed at its first kept one
    assert (y / "config.json").exists() and load_checkpoint(y / "checkpoint.pt")["trainer"]["step"] == 20
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # the same fork, started before: it goes on
    assert not any(is_temp_file(p.name) for p in [*y.iterdir(), *(y / "checkpoints").iterdir()])
    assert _rows(y) == _rows(run_x)
    _assert_same(load_checkpoint(y / "checkpoint.pt")["trainer"], load_checkpoint(run_x / "checkpoint.pt")["trainer"])
    folder = RunFolder(y)
    assert folder.kept_steps() == [24, 28]
    for step in folder.kept_steps():  # each kept checkpoint matches the log as rewritten
        assert folder.checkpoint_at(step)["trainer"]["step"] == step


def test_bad_forks_are_refused_before_any_work(capsys, run_x, tmp_path):
    new = str(tmp_path / "new")
    fork = ["search", "--resume", str(run_x), "--out", new]
    _refused(capsys, [*fork, "--from-step", "3"], "--from-step 3", "no checkpoint at or before step 3", "4, 8")
    _refused(capsys, ["search", "--resume", str(run_x), "--from-step", "8"], "a fork needs", "--out")
    _refused(capsys, [*fork, "--set", "entropy_weight=0.1"], "a fork needs", "--from-step")
    _refused(capsys, [*fork, "--from-step", "8", "--set", "entropy_wait=0.1"], "unknown TrainerConfig field")
    _refused(capsys, [*fork, "--from-step", "8", "--set", "entropy_weight=lots"], "entropy_weight=lots", "float")
    _refused(capsys, [*fork, "--from-step", "8", "--set", "entropy_weight=-1"], "entropy_weight=-1", ">= 0")
    _refused(capsys, [*fork, "--from-step", "8", "--set", "controller_hidden=32"], "cannot change in a fork")
    _refused(capsys, [*fork, "--from-step", "8", "--seed", "3"], "seed", "cannot change in a fork")
    _refused(capsys, [*fork, "--from-step", "16", "--epochs", "1"], "--epochs 1", "fork starts after")
    _refused(capsys, [*fork[:4], str(run_x), "--from-step", "8"], "is the run being forked")
    _refused(capsys, ["search", "--out", new, "--resume", str(run_x)], "one of --out", "--resume", "--from-step")
    assert not Path(new).exists()
