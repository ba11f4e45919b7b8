"""The sampled child drawn inside the whole supernet.

Owns: `plot_arch`, its data layer `_get_arch_info`: every candidate edge and op of
`space.supernet_graph()` at its fixed place (`_graph.layout`, so stepping never moves a node),
which of them `space.graph(arch)` uses, each candidate op's update count (the label and fill of its
chip), what `selected` highlights, the block or node each point stands for (its customdata), and
the app's live "arch" view. The hover text comes from arch_hover.py, the skeleton and patch from
arch_draw.py. Must not: sample, train or step anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from ..arch import Arch
from ..tracking import UpdateCounts
from . import _graph
from . import _style as st
from .arch_draw import arch_patch, arch_skeleton
from .arch_hover import ArchHover, check_counts
from .blocks import selection
from .text import ARCH, check_lang, words
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
    selected: bool = False


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
    blocks: tuple[str | None, ...] = ()  # every candidate block of this edge
    target: str = ""  # its customdata: the block it stands for (the child's op here), else its node
    selected: bool = False


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
    selected: bool = False

    @property
    def target(self) -> str:
        """Its customdata: the block, or the node for an op without weights."""
        return self.block or self.node


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
    box: tuple[float, float, float, float] = (0.0, 1.0, 0.0, 1.0)  # x and y extent of the drawing
    lang: str = "en"
    selected: str | None = None

    @property
    def child_edges(self) -> set[tuple[str, str, str]]:
        """(src, dst, kind) of the highlighted edges."""
        return {(e.src, e.dst, e.kind) for e in self.edges if e.in_child}

    @property
    def selected_edges(self) -> set[tuple[str, str, str]]:
        """(src, dst, kind) of the edges `selected` outlines."""
        return {(e.src, e.dst, e.kind) for e in self.edges if e.selected}


# ---- the data layer -------------------------------------------------------------------------
def _edge_target(kind: str, dst: str, d: dict, cd: dict | None, child_op: str | None) -> str:
    """The block an edge stands for: the child's; on a candidate op edge, the block the child's op would
    use there; stem and classifier; else (skips, ops without weights) the node it leads to."""
    if cd is not None and cd.get("block"):
        return cd["block"]
    if kind == "op" and child_op in d.get("ops", ()):
        return d["blocks"][list(d["ops"]).index(child_op)] or dst
    if kind == "plain" and d.get("blocks"):
        return d["blocks"][0]
    return dst


def _midpoint(xs, ys) -> tuple[float, float]:
    """Where an edge's hover point sits: an arc's apex, a straight edge's middle (not on a node)."""
    if len(xs) == 2:
        return (xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2
    return xs[len(xs) // 2], ys[len(ys) // 2]


def _get_arch_info(
    space, arch: Arch, update_counts: UpdateCounts | None = None, distributions=None, lang="en", selected=None
) -> _ArchInfo:
    """Nodes, edges and op chips of the supernet, marked with the child `arch` and annotated.

    `distributions`: each decision's probabilities along `arch` (controller.distributions(arch)).
    `selected`: a weight block or node name to highlight.
    """
    space = st.check_space(space)
    space.check(arch)
    check_lang(lang)
    sel = selection(space, selected)
    sg, cg = space.supernet_graph(), space.graph(arch)
    counts = check_counts(update_counts, sg)
    dists = st.check_distributions(distributions, space, "distributions") if distributions is not None else None
    pos = _graph.layout(space)
    comp = _graph.computation_nodes(sg)
    sink = next(n for n in sg.nodes if sg.out_degree(n) == 0)
    notes = ArchHover(space, comp, counts, dists, lang)
    fixed = words(ARCH, lang)
    child = _graph.edges(cg, set(comp))
    chosen = {v: (u, d["op"]) for (u, v, kind), d in child.items() if kind == "op"}  # node -> (input, op)
    edges = []
    for (u, v, kind), d in _graph.edges(sg, set(comp)).items():
        cd = child.get((u, v, kind))
        xs, ys = _graph.path(pos[u], pos[v], kind, sink=v == sink)
        blocks = tuple(d.get("blocks") or ()) if kind != "skip" else ()
        edges.append(
            _Edge(
                u,
                v,
                kind,
                cd is not None,
                cd.get("op") if cd is not None and kind == "op" else None,
                cd.get("block") if cd else None,
                xs,
                ys,
                _midpoint(xs, ys),
                notes.edge(u, v, kind, cd is not None, d, cd or {}),
                blocks,
                _edge_target(kind, v, d, cd, chosen.get(v, (None, None))[1]),
                sel.block is not None and sel.block in blocks,
            )
        )
    if set(child) - {(e.src, e.dst, e.kind) for e in edges}:
        raise AssertionError(f"child edges {sorted(set(child))} are not all in the supernet graph")

    nodes, chips = [], []
    for n in sorted(sg.nodes, key=lambda n: pos[n]):
        (x, y), op = pos[n], chosen.get(n, (None, None))[1]
        if n not in comp:
            text = sg.nodes[n].get("op")
            text = fixed.get(f"fixed:{text}", text) if text else text
            label = f"<b>{n}</b>" + (f"<br>{text.replace(' + ', '<br>+ ')}" if text not in (None, n) else "")
            nodes.append(_Node(n, x, y, label, None, False, sel.node == n))
            continue
        nodes.append(_Node(n, x, y, f"<b>{n}</b><br>{op}", op, True, sel.node == n))
        source = chosen[n][0]
        for i, (o, b) in enumerate(zip(space.ops, sg.edges[source, n]["blocks"])):
            cx, cy = _graph.chip_place(x, y, i)
            chips.append(
                _Chip(
                    n,
                    o,
                    cx,
                    cy,
                    o == op,
                    b,
                    counts.grad[b] if counts and b else None,
                    notes.prob(n, "op", o),
                    notes.chip(n, o, o == op, b, source),
                    sel.block is not None and b == sel.block,
                )
            )
    return _ArchInfo(
        space.name,
        tuple(space.ops),
        arch,
        counts.steps if counts else None,
        tuple(nodes),
        tuple(edges),
        tuple(chips),
        _graph.box(space),
        lang,
        selected,
    )


def plot_arch(
    space,
    arch: Arch,
    update_counts: UpdateCounts | None = None,
    controller=None,
    lang: str = "en",
    selected: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """The child `arch` highlighted inside `space`'s whole supernet; nodes never move between children.

    `update_counts` (trainer.update_counts) labels each candidate op with its update count and fills
    its chip by it; with `controller` (trainer.controller) the hover text adds the controller's
    probability of each choice. `lang`: "en" or "zh"; `selected`: a weight block or node to
    highlight; `height`: in px (under 450: a dashboard panel about 630 px wide).
    """
    space = st.check_space(space)
    space.check(arch)
    dists = st.check_controller(controller, space).distributions(arch) if controller is not None else None
    info = _get_arch_info(space, arch, update_counts, dists, lang, selected)
    skeleton = arch_skeleton(space, lang, height)
    return render(skeleton, *arch_patch(info, skeleton))


def _frame_info(frame: Frame) -> _ArchInfo:
    return _get_arch_info(frame.space, frame.arch, frame.counts, frame.arch_policy, frame.lang, frame.selected)


VIEW = register(
    View(
        "arch",
        place=10,
        reads={"arch", "counts", "arch_policy", "lang", "selected"},
        info=_frame_info,
        skeleton=arch_skeleton,
        patch=arch_patch,
    )
)
