"""The run's curves: shared loss and accuracy (ω steps); reward, baseline, advantage, entropy (θ steps).

Owns: `plot_training`, its data layer `_get_training_info` (the series, split where a phase ends
so no line crosses the other phase, and the θ phases to shade), its skeleton and patch (six panels
on a page; shared loss | reward and baseline on a dashboard panel), and the app's live "training"
view. Must not: train, or compute statistics that the trainer records
(reward, baseline and advantage come from ControllerRecord).
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..history import ControllerRecord
from . import _style as st
from .text import check_lang, words
from .text_records import TRAINING
from .view import Frame, View, register, render

_PHASE_FILL = st.tint(st.OKABE_ITO["reddish purple"], 0.16)
# (name, panel row, panel col, colour, dash, phase, record field); the order is the trace order
_SERIES = (
    ("loss", 1, 1, st.INK, None, "shared", "loss"),
    ("acc_shared", 1, 2, st.OKABE_ITO["blue"], None, "shared", "accuracy"),
    ("acc_theta", 1, 2, st.OKABE_ITO["orange"], None, "controller", "accuracy"),
    ("reward", 2, 1, st.OKABE_ITO["reddish purple"], None, "controller", "reward"),
    ("baseline", 2, 1, st.NEUTRAL, "dash", "controller", "baseline"),
    ("entropy", 3, 1, st.OKABE_ITO["bluish green"], None, "controller", "entropy"),
    ("log_prob", 3, 2, st.OKABE_ITO["sky blue"], None, "controller", "log_prob"),
)
_TITLES = ("t_loss", "t_acc", "t_reward", "t_adv", "t_entropy", "t_log_prob")
_COMPACT = {"loss": (1, 1), "reward": (1, 2), "baseline": (1, 2)}  # a dashboard panel shows these; the rest hide


@dataclass(frozen=True)
class _TrainingInfo:
    """The plotted series (None marks a break between phases) and the θ phases to shade."""

    space: str | None
    series: dict  # (phase, record field) -> (steps, values), None at the breaks between phases
    advantage: tuple[tuple[int, ...], tuple[float, ...]]  # θ steps and their mean advantage
    theta_phases: tuple[tuple[int, int], ...]  # (first step, last step) of each run of θ steps
    skipped: tuple[int, ...]  # steps skipped because a loss or reward was not finite (nothing changed)
    steps: int  # how many records
    lang: str = "en"
    hint: str = "hint_api"  # the empty figure's hint: an API call, or the app's button
    last_step: int = 0  # the step number of the last record (the x axis's end)


def _runs(records) -> list[list]:
    """Consecutive records of the same phase, in order."""
    runs: list[list] = []
    for r in records:
        if runs and runs[-1][-1].phase == r.phase:
            runs[-1].append(r)
        else:
            runs.append([r])
    return runs


def _get_training_info(history, lang: str = "en", hint: str = "hint_api") -> _TrainingInfo:
    """The curves of `history` (a History or a list of records)."""
    check_lang(lang)
    records = st.check_records(history)
    space = st.space_of(records)
    runs = _runs(records)
    series = {}
    for _, _, _, _, _, phase, field in _SERIES:
        xs, ys = [], []
        for run in (r for r in runs if r[0].phase == phase):
            if xs:
                xs.append(None), ys.append(None)
            xs += [r.step for r in run]
            ys += [float(getattr(r, field)) for r in run]
        series[(phase, field)] = (tuple(xs), tuple(ys))
    theta = [r for r in records if isinstance(r, ControllerRecord)]
    phases = tuple((run[0].step, run[-1].step) for run in runs if run[0].phase == "controller")
    skipped = tuple(r.step for r in records if r.phase == "skipped")
    return _TrainingInfo(
        space.name if space else None,
        series,
        (tuple(r.step for r in theta), tuple(r.advantage for r in theta)),
        phases,
        skipped,
        len(records),
        lang,
        hint,
        max((r.step for r in records), default=0),
    )


# ---- the renderer ---------------------------------------------------------------------------
def _training_skeleton(lang: str = "en", height: int | None = None) -> go.Figure:
    """Six panels; one trace per series, two for the advantage (positive, negative), one legend key.

    A dashboard panel: two (shared loss | reward and baseline); the other traces are there, hidden."""
    t = words(TRAINING, lang)
    compact = st.is_compact(height)
    if compact:
        fig = make_subplots(
            rows=1,
            cols=2,
            shared_xaxes="all",
            horizontal_spacing=0.1,
            subplot_titles=(t("t_loss_compact"), t("t_reward_compact")),
        )
        for a in fig.layout.annotations:
            a.font.size = 15
    else:
        fig = make_subplots(
            rows=3,
            cols=2,
            shared_xaxes="all",
            vertical_spacing=0.1,
            horizontal_spacing=0.08,
            subplot_titles=[t(k) for k in _TITLES],
        )
    for key, row, col, color, dash, phase, _ in _SERIES:
        marker = dict(size=5 if phase == "controller" else 0)  # an ω series marks only its lone points (patch)
        shown = not compact or key in _COMPACT
        name = t(f"{key}_short") if compact and key in ("reward", "baseline") else t(key)
        fig.add_trace(
            go.Scatter(
                name=name,
                mode="lines+markers",
                marker=marker,
                line=dict(color=color, width=2, dash=dash),
                hovertemplate=t("hover"),
                visible=shown,
                showlegend=shown and (not compact or key != "loss"),
            ),
            *(_COMPACT.get(key, (1, 1)) if compact else (row, col)),
        )
    for key, color in (("adv_pos", st.POSITIVE), ("adv_neg", st.NEGATIVE)):
        fig.add_trace(
            go.Bar(name=t(key), marker_color=color, hovertemplate=t("hover_adv"), visible=not compact),
            *((1, 2) if compact else (2, 2)),
        )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=t("phase"),
            marker=dict(symbol="square", size=16, color=_PHASE_FILL),
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=t("skipped"),
            line=dict(color=st.NEGATIVE, width=2, dash="dot"),
        ),
        row=1,
        col=1,
    )
    return st.sized(fig, height)


def _training_trace_data(info: _TrainingInfo) -> list[dict]:
    """x and y of every series (what the app patches after a step)."""
    patches = []
    for *_, phase, field in _SERIES:
        xs, ys = info.series[(phase, field)]
        patch = dict(x=list(xs), y=list(ys))
        if phase == "shared":
            patch["marker"] = dict(size=st.lone_points(ys))
        patches.append(patch)
    steps, adv = info.advantage
    patches.append(dict(x=[s for s, a in zip(steps, adv) if a >= 0], y=[a for a in adv if a >= 0]))
    patches.append(dict(x=[s for s, a in zip(steps, adv) if a < 0], y=[a for a in adv if a < 0]))
    patches += [{}, dict(visible=bool(info.skipped))]
    return patches


SHORT_PANEL_PX = 200  # a dashboard panel shorter than this drops its legend (see _training_layout)


def _training_layout(info: _TrainingInfo, fig: go.Figure) -> dict:
    t = words(TRAINING, info.lang)
    compact = st.is_compact(fig.layout.height)
    shapes = [
        dict(
            type="rect",
            xref=xref,
            yref="paper",
            x0=a - 0.5,
            x1=b + 0.5,
            y0=0,
            y1=1,
            layer="below",
            fillcolor=_PHASE_FILL,
            line_width=0,
        )
        for a, b in info.theta_phases
        for xref in ("x", "x2")
    ]
    shapes += [
        dict(
            type="line",
            xref=xref,
            yref="paper",
            x0=s,
            x1=s,
            y0=0,
            y1=1,
            line=dict(color=st.NEGATIVE, width=2, dash="dot"),
        )
        for s in info.skipped
        for xref in ("x", "x2")
    ]
    annotations = list(fig.layout.annotations)
    if info.steps == 0:
        annotations.append(st.note(t(info.hint)))
    title = t("title_space", space=info.space) if info.space else t("title")
    ticks = st.whole_ticks(info.last_step)  # steps are whole numbers
    if compact:
        # a panel shorter than SHORT_PANEL_PX (JupyterLab at 1280 x 720) gives its room to the plots: no title
        # (its tab names it), no legend (the panel titles name the series, the hover each point), 3 y ticks
        short = fig.layout.height < SHORT_PANEL_PX
        return st.base_layout(
            "" if short else title,
            uirevision=f"training:{info.space}",
            height=fig.layout.height,
            compact=True,
            shapes=shapes,
            annotations=annotations,
            showlegend=not short,
            # the legend sits on the figure's bottom edge, below the step labels (y=-0.1 of the plot covered them)
            legend=dict(orientation="h", x=1, xanchor="right", yref="container", y=0, yanchor="bottom"),
            margin=dict(l=8, r=8, t=30, b=8) if short else dict(l=8, r=8, t=56, b=52),
            xaxis=dict(automargin=True, **ticks),
            xaxis2=ticks,
            yaxis=dict(automargin=True, nticks=3 if short else 0),
            yaxis2=dict(nticks=3 if short else 0),
        )
    axes = {f"xaxis{k if k > 1 else ''}": dict(title_text=t("step") if k > 4 else None, **ticks) for k in range(1, 7)}
    return st.base_layout(
        title,
        t("subtitle"),
        uirevision=f"training:{info.space}",
        height=fig.layout.height or 720,
        shapes=shapes,
        annotations=annotations,
        barmode="relative",
        legend=dict(orientation="h", x=0, y=-0.1, yanchor="top", font=dict(size=14)),
        margin=dict(l=70, r=30, t=105, b=160),
        **axes,
        yaxis2=dict(tickformat=".0%", range=[0, 1.02]),
    )


def _training_patch(info: _TrainingInfo, skeleton: go.Figure) -> tuple[list[dict], dict]:
    return _training_trace_data(info), _training_layout(info, skeleton)


def plot_training(history, lang: str = "en", height: int | None = None) -> go.Figure:
    """Shared loss and accuracy, reward, baseline, advantage (signs coloured), entropy; θ phases shaded.

    `lang`: "en" or "zh"; `height`: in px (under 450: a dashboard panel of two curves)."""
    info = _get_training_info(history, lang)
    skeleton = _training_skeleton(lang, height)
    return render(skeleton, *_training_patch(info, skeleton))


def _frame_info(frame: Frame) -> _TrainingInfo:
    return _get_training_info(frame.history, frame.lang, "hint_app")


VIEW = register(
    View(
        "training",
        place=40,
        reads={"history", "lang"},
        info=_frame_info,
        skeleton=lambda space, lang="en", height=None: _training_skeleton(lang, height),
        patch=_training_patch,
    )
)
