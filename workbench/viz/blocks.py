"""The weight blocks and nodes of a space as the views name them: where a block sits, what a
selection names, and why a block did not change in an ω step.

    wb.viz.why_unchanged(space, record.arch, "node3<-1/tanh")
    # 'not on the path of node3=identity(stem): node3 took its input from stem, not node1, and ...'

Owns: each block's place in `space.supernet_graph()` (the edge input -> node it sits on and its op;
`stem`, `classifier` and a macro layer's BatchNorm are used by every child; a macro reduction of an
output, by the children that read that output after it), `Selection` (what `Frame.selected` names: a
weight block or a node, and the node whose decisions choose it), and `why_unchanged`. Must not:
count updates, draw, or train.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..arch import Arch
from . import _style as st
from .text import BLOCKS, words


@dataclass(frozen=True)
class BlockPlace:
    """Where one weight block sits: on the edge src -> node, as op `op`; or beside the ops (`kind`)."""

    block: str
    src: str | None  # the input it reads (an op block, a reduction)
    node: str | None  # the computation node whose decisions choose this block (a BatchNorm: its node)
    op: str | None
    kind: str = "op"  # "op", "fixed" (every child), "norm" (a layer's BatchNorm), "reduction"
    after: str | None = None  # a reduction: the layer it follows


@functools.lru_cache(maxsize=32)
def places(space) -> dict[str, BlockPlace]:
    """Block name -> its place, for every weight block of `space`'s supernet."""
    g = space.supernet_graph()
    out: dict[str, BlockPlace] = {}
    for u, v, d in g.edges(data=True):
        blocks = d.get("blocks") or ()
        searched = "ops" in g.nodes[v]
        for op, b in zip(d.get("ops") or (None,) * len(blocks), blocks):
            if b and b not in out:
                out[b] = BlockPlace(b, u, v, op) if searched else BlockPlace(b, None, None, None, "fixed")
    for n, d in g.nodes(data=True):
        if d.get("bn"):
            out.setdefault(d["bn"], BlockPlace(d["bn"], None, n, None, "norm"))
    for p in getattr(space, "reduce_after", ()):  # the macro space's reductions of each earlier output
        for j in range(p + 1):
            name, src = space.reduction_name(p, j), "stem" if j == 0 else f"layer{j}"
            out.setdefault(name, BlockPlace(name, src, None, None, "reduction", f"layer{p}"))
    return out


@functools.lru_cache(maxsize=32)
def node_names(space) -> tuple[str, ...]:
    return tuple(space.supernet_graph().nodes)


@dataclass(frozen=True)
class Selection:
    """What `Frame.selected` names: a weight block (and the node that chooses it), or a node, or nothing."""

    name: str | None = None
    block: str | None = None  # the selected weight block
    node: str | None = None  # the selected node
    owner: str | None = None  # the node whose decisions a view emphasises: the block's node, or the node


NOTHING = Selection()


def selection(space, name: str | None) -> Selection:
    """`name` (a block as in `Supernet.block_names`, e.g. "node3<-1/tanh", or a node, e.g. "node2") read
    against `space`; None selects nothing. ValueError for a name that is neither."""
    if name is None:
        return NOTHING
    if not isinstance(name, str):
        raise TypeError(f"selected must be a weight block or node name (a str) or None, got {type(name).__name__}")
    table = places(space)
    if name in table:
        return Selection(name, name, None, table[name].node)
    if name in node_names(space):
        return Selection(name, None, name, name)
    raise ValueError(
        f"selected {name!r} is neither a weight block nor a node of space {space.name!r}; "
        f"e.g. {', '.join(list(table)[1:3])} or {', '.join(node_names(space)[2:4])}"
    )


@functools.lru_cache(maxsize=256)
def _child(space, arch: Arch) -> tuple[dict[str, str], dict[str, tuple[str, str]], frozenset[str]]:
    """Of the child `arch`: node -> its token in the arch string ("node2=identity(stem)"), node -> the
    (input, op) it chose, and the blocks it uses."""
    tokens = {t.partition("=")[0]: t for t in space.format(arch).split()}
    cg = space.graph(arch)
    chosen = {v: (u, d["op"]) for u, v, d in cg.edges(data=True) if d.get("op") and v in tokens}
    return tokens, chosen, frozenset(space.blocks_for(arch))


def token(space, arch: Arch, node: str) -> str:
    """The part of `arch`'s string that sets `node`, e.g. "node2=identity(stem)" or "layer3=conv3x3"."""
    return _child(space, arch)[0][node]


def why_unchanged(space, arch: Arch, block: str, lang: str = "en", *, shown: Arch | None = None) -> str:
    """Why weight block `block` did not change in an ω step that trained the child `arch`, in one sentence.

    Off the child's path: which input or op the child chose at that node instead. On its path (or a
    block every child uses): that such a step trains it. `shown`: the child the reader looks at, when
    it is not the one the step trained; a block on its path gets "the last ω step trained another child".
    """
    space = st.check_space(space)
    space.check(arch)
    t = words(BLOCKS, lang)
    table = places(space)
    if block not in table:
        raise ValueError(
            f"{block!r} is not a weight block of space {space.name!r}; its blocks are e.g. {', '.join(list(table)[:4])}"
        )
    place = table[block]
    tokens, chosen, used = _child(space, arch)
    if place.kind in ("fixed", "norm"):
        return t("fixed", block=block)
    if place.kind == "reduction":
        key = "reduction_used" if block in used else "reduction_unused"
        return t(key, src=place.src, after=place.after, block=block)
    here = tokens[place.node]
    if block in used:
        return t("on_path", token=here)
    if shown is not None and shown != arch and block in _child(space, space.check(shown))[2]:
        return t("other_child", token=here)
    src, op = chosen[place.node]
    node = place.node
    if src != place.src and op != place.op:
        reason = t("both", node=node, got_src=src, want_src=place.src, got_op=op, want_op=place.op)
    elif src != place.src:
        reason = t("other_input", node=node, got=src, want=place.src)
    else:
        reason = t("other_op", node=node, got=op, want=place.op)
    return t("off_path", token=here, reason=reason)
