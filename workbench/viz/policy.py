"""The controller's policy now: each decision's option probabilities, and what a θ step changed.

Owns: `plot_policy`, its data layer `_get_policy_info` (a space and the probabilities along one
child, as `controller.distributions(arch)` gives them, and their change from a `previous` set of
distributions; no Controller needed), its skeleton and patch, the app's live "policy" view, and
`_option_labels`, the fixed option order of its traces. Must not: sample, train or step the
controller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..arch import Arch
from ..spaces import Space
from . import _style as st
from .view import Frame, View, register, render


@dataclass(frozen=True)
class _PolicyInfo:
    """Each decision's probabilities along one child, and their change since `previous`."""

    space: str
    arch: Arch
    labels: tuple[str, ...]  # every option label of the space, in trace order
    decisions: tuple[str, ...]
    options: tuple[tuple[str, ...], ...]
    probs: tuple[tuple[float, ...], ...]
    previous: tuple[tuple[float, ...], ...] | None
    greedy: bool  # arch is the controller's most likely child

    @property
    def deltas(self) -> tuple[tuple[float, ...], ...] | None:
        """probs - previous, per decision and option (None without previous)."""
        if self.previous is None:
            return None
        return tuple(tuple(a - b for a, b in zip(p, q)) for p, q in zip(self.probs, self.previous))


def _option_labels(space) -> tuple[str, ...]:
    """The space's option labels in a fixed order: its ops, then inputs, then skip no/yes."""
    labels = list(space.ops)
    for kind in ("input", "skip"):
        for d in space.decisions:
            if d.kind == kind:
                labels += [o for o in d.options if o not in labels]
    return tuple(labels)


def _label_colors(space) -> dict[str, str]:
    """Op options take their op colour; inputs greys; skip "yes" dark, "no" light."""
    inputs = [o for o in _option_labels(space) if o not in space.ops and o not in ("no", "yes")]
    colors = {o: st.op_color(o) for o in space.ops}
    colors.update(st.input_colors(inputs))
    colors.update({"yes": st.INK, "no": st.tint(st.NEUTRAL, 0.45)})
    return colors


def _get_policy_info(space, arch: Arch, distributions, previous=None, greedy: bool = False) -> _PolicyInfo:
    """`distributions` (each decision's probabilities along `arch`) and their change since `previous`.

    `greedy`: `arch` is the policy's most likely child (the subtitle says so).
    """
    space = st.check_space(space)
    space.check(arch)
    probs = st.check_distributions(distributions, space, "distributions")
    prev = st.check_distributions(previous, space, "previous") if previous is not None else None
    return _PolicyInfo(
        space.name,
        arch,
        _option_labels(space),
        tuple(d.name for d in space.decisions),
        tuple(d.options for d in space.decisions),
        probs,
        prev,
        greedy,
    )


# ---- the renderer ---------------------------------------------------------------------------
def _policy_skeleton(space: Space) -> go.Figure:
    """Two panels of horizontal bars, one trace per option label in each: stable for the space."""
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        column_widths=[0.68, 0.32],
        horizontal_spacing=0.05,
        subplot_titles=("probability of each option", "change in the last θ step"),
    )
    colors = _label_colors(space)
    for label in _option_labels(space):
        fig.add_trace(
            go.Bar(
                orientation="h",
                name=label,
                legendgroup=label,
                marker_color=colors[label],
                marker_line=dict(color="white", width=1),
                textposition="inside",
                textfont_size=15,
                insidetextanchor="middle",
                hoverinfo="text",
                cliponaxis=False,
            ),
            row=1,
            col=1,
        )
    for label in _option_labels(space):
        fig.add_trace(
            go.Bar(
                orientation="h",
                name=label,
                legendgroup=label,
                marker_color=colors[label],
                showlegend=False,
                hoverinfo="text",
            ),
            row=1,
            col=2,
        )
    return fig


_BAR_PX, _CHAR_PX = 720, 9  # the probability panel's width at 1280 px, one character at font 15


def _bar_text(label: str, p: float) -> str:
    """The text inside a bar: "relu 41%", else "41%", else nothing, whatever fits."""
    for text in (f"{label} {100 * p:.0f}%", f"{100 * p:.0f}%"):
        if p * _BAR_PX >= _CHAR_PX * len(text) + 10:
            return text
    return ""


def _policy_trace_data(info: _PolicyInfo) -> list[dict]:
    """x, y, text and hover of every bar (what the app patches after a step)."""
    deltas = info.deltas
    left, right = [], []
    for label in info.labels:
        rows = [(k, opts.index(label)) for k, opts in enumerate(info.options) if label in opts]
        ys = [info.decisions[k] for k, _ in rows]
        xs = [info.probs[k][j] for k, j in rows]
        hover = []
        for (k, j), p in zip(rows, xs):
            h = f"<b>{info.decisions[k]} = {label}</b>: {st.percent(p)}"
            if deltas is not None:
                h += (
                    f"<br>before the θ step: {st.percent(info.previous[k][j])} "
                    f"(change {100 * deltas[k][j]:+.2f} points)"
                )
            hover.append(h)
        left.append(dict(x=xs, y=ys, text=[_bar_text(label, p) for p in xs], hovertext=hover))
        if deltas is None:
            right.append(dict(x=[], y=[], hovertext=[]))
        else:
            right.append(dict(x=[100 * deltas[k][j] for k, j in rows], y=ys, hovertext=hover))
    return left + right


def _policy_layout(info: _PolicyInfo, fig: go.Figure) -> dict:
    which = "its most likely child" if info.greedy else "the child"
    child = f"{which}: {info.arch}" if len(str(info.arch)) < 90 else f"{which} (too long to print here)"
    subtitle = f"along {child} — each decision's probabilities given the choices before it"
    annotations = list(fig.layout.annotations)
    if info.previous is None:
        annotations.append(
            st.note(
                "no θ step to compare yet:<br>after one, this panel shows<br>how it moved each option", x=0.86, y=0.5
            )
        )
    height = max(st.HEIGHT, 190 + 30 * len(info.decisions))
    return st.base_layout(
        f"Controller policy: how likely is each option? ({info.space})",
        subtitle,
        uirevision=f"policy:{info.space}",
        height=height,
        barmode="relative",
        bargap=0.25,
        annotations=annotations,
        legend=dict(orientation="h", x=0.5, xanchor="center", y=-60 / height, yanchor="top", traceorder="normal"),
        # the range ends a little past 100%: a bar that ends past the range (1.0000001) loses its text
        xaxis=dict(range=[0, 1.002], tickformat=".0%", title_text="probability", fixedrange=True),
        xaxis2=dict(
            title_text="percentage points",
            zeroline=True,
            zerolinecolor=st.INK,
            zerolinewidth=2,
            fixedrange=True,
            range=None if info.previous is not None else [-1, 1],
            autorange=info.previous is not None,
        ),
        yaxis=dict(
            autorange="reversed",
            categoryorder="array",
            categoryarray=list(info.decisions),
            type="category",
            fixedrange=True,
        ),
        margin=dict(l=130, r=30, t=110, b=110),
    )


def _policy_patch(info: _PolicyInfo, skeleton: go.Figure) -> tuple[list[dict], dict]:
    return _policy_trace_data(info), _policy_layout(info, skeleton)


def plot_policy(controller, arch: Arch | None = None, previous: Sequence | None = None) -> go.Figure:
    """Each decision's option probabilities along `arch` (default: the most likely child).

    `previous`: the distributions (`controller.distributions(arch)`) taken before a θ step; the right
    panel then shows, per option, how many percentage points that step moved.
    """
    space = st.check_controller(controller).space
    greedy = arch is None
    arch = controller.most_likely() if greedy else space.check(arch)
    info = _get_policy_info(space, arch, controller.distributions(arch), previous, greedy)
    skeleton = _policy_skeleton(space)
    return render(skeleton, *_policy_patch(info, skeleton))


def _frame_info(frame: Frame) -> _PolicyInfo:
    return _get_policy_info(frame.space, frame.policy_arch, frame.policy, frame.previous)


VIEW = register(
    View(
        "policy",
        place=30,
        reads={"policy", "policy_arch", "previous"},
        info=_frame_info,
        skeleton=_policy_skeleton,
        patch=_policy_patch,
    )
)
