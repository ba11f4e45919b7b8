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

Owns: the blocks and forward pass of this space (its decisions, text form and graphs are those of
every one-input cell: one_input.py). Must not: hold weights.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ..arch import Arch
from .one_input import OneInputCell

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


class RecurrentSpace(OneInputCell):
    """ENAS recurrent cell with N nodes; each picks an earlier node and one of four activations."""

    kind = "recurrent"
    input_kind = "sequence"
    default_data = "mnist1d-sequence"
    defaults = {"num_nodes": 4, "width": 32}
    ops = tuple(ACTIVATIONS)
    root, graph_root, root_block = INPUT, "node0", "node0"
    input_label, root_label = "x_t, h_t-1", "highway tanh"
    op_word, example = "ACTIVATION", f"node1=tanh({INPUT}) node2=relu(node1)"

    @staticmethod
    def block_name(node: int, source: int) -> str:
        """The matrix of the pair (node, source): shared by the four activations."""
        return f"node{node}<-{source}"

    def edge_block(self, node: int, source: int, op: str) -> str:
        return self.block_name(node, source)

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
