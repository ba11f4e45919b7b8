"""What the importers share: an imported run's space, its estimated policy and its θ records.

Owns: `space_for` (our space or a generic one for the choices read), `option_counts`, `estimate`
(each decision's option frequencies among recent children: the policy the samples show),
`controller_record`, `space_skip_rate`, `arch_space`, `check_window`. Used by importers.py (tables)
and enas_stdout.py (the ENAS release's stdout). Must not: read files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import spaces
from .arch import Arch
from .history import ControllerRecord
from .spaces import generic


def space_for(path: Path, all_choices, names, options, kinds, first_line: int):
    width = len(all_choices[0])
    names = list(names) if names is not None else [f"d{k}" for k in range(1, width + 1)]
    if len(names) != width:
        raise ValueError(f"{path}: {len(names)} decision names for archs of {width} decisions")
    counts = option_counts(path, first_line, all_choices, width, options)
    kinds = list(kinds) if kinds is not None else ["op"] * width
    try:
        return generic.make(names, counts, kinds)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


def option_counts(path: Path, line: int, all_choices, width: int, options) -> list[int]:
    seen = [max(c[k] for c in all_choices) + 1 for k in range(width)]
    if options is None:
        return seen
    given = [options] * width if isinstance(options, int) and not isinstance(options, bool) else list(options)
    if len(given) != width or any(isinstance(g, bool) or not isinstance(g, int) or g < 1 for g in given):
        raise ValueError(f"options={options!r} must be a positive int or {width} of them, one per decision")
    over = [k for k in range(width) if seen[k] > given[k]]
    if over:
        k = over[0]
        bad = next(i for i, c in enumerate(all_choices) if c[k] >= given[k])
        raise ValueError(
            f"{path}: decision {k + 1} takes choice {all_choices[bad][k]} (arch {bad + 1}, from line {line} on) "
            f"but options says {given[k]} (choices 0..{given[k] - 1})"
        )
    return given


def check_window(window: int) -> None:
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"policy_window={window!r} must be a positive int")


def arch_space(arch: Arch):
    """The space an imported arch belongs to."""
    return spaces.get(arch.space)


def space_skip_rate(space, arch: Arch) -> float:
    """Share of `space`'s skip decisions that `arch` takes (0 when it has none)."""
    flags = [c for d, c in zip(space.decisions, arch.choices) if d.kind == "skip"]
    return sum(flags) / len(flags) if flags else 0.0


def estimate(space, archs: Sequence[Arch]) -> tuple[tuple[float, ...], ...]:
    """Each decision's option frequencies among `archs`: the policy as the samples show it."""
    n = len(archs)
    return tuple(
        tuple(sum(a.choices[k] == o for a in archs) / n for o in range(len(d.options)))
        for k, d in enumerate(space.decisions)
    )


def controller_record(step, epoch, children, baseline, policy, seconds, **extra) -> ControllerRecord:
    def mean(name: str) -> float:
        return sum(getattr(c, name) for c in children) / len(children)

    return ControllerRecord(
        step=step,
        epoch=epoch,
        arch=children[0].arch,
        archs=tuple(c.arch for c in children),
        accuracy=mean("accuracy"),
        reward=mean("reward"),
        baseline=float(baseline),
        advantage=mean("advantage"),
        log_prob=mean("log_prob"),
        entropy=mean("entropy"),
        skip_rate=mean("skip_rate"),
        policy=policy,
        seconds=seconds,
        children=tuple(children),
        **extra,
    )
