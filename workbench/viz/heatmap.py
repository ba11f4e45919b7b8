"""How often each shared weight block was updated: a heatmap of update counts.

Owns: `plot_update_heatmap`, its data layer `_get_update_info`: the space's weight blocks laid
out as rows (teaching: node and input; macro: layer) by columns (ops), with two counts per block
(ω steps that gave it a gradient, ω steps that changed its value), raw or as a share of all ω
steps, the share a uniform sampler would give, why each block did not change in the last ω step
(blocks.why_unchanged), which cells `selected` outlines, and the app's live "heatmap" view; its
skeleton and patch are heatmap_draw.py's. Must not: count anything itself (tracking.py does) or train.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from ..arch import Arch
from ..history import SharedRecord
from ..tracking import UpdateCounts
from . import _graph
from . import _style as st
from .blocks import selection, why_unchanged
from .heatmap_draw import update_patch, update_skeleton
from .text import HEATMAP, check_lang, words
from .view import Frame, View, register, render


@dataclass(frozen=True)
class _UpdateInfo:
    """Per cell (row, op): its weight block, gradient and change counts; None where an op has no weights."""

    space: str
    steps: int
    normalize: bool
    rows: tuple[str, ...]  # "node3 ← node1" (teaching) or "layer3" (macro)
    columns: tuple[str, ...]  # the ops
    blocks: tuple[tuple[str | None, ...], ...]  # (rows, columns)
    grad: tuple[tuple[int | None, ...], ...]
    changed: tuple[tuple[int | None, ...], ...]
    uniform: tuple[tuple[float | None, ...], ...]  # share of ω steps a uniform sampler would give
    fixed: tuple[tuple[str, int, int], ...]  # blocks every child uses: (name, grad, changed)
    lang: str = "en"
    row_nodes: tuple[str, ...] = ()  # the node each row belongs to
    last: tuple[tuple[str, ...], ...] = ()  # (rows, columns): what the last ω step did to the block, and why
    selected: tuple[tuple[int, int], ...] = ()  # (row, column) of the cells `selected` outlines
    hint: str = "hint_api"  # the empty figure's hint: an API call, or the app's button

    @property
    def mismatches(self) -> tuple[tuple[int, int], ...]:
        """(row, column) of the cells whose value changed in a different number of steps than got a gradient."""
        return tuple(
            (r, c)
            for r, row in enumerate(self.grad)
            for c, g in enumerate(row)
            if g is not None and g != self.changed[r][c]
        )

    def values(self, which: str) -> tuple[tuple[float | None, ...], ...]:
        """The counts of `which` ("grad" or "changed"), or their shares of all ω steps when normalized."""
        table = self.grad if which == "grad" else self.changed
        if not self.normalize:
            return table
        return tuple(tuple(None if v is None else v / self.steps if self.steps else 0.0 for v in row) for row in table)


def _last_shared(history) -> SharedRecord | None:
    for i in range(len(history) - 1, -1, -1):
        if isinstance(history[i], SharedRecord):
            return history[i]
    return None


def _get_update_info(
    update_counts: UpdateCounts,
    space,
    normalize: bool = False,
    lang: str = "en",
    selected: str | None = None,
    history=None,
    arch: Arch | None = None,
    hint: str = "hint_api",
) -> _UpdateInfo:
    """The counts of `update_counts` (trainer.update_counts) arranged as `space`'s table of blocks.

    `history`: the run's records: each cell then says what the last ω step did to its block, and
    why it did not change; `arch`: the child the reader looks at (the arch view's). `selected`: a
    weight block or node whose cells are outlined.
    """
    space = st.check_space(space)
    t = words(HEATMAP, check_lang(lang))
    if not isinstance(update_counts, UpdateCounts):
        raise TypeError(
            f"update_counts must be a wb.UpdateCounts (trainer.update_counts), got "
            f"{type(update_counts).__name__}: {update_counts!r}"
        )
    if not isinstance(normalize, bool):
        raise TypeError(f"normalize must be True or False, got {normalize!r}")
    sel = selection(space, selected)
    g = space.supernet_graph()
    comp = _graph.computation_nodes(g)
    choices = {n: {d.kind: len(d.options) for d in space.decisions if d.node == k} for k, n in enumerate(comp, start=1)}
    rows, nodes, blocks, uniform = [], [], [], []
    for dst in comp:
        edges = [(u, d) for u, _, d in g.in_edges(dst, data=True) if "ops" in d]
        for src, d in edges:
            rows.append(dst if len(edges) == 1 else f"{dst} ← {src}")
            nodes.append(dst)
            blocks.append(tuple(d["blocks"][d["ops"].index(op)] if op in d["ops"] else None for op in space.ops))
            share = 1 / (choices[dst].get("input", 1) * choices[dst].get("op", 1))
            uniform.append(tuple(share if b else None for b in blocks[-1]))
    cells = {b: sum(row.count(b) for row in blocks) for row in blocks for b in row if b}  # recurrent: 4 per block
    uniform = [tuple(None if u is None else u * cells[b] for u, b in zip(us, bs)) for us, bs in zip(uniform, blocks)]
    fixed_names = [
        b for _, _, bs in g.edges(data="blocks") for b in (bs or ()) if b and not any(b in row for row in blocks)
    ]
    needed = {b for row in blocks for b in row if b} | set(fixed_names)
    missing = sorted(needed - set(update_counts.blocks))
    if missing:
        raise ValueError(
            f"update_counts lacks weight blocks of space {space.name!r}, e.g. {missing[:3]}; "
            f"its blocks are {list(update_counts.blocks)[:3]}...: were they counted on another space?"
        )
    record = _last_shared(st.check_records(history)) if history is not None else None
    if record is not None:
        space.check(record.arch)
    shown = space.check(arch) if arch is not None else None

    def last(block: str | None) -> str:
        if record is None or block is None:
            return ""
        if block in record.changed:
            return t("last_updated")
        return t("last_unchanged", why=why_unchanged(space, record.arch, block, lang, shown=shown))

    count = lambda table: tuple(tuple(None if b is None else table[b] for b in row) for row in blocks)  # noqa: E731
    fixed = tuple((b, update_counts.grad[b], update_counts.changed[b]) for b in dict.fromkeys(fixed_names))
    picked = tuple(
        (r, c)
        for r, row in enumerate(blocks)
        for c, b in enumerate(row)
        if (sel.block is not None and b == sel.block) or (sel.node is not None and nodes[r] == sel.node)
    )
    return _UpdateInfo(
        space.name,
        update_counts.steps,
        normalize,
        tuple(rows),
        tuple(space.ops),
        tuple(blocks),
        count(update_counts.grad),
        count(update_counts.changed),
        tuple(uniform),
        fixed,
        lang,
        tuple(nodes),
        tuple(tuple(last(b) for b in row) for row in blocks),
        picked,
        hint,
    )


def plot_update_heatmap(
    update_counts: UpdateCounts,
    space,
    normalize: bool = False,
    lang: str = "en",
    selected: str | None = None,
    history=None,
    arch: Arch | None = None,
    height: int | None = None,
) -> go.Figure:
    """How many ω steps gave each weight block a gradient, and how many changed its value.

    `normalize=True` shows shares of all ω steps instead of counts, to compare runs and samplers.
    `history` (trainer.history): the hover says what the last ω step did to each block and why it
    did not change; `arch`: the child you are looking at (e.g. a sampled one). `lang`: "en" or
    "zh"; `selected`: a weight block or node to outline; `height`: in px (under 450: one panel,
    for a dashboard about 630 px wide).
    """
    info = _get_update_info(update_counts, space, normalize, lang, selected, history, arch)
    skeleton = update_skeleton(lang, height)
    return render(skeleton, *update_patch(info, skeleton))


def _frame_info(frame: Frame) -> _UpdateInfo:
    return _get_update_info(
        frame.counts, frame.space, False, frame.lang, frame.selected, frame.history, frame.arch, "hint_app"
    )


VIEW = register(
    View(
        "heatmap",
        place=20,
        reads={"counts", "history", "arch", "lang", "selected"},
        info=_frame_info,
        skeleton=lambda space, lang="en", height=None: update_skeleton(lang, height),
        patch=update_patch,
    )
)
