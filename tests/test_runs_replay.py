"""Replay: a CLI run's log read back as a History, and its folder loaded as a Trainer, match the
records and the state that the same run makes in a notebook; the loaded trainer steps on the same."""

from __future__ import annotations

import dataclasses

import pytest

import workbench as wb
from workbench.cli import EXIT_OK, main
from workbench.digest import state_digest

ARGS = [
    "--space",
    "teaching",
    "--num-nodes",
    "2",
    "--batch-size",
    "256",
    "--controller-steps",
    "2",
    "--controller-aggregate",
    "3",
    "--epochs",
    "2",
    "--seed",
    "7",
    "--checkpoint-every",
    "9",
    "--quiet",
]


def _no_time(record):
    return dataclasses.replace(record, seconds=0.0)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs") / "replay"
    assert main(["search", *ARGS, "--out", str(folder)]) == EXIT_OK
    return folder


@pytest.fixture(scope="module")
def notebook_run():
    space = wb.spaces.get("teaching", num_nodes=2)
    config = wb.TrainerConfig.for_space(space, batch_size=256, controller_steps=2, controller_aggregate=3)
    trainer = wb.Trainer(space, config=config, seed=7)
    trainer.run(2, progress=False)
    return trainer


def test_history_from_log_matches_the_records(cli_run, notebook_run):
    history = wb.History.from_log(cli_run / "log.jsonl")
    assert len(history) == len(notebook_run.history) == 2 * (12 + 2)
    assert [type(r) for r in history] == [type(r) for r in notebook_run.history]
    assert [_no_time(r) for r in history] == [_no_time(r) for r in notebook_run.history]
    assert all(r.seconds > 0 for r in history)
    assert history.upto(10)[-1].step == 10 and len(wb.History.from_log(cli_run).controller()) == 4


def test_trainer_load_restores_state_and_history(cli_run, notebook_run):
    trainer = wb.load_trainer(cli_run)
    assert (trainer.step, trainer.epoch, trainer.epoch_step) == (notebook_run.step, 2, 0)
    assert trainer.config == notebook_run.config and trainer.seed == 7
    assert state_digest(trainer.state_dict()) == state_digest(notebook_run.state_dict())
    assert [_no_time(r) for r in trainer.history] == [_no_time(r) for r in notebook_run.history]
    assert trainer.update_counts == notebook_run.update_counts
    assert len(wb.load_trainer(cli_run / "checkpoint.pt").history) == len(trainer.history)
    # stepping on from the loaded trainer gives what the notebook trainer gives
    assert [_no_time(trainer.shared_step()), _no_time(trainer.controller_step())] == [
        _no_time(notebook_run.shared_step()),
        _no_time(notebook_run.controller_step()),
    ]


def test_replay_step_by_step(cli_run):
    """What a notebook does with a prepared run: walk its records in order, views read up to each."""
    history = wb.History.from_log(cli_run)
    for step in range(1, len(history) + 1):
        upto = history.upto(step)
        assert len(upto) == step and upto[-1] is history[step - 1]
    frame = history.to_frame()
    assert list(frame.index) == list(range(1, len(history) + 1))
    assert frame.loc[1, "arch"] == str(history[0].arch)
