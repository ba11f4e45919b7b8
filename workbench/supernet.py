"""The supernet: every candidate op's weights (the shared weights ω), run one child at a time.

Owns: the weight blocks of a space (an nn.ModuleDict keyed by stable block names such as
`node3<-1/tanh`), running a child's path, naming the parameters a child uses and copying a child
out as a stand-alone module. Must not: sample architectures or train (the Trainer does).
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from . import spaces
from .arch import Arch
from .spaces import Space


def _check_batch(space: Space, input_shape: tuple[int, ...], x: torch.Tensor) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor batch, got {type(x).__name__}")
    if tuple(x.shape[1:]) != tuple(input_shape):
        raise ValueError(
            f"input batch has shape {tuple(x.shape)}; this network of space {space.name!r} takes "
            f"(batch, {', '.join(map(str, input_shape))})"
        )


class Supernet(nn.Module):
    """All candidate ops of a space with shared weights; `net(x, arch)` runs only arch's path."""

    def __init__(self, space: Space | str, input_shape: tuple[int, ...], num_classes: int, seed: int = 0):
        super().__init__()
        self.space = spaces.resolve(space)
        self.input_shape = tuple(int(s) for s in input_shape)
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an int >= 2, got {num_classes!r}")
        self.num_classes = num_classes
        with torch.random.fork_rng(devices=[]):  # seeded init that leaves the global RNG untouched
            torch.manual_seed(seed)
            self.blocks = nn.ModuleDict(self.space.make_blocks(self.input_shape, num_classes))

    def forward(self, x: torch.Tensor, arch: Arch) -> torch.Tensor:
        self.space.check(arch)
        _check_batch(self.space, self.input_shape, x)
        return self.space.forward(self.blocks, x, arch)

    @property
    def block_names(self) -> tuple[str, ...]:
        """Every weight block, in a stable order."""
        return tuple(self.blocks.keys())

    def blocks_for(self, arch: Arch) -> tuple[str, ...]:
        """The weight blocks the child `arch` uses."""
        return self.space.blocks_for(arch)

    def block_parameters(self) -> dict[str, list[tuple[str, nn.Parameter]]]:
        """Block name -> [(parameter name as in named_parameters(), parameter)]."""
        out: dict[str, list[tuple[str, nn.Parameter]]] = {b: [] for b in self.blocks}
        for name, p in self.named_parameters():
            out[name.split(".")[1]].append((name, p))
        return out

    def parameters_for(self, arch: Arch) -> list[str]:
        """Names (as in named_parameters()) of exactly the parameters the child `arch` uses."""
        used = set(self.blocks_for(arch))
        return [name for name, _ in self.named_parameters() if name.split(".")[1] in used]

    def child(self, arch: Arch) -> Child:
        """A stand-alone module holding copies of exactly the weights `arch` uses."""
        used = self.blocks_for(arch)
        return Child(self.space, arch, self.input_shape, {b: copy.deepcopy(self.blocks[b]) for b in used})


class Child(nn.Module):
    """A stand-alone child network: its own copies of the blocks it uses, wired by its Arch."""

    def __init__(self, space: Space, arch: Arch, input_shape: tuple[int, ...], blocks: dict[str, nn.Module]):
        super().__init__()
        self.space, self.arch, self.input_shape = space, space.check(arch), tuple(input_shape)
        self.blocks = nn.ModuleDict(blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_batch(self.space, self.input_shape, x)
        return self.space.forward(self.blocks, x, self.arch)

    def extra_repr(self) -> str:
        return f"arch={self.arch}"
