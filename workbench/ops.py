"""Candidate operations by name: the only place op names are defined.

Owns: the name -> factory tables for every space's ops. A factory returns an nn.Module, or None
for a parameter-free op applied as a plain function (identity, pooling). Must not: know about
spaces, decisions or training.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn


class _LinearAct(nn.Sequential):
    """Linear(width, width) followed by an activation: one teaching-space weight block."""

    def __init__(self, width: int, act: nn.Module):
        super().__init__(nn.Linear(width, width), act)


class _ConvBN(nn.Sequential):
    """ReLU -> k x k convolution -> BatchNorm, as in the ENAS macro space."""

    def __init__(self, channels: int, k: int):
        super().__init__(
            nn.ReLU(),
            nn.Conv2d(channels, channels, k, padding=k // 2, bias=False),
            nn.BatchNorm2d(channels),
        )


class _SepConvBN(nn.Sequential):
    """ReLU -> depthwise k x k -> pointwise 1 x 1 -> BatchNorm (depthwise-separable conv)."""

    def __init__(self, channels: int, k: int):
        super().__init__(
            nn.ReLU(),
            nn.Conv2d(channels, channels, k, padding=k // 2, groups=channels, bias=False),
            nn.Conv2d(channels, channels, 1, bias=False),
            nn.BatchNorm2d(channels),
        )


# Teaching space: each weighted op is Linear + activation on the chosen input. (name -> factory)
TEACHING_OPS: dict[str, Callable[[int], nn.Module] | None] = {
    "relu": lambda w: _LinearAct(w, nn.ReLU()),
    "tanh": lambda w: _LinearAct(w, nn.Tanh()),
    "sigmoid": lambda w: _LinearAct(w, nn.Sigmoid()),
    "identity": None,
}

# ENAS macro space: the six ops of Pham et al. (2018), channel-preserving, stride 1.
MACRO_OPS: dict[str, Callable[[int], nn.Module] | None] = {
    "conv3x3": lambda c: _ConvBN(c, 3),
    "conv5x5": lambda c: _ConvBN(c, 5),
    "sep3x3": lambda c: _SepConvBN(c, 3),
    "sep5x5": lambda c: _SepConvBN(c, 5),
    "maxpool3x3": None,
    "avgpool3x3": None,
}

# Parameter-free ops, applied as functions.
_FUNCTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "identity": lambda x: x,
    "maxpool3x3": lambda x: F.max_pool2d(x, 3, stride=1, padding=1),
    "avgpool3x3": lambda x: F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False),
}


def build(table: dict[str, Callable[[int], nn.Module] | None], name: str, width: int) -> nn.Module | None:
    """The module for op `name` of `table` at `width`, or None if the op has no weights."""
    if name not in table:
        raise ValueError(f"unknown op {name!r}; valid ops: {', '.join(table)}")
    factory = table[name]
    return None if factory is None else factory(width)


def apply_free(name: str, x: torch.Tensor) -> torch.Tensor:
    """Apply the parameter-free op `name` to `x`."""
    if name not in _FUNCTIONS:
        raise ValueError(f"op {name!r} has weights or is unknown; parameter-free ops: {', '.join(_FUNCTIONS)}")
    return _FUNCTIONS[name](x)


def has_weights(table: dict[str, Callable[[int], nn.Module] | None], name: str) -> bool:
    """Whether op `name` of `table` owns a weight block."""
    if name not in table:
        raise ValueError(f"unknown op {name!r}; valid ops: {', '.join(table)}")
    return table[name] is not None
