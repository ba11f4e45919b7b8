"""How the arch view draws its data: the trace skeleton of a space and the patch of one child.

Owns: the traces (a highlighter band under the selection, the supernet's candidate edges, the
child's edges by kind and op, the hover points of edges, nodes and candidate-op chips, the op
legend), the chips as labelled rectangles filled by update count ("relu 12"), the marker sizes
for a 1280 px page or a 630 px dashboard panel, and the layout. Must not: read a space's graph
beyond its box and op list (arch.py's data layer does), sample or train.
"""

from __future__ import annotations

import re

import plotly.graph_objects as go

from ..spaces import Space
from . import _graph
from . import _style as st
from .text import ARCH, STYLE, words

_SHORT = {"maxpool3x3": "max3x3", "avgpool3x3": "avg3x3", "identity": "id"}  # when a full name does not fit
_CHAR_PX = 0.56  # a character's mean width, in font sizes
_NODES, _CHIPS = "nodes", "candidate ops"  # trace names the patch finds them by (en; the skeleton translates)


def _geometry(box, height: int | None) -> tuple[float, float, bool]:
    """(px per x unit, px per y unit, compact) for a drawing of extent `box` at `height`."""
    compact = st.is_compact(height)
    width, plot_h = (st.PANEL_WIDTH - 8, height - 38) if compact else (st.PAGE_WIDTH - 40, st.HEIGHT - 190)
    x0, x1, y0, y1 = box
    return width / (x1 - x0 + 1.0), plot_h / (y1 - y0 + 0.2), compact


def _node_size(ppx: float, ppy: float) -> float:
    """A node's marker, in px: never touching its neighbours or its column of chips."""
    return min(76.0, 0.6 * ppx, 2 * (-_graph.CHIP_Y - _graph.CHIP_H / 2) * ppy - 6)


def arch_skeleton(space: Space, lang: str = "en", height: int | None = None) -> go.Figure:
    """The traces of plot_arch for `space`: the same for every arch."""
    t = words(ARCH, lang)
    ops, has_skips = space.ops, any(d.kind == "skip" for d in space.decisions)
    ppx, ppy, compact = _geometry(_graph.box(space), height)
    line = lambda **kw: go.Scatter(mode="lines", hoverinfo="skip", **kw)  # noqa: E731
    traces = [
        go.Scatter(
            mode="lines+markers",
            name=words(STYLE, lang)("selected"),
            showlegend=False,
            hoverinfo="skip",
            line=dict(color=st.HIGHLIGHTER, width=14),
            marker=dict(color=st.HIGHLIGHTER, symbol="circle"),
        ),
        line(name=t("candidate"), line=dict(color=st.FAINT, width=2)),
        line(name=t("plain"), line=dict(color=st.INK, width=3.5)),
        line(name=t("skip"), line=dict(color=st.INK, width=3, dash="dot"), showlegend=has_skips),
    ]
    traces += [line(name=o, line=dict(color=st.op_color(o), width=6), showlegend=False, legendgroup=o) for o in ops]
    traces += [
        go.Scatter(
            mode="markers",
            name=t("edges"),
            showlegend=False,
            hoverinfo="text",
            hoverlabel=dict(bgcolor="white"),
        ),
        go.Scatter(
            mode="markers+text",
            name=t("nodes"),
            showlegend=False,
            hoverinfo="none",  # no label, but a click on a node still reaches the app
            textposition="middle center",
            textfont=dict(size=st.MIN_FONT, color=st.INK),
            marker=dict(symbol="circle", size=_node_size(ppx, ppy)),
        ),
        go.Scatter(
            mode="markers+text",
            name=t("chips"),
            showlegend=False,
            hoverinfo="text",
            textposition="middle center",
            textfont=dict(size=st.MIN_FONT if compact else 15),
            # the chip is a rectangle in the layout's shapes; this invisible square carries its hover and click
            marker=dict(symbol="square", size=_graph.CHIP_H * ppy, opacity=0),
            hoverlabel=dict(bgcolor="white"),
        ),
    ]
    traces += [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=o,
            legendgroup=o,
            marker=dict(symbol="square", size=16, color=st.op_color(o)),
        )
        for o in ops
    ]
    return st.sized(go.Figure(data=traces), height)


def _lines(edges) -> dict:
    xs, ys = [], []
    for e in edges:
        xs += [*e.xs, None]
        ys += [*e.ys, None]
    return dict(x=xs, y=ys)


def _chip_label(op: str, count: int | None, room_px: float, font: int) -> str:
    """ "relu 12" when it fits the chip, else a shorter name, else the count alone."""
    tail = f" {count}" if count is not None else ""
    for text in (f"{op}{tail}", f"{_SHORT.get(op, op)}{tail}", tail.strip()):
        if len(text) * _CHAR_PX * font + 6 <= room_px:
            return text
    return ""


_SHORT_NODES = {"stem": "0", "input": "in", "output": "out"}  # the stem is 0, as in block names (node2<-0/relu)
_NUMBERED = re.compile(r"^(node|layer)\d+$")  # shown by its number alone


def _short_name(name: str, compact: bool, node_px: float) -> str:
    """A node's label: its name; on a crowded panel its number, or a short name for a node without one
    ("node3" 3, "layer10" 10, "stem" 0, "input" in; a cell's "normal.node2.x" 2x, "normal.in1" in1),
    where it fits inside the node's marker (a cell's nodes on a panel are too small: no label)."""
    if not compact:
        return name
    if node_px >= 44:
        return f"<b>{name}</b>"
    parts = name.split(".")[1:] or [name]  # a cell's node: the cell's name is where it is drawn
    short = "".join(
        _SHORT_NODES.get(p) or (p[len(p.rstrip("0123456789")) :] if _NUMBERED.match(p) else p) for p in parts
    )
    fits = node_px >= st.MIN_FONT + 4 and len(short) * _CHAR_PX * st.MIN_FONT <= node_px  # else the hover names it
    return short if fits else ""


def _dark(color: str) -> bool:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5


def _chips(info, ppx: float, font: int) -> tuple[dict, list[dict]]:
    """The chip trace's patch, and the chip rectangles (with a highlighter band under a selected one)."""
    most = max((c.grad for c in info.chips if c.grad is not None), default=0)
    w, h = _graph.CHIP_W / 2, _graph.CHIP_H / 2
    fills, labels, inks, shapes, bands = [], [], [], [], []
    for c in info.chips:
        color = st.op_color(c.op)
        if c.block is None:
            fill = "#FFFFFF"
        elif info.steps is None:
            fill = color if c.chosen else st.tint(color, 0.3)
        else:
            fill = st.tint(color, 0.12 + 0.88 * (c.grad / most if most else 0.0))
        fills.append(fill)
        inks.append("#FFFFFF" if _dark(fill) else st.INK)
        labels.append(_chip_label(c.op, c.grad, _graph.CHIP_W * ppx, font))
        rect = dict(type="rect", xref="x", yref="y", layer="below", x0=c.x - w, x1=c.x + w, y0=c.y - h, y1=c.y + h)
        border = dict(color=st.INK, width=3) if c.chosen else dict(color=color, width=1.5)
        shapes.append(dict(rect, fillcolor=fill, line=dict(border, dash="dot" if c.block is None else "solid")))
        if c.selected:
            pad = dict(x0=c.x - w - 0.07, x1=c.x + w + 0.07, y0=c.y - h - 0.05, y1=c.y + h + 0.05)
            bands.append(dict(rect, **pad, fillcolor=st.HIGHLIGHTER, line=dict(width=0)))
    patch = dict(
        x=[c.x for c in info.chips],
        y=[c.y for c in info.chips],
        text=labels,
        textfont=dict(color=inks),
        hovertext=[c.hover for c in info.chips],
        customdata=[c.target for c in info.chips],
    )
    return patch, bands + shapes


def _arch_trace_data(info, skeleton: go.Figure) -> tuple[list[dict], list[dict]]:
    """The data of each skeleton trace for `info` (what the app patches after a step), and the chips' shapes."""
    ppx, _, compact = _geometry(info.box, skeleton.layout.height)
    node_size = skeleton.data[len(info.ops) + 5].marker.size
    child = [e for e in info.edges if e.in_child]
    band = _lines(e for e in info.edges if e.selected)
    marked = [n for n in info.nodes if n.selected]
    band = dict(
        x=band["x"] + [v for n in marked for v in (n.x, None)],
        y=band["y"] + [v for n in marked for v in (n.y, None)],
        marker=dict(size=[0] * len(band["x"]) + [v for _ in marked for v in (node_size + 18, 0)]),
    )
    patches = [
        band,
        _lines(e for e in info.edges if not e.in_child),
        _lines(e for e in child if e.kind == "plain"),
        _lines(e for e in child if e.kind == "skip"),
    ]
    patches += [_lines(e for e in child if e.kind == "op" and e.op == o) for o in info.ops]
    patches.append(
        dict(
            x=[e.mid[0] for e in info.edges],
            y=[e.mid[1] for e in info.edges],
            hovertext=[e.hover for e in info.edges],
            customdata=[e.target for e in info.edges],
            marker=dict(
                size=[10 if e.in_child else 8 for e in info.edges],
                color=[(st.op_color(e.op) if e.op else st.INK) if e.in_child else st.FAINT for e in info.edges],
                line=dict(width=1, color="white"),
            ),
        )
    )
    patches.append(
        dict(
            x=[n.x for n in info.nodes],
            y=[n.y for n in info.nodes],
            text=[_short_name(n.name, compact, node_size) if compact else n.label for n in info.nodes],
            customdata=[n.name for n in info.nodes],
            marker=dict(
                color=[st.tint(st.op_color(n.op), 0.35) if n.op else "#F2F2F2" for n in info.nodes],
                line=dict(
                    width=[5 if n.searched else 2 for n in info.nodes],
                    color=[st.op_color(n.op) if n.op else st.INK for n in info.nodes],
                ),
            ),
        )
    )
    chips, shapes = _chips(info, ppx, st.MIN_FONT if compact else 15)
    patches.append(chips)
    patches += [{} for _ in info.ops]
    return patches, shapes


def _arch_layout(info, shapes: list[dict], height: int | None) -> dict:
    t = words(ARCH, info.lang)
    x0, x1, y0, y1 = info.box
    axis = dict(visible=False, fixedrange=True)
    axes = dict(xaxis=dict(axis, range=[x0 - 0.5, x1 + 0.5]), yaxis=dict(axis, range=[y0 - 0.1, y1 + 0.1]))
    if st.is_compact(height):
        title = t("title_compact_counts", n=info.steps) if info.steps is not None else t("title_compact")
        return st.base_layout(
            title,
            uirevision=f"arch:{info.space}",
            height=height,
            compact=True,
            shapes=shapes,
            showlegend=False,
            margin=dict(l=4, r=4, t=34, b=4),
            **axes,
        )
    counted = t("counted", n=info.steps) if info.steps is not None else ""
    return st.base_layout(
        t("title", space=info.space),
        t("subtitle", arch=st.wrap(str(info.arch), 110), counted=counted),
        uirevision=f"arch:{info.space}",
        height=height or st.HEIGHT,
        shapes=shapes,
        legend=dict(orientation="h", x=0.5, xanchor="center", y=-0.02, yanchor="top"),
        margin=dict(l=20, r=20, t=130, b=60),
        **axes,
    )


def arch_patch(info, skeleton: go.Figure) -> tuple[list[dict], dict]:
    """The trace patches and layout of `info` on `skeleton` (its height says: page or dashboard panel)."""
    patches, shapes = _arch_trace_data(info, skeleton)
    return patches, _arch_layout(info, shapes, skeleton.layout.height)
