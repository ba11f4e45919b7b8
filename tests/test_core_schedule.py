"""ω's learning rate: the ENAS release's cosine with warm restarts, per epoch, and the trainer applying it."""

from __future__ import annotations

import math

import pytest
import torch

import workbench as wb
from workbench import lr_schedule

ENAS = wb.TrainerConfig()  # shared_lr 0.05, shared_lr_min 0.0005, T_0 10, T_mul 2: the release script's


def test_enas_defaults_are_the_release_scripts():
    assert (ENAS.shared_lr_schedule, ENAS.shared_lr, ENAS.shared_lr_min) == ("cosine", 0.05, 5e-4)
    assert (ENAS.shared_lr_t0, ENAS.shared_lr_t_mul) == (10, 2)
    assert wb.TrainerConfig.for_space("teaching").shared_lr_schedule == "constant"


@pytest.mark.parametrize(
    "epoch, expected",
    [
        # lr = 0.0005 + 0.5 * 0.0495 * (1 + cos(pi * t / T)), cycles of 10, 20, 40 epochs starting at 0, 10, 30
        (0, 0.05),  # t = 0 of T = 10: cos 0 = 1 -> 0.0005 + 0.0495
        (5, 0.02525),  # t = 5 of 10: cos(pi / 2) = 0 -> 0.0005 + 0.02475
        (
            9,
            0.0005 + 0.02475 * (1 + math.cos(0.9 * math.pi)),
        ),  # 0.0017114 (cos 0.9π = -0.951057), the last epoch of cycle 1
        (10, 0.05),  # restart: t = 0 of T = 20
        (20, 0.02525),  # t = 10 of 20
        (29, 0.0005 + 0.02475 * (1 + math.cos(19 / 20 * math.pi))),  # 0.000805...
        (30, 0.05),  # restart: T = 40
        (70, 0.05),  # restart: T = 80
    ],
)
def test_cosine_values_at_given_epochs(epoch, expected):
    assert lr_schedule.shared_lr(ENAS, epoch) == pytest.approx(expected, rel=1e-12)


def test_cycles_and_the_constant_schedule():
    assert [lr_schedule.cycle(e, 10, 2) for e in (0, 9, 10, 29, 30, 69, 70)] == [
        (0, 10),
        (9, 10),
        (0, 20),
        (19, 20),
        (0, 40),
        (39, 40),
        (0, 80),
    ]
    assert [lr_schedule.cycle(e, 3, 1) for e in (0, 2, 3, 7)] == [(0, 3), (2, 3), (0, 3), (1, 3)]
    constant = ENAS.replace(shared_lr_schedule="constant", shared_lr=0.02)
    assert {lr_schedule.shared_lr(constant, e) for e in range(50)} == {0.02}
    assert lr_schedule.shared_lr(ENAS, 9) == pytest.approx(0.0017114, abs=1e-7)
    with pytest.raises(ValueError, match="epoch must be an int >= 0, got -1"):
        lr_schedule.cycle(-1, 10, 2)


def test_bad_schedule_settings_are_refused():
    with pytest.raises(ValueError, match="shared_lr_schedule='step' is not valid; choose one of constant, cosine"):
        ENAS.replace(shared_lr_schedule="step")
    with pytest.raises(ValueError, match="shared_lr_min=0.1 must be <= shared_lr=0.05 with the cosine schedule"):
        ENAS.replace(shared_lr_min=0.1)
    assert ENAS.replace(shared_lr_min=0.1, shared_lr_schedule="constant").shared_lr_min == 0.1  # unused there
    with pytest.raises(ValueError, match="shared_lr_t0=0 must be a positive integer"):
        ENAS.replace(shared_lr_t0=0)
    with pytest.raises(ValueError, match="shared_lr_t_mul=1.5 must be a positive integer"):
        ENAS.replace(shared_lr_t_mul=1.5)


def test_runs_logged_before_the_schedule_read_as_constant():
    old = {k: v for k, v in ENAS.to_dict().items() if not k.startswith("shared_lr_")}
    assert wb.TrainerConfig.from_dict(old).shared_lr_schedule == "constant"  # what they trained with
    assert wb.TrainerConfig.from_dict(ENAS.to_dict()) == ENAS


def test_the_trainer_uses_the_epochs_rate():
    space = wb.spaces.get("enas-macro", num_layers=2, channels=4)
    gen = torch.Generator().manual_seed(0)
    X, y = torch.randn(24, 1, 8, 8, generator=gen), torch.arange(24) % 3
    data = wb.data.from_tensors((X, y), (X[:12], y[:12]))
    config = wb.TrainerConfig.for_space(
        space, batch_size=12, controller_steps=1, controller_aggregate=1, shared_lr_t0=2, shared_lr_t_mul=1
    )
    trainer = wb.Trainer(space, data=data, config=config, seed=0)
    seen = []
    trainer.run(4, progress=False, on_step=lambda r: seen.append(trainer.shared_optimizer.param_groups[0]["lr"]))
    per_epoch = trainer.steps_per_epoch + 1
    lrs = [seen[e * per_epoch] for e in range(4)]  # the rate of each epoch's first ω step
    assert lrs == [0.05, 0.02525, 0.05, 0.02525]  # cycles of 2 epochs: t = 0, 1, 0, 1
