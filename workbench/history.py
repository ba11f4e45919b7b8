"""What the trainer did, step by step: frozen records and the History that holds them.

Owns: SharedRecord (one ω step), ControllerRecord (one θ step) with a ChildScore per sampled
child, θ's gradient norm and its saturation, SkippedRecord (a diverged step skipped under
`on_nan="skip"`), History (an append-only sequence with filters and a pandas view), and the
records' JSON form (`record_to_dict` / `record_from_dict`, one log.jsonl line each).
Must not: train or plot.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import MISSING, asdict, dataclass, fields

from . import spaces
from .arch import Arch


@dataclass(frozen=True)
class SharedRecord:
    """One ω step (θ frozen): the child, its minibatch loss before and after, the blocks it touched."""

    step: int  # global step number, 1-based, counting both phases
    epoch: int
    arch: Arch
    loss: float  # mean cross-entropy on the training minibatch, before the step
    loss_after: float | None  # the same minibatch after the step (None unless the step was asked to measure it)
    accuracy: float  # minibatch accuracy before the step
    updated: tuple[str, ...]  # weight blocks that received a gradient
    changed: tuple[str, ...]  # weight blocks whose values changed
    seconds: float  # wall-clock time of the step
    phase: str = "shared"
    archs: tuple[Arch, ...] = ()  # sampler "fair": the whole group (arch is its first); else empty


@dataclass(frozen=True)
class ChildScore:
    """One child sampled in a θ step: its reward, and what REINFORCE made of it."""

    arch: Arch
    accuracy: float  # validation-minibatch accuracy with the shared weights
    reward: float  # accuracy + entropy bonus
    advantage: float  # reward - the baseline before this child
    log_prob: float  # log P(child; θ) before the step
    entropy: float  # summed entropy of the decisions that sampled it
    skip_rate: float  # share of skip decisions that chose a skip (enas-macro; 0 elsewhere)

    @classmethod
    def from_dict(cls, row: dict, space) -> ChildScore:
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in row]
        if missing:
            raise ValueError(f"a child of a θ step is missing field(s) {', '.join(missing)}")
        return cls(**{**{n: float(row[n]) for n in names if n != "arch"}, "arch": space.parse(row["arch"])})


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
    children: tuple[ChildScore, ...] = ()  # one per sampled child, in sampling order (empty in older logs)
    grad_norm: float | None = None  # total L2 norm of θ's gradient before the update (None in older logs)
    saturation: float | None = None  # share of the policy's decisions at the tanh bound (saturation.py; None: older)


@dataclass(frozen=True)
class SkippedRecord:
    """A step whose loss or reward was NaN or infinite, skipped under `run(on_nan="skip")`: nothing changed."""

    step: int
    epoch: int
    planned: str  # the phase the step would have been: "shared" or "controller"
    reason: str  # the DivergenceError's message
    seconds: float
    phase: str = "skipped"


Record = SharedRecord | ControllerRecord | SkippedRecord
_RECORD_TYPES = {"shared": SharedRecord, "controller": ControllerRecord, "skipped": SkippedRecord}


def record_to_dict(record: Record) -> dict:
    """A JSON-ready dict with every field of `record`: archs as their strings, plus the space's name."""
    row = asdict(record)
    arch = getattr(record, "arch", None)
    if arch is not None:
        row["arch"], row["space"] = str(arch), arch.space
    if "archs" in row:
        row["archs"] = [str(a) for a in record.archs]
    if "children" in row:
        row["children"] = [{**asdict(c), "arch": str(c.arch)} for c in record.children]
    return row


def record_from_dict(row: dict) -> Record:
    """The record that `record_to_dict` made `row` from (archs parsed back in their space)."""
    cls = _RECORD_TYPES.get(row.get("phase"))
    if cls is None:
        raise ValueError(f"unknown record phase {row.get('phase')!r}; valid: {', '.join(_RECORD_TYPES)}")
    names = [f.name for f in fields(cls)]
    optional = {f.name for f in fields(cls) if f.default is not MISSING}  # absent from older logs
    missing = [n for n in names if n not in row and n not in optional]
    if missing:
        raise ValueError(f"{cls.__name__} is missing field(s) {', '.join(missing)}")
    values = {n: row[n] for n in names if n in row}
    if "arch" in values:
        if not isinstance(row.get("space"), str):
            raise ValueError(f"{cls.__name__} needs the name of its arch's space, got space={row.get('space')!r}")
        space = spaces.get(row["space"])
        values["arch"] = space.parse(values["arch"])
        if "archs" in values:
            values["archs"] = tuple(space.parse(a) for a in values["archs"])
        if "children" in values:
            values["children"] = tuple(ChildScore.from_dict(c, space) for c in values["children"])
    for name in ("updated", "changed"):
        if name in values:
            values[name] = tuple(values[name])
    if "policy" in values:
        values["policy"] = tuple(tuple(float(p) for p in probs) for probs in values["policy"])
    return cls(**values)


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
        n = {phase: sum(r.phase == phase for r in self) for phase in _RECORD_TYPES}
        skipped = f", {n['skipped']} skipped" if n["skipped"] else ""
        return f"History({len(self)} records: {n['shared']} shared, {n['controller']} controller{skipped})"

    def shared(self) -> History:
        """Only the ω steps."""
        return History([r for r in self if r.phase == "shared"])

    def controller(self) -> History:
        """Only the θ steps."""
        return History([r for r in self if r.phase == "controller"])

    @classmethod
    def from_log(cls, path: str | os.PathLike) -> History:
        """The records of a run's log.jsonl (or of the run folder holding it), as the trainer made them.

        An unterminated last line (a run still writing, or killed mid-line) is ignored; any other
        unreadable line, or a step out of sequence, raises ValueError naming the line.
        """
        path = os.fspath(path)
        if os.path.isdir(path):
            path = os.path.join(path, "log.jsonl")
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")[:-1]  # the piece after the last newline is incomplete
        history = cls()
        for n, line in enumerate(lines, start=1):
            try:
                record = record_from_dict(json.loads(line))
            except (ValueError, TypeError) as e:
                raise ValueError(f"{path} line {n} is not a valid record: {e}") from None
            expected = history[-1].step + 1 if history else record.step
            if record.step != expected:
                raise ValueError(
                    f"{path} line {n} has step {record.step}, expected {expected}: steps are missing or repeated"
                )
            history.append(record)
        return history

    def upto(self, step: int) -> History:
        """The records with step <= `step` (for replay and scrubbing)."""
        return History([r for r in self if r.step <= step])

    def to_frame(self):
        """A pandas DataFrame, one row per record; archs as their strings."""
        import pandas as pd

        rows = []
        for r in self:
            row = record_to_dict(r)
            row.pop("space", None)
            rows.append(row)
        columns = ["step", "phase", "epoch", "arch"] + [
            f.name
            for cls in (SharedRecord, ControllerRecord, SkippedRecord)
            for f in fields(cls)
            if f.name not in ("step", "phase", "epoch", "arch")
        ]
        frame = pd.DataFrame(rows, columns=list(dict.fromkeys(columns)))
        return frame.set_index("step")
