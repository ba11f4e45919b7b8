"""REINFORCE for the controller, as pure functions (no state, no optimizers).

    reward      R = accuracy + entropy_weight * H(m)          (ENAS adds the entropy to the reward)
    baseline    b <- decay * b + (1 - decay) * R              (exponential moving average)
    loss        L = -(R - b) * log P(m; θ)  +  skip_weight * penalty
    penalty     mean over layers of ( sum over the layer's skip decisions of KL(Bern(q) || Bern(ρ)) )

The skip penalty is grouped as in ENAS's released controller (`general_controller.py`): the KL of
each skip decision is summed within its layer, and the per-layer sums are averaged over the layers
that have skip decisions. At 12 layers that is 66 decisions in 11 layers, so the penalty is 6 times
the plain mean over decisions. Unlike the release, q is the probability the controller samples with
(the release takes the KL of sigmoid(logit), which is not its sampling probability; README, departures).

Minimising L is gradient ascent on E_{m ~ P(m; θ)}[R(m)]. Must not: touch models or data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch


def shaped_reward(accuracy: float, entropy: float, entropy_weight: float) -> float:
    """The reward the controller sees: validation accuracy plus the entropy bonus."""
    return float(accuracy) + float(entropy_weight) * float(entropy)


def update_baseline(baseline: float | None, reward: float, decay: float) -> float:
    """The EMA baseline after seeing `reward`; the first reward starts it (None -> reward)."""
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"baseline decay must be in [0, 1], got {decay!r}")
    return float(reward) if baseline is None else decay * baseline + (1.0 - decay) * float(reward)


def skip_kl(skip_probs: torch.Tensor, target: float) -> torch.Tensor:
    """KL(Bernoulli(p) || Bernoulli(target)) of each skip decision, same shape as `skip_probs`."""
    if not 0.0 < target < 1.0:
        raise ValueError(f"skip target must be in (0, 1), got {target!r}")
    p = skip_probs.clamp(1e-6, 1 - 1e-6)
    return p * torch.log(p / target) + (1 - p) * torch.log((1 - p) / (1 - target))


def skip_penalty(skip_probs: torch.Tensor, layers: Sequence[int] | torch.Tensor, target: float) -> torch.Tensor:
    """The KL of each skip decision summed within its layer, averaged over layers; 0 when there are none.

    `layers[k]` is the layer that skip decision k belongs to (any labels; equal labels form a group)."""
    layers = torch.as_tensor(layers, dtype=torch.long).reshape(-1)
    if layers.numel() != skip_probs.numel():
        raise ValueError(
            f"skip_penalty needs one layer per skip decision: got {skip_probs.numel()} probabilities "
            f"and {layers.numel()} layers"
        )
    if skip_probs.numel() == 0:
        return skip_probs.new_zeros(())
    kl = skip_kl(skip_probs.reshape(-1), target)  # (decisions,)
    groups, index = torch.unique(layers, return_inverse=True)
    per_layer = kl.new_zeros(len(groups)).index_add(0, index.to(kl.device), kl)  # (layers,)
    return per_layer.mean()


def policy_loss(
    log_prob: torch.Tensor,
    advantage: float,
    skip_probs: torch.Tensor | None = None,
    skip_target: float = 0.4,
    skip_weight: float = 0.0,
    skip_layers: Sequence[int] | torch.Tensor | None = None,
) -> torch.Tensor:
    """-(R - b) * log P(m; θ), plus the weighted skip penalty when skip_weight > 0.

    The penalty needs `skip_layers`, the layer of each skip decision (a controller Sample's)."""
    if not math.isfinite(advantage):
        raise ValueError(f"advantage must be finite, got {advantage!r}")
    loss = -float(advantage) * log_prob
    if skip_weight and skip_probs is not None and skip_probs.numel():
        if skip_layers is None:
            raise ValueError("skip_weight > 0 needs skip_layers: the layer of each skip decision (Sample.skip_layers)")
        loss = loss + skip_weight * skip_penalty(skip_probs, skip_layers, skip_target)
    return loss
