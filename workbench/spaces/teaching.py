"""The teaching space: a small DAG cell on flat inputs, every child a path through one supernet.

A stem Linear maps the input to width H. Each of N computation nodes picks one input (the stem or
an earlier node) and one op: relu, tanh or sigmoid (a Linear on that input, then the activation,
with its own weights per (node, input, op)), or identity (no weights). Nodes that no other node
consumes are averaged and fed to a Linear classifier. Size: prod_i (i * 4) = 6144 for N = 4.

Owns: the blocks and the forward pass of this space (its decisions, text form and graphs are those of
every one-input cell: one_input.py). Must not: hold weights.
"""

from __future__ import annotations

import torch
from torch import nn

from .. import ops
from ..arch import Arch
from .one_input import OneInputCell


class TeachingSpace(OneInputCell):
    """DAG cell with N nodes; each picks an input among earlier nodes and one of four ops."""

    kind = "teaching"
    input_kind = "flat"
    default_data = "mnist1d"
    defaults = {"num_nodes": 4, "width": 32}
    ops = tuple(ops.TEACHING_OPS)
    root = graph_root = root_block = "stem"
    input_label, root_label = "input", "linear"
    example = "node1=relu(stem) node2=tanh(node1)"

    @staticmethod
    def block_name(node: int, source: int, op: str) -> str:
        return f"node{node}<-{source}/{op}"

    def edge_block(self, node: int, source: int, op: str) -> str | None:
        return self.block_name(node, source, op) if ops.has_weights(ops.TEACHING_OPS, op) else None

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

    def forward(self, blocks: nn.ModuleDict, x: torch.Tensor, arch: Arch) -> torch.Tensor:
        h = [blocks["stem"](x)]  # h[j]: output of node j, node 0 is the stem; each (B, H)
        for i, j, op in self.nodes(arch):
            if ops.has_weights(ops.TEACHING_OPS, op):
                h.append(blocks[self.block_name(i, j, op)](h[j]))
            else:
                h.append(ops.apply_free(op, h[j]))
        loose = torch.stack([h[i] for i in self.loose_ends(arch)]).mean(0)  # (B, H)
        return blocks["classifier"](loose)  # (B, classes)
