"""The collapse report drawn: the verdict in the title, each check against its thresholds, the evidence.

Owns: `plot_collapse`, its skeleton and patch (entropy per decision | the checks | reward against
baseline on a page; the first two on a dashboard panel), which decisions `selected` emphasises,
and the app's live "collapse" view. Must not: judge anything (collapse.py's report does), or train.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import _style as st
from .blocks import selection
from .collapse import CollapseReport, collapse_report
from .text import STYLE, words
from .text_records import COLLAPSE
from .view import Frame, View, register, render

_VERDICT_COLORS = {
    "too early": st.NEUTRAL,
    "healthy": st.STATUS_COLORS["ok"],
    "warning": st.STATUS_COLORS["warning"],
    "collapsed": st.STATUS_COLORS["alarm"],
    "converged": st.OKABE_ITO["blue"],
}


@dataclass(frozen=True)
class _CollapseInfo:
    """The report, and what the figure adds: the node whose decisions are emphasised, the empty hint."""

    report: CollapseReport
    owner: str | None = None
    hint: str = "hint_api"


def _collapse_skeleton(lang: str = "en", height: int | None = None) -> go.Figure:
    """Entropy per decision | the checks against their thresholds | reward vs baseline (a panel: no reward)."""
    t = words(COLLAPSE, lang)
    compact = st.is_compact(height)
    if compact:
        fig = make_subplots(
            rows=1,
            cols=2,
            column_widths=[0.42, 0.58],
            horizontal_spacing=0.3,
            subplot_titles=(t("t_entropy_compact"), t("t_checks_compact")),
        )
        for a in fig.layout.annotations:
            a.font.size = 15
    else:
        fig = make_subplots(
            rows=2,
            cols=2,
            specs=[[{"rowspan": 2}, {}], [None, {}]],
            column_widths=[0.38, 0.62],
            horizontal_spacing=0.22,
            vertical_spacing=0.2,
            subplot_titles=(t("t_entropy"), t("t_checks"), t("t_reward")),
        )
    fig.add_trace(
        go.Bar(
            orientation="h",
            name=t("n_entropy"),
            showlegend=False,
            textposition="outside",
            hovertemplate=t("hover_entropy"),
            cliponaxis=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(go.Bar(orientation="h", name=t("n_checks"), showlegend=False, hoverinfo="text"), row=1, col=2)
    for key, color in (("n_warning", st.STATUS_COLORS["warning"]), ("n_alarm", st.STATUS_COLORS["alarm"])):
        fig.add_trace(
            go.Scatter(
                mode="markers",
                name=t(key),
                hoverinfo="skip",
                marker=dict(symbol="line-ns", size=22 if compact else 30, line=dict(width=3, color=color)),
            ),
            row=1,
            col=2,
        )
    fig.add_trace(
        go.Scatter(
            mode="text",
            name=t("n_status"),
            showlegend=False,
            hoverinfo="skip",
            textposition="middle right",
            cliponaxis=False,
        ),
        row=1,
        col=2,
    )
    reward = (1, 2) if compact else (2, 2)
    fig.add_trace(
        go.Scatter(
            mode="lines+markers",
            name=t("n_reward"),
            line=dict(color=st.OKABE_ITO["reddish purple"]),
            marker=dict(size=5),
            visible=not compact,
        ),
        *reward,
    )
    fig.add_trace(
        go.Scatter(
            mode="lines+markers", name=t("n_baseline"), line=dict(color=st.NEUTRAL, dash="dash"), visible=not compact
        ),
        *reward,
    )
    return st.sized(fig, height)


def _collapse_trace_data(report: CollapseReport, compact: bool = False) -> list[dict]:
    t, marks = words(COLLAPSE, report.lang), words(STYLE, report.lang)
    colors = [st.STATUS_COLORS[s] for s in report.entropy_status]
    if compact:
        label = t(report.identity_skip_label) if report.identity_skip_label else ""
        names = [t(f"short_{c.key}", label=label) if c.key else c.name for c in report.checks]
    else:
        names = [c.name for c in report.checks]
    side = lambda lower: t("below" if lower else "above")  # noqa: E731
    return [
        dict(
            x=list(report.entropy_fraction),
            y=list(report.decisions),
            marker_color=colors,
            text=[f"{f:.0%} {marks(s)[0]}" for f, s in zip(report.entropy_fraction, report.entropy_status)],
            customdata=[d.partition(".")[0] for d in report.decisions],
        ),
        dict(
            x=[c.value for c in report.checks],
            y=names,
            marker_color=[st.STATUS_COLORS[c.status] for c in report.checks],
            hovertext=[
                t(
                    "hover_check",
                    name=c.name,
                    text=c.text,
                    w_side=side(c.lower_is_worse),
                    w=f"{c.warning:.0%}",
                    a_side=side(c.lower_is_worse),
                    a=f"{c.alarm:.0%}",
                )
                for c in report.checks
            ],
        ),
        dict(x=[c.warning for c in report.checks], y=names),
        dict(x=[c.alarm for c in report.checks], y=names),
        dict(
            x=[1.04] * len(names),
            y=names,
            text=[f"{c.value:.0%} {marks(c.status)[0] if compact else marks(c.status)}" for c in report.checks],
        ),
        dict(x=list(report.steps), y=list(report.rewards)),
        dict(x=list(report.steps), y=list(report.baselines), marker=dict(size=st.lone_points(report.baselines))),
    ]


def _collapse_layout(info: _CollapseInfo, fig: go.Figure) -> dict:
    report = info.report
    t = words(COLLAPSE, report.lang)
    compact = st.is_compact(fig.layout.height)
    verdict = f"<span style='color:{_VERDICT_COLORS[report.verdict]}'><b>{report.verdict_text}</b></span>"
    title = t("title_compact" if compact else "title", verdict=verdict)
    if report.space and not compact:
        title += f" ({report.space})"
    subtitle = (
        t("over", n=report.samples) + " · ".join(report.reasons[:2])
        if report.verdict != "too early"
        else report.reasons[0]
    )
    annotations = list(fig.layout.annotations)
    if report.verdict == "too early":
        annotations.append(st.note(t(info.hint)))
    th = report.thresholds
    lines = ((th.entropy_warning, st.STATUS_COLORS["warning"]), (th.entropy_alarm, st.STATUS_COLORS["alarm"]))
    shapes = [
        dict(type="line", xref="x", yref="y domain", x0=v, x1=v, y0=0, y1=1, line=dict(color=c, width=3, dash="dash"))
        for v, c in lines
    ]
    picked = {d for d in report.decisions if info.owner is not None and d.partition(".")[0] == info.owner}
    yaxis = dict(
        autorange="reversed",
        type="category",
        tickmode="array",
        tickvals=list(report.decisions),
        ticktext=[f"<b>▶ {d}</b>" if d in picked else d for d in report.decisions],
        automargin=True,
    )
    common = dict(
        uirevision=f"collapse:{report.space}",
        shapes=shapes,
        annotations=annotations,
        bargap=0.3,
        xaxis2=dict(range=[0, 1.5], tickformat=".0%", tickvals=[0, 0.5, 1] if compact else [0, 0.25, 0.5, 0.75, 1]),
        yaxis=yaxis,
        yaxis2=dict(autorange="reversed", type="category", automargin=True),
    )
    if compact:
        return st.base_layout(
            title,
            height=fig.layout.height,
            compact=True,
            showlegend=False,
            xaxis=dict(range=[0, 1.35], tickformat=".0%", tickvals=[0, 0.5, 1]),
            margin=dict(l=8, r=8, t=56, b=8),
            **common,
        )
    return st.base_layout(
        title,
        subtitle,
        height=fig.layout.height or max(st.HEIGHT, 200 + 26 * len(report.decisions)),
        xaxis=dict(range=[0, 1.3], tickformat=".0%", title_text=t("x_entropy")),
        xaxis3=dict(title_text=t("step"), **st.whole_ticks(max(report.steps, default=0))),
        yaxis3=dict(title_text=t("reward")),
        legend=dict(orientation="h", x=1, xanchor="right", y=-0.1, yanchor="top"),
        margin=dict(l=150, r=30, t=120, b=100),
        **common,
    )


def _collapse_patch(info: _CollapseInfo, skeleton: go.Figure) -> tuple[list[dict], dict]:
    compact = st.is_compact(skeleton.layout.height)
    return _collapse_trace_data(info.report, compact), _collapse_layout(info, skeleton)


def plot_collapse(report: CollapseReport, selected: str | None = None, height: int | None = None) -> go.Figure:
    """The collapse report: the verdict in the title, each check against its thresholds, the evidence.

    Its words are in the report's language (collapse_report(..., lang="zh")). `selected`: a node (or
    weight block: its node) whose decisions are emphasised; `height`: in px (under 450: a dashboard panel).
    """
    if not isinstance(report, CollapseReport):
        raise TypeError(f"expected a CollapseReport (wb.viz.collapse_report(history)), got {type(report).__name__}")
    owner = selection(st.check_space(report.space), selected).owner if selected and report.space else None
    skeleton = _collapse_skeleton(report.lang, height)
    return render(skeleton, *_collapse_patch(_CollapseInfo(report, owner), skeleton))


def _frame_info(frame: Frame) -> _CollapseInfo:
    owner = selection(frame.space, frame.selected).owner
    return _CollapseInfo(collapse_report(frame.history, lang=frame.lang), owner, "hint_app")


VIEW = register(
    View(
        "collapse",
        place=50,
        reads={"history", "lang", "selected"},
        info=_frame_info,
        skeleton=lambda space, lang="en", height=None: _collapse_skeleton(lang, height),
        patch=_collapse_patch,
    )
)
