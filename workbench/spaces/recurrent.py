"""The ENAS recurrent cell space (Pham et al. 2018, section 2.1), run over a sequence, classified at the end.

At each time step t the cell reads x_t and the previous hidden state h_{t-1}. Node 0 combines them
as ENAS's released code does (`_rnn_fn`): a highway step s_0 = h + sigmoid(c) * (tanh(a) - h), where
[a, c] = [x_t, h_{t-1}] W_0 + b_0. Each of the N searched nodes i = 1..N picks one earlier node j
(0..i-1) and one activation f of tanh, relu, identity, sigmoid, and takes the same highway step from
s_j: [a, c] = s_j W_{i,j} + b_{i,j}, s_i = s_j + sigmoid(c) * (f(a) - s_j). The weights (W_{i,j},
b_{i,j}) belong to the pair (node i, node j) and are shared by all four activations, as the paper
describes (the release code keys them per node, later per (node, input, activation), and has no
biases; here every gate's bias starts at GATE_BIAS, see there). The nodes no other node reads (loose
ends) are averaged into h_t, as in the paper (the first release averaged all nodes). After the last
step, a Linear classifier reads h_T. Size: prod_i (i * 4) = 4^N * N!: node i has i inputs (paper:
4^N x N!, "approximately 10^15" at N = 12; exactly 8.0e15).

Owns: the decisions, blocks and forward pass of this space. Must not: hold weights.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import torch
from torch import nn

from ..arch import Arch
from .base import Decision, Space

# The four activations of the paper, in its order; each is applied to the pair's shared matrix output.
ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "identity": lambda a: a,
    "sigmoid": torch.sigmoid,
}
GATE_BIAS = -2.0  # a searched node's gate starts mostly closed (sigmoid(-2) = 0.12), so the state carries
# through the stacked highway steps of a cell; highway networks start their transform gates at -1 to -3
# (Srivastava et al. 2015). With 0, a 4-node cell on 40 steps of MNIST-1D does not learn in minutes.
INPUT = "xh"  # node 0's label: x_t and h_{t-1} combined
_TOKEN = re.compile(r"^node(\d+)=([a-z0-9_]+)\((xh|node\d+)\)$")


def _highway(z: torch.Tensor, prev: torch.Tensor, act: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """prev + sigmoid(c) * (act(a) - prev), with [a, c] the two halves of z (B, 2H): (B, H)."""
    a, c = z.chunk(2, dim=-1)
    return prev + torch.sigmoid(c) * (act(a) - prev)


def _pair_block(width: int, inputs: int | None = None) -> nn.Linear:
    """A highway step's matrix and bias, `inputs` (default `width`) -> [a, c]; c's bias starts at GATE_BIAS."""
    block = nn.Linear(width if inputs is None else inputs, 2 * width)
    with torch.no_grad():
        block.bias[width:].fill_(GATE_BIAS)
    return block


class RecurrentSpace(Space):
    """ENAS recurrent cell with N nodes; each picks an earlier node and one of four activations."""

    kind = "recurrent"
    input_kind = "sequence"
    default_data = "mnist1d-sequence"
    defaults = {"num_nodes": 4, "width": 32}
    ops = tuple(ACTIVATIONS)

    def __init__(self, num_nodes: int = 4, width: int = 32):
        self.num_nodes, self.width = num_nodes, width
        decisions = []
        for i in range(1, num_nodes + 1):
            inputs = (INPUT,) + tuple(f"node{j}" for j in range(1, i))
            decisions.append(Decision(f"node{i}.input", inputs, "input", i))
            decisions.append(Decision(f"node{i}.op", self.ops, "op", i))
        super().__init__(decisions, {"num_nodes": num_nodes, "width": width})

    def size(self) -> int:
        return len(self.ops) ** self.num_nodes * math.factorial(self.num_nodes)

    # ---- reading an Arch ------------------------------------------------------------------
    def nodes(self, arch: Arch) -> list[tuple[int, int, str]]:
        """[(node, input node, activation)] for nodes 1..N; input 0 is x_t and h_{t-1} combined."""
        c = self.check(arch).choices
        return [(i, c[2 * i - 2], self.ops[c[2 * i - 1]]) for i in range(1, self.num_nodes + 1)]

    def loose_ends(self, arch: Arch) -> list[int]:
        """Nodes no other node reads: their mean is the cell's output h_t."""
        read = {j for _, j, _ in self.nodes(arch)}
        return [i for i in range(1, self.num_nodes + 1) if i not in read]

    @staticmethod
    def block_name(node: int, source: int) -> str:
        """The matrix of the pair (node, source): shared by the four activations."""
        return f"node{node}<-{source}"

    def format(self, arch: Arch) -> str:
        src = lambda j: INPUT if j == 0 else f"node{j}"  # noqa: E731
        return " ".join(f"node{i}={op}({src(j)})" for i, j, op in self.nodes(arch))

    def parse(self, text: str) -> Arch:
        tokens = str(text).replace(",", " ").replace("|", " ").split()
        if len(tokens) != self.num_nodes:
            raise ValueError(
                f"cannot parse {text!r} as an architecture of {self.name!r}: expected {self.num_nodes} "
                f"tokens like 'node1=tanh({INPUT}) node2=relu(node1)'"
            )
        choices = []
        for i, token in enumerate(tokens, start=1):
            m = _TOKEN.match(token)
            if not m or int(m.group(1)) != i:
                raise ValueError(f"cannot parse {token!r} in {text!r}: expected 'node{i}=ACTIVATION(INPUT)'")
            d_in, d_op = self.decisions[2 * i - 2], self.decisions[2 * i - 1]
            choices += [self._option_index(d_in, m.group(3), text), self._option_index(d_op, m.group(2), text)]
        return self.make(choices)

    # ---- the network ----------------------------------------------------------------------
    def make_blocks(self, input_shape: tuple[int, ...], num_classes: int) -> dict[str, nn.Module]:
        self.check_input_shape(input_shape)
        H = self.width
        blocks: dict[str, nn.Module] = {"node0": _pair_block(H, input_shape[1] + H)}
        for i in range(1, self.num_nodes + 1):
            for j in range(i):
                blocks[self.block_name(i, j)] = _pair_block(H)
        blocks["classifier"] = nn.Linear(H, num_classes)
        return blocks

    def blocks_for(self, arch: Arch) -> tuple[str, ...]:
        return ("node0", *(self.block_name(i, j) for i, j, _ in self.nodes(arch)), "classifier")

    def forward(self, blocks: nn.ModuleDict, x: torch.Tensor, arch: Arch) -> torch.Tensor:
        nodes = [(blocks[self.block_name(i, j)], j, ACTIVATIONS[op]) for i, j, op in self.nodes(arch)]
        loose = self.loose_ends(arch)
        h = x.new_zeros(x.shape[0], self.width)  # h_0 (B, H)
        for t in range(x.shape[1]):  # x: (B, T, F)
            s = [_highway(blocks["node0"](torch.cat([x[:, t], h], dim=-1)), h, torch.tanh)]  # s[j]: node j, (B, H)
            for block, j, act in nodes:
                s.append(_highway(block(s[j]), s[j], act))
            h = torch.stack([s[i] for i in loose]).mean(0)  # h_t (B, H)
        return blocks["classifier"](h)  # (B, classes)

    # ---- graphs ---------------------------------------------------------------------------
    def graph(self, arch: Arch):
        """The cell of the child as a networkx.DiGraph: activations on nodes, weight-block names on edges."""
        import networkx as nx

        g = nx.DiGraph(space=self.name, arch=str(arch))
        g.add_node("input", op="x_t, h_t-1", depth=0)
        g.add_node("node0", op="highway tanh", depth=1)
        g.add_edge("input", "node0", block="node0")
        for i, j, op in self.nodes(arch):
            g.add_node(f"node{i}", op=op, depth=g.nodes[f"node{j}"]["depth"] + 1)
            g.add_edge(f"node{j}", f"node{i}", op=op, block=self.block_name(i, j))
        g.add_node("output", op="average + linear", depth=max(d for _, d in g.nodes(data="depth")) + 1)
        for i in self.loose_ends(arch):
            g.add_edge(f"node{i}", "output", block="classifier")
        return g

    def supernet_graph(self):
        """Every candidate node and edge; an edge lists the activations and their (one, shared) block."""
        import networkx as nx

        g = nx.DiGraph(space=self.name)
        g.add_node("input", op="x_t, h_t-1", depth=0)
        g.add_node("node0", op="highway tanh", depth=1)
        g.add_edge("input", "node0", ops=("highway tanh",), blocks=("node0",))
        for i in range(1, self.num_nodes + 1):
            g.add_node(f"node{i}", op=None, depth=i + 1, ops=self.ops)
            for j in range(i):
                g.add_edge(f"node{j}", f"node{i}", ops=self.ops, blocks=(self.block_name(i, j),) * len(self.ops))
        g.add_node("output", op="average + linear", depth=self.num_nodes + 2)
        for i in range(1, self.num_nodes + 1):
            g.add_edge(f"node{i}", "output", ops=("average",), blocks=("classifier",))
        return g
