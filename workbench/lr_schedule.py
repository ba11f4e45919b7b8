"""The learning rate of the shared weights ω at each epoch: constant, or cosine with warm restarts.

    lr_schedule.shared_lr(config, epoch)     # the rate every ω step of `epoch` uses

"cosine" is the ENAS release scripts' schedule (`child_lr_cosine`, `child_lr_max` 0.05,
`child_lr_min` 0.0005, `child_lr_T_0` 10, `child_lr_T_mul` 2; the code is `get_train_ops` in
`src/utils.py`): cycles of T_0, T_0·T_mul, T_0·T_mul², ... epochs; inside a cycle of T epochs, at
its epoch t (0-based), lr = min + (max - min) · (1 + cos(π t / T)) / 2. As in that code the rate
is fixed for a whole epoch (t counts whole epochs), so 0.05 for epochs 0, 10, 30, 70, 150, ...
It is a pure function of the epoch, so a resumed run uses exactly the rates of a run never stopped.

Owns: the schedules that `TrainerConfig.shared_lr_schedule` names. Must not: hold state or touch an
optimizer (the Trainer sets the rate before each ω step).
"""

from __future__ import annotations

import math

from .config import SHARED_LR_SCHEDULES


def cycle(epoch: int, t0: int, t_mul: int) -> tuple[int, int]:
    """(t, T): the epoch's place in its warm-restart cycle and that cycle's length, in epochs."""
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise ValueError(f"epoch must be an int >= 0, got {epoch!r}")
    if t_mul == 1:
        return epoch % t0, t0
    start, length = 0, t0
    while epoch >= start + length:  # cycles grow geometrically: a handful of turns
        start, length = start + length, length * t_mul
    return epoch - start, length


def cosine(epoch: int, lr_max: float, lr_min: float, t0: int, t_mul: int) -> float:
    """Cosine annealing with warm restarts (SGDR), per epoch, as in ENAS's release."""
    t, length = cycle(epoch, t0, t_mul)
    return lr_min + 0.5 * (lr_max - lr_min) * (1.0 + math.cos(math.pi * t / length))


def shared_lr(config, epoch: int) -> float:
    """The learning rate of ω for every ω step of `epoch` under `config` (a TrainerConfig)."""
    if config.shared_lr_schedule == "constant":
        return config.shared_lr
    if config.shared_lr_schedule == "cosine":
        return cosine(epoch, config.shared_lr, config.shared_lr_min, config.shared_lr_t0, config.shared_lr_t_mul)
    raise ValueError(
        f"unknown shared_lr_schedule {config.shared_lr_schedule!r}; valid: {', '.join(SHARED_LR_SCHEDULES)}"
    )
