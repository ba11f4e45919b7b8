"""The ENAS micro (cell) space (Pham et al. 2018, section 2.4): a normal and a reduction cell, stacked.

A cell has two inputs, `in0` (the output two cells back) and `in1` (the previous cell's output),
and B nodes. Node i picks two inputs among in0, in1 and nodes 1..i-1 (its branches x and y, each
with its own input) and an op for each branch from {sep 3x3, sep 5x5, avg pool 3x3, max pool 3x3,
identity}; its output is the sum of the two branches. The cell's outputs that no node reads (cell
inputs included) go through ReLU, are concatenated and mapped back to the cell's channels by a 1x1
conv and BN. The controller picks one normal and one reduction cell; the network is a 3x3 stem (3C
channels), then num_layers + 2 cell layers, 0-based, of which layers d and 2d + 1 are reduction
cells and the rest normal ones (d = num_layers // 3, as the official pool_layers; `plan`), then
ReLU, global pool, dropout, linear. The paper's 6 give N N R N N R N N. A reduction cell doubles
the channels: in the search it runs at stride 1 on a factorized reduction of the previous output
(its in1), with in0 the previous output reduced once more. The first cell's
inputs, or any input of other channels or twice the resolution, are calibrated by ReLU, 1x1 conv
and BN (or a factorized reduction). All as in ENAS's released search code (`micro_child.py`
`_enas_layer`, `_enas_cell`, `_enas_conv`, `_maybe_calibrate_size`).

Weights: each branch owns its separable-conv weights per (cell layer, node, branch, input, op) and
each cell its 1x1 output conv per loose end, as the official code keys them (its variables are
indexed by the input; ops.py). The pools and identity have none. Not in the search here: the
official auxiliary head and drop-path (the release script applies drop-path to fixed cells only).

Paper values: num_nodes 5, num_layers 6, channels 20 (`cifar10_micro_search.sh`); the defaults
(5, 3, 8) keep the paper's cell and run on 8x8 digits on a CPU. Size: per cell
prod_i (5 (i + 1))^2, both cells ((B + 1)!)^4 * 5^(4B), about 2.6e25 at B = 5. The paper prints
(5 (B - 2)!)^4, about 1.3e11 at its B = 7 (our 5 plus the two inputs: `published_size()`); that
expression does not count the controller's choices (it is not the number of distinct cells).

Owns: the decisions, blocks and forward pass of this space. Must not: hold weights.
"""

from __future__ import annotations

import math
import re

import torch
import torch.nn.functional as F
from torch import nn

from .. import ops
from ..arch import Arch
from .base import Decision, Space

CELLS = ("normal", "reduce")
BRANCHES = ("x", "y")
STEM_MULTIPLIER = 3  # the stem has 3C channels (ENAS: out_filters * 3)
_TOKEN = re.compile(r"^(normal|reduce)\.node(\d+)\.([xy])=([a-z0-9_]+)\(([a-z0-9]+)\)$")


class MicroSpace(Space):
    """ENAS micro CNN: a normal and a reduction cell of B nodes, each node two (input, op) branches, summed."""

    kind = "enas-micro"
    input_kind = "image"
    default_data = "digits"
    defaults = {"num_nodes": 5, "num_layers": 3, "channels": 8}
    ops = tuple(ops.MICRO_OPS)

    def __init__(self, num_nodes: int = 5, num_layers: int = 3, channels: int = 8):
        self.num_nodes, self.num_layers, self.channels = num_nodes, num_layers, channels
        B = num_nodes
        decisions = []
        for c, cell in enumerate(CELLS):
            for i in range(1, B + 1):
                sources = self.sources(i)
                first = 1 + c * 2 * B + 2 * (i - 1)  # Decision.node: the branch's place among the graph's branches
                for b, branch in enumerate(BRANCHES):  # ENAS's order: both inputs, then both ops
                    decisions.append(Decision(f"{cell}.node{i}.{branch}.input", sources, "input", first + b, cell=cell))
                for b, branch in enumerate(BRANCHES):
                    decisions.append(Decision(f"{cell}.node{i}.{branch}.op", self.ops, "op", first + b, cell=cell))
        super().__init__(decisions, {"num_nodes": num_nodes, "num_layers": num_layers, "channels": channels})
        d = num_layers // 3  # ENAS: pool_distance; the pool layers are d and 2d + 1 of layers 0..num_layers + 1
        self.reduce_at = (d, 2 * d + 1)
        self.plan = self._plan()

    @staticmethod
    def sources(i: int) -> tuple[str, ...]:
        """The candidate inputs of node i: the cell inputs in0, in1, then nodes 1..i-1."""
        return ("in0", "in1") + tuple(f"node{j}" for j in range(1, i))

    def size(self) -> int:
        B = self.num_nodes
        return math.factorial(B + 1) ** 4 * len(self.ops) ** (4 * B)

    def published_size(self) -> int:
        """The paper's count (5 · (B_paper - 2)!)^4 with B_paper = num_nodes + 2: about 1.3e11 at 5 nodes."""
        return (len(self.ops) * math.factorial(self.num_nodes)) ** 4

    # ---- the stack ------------------------------------------------------------------------
    def _plan(self) -> tuple[tuple[int, str, int, str | None, bool, int], ...]:
        """Per cell layer: (layer, cell kind, channels C, calibration of in0, calibrate in1?, input channels of
        the reduction before it or 0). in0 calibration: "reduce" (twice the resolution), "conv" (other channels)."""
        C, prev = self.channels, [(STEM_MULTIPLIER * self.channels, 0)] * 2  # (channels, reductions) of in0, in1
        plan = []
        for layer in range(self.num_layers + 2):
            reduce_from = 0
            if layer in self.reduce_at:
                C *= 2
                reduce_from = prev[1][0]
                inputs = [prev[1], (C, prev[1][1] + 1)]  # ENAS: the reduction cell reads x and FR(x)
            else:
                inputs = prev
            (c0, s0), (c1, s1) = inputs
            calib0 = "reduce" if s0 != s1 else "conv" if c0 != C else None  # C >= 2 at every reduction
            kind = "reduce" if layer in self.reduce_at else "normal"
            plan.append((layer, kind, C, calib0, c1 != C, reduce_from))
            prev = [inputs[1], (C, s1)]
        return tuple(plan)

    def layers_of(self, cell: str) -> tuple[int, ...]:
        """The cell layers (0-based, as in ENAS) that use cell kind `cell` ("normal" or "reduce")."""
        return tuple(p[0] for p in self.plan if p[1] == cell)

    # ---- reading an Arch ------------------------------------------------------------------
    def cells(self, arch: Arch) -> dict[str, list[tuple[int, tuple[int, str], tuple[int, str]]]]:
        """Cell kind -> [(node, (input x, op x), (input y, op y))] for nodes 1..B; input 0 is in0, 1 in1,
        j + 1 node j."""
        c = self.check(arch).choices
        out = {}
        for k, cell in enumerate(CELLS):
            rows = []
            for i in range(1, self.num_nodes + 1):
                at = 4 * (k * self.num_nodes + i - 1)
                rows.append((i, (c[at], self.ops[c[at + 2]]), (c[at + 1], self.ops[c[at + 3]])))
            out[cell] = rows
        return out

    def loose_ends(self, arch: Arch, cell: str) -> list[int]:
        """Indices (0: in0, 1: in1, j + 1: node j) of the outputs of `cell` no node reads: concatenated."""
        read = {j for _, (jx, _), (jy, _) in self.cells(arch)[cell] for j in (jx, jy)}
        return [j for j in range(self.num_nodes + 2) if j not in read]

    def label(self, j: int) -> str:
        """The name of output index j of a cell: in0, in1, node1, ..."""
        return self.sources(self.num_nodes + 1)[j]

    @staticmethod
    def branch_name(layer: int, node: int, branch: str, source: str, op: str) -> str:
        return f"cell{layer}/node{node}/{branch}<-{source}/{op}"

    @staticmethod
    def out_name(layer: int, source: str) -> str:
        """The slice of cell `layer`'s 1x1 output conv that reads output `source` when it is a loose end."""
        return f"cell{layer}/out<-{source}"

    def format(self, arch: Arch) -> str:
        cells = self.cells(arch)
        return " ".join(
            f"{cell}.node{i}.{branch}={op}({self.label(j)})"
            for cell in CELLS
            for i, *branches in cells[cell]
            for branch, (j, op) in zip(BRANCHES, branches)
        )

    def parse(self, text: str) -> Arch:
        tokens = str(text).replace(",", " ").replace("|", " ").split()
        B = self.num_nodes
        if len(tokens) != 4 * B:
            raise ValueError(
                f"cannot parse {text!r} as an architecture of {self.name!r}: expected {4 * B} tokens, branches x "
                f"and y of normal.node1..node{B}, then of reduce.node1..node{B}, like "
                "'normal.node1.x=sep3x3(in1) normal.node1.y=identity(in0)'"
            )
        choices = []
        for t in range(0, 4 * B, 2):
            cell, i = CELLS[t // (2 * B)], t % (2 * B) // 2 + 1
            at = 2 * t  # the node's four decisions: x input, y input, x op, y op
            picked = []
            for b, branch in enumerate(BRANCHES):
                m = _TOKEN.match(tokens[t + b])
                if not m or (m.group(1), int(m.group(2)), m.group(3)) != (cell, i, branch):
                    raise ValueError(
                        f"cannot parse {tokens[t + b]!r} in {text!r}: expected '{cell}.node{i}.{branch}=OP(INPUT)' "
                        f"with INPUT one of {', '.join(self.sources(i))}"
                    )
                picked.append(m)
            d = self.decisions
            choices += [self._option_index(d[at + b], m.group(5), text) for b, m in enumerate(picked)]
            choices += [self._option_index(d[at + 2 + b], m.group(4), text) for b, m in enumerate(picked)]
        return self.make(choices)

    # ---- the network ----------------------------------------------------------------------
    def make_blocks(self, input_shape: tuple[int, ...], num_classes: int) -> dict[str, nn.Module]:
        self.check_input_shape(input_shape)
        blocks: dict[str, nn.Module] = {"stem": ops.stem(input_shape[0], STEM_MULTIPLIER * self.channels)}
        prev = [STEM_MULTIPLIER * self.channels] * 2  # channels of in0, in1
        for layer, _, C, calib0, calib1, reduce_from in self.plan:
            if reduce_from:
                blocks[f"cell{layer}/reduce"] = ops.FactorizedReduction(reduce_from, C)
                prev = [prev[1], C]
            if calib0 == "reduce":
                blocks[f"cell{layer}/calib0"] = ops.relu_reduce(prev[0], C)
            elif calib0 == "conv":
                blocks[f"cell{layer}/calib0"] = ops.relu_conv_bn(prev[0], C)
            if calib1:
                blocks[f"cell{layer}/calib1"] = ops.relu_conv_bn(prev[1], C)
            for i in range(1, self.num_nodes + 1):
                for branch in BRANCHES:
                    for source in self.sources(i):
                        for op in self.ops:
                            module = ops.build(ops.MICRO_OPS, op, C)
                            if module is not None:
                                blocks[self.branch_name(layer, i, branch, source, op)] = module
            for j in range(self.num_nodes + 2):
                blocks[self.out_name(layer, self.label(j))] = nn.Conv2d(C, C, 1, bias=False)
            blocks[f"cell{layer}/out_bn"] = nn.BatchNorm2d(C)
            prev = [prev[1], C]
        blocks["classifier"] = ops.Head(self.plan[-1][2], num_classes)
        return blocks

    def blocks_for(self, arch: Arch) -> tuple[str, ...]:
        cells = self.cells(arch)
        loose = {cell: self.loose_ends(arch, cell) for cell in CELLS}
        used = ["stem"]
        for layer, cell, _, calib0, calib1, reduce_from in self.plan:
            used += [f"cell{layer}/reduce"] * bool(reduce_from)
            used += [f"cell{layer}/calib0"] * bool(calib0) + [f"cell{layer}/calib1"] * bool(calib1)
            for i, (jx, ox), (jy, oy) in cells[cell]:
                for branch, j, op in (("x", jx, ox), ("y", jy, oy)):
                    if ops.has_weights(ops.MICRO_OPS, op):
                        used.append(self.branch_name(layer, i, branch, self.label(j), op))
            used += [self.out_name(layer, self.label(j)) for j in loose[cell]] + [f"cell{layer}/out_bn"]
        return (*used, "classifier")

    def forward(self, blocks: nn.ModuleDict, x: torch.Tensor, arch: Arch) -> torch.Tensor:
        cells = self.cells(arch)
        loose = {cell: self.loose_ends(arch, cell) for cell in CELLS}
        stem = blocks["stem"](x)  # (B, 3C, H, W)
        prev = [stem, stem]  # the raw in0, in1 of the next cell
        for layer, cell, _, calib0, calib1, reduce_from in self.plan:
            if reduce_from:  # ENAS: FR(x) becomes in1, x itself in0 (calibrated below by a second reduction)
                prev = [prev[1], blocks[f"cell{layer}/reduce"](prev[1])]  # (B, C, H/2, W/2)
            h = [
                blocks[f"cell{layer}/calib0"](prev[0]) if calib0 else prev[0],
                blocks[f"cell{layer}/calib1"](prev[1]) if calib1 else prev[1],
            ]  # h[j]: output j of this cell, each (B, C, H', W')
            for i, (jx, ox), (jy, oy) in cells[cell]:
                branch_out = []
                for branch, j, op in (("x", jx, ox), ("y", jy, oy)):
                    if ops.has_weights(ops.MICRO_OPS, op):
                        branch_out.append(blocks[self.branch_name(layer, i, branch, self.label(j), op)](h[j]))
                    else:
                        branch_out.append(ops.MICRO_FUNCTIONS[op](h[j]))
                h.append(branch_out[0] + branch_out[1])
            # ReLU, concatenate the loose ends, 1x1 conv: the conv's weight is one C x C slice per loose end
            y = sum(blocks[self.out_name(layer, self.label(j))](F.relu(h[j])) for j in loose[cell])
            prev = [prev[1], blocks[f"cell{layer}/out_bn"](y)]
        return blocks["classifier"](F.relu(prev[1]))  # (B, classes)

    # ---- graphs ---------------------------------------------------------------------------
    def _input_blocks(self, layer: int) -> tuple[str | None, str | None]:
        """The fixed blocks on the way into in0 and in1 of cell `layer` (calibrations, the reduction)."""
        _, _, _, calib0, calib1, reduce_from = self.plan[layer]
        in0 = f"cell{layer}/calib0" if calib0 else None
        in1 = f"cell{layer}/reduce" if reduce_from else f"cell{layer}/calib1" if calib1 else None
        return in0, in1

    def _depth(self, cell: str, place: int) -> int:
        """Depth of a graph node: 0 input, 1 stem, then per cell its inputs, branches/sums, output."""
        return 2 + CELLS.index(cell) * (2 * self.num_nodes + 2) + place

    def graph(self, arch: Arch):
        """The child's two cells as a networkx.DiGraph: a node per branch (`normal.node2.x`, its op and its
        input on the edge into it) and per sum (`normal.node2`); loose ends feed the cell's `out` (its `bn`
        names the BatchNorm after the 1x1 conv); the edges into a cell's inputs name their calibrations.

        Each cell kind is drawn once; its edges name the blocks of its first layer (`layers` on the
        graph lists every layer of each kind)."""
        import networkx as nx

        g = nx.DiGraph(space=self.name, arch=str(arch), layers={c: self.layers_of(c) for c in CELLS})
        g.add_node("input", op="input", depth=0)
        g.add_node("stem", op="conv3x3", depth=1)
        g.add_edge("input", "stem", block="stem")
        cells = self.cells(arch)
        prev = "stem"
        for cell in CELLS:
            layer = self.layers_of(cell)[0]
            names = [f"{cell}.{s}" for s in self.sources(self.num_nodes + 1)]
            for j, block in enumerate(self._input_blocks(layer)):
                g.add_node(names[j], op="cell input", depth=self._depth(cell, 0))
                g.add_edge(prev, names[j], block=block)
            for i, *branches in cells[cell]:
                for branch, (j, op) in zip(BRANCHES, branches):
                    block = self.branch_name(layer, i, branch, self.label(j), op)
                    block = block if ops.has_weights(ops.MICRO_OPS, op) else None
                    g.add_node(f"{cell}.node{i}.{branch}", op=op, depth=self._depth(cell, 2 * i - 1))
                    g.add_edge(names[j], f"{cell}.node{i}.{branch}", op=op, block=block)
                g.add_node(names[i + 1], op="add", depth=self._depth(cell, 2 * i))
                for branch in BRANCHES:
                    g.add_edge(f"{cell}.node{i}.{branch}", names[i + 1], block=None)
            out_depth = self._depth(cell, 2 * self.num_nodes + 1)
            g.add_node(f"{cell}.out", op="concat + 1x1 conv", depth=out_depth, bn=f"cell{layer}/out_bn")
            for j in self.loose_ends(arch, cell):
                g.add_edge(names[j], f"{cell}.out", block=self.out_name(layer, self.label(j)))
            prev = f"{cell}.out"
        g.add_node("output", op="pool + linear", depth=self._depth("reduce", 2 * self.num_nodes + 2))
        g.add_edge(prev, "output", block="classifier")
        return g

    def supernet_graph(self):
        """Every branch node with its candidate ops (`ops`) and an edge from each candidate input; an edge
        lists the ops and the blocks of the cell kind's first layer (None for the pools and identity)."""
        import networkx as nx

        g = nx.DiGraph(space=self.name, layers={c: self.layers_of(c) for c in CELLS})
        g.add_node("input", op="input", depth=0)
        g.add_node("stem", op="conv3x3", depth=1)
        g.add_edge("input", "stem", ops=("conv3x3",), blocks=("stem",))
        prev = "stem"
        for cell in CELLS:
            layer = self.layers_of(cell)[0]
            names = [f"{cell}.{s}" for s in self.sources(self.num_nodes + 1)]
            for j, block in enumerate(self._input_blocks(layer)):
                g.add_node(names[j], op="cell input", depth=self._depth(cell, 0))
                g.add_edge(prev, names[j], blocks=(block,) if block else ())
            for i in range(1, self.num_nodes + 1):
                for branch in BRANCHES:
                    node = f"{cell}.node{i}.{branch}"
                    g.add_node(node, op=None, depth=self._depth(cell, 2 * i - 1), ops=self.ops)
                    for j, source in enumerate(self.sources(i)):
                        blocks = tuple(
                            self.branch_name(layer, i, branch, source, op)
                            if ops.has_weights(ops.MICRO_OPS, op)
                            else None
                            for op in self.ops
                        )
                        g.add_edge(names[j], node, ops=self.ops, blocks=blocks)
                g.add_node(names[i + 1], op="add", depth=self._depth(cell, 2 * i))
                for branch in BRANCHES:
                    g.add_edge(f"{cell}.node{i}.{branch}", names[i + 1], blocks=())
            out_depth = self._depth(cell, 2 * self.num_nodes + 1)
            g.add_node(f"{cell}.out", op="concat + 1x1 conv", depth=out_depth, bn=f"cell{layer}/out_bn")
            for j, source in enumerate(self.sources(self.num_nodes + 1)):
                g.add_edge(names[j], f"{cell}.out", ops=("concat",), blocks=(self.out_name(layer, source),))
            prev = f"{cell}.out"
        g.add_node("output", op="pool + linear", depth=self._depth("reduce", 2 * self.num_nodes + 2))
        g.add_edge(prev, "output", ops=("average + linear",), blocks=("classifier",))
        return g
