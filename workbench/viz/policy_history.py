"""The controller's policy over a run: each option's probability and each decision's entropy per θ step.

Owns: `plot_policy_history`, its data layer `_get_policy_history_info` (with the entropy fractions
of entropy.py), its skeleton and patch. Reads ControllerRecord.policy: each decision's probabilities
along the policy's most likely child after that step. A notebook figure, not one of the app's live
views. Must not: train, or recompute the policy from a controller.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..history import ControllerRecord
from . import _style as st
from .entropy import entropy_fractions
from .view import render


@dataclass(frozen=True)
class _PolicyHistoryInfo:
    """Probabilities (rows: decision = option) and entropy fractions (rows: decisions) per θ step."""

    space: str | None  # None when the history holds no θ step
    steps: tuple[int, ...]  # global step of each θ step
    epochs: tuple[int, ...]
    rows: tuple[str, ...]  # "node2.op = tanh"; a skip decision shows only "= yes"
    row_ops: tuple[str | None, ...]  # the op a row stands for (None for inputs and skips)
    probs: tuple[tuple[float, ...], ...]  # (rows, θ steps)
    decisions: tuple[str, ...]  # decisions with more than one option
    entropy_fraction: tuple[tuple[float, ...], ...]  # (decisions, θ steps), 0 = certain, 1 = uniform


def _get_policy_history_info(history) -> _PolicyHistoryInfo:
    """The policy after each θ step of `history` (a History or a list of records)."""
    records = [r for r in st.check_records(history) if isinstance(r, ControllerRecord)]
    space = st.space_of(records)
    if space is None:
        return _PolicyHistoryInfo(None, (), (), (), (), (), (), ())
    for r in records:
        if len(r.policy) != len(space.decisions):
            raise ValueError(
                f"record of step {r.step} has a policy of {len(r.policy)} decisions; "
                f"space {space.name!r} has {len(space.decisions)}"
            )
    rows, ops, probs = [], [], []
    for k, d in enumerate(space.decisions):
        if len(d.options) < 2:
            continue
        shown = ("yes",) if d.kind == "skip" else d.options
        for option in shown:
            j = d.options.index(option)
            rows.append(f"{d.name} = {option}")
            ops.append(option if d.kind == "op" else None)
            probs.append(tuple(r.policy[k][j] for r in records))
    fractions = list(zip(*(entropy_fractions(space, r.policy) for r in records)))
    return _PolicyHistoryInfo(
        space.name,
        tuple(r.step for r in records),
        tuple(r.epoch for r in records),
        tuple(rows),
        tuple(ops),
        tuple(probs),
        tuple(d.name for d in space.decisions if len(d.options) > 1),
        tuple(map(tuple, fractions)),
    )


# ---- the renderer ---------------------------------------------------------------------------
def _policy_history_skeleton() -> go.Figure:
    """Two heatmaps (probabilities, entropy fractions) over θ steps; the same for every space."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        row_heights=[0.7, 0.3],
        subplot_titles=("probability of each option", "entropy of each decision (share of its maximum)"),
    )
    fig.add_trace(
        go.Heatmap(
            coloraxis="coloraxis",
            name="probability",
            xgap=0,
            ygap=1,
            hovertemplate="<b>%{y}</b>: %{z:.1%}<br>after θ step %{x} (%{customdata})<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Heatmap(
            coloraxis="coloraxis2",
            name="entropy",
            ygap=1,
            hovertemplate="<b>%{y}</b>: entropy %{z:.0%} of its maximum"
            "<br>after θ step %{x} (%{customdata})<extra></extra>",
        ),
        row=2,
        col=1,
    )
    return fig


def _policy_history_trace_data(info: _PolicyHistoryInfo) -> list[dict]:
    """z, x, y and hover data of both heatmaps (what the app patches after a θ step)."""
    x = list(range(1, len(info.steps) + 1))
    where = [f"step {s}, epoch {e}" for s, e in zip(info.steps, info.epochs)]
    return [
        dict(z=[list(r) for r in info.probs], x=x, y=list(info.rows), customdata=[where] * len(info.rows)),
        dict(
            z=[list(r) for r in info.entropy_fraction],
            x=x,
            y=list(info.decisions),
            customdata=[where] * len(info.decisions),
        ),
    ]


def _tick_label(row: str, op: str | None) -> str:
    """A row label with a square in its op's colour (rows that are not ops get none)."""
    return f"{row} <span style='color:{st.op_color(op)}'>■</span>" if op else row


def _policy_history_layout(info: _PolicyHistoryInfo, fig: go.Figure) -> dict:
    n = len(info.rows) + len(info.decisions)
    height = max(st.HEIGHT, 190 + 16 * n)  # the teaching space fits a 1280 x 720 screen
    shapes = [
        dict(
            type="line",
            xref="x",
            yref="paper",
            x0=k + 0.5,
            x1=k + 0.5,
            y0=0,
            y1=1,
            line=dict(color=st.INK, width=1.5, dash="dot"),
        )
        for k in range(1, len(info.epochs))
        if info.epochs[k] != info.epochs[k - 1]
    ]
    empty = info.space is None
    top = 0.3 + 0.7 * 0.5  # the colour bars sit beside their panels
    return st.base_layout(
        "Controller policy over the run" + (f" ({info.space})" if info.space else ""),
        "after each θ step, along the policy's most likely child · dotted lines: a new epoch · "
        "entropy 100% = undecided (uniform), 0% = always the same choice",
        uirevision=f"policy-history:{info.space}",
        height=height,
        shapes=shapes,
        annotations=list(fig.layout.annotations)
        + ([st.note("No θ steps yet: run trainer.controller_step()")] if empty else []),
        coloraxis=dict(
            colorscale="Viridis",
            cmin=0,
            cmax=1,
            colorbar=dict(
                title=dict(text="probability", side="right"),
                tickformat=".0%",
                len=0.62,
                y=top,
                yanchor="middle",
                thickness=18,
            ),
        ),
        coloraxis2=dict(
            colorscale="Cividis",
            cmin=0,
            cmax=1,
            colorbar=dict(
                title=dict(text="entropy", side="right"),
                tickformat=".0%",
                len=0.28,
                y=0.14,
                yanchor="middle",
                thickness=18,
            ),
        ),
        yaxis=dict(
            autorange="reversed",
            tickmode="array",
            tickvals=list(info.rows),
            ticktext=[_tick_label(r, o) for r, o in zip(info.rows, info.row_ops)],
            tickfont=dict(size=13),
        ),
        yaxis2=dict(autorange="reversed", tickfont=dict(size=13)),
        xaxis2=dict(title_text="θ step (controller update)", dtick=1 if len(info.steps) <= 20 else None),
        margin=dict(l=200, r=40, t=110, b=70),
    )


def _policy_history_patch(info: _PolicyHistoryInfo, skeleton: go.Figure) -> tuple[list[dict], dict]:
    return _policy_history_trace_data(info), _policy_history_layout(info, skeleton)


def plot_policy_history(history) -> go.Figure:
    """Each decision's option probabilities per θ step (a heatmap), and each decision's entropy."""
    info = _get_policy_history_info(history)
    skeleton = _policy_history_skeleton()
    return render(skeleton, *_policy_history_patch(info, skeleton))
