"""How often each shared weight block was updated: a heatmap of update counts.

Owns: `plot_update_heatmap`, its data layer `_get_update_info`: the space's weight blocks laid
out as rows (teaching: node and input; macro: layer) by columns (ops), with two counts per block
(ω steps that gave it a gradient, ω steps that changed its value), raw or as a share of all ω
steps, and the share a uniform sampler would give, its skeleton and patch, and the app's live
"heatmap" view. Must not: count anything itself (tracking.py does) or train.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..tracking import UpdateCounts
from . import _graph
from . import _style as st
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


def _get_update_info(update_counts: UpdateCounts, space, normalize: bool = False) -> _UpdateInfo:
    """The counts of `update_counts` (trainer.update_counts) arranged as `space`'s table of blocks."""
    space = st.check_space(space)
    if not isinstance(update_counts, UpdateCounts):
        raise TypeError(
            f"update_counts must be a wb.UpdateCounts (trainer.update_counts), got "
            f"{type(update_counts).__name__}: {update_counts!r}"
        )
    if not isinstance(normalize, bool):
        raise TypeError(f"normalize must be True or False, got {normalize!r}")
    g = space.supernet_graph()
    comp = _graph.computation_nodes(g)
    choices = {n: {d.kind: len(d.options) for d in space.decisions if d.node == k} for k, n in enumerate(comp, start=1)}
    rows, blocks, uniform = [], [], []
    for dst in comp:
        edges = [(u, d) for u, _, d in g.in_edges(dst, data=True) if "ops" in d]
        for src, d in edges:
            rows.append(dst if len(edges) == 1 else f"{dst} ← {src}")
            blocks.append(tuple(d["blocks"][d["ops"].index(op)] if op in d["ops"] else None for op in space.ops))
            share = 1 / (choices[dst].get("input", 1) * choices[dst].get("op", 1))
            uniform.append(tuple(share if b else None for b in blocks[-1]))
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
    count = lambda table: tuple(tuple(None if b is None else table[b] for b in row) for row in blocks)  # noqa: E731
    fixed = tuple((b, update_counts.grad[b], update_counts.changed[b]) for b in dict.fromkeys(fixed_names))
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
    )


# ---- the renderer ---------------------------------------------------------------------------
def _update_skeleton() -> go.Figure:
    """Two heatmaps sharing one colour scale: got a gradient | changed value."""
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=("received a gradient", "changed value"),
    )
    for col, name in ((1, "gradient"), (2, "changed")):
        fig.add_trace(
            go.Heatmap(
                coloraxis="coloraxis",
                name=name,
                xgap=2,
                ygap=2,
                texttemplate="%{text}",
                textfont=dict(size=15),
                hoverinfo="text",
            ),
            row=1,
            col=col,
        )
    return fig


def _cell_text(v, normalize: bool) -> str:
    if v is None:
        return "no weights"
    return f"{100 * v:.0f}%" if normalize else str(v)


def _update_trace_data(info: _UpdateInfo) -> list[dict]:
    """z, text and hover text of both heatmaps (what the app patches after an ω step)."""
    hover = []
    for r, row in enumerate(info.blocks):
        line = []
        for c, block in enumerate(row):
            if block is None:
                line.append(f"<b>{info.rows[r]} · {info.columns[c]}</b><br>{info.columns[c]} has no weights")
                continue
            g, ch, n = info.grad[r][c], info.changed[r][c], info.steps
            share = f" ({st.percent(g / n)})" if n else ""
            text = (
                f"<b>{block}</b><br>gradient in {g} of {n} ω steps{share}<br>value changed in {ch}"
                f"<br>a uniform sampler would give {st.percent(info.uniform[r][c])} of the steps"
            )
            if ch > g:
                text += f"<br><b>moved without a gradient in at least {ch - g} steps</b>"
            line.append(text)
        hover.append(line)
    patches = []
    for which in ("grad", "changed"):
        z = info.values(which)
        patches.append(
            dict(
                x=list(info.columns),
                y=list(info.rows),
                z=[list(row) for row in z],
                text=[[_cell_text(v, info.normalize) for v in row] for row in z],
                hovertext=hover,
            )
        )
    return patches


def _update_layout(info: _UpdateInfo, fig: go.Figure) -> dict:
    n_rows = len(info.rows)
    shapes = [
        dict(
            type="rect",
            xref="x2",
            yref="y2",
            x0=c - 0.5,
            x1=c + 0.5,
            y0=r - 0.5,
            y1=r + 0.5,
            line=dict(color=st.NEGATIVE, width=4),
            name="changed without a gradient",
            showlegend=k == 0,
            legendgroup="mismatch",
        )
        for k, (r, c) in enumerate(info.mismatches)
    ]
    fixed = ", ".join(f"{b} {g}" + (f" (changed {c})" if c != g else "") for b, g, c in info.fixed)
    unit = "share of the ω steps" if info.normalize else "ω steps"
    subtitle = (
        f"each cell: in how many of the {info.steps} ω steps this weight block was updated"
        f"{' (as a share)' if info.normalize else ''} · used by every child: {fixed}"
    )
    if info.mismatches:
        subtitle += (
            f"<br><b>{len(info.mismatches)} blocks changed in steps without a gradient</b> (outlined): the "
            "optimizer (momentum, weight decay) moved weights the child did not use"
        )
    annotations = list(fig.layout.annotations)
    if info.steps == 0:
        annotations.append(st.note("No ω steps yet: run trainer.shared_step()"))
    return st.base_layout(
        f"How often was each shared weight block updated? ({info.space})",
        subtitle,
        uirevision=f"updates:{info.space}:{info.normalize}",
        height=max(st.HEIGHT, 220 + 42 * n_rows),
        shapes=shapes,
        annotations=annotations,
        coloraxis=dict(
            colorscale="Blues",
            cmin=0,
            cmax=1 if info.normalize else max(info.steps, 1),
            colorbar=dict(
                title=dict(text=unit, side="right"), tickformat=".0%" if info.normalize else "d", thickness=18
            ),
        ),
        yaxis=dict(
            autorange="reversed", type="category", title_text="node ← input" if "←" in "".join(info.rows) else "layer"
        ),
        xaxis=dict(type="category", title_text="op"),
        xaxis2=dict(type="category", title_text="op"),
        legend=dict(orientation="h", x=1, xanchor="right", y=-0.08, yanchor="top"),
        margin=dict(l=150, r=40, t=140 if info.mismatches else 120, b=90),
    )


def _update_patch(info: _UpdateInfo, skeleton: go.Figure) -> tuple[list[dict], dict]:
    return _update_trace_data(info), _update_layout(info, skeleton)


def plot_update_heatmap(update_counts: UpdateCounts, space, normalize: bool = False) -> go.Figure:
    """How many ω steps gave each weight block a gradient, and how many changed its value.

    `normalize=True` shows shares of all ω steps instead of counts, to compare runs and samplers.
    """
    info = _get_update_info(update_counts, space, normalize)
    skeleton = _update_skeleton()
    return render(skeleton, *_update_patch(info, skeleton))


def _frame_info(frame: Frame) -> _UpdateInfo:
    return _get_update_info(frame.counts, frame.space)


VIEW = register(
    View(
        "heatmap",
        place=20,
        reads={"counts"},
        info=_frame_info,
        skeleton=lambda space: _update_skeleton(),
        patch=_update_patch,
    )
)
