"""The teaching space: a small DAG cell on flat inputs, every child a path through one supernet.

A stem Linear maps the input to width H. Each of N computation nodes picks one input (the stem or
an earlier node) and one op: relu, tanh or sigmoid (a Linear on that input, then the activation,
with its own weights per (node, input, op)), or identity (no weights). Nodes that no other node
consumes are averaged and fed to a Linear classifier. Size: prod_i (i * 4) = 6144 for N = 4.

Owns: the decisions, the blocks and the forward pass of this space. Must not: hold weights.
"""

from __future__ import annotations

import math
import re

import torch
from torch import nn

from .. import ops
from ..arch import Arch
from .base import Decision, Space

_TOKEN = re.compile(r"^node(\d+)=([a-z0-9_]+)\((stem|node\d+)\)$")


class TeachingSpace(Space):
    """DAG cell with N nodes; each picks an input among earlier nodes and one of four ops."""

    kind = "teaching"
    input_kind = "flat"
    default_data = "mnist1d"
    defaults = {"num_nodes": 4, "width": 32}
    ops = tuple(ops.TEACHING_OPS)

    def __init__(self, num_nodes: int = 4, width: int = 32):
        self.num_nodes, self.width = num_nodes, width
        decisions = []
        for i in range(1, num_nodes + 1):
            inputs = ("stem",) + tuple(f"node{j}" for j in range(1, i))
            decisions.append(Decision(f"node{i}.input", inputs, "input", i))
            decisions.append(Decision(f"node{i}.op", self.ops, "op", i))
        super().__init__(decisions, {"num_nodes": num_nodes, "width": width})

    def size(self) -> int:
        return math.factorial(self.num_nodes) * len(self.ops) ** self.num_nodes

    # ---- reading an Arch ------------------------------------------------------------------
    def nodes(self, arch: Arch) -> list[tuple[int, int, str]]:
        """[(node, input index, op name)] for nodes 1..N; input 0 is the stem."""
        c = self.check(arch).choices
        return [(i, c[2 * i - 2], self.ops[c[2 * i - 1]]) for i in range(1, self.num_nodes + 1)]

    def loose_ends(self, arch: Arch) -> list[int]:
        """Nodes no other node consumes: they are averaged into the classifier."""
        consumed = {j for _, j, _ in self.nodes(arch)}
        return [i for i in range(1, self.num_nodes + 1) if i not in consumed]

    @staticmethod
    def block_name(node: int, source: int, op: str) -> str:
        return f"node{node}<-{source}/{op}"

    def format(self, arch: Arch) -> str:
        src = lambda j: "stem" if j == 0 else f"node{j}"  # noqa: E731
        return " ".join(f"node{i}={op}({src(j)})" for i, j, op in self.nodes(arch))

    def parse(self, text: str) -> Arch:
        tokens = str(text).replace(",", " ").replace("|", " ").split()
        if len(tokens) != self.num_nodes:
            raise ValueError(
                f"cannot parse {text!r} as an architecture of {self.name!r}: expected {self.num_nodes} "
                "tokens like 'node1=relu(stem) node2=tanh(node1)'"
            )
        choices = []
        for i, token in enumerate(tokens, start=1):
            m = _TOKEN.match(token)
            if not m or int(m.group(1)) != i:
                raise ValueError(f"cannot parse {token!r} in {text!r}: expected 'node{i}=OP(INPUT)'")
            d_in, d_op = self.decisions[2 * i - 2], self.decisions[2 * i - 1]
            choices += [self._option_index(d_in, m.group(3), text), self._option_index(d_op, m.group(2), text)]
        return self.make(choices)

    # ---- the network ----------------------------------------------------------------------
    def make_blocks(self, input_shape: tuple[int, ...], num_classes: int) -> dict[str, nn.Module]:
        self.check_input_shape(input_shape)
        blocks: dict[str, nn.Module] = {"stem": nn.Linear(input_shape[0], self.width)}
        for i in range(1, self.num_nodes + 1):
            for j in range(i):
                for op in self.ops:
                    module = ops.build(ops.TEACHING_OPS, op, self.width)
                    if module is not None:
                        blocks[self.block_name(i, j, op)] = module
        blocks["classifier"] = nn.Linear(self.width, num_classes)
        return blocks

    def blocks_for(self, arch: Arch) -> tuple[str, ...]:
        used = [self.block_name(i, j, op) for i, j, op in self.nodes(arch) if ops.has_weights(ops.TEACHING_OPS, op)]
        return ("stem", *used, "classifier")

    def forward(self, blocks: nn.ModuleDict, x: torch.Tensor, arch: Arch) -> torch.Tensor:
        h = [blocks["stem"](x)]  # h[j]: output of node j, node 0 is the stem; each (B, H)
        for i, j, op in self.nodes(arch):
            if ops.has_weights(ops.TEACHING_OPS, op):
                h.append(blocks[self.block_name(i, j, op)](h[j]))
            else:
                h.append(ops.apply_free(op, h[j]))
        loose = torch.stack([h[i] for i in self.loose_ends(arch)]).mean(0)  # (B, H)
        return blocks["classifier"](loose)  # (B, classes)

    # ---- graphs ---------------------------------------------------------------------------
    def graph(self, arch: Arch):
        """The child as a networkx.DiGraph: op names on nodes, weight-block names on edges."""
        import networkx as nx

        g = nx.DiGraph(space=self.name, arch=str(arch))
        g.add_node("input", op="input", depth=0)
        g.add_node("stem", op="linear", depth=1)
        g.add_edge("input", "stem", block="stem")
        for i, j, op in self.nodes(arch):
            src = "stem" if j == 0 else f"node{j}"
            block = self.block_name(i, j, op) if ops.has_weights(ops.TEACHING_OPS, op) else None
            g.add_node(f"node{i}", op=op, depth=g.nodes[src]["depth"] + 1)
            g.add_edge(src, f"node{i}", op=op, block=block)
        g.add_node("output", op="average + linear", depth=max(d for _, d in g.nodes(data="depth")) + 1)
        for i in self.loose_ends(arch):
            g.add_edge(f"node{i}", "output", block="classifier")
        return g

    def supernet_graph(self):
        """Every candidate node and edge; an edge lists its candidate ops and their blocks."""
        import networkx as nx

        g = nx.DiGraph(space=self.name)
        g.add_node("input", op="input", depth=0)
        g.add_node("stem", op="linear", depth=1)
        g.add_edge("input", "stem", ops=("linear",), blocks=("stem",))
        for i in range(1, self.num_nodes + 1):
            g.add_node(f"node{i}", op=None, depth=i + 1, ops=self.ops)
            for j in range(i):
                blocks = tuple(
                    self.block_name(i, j, op) if ops.has_weights(ops.TEACHING_OPS, op) else None for op in self.ops
                )
                g.add_edge("stem" if j == 0 else f"node{j}", f"node{i}", ops=self.ops, blocks=blocks)
        g.add_node("output", op="average + linear", depth=self.num_nodes + 2)
        for i in range(1, self.num_nodes + 1):
            g.add_edge(f"node{i}", "output", ops=("average",), blocks=("classifier",))
        return g
