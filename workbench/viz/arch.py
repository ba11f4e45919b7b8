"""The sampled child drawn inside the whole supernet.

Owns: `plot_arch` and its data layer `_get_arch_info`: node positions (networkx, layered by the
graph's `depth`, computed once per space so stepping never moves a node), every candidate edge and
op of `space.supernet_graph()`, which of them `space.graph(arch)` uses, and the hover text (weight
block, update count, controller probability). Must not: sample, train or step anything.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import networkx as nx
import plotly.graph_objects as go

from ..arch import Arch
from ..tracking import UpdateCounts
from . import _style as st

_ARC_POINTS = 25
_CHIP_Y = -0.3  # the row of candidate-op chips under each computation node
_DROP_Y = -0.45  # edges into the sink leave their node downwards, through the gap between chips


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
    has_skips: bool
    node_size: float  # marker sizes in px, so that nodes and chips never overlap at 1280 px wide
    chip_size: float
    steps: int | None  # ω steps behind the update counts (None: no counts given)
    nodes: tuple[_Node, ...]
    edges: tuple[_Edge, ...]
    chips: tuple[_Chip, ...]

    @property
    def child_edges(self) -> set[tuple[str, str, str]]:
        """(src, dst, kind) of the highlighted edges."""
        return {(e.src, e.dst, e.kind) for e in self.edges if e.in_child}


# ---- the stable layout (one per space) ------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _layout(space) -> dict[str, tuple[float, float]]:
    """Node -> (x, y): layers by topological depth (one x unit apart), networkx's multipartite order."""
    g = space.supernet_graph()
    pos = nx.multipartite_layout(g, subset_key="depth", align="vertical", scale=1.0)
    depths = sorted({d for _, d in g.nodes(data="depth")})
    rank = {d: k for k, d in enumerate(depths)}
    spread = max((sum(1 for _, d in g.nodes(data="depth") if d == dd) for dd in depths), default=1)
    return {n: (float(rank[g.nodes[n]["depth"]]), float(pos[n][1]) * 1.5 * spread) for n in g.nodes}


def _graph_edges(g, comp: set[str]) -> dict[tuple[str, str, str], dict]:
    """(src, dst, kind) -> edge data; a chain edge that also carries a skip yields a "skip" edge too.

    kind: "skip"; "op" for an edge into a computation node (it carries that node's op); else "plain".
    """
    out = {}
    for u, v, d in g.edges(data=True):
        kind = "skip" if d.get("kind") == "skip" else "op" if v in comp and ("ops" in d or "op" in d) else "plain"
        out[(u, v, kind)] = d
        if d.get("kind") == "chain" and d.get("skip"):
            out[(u, v, "skip")] = {"kind": "skip"}
    return out


def _path(p0, p1, kind: str, below: bool, drop_src: bool) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A straight segment between neighbouring layers, else a half-ellipse (above, or below)."""
    (x0, y0), (x1, y1) = p0, p1
    span = abs(x1 - x0)
    if kind != "skip" and (span <= 1 or y0 != y1):
        return (x0, x1), (y0, y1)
    sign = -1.0 if below else 1.0
    base = _DROP_Y if below else y0
    height = 0.16 + 0.3 * math.sqrt(span) if not below else 0.25 + 0.15 * span
    xs, ys = [], []
    if below:
        xs.append(x0), ys.append(y0)
        if not drop_src:
            base = y0
    for k in range(_ARC_POINTS):
        t = math.pi * (1 - k / (_ARC_POINTS - 1))
        xs.append((x0 + x1) / 2 + span / 2 * math.cos(t))
        ys.append(base + sign * height * math.sin(t))
    if below:
        xs.append(x1), ys.append(y1)
    return tuple(xs), tuple(ys)


# ---- the data layer -------------------------------------------------------------------------
def _block_line(block: str | None, counts: UpdateCounts | None, op: str | None = None) -> str:
    if block is None:
        return f"{op or 'this edge'}: no weights" if op else "no weights"
    if counts is None:
        return f"weight block <b>{block}</b>"
    g, c, n = counts.grad[block], counts.changed[block], counts.steps
    line = f"weight block <b>{block}</b>: gradient in {g} of {n} ω steps"
    return line + (f"<br>   its value changed in {c} (moved without a gradient {c - g}×)" if c != g else "")


def _check_counts(counts, g) -> UpdateCounts | None:
    if counts is None:
        return None
    if not isinstance(counts, UpdateCounts):
        raise TypeError(f"update_counts must be a wb.UpdateCounts (trainer.update_counts), got {type(counts).__name__}")
    needed = {b for _, _, bs in g.edges(data="blocks") for b in (bs or ()) if b}
    missing = sorted(needed - set(counts.blocks))
    if missing:
        raise ValueError(f"update_counts lacks weight blocks of space {g.graph['space']!r}, e.g. {missing[:3]}; "
                         "were they counted on another space?")
    return counts


def _get_arch_info(space, arch: Arch, update_counts: UpdateCounts | None = None, controller=None) -> _ArchInfo:
    """Nodes, edges and op chips of the supernet, marked with the child `arch` and annotated."""
    space = st.check_space(space)
    space.check(arch)
    sg, cg = space.supernet_graph(), space.graph(arch)
    counts = _check_counts(update_counts, sg)
    dists = None
    if controller is not None:
        dists = [p.tolist() for p in st.check_controller(controller, space).distributions(arch)]
    pos = _layout(space)
    comp = sorted((n for n in sg.nodes if "ops" in sg.nodes[n]), key=lambda n: sg.nodes[n]["depth"])
    sink = next(n for n in sg.nodes if sg.out_degree(n) == 0)
    decision = {}  # (node name, kind, source node or None) -> decision index
    for k, d in enumerate(space.decisions):
        decision[(comp[d.node - 1], d.kind, comp[d.source - 1] if d.kind == "skip" else None)] = k

    def prob(node, kind, option, source=None) -> float | None:
        k = decision.get((node, kind, source))
        if dists is None or k is None or option not in space.decisions[k].options:
            return None
        return dists[k][space.decisions[k].options.index(option)]

    def prob_line(node, kind, option, source=None) -> str:
        p = prob(node, kind, option, source)
        if p is None:
            return ""
        label = f"{node}.{kind}" if kind != "skip" else space.decisions[decision[(node, kind, source)]].name
        return f"<br>controller: P({label} = {option}) = {st.percent(p)}"

    child = _graph_edges(cg, set(comp))
    chosen_op = {v: d["op"] for (u, v, kind), d in child.items() if kind == "op"}
    chosen_in = {v: u for (u, v, kind) in child if kind == "op"}
    edges = []
    for (u, v, kind), d in _graph_edges(sg, set(comp)).items():
        in_child = (u, v, kind) in child
        cd = child.get((u, v, kind), {})
        op, block = (cd.get("op") if kind == "op" else None), cd.get("block") if in_child else None
        where = "in this child" if in_child else "not in this child"
        head = f"<b>{u} → {v}</b> · {where}"
        if kind == "op" and in_child:
            body = f"<br>{v} applies <b>{op}</b> to {u}'s output<br>{_block_line(block, counts, op)}"
            body += prob_line(v, "input", u) + prob_line(v, "op", op)
        elif kind == "op":
            parts = [f"{o} ({counts.grad[b]}×)" if counts else o for o, b in zip(d["ops"], d["blocks"]) if b]
            body = prob_line(v, "input", u) + "<br>weight blocks here: " + ", ".join(parts)
            if counts:
                body += f"<br>(gradient counts over {counts.steps} ω steps)"
        elif kind == "skip":
            body = f"<br>skip connection: {u}'s output is averaged into {v}; no weights"
            body += prob_line(v, "skip", "yes", u)
        else:
            blocks = cd.get("block") if in_child else (d.get("blocks") or (None,))[0]
            body = "<br>" + _block_line(blocks, counts)
        xs, ys = _path(pos[u], pos[v], kind, below=v == sink, drop_src=u in comp)
        mid = (xs[len(xs) // 2], ys[len(ys) // 2])
        edges.append(_Edge(u, v, kind, in_child, op, block, xs, ys, mid, head + body))
    missing = set(child) - {(e.src, e.dst, e.kind) for e in edges}
    if missing:
        raise AssertionError(f"child edges {sorted(missing)} are not in the supernet graph")

    nodes, chips = [], []
    n_ops = len(space.ops)
    width = 0.8 / n_ops
    for n in sorted(sg.nodes, key=lambda n: (pos[n][0], pos[n][1])):
        x, y = pos[n]
        if n in comp:
            op = chosen_op[n]
            nodes.append(_Node(n, x, y, f"<b>{n}</b><br>{op}", op, True))
            in_edge = sg.edges[chosen_in[n], n]
            for i, o in enumerate(space.ops):
                b = in_edge["blocks"][i]
                p = prob(n, "op", o)
                hover = (f"<b>{n} · {o}</b> · {'chosen by this child' if o == op else 'candidate'}"
                         f"<br>{_block_line(b, counts, o)} (with input {chosen_in[n]})" + prob_line(n, "op", o))
                chips.append(_Chip(n, o, x + (i - (n_ops - 1) / 2) * width, y + _CHIP_Y, o == op, b,
                                   counts.grad[b] if counts and b else None, p, hover))
        else:
            op = sg.nodes[n].get("op")
            label = f"<b>{n}</b>" + (f"<br>{op.replace(' + ', '<br>+ ')}" if op not in (None, n) else "")
            nodes.append(_Node(n, x, y, label, None, False))
    has_skips = any(d.kind == "skip" for d in space.decisions)
    px = 1200 / (max(x for x, _ in pos.values()) - min(x for x, _ in pos.values()) + 1.2)  # px per x unit
    return _ArchInfo(space.name, tuple(space.ops), arch, has_skips, min(76.0, 0.82 * px), min(16.0, 0.8 * width * px),
                     counts.steps if counts else None,
                     tuple(nodes), tuple(edges), tuple(chips))


# ---- the renderer ---------------------------------------------------------------------------
def _lines(edges) -> dict:
    xs, ys = [], []
    for e in edges:
        xs += [*e.xs, None]
        ys += [*e.ys, None]
    return dict(x=xs, y=ys)


def _arch_skeleton(ops: tuple[str, ...], has_skips: bool, node_size: float, chip_size: float) -> list:
    """The traces of plot_arch for a space with these ops: the same list for every arch."""
    line = lambda **kw: go.Scatter(mode="lines", hoverinfo="skip", **kw)  # noqa: E731
    traces = [
        line(name="candidate, not in this child", line=dict(color=st.FAINT, width=2)),
        line(name="in this child (stem, classifier)", line=dict(color=st.INK, width=3.5)),
        line(name="skip connection in this child", line=dict(color=st.INK, width=3, dash="dot"),
             showlegend=has_skips),
    ]
    traces += [line(name=o, line=dict(color=st.op_color(o), width=6), showlegend=False, legendgroup=o) for o in ops]
    traces += [
        go.Scatter(mode="markers", name="edges", showlegend=False, hoverinfo="text", hoverlabel=dict(bgcolor="white")),
        go.Scatter(mode="markers+text", name="nodes", showlegend=False, hoverinfo="skip", textposition="middle center",
                   textfont=dict(size=14 if node_size > 70 else 12, color=st.INK),
                   marker=dict(symbol="circle", size=node_size)),
        go.Scatter(mode="markers", name="candidate ops", showlegend=False, hoverinfo="text",
                   marker=dict(symbol="square", size=chip_size), hoverlabel=dict(bgcolor="white")),
    ]
    traces += [go.Scatter(x=[None], y=[None], mode="markers", name=o, legendgroup=o,
                          marker=dict(symbol="square", size=16, color=st.op_color(o))) for o in ops]
    return traces


def _arch_trace_data(info: _ArchInfo) -> list[dict]:
    """The data of each skeleton trace for `info` (what the app patches after a step)."""
    child = [e for e in info.edges if e.in_child]
    patches = [
        _lines(e for e in info.edges if not e.in_child),
        _lines(e for e in child if e.kind == "plain"),
        _lines(e for e in child if e.kind == "skip"),
    ]
    patches += [_lines(e for e in child if e.kind == "op" and e.op == o) for o in info.ops]
    patches.append(dict(
        x=[e.mid[0] for e in info.edges], y=[e.mid[1] for e in info.edges], hovertext=[e.hover for e in info.edges],
        marker=dict(size=[10 if e.in_child else 8 for e in info.edges],
                    color=[(st.op_color(e.op) if e.op else st.INK) if e.in_child else st.FAINT for e in info.edges],
                    line=dict(width=1, color="white")),
    ))
    patches.append(dict(
        x=[n.x for n in info.nodes], y=[n.y for n in info.nodes], text=[n.label for n in info.nodes],
        marker=dict(color=[st.tint(st.op_color(n.op), 0.35) if n.op else "#F2F2F2" for n in info.nodes],
                    line=dict(width=[5 if n.searched else 2 for n in info.nodes],
                              color=[st.op_color(n.op) if n.op else st.INK for n in info.nodes])),
    ))
    patches.append(dict(
        x=[c.x for c in info.chips], y=[c.y for c in info.chips], hovertext=[c.hover for c in info.chips],
        marker=dict(color=[st.op_color(c.op) if c.chosen else st.tint(st.op_color(c.op), 0.3) for c in info.chips],
                    line=dict(width=[2.5 if c.chosen else 0 for c in info.chips], color=st.INK)),
    ))
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
    subtitle = (f"child: {_wrap(str(info.arch))}<br>coloured: the sampled child · grey: the rest of the supernet · "
                f"squares: each node's candidate ops{counted} · hover for details")
    axis = dict(visible=False, fixedrange=True)
    return st.base_layout(
        f"The sampled child inside the supernet ({info.space})", subtitle, uirevision=f"arch:{info.space}",
        xaxis=dict(axis, range=[min(xs) - 0.5, max(xs) + 0.5]),
        yaxis=dict(axis, range=[min(ys) - 0.25, max(ys) + 0.25]),
        legend=dict(orientation="h", x=0.5, xanchor="center", y=-0.02, yanchor="top"),
        margin=dict(l=20, r=20, t=130, b=60),
    )


def plot_arch(space, arch: Arch, update_counts: UpdateCounts | None = None, controller=None) -> go.Figure:
    """The child `arch` highlighted inside `space`'s whole supernet; nodes never move between children.

    `update_counts` (trainer.update_counts) and `controller` (trainer.controller) add the update
    count of each weight block and the controller's probability of each choice to the hover text.
    """
    info = _get_arch_info(space, arch, update_counts, controller)
    return st.render(_arch_skeleton(info.ops, info.has_skips, info.node_size, info.chip_size), _arch_trace_data(info), _arch_layout(info))
