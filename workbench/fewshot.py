"""Few-shot weight sharing: the supernet split on one decision into k sub-supernets, one per option.

    fs = wb.fewshot.FewShot("teaching", data, split="node1.op", seed=0)   # 4 sub-supernets
    fs.run(2000)                       # 2000 ω steps in all, round-robin over the sub-supernets
    fs.owner(arch), fs.trainers[j]     # which sub-supernet holds a child, and that one's Trainer

As in few-shot NAS (Zhao et al., 2021): the children that agree on the split decision share weights
only with each other, so k sub-supernets each hold a disjoint copy of every block, starting from the
same weights (a fresh supernet's, or `base`'s shared weights: split after a one-shot warm-up). Each
ω step trains one sub-supernet on a child drawn uniformly from its sub-space (its split decision
fixed, every other decision uniform), through that sub-supernet's `Trainer.shared_step(arch)`; the
sub-supernets take turns, so a budget of ω steps is spread evenly. Every child of the space belongs
to exactly one sub-supernet (`owner`), where it is scored (wb.fidelity.shared_scores takes a FewShot).

Owns: the split, the sub-space sampling and the turn order. Must not: score children or rank them
(wb.fidelity does), or step θ (the sub-supernets' controllers are never used).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch

from . import data as data_mod
from . import seeds, spaces
from .arch import Arch
from .config import TrainerConfig
from .history import SharedRecord
from .spaces import Space
from .trainer import Trainer


class FewShot:
    """k sub-supernets of `space`, one per option of decision `split`; `run(steps)` trains them in turn."""

    def __init__(
        self,
        space: Space | str = "teaching",
        data: data_mod.Dataset | None = None,
        split: str = "node1.op",
        config: TrainerConfig | None = None,
        seed: int = 0,
        device: str | torch.device = "cpu",
        base: Trainer | None = None,
    ):
        self.space = spaces.resolve(space)
        names = [d.name for d in self.space.decisions]
        if split not in names:
            raise ValueError(
                f"split={split!r} is not a decision of {self.space.name!r}; choose one of {', '.join(names)}"
            )
        self.split, self.index = split, names.index(split)
        self.options = self.space.decisions[self.index].options
        if base is not None and base.space != self.space:
            raise ValueError(f"base trains space {base.space.name!r}, not {self.space.name!r}")
        data = data if data is not None else (base.data if base is not None else data_mod.for_space(self.space))
        self.trainers = [Trainer(self.space, data=data, config=config, seed=seed, device=device) for _ in self.options]
        if base is not None:  # split after a one-shot warm-up: every sub-supernet starts from its weights
            for t in self.trainers:
                t.supernet.load_state_dict(base.supernet.state_dict())
        self.child_gen = seeds.generator(seed, "children")
        self.steps = 0  # ω steps taken, over all sub-supernets

    @property
    def k(self) -> int:
        """The number of sub-supernets: the split decision's option count."""
        return len(self.trainers)

    @property
    def supernets(self) -> list:
        return [t.supernet for t in self.trainers]

    def owner(self, arch: Arch | str) -> int:
        """The sub-supernet that holds `arch`: the index of its choice on the split decision."""
        arch = self.space.parse(arch) if isinstance(arch, str) else self.space.check(arch)
        return arch.choices[self.index]

    def subspace(self, j: int) -> Iterator[Arch]:
        """Every architecture that sub-supernet `j` holds (its split decision = option j)."""
        if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < self.k:
            raise ValueError(f"j={j!r} must be an int in 0..{self.k - 1}")
        return (a for a in self.space.enumerate() if a.choices[self.index] == j)

    def sample(self, j: int) -> Arch:
        """A child drawn uniformly from sub-supernet `j`'s sub-space."""
        choices = list(self.space.random(self.child_gen).choices)
        choices[self.index] = j
        return self.space.make(choices)

    def step(self) -> SharedRecord:
        """One ω step of the sub-supernet whose turn it is, on a child of its sub-space."""
        j = self.steps % self.k
        record = self.trainers[j].shared_step(self.sample(j))
        self.steps += 1
        return record

    def run(self, steps: int, on_step: Callable | None = None) -> None:
        """`steps` more ω steps in all, the sub-supernets taking turns; `on_step(record)` after each."""
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(f"steps must be a positive int, got {steps!r}")
        for _ in range(steps):
            record = self.step()
            if on_step is not None:
                on_step(record)
