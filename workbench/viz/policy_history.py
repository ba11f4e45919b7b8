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
from .text import STYLE, check_lang, words
from .text_records import HISTORY
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
    lang: str = "en"


def _get_policy_history_info(history, lang: str = "en") -> _PolicyHistoryInfo:
    """The policy after each θ step of `history` (a History or a list of records)."""
    marks = words(STYLE, check_lang(lang))
    records = [r for r in st.check_records(history) if isinstance(r, ControllerRecord)]
    space = st.space_of(records)
    if space is None:
        return _PolicyHistoryInfo(None, (), (), (), (), (), (), (), lang)
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
            rows.append(f"{d.name} = {marks(option) if d.kind == 'skip' else option}")
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
        lang,
    )


# ---- the renderer ---------------------------------------------------------------------------
def _policy_history_skeleton(lang: str = "en") -> go.Figure:
    """Two heatmaps (probabilities, entropy fractions) over θ steps; the same for every space."""
    t = words(HISTORY, lang)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        row_heights=[0.7, 0.3],
        subplot_titles=(t("t_prob"), t("t_entropy")),
    )
    fig.add_trace(
        go.Heatmap(coloraxis="coloraxis", name=t("probability"), xgap=0, ygap=1, hovertemplate=t("hover_prob")),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Heatmap(coloraxis="coloraxis2", name=t("entropy"), ygap=1, hovertemplate=t("hover_entropy")),
        row=2,
        col=1,
    )
    return fig


def _policy_history_trace_data(info: _PolicyHistoryInfo) -> list[dict]:
    """z, x, y and hover data of both heatmaps (what the app patches after a θ step)."""
    x = list(range(1, len(info.steps) + 1))
    t = words(HISTORY, info.lang)
    where = [t("where", s=s, e=e) for s, e in zip(info.steps, info.epochs)]
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
    t = words(HISTORY, info.lang)
    top = 0.3 + 0.7 * 0.5  # the colour bars sit beside their panels
    return st.base_layout(
        t("title_space", space=info.space) if info.space else t("title"),
        t("subtitle"),
        uirevision=f"policy-history:{info.space}",
        height=height,
        shapes=shapes,
        annotations=list(fig.layout.annotations) + ([st.note(t("hint"))] if empty else []),
        coloraxis=dict(
            colorscale="Viridis",
            cmin=0,
            cmax=1,
            colorbar=dict(
                title=dict(text=t("probability"), side="right"),
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
                title=dict(text=t("entropy"), side="right"),
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
            tickfont=dict(size=st.MIN_FONT),
        ),
        yaxis2=dict(autorange="reversed", tickfont=dict(size=st.MIN_FONT)),
        xaxis2=dict(title_text=t("x"), **st.whole_ticks(len(info.steps))),  # x: the θ step's number, 1..n
        margin=dict(l=200, r=40, t=110, b=70),
    )


def _policy_history_patch(info: _PolicyHistoryInfo, skeleton: go.Figure) -> tuple[list[dict], dict]:
    return _policy_history_trace_data(info), _policy_history_layout(info, skeleton)


def plot_policy_history(history, lang: str = "en") -> go.Figure:
    """Each decision's option probabilities per θ step (a heatmap), and each decision's entropy.

    `lang`: "en" or "zh"."""
    info = _get_policy_history_info(history, lang)
    skeleton = _policy_history_skeleton(lang)
    return render(skeleton, *_policy_history_patch(info, skeleton))
