"""The trainer's own part in runs that last: its place in an epoch, state_dict round trips bit for
bit, and diverging steps that change nothing."""

from __future__ import annotations

import dataclasses

import pytest
import torch

import workbench as wb
from workbench.digest import state_digest

SPACE = wb.spaces.get("teaching", num_nodes=2)
PER_EPOCH = 12 + 2  # 3000 / 256 -> 12 ω steps, then 2 θ steps


def _trainer(seed: int = 0, **changes) -> wb.Trainer:
    config = wb.TrainerConfig.for_space(SPACE, batch_size=256, controller_steps=2, controller_aggregate=2, **changes)
    return wb.Trainer(SPACE, config=config, seed=seed)


def _rows(records) -> list:
    return [dataclasses.replace(r, seconds=0.0) for r in records]


class _Stop(Exception):
    pass


def _stop_at(step: int):
    def on_step(record):
        if record.step == step:
            raise _Stop

    return on_step


@pytest.fixture(scope="module")
def whole():
    trainer = _trainer()
    trainer.run(2, progress=False)
    return trainer


@pytest.mark.parametrize("stop", [5, 12, 13, 14, 20])  # mid-ω, last ω, first θ, end of epoch, next epoch
def test_a_run_stopped_anywhere_and_restored_goes_on_exactly(whole, stop):
    first = _trainer()
    with pytest.raises(_Stop):
        first.run(2, progress=False, on_step=_stop_at(stop))
    assert (first.epoch, first.epoch_step) == divmod(stop, PER_EPOCH)
    second = _trainer(seed=5)  # the seed is restored too
    second.load_state_dict(first.state_dict())
    second.run(2 - second.epoch, progress=False)
    assert _rows(list(first.history) + list(second.history)) == _rows(whole.history)
    assert state_digest(second.state_dict()) == state_digest(whole.state_dict())


def test_run_counts_the_unfinished_epoch_as_the_first(whole):
    trainer = _trainer()
    with pytest.raises(_Stop):
        trainer.run(1, progress=False, on_step=_stop_at(9))
    trainer.run(1, progress=False)  # the rest of epoch 0 only
    assert (trainer.step, trainer.epoch, trainer.epoch_step) == (PER_EPOCH, 1, 0)
    trainer.run(1, progress=False)
    assert _rows(trainer.history) == _rows(whole.history)


def test_state_dict_is_a_snapshot_that_rewinds():
    trainer = _trainer()
    trainer.shared_step()
    state = trainer.state_dict()
    digest = state_digest(state)
    first = [trainer.shared_step(), trainer.controller_step()]
    assert state_digest(state) == digest  # later steps did not reach into the snapshot
    trainer.load_state_dict(state)
    assert _rows([trainer.shared_step(), trainer.controller_step()]) == _rows(first)


def test_the_trainer_leaves_the_global_random_state_alone():
    before = torch.get_rng_state()
    trainer = _trainer()
    trainer.run(1, progress=False)
    trainer.load_state_dict(trainer.state_dict())
    assert torch.equal(torch.get_rng_state(), before)


def test_load_state_dict_refuses_another_trainers_state():
    state = _trainer().state_dict()
    with pytest.raises(ValueError, match="missing rng"):
        _trainer().load_state_dict({k: v for k, v in state.items() if k != "rng"})
    other = wb.Trainer(wb.spaces.get("teaching", num_nodes=3), seed=0)
    with pytest.raises(ValueError, match="space 'teaching\\(num_nodes=2\\)'"):
        other.load_state_dict(state)
    with pytest.raises(ValueError, match="controller_kind='lstm'"):
        _trainer(controller_kind="independent").load_state_dict(state)
    data = wb.data.mnist1d()
    shifted = wb.data.from_tensors((data.train[0] + 1, data.train[1]), data.val, data.test, name="mnist1d")
    elsewhere = wb.Trainer(SPACE, data=shifted, config=_trainer().config)
    with pytest.raises(ValueError, match="trained on data 'mnist1d'"):
        elsewhere.load_state_dict(state)


def _weights(trainer) -> str:
    return state_digest(
        {
            k: trainer.state_dict()[k]
            for k in ("supernet", "controller", "shared_optimizer", "controller_optimizer", "baseline", "update_counts")
        }
    )


@pytest.mark.parametrize(
    "changes, phase",
    [
        ({"shared_lr": 1e3, "grad_clip": 0.0}, "shared"),
        ({"shared_lr": 1e30, "grad_clip": 0.0}, "shared"),
        ({"controller_lr": 1e30}, "controller"),
    ],
)
def test_a_diverging_step_changes_nothing(changes, phase):
    trainer = _trainer(**changes)
    step = trainer.shared_step if phase == "shared" else trainer.controller_step
    for _ in range(20):
        before, n = _weights(trainer), len(trainer.history)
        try:
            step()
        except wb.DivergenceError as e:
            assert f"step {trainer.step + 1}:" in str(e)
            break
    else:
        pytest.fail("the step never diverged")
    assert _weights(trainer) == before and len(trainer.history) == n
    assert all(torch.isfinite(p).all() for p in [*trainer.supernet.parameters(), *trainer.controller.parameters()])


def _theta_state(trainer) -> list[torch.Tensor]:
    opt = trainer.controller_optimizer
    return [t.clone() for p in trainer.controller.parameters() for t in (p, *opt.state[p].values())]


def test_theta_steps_stopped_after_the_update_are_undone_every_time(monkeypatch):
    """A θ step stopped after Adam moved θ (Ctrl-C during the record's walk) puts θ and Adam's state back
    bit for bit, twice in a row (the second undo saves what the first restored), and steps go on."""
    trainer = _trainer()
    trainer.controller_step(), trainer.controller_step()  # Adam has state to put back
    controller = type(trainer.controller)
    for _ in range(2):
        before, n = _theta_state(trainer), len(trainer.history)
        with monkeypatch.context() as m:  # Adam has stepped when the record's walk is interrupted
            m.setattr(controller, "greedy_policy", lambda self: (_ for _ in ()).throw(KeyboardInterrupt))
            with pytest.raises(KeyboardInterrupt):
                trainer.controller_step()
        assert all(torch.equal(a, b) for a, b in zip(_theta_state(trainer), before, strict=True))
        assert len(trainer.history) == n
    moved = _theta_state(trainer)
    trainer.controller_step()
    assert len(trainer.history) == n + 1 and not all(map(torch.equal, _theta_state(trainer), moved))


def test_run_skips_diverging_steps_on_request():
    trainer = _trainer(shared_lr=1e3, grad_clip=0.0)
    with pytest.raises(wb.DivergenceError):
        trainer.run(1, progress=False)
    trainer = _trainer(shared_lr=1e3, grad_clip=0.0)
    seen = []
    trainer.run(1, progress=False, on_nan="skip", on_step=seen.append)
    skipped = [r for r in trainer.history if r.phase == "skipped"]
    assert skipped and all(isinstance(r, wb.SkippedRecord) and r.planned == "shared" for r in skipped)
    assert [r.step for r in trainer.history] == list(range(1, PER_EPOCH + 1)) and seen == list(trainer.history)
    assert (trainer.epoch, trainer.epoch_step) == (1, 0)
    assert "skipped" in repr(trainer.history) and len(trainer.history.to_frame()) == PER_EPOCH
    with pytest.raises(ValueError, match="on_nan='ignore'"):
        trainer.run(1, on_nan="ignore")


def test_a_macro_run_with_the_cosine_schedule_and_dropout_resumes_exactly():
    """The rate is a function of the epoch and the head's dropout masks of buffers in the state: a run
    stopped in its second epoch and restored equals one never stopped, bit for bit."""
    space = wb.spaces.get("enas-macro", num_layers=3, channels=4)
    gen = torch.Generator().manual_seed(0)
    X, y = torch.randn(48, 1, 8, 8, generator=gen), torch.arange(48) % 3
    data = wb.data.from_tensors((X, y), (X[:16], y[:16]))
    config = wb.TrainerConfig.for_space(
        space, batch_size=16, controller_steps=1, controller_aggregate=2, reward_batch_size=16, shared_lr_t0=1
    )
    assert config.shared_lr_schedule == "cosine"

    def make():
        return wb.Trainer(space, data=data, config=config, seed=0)

    whole = make()
    whole.run(3, progress=False)
    first = make()
    with pytest.raises(_Stop):
        first.run(3, progress=False, on_step=_stop_at(6))  # 3 ω + 1 θ steps an epoch: mid-way through epoch 1
    second = make()
    second.load_state_dict(first.state_dict())
    second.run(3 - second.epoch, progress=False)
    assert _rows(list(first.history) + list(second.history)) == _rows(whole.history)
    assert state_digest(second.state_dict()) == state_digest(whole.state_dict())
    assert int(whole.supernet.blocks["classifier"].drop_calls) == 9  # one dropout pass per ω step
