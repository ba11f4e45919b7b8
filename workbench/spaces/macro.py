"""The ENAS macro space (Pham et al. 2018, section 2.3): a chain of L conv layers with skips.

Layer i applies one of six branches to layer i-1's output (conv 3x3/5x5, depthwise-separable conv
3x3/5x5, max/avg pool 3x3; each starts with a 1x1 conv, ops.py) and decides, for every earlier
output except its own input (the stem, called layer 0, and layers 1..i-2), whether it is a skip
input; from layer 2 on, the branch output and the chosen skips are summed and batch-normalised.
The resolution halves after layers L//3 and 2·(L//3), by a factorized reduction of every earlier
output that a later layer still reads; the head is global pool, dropout, linear. All as in ENAS's
released search code (`general_child.py`), including its fixed channel count while searching.
Size: 6^L * 2^(L(L-1)/2), about 1.6e29 for L = 12.

Owns: the decisions, blocks and forward pass of this space. Must not: hold weights.
"""

from __future__ import annotations

import re

import torch
from torch import nn

from .. import ops
from ..arch import Arch
from .base import Decision, Space

_TOKEN = re.compile(r"^layer(\d+)=([a-z0-9_]+)(?:\+skip\(([\d,]+)\))?$")


def _sources(i: int) -> str:
    """The valid skip sources of layer i, in words."""
    return "none (layer1 reads only the stem)" if i == 1 else "0 (the stem)" + (f" to {i - 2}" if i > 2 else "")


class MacroSpace(Space):
    """ENAS macro CNN: L layers, each one op of six plus a skip decision per earlier output but its input."""

    kind = "enas-macro"
    input_kind = "image"
    default_data = "digits"
    defaults = {"num_layers": 12, "channels": 16}
    ops = tuple(ops.MACRO_OPS)

    def __init__(self, num_layers: int = 12, channels: int = 16):
        self.num_layers, self.channels = num_layers, channels
        decisions = []
        for i in range(1, num_layers + 1):
            decisions.append(Decision(f"layer{i}.op", self.ops, "op", i))
            for j in range(i - 1):  # ENAS: prev_layers[0..i-2], the stem first; layer i-1 is the input already
                decisions.append(Decision(f"layer{i}.skip{j}", ("no", "yes"), "skip", i, source=j))
        super().__init__(decisions, {"num_layers": num_layers, "channels": channels})
        d = num_layers // 3  # ENAS: pool_distance; the pool layers are d - 1 and 2d - 1 counted from 0
        self.reduce_after = tuple(sorted({p for p in (d, 2 * d) if 0 < p < num_layers}))
        if self.reduce_after and channels < 2:
            raise ValueError(
                f"channels={channels} is too few for {self.name!r}: a factorized reduction splits the "
                "channels over two paths; use channels >= 2"
            )
        self._op_index = [k for k, d in enumerate(self.decisions) if d.kind == "op"]

    def size(self) -> int:
        L = self.num_layers
        return len(self.ops) ** L * 2 ** (L * (L - 1) // 2)

    # ---- reading an Arch ------------------------------------------------------------------
    def layers(self, arch: Arch) -> list[tuple[int, str, tuple[int, ...]]]:
        """[(layer, op name, skip sources)] for layers 1..L; source 0 is the stem."""
        c = self.check(arch).choices
        return [
            (i, self.ops[c[k]], tuple(j for j in range(i - 1) if c[k + 1 + j]))
            for i, k in enumerate(self._op_index, start=1)
        ]

    def skip_rate(self, arch: Arch) -> float:
        """Share of the skip decisions that chose a skip (0 when there are none)."""
        flags = [c for d, c in zip(self.decisions, self.check(arch).choices) if d.kind == "skip"]
        return sum(flags) / len(flags) if flags else 0.0

    @staticmethod
    def block_name(layer: int, op: str) -> str:
        return f"layer{layer}/{op}"

    @staticmethod
    def norm_name(layer: int) -> str:
        """The BatchNorm after layer `layer`'s sum (layers 2..L)."""
        return f"layer{layer}/bn"

    @staticmethod
    def reduction_name(after: int, source: int) -> str:
        """The factorized reduction of output `source` (0: the stem) at the reduction after layer `after`."""
        return f"reduce{after}/" + ("stem" if source == 0 else f"layer{source}")

    def reductions(self, arch: Arch) -> list[tuple[int, int]]:
        """[(after layer, source)]: the reductions the child computes, for the outputs a later layer reads."""
        layers = self.layers(arch)
        last = {j: j + 1 for j in range(self.num_layers + 1)}  # output j's last reader: its chain successor...
        for i, _, skips in layers:
            for j in skips:
                last[j] = max(last[j], i)  # ...or a later layer that skips from it
        return [(p, j) for p in self.reduce_after for j in range(p + 1) if last[j] > p]

    def format(self, arch: Arch) -> str:
        def token(i, op, skips):
            return f"layer{i}={op}" + (f"+skip({','.join(map(str, skips))})" if skips else "")

        return " ".join(token(*t) for t in self.layers(arch))

    def parse(self, text: str) -> Arch:
        tokens = str(text).replace("|", " ").split()
        if len(tokens) != self.num_layers:
            raise ValueError(
                f"cannot parse {text!r} as an architecture of {self.name!r}: expected {self.num_layers} "
                "tokens like 'layer1=conv3x3 layer2=maxpool3x3+skip(0)' (skip sources: 0 is the stem)"
            )
        choices = []
        for i, token in enumerate(tokens, start=1):
            m = _TOKEN.match(token)
            if not m or int(m.group(1)) != i:
                raise ValueError(
                    f"cannot parse {token!r} in {text!r}: expected 'layer{i}=OP' or 'layer{i}=OP+skip(J,...)'"
                )
            skips = {int(s) for s in m.group(3).split(",") if s} if m.group(3) else set()
            bad = sorted(s for s in skips if not 0 <= s <= i - 2)
            if bad:
                raise ValueError(
                    f"layer{i} cannot skip from layer(s) {bad} in {text!r}: valid sources are {_sources(i)}"
                )
            choices.append(self._option_index(self.decisions[self._op_index[i - 1]], m.group(2), text))
            choices += [int(j in skips) for j in range(i - 1)]
        return self.make(choices)

    # ---- the network ----------------------------------------------------------------------
    def make_blocks(self, input_shape: tuple[int, ...], num_classes: int) -> dict[str, nn.Module]:
        self.check_input_shape(input_shape)
        C = self.channels
        blocks: dict[str, nn.Module] = {"stem": ops.stem(input_shape[0], C)}
        for i in range(1, self.num_layers + 1):
            for op in self.ops:
                blocks[self.block_name(i, op)] = ops.build(ops.MACRO_OPS, op, C)
            if i > 1:
                blocks[self.norm_name(i)] = ops.sum_norm(C)
            if i in self.reduce_after:
                for j in range(i + 1):
                    blocks[self.reduction_name(i, j)] = ops.FactorizedReduction(C)
        blocks["classifier"] = ops.Head(C, num_classes)
        return blocks

    def blocks_for(self, arch: Arch) -> tuple[str, ...]:
        used = ["stem"]
        for i, op, _ in self.layers(arch):
            used += [self.block_name(i, op)] + ([self.norm_name(i)] if i > 1 else [])
        used += [self.reduction_name(p, j) for p, j in self.reductions(arch)]
        return (*used, "classifier")

    def forward(self, blocks: nn.ModuleDict, x: torch.Tensor, arch: Arch) -> torch.Tensor:
        reduce: dict[int, list[int]] = {}
        for p, j in self.reductions(arch):
            reduce.setdefault(p, []).append(j)
        outs = {0: blocks["stem"](x)}  # output j (0: the stem) at the current resolution, (B, C, H, W)
        for i, op, skips in self.layers(arch):
            y = blocks[self.block_name(i, op)](outs[i - 1])  # (B, C, H, W)
            if i > 1:
                for j in skips:
                    y = y + outs[j]
                y = blocks[self.norm_name(i)](y)
            outs[i] = y
            if i in reduce:  # only the outputs a later layer reads: the others are never used again
                outs = {j: blocks[self.reduction_name(i, j)](outs[j]) for j in reduce[i]}  # (B, C, H/2, W/2)
        return blocks["classifier"](outs[self.num_layers])  # (B, classes)

    # ---- graphs ---------------------------------------------------------------------------
    @staticmethod
    def _node(j: int) -> str:
        return "stem" if j == 0 else f"layer{j}"

    def graph(self, arch: Arch):
        """The child as a networkx.DiGraph: op names on layer nodes, chain and skip edges.

        A layer node also names its sum's BatchNorm (`bn`) and the reductions computed after it
        (`reductions`), blocks the child uses that lie on no edge."""
        import networkx as nx

        g = nx.DiGraph(space=self.name, arch=str(arch))
        g.add_node("input", op="input", depth=0)
        g.add_node("stem", op="conv3x3", depth=1)
        g.add_edge("input", "stem", kind="chain", block="stem", skip=False)
        reductions = self.reductions(arch)
        for i, op, skips in self.layers(arch):
            block = self.block_name(i, op)
            g.add_node(
                f"layer{i}",
                op=op,
                depth=i + 1,
                block=block,
                bn=self.norm_name(i) if i > 1 else None,
                reductions=tuple(self.reduction_name(p, j) for p, j in reductions if p == i),
            )
            g.add_edge(self._node(i - 1), f"layer{i}", kind="chain", op=op, block=block, skip=False)
            for j in skips:
                g.add_edge(self._node(j), f"layer{i}", kind="skip", block=None, skip=True)
        g.add_node("output", op="pool + linear", depth=self.num_layers + 2)
        g.add_edge(f"layer{self.num_layers}", "output", kind="chain", block="classifier", skip=False)
        return g

    def supernet_graph(self):
        """Every layer with its candidate ops, every chain edge and every possible skip edge."""
        import networkx as nx

        g = nx.DiGraph(space=self.name)
        g.add_node("input", op="input", depth=0)
        g.add_node("stem", op="conv3x3", depth=1)
        g.add_edge("input", "stem", kind="chain", blocks=("stem",), skip=False)
        for i in range(1, self.num_layers + 1):
            blocks = tuple(self.block_name(i, op) for op in self.ops)
            reductions = tuple(self.reduction_name(i, j) for j in range(i + 1)) if i in self.reduce_after else ()
            bn = self.norm_name(i) if i > 1 else None
            g.add_node(f"layer{i}", op=None, depth=i + 1, ops=self.ops, blocks=blocks, bn=bn, reductions=reductions)
            g.add_edge(self._node(i - 1), f"layer{i}", kind="chain", ops=self.ops, blocks=blocks, skip=False)
            for j in range(i - 1):
                g.add_edge(self._node(j), f"layer{i}", kind="skip", blocks=(), skip=True)
        g.add_node("output", op="pool + linear", depth=self.num_layers + 2)
        g.add_edge(f"layer{self.num_layers}", "output", kind="chain", blocks=("classifier",), skip=False)
        return g
