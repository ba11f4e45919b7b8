"""What the trainer did, step by step: frozen records and the History that holds them.

Owns: SharedRecord (one ω step), ControllerRecord (one θ step), History (an append-only sequence
with filters and a pandas view). Must not: train or plot.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Iterator, Sequence

from .arch import Arch


@dataclass(frozen=True)
class SharedRecord:
    """One ω step (θ frozen): the child, its minibatch loss before and after, the blocks it touched."""

    step: int  # global step number, 1-based, counting both phases
    epoch: int
    arch: Arch
    loss: float  # mean cross-entropy on the training minibatch, before the step
    loss_after: float  # the same minibatch after the step
    accuracy: float  # minibatch accuracy before the step
    updated: tuple[str, ...]  # weight blocks that received a gradient
    changed: tuple[str, ...]  # weight blocks whose values changed
    seconds: float  # wall-clock time of the step
    phase: str = "shared"


@dataclass(frozen=True)
class ControllerRecord:
    """One θ step (ω frozen): the sampled children, their rewards and the REINFORCE statistics."""

    step: int
    epoch: int
    arch: Arch  # the first child sampled for this step
    archs: tuple[Arch, ...]  # every child sampled for this step (controller_aggregate of them)
    accuracy: float  # mean validation-minibatch accuracy of the children
    reward: float  # mean reward (accuracy + entropy bonus)
    baseline: float  # the moving-average baseline after this step
    advantage: float  # mean of reward - baseline (baseline before each sample)
    log_prob: float  # mean log P(child; θ) before the step
    entropy: float  # mean entropy of the sampled children's decisions
    skip_rate: float  # mean share of skip connections chosen (enas-macro; 0 elsewhere)
    policy: tuple[tuple[float, ...], ...]  # after the step: each decision's probabilities along the most likely child
    seconds: float
    phase: str = "controller"


Record = SharedRecord | ControllerRecord


class History(Sequence):
    """The records of a run, in step order."""

    def __init__(self, records: Sequence[Record] = ()):
        self._records: list[Record] = list(records)

    def append(self, record: Record) -> None:
        self._records.append(record)

    def __getitem__(self, i):
        return History(self._records[i]) if isinstance(i, slice) else self._records[i]

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records)

    def __repr__(self) -> str:
        n_shared = sum(r.phase == "shared" for r in self)
        return f"History({len(self)} records: {n_shared} shared, {len(self) - n_shared} controller)"

    def shared(self) -> "History":
        """Only the ω steps."""
        return History([r for r in self if r.phase == "shared"])

    def controller(self) -> "History":
        """Only the θ steps."""
        return History([r for r in self if r.phase == "controller"])

    def upto(self, step: int) -> "History":
        """The records with step <= `step` (for replay and scrubbing)."""
        return History([r for r in self if r.step <= step])

    def to_frame(self):
        """A pandas DataFrame, one row per record; archs as their strings."""
        import pandas as pd

        rows = []
        for r in self:
            row = asdict(r)
            row["arch"] = str(r.arch)
            if "archs" in row:
                row["archs"] = [str(a) for a in r.archs]
            rows.append(row)
        columns = ["step", "phase", "epoch", "arch"] + [
            f.name for cls in (SharedRecord, ControllerRecord) for f in fields(cls)
            if f.name not in ("step", "phase", "epoch", "arch")
        ]
        frame = pd.DataFrame(rows, columns=list(dict.fromkeys(columns)))
        return frame.set_index("step")
