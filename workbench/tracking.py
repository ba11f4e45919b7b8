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
        for b in self.blocks:
            self.grad.setdefault(b, 0)
            self.changed.setdefault(b, 0)

    def record(self, grad: tuple[str, ...], changed: tuple[str, ...]) -> None:
        """Count one ω step that gave gradients to `grad` and changed `changed`."""
        unknown = (set(grad) | set(changed)) - set(self.blocks)
        if unknown:
            raise ValueError(f"unknown weight blocks {sorted(unknown)}; valid: {', '.join(self.blocks)}")
        self.steps += 1
        for b in grad:
            self.grad[b] += 1
        for b in changed:
            self.changed[b] += 1

    @classmethod
    def from_records(cls, blocks, records) -> "UpdateCounts":
        """The counts after `records` (a History or its slice): replays each ω step's updated/changed."""
        counts = cls(tuple(blocks))
        for r in records:
            if r.phase == "shared":
                counts.record(r.updated, r.changed)
        return counts

    def copy(self) -> "UpdateCounts":
        return UpdateCounts(self.blocks, dict(self.grad), dict(self.changed), self.steps)

    def to_dict(self) -> dict:
        """JSON-ready: {"steps": n, "blocks": {name: {"grad": g, "changed": c}}}."""
        return {"steps": self.steps, "blocks": {b: {"grad": self.grad[b], "changed": self.changed[b]} for b in self.blocks}}

    @classmethod
    def from_dict(cls, data: dict) -> "UpdateCounts":
        blocks = data["blocks"]
        return cls(tuple(blocks), {b: int(v["grad"]) for b, v in blocks.items()},
                   {b: int(v["changed"]) for b, v in blocks.items()}, int(data["steps"]))

    def to_frame(self):
        """A pandas DataFrame: one row per block with its grad and changed counts."""
        import pandas as pd

        return pd.DataFrame({"block": self.blocks, "grad": [self.grad[b] for b in self.blocks],
                             "changed": [self.changed[b] for b in self.blocks]}).set_index("block")


class StepWatch:
    """Snapshot a network's blocks before an optimizer step; report what changed after it."""

    def __init__(self, block_params: dict[str, list[tuple[str, nn.Parameter]]],
                 snapshot: dict[str, torch.Tensor] | None = None):
        """`snapshot` (parameter name -> saved copy, e.g. a cloned state_dict) saves cloning again."""
        self._params = block_params
        self._before = {b: [snapshot[n] if snapshot is not None else p.detach().clone() for n, p in ps]
                        for b, ps in block_params.items()}

    def with_grad(self) -> tuple[str, ...]:
        """Blocks any of whose parameters holds a gradient right now."""
        return tuple(b for b, ps in self._params.items() if any(p.grad is not None for _, p in ps))

    def changed(self) -> tuple[str, ...]:
        """Blocks any of whose parameters differs from the snapshot (bit for bit)."""
        return tuple(b for b, ps in self._params.items()
                     if any(not torch.equal(p.detach(), q) for (_, p), q in zip(ps, self._before[b])))
