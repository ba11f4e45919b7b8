"""The controller's policy now: each decision's option probabilities, and what a θ step changed.

Owns: `plot_policy`, its data layer `_get_policy_info` (a space and the probabilities along one
child, as `controller.distributions(arch)` gives them, and their change from a `previous` set of
distributions; no Controller needed; which decisions `selected` emphasises: those of the selected
node, or of the node a selected block belongs to), its skeleton and patch, the app's live "policy"
view, and `_option_labels`, the fixed option order of its traces. Must not: sample, train or step
the controller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..arch import Arch
from ..spaces import Space
from . import _graph
from . import _style as st
from .blocks import selection
from .text import POLICY, STYLE, check_lang, words
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
    lang: str = "en"
    nodes: tuple[str, ...] = ()  # the node each decision belongs to (a bar's customdata)
    selected: tuple[int, ...] = ()  # the decisions `selected` emphasises
    hint: str = "hint_api"  # the empty change panel's hint: an API call, or the app's button

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


def _get_policy_info(
    space,
    arch: Arch,
    distributions,
    previous=None,
    greedy: bool = False,
    lang: str = "en",
    selected: str | None = None,
    hint: str = "hint_api",
) -> _PolicyInfo:
    """`distributions` (each decision's probabilities along `arch`) and their change since `previous`.

    `greedy`: `arch` is the policy's most likely child (the subtitle says so). `selected`: a node (or
    a weight block: its node) whose decisions are emphasised.
    """
    space = st.check_space(space)
    space.check(arch)
    check_lang(lang)
    probs = st.check_distributions(distributions, space, "distributions")
    prev = st.check_distributions(previous, space, "previous") if previous is not None else None
    comp = _graph.computation_nodes(space.supernet_graph())
    nodes = tuple(comp[d.node - 1] for d in space.decisions)
    owner = selection(space, selected).owner
    return _PolicyInfo(
        space.name,
        arch,
        _option_labels(space),
        tuple(d.name for d in space.decisions),
        tuple(d.options for d in space.decisions),
        probs,
        prev,
        greedy,
        lang,
        nodes,
        tuple(k for k, n in enumerate(nodes) if owner is not None and n == owner),
        hint,
    )


# ---- the renderer ---------------------------------------------------------------------------
def _shown_label(label: str, lang: str) -> str:
    """An option as the figure names it: skip options in the figure's language, others as they are."""
    return words(STYLE, lang)(label) if label in ("no", "yes") else label


def _policy_skeleton(space: Space, lang: str = "en", height: int | None = None) -> go.Figure:
    """Two panels of horizontal bars, one trace per option label in each: stable for the space."""
    t = words(POLICY, lang)
    compact = st.is_compact(height)
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        column_widths=[0.68, 0.32],
        horizontal_spacing=0.08 if compact else 0.05,
        subplot_titles=(
            t("prob_panel_compact" if compact else "prob_panel"),
            t("change_panel_compact" if compact else "change_panel"),
        ),
    )
    colors = _label_colors(space)
    for label in _option_labels(space):
        fig.add_trace(
            go.Bar(
                orientation="h",
                name=_shown_label(label, lang),
                legendgroup=label,
                marker_color=colors[label],
                marker_line=dict(color="white", width=1),
                textposition="inside",
                textfont_size=st.MIN_FONT if compact else 15,
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
                name=_shown_label(label, lang),
                legendgroup=label,
                marker_color=colors[label],
                showlegend=False,
                hoverinfo="text",
            ),
            row=1,
            col=2,
        )
    if compact:
        for a in fig.layout.annotations:
            a.font.size = 15
    return st.sized(fig, height)


_BAR_PX, _CHAR_PX = 720, 9  # the probability panel's width at 1280 px, one character at font 15
_BAR_PX_COMPACT = 390  # ... on a 630 px dashboard panel
_COMPACT_GAP = 0.12  # the gap between bars on a dashboard panel, so that 14 px text fits in a bar


def _bar_text(label: str, p: float, bar_px: int = _BAR_PX) -> str:
    """The text inside a bar: "relu 41%", else "41%", else nothing, whatever fits."""
    for text in (f"{label} {100 * p:.0f}%", f"{100 * p:.0f}%"):
        if p * bar_px >= _CHAR_PX * len(text) + 10:
            return text
    return ""


def _policy_trace_data(info: _PolicyInfo, height: int | None = None) -> list[dict]:
    """x, y, text, hover and customdata of every bar (what the app patches after a step).

    On a dashboard panel a bar too thin for 14 px text gets none (plotly would shrink it)."""
    t = words(POLICY, info.lang)
    compact = st.is_compact(height)
    thin = compact and (height - 82) / max(len(info.decisions), 1) * (1 - _COMPACT_GAP) < st.MIN_FONT + 6
    deltas = info.deltas
    left, right = [], []
    for label in info.labels:
        shown = _shown_label(label, info.lang)
        rows = [(k, opts.index(label)) for k, opts in enumerate(info.options) if label in opts]
        ys = [info.decisions[k] for k, _ in rows]
        xs = [info.probs[k][j] for k, j in rows]
        nodes = [info.nodes[k] for k, _ in rows] if info.nodes else None
        hover = []
        for (k, j), p in zip(rows, xs):
            h = t("hover", decision=info.decisions[k], option=shown, p=st.percent(p))
            if deltas is not None:
                h += t("before", p=st.percent(info.previous[k][j]), d=f"{100 * deltas[k][j]:+.2f}")
            hover.append(h)
        bar_px = _BAR_PX_COMPACT if compact else _BAR_PX
        text = ["" if thin else _bar_text(shown, p, bar_px) for p in xs]
        left.append(dict(x=xs, y=ys, text=text, hovertext=hover, customdata=nodes))
        if deltas is None:
            right.append(dict(x=[], y=[], hovertext=[], customdata=[]))
        else:
            right.append(dict(x=[100 * deltas[k][j] for k, j in rows], y=ys, hovertext=hover, customdata=nodes))
    return left + right


def _policy_layout(info: _PolicyInfo, fig: go.Figure) -> dict:
    t = words(POLICY, info.lang)
    compact = st.is_compact(fig.layout.height)
    which = t("greedy" if info.greedy else "child")
    child = t("along", which=which, arch=info.arch) if len(str(info.arch)) < 90 else t("too_long", which=which)
    annotations = list(fig.layout.annotations)
    if info.previous is None:
        annotations.append(st.note(t(info.hint), x=0.86, y=0.5))
    height = fig.layout.height or max(st.HEIGHT, 190 + 30 * len(info.decisions))
    picked = [info.decisions[k] for k in info.selected]
    labelled = list(info.decisions)
    pitch = (height - 82) / max(len(labelled), 1)  # px per decision
    if compact and pitch < st.MIN_FONT + 3:  # too many rows to name them all: the op decisions, 17 px apart
        labelled, last = [], None
        for k, (d, opts) in enumerate(zip(info.decisions, info.options)):
            if tuple(opts) != ("no", "yes") and (last is None or (k - last) * pitch >= st.MIN_FONT + 3):
                labelled.append(d)
                last = k
    shapes = [
        dict(
            type="rect",
            xref=xref,
            yref="y",
            x0=0,
            x1=1,
            y0=k - 0.48,
            y1=k + 0.48,
            line=dict(color=st.SELECT, width=3),
            layer="above",
        )
        for k in info.selected
        for xref in ("x domain", "x2 domain")
    ]
    yaxis = dict(
        autorange="reversed",
        categoryorder="array",
        categoryarray=list(info.decisions),
        type="category",
        fixedrange=True,
        tickmode="array",
        tickvals=labelled,
        ticktext=[f"<b>▶ {d}</b>" if d in picked else d for d in labelled],
    )
    xaxis2 = dict(
        title_text=None if compact else t("points"),
        zeroline=True,
        zerolinecolor=st.INK,
        zerolinewidth=2,
        fixedrange=True,
        range=None if info.previous is not None else [-1, 1],
        autorange=info.previous is not None,
    )
    # the range ends a little past 100%: a bar that ends past the range (1.0000001) loses its text
    xaxis = dict(range=[0, 1.002], tickformat=".0%", title_text=None if compact else t("probability"), fixedrange=True)
    if compact:
        xaxis["tickvals"] = [0, 0.5, 1]
    common = dict(
        uirevision=f"policy:{info.space}",
        height=height,
        barmode="relative",
        bargap=_COMPACT_GAP if compact else 0.25,
        annotations=annotations,
        shapes=shapes,
        xaxis=xaxis,
        xaxis2=xaxis2,
        yaxis=yaxis,
    )
    if compact:
        return st.base_layout(
            t("title_compact"), compact=True, showlegend=False, margin=dict(l=8, r=12, t=52, b=8), **common
        )
    return st.base_layout(
        t("title", space=info.space),
        t("subtitle", child=child),
        legend=dict(orientation="h", x=0.5, xanchor="center", y=-60 / height, yanchor="top", traceorder="normal"),
        margin=dict(l=130, r=30, t=110, b=110),
        **common,
    )


def _policy_patch(info: _PolicyInfo, skeleton: go.Figure) -> tuple[list[dict], dict]:
    return _policy_trace_data(info, skeleton.layout.height), _policy_layout(info, skeleton)


def plot_policy(
    controller,
    arch: Arch | None = None,
    previous: Sequence | None = None,
    lang: str = "en",
    selected: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Each decision's option probabilities along `arch` (default: the most likely child).

    `previous`: the distributions (`controller.distributions(arch)`) taken before a θ step; the right
    panel then shows, per option, how many percentage points that step moved. `lang`: "en" or "zh";
    `selected`: a node (or weight block) whose decisions are emphasised; `height`: in px (under 450:
    a dashboard panel about 630 px wide).
    """
    space = st.check_controller(controller).space
    greedy = arch is None
    arch = controller.most_likely() if greedy else space.check(arch)
    info = _get_policy_info(space, arch, controller.distributions(arch), previous, greedy, lang, selected)
    skeleton = _policy_skeleton(space, lang, height)
    return render(skeleton, *_policy_patch(info, skeleton))


def _frame_info(frame: Frame) -> _PolicyInfo:
    return _get_policy_info(
        frame.space, frame.policy_arch, frame.policy, frame.previous, False, frame.lang, frame.selected, "hint_app"
    )


VIEW = register(
    View(
        "policy",
        place=30,
        reads={"policy", "policy_arch", "previous", "lang", "selected"},
        info=_frame_info,
        skeleton=_policy_skeleton,
        patch=_policy_patch,
    )
)
