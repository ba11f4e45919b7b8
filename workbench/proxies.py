"""Zero-cost proxies: rank children at initialisation, from one minibatch, with no training at all.

    wb.proxies.at_init("teaching", data, "synflow", seed=0)     # a Series by arch, higher = better
    wb.proxies.grad_norm(supernet, arch, x, y)                   # one child, one minibatch

The honest baselines for a shared-weight ranking (issue 16; Abdelfattah et al., 2021, "Zero-cost
proxies for lightweight NAS"): if a proxy that never trains ranks the children as well as the
shared weights do, the shared weights have not earned their cost.
  "params"     the child's parameter count (no data at all)
  "grad_norm"  the L2 norm of the gradient of the cross-entropy of one minibatch with respect to
               the child's weights (BatchNorm on batch statistics)
  "synflow"    Σ |θ ⊙ ∂R/∂θ| with every weight replaced by its absolute value and R the sum of the
               outputs for an all-ones input, in float64 (Tanaka et al., 2020; data-free)
Owns: the proxies and scoring every child with one. Must not: train or change the weights or
buffers it scores (synflow works on a copy; grad_norm restores the BatchNorm buffers).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from . import data as data_mod
from . import seeds, spaces
from .arch import Arch
from .supernet import Supernet

PROXIES = ("params", "grad_norm", "synflow")


def _child_params(net: Supernet, arch: Arch) -> list[torch.nn.Parameter]:
    used = set(net.parameters_for(arch))
    return [p for name, p in net.named_parameters() if name in used]


def param_count(net: Supernet, arch: Arch) -> int:
    """The number of weights the child `arch` uses."""
    return sum(p.numel() for p in _child_params(net, arch))


def grad_norm(net: Supernet, arch: Arch, x: torch.Tensor, y: torch.Tensor) -> float:
    """‖∂ cross-entropy(net(x, arch), y) / ∂θ_arch‖₂ on the minibatch (x, y); weights, their .grad,
    the buffers and the train/eval mode are left as they were."""
    params = _child_params(net, arch)
    saved = [(b, b.clone()) for b in net.buffers()]
    was_training = net.training
    net.train(True)
    try:
        loss = F.cross_entropy(net(x, arch), y)
        grads = torch.autograd.grad(loss, params, allow_unused=True)
    finally:
        for buffer, copy in saved:
            buffer.copy_(copy)
        net.train(was_training)
    return float(torch.sqrt(sum(g.double().pow(2).sum() for g in grads if g is not None)))


def synflow(net: Supernet, arch: Arch) -> float:
    """Σ |θ ⊙ ∂R/∂θ| over the child's weights, every weight made |θ| and R = Σ outputs of an all-ones
    input (one example), on a float64 copy of the child (BatchNorm on its running averages)."""
    child = net.child(arch).double().eval()
    with torch.no_grad():
        for p in child.parameters():
            p.abs_()
    child(torch.ones(1, *net.input_shape, dtype=torch.float64)).sum().backward()
    return float(sum((p.detach() * p.grad).abs().sum() for p in child.parameters() if p.grad is not None))


def score(net: Supernet, arch: Arch, proxy: str, x: torch.Tensor | None = None, y: torch.Tensor | None = None) -> float:
    """One child's `proxy` score (higher = better); grad_norm needs the minibatch (x, y)."""
    if proxy not in PROXIES:
        raise ValueError(f"proxy={proxy!r} is not valid; choose one of {', '.join(PROXIES)}")
    if proxy == "params":
        return float(param_count(net, arch))
    if proxy == "synflow":
        return synflow(net, arch)
    if x is None or y is None:
        raise ValueError('proxy "grad_norm" needs a minibatch: pass x and y')
    return grad_norm(net, arch, x, y)


def scores(net: Supernet, proxy: str, archs=None, x: torch.Tensor | None = None, y: torch.Tensor | None = None):
    """Every child's (or `archs`') `proxy` score with `net`'s current weights: a Series by arch."""
    import pandas as pd

    space = net.space
    archs = (
        list(space.enumerate())
        if archs is None
        else [space.parse(a) if isinstance(a, str) else space.check(a) for a in archs]
    )
    values = [score(net, a, proxy, x, y) for a in archs]
    return pd.Series(values, index=[space.format(a) for a in archs], name=proxy)


def at_init(
    space,
    data: data_mod.Dataset | None = None,
    proxy: str = "synflow",
    seed: int = 0,
    batch_size: int = 64,
    archs=None,
):
    """Every child's `proxy` score at initialisation: the supernet a Trainer with `seed` starts from,
    and one training minibatch of `batch_size` drawn with `seed` (a Series by arch)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r} must be a positive int")
    space = spaces.resolve(space)
    data = data if data is not None else data_mod.for_space(space)
    net = Supernet(space, data.input_shape, data.num_classes, seed=seeds.derive(seed, "supernet"))
    X, y = data.train
    idx = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))[:batch_size]
    return scores(net, proxy, archs, X[idx], y[idx])
