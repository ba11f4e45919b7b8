"""Shortcuts over θ steps: the share of skip connections (macro) or identity ops (teaching) sampled.

    wb.viz.plot_skip_rate({"λ = 0.8": a.history, "λ = 0": b.history}, target=0.4)
    wb.viz.mean_skip_rate(trainer.history, last_k=10)    # over the children of the last 10 θ steps
    wb.viz.shortcut_share(space, archs)                  # ("skip connections", 0.35)

Owns: what a shortcut is in each space (a skip decision that chose a skip where the space has skip
decisions, else an op decision that chose `identity`: the weight-free choices that train fast and
that a collapsing controller piles up), its share among the children sampled at each θ step (the
data layer `_get_skip_rate_info`), the mean over the last k θ steps (`mean_skip_rate`) and the
figure that compares runs (`plot_skip_rate`). Must not: train, or read anything but the records.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from ..history import ControllerRecord, History
from . import _style as st
from .text import check_lang, words
from .text_records import COLLAPSE, SKIPS

_RUN_COLORS = tuple(
    st.OKABE_ITO[c] for c in ("blue", "vermillion", "bluish green", "reddish purple", "orange", "sky blue")
)


@dataclass(frozen=True)
class SkipRateRun:
    """One run's shortcut share at each of its θ steps."""

    name: str
    theta_steps: tuple[int, ...]  # 1, 2, ...: the θ step's number within the run (the x axis)
    steps: tuple[int, ...]  # the record's step number (ω and θ steps counted together)
    epochs: tuple[int, ...]
    rates: tuple[float, ...]  # share of shortcuts among that step's sampled children, in [0, 1]


@dataclass(frozen=True)
class SkipRateInfo:
    """The shortcut share per θ step of one or more runs, and the target rate to read them by."""

    label: str  # "skip connections" or "identity ops"; "" when no run has a θ step
    runs: tuple[SkipRateRun, ...]
    target: float | None  # e.g. ENAS's skip target ρ; None: no target line


def shortcut_share(space, archs: Sequence) -> tuple[str, float]:
    """(label, share): the share of `space`'s skip decisions that chose a skip over `archs`, or, in a
    space without skip decisions, the share of its op decisions that chose `identity` (0.0 for no archs)."""
    space = st.check_space(space)
    archs = [space.check(a) for a in archs]
    skips = [k for k, d in enumerate(space.decisions) if d.kind == "skip"]
    if skips:
        hits = [a.choices[k] == 1 for a in archs for k in skips]
        return "skip connections", sum(hits) / len(hits) if hits else 0.0
    ops = [k for k, d in enumerate(space.decisions) if d.kind == "op"]
    hits = [space.decisions[k].options[a.choices[k]] == "identity" for a in archs for k in ops]
    return "identity ops", sum(hits) / len(hits) if hits else 0.0


def _runs(runs) -> dict:
    if isinstance(runs, (History, list, tuple)):
        return {"": runs}
    if not isinstance(runs, Mapping):
        raise TypeError(
            f"expected a wb.History (trainer.history) or a dict of run name -> History, got {type(runs).__name__}"
        )
    return dict(runs)


def _get_skip_rate_info(runs, target: float | None = None) -> SkipRateInfo:
    """The data layer: each run's shortcut share per θ step. `runs`: a History or {name: History}."""
    if target is not None and (
        isinstance(target, bool) or not isinstance(target, (int, float)) or not 0.0 <= target <= 1.0
    ):
        raise ValueError(f"target={target!r} must be a share between 0 and 1, or None")
    out, labels = [], set()
    for name, history in _runs(runs).items():
        records = [r for r in st.check_records(history) if isinstance(r, ControllerRecord)]
        space = st.space_of(records)
        rates = []
        for r in records:
            label, rate = shortcut_share(space, r.archs)
            labels.add(label)
            rates.append(rate)
        out.append(
            SkipRateRun(
                name=str(name),
                theta_steps=tuple(range(1, len(records) + 1)),
                steps=tuple(r.step for r in records),
                epochs=tuple(r.epoch for r in records),
                rates=tuple(rates),
            )
        )
    if len(labels) > 1:
        raise ValueError(
            f"the runs count different shortcuts ({', '.join(sorted(labels))}): compare runs of spaces of one kind"
        )
    return SkipRateInfo(labels.pop() if labels else "", tuple(out), None if target is None else float(target))


def mean_skip_rate(history, last_k: int | None = None) -> float:
    """The mean shortcut share of the children sampled in the last `last_k` θ steps (all of them by
    default): skip connections in the macro space, identity ops in the teaching space. NaN without θ steps."""
    if last_k is not None and (isinstance(last_k, bool) or not isinstance(last_k, int) or last_k < 1):
        raise ValueError(f"last_k={last_k!r} must be a positive int or None")
    rates = _get_skip_rate_info(history).runs[0].rates
    window = rates[-last_k:] if last_k else rates
    return sum(window) / len(window) if window else math.nan


def plot_skip_rate(
    runs, target: float | None = None, title: str | None = None, height: int = 380, lang: str = "en"
) -> go.Figure:
    """The share of shortcuts among the children sampled at each θ step, one line per run.

    `runs`: a History (trainer.history) or {run name: History}; `target`: a dotted line at that share
    (e.g. config.skip_target); `title`: the figure's title (default: says what is counted); `lang`: "en" or "zh"."""
    info = _get_skip_rate_info(runs, target)
    t = words(SKIPS, check_lang(lang))
    what = words(COLLAPSE, lang)(info.label or "shortcuts")
    title = title if title is not None else t("title", what=what)
    fig = go.Figure()
    for i, run in enumerate(info.runs):
        hover = (f"{run.name}<br>" if run.name else "") + t("where") + t("rate", what=what)
        fig.add_trace(
            go.Scatter(
                x=list(run.theta_steps),
                y=list(run.rates),
                mode="lines+markers",
                marker=dict(size=st.lone_points(run.rates)),  # one θ step so far: a point, not nothing
                name=run.name,
                showlegend=bool(run.name),
                line=dict(color=_RUN_COLORS[i % len(_RUN_COLORS)], width=2.5),
                customdata=list(zip(run.steps, run.epochs)),
                hovertemplate=hover,
            )
        )
    layout = st.base_layout(
        title,
        height=height,
        xaxis=dict(title=t("x")),
        yaxis=dict(title=t("y", what=what), range=[-0.02, 1.02], tickformat=".0%"),
    )
    if not any(run.rates for run in info.runs):
        layout["annotations"] = [st.note(t("hint"))]
        layout["xaxis"]["visible"] = layout["yaxis"]["visible"] = False
    fig.update_layout(layout)
    if info.target is not None and any(run.rates for run in info.runs):
        fig.add_hline(y=info.target, line_dash="dot", line_color=st.INK, annotation_text=t("target"))
    return fig
