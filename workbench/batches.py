"""Minibatches of a dataset's splits, on the device the trainer trains on.

Owns: the training split in a fresh shuffled order on every pass (`train`), random validation
minibatches that score children (`val`), whole splits (`split`), and the place in the current
pass (`order`, `cursor`: part of a checkpoint, so a resumed run sees the same batches). Every
draw comes from the one generator it is given. Must not: train or score.
"""

from __future__ import annotations

import math

import torch

from .data import Dataset

SPLITS = ("train", "val", "test")


class Batches:
    """A dataset's splits as tensors on `device`, handed out in minibatches drawn with `generator`."""

    def __init__(self, data: Dataset, generator: torch.Generator, device: torch.device):
        self._splits = {s: tuple(t.to(device) for t in data.split(s)) for s in SPLITS}
        self.generator = generator
        self.order = torch.zeros(0, dtype=torch.long)  # this pass's shuffled training indices
        self.cursor = 0  # where the next training minibatch starts in `order`

    def split(self, name: str) -> tuple[torch.Tensor, torch.Tensor]:
        """A whole split as (X, y); ValueError naming the valid splits for anything else."""
        if name not in self._splits:
            raise ValueError(f"unknown split {name!r}; valid: {', '.join(SPLITS)}")
        return self._splits[name]

    def steps_per_pass(self, size: int) -> int:
        """Training minibatches of `size` in one pass over the training split."""
        return math.ceil(len(self._splits["train"][1]) / size)

    def train(self, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The next `size` training examples of this pass; a new shuffled pass starts when one ends."""
        X, y = self._splits["train"]
        if self.cursor >= len(self.order):
            self.order = torch.randperm(len(y), generator=self.generator)
            self.cursor = 0
        idx = self.order[self.cursor : self.cursor + size].to(X.device)
        self.cursor += size
        return X.index_select(0, idx), y.index_select(0, idx)

    def val(self, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """`size` validation examples drawn at random (all of them if the split is smaller)."""
        X, y = self._splits["val"]
        idx = torch.randperm(len(y), generator=self.generator)[: min(size, len(y))].to(X.device)
        return X[idx], y[idx]

    def restore(self, order: torch.Tensor, cursor: int) -> None:
        """Go back to a place saved from `order` and `cursor`."""
        self.order, self.cursor = order.clone().long().cpu(), int(cursor)
