"""The sampled child drawn inside the whole supernet.

Owns: `plot_arch`, its data layer `_get_arch_info`: every candidate edge and op of
`space.supernet_graph()` at its fixed place (`_graph.layout`, so stepping never moves a node),
which of them `space.graph(arch)` uses (the hover text comes from arch_hover.py), its skeleton and patch,
and the app's live "arch" view. Must not: sample, train or step anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from ..arch import Arch
from ..spaces import Space
from ..tracking import UpdateCounts
from . import _graph
from . import _style as st
from .arch_hover import ArchHover, check_counts
from .view import Frame, View, register, render


@dataclass(frozen=True)
class _Node:
    """One drawn node: its place, its label and the op the child chose there (None if fixed)."""

    name: str
    x: float
    y: float
    label: str
    op: str | None
    searched: bool  # a computation node whose op the controller picks


@dataclass(frozen=True)
class _Edge:
    """One candidate edge of the supernet, its drawn path, whether the child uses it, its hover."""

    src: str
    dst: str
    kind: str  # "op" (carries the destination's op), "skip", or "plain" (stem, classifier)
    in_child: bool
    op: str | None  # the child's op on this edge (kind "op", in the child)
    block: str | None  # the weight block the child uses on this edge
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    mid: tuple[float, float]
    hover: str


@dataclass(frozen=True)
class _Chip:
    """One candidate op of a computation node, chosen by the child or not."""

    node: str
    op: str
    x: float
    y: float
    chosen: bool
    block: str | None  # the block this op would use with the child's input (None: no weights)
    grad: int | None
    prob: float | None
    hover: str


@dataclass(frozen=True)
class _ArchInfo:
    """Everything plot_arch draws for one (space, arch), as plain values."""

    space: str
    ops: tuple[str, ...]
    arch: Arch
    steps: int | None  # ω steps behind the update counts (None: no counts given)
    nodes: tuple[_Node, ...]
    edges: tuple[_Edge, ...]
    chips: tuple[_Chip, ...]

    @property
    def child_edges(self) -> set[tuple[str, str, str]]:
        """(src, dst, kind) of the highlighted edges."""
        return {(e.src, e.dst, e.kind) for e in self.edges if e.in_child}


# ---- the data layer -------------------------------------------------------------------------
_CHIPS_SPAN = 0.8  # the x extent of a node's row of candidate-op chips (nodes are 1 apart)


def _marker_sizes(space: Space) -> tuple[float, float]:
    """Node and chip marker sizes in px, so that nodes and chips never overlap at 1280 px wide."""
    xs = [x for x, _ in _graph.layout(space).values()]
    px = 1200 / (max(xs) - min(xs) + 1.2)  # px per x unit at 1280
    return min(76.0, 0.82 * px), min(16.0, 0.8 * (_CHIPS_SPAN / len(space.ops)) * px)


def _get_arch_info(space, arch: Arch, update_counts: UpdateCounts | None = None, distributions=None) -> _ArchInfo:
    """Nodes, edges and op chips of the supernet, marked with the child `arch` and annotated.

    `distributions`: each decision's probabilities along `arch` (controller.distributions(arch)).
    """
    space = st.check_space(space)
    space.check(arch)
    sg, cg = space.supernet_graph(), space.graph(arch)
    counts = check_counts(update_counts, sg)
    dists = st.check_distributions(distributions, space, "distributions") if distributions is not None else None
    pos = _graph.layout(space)
    comp = _graph.computation_nodes(sg)
    sink = next(n for n in sg.nodes if sg.out_degree(n) == 0)
    notes = ArchHover(space, comp, counts, dists)
    child = _graph.edges(cg, set(comp))
    edges = []
    for (u, v, kind), d in _graph.edges(sg, set(comp)).items():
        cd = child.get((u, v, kind))
        xs, ys = _graph.path(pos[u], pos[v], kind, below=v == sink, drop_src=u in comp)
        op = cd.get("op") if cd is not None and kind == "op" else None
        edges.append(
            _Edge(
                u,
                v,
                kind,
                cd is not None,
                op,
                cd.get("block") if cd else None,
                xs,
                ys,
                (xs[len(xs) // 2], ys[len(ys) // 2]),
                notes.edge(u, v, kind, cd is not None, d, cd or {}),
            )
        )
    if set(child) - {(e.src, e.dst, e.kind) for e in edges}:
        raise AssertionError(f"child edges {sorted(set(child))} are not all in the supernet graph")

    chosen = {v: (u, d["op"]) for (u, v, kind), d in child.items() if kind == "op"}  # node -> (input, op)
    nodes, chips = [], []
    width = _CHIPS_SPAN / len(space.ops)  # x distance between a node's chips
    for n in sorted(sg.nodes, key=lambda n: pos[n]):
        (x, y), op = pos[n], chosen.get(n, (None, None))[1]
        if n not in comp:
            text = sg.nodes[n].get("op")
            label = f"<b>{n}</b>" + (f"<br>{text.replace(' + ', '<br>+ ')}" if text not in (None, n) else "")
            nodes.append(_Node(n, x, y, label, None, False))
            continue
        nodes.append(_Node(n, x, y, f"<b>{n}</b><br>{op}", op, True))
        source = chosen[n][0]
        for i, (o, b) in enumerate(zip(space.ops, sg.edges[source, n]["blocks"])):
            chips.append(
                _Chip(
                    n,
                    o,
                    x + (i - (len(space.ops) - 1) / 2) * width,
                    y + _graph.CHIP_Y,
                    o == op,
                    b,
                    counts.grad[b] if counts and b else None,
                    notes.prob(n, "op", o),
                    notes.chip(n, o, o == op, b, source),
                )
            )
    return _ArchInfo(
        space.name, tuple(space.ops), arch, counts.steps if counts else None, tuple(nodes), tuple(edges), tuple(chips)
    )


# ---- the renderer ---------------------------------------------------------------------------
def _lines(edges) -> dict:
    xs, ys = [], []
    for e in edges:
        xs += [*e.xs, None]
        ys += [*e.ys, None]
    return dict(x=xs, y=ys)


def _arch_skeleton(space: Space) -> go.Figure:
    """The traces of plot_arch for `space`: the same for every arch."""
    ops, has_skips = space.ops, any(d.kind == "skip" for d in space.decisions)
    node_size, chip_size = _marker_sizes(space)
    line = lambda **kw: go.Scatter(mode="lines", hoverinfo="skip", **kw)  # noqa: E731
    traces = [
        line(name="candidate, not in this child", line=dict(color=st.FAINT, width=2)),
        line(name="in this child (stem, classifier)", line=dict(color=st.INK, width=3.5)),
        line(name="skip connection in this child", line=dict(color=st.INK, width=3, dash="dot"), showlegend=has_skips),
    ]
    traces += [line(name=o, line=dict(color=st.op_color(o), width=6), showlegend=False, legendgroup=o) for o in ops]
    traces += [
        go.Scatter(mode="markers", name="edges", showlegend=False, hoverinfo="text", hoverlabel=dict(bgcolor="white")),
        go.Scatter(
            mode="markers+text",
            name="nodes",
            showlegend=False,
            hoverinfo="skip",
            textposition="middle center",
            textfont=dict(size=14 if node_size > 70 else 12, color=st.INK),
            marker=dict(symbol="circle", size=node_size),
        ),
        go.Scatter(
            mode="markers",
            name="candidate ops",
            showlegend=False,
            hoverinfo="text",
            marker=dict(symbol="square", size=chip_size),
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
    return go.Figure(data=traces)


def _arch_trace_data(info: _ArchInfo) -> list[dict]:
    """The data of each skeleton trace for `info` (what the app patches after a step)."""
    child = [e for e in info.edges if e.in_child]
    patches = [
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
            text=[n.label for n in info.nodes],
            marker=dict(
                color=[st.tint(st.op_color(n.op), 0.35) if n.op else "#F2F2F2" for n in info.nodes],
                line=dict(
                    width=[5 if n.searched else 2 for n in info.nodes],
                    color=[st.op_color(n.op) if n.op else st.INK for n in info.nodes],
                ),
            ),
        )
    )
    patches.append(
        dict(
            x=[c.x for c in info.chips],
            y=[c.y for c in info.chips],
            hovertext=[c.hover for c in info.chips],
            marker=dict(
                color=[st.op_color(c.op) if c.chosen else st.tint(st.op_color(c.op), 0.3) for c in info.chips],
                line=dict(width=[2.5 if c.chosen else 0 for c in info.chips], color=st.INK),
            ),
        )
    )
    patches += [{} for _ in info.ops]
    return patches


def _wrap(text: str, width: int = 110) -> str:
    lines, current = [], ""
    for token in text.split():
        if current and len(current) + len(token) + 1 > width:
            lines.append(current)
            current = token
        else:
            current = f"{current} {token}".strip()
    return "<br>".join(lines + [current])


def _arch_layout(info: _ArchInfo) -> dict:
    xs = [x for e in info.edges for x in e.xs] + [n.x for n in info.nodes]
    ys = [y for e in info.edges for y in e.ys] + [c.y for c in info.chips] + [n.y for n in info.nodes]
    counted = f" · update counts over {info.steps} ω steps" if info.steps is not None else ""
    subtitle = (
        f"child: {_wrap(str(info.arch))}<br>coloured: the sampled child · grey: the rest of the supernet · "
        f"squares: each node's candidate ops{counted} · hover for details"
    )
    axis = dict(visible=False, fixedrange=True)
    return st.base_layout(
        f"The sampled child inside the supernet ({info.space})",
        subtitle,
        uirevision=f"arch:{info.space}",
        xaxis=dict(axis, range=[min(xs) - 0.5, max(xs) + 0.5]),
        yaxis=dict(axis, range=[min(ys) - 0.25, max(ys) + 0.25]),
        legend=dict(orientation="h", x=0.5, xanchor="center", y=-0.02, yanchor="top"),
        margin=dict(l=20, r=20, t=130, b=60),
    )


def _arch_patch(info: _ArchInfo, skeleton: go.Figure) -> tuple[list[dict], dict]:
    return _arch_trace_data(info), _arch_layout(info)  # the layout needs nothing from the skeleton


def plot_arch(space, arch: Arch, update_counts: UpdateCounts | None = None, controller=None) -> go.Figure:
    """The child `arch` highlighted inside `space`'s whole supernet; nodes never move between children.

    `update_counts` (trainer.update_counts) and `controller` (trainer.controller) add the update
    count of each weight block and the controller's probability of each choice to the hover text.
    """
    space = st.check_space(space)
    space.check(arch)
    dists = st.check_controller(controller, space).distributions(arch) if controller is not None else None
    info = _get_arch_info(space, arch, update_counts, dists)
    skeleton = _arch_skeleton(space)
    return render(skeleton, *_arch_patch(info, skeleton))


def _frame_info(frame: Frame) -> _ArchInfo:
    return _get_arch_info(frame.space, frame.arch, frame.counts, frame.arch_policy)


VIEW = register(
    View(
        "arch",
        place=10,
        reads={"arch", "counts", "arch_policy"},
        info=_frame_info,
        skeleton=_arch_skeleton,
        patch=_arch_patch,
    )
)
