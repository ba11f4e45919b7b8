"""How undecided a recorded policy is: the entropy of each decision, and its share of the maximum.

Owns: `entropy` (Shannon entropy in nats of one probability vector) and `entropy_fractions` (each
decision's entropy as a share of its maximum, log of its option count), which the policy history
figure and the collapse report both read. Why here and not in the core: the core's entropy is a
torch quantity with gradients, summed over one sampled child (Controller.sample, the reward's
entropy bonus); these are read-only summaries of the plain floats a ControllerRecord keeps
(`record.policy`), used only to show and judge a run. Must not: import torch or plotly, or train.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def entropy(probs: Sequence[float]) -> float:
    """Shannon entropy in nats of one probability vector."""
    return -sum(p * math.log(p) for p in probs if p > 0)


def entropy_fractions(space, policy: Sequence[Sequence[float]]) -> tuple[float, ...]:
    """Entropy / log(options) of each decision of `space` with more than one option, in decision order:
    0 = always the same choice, 1 = uniform. `policy`: one probability vector per decision."""
    return tuple(entropy(p) / math.log(len(d.options)) for d, p in zip(space.decisions, policy) if len(d.options) > 1)
