"""Trainer: seeded reproducibility, records, the loop, configuration and divergence."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

import workbench as wb


def _small(seed=0, **changes):
    space = wb.spaces.get("teaching", num_nodes=3)
    config = wb.TrainerConfig.for_space(space, batch_size=256, controller_aggregate=3, controller_steps=2, **changes)
    return wb.Trainer(space, data=wb.data.mnist1d(), config=config, seed=seed)


def _without_time(record):
    return dataclasses.replace(record, seconds=0.0)


def _steps(trainer):
    for _ in range(4):
        trainer.shared_step()
    trainer.controller_step()
    trainer.shared_step()
    trainer.controller_step()


def test_same_seed_same_run_bit_for_bit():
    a, b = _small(seed=7), _small(seed=7)
    _steps(a)
    _steps(b)
    assert [_without_time(r) for r in a.history] == [_without_time(r) for r in b.history]
    for x, y in ((a.supernet, b.supernet), (a.controller, b.controller)):
        sx, sy = x.state_dict(), y.state_dict()
        assert all(torch.equal(sx[k], sy[k]) for k in sx)
    assert a.baseline == b.baseline and a.update_counts == b.update_counts
    c = _small(seed=8)
    _steps(c)
    assert [r.arch for r in c.history] != [r.arch for r in a.history]


def test_records_carry_what_the_step_did():
    trainer = _small()
    r = trainer.shared_step(loss_after=True)
    assert (r.step, r.phase, r.epoch) == (1, "shared", 0)
    assert r.loss_after < r.loss and 0.0 <= r.accuracy <= 1.0
    assert trainer.shared_step().loss_after is None  # measured only when asked (one more forward pass)
    assert r.updated == trainer.supernet.blocks_for(r.arch)
    c = trainer.controller_step()
    assert (c.step, c.phase) == (3, "controller") and len(c.archs) == 3 and c.arch == c.archs[0]
    assert 0.0 <= c.accuracy <= 1.0 and c.reward == pytest.approx(c.accuracy + 1e-4 * c.entropy, abs=1e-6)
    assert c.baseline == trainer.baseline
    assert [len(p) for p in c.policy] == [len(d.options) for d in trainer.space.decisions]
    assert all(math.isclose(sum(p), 1.0, abs_tol=1e-5) for p in c.policy)
    frame = trainer.history.to_frame()
    assert list(frame.index) == [1, 2, 3] and frame.loc[1, "phase"] == "shared" and frame.loc[3, "reward"] == c.reward
    assert frame.loc[1, "arch"] == str(r.arch)


def test_theta_record_grad_norm_is_the_gradients_total_norm():
    trainer = _small()
    seen, step = [], trainer.controller_optimizer.step

    def spy(*args, **kwargs):  # the gradient as the optimizer is about to apply it
        grads = [p.grad for p in trainer.controller.parameters() if p.grad is not None]
        seen.append(torch.nn.utils.get_total_norm(grads).item())
        return step(*args, **kwargs)

    trainer.controller_optimizer.step = spy
    record = trainer.controller_step()
    assert record.grad_norm == seen[0] > 0.0  # the same value, bit for bit, as torch's own total norm


def test_run_alternates_epochs_and_calls_back():
    trainer = _small()
    seen = []
    history = trainer.run(epochs=2, on_step=seen.append, progress=False)
    per_epoch = trainer.steps_per_epoch + 2
    assert trainer.steps_per_epoch == math.ceil(3000 / 256) == 12
    assert len(seen) == len(history) == 2 * per_epoch and trainer.epoch == 2
    phases = [r.phase for r in seen[:per_epoch]]
    assert phases == ["shared"] * 12 + ["controller"] * 2
    assert [r.step for r in seen] == list(range(1, 2 * per_epoch + 1))
    assert len(history.shared()) == 24 and len(history.controller()) == 4


def test_uniform_sampler_and_frozen_controller():
    trainer = _small(sampler="uniform", controller_lr=0.0)
    before = {k: v.clone() for k, v in trainer.controller.state_dict().items()}
    trainer.run(epochs=1, progress=False)
    after = trainer.controller.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_evaluate_scores_a_child_on_a_split():
    trainer = _small()
    arch = trainer.space.make([0] * 6)
    acc = trainer.evaluate(arch, "val")
    assert 0.0 <= acc <= 1.0 and acc * 1000 == pytest.approx(round(acc * 1000))
    with pytest.raises(ValueError, match="unknown split 'dev'"):
        trainer.evaluate(arch, "dev")


def test_divergence_stops_before_the_step():
    trainer = _small()
    with torch.no_grad():
        trainer.supernet.blocks["stem"].weight.fill_(float("nan"))
    before = {n: p.detach().clone() for n, p in trainer.supernet.named_parameters()}
    with pytest.raises(wb.DivergenceError, match="step 1: shared loss is nan"):
        trainer.shared_step()
    for n, p in trainer.supernet.named_parameters():
        assert torch.allclose(p, before[n], rtol=0, atol=0, equal_nan=True)
    assert trainer.step == 0 and len(trainer.history) == 0


def test_configure_changes_knobs_mid_run():
    trainer = _small()
    trainer.shared_step()
    trainer.configure(controller_lr=0.02, temperature=2.0, shared_lr=0.01, shared_optimizer="adam")
    assert trainer.controller_optimizer.param_groups[0]["lr"] == 0.02
    assert trainer.controller.temperature == 2.0
    assert isinstance(trainer.shared_optimizer, torch.optim.Adam)
    assert trainer.shared_optimizer.param_groups[0]["lr"] == 0.01
    with pytest.raises(ValueError, match="controller_lr=-1 must be a finite number >= 0"):
        trainer.configure(controller_lr=-1)
    assert trainer.config.controller_lr == 0.02  # a refused change leaves the config as it was


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"shared_lr": float("nan")}, "shared_lr=nan must be a finite number > 0"),
        ({"shared_lr": -0.1}, "shared_lr=-0.1 must be a finite number > 0"),
        ({"controller_lr": float("inf")}, "controller_lr=inf must be a finite number >= 0"),
        ({"sampler": "random"}, "sampler='random' is not valid; choose one of controller, uniform"),
        ({"shared_optimizer": "rmsprop"}, "shared_optimizer='rmsprop' is not valid"),
        ({"batch_size": 0}, "batch_size=0 must be a positive integer"),
        ({"baseline_decay": 1.5}, "baseline_decay=1.5 must be a finite number >= 0 and <= 1"),
        ({"tanh_constant": float("nan")}, "tanh_constant=nan must be None"),
        ({"learning_rate": 0.1}, r"unknown TrainerConfig field\(s\) \['learning_rate'\]"),
    ],
)
def test_bad_config_values_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        wb.TrainerConfig().replace(**changes)


def test_bad_trainer_arguments():
    with pytest.raises(ValueError, match="seed must be a non-negative int, got -1"):
        wb.Trainer("teaching", seed=-1)
    with pytest.raises(TypeError, match="config must be a TrainerConfig, got dict"):
        wb.Trainer("teaching", config={"shared_lr": 0.1})
    with pytest.raises(ValueError, match="epochs must be a positive int, got 0"):
        _small().run(epochs=0)
    with pytest.raises(ValueError, match="takes flat inputs"):
        wb.Trainer("teaching", data=wb.data.digits("image"))


def test_space_defaults_differ_from_enas_only_where_documented():
    enas, teaching = wb.TrainerConfig(), wb.TrainerConfig.for_space("teaching")
    assert (enas.controller_lr, enas.entropy_weight, enas.baseline_decay, enas.tanh_constant) == (1e-3, 1e-4, 0.99, 1.5)
    assert (enas.skip_target, enas.skip_weight, enas.controller_aggregate) == (0.4, 0.8, 20)
    changed = {k for k, v in teaching.to_dict().items() if v != enas.to_dict()[k]}
    tuned = wb.config.SPACE_DEFAULTS["teaching"]
    assert changed == {k for k, v in tuned.items() if v != enas.to_dict()[k]} and changed
    assert wb.TrainerConfig.for_space("enas-macro") == enas


def test_derive_picks_the_best_of_n_policy_children_and_changes_nothing():
    from workbench.digest import state_digest

    a, b = _small(seed=3), _small(seed=3)
    _steps(a)
    _steps(b)
    before = state_digest(a.state_dict())
    d = a.derive(n=6)
    assert state_digest(a.state_dict()) == before  # its own stream: generators, weights, θ all as they were
    assert len(d.archs) == len(d.accuracies) == 6 and d.batch_size == a.config.reward_batch_size
    assert d.accuracy == max(d.accuracies) and d.arch == d.archs[d.accuracies.index(d.accuracy)]
    gen = wb.seeds.generator(3, "derive")  # the minibatch, then the children, from the stream "derive"
    X, y = a.batches.split("val")
    idx = torch.randperm(len(y), generator=gen)[: d.batch_size]
    with torch.no_grad():
        assert d.archs == tuple(a.controller.sample(gen).arch for _ in range(6))
    assert d.accuracies[0] == wb.scoring.accuracy(a.supernet, d.archs[0], X[idx], y[idx], bn="batch")
    assert a.derive(n=6) == d  # the same state derives the same child
    assert _without_time(a.shared_step()) == _without_time(b.shared_step())  # the run goes on as if never asked
    assert a.derive(n=2, batch_size=10).batch_size == 10
    with pytest.raises(ValueError, match="n must be a positive int"):
        a.derive(n=0)
