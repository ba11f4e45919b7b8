"""Saturation: the share of a policy's decisions whose logits sit at the tanh bound.

    saturation(record.policy, tanh_constant=1.5)      # 0.25: a quarter of the decisions are pinned

With a tanh constant C the shaped logits of a decision lie in [-C, C] (a skip decision's [-s, s]
with |s| <= C), so log(p_max / p_min) <= 2C: a decision is at the bound when that log-ratio reaches
(1 - margin) * 2C, where C * tanh is flat and θ's gradient through it vanishes. Without a tanh
constant (None or 0) nothing bounds the logits; a decision then counts as saturated when its
softmax is numerically decided (p_max >= 1 - NO_TANH_EPS), the same vanishing-gradient regime.

Owns: that rule. Must not: touch torch, a controller or a config (the Trainer passes the floats).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

NO_TANH_EPS = 1e-3  # without a tanh constant: p_max >= 1 - this is "saturated"


def saturated(probs: Sequence[float], tanh_constant: float | None, margin: float = 0.05) -> bool:
    """Whether one decision's probability vector sits at the bound (see the module docstring)."""
    if not 0.0 <= margin < 1.0:
        raise ValueError(f"margin={margin!r} must be in [0, 1)")
    hi, lo = max(probs), min(probs)
    if not tanh_constant:
        return hi >= 1.0 - NO_TANH_EPS
    if lo <= 0.0:
        return True
    return math.log(hi / lo) >= (1.0 - margin) * 2.0 * float(tanh_constant)


def saturation(policy: Sequence[Sequence[float]], tanh_constant: float | None, margin: float = 0.05) -> float:
    """The share of `policy`'s decisions with more than one option that sit at the bound (0.0 if none)."""
    rows = [p for p in policy if len(p) > 1]
    return sum(saturated(p, tanh_constant, margin) for p in rows) / len(rows) if rows else 0.0
