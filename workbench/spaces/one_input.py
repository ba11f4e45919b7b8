"""One-input cells: N nodes, each picks one earlier node (node 0 is the cell's root) and one op.

The teaching space and the ENAS recurrent cell are both this shape: node i's decisions are its input
(the root or nodes 1..i-1) then its op; the nodes no other node reads (loose ends) are averaged into
the output. Size: prod_i (i * ops) = ops^N * N!. Children print as `node1=OP(ROOT) node2=OP(node1)`.

Owns: that shape, shared by both spaces: the decisions, reading an Arch (nodes, loose ends, the blocks
it uses), its text form, and the child and supernet graphs. Must not: build blocks or run a forward
pass (each space does, and names its own blocks through `edge_block`).
"""

from __future__ import annotations

import math
import re

from ..arch import Arch
from .base import Decision, Space


class OneInputCell(Space):
    """A cell of N nodes, each with one input among the earlier nodes and one op (see the module)."""

    ops: tuple[str, ...] = ()
    root = "root"  # node 0's name in an Arch's text and among the input options
    graph_root = "root"  # node 0's name in the graphs
    root_block = "root"  # the block that makes node 0 from the input
    input_label = "input"  # the graph's input node's op
    root_label = "root"  # node 0's op in the graphs
    op_word = "OP"  # in parse errors: 'node1=OP(INPUT)'
    example = "node1=OP(root) node2=OP(node1)"

    def __init__(self, num_nodes: int = 4, width: int = 32):
        self.num_nodes, self.width = num_nodes, width
        self._token = re.compile(rf"^node(\d+)=([a-z0-9_]+)\(({re.escape(self.root)}|node\d+)\)$")
        decisions = []
        for i in range(1, num_nodes + 1):
            inputs = (self.root,) + tuple(f"node{j}" for j in range(1, i))
            decisions.append(Decision(f"node{i}.input", inputs, "input", i))
            decisions.append(Decision(f"node{i}.op", self.ops, "op", i))
        super().__init__(decisions, {"num_nodes": num_nodes, "width": width})

    def size(self) -> int:
        return math.factorial(self.num_nodes) * len(self.ops) ** self.num_nodes

    def edge_block(self, node: int, source: int, op: str) -> str | None:
        """The weight block that node `node` uses when it applies `op` to node `source` (None: no weights)."""
        raise NotImplementedError(f"{type(self).__name__} must define edge_block()")

    def blocks_for(self, arch: Arch) -> tuple[str, ...]:
        used = [b for i, j, op in self.nodes(arch) if (b := self.edge_block(i, j, op)) is not None]
        return (self.root_block, *used, "classifier")

    # ---- reading an Arch ------------------------------------------------------------------
    def nodes(self, arch: Arch) -> list[tuple[int, int, str]]:
        """[(node, input node, op name)] for nodes 1..N; input 0 is the root."""
        c = self.check(arch).choices
        return [(i, c[2 * i - 2], self.ops[c[2 * i - 1]]) for i in range(1, self.num_nodes + 1)]

    def loose_ends(self, arch: Arch) -> list[int]:
        """Nodes no other node reads: they are averaged into the output."""
        read = {j for _, j, _ in self.nodes(arch)}
        return [i for i in range(1, self.num_nodes + 1) if i not in read]

    def format(self, arch: Arch) -> str:
        return " ".join(f"node{i}={op}({self._source(j)})" for i, j, op in self.nodes(arch))

    def parse(self, text: str) -> Arch:
        tokens = str(text).replace(",", " ").replace("|", " ").split()
        if len(tokens) != self.num_nodes:
            raise ValueError(
                f"cannot parse {text!r} as an architecture of {self.name!r}: expected {self.num_nodes} "
                f"tokens like {self.example!r}"
            )
        choices = []
        for i, token in enumerate(tokens, start=1):
            m = self._token.match(token)
            if not m or int(m.group(1)) != i:
                raise ValueError(f"cannot parse {token!r} in {text!r}: expected 'node{i}={self.op_word}(INPUT)'")
            d_in, d_op = self.decisions[2 * i - 2], self.decisions[2 * i - 1]
            choices += [self._option_index(d_in, m.group(3), text), self._option_index(d_op, m.group(2), text)]
        return self.make(choices)

    def _source(self, j: int) -> str:
        return self.root if j == 0 else f"node{j}"

    # ---- graphs ---------------------------------------------------------------------------
    def _graph_node(self, j: int) -> str:
        return self.graph_root if j == 0 else f"node{j}"

    def _start(self, g) -> None:
        g.add_node("input", op=self.input_label, depth=0)
        g.add_node(self.graph_root, op=self.root_label, depth=1)

    def graph(self, arch: Arch):
        """The child as a networkx.DiGraph: op names on nodes, weight-block names on edges."""
        import networkx as nx

        g = nx.DiGraph(space=self.name, arch=str(arch))
        self._start(g)
        g.add_edge("input", self.graph_root, block=self.root_block)
        for i, j, op in self.nodes(arch):
            src = self._graph_node(j)
            g.add_node(f"node{i}", op=op, depth=g.nodes[src]["depth"] + 1)
            g.add_edge(src, f"node{i}", op=op, block=self.edge_block(i, j, op))
        g.add_node("output", op="average + linear", depth=max(d for _, d in g.nodes(data="depth")) + 1)
        for i in self.loose_ends(arch):
            g.add_edge(f"node{i}", "output", block="classifier")
        return g

    def supernet_graph(self):
        """Every candidate node and edge; an edge lists its candidate ops and their blocks."""
        import networkx as nx

        g = nx.DiGraph(space=self.name)
        self._start(g)
        g.add_edge("input", self.graph_root, ops=(self.root_label,), blocks=(self.root_block,))
        for i in range(1, self.num_nodes + 1):
            g.add_node(f"node{i}", op=None, depth=i + 1, ops=self.ops)
            for j in range(i):
                blocks = tuple(self.edge_block(i, j, op) for op in self.ops)
                g.add_edge(self._graph_node(j), f"node{i}", ops=self.ops, blocks=blocks)
        g.add_node("output", op="average + linear", depth=self.num_nodes + 2)
        for i in range(1, self.num_nodes + 1):
            g.add_edge(f"node{i}", "output", ops=("average",), blocks=("classifier",))
        return g
