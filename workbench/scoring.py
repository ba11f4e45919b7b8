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
Ranking children after a search (`rank_score`) may also use "recalibrated": each child's BatchNorm
running averages reset and re-estimated on a few training batches (`recalibrated`), then used;
and rank by "loss" instead of "accuracy" (higher rank score = lower loss).
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
RANK_BN_MODES = (*BN_MODES, "recalibrated")  # rank_score's modes: also the running averages re-estimated per child
RANK_METRICS = ("accuracy", "loss")  # what rank_score ranks by


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


def accuracy_in_mode(module: nn.Module, arch, x: torch.Tensor, y: torch.Tensor) -> float:
    """`accuracy` of `arch` for a `module` already inside `scoring_mode` (many children scored under one
    mode switch: the switch walks every submodule, and costs what a small child's forward pass does)."""
    out = module(x) if arch is None else module(x, arch)
    return (out.argmax(-1) == y).float().mean().item()


@contextlib.contextmanager
def recalibrated(module: nn.Module, arch, batches):
    """`module` with its BatchNorm running averages re-estimated for `arch` from `batches` (input
    tensors, e.g. a few training minibatches): every BatchNorm is reset and then averages the
    batches cumulatively (momentum None) in training mode, under no_grad; on exit every buffer,
    each BatchNorm's momentum and the module's mode are as they were. Score inside with bn="running"."""
    norms = [m for m in module.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d))]
    saved = [(b, b.clone()) for b in module.buffers()]
    momenta = [m.momentum for m in norms]
    was_training = module.training
    try:
        for m in norms:
            m.reset_running_stats()
            m.momentum = None  # a cumulative average over the calibration batches
        if norms:
            module.train(True)
            with torch.no_grad():
                for x in batches:
                    module(x) if arch is None else module(x, arch)
        yield module
    finally:
        for buffer, copy in saved:
            buffer.copy_(copy)
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        module.train(was_training)


def rank_score(
    module: nn.Module,
    arch,
    x: torch.Tensor,
    y: torch.Tensor,
    metric: str = "accuracy",
    bn: str = DEFAULT_BN,
    calibration=(),
) -> float:
    """A child's rank score on (x, y), higher is better: its accuracy, or minus its mean cross-entropy
    (`metric` "loss"). `bn` is one of RANK_BN_MODES; "recalibrated" re-estimates the child's
    BatchNorm running averages on `calibration` (input batches) first, then scores with them."""
    if metric not in RANK_METRICS:
        raise ValueError(f"metric={metric!r} is not valid; choose one of {', '.join(RANK_METRICS)}")
    if bn not in RANK_BN_MODES:
        raise ValueError(f"bn={bn!r} is not a ranking BatchNorm mode; choose one of {', '.join(RANK_BN_MODES)}")
    if bn == "recalibrated":
        batches = list(calibration)
        if not batches:
            raise ValueError('bn="recalibrated" needs calibration batches (a few training minibatches)')
        with recalibrated(module, arch, batches):
            s = score(module, arch, x, y, bn="running")
    else:
        s = score(module, arch, x, y, bn=bn)
    return s.accuracy if metric == "accuracy" else -s.loss
