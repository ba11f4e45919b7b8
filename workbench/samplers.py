"""Who picks the children of an ω step: the controller, a uniform draw, or a fair group.

    samplers.draw("fair", space, controller, generator)   # [Arch, ...]: one ω step's children

Owns: the three samplers that `TrainerConfig.sampler` names. "controller" and "uniform" give one
child; "fair" gives a FairNAS-style group (`fair_group`) whose mean gradient makes one ω step.
Each draws only from the generator it is given. Must not: train, score, or step anything.
"""

from __future__ import annotations

import torch

from .arch import Arch
from .config import SAMPLERS
from .spaces import Space


def controller_child(space: Space, controller, generator: torch.Generator) -> list[Arch]:
    """One child sampled from the controller's policy (no gradients: θ is frozen in an ω step)."""
    with torch.no_grad():
        return [controller.sample(generator).arch]


def uniform_child(space: Space, controller, generator: torch.Generator) -> list[Arch]:
    """One child drawn uniformly at random from the space (the controller is not asked)."""
    return [space.random(generator)]


def fair_group(space: Space, controller, generator: torch.Generator) -> list[Arch]:
    """FairNAS-style strict fairness: G children, G = the largest option count of any decision.

    Each decision's choices for the G children are random permutations of its k options laid
    end to end and cut at G. So every op (k = G = 4 in the teaching space) is used exactly once
    per group; a decision with k dividing G (node1's 1 input, node2's 2, node4's 4) uses each
    option exactly G/k times; otherwise (node3's 3 inputs) each option is used floor(G/k) or
    ceil(G/k) times, the extra ones at random, so equally often in expectation. Group size G
    rather than the least common multiple of the option counts (12 here) keeps a fair ω step
    at G forward/backward passes, as in FairNAS, where G is the number of candidate ops.
    """
    width = max(len(d.options) for d in space.decisions)
    columns = []
    for d in space.decisions:
        k = len(d.options)
        perms = [torch.randperm(k, generator=generator) for _ in range(-(-width // k))]
        columns.append(torch.cat(perms)[:width].tolist())
    return [space.make([col[g] for col in columns]) for g in range(width)]


_DRAW = {"controller": controller_child, "uniform": uniform_child, "fair": fair_group}
assert tuple(_DRAW) == SAMPLERS, "every sampler TrainerConfig accepts is defined here, and no other"


def draw(sampler: str, space: Space, controller, generator: torch.Generator) -> list[Arch]:
    """The children of one ω step under `sampler` (one of config.SAMPLERS)."""
    if sampler not in _DRAW:
        raise ValueError(f"unknown sampler {sampler!r}; valid: {', '.join(SAMPLERS)}")
    return _DRAW[sampler](space, controller, generator)
