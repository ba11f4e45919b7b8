"""Scoring a child with the shared weights: the one place that runs a child to measure it.

    scoring.accuracy(trainer.supernet, arch, X, y, bn="batch")
    scoring.score(child_module, None, X, y, bn="running")   # a stand-alone Child: no arch

Owns: how BatchNorm behaves while a child is scored, made explicit as `bn`:
  "batch"    each batch is normalised with its own statistics (BatchNorm in training mode); the
             running averages are restored afterwards, so scoring changes nothing.
  "running"  BatchNorm uses its running averages (eval mode), as a deployed network would.
The default for rewards and for ranking children is "batch" (`DEFAULT_BN`): in a supernet the
running averages mix the activations of every child trained so far, so they describe none of
them; a child's own batch statistics do, and that is how ENAS computes its rewards. A network
trained alone (the ground truth) has running averages of its own, and is scored with "running".
Must not: train, step an optimizer, or leave the module in another mode or with other buffers.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

BN_MODES = ("batch", "running")
DEFAULT_BN = "batch"


@dataclass(frozen=True)
class Score:
    """A child measured on one batch: accuracy and mean cross-entropy."""

    accuracy: float
    loss: float


def check_bn(bn: str) -> str:
    """`bn` if it names a BatchNorm mode; ValueError listing the valid ones otherwise."""
    if bn not in BN_MODES:
        raise ValueError(f"bn={bn!r} is not a BatchNorm mode; choose one of {', '.join(BN_MODES)}")
    return bn


@contextlib.contextmanager
def scoring_mode(module: nn.Module, bn: str):
    """`module` in the BatchNorm mode `bn` under no_grad; its mode and buffers are restored on exit."""
    check_bn(bn)
    was_training = module.training
    want_training = bn == "batch"
    saved = [(b, b.clone()) for b in module.buffers()] if want_training else []
    module.train(want_training)
    try:
        with torch.no_grad():
            yield module
    finally:
        for buffer, copy in saved:
            buffer.copy_(copy)
        module.train(was_training)


def logits(module: nn.Module, arch, x: torch.Tensor, bn: str = DEFAULT_BN) -> torch.Tensor:
    """The logits (N, classes) of `arch` in `module` (a Supernet; `arch=None` for a stand-alone Child)."""
    with scoring_mode(module, bn):
        return module(x) if arch is None else module(x, arch)


def score(module: nn.Module, arch, x: torch.Tensor, y: torch.Tensor, bn: str = DEFAULT_BN) -> Score:
    """Accuracy and mean cross-entropy of `arch` on the batch (x, y), BatchNorm in mode `bn`."""
    out = logits(module, arch, x, bn)  # (N, classes)
    return Score(accuracy=(out.argmax(-1) == y).float().mean().item(), loss=F.cross_entropy(out, y).item())


def accuracy(module: nn.Module, arch, x: torch.Tensor, y: torch.Tensor, bn: str = DEFAULT_BN) -> float:
    """The share of (x, y) that `arch` classifies correctly, BatchNorm in mode `bn`."""
    out = logits(module, arch, x, bn)  # (N, classes)
    return (out.argmax(-1) == y).float().mean().item()
