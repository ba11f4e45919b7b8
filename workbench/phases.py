"""Where a run stands in its remedies' schedules: the ω warm-up and the entropy schedule.

    phases.warming_up(config, omega_steps)            # True: this ω step draws with warmup_sampler
    phases.controller_steps_in(config, epoch, spe)    # θ steps at the end of `epoch` (0 inside the warm-up)
    phases.entropy_weight(config, epoch)              # the entropy weight of the θ steps of `epoch`

Owns: the warm-up's sampler and the θ steps it skips (`TrainerConfig.warmup_steps`,
`warmup_sampler`) and the entropy weight by epoch (`entropy_weight_start` -> `entropy_weight` over
`entropy_schedule_epochs`). Pure functions of the config and the run's place (epoch, ω steps done),
so a resumed run follows the same schedule. With the defaults (no warm-up, no start weight) each
returns what the config says, so runs are as before bit for bit.
Must not: sample, train or step anything (the Trainer and loop.py do).
"""

from __future__ import annotations

from .config import TrainerConfig


def warming_up(config: TrainerConfig, omega_steps: int) -> bool:
    """Whether the ω step after `omega_steps` ω steps of the schedule is still in the warm-up."""
    return omega_steps < config.warmup_steps


def omega_sampler(config: TrainerConfig, omega_steps: int) -> str:
    """The sampler of the ω step after `omega_steps` ω steps: warmup_sampler inside the warm-up."""
    return config.warmup_sampler if warming_up(config, omega_steps) else config.sampler


def controller_steps_in(config: TrainerConfig, epoch: int, steps_per_epoch: int) -> int:
    """θ steps at the end of `epoch`: none while the warm-up lasts past the epoch's ω steps
    ((epoch + 1) * steps_per_epoch < warmup_steps), else controller_steps."""
    if (epoch + 1) * steps_per_epoch < config.warmup_steps:
        return 0
    return config.controller_steps


def entropy_weight(config: TrainerConfig, epoch: int) -> float:
    """The entropy weight of the θ steps in `epoch`: entropy_weight, or with a start weight the
    straight line from entropy_weight_start (epoch 0) to entropy_weight (epoch entropy_schedule_epochs)."""
    start = config.entropy_weight_start
    if start is None:
        return config.entropy_weight
    share = min(epoch / config.entropy_schedule_epochs, 1.0)
    return start + share * (config.entropy_weight - start)
