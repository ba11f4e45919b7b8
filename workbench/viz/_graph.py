"""The supernet drawn as a graph: node positions, edge kinds and edge paths, shared by the figures.

Owns: the layout of a space (networkx, layered by the graph's `depth`, computed once per space, so
a node never moves between children), which nodes are computation nodes, the kind of each edge
and its drawn path (straight between neighbouring layers, else a half-ellipse). Must not: know
about records, counts or plotly.
"""

from __future__ import annotations

import functools
import math

import networkx as nx

ARC_POINTS = 25
CHIP_Y = -0.3  # the row of candidate-op chips under each computation node
DROP_Y = -0.45  # edges into the sink leave their node downwards, through the gap between chips


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


def path(p0, p1, kind: str, below: bool, drop_src: bool) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """A straight segment between neighbouring layers, else a half-ellipse (above, or below)."""
    (x0, y0), (x1, y1) = p0, p1
    span = abs(x1 - x0)
    if kind != "skip" and (span <= 1 or y0 != y1):
        return (x0, x1), (y0, y1)
    # below (edges into the sink): drop from the node through the gap between its chips, arc under them
    base = (DROP_Y if drop_src else y0) if below else y0
    sign, height = (-1.0, 0.25 + 0.15 * span) if below else (1.0, 0.16 + 0.3 * math.sqrt(span))
    xs = [(x0 + x1) / 2 + span / 2 * math.cos(math.pi * (1 - k / (ARC_POINTS - 1))) for k in range(ARC_POINTS)]
    ys = [base + sign * height * math.sin(math.pi * (1 - k / (ARC_POINTS - 1))) for k in range(ARC_POINTS)]
    if below:
        xs, ys = [x0, *xs, x1], [y0, *ys, y1]
    return tuple(xs), tuple(ys)
