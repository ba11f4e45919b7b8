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
PASS_COPY_BYTES = 64 * 2**20  # a training split up to this size is copied in each pass's order once, so
# that a minibatch is a slice of the copy (no gather per step); a larger one (CIFAR-10) is gathered per step


class Batches:
    """A dataset's splits as tensors on `device`, handed out in minibatches drawn with `generator`."""

    def __init__(self, data: Dataset, generator: torch.Generator, device: torch.device):
        self._splits = {s: tuple(t.to(device) for t in data.split(s)) for s in SPLITS}
        self.generator = generator
        self.order = torch.zeros(0, dtype=torch.long)  # this pass's shuffled training indices
        self.cursor = 0  # where the next training minibatch starts in `order`
        self._pass: tuple[torch.Tensor, torch.Tensor] | None = None  # the training split in `order`, if small

    def split(self, name: str) -> tuple[torch.Tensor, torch.Tensor]:
        """A whole split as (X, y); ValueError naming the valid splits for anything else."""
        if name not in self._splits:
            raise ValueError(f"unknown split {name!r}; valid: {', '.join(SPLITS)}")
        return self._splits[name]

    def steps_per_pass(self, size: int) -> int:
        """Training minibatches of `size` in one pass over the training split."""
        return math.ceil(len(self._splits["train"][1]) / size)

    def train(self, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The next `size` training examples of this pass; a new shuffled pass starts when one ends.
        (For a small split they are a read-only view of this pass's shuffled copy: do not modify them.)"""
        X, y = self._splits["train"]
        if self.cursor >= len(self.order):
            self.order = torch.randperm(len(y), generator=self.generator)
            self.cursor = 0
            self._pass = None
        start, self.cursor = self.cursor, self.cursor + size
        if self._pass is None and X.element_size() * X.nelement() <= PASS_COPY_BYTES:
            idx = self.order.to(X.device)
            self._pass = (X.index_select(0, idx), y.index_select(0, idx))
        if self._pass is not None:  # the same values as the gather below, bit for bit
            return self._pass[0][start : start + size], self._pass[1][start : start + size]
        idx = self.order[start : start + size].to(X.device)
        return X.index_select(0, idx), y.index_select(0, idx)

    def val(self, size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """`size` validation examples drawn at random (all of them if the split is smaller)."""
        X, y = self._splits["val"]
        idx = torch.randperm(len(y), generator=self.generator)[: min(size, len(y))].to(X.device)
        return X[idx], y[idx]

    def restore(self, order: torch.Tensor, cursor: int) -> None:
        """Go back to a place saved from `order` and `cursor`."""
        self.order, self.cursor = order.clone().long().cpu(), int(cursor)
        self._pass = None
