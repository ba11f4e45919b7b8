"""The derive step: the child a search ends with, chosen as ENAS chooses it.

    d = trainer.derive(n=10)     # Derivation: the best arch, its score, every candidate with its score
    d.arch, d.accuracy

After the search, ENAS samples several children from the trained policy, scores each on a single
validation minibatch with the shared weights, and keeps the one with the highest reward to train
from scratch (paper, section 2.2; the released code prints 10 such samples at each evaluation). Here
all n children are scored on the same minibatch, so they are compared on equal terms (the release
draws a new minibatch per child), with the BatchNorm mode the rewards use (`reward_bn_mode`).
The children and the minibatch come from the named stream "derive" (seeds.py), never from the
trainer's own generators: deriving changes nothing in the run, and the same trainer state always
derives the same child.

Owns: the Derivation record and how it is drawn. Must not: train, or touch the trainer's generators.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from . import scoring, seeds
from .arch import Arch


@dataclass(frozen=True)
class Derivation:
    """The best of n children sampled from the policy, each scored on one validation minibatch."""

    arch: Arch  # the pick: the first of the best scores, in the order sampled
    accuracy: float  # its accuracy on the minibatch
    archs: tuple[Arch, ...]  # every sampled child, in the order sampled (repeats possible)
    accuracies: tuple[float, ...]  # each one's accuracy on that same minibatch
    batch_size: int  # examples in the minibatch


def derive(trainer, n: int = 10, batch_size: int | None = None) -> Derivation:
    """Sample `n` children from `trainer`'s policy, score each on one validation minibatch of
    `batch_size` examples (default: the config's reward_batch_size), return the best."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int (children to sample), got {n!r}")
    size = trainer.config.reward_batch_size if batch_size is None else batch_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    gen = seeds.generator(trainer.seed, "derive")
    X, y = trainer.batches.split("val")
    idx = torch.randperm(len(y), generator=gen)[: min(size, len(y))].to(X.device)
    x, t = X[idx], y[idx]
    with torch.no_grad():
        archs = tuple(trainer.controller.sample(gen).arch for _ in range(n))
    bn = trainer.config.reward_bn_mode
    accs = tuple(scoring.accuracy(trainer.supernet, a, x, t, bn=bn) for a in archs)
    best = max(range(n), key=accs.__getitem__)  # max keeps the first of equals
    return Derivation(archs[best], accs[best], archs, accs, len(t))
