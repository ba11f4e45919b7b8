"""Controller collapse: the evidence, a verdict with thresholds the user sets, and its figure.

Owns: `collapse_report` (the data layer: per-decision entropy as a share of its maximum, distinct
architectures and the top architecture's share among the last K sampled children, the identity or
skip rate, reward against baseline, each check's status and the verdict), `CollapseThresholds`,
`CollapseReport`, `plot_collapse` with its skeleton and patch, and the app's live "collapse" view.
Must not: train, or read anything but the records.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..arch import Arch
from ..history import ControllerRecord
from . import _style as st
from .entropy import entropy_fractions
from .skips import shortcut_share
from .view import Frame, View, register, render

VERDICTS = ("too early", "healthy", "warning", "collapsed")
_LEVEL = {"ok": 0, "warning": 1, "alarm": 2}


@dataclass(frozen=True)
class CollapseThresholds:
    """Where each check turns to warning and to alarm; every value a share in [0, 1]."""

    entropy_warning: float = 0.5  # mean entropy / its maximum below this: warning
    entropy_alarm: float = 0.2  # ... below this: alarm (the policy has all but decided)
    distinct_warning: float = 0.5  # distinct children / samples (at most the space's size) below this
    distinct_alarm: float = 0.2
    top_share_warning: float = 0.3  # the most frequent child's share of the samples above this
    top_share_alarm: float = 0.6
    identity_skip_warning: float = 0.7  # share of identity ops (teaching) or skips (macro) above this
    identity_skip_alarm: float = 0.9
    min_samples: int = 20  # fewer sampled children than this: "too early"

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "min_samples":
                if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                    raise ValueError(f"min_samples={v!r} must be a positive int")
            elif isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
                raise ValueError(f"{f.name}={v!r} must be a share between 0 and 1")
        for name, lower_is_worse in (
            ("entropy", True),
            ("distinct", True),
            ("top_share", False),
            ("identity_skip", False),
        ):
            warn, alarm = getattr(self, f"{name}_warning"), getattr(self, f"{name}_alarm")
            if (alarm > warn) if lower_is_worse else (alarm < warn):
                raise ValueError(
                    f"{name}_alarm={alarm!r} must lie beyond {name}_warning={warn!r} "
                    f"({'below' if lower_is_worse else 'above'} it)"
                )


@dataclass(frozen=True)
class CollapseCheck:
    """One piece of evidence: its value (a share), its thresholds and its status."""

    name: str
    value: float
    warning: float
    alarm: float
    lower_is_worse: bool
    status: str  # "ok", "warning" or "alarm"
    text: str  # one sentence for a student


@dataclass(frozen=True)
class CollapseReport:
    """The evidence of controller collapse over the last K sampled children, and the verdict."""

    space: str | None
    verdict: str  # one of VERDICTS
    reasons: tuple[str, ...]
    thresholds: CollapseThresholds
    last_k: int
    samples: int  # sampled children in the window (at most last_k)
    decisions: tuple[str, ...]  # decisions with more than one option
    entropy_fraction: tuple[float, ...]  # per decision, from the last θ step's policy
    entropy_status: tuple[str, ...]
    mean_entropy_fraction: float
    distinct: int
    distinct_share: float  # distinct / min(samples, space size)
    top_arch: Arch | None
    top_share: float
    identity_skip_label: str  # "identity ops" (teaching) or "skip connections" (macro)
    identity_skip_rate: float
    steps: tuple[int, ...]  # the θ steps in the window
    rewards: tuple[float, ...]
    baselines: tuple[float, ...]
    mean_advantage: float
    checks: tuple[CollapseCheck, ...]


def _status(value: float, warning: float, alarm: float, lower_is_worse: bool) -> str:
    worse = (lambda a, b: a < b) if lower_is_worse else (lambda a, b: a > b)
    return "alarm" if worse(value, alarm) else "warning" if worse(value, warning) else "ok"


def collapse_report(
    history, last_k: int = 50, thresholds: CollapseThresholds | None = None, **overrides
) -> CollapseReport:
    """Is the controller collapsing? Evidence over the last `last_k` children it sampled, and a verdict.

    `thresholds` (a CollapseThresholds) and keyword `overrides` of its fields set where each check
    warns and alarms, e.g. collapse_report(history, entropy_alarm=0.1).
    """
    if isinstance(last_k, bool) or not isinstance(last_k, int) or last_k < 1:
        raise ValueError(f"last_k={last_k!r} must be a positive int")
    if thresholds is not None and not isinstance(thresholds, CollapseThresholds):
        raise TypeError(f"thresholds must be a CollapseThresholds, got {type(thresholds).__name__}: {thresholds!r}")
    try:
        th = dataclasses.replace(thresholds or CollapseThresholds(), **overrides)
    except TypeError:
        names = [f.name for f in dataclasses.fields(CollapseThresholds)]
        unknown = sorted(set(overrides) - set(names))
        raise ValueError(f"unknown threshold(s) {unknown}; valid: {', '.join(names)}") from None
    records = [r for r in st.check_records(history) if isinstance(r, ControllerRecord)]
    space = st.space_of(records)
    window, archs = [], []
    for r in reversed(records):  # the θ steps that sampled the last K children
        if len(archs) >= last_k:
            break
        window.insert(0, r)
        archs = list(r.archs) + archs
    archs = archs[-last_k:]
    if space is None or len(archs) < th.min_samples:
        return CollapseReport(
            space.name if space else None,
            "too early",
            (f"{len(archs)} sampled children so far; the checks need {th.min_samples}",),
            th,
            last_k,
            len(archs),
            (),
            (),
            (),
            0.0,
            0,
            0.0,
            None,
            0.0,
            "",
            0.0,
            (),
            (),
            (),
            0.0,
            (),
        )
    fractions = entropy_fractions(space, records[-1].policy)
    decisions = tuple(d.name for d in space.decisions if len(d.options) > 1)
    mean_fraction = sum(fractions) / len(fractions) if fractions else 1.0
    counts = Counter(archs)
    top_arch, top_n = counts.most_common(1)[0]
    distinct_share = len(counts) / min(len(archs), space.size())
    label, rate = shortcut_share(space, archs)
    n = len(archs)
    checks = []
    for name, value, key, lower, text in (
        (
            "entropy (mean share of max)",
            mean_fraction,
            "entropy",
            True,
            f"the policy keeps {mean_fraction:.0%} of its maximum uncertainty",
        ),
        (
            "distinct children",
            distinct_share,
            "distinct",
            True,
            f"{len(counts)} different children among the last {n} samples",
        ),
        (
            "most frequent child's share",
            top_n / n,
            "top_share",
            False,
            f"the most frequent child is {top_n} of the last {n} samples",
        ),
        (f"share of {label}", rate, "identity_skip", False, f"{rate:.0%} of the choices are {label}"),
    ):
        warn, alarm = getattr(th, f"{key}_warning"), getattr(th, f"{key}_alarm")
        checks.append(CollapseCheck(name, value, warn, alarm, lower, _status(value, warn, alarm, lower), text))
    entropy_status = tuple(_status(f, th.entropy_warning, th.entropy_alarm, True) for f in fractions)
    statuses = [c.status for c in checks]
    verdict = "collapsed" if "alarm" in statuses else "warning" if "warning" in statuses else "healthy"
    worst_first = sorted((c for c in checks if c.status != "ok"), key=lambda c: -_LEVEL[c.status])
    reasons = tuple(f"{st.STATUS_MARKS[c.status][0]} {c.text}" for c in worst_first) or (
        "every check is within its thresholds",
    )
    return CollapseReport(
        space.name,
        verdict,
        reasons,
        th,
        last_k,
        n,
        decisions,
        fractions,
        entropy_status,
        mean_fraction,
        len(counts),
        distinct_share,
        top_arch,
        top_n / n,
        label,
        rate,
        tuple(r.step for r in window),
        tuple(r.reward for r in window),
        tuple(r.baseline for r in window),
        sum(r.advantage for r in window) / len(window),
        tuple(checks),
    )


# ---- the renderer ---------------------------------------------------------------------------
_VERDICT_TEXT = {
    "too early": ("·", "TOO EARLY TO TELL", st.NEUTRAL),
    "healthy": ("✔", "HEALTHY", st.STATUS_COLORS["ok"]),
    "warning": ("⚠", "AT RISK", st.STATUS_COLORS["warning"]),
    "collapsed": ("✖", "COLLAPSED", st.STATUS_COLORS["alarm"]),
}


def _collapse_skeleton() -> go.Figure:
    """Entropy per decision | the checks against their thresholds | reward vs baseline."""
    fig = make_subplots(
        rows=2,
        cols=2,
        specs=[[{"rowspan": 2}, {}], [None, {}]],
        column_widths=[0.38, 0.62],
        horizontal_spacing=0.22,
        vertical_spacing=0.2,
        subplot_titles=(
            "entropy of each decision (share of max)",
            "the checks",
            "reward against baseline (recent θ steps)",
        ),
    )
    fig.add_trace(
        go.Bar(
            orientation="h",
            name="entropy",
            showlegend=False,
            textposition="outside",
            hovertemplate="%{y}: %{x:.0%} of its maximum<extra></extra>",
            cliponaxis=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(go.Bar(orientation="h", name="checks", showlegend=False, hoverinfo="text"), row=1, col=2)
    for name, symbol, color in (
        ("warning threshold", "line-ns", st.STATUS_COLORS["warning"]),
        ("alarm threshold", "line-ns", st.STATUS_COLORS["alarm"]),
    ):
        fig.add_trace(
            go.Scatter(
                mode="markers",
                name=name,
                hoverinfo="skip",
                marker=dict(symbol=symbol, size=30, line=dict(width=3, color=color)),
            ),
            row=1,
            col=2,
        )
    fig.add_trace(
        go.Scatter(
            mode="text",
            name="status",
            showlegend=False,
            hoverinfo="skip",
            textposition="middle right",
            cliponaxis=False,
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            mode="lines+markers", name="reward", line=dict(color=st.OKABE_ITO["reddish purple"]), marker=dict(size=5)
        ),
        row=2,
        col=2,
    )
    fig.add_trace(go.Scatter(mode="lines", name="baseline", line=dict(color=st.NEUTRAL, dash="dash")), row=2, col=2)
    return fig


def _collapse_trace_data(report: CollapseReport) -> list[dict]:
    colors = [st.STATUS_COLORS[s] for s in report.entropy_status]
    names = [c.name for c in report.checks]
    return [
        dict(
            x=list(report.entropy_fraction),
            y=list(report.decisions),
            marker_color=colors,
            text=[f"{f:.0%} {st.STATUS_MARKS[s][0]}" for f, s in zip(report.entropy_fraction, report.entropy_status)],
        ),
        dict(
            x=[c.value for c in report.checks],
            y=names,
            marker_color=[st.STATUS_COLORS[c.status] for c in report.checks],
            hovertext=[
                f"<b>{c.name}</b>: {c.text}<br>warning {'below' if c.lower_is_worse else 'above'} "
                f"{c.warning:.0%}, alarm {'below' if c.lower_is_worse else 'above'} {c.alarm:.0%}"
                for c in report.checks
            ],
        ),
        dict(x=[c.warning for c in report.checks], y=names),
        dict(x=[c.alarm for c in report.checks], y=names),
        dict(
            x=[1.04] * len(names), y=names, text=[f"{c.value:.0%} {st.STATUS_MARKS[c.status]}" for c in report.checks]
        ),
        dict(x=list(report.steps), y=list(report.rewards)),
        dict(x=list(report.steps), y=list(report.baselines)),
    ]


def _collapse_layout(report: CollapseReport, fig: go.Figure) -> dict:
    mark, word, color = _VERDICT_TEXT[report.verdict]
    title = f"Controller collapse check: <span style='color:{color}'><b>{mark} {word}</b></span>"
    if report.space:
        title += f" ({report.space})"
    subtitle = (
        f"over the last {report.samples} sampled children: " + " · ".join(report.reasons[:2])
        if report.verdict != "too early"
        else report.reasons[0]
    )
    annotations = list(fig.layout.annotations)
    if report.verdict == "too early":
        annotations.append(st.note("Not enough θ steps yet: run trainer.controller_step()"))
    th = report.thresholds
    lines = ((th.entropy_warning, st.STATUS_COLORS["warning"]), (th.entropy_alarm, st.STATUS_COLORS["alarm"]))
    shapes = [
        dict(type="line", xref="x", yref="y domain", x0=v, x1=v, y0=0, y1=1, line=dict(color=c, width=3, dash="dash"))
        for v, c in lines
    ]
    return st.base_layout(
        title,
        subtitle,
        uirevision=f"collapse:{report.space}",
        height=max(st.HEIGHT, 200 + 26 * len(report.decisions)),
        shapes=shapes,
        annotations=annotations,
        bargap=0.3,
        xaxis=dict(range=[0, 1.3], tickformat=".0%", title_text="entropy / maximum (0% = always the same choice)"),
        xaxis2=dict(range=[0, 1.5], tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1]),
        yaxis=dict(autorange="reversed", type="category"),
        yaxis2=dict(autorange="reversed", type="category"),
        xaxis3=dict(title_text="step"),
        yaxis3=dict(title_text="reward"),
        legend=dict(orientation="h", x=1, xanchor="right", y=-0.1, yanchor="top"),
        margin=dict(l=150, r=30, t=120, b=100),
    )


def _collapse_patch(report: CollapseReport, skeleton: go.Figure) -> tuple[list[dict], dict]:
    return _collapse_trace_data(report), _collapse_layout(report, skeleton)


def plot_collapse(report: CollapseReport) -> go.Figure:
    """The collapse report: the verdict in the title, each check against its thresholds, the evidence."""
    if not isinstance(report, CollapseReport):
        raise TypeError(f"expected a CollapseReport (wb.viz.collapse_report(history)), got {type(report).__name__}")
    skeleton = _collapse_skeleton()
    return render(skeleton, *_collapse_patch(report, skeleton))


def _frame_info(frame: Frame) -> CollapseReport:
    return collapse_report(frame.history)


VIEW = register(
    View(
        "collapse",
        place=50,
        reads={"history"},
        info=_frame_info,
        skeleton=lambda space: _collapse_skeleton(),
        patch=_collapse_patch,
    )
)
