"""The supernet drawn as a graph: node positions, edge kinds and edge paths, shared by the figures.

Owns: the layout of a space (networkx, layered by the graph's `depth`, computed once per space, so
a node never moves between children), which nodes are computation nodes, the kind of each edge
and its drawn path (straight between neighbouring layers, else a half-ellipse above: edges into the
output one tier higher, as the column of candidate-op chips fills the space under each node), and
the place of the chips. Must not: know about records, counts or plotly.
"""

from __future__ import annotations

import functools
import math

import networkx as nx

ARC_POINTS = 25
# each computation node's candidate ops: a column of chips under it (x and y in data units)
CHIP_Y, CHIP_STEP, CHIP_W, CHIP_H = -0.42, 0.22, 0.88, 0.18  # first chip's centre, pitch, width, height
SINK_RISE = 0.3  # edges into the output arc this much higher than the edges between nodes


def computation_nodes(g) -> list[str]:
    """The nodes whose op the controller picks (they carry an `ops` attribute), by depth."""
    return sorted((n for n in g.nodes if "ops" in g.nodes[n]), key=lambda n: g.nodes[n]["depth"])


@functools.lru_cache(maxsize=32)
def layout(space) -> dict[str, tuple[float, float]]:
    """Node -> (x, y): layers by topological depth (one x unit apart), networkx's multipartite order."""
    g = space.supernet_graph()
    pos = nx.multipartite_layout(g, subset_key="depth", align="vertical", scale=1.0)
    depths = sorted({d for _, d in g.nodes(data="depth")})
    rank = {d: k for k, d in enumerate(depths)}
    spread = max((sum(1 for _, d in g.nodes(data="depth") if d == dd) for dd in depths), default=1)
    return {n: (float(rank[g.nodes[n]["depth"]]), float(pos[n][1]) * 1.5 * spread) for n in g.nodes}


def edges(g, comp: set[str]) -> dict[tuple[str, str, str], dict]:
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


def path(p0, p1, kind: str, sink: bool) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A straight segment between neighbouring layers, else a half-ellipse above (`sink`: one tier higher)."""
    (x0, y0), (x1, y1) = p0, p1
    span = abs(x1 - x0)
    if kind != "skip" and (span <= 1 or y0 != y1):
        return (x0, x1), (y0, y1)
    height = 0.16 + 0.3 * math.sqrt(span) + (SINK_RISE if sink else 0.0)
    xs = [(x0 + x1) / 2 + span / 2 * math.cos(math.pi * (1 - k / (ARC_POINTS - 1))) for k in range(ARC_POINTS)]
    ys = [y0 + height * math.sin(math.pi * (1 - k / (ARC_POINTS - 1))) for k in range(ARC_POINTS)]
    return tuple(xs), tuple(ys)


def chip_place(x: float, y: float, k: int) -> tuple[float, float]:
    """The centre of the k-th candidate-op chip of the node at (x, y)."""
    return x, y + CHIP_Y - k * CHIP_STEP


@functools.lru_cache(maxsize=32)
def box(space) -> tuple[float, float, float, float]:
    """(x min, x max, y min, y max) of everything drawn for `space`: nodes, every edge's path, the chips."""
    g, pos = space.supernet_graph(), layout(space)
    comp = set(computation_nodes(g))
    sink = next(n for n in g.nodes if g.out_degree(n) == 0)
    xs, ys = [x for x, _ in pos.values()], [y for _, y in pos.values()]
    for u, v, kind in edges(g, comp):
        px, py = path(pos[u], pos[v], kind, sink=v == sink)
        xs += px
        ys += py
    n_ops = max((len(g.nodes[n]["ops"]) for n in comp), default=0)
    ys += [y + CHIP_Y - (n_ops - 1) * CHIP_STEP - CHIP_H / 2 for n, (_, y) in pos.items() if n in comp]
    return min(xs), max(xs), min(ys), max(ys)
