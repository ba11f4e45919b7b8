"""The ENAS macro space (Pham et al. 2018, section 2.3): a chain of L conv layers with skips.

Layer i applies one of six ops to layer i-1's output (conv 3x3/5x5, depthwise-separable conv
3x3/5x5, max/avg pool 3x3) and, for every earlier layer j < i, decides whether j's output is a
skip input; the op output and the chosen skips are averaged. As in ENAS, the resolution halves
after layers L//3 and 2L//3. Departures, for small images on a CPU: the reductions are parameter-
free 2x2 average pools and the channel count stays fixed; pools carry no 1x1 convolution.
Size: 6^L * 2^(L(L-1)/2), about 1.6e29 for L = 12.

Owns: the decisions, blocks and forward pass of this space. Must not: hold weights.
"""

from __future__ import annotations

import re

import torch
import torch.nn.functional as F
from torch import nn

from .. import ops
from ..arch import Arch
from .base import Decision, Space

_TOKEN = re.compile(r"^layer(\d+)=([a-z0-9_]+)(?:\+skip\(([\d,]+)\))?$")


class MacroSpace(Space):
    """ENAS macro CNN: L layers, each one op of six plus a skip decision per earlier layer."""

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
            for j in range(1, i):
                decisions.append(Decision(f"layer{i}.skip{j}", ("no", "yes"), "skip", i, source=j))
        super().__init__(decisions, {"num_layers": num_layers, "channels": channels})
        # resolution halves after these layers (ENAS: pool_distance = L // 3)
        self.reduce_after = tuple(sorted({p for p in (num_layers // 3, 2 * num_layers // 3) if 0 < p < num_layers}))
        self._op_index = [k for k, d in enumerate(self.decisions) if d.kind == "op"]

    def size(self) -> int:
        L = self.num_layers
        return len(self.ops) ** L * 2 ** (L * (L - 1) // 2)

    # ---- reading an Arch ------------------------------------------------------------------
    def layers(self, arch: Arch) -> list[tuple[int, str, tuple[int, ...]]]:
        """[(layer, op name, skip sources)] for layers 1..L."""
        c = self.check(arch).choices
        out = []
        for i, k in enumerate(self._op_index, start=1):
            skips = tuple(j for j in range(1, i) if c[k + j] == 1)
            out.append((i, self.ops[c[k]], skips))
        return out

    def skip_rate(self, arch: Arch) -> float:
        """Share of the skip decisions that chose a skip (0 when there are none)."""
        flags = [c for d, c in zip(self.decisions, self.check(arch).choices) if d.kind == "skip"]
        return sum(flags) / len(flags) if flags else 0.0

    @staticmethod
    def block_name(layer: int, op: str) -> str:
        return f"layer{layer}/{op}"

    def format(self, arch: Arch) -> str:
        def token(i, op, skips):
            return f"layer{i}={op}" + (f"+skip({','.join(map(str, skips))})" if skips else "")

        return " ".join(token(*t) for t in self.layers(arch))

    def parse(self, text: str) -> Arch:
        tokens = str(text).replace("|", " ").split()
        if len(tokens) != self.num_layers:
            raise ValueError(
                f"cannot parse {text!r} as an architecture of {self.name!r}: expected {self.num_layers} "
                "tokens like 'layer1=conv3x3 layer2=maxpool3x3+skip(1)'"
            )
        choices = []
        for i, token in enumerate(tokens, start=1):
            m = _TOKEN.match(token)
            if not m or int(m.group(1)) != i:
                raise ValueError(
                    f"cannot parse {token!r} in {text!r}: expected 'layer{i}=OP' or 'layer{i}=OP+skip(J,...)'"
                )
            skips = {int(s) for s in m.group(3).split(",") if s} if m.group(3) else set()
            bad = sorted(s for s in skips if not 1 <= s < i)
            if bad:
                raise ValueError(f"layer{i} cannot skip from layer(s) {bad} in {text!r}: valid sources are 1..{i - 1}")
            choices.append(self._option_index(self.decisions[self._op_index[i - 1]], m.group(2), text))
            choices += [int(j in skips) for j in range(1, i)]
        return self.make(choices)

    # ---- the network ----------------------------------------------------------------------
    def make_blocks(self, input_shape: tuple[int, ...], num_classes: int) -> dict[str, nn.Module]:
        self.check_input_shape(input_shape)
        C = self.channels
        blocks: dict[str, nn.Module] = {
            "stem": nn.Sequential(nn.Conv2d(input_shape[0], C, 3, padding=1, bias=False), nn.BatchNorm2d(C))
        }
        for i in range(1, self.num_layers + 1):
            for op in self.ops:
                module = ops.build(ops.MACRO_OPS, op, C)
                if module is not None:
                    blocks[self.block_name(i, op)] = module
        blocks["classifier"] = nn.Linear(C, num_classes)
        return blocks

    def blocks_for(self, arch: Arch) -> tuple[str, ...]:
        used = [self.block_name(i, op) for i, op, _ in self.layers(arch) if ops.has_weights(ops.MACRO_OPS, op)]
        return ("stem", *used, "classifier")

    def forward(self, blocks: nn.ModuleDict, x: torch.Tensor, arch: Arch) -> torch.Tensor:
        prev = blocks["stem"](x)  # (B, C, H, W)
        outs: list[torch.Tensor] = []  # outs[j - 1]: layer j's output at the current resolution
        for i, op, skips in self.layers(arch):
            if ops.has_weights(ops.MACRO_OPS, op):
                y = blocks[self.block_name(i, op)](prev)
            else:
                y = ops.apply_free(op, prev)
            if skips:
                y = (y + sum(outs[j - 1] for j in skips)) / (1 + len(skips))
            outs.append(y)
            if i in self.reduce_after:
                outs = [F.avg_pool2d(o, 2, ceil_mode=True) for o in outs]
            prev = outs[-1]
        return blocks["classifier"](prev.mean(dim=(2, 3)))  # (B, classes)

    # ---- graphs ---------------------------------------------------------------------------
    def graph(self, arch: Arch):
        """The child as a networkx.DiGraph: op names on layer nodes, chain and skip edges."""
        import networkx as nx

        g = nx.DiGraph(space=self.name, arch=str(arch))
        g.add_node("input", op="input", depth=0)
        g.add_node("stem", op="conv3x3", depth=1)
        g.add_edge("input", "stem", kind="chain", block="stem", skip=False)
        for i, op, skips in self.layers(arch):
            block = self.block_name(i, op) if ops.has_weights(ops.MACRO_OPS, op) else None
            g.add_node(f"layer{i}", op=op, depth=i + 1, block=block)
            # a skip from the previous layer rides on the chain edge (a DiGraph has one edge per pair)
            g.add_edge(
                "stem" if i == 1 else f"layer{i - 1}",
                f"layer{i}",
                kind="chain",
                op=op,
                block=block,
                skip=(i - 1) in skips,
            )
            for j in skips:
                if j < i - 1:
                    g.add_edge(f"layer{j}", f"layer{i}", kind="skip", block=None, skip=True)
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
            blocks = tuple(self.block_name(i, op) if ops.has_weights(ops.MACRO_OPS, op) else None for op in self.ops)
            g.add_node(f"layer{i}", op=None, depth=i + 1, ops=self.ops, blocks=blocks)
            g.add_edge(
                "stem" if i == 1 else f"layer{i - 1}",
                f"layer{i}",
                kind="chain",
                ops=self.ops,
                blocks=blocks,
                skip=i > 1,
            )
            for j in range(1, i - 1):
                g.add_edge(f"layer{j}", f"layer{i}", kind="skip", blocks=(), skip=True)
        g.add_node("output", op="pool + linear", depth=self.num_layers + 2)
        g.add_edge(f"layer{self.num_layers}", "output", kind="chain", blocks=("classifier",), skip=False)
        return g
