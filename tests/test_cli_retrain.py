"""`workbench retrain`: the derived child of a tiny search trained from scratch, its files, resuming
after a crash between checkpoints and after Ctrl-C mid-epoch (both end exactly as a retrain never
stopped), extending it, and the refusals."""

from __future__ import annotations

import json
import os
import signal

import pytest
import torch

import workbench as wb
from workbench.checkpoint import load_checkpoint
from workbench.cli import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, main
from workbench.retrain import Retrainer

SEARCH = ["--space", "teaching", "--num-nodes", "2", "--batch-size", "256", "--controller-steps", "2"]
SEARCH += ["--controller-aggregate", "2", "--epochs", "1", "--seed", "0", "--quiet"]
STEPS = 12  # 3000 training examples / 256 per batch


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("search") / "run"
    assert main(["search", *SEARCH, "--out", str(folder)]) == EXIT_OK
    return folder


def _retrain(run, out, *flags) -> int:
    return main(["retrain", str(run), "--channels", "8", "--out", str(out), "--quiet", *flags])


def _without_seconds(folder) -> tuple[list[dict], dict]:
    log = [{k: v for k, v in json.loads(line).items() if k != "seconds"} for line in (folder / "log.jsonl").open()]
    summary = {k: v for k, v in json.loads((folder / "summary.json").read_text()).items() if k != "seconds"}
    return log, summary


def _weights(folder) -> dict:
    return load_checkpoint(folder / "checkpoint.pt")["retrain"]["net"]


@pytest.fixture(scope="module")
def straight(run, tmp_path_factory):
    """A retrain of 3 epochs never interrupted: what every resumed one must equal."""
    out = tmp_path_factory.mktemp("retrain") / "straight"
    assert _retrain(run, out, "--epochs", "3") == EXIT_OK
    return out


def test_retrain_trains_the_derived_child_from_scratch(run, straight):
    derived = json.loads((run / "summary.json").read_text())["derived"]["arch"]
    summary = json.loads((straight / "summary.json").read_text())
    assert summary["arch"] == derived and summary["space"] == "teaching(num_nodes=2,width=8)"
    assert summary["epochs"] == 3 and summary["steps"] == 3 * STEPS
    assert 0.0 <= summary["test_accuracy"] <= 1.0 and 0.0 <= summary["val_accuracy"] <= 1.0
    space = wb.spaces.get(summary["space"])
    child = wb.Supernet(space, (40,), 10, seed=0).child(space.parse(derived))
    assert summary["params"] == sum(p.numel() for p in child.parameters())
    config = json.loads((straight / "retrain.json").read_text())
    assert config["format"] == "enas-workbench-retrain" and config["arch"] == derived and config["epochs"] == 3
    assert config["config"] == json.loads((run / "config.json").read_text())["config"]  # the search's ω recipe
    log = [json.loads(line) for line in (straight / "log.jsonl").open()]
    assert [r["epoch"] for r in log] == [1, 2, 3] and [r["step"] for r in log] == [12, 24, 36]
    assert log[-1]["train_loss"] < log[0]["train_loss"]  # it learns
    assert sorted(p.name for p in run.iterdir()) == ["checkpoint.pt", "config.json", "log.jsonl", "summary.json"]


def test_resume_after_a_crash_between_checkpoints(run, straight, tmp_path, monkeypatch):
    out = tmp_path / "crashed"
    real = Retrainer.train_step
    calls = {"n": 0}

    def crash_mid_epoch_two(self):
        calls["n"] += 1
        if calls["n"] == STEPS + 5:
            raise KeyboardInterrupt  # as a kill would: no checkpoint after the last epoch's
        return real(self)

    monkeypatch.setattr(Retrainer, "train_step", crash_mid_epoch_two)
    assert _retrain(run, out, "--epochs", "3") == EXIT_INTERRUPTED
    monkeypatch.setattr(Retrainer, "train_step", real)
    state = load_checkpoint(out / "checkpoint.pt")["retrain"]
    assert (state["epoch"], state["step"]) == (1, STEPS)
    assert len((out / "log.jsonl").read_text().splitlines()) == 1 and not (out / "summary.json").exists()
    assert _retrain(run, out, "--epochs", "3") == EXIT_OK
    assert _without_seconds(out) == _without_seconds(straight)
    a, b = _weights(out), _weights(straight)
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_ctrl_c_checkpoints_mid_epoch_and_resumes_bit_for_bit(run, straight, tmp_path, monkeypatch):
    out = tmp_path / "stopped"
    real = Retrainer.train_step
    calls = {"n": 0}

    def ctrl_c(self):
        calls["n"] += 1
        if calls["n"] == STEPS + 5:
            os.kill(os.getpid(), signal.SIGINT)  # the handler marks it; the loop checkpoints after this step
        return real(self)

    monkeypatch.setattr(Retrainer, "train_step", ctrl_c)
    assert _retrain(run, out, "--epochs", "3") == EXIT_INTERRUPTED
    monkeypatch.setattr(Retrainer, "train_step", real)
    state = load_checkpoint(out / "checkpoint.pt")["retrain"]
    assert (state["epoch"], state["epoch_step"], state["step"]) == (1, 5, STEPS + 5)
    assert _retrain(run, out, "--epochs", "3") == EXIT_OK
    assert _without_seconds(out) == _without_seconds(straight)
    a, b = _weights(out), _weights(straight)
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_more_epochs_go_on_where_it_stopped(run, straight, tmp_path):
    out = tmp_path / "extended"
    assert _retrain(run, out, "--epochs", "2") == EXIT_OK
    assert json.loads((out / "summary.json").read_text())["epochs"] == 2
    assert _retrain(run, out, "--epochs", "3") == EXIT_OK
    assert _without_seconds(out) == _without_seconds(straight)


def test_refusals(run, straight, tmp_path, capsys):
    assert _retrain(run, straight, "--epochs", "3") == EXIT_OK  # done already: the same summary again
    capsys.readouterr()
    assert main(["retrain", str(run), "--channels", "16", "--out", str(straight), "--quiet"]) == EXIT_USAGE
    assert "holds another retrain (its space differs)" in capsys.readouterr().err
    assert json.loads((straight / "summary.json").read_text())["epochs"] == 3  # refused before any work
    assert main(["retrain", str(run), "--layers", "3", "--out", str(tmp_path / "deeper"), "--quiet"]) == EXIT_USAGE
    assert "num_nodes=3 changes the architecture itself" in capsys.readouterr().err
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    for name in ("config.json", "log.jsonl", "checkpoint.pt"):
        (unfinished / name).write_bytes((run / name).read_bytes())
    assert main(["retrain", str(unfinished), "--quiet"]) == EXIT_USAGE
    assert "has no summary.json with a derived child" in capsys.readouterr().err
    assert main(["retrain", str(tmp_path / "nowhere"), "--quiet"]) == EXIT_USAGE
    assert "cannot be read as a search run" in capsys.readouterr().err
