"""Candidate operations by name: the only place op names are defined, and the fixed blocks around them.

Owns: the name -> factory tables for every space's ops (a factory returns an nn.Module, or None
for a parameter-free op applied as a plain function: identity, and the micro space's pools), and
the fixed blocks the ops sit between: the stem, the BatchNorm after a layer's sum, the factorized
reduction, the 1x1 calibration and the head. The macro blocks follow ENAS's released child network
(`general_child.py`: `_conv_branch`, `_pool_branch`, `_factorized_reduction`, the classifier), the
micro ones `micro_child.py` (`_enas_conv`, `_maybe_calibrate_size`), written anew here. Must not:
know about spaces, decisions or training.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

MACRO_DROPOUT = 0.1  # the macro head drops this share of its features while ω trains (ENAS child_keep_prob 0.9)


class _LinearAct(nn.Sequential):
    """Linear(width, width) followed by an activation: one teaching-space weight block."""

    def __init__(self, width: int, act: nn.Module):
        super().__init__(nn.Linear(width, width), act)


def _conv1x1_bn_relu(c: int) -> list[nn.Module]:
    return [nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU()]


class _ConvBranch(nn.Sequential):
    """1x1 conv -> BN -> ReLU -> k x k conv (separable: depthwise k x k, pointwise 1x1) -> BN -> ReLU.

    Channel-preserving, stride 1, "same" padding: ENAS's `_conv_branch`. Weights, C channels:
    (1 + k²)·C² + 4C, or separable 2·C² + k²·C + 4C (each BatchNorm has a scale and a shift)."""

    def __init__(self, c: int, k: int, separable: bool):
        if separable:
            kxk = [nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False), nn.Conv2d(c, c, 1, bias=False)]
        else:
            kxk = [nn.Conv2d(c, c, k, padding=k // 2, bias=False)]
        super().__init__(*_conv1x1_bn_relu(c), *kxk, nn.BatchNorm2d(c), nn.ReLU())


class _PoolBranch(nn.Sequential):
    """1x1 conv -> BN -> ReLU -> 3x3 max or average pool, stride 1: ENAS's `_pool_branch` (C² + 2C weights).

    The average excludes the padding, as TensorFlow's "SAME" average pool does."""

    def __init__(self, c: int, kind: str):
        pool = nn.MaxPool2d(3, 1, 1) if kind == "max" else nn.AvgPool2d(3, 1, 1, count_include_pad=False)
        super().__init__(*_conv1x1_bn_relu(c), pool)


# Teaching space: each weighted op is Linear + activation on the chosen input. (name -> factory)
TEACHING_OPS: dict[str, Callable[[int], nn.Module] | None] = {
    "relu": lambda w: _LinearAct(w, nn.ReLU()),
    "tanh": lambda w: _LinearAct(w, nn.Tanh()),
    "sigmoid": lambda w: _LinearAct(w, nn.Sigmoid()),
    "identity": None,
}

# ENAS macro space: the six branches of Pham et al. (2018), channel-preserving, stride 1, each with weights.
MACRO_OPS: dict[str, Callable[[int], nn.Module] | None] = {
    "conv3x3": lambda c: _ConvBranch(c, 3, separable=False),
    "conv5x5": lambda c: _ConvBranch(c, 5, separable=False),
    "sep3x3": lambda c: _ConvBranch(c, 3, separable=True),
    "sep5x5": lambda c: _ConvBranch(c, 5, separable=True),
    "maxpool3x3": lambda c: _PoolBranch(c, "max"),
    "avgpool3x3": lambda c: _PoolBranch(c, "avg"),
}


class _SepStack(nn.Sequential):
    """Twice ReLU -> depthwise k x k conv -> pointwise 1x1 conv -> BN: the ENAS micro search's separable
    conv (`micro_child.py` `_enas_conv`, stack_conv=2). Channel-preserving, stride 1, "same" padding.
    Weights, C channels: 2·(k²·C + C² + 2C)."""

    def __init__(self, c: int, k: int):
        layers: list[nn.Module] = []
        for _ in range(2):
            layers += [nn.ReLU(), nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False)]
            layers += [nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c)]
        super().__init__(*layers)


# ENAS micro (cell) space, in the official op order (sep 3x3, sep 5x5, avg pool, max pool, identity): only the
# separable convs have weights; the pools (3x3, stride 1) and identity are MICRO_FUNCTIONS.
MICRO_OPS: dict[str, Callable[[int], nn.Module] | None] = {
    "sep3x3": lambda c: _SepStack(c, 3),
    "sep5x5": lambda c: _SepStack(c, 5),
    "avgpool3x3": None,
    "maxpool3x3": None,
    "identity": None,
}

# The micro space's parameter-free ops (its pools are not the macro's weighted pool branches), as functions.
# The average excludes the padding (TensorFlow's "SAME").
MICRO_FUNCTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "avgpool3x3": lambda x: F.avg_pool2d(x, 3, 1, 1, count_include_pad=False),
    "maxpool3x3": lambda x: F.max_pool2d(x, 3, 1, 1),
    "identity": lambda x: x,
}

# Parameter-free ops, applied as functions.
_FUNCTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "identity": lambda x: x,
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


# ---- the fixed macro blocks -------------------------------------------------------------------
def stem(in_channels: int, c: int) -> nn.Module:
    """3x3 conv -> BN: the macro stem (9·in·C + 2C weights)."""
    return nn.Sequential(nn.Conv2d(in_channels, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))


def sum_norm(c: int) -> nn.Module:
    """The BatchNorm over a layer's op output plus its chosen skips (ENAS: every layer but the first; 2C)."""
    return nn.BatchNorm2d(c)


class FactorizedReduction(nn.Module):
    """Halve the resolution without dropping pixels: two 1x1 convs on stride-2 paths offset by one pixel,
    concatenated, then BN (ENAS's `_factorized_reduction`; C²  + 2C weights for even C).

    Path 1 takes the pixels at even rows and columns, path 2 those at odd ones (the input shifted
    up-left by one, zero-padded at the bottom and right). Odd C: path 1 gets C // 2 channels.
    `out`: the output channels (default C; the micro space doubles them at a reduction)."""

    def __init__(self, c: int, out: int | None = None):
        super().__init__()
        out = c if out is None else out
        if out < 2:
            raise ValueError(f"a factorized reduction needs channels >= 2 (two paths), got {out}")
        self.path1 = nn.Conv2d(c, out // 2, 1, bias=False)
        self.path2 = nn.Conv2d(c, out - out // 2, 1, bias=False)
        self.bn = nn.BatchNorm2d(out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, H, W) -> (B, C, ceil(H/2), ceil(W/2))
        a = self.path1(x[:, :, ::2, ::2])
        shifted = F.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]  # (B, C, H, W): pixel (r, c) is x's (r + 1, c + 1)
        b = self.path2(shifted[:, :, ::2, ::2])
        return self.bn(torch.cat([a, b], dim=1))


def relu_conv_bn(c_in: int, c_out: int) -> nn.Module:
    """ReLU -> 1x1 conv -> BN: the micro space's calibration of a cell input to the cell's channels
    (`micro_child.py` `_maybe_calibrate_size`; C_in·C_out + 2·C_out weights)."""
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out))


def relu_reduce(c_in: int, c_out: int) -> nn.Module:
    """ReLU -> factorized reduction: the micro space's calibration of a cell input at twice the resolution."""
    return nn.Sequential(nn.ReLU(), FactorizedReduction(c_in, c_out))


class Head(nn.Module):
    """Global average pool -> dropout -> Linear without bias: the macro classifier (C·classes weights).

    Dropout acts only in a pass that trains (training mode with autograd recording), so scoring a
    child, which runs under no_grad, never drops features. Its masks come from a generator seeded by
    two buffers (a seed drawn when the block is built, and a count of the passes that dropped), so
    they are reproducible, saved in a checkpoint, and never touch the global random state."""

    def __init__(self, c: int, num_classes: int, dropout: float = MACRO_DROPOUT):
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.dropout = dropout
        self.linear = nn.Linear(c, num_classes, bias=False)
        self.register_buffer("drop_seed", torch.randint(2**62, ()))  # drawn from the caller's (seeded) RNG
        self.register_buffer("drop_calls", torch.zeros((), dtype=torch.long))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, H, W) -> (B, classes)
        h = x.mean(dim=(2, 3))  # (B, C)
        if self.training and self.dropout > 0 and torch.is_grad_enabled():
            gen = torch.Generator().manual_seed(int(self.drop_seed) + int(self.drop_calls))
            self.drop_calls += 1
            keep = (torch.rand(h.shape, generator=gen) >= self.dropout).to(h.device, h.dtype)
            h = h * keep / (1.0 - self.dropout)
        return self.linear(h)

    def extra_repr(self) -> str:
        return f"dropout={self.dropout}"
