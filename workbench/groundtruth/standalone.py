"""Stand-alone training of one child: its own fresh weights, the same ops as its supernet path.

Owns: the training recipe of the ground-truth tables (`Settings`) and `train_standalone`, which
builds the child from the same code path as the supernet's child (a fresh `Supernet(space, ...,
seed)` then `.child(arch)`, so the blocks and forward pass are exactly the supernet's) and trains
it with Adam for a fixed number of epochs. Deterministic per (arch, seed, settings) on the CPU:
seeded initialisation and batch order, and one intra-op thread while it trains.
Must not: write files or know about sweeps (sweep.py does).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .. import data as data_mod
from .. import scoring, seeds, spaces
from ..arch import Arch
from ..supernet import Supernet


@dataclass(frozen=True)
class Settings:
    """The stand-alone training recipe; every field is checked when the settings are made."""

    epochs: int = 30  # passes over the training split
    batch_size: int = 500  # minibatch (3000 MNIST-1D training examples: 6 Adam steps an epoch)
    lr: float = 5e-3  # Adam learning rate, constant
    weight_decay: float = 0.0  # Adam weight decay

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name}={v!r} must be a positive integer")
        for name, lo, strict in (("lr", 0.0, True), ("weight_decay", 0.0, False)):
            v = getattr(self, name)
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            if not ok or (v <= lo if strict else v < lo):
                raise ValueError(f"{name}={v!r} must be a finite number {'>' if strict else '>='} {lo:g}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Settings:
        unknown = set(d) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown Settings field(s) {sorted(unknown)}")
        return cls(**d)


@dataclass(frozen=True)
class StandaloneResult:
    """One stand-alone training: accuracies on the whole val and test splits, size and time."""

    arch: str
    seed: int
    val_accuracy: float
    test_accuracy: float
    params: int
    seconds: float

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@contextlib.contextmanager
def one_thread():
    """Train on one intra-op thread (bit-for-bit results), restoring the caller's setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def train_standalone(
    space,
    arch: Arch | str,
    data: data_mod.Dataset | None = None,
    seed: int = 0,
    settings: Settings | None = None,
    **changes,
) -> StandaloneResult:
    """Train `arch` from scratch (fresh weights from `Supernet(space, ..., seed).child(arch)`).

    `settings` (default `Settings()`, the shipped tables' recipe) can be changed by keyword:
    `train_standalone("teaching", arch, epochs=10)`. Returns the final accuracy on the whole
    validation and test splits, the child's parameter count and the wall time in seconds.
    """
    t0 = time.perf_counter()
    space = spaces.resolve(space)
    arch = space.parse(arch) if isinstance(arch, str) else space.check(arch)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    settings = settings or Settings()
    if changes:
        settings = Settings.from_dict({**settings.to_dict(), **changes})
    data = data if data is not None else data_mod.for_space(space)
    X, y = data.train
    with one_thread():
        net = Supernet(space, data.input_shape, data.num_classes, seed=seed).child(arch)
        opt = torch.optim.Adam(net.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
        order = seeds.generator(seed, "standalone-batches")  # kept apart from the weights' seed
        net.train()
        for _ in range(settings.epochs):
            perm = torch.randperm(len(y), generator=order)
            for i in range(0, len(y), settings.batch_size):
                idx = perm[i : i + settings.batch_size]
                loss = F.cross_entropy(net(X[idx]), y[idx])  # net(X[idx]): (B, classes)
                if not torch.isfinite(loss):
                    raise FloatingPointError(
                        f"stand-alone training of {arch} (seed {seed}) diverged: loss {loss.item()}"
                    )
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
        # trained alone, the child has running averages of its own: score it as it would be deployed
        val, test = (scoring.accuracy(net, None, *split, bn="running") for split in (data.val, data.test))
    params = sum(p.numel() for p in net.parameters())
    return StandaloneResult(
        arch=space.format(arch),
        seed=seed,
        val_accuracy=val,
        test_accuracy=test,
        params=params,
        seconds=time.perf_counter() - t0,
    )
