"""Which shared weight blocks each ω step touched: received a gradient, changed value.

Owns: per-step detection (`StepWatch`) and the running counts (`UpdateCounts`). The two counts
differ when an optimizer moves weights that no gradient reached (momentum or weight decay applied
to zero-filled gradients): the heatmap shows both. Must not: train or plot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn


@dataclass
class UpdateCounts:
    """Per weight block: how many ω steps gave it a gradient, and how many changed its value."""

    blocks: tuple[str, ...]
    grad: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    steps: int = 0

    def __post_init__(self) -> None:
        self.blocks = tuple(self.blocks)
        self._known = frozenset(self.blocks)
        for b in self.blocks:
            self.grad.setdefault(b, 0)
            self.changed.setdefault(b, 0)

    def record(self, grad: tuple[str, ...], changed: tuple[str, ...]) -> None:
        """Count one ω step that gave gradients to `grad` and changed `changed`."""
        unknown = (set(grad) | set(changed)) - self._known
        if unknown:
            raise ValueError(f"unknown weight blocks {sorted(unknown)}; valid: {', '.join(self.blocks)}")
        self.steps += 1
        for b in grad:
            self.grad[b] += 1
        for b in changed:
            self.changed[b] += 1

    @classmethod
    def from_records(cls, blocks, records) -> UpdateCounts:
        """The counts after `records` (a History or its slice): replays each ω step's updated/changed."""
        counts = cls(tuple(blocks))
        for r in records:
            if r.phase == "shared":
                counts.record(r.updated, r.changed)
        return counts

    def to_dict(self) -> dict:
        """JSON-ready: {"steps": n, "blocks": {name: {"grad": g, "changed": c}}}."""
        return {
            "steps": self.steps,
            "blocks": {b: {"grad": self.grad[b], "changed": self.changed[b]} for b in self.blocks},
        }

    @classmethod
    def from_dict(cls, data: dict) -> UpdateCounts:
        blocks = data["blocks"]
        return cls(
            tuple(blocks),
            {b: int(v["grad"]) for b, v in blocks.items()},
            {b: int(v["changed"]) for b, v in blocks.items()},
            int(data["steps"]),
        )

    def to_frame(self):
        """A pandas DataFrame: one row per block with its grad and changed counts."""
        import pandas as pd

        return pd.DataFrame(
            {
                "block": self.blocks,
                "grad": [self.grad[b] for b in self.blocks],
                "changed": [self.changed[b] for b in self.blocks],
            }
        ).set_index("block")


class StepWatch:
    """A supernet's weight blocks, asked after an ω step which got a gradient and which changed.

    It looks only at the parameters it is given (those the step touched), so its cost follows the
    child's size, not the supernet's."""

    def __init__(self, block_params: dict[str, list[tuple[str, nn.Parameter]]]):
        self._order = {b: k for k, b in enumerate(block_params)}
        self._block_of = {id(p): b for b, ps in block_params.items() for _, p in ps}

    def _sorted(self, blocks) -> tuple[str, ...]:
        return tuple(sorted(set(blocks), key=self._order.__getitem__))

    def blocks_of(self, params) -> tuple[str, ...]:
        """The blocks (in the supernet's order) that hold any of `params`, e.g. those with a gradient."""
        return self._sorted(self._block_of[id(p)] for p in params)

    def changed(self, saved) -> tuple[str, ...]:
        """The blocks any of whose parameters differs (bit for bit) from its copy in `saved`, a list
        of (parameter, its value before the step); a parameter without a copy was not touched."""
        return self._sorted(self._block_of[id(p)] for p, before in saved if not torch.equal(p, before))
