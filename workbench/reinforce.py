"""REINFORCE for the controller, as pure functions (no state, no optimizers).

    reward      R = accuracy + entropy_weight * H(m)          (ENAS adds the entropy to the reward)
    baseline    b <- decay * b + (1 - decay) * R              (exponential moving average)
    loss        L = -(R - b) * log P(m; θ)  +  skip_weight * KL(skip rate || target)

Minimising L is gradient ascent on E_{m ~ P(m; θ)}[R(m)]. Must not: touch models or data.
"""

from __future__ import annotations

import math

import torch


def shaped_reward(accuracy: float, entropy: float, entropy_weight: float) -> float:
    """The reward the controller sees: validation accuracy plus the entropy bonus."""
    return float(accuracy) + float(entropy_weight) * float(entropy)


def update_baseline(baseline: float | None, reward: float, decay: float) -> float:
    """The EMA baseline after seeing `reward`; the first reward starts it (None -> reward)."""
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"baseline decay must be in [0, 1], got {decay!r}")
    return float(reward) if baseline is None else decay * baseline + (1.0 - decay) * float(reward)


def skip_penalty(skip_probs: torch.Tensor, target: float) -> torch.Tensor:
    """Mean KL(Bernoulli(p) || Bernoulli(target)) over skip decisions; 0 when there are none."""
    if skip_probs.numel() == 0:
        return skip_probs.new_zeros(())
    if not 0.0 < target < 1.0:
        raise ValueError(f"skip target must be in (0, 1), got {target!r}")
    p = skip_probs.clamp(1e-6, 1 - 1e-6)
    kl = p * torch.log(p / target) + (1 - p) * torch.log((1 - p) / (1 - target))
    return kl.mean()


def policy_loss(
    log_prob: torch.Tensor,
    advantage: float,
    skip_probs: torch.Tensor | None = None,
    skip_target: float = 0.4,
    skip_weight: float = 0.0,
) -> torch.Tensor:
    """-(R - b) * log P(m; θ), plus the weighted skip penalty when skip_weight > 0."""
    if not math.isfinite(advantage):
        raise ValueError(f"advantage must be finite, got {advantage!r}")
    loss = -float(advantage) * log_prob
    if skip_weight and skip_probs is not None and skip_probs.numel():
        loss = loss + skip_weight * skip_penalty(skip_probs, skip_target)
    return loss
