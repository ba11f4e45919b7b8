"""How the heatmap view draws its data: the skeleton and the patch of update counts.

Owns: two heatmaps sharing one colour scale on a page (received a gradient | changed value), one on
a dashboard panel (a cell whose value moved without a gradient is outlined there), the cell texts
(counts where the rows have room for them), the hover (with what the last ω step did to the block,
and why), the outlines of mismatched and selected cells, and the layout. Must not: arrange or count
blocks (heatmap.py's data layer does).
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import _style as st
from .text import HEATMAP, words


def update_skeleton(lang: str = "en", height: int | None = None) -> go.Figure:
    """Two heatmaps sharing one colour scale: got a gradient | changed value (a dashboard panel: the first)."""
    t = words(HEATMAP, lang)
    compact = st.is_compact(height)
    fig = (
        go.Figure()
        if compact
        else make_subplots(
            rows=1,
            cols=2,
            shared_yaxes=True,
            horizontal_spacing=0.04,
            subplot_titles=(t("grad_panel"), t("changed_panel")),
        )
    )
    for col, name in ((1, "gradient"), (2, "changed")):
        trace = go.Heatmap(
            coloraxis="coloraxis",
            name=t(name),
            xgap=2,
            ygap=2,
            texttemplate="%{text}",
            textfont=dict(size=st.MIN_FONT if compact else 15),
            hoverinfo="text",
            visible=not (compact and col == 2),
        )
        if compact:
            fig.add_trace(trace)
        else:
            fig.add_trace(trace, row=1, col=col)
    return st.sized(fig, height)


CELL_TEXT_PX = st.MIN_FONT + 3  # a panel's rows closer than this have no room for their counts
_PANEL_MARGIN = dict(l=8, r=8, t=34, b=8)  # a dashboard panel's margins (the title sits in the top one)
_PANEL_CHROME_PX = _PANEL_MARGIN["t"] + _PANEL_MARGIN["b"] + 20  # and the op names below the rows: 62 px


def _cell_text(v, normalize: bool, none: str, counts: bool = True) -> str:
    if v is None:
        return none
    if not counts:
        return ""
    return f"{100 * v:.0f}%" if normalize else str(v)


def _room_for_counts(n_rows: int, height: int | None) -> bool:
    """Whether a panel `height` px tall gives each of its `n_rows` rows room for a count in 14 px type
    (JupyterLab at 1280 x 720 leaves about 14 px a row; there the colour and the hover carry the count)."""
    if not st.is_compact(height):
        return True
    return (height - _PANEL_CHROME_PX) / max(n_rows, 1) >= CELL_TEXT_PX


def _update_trace_data(info, height: int | None = None) -> list[dict]:
    """z, text, hover text and customdata of both heatmaps (what the app patches after an ω step)."""
    t = words(HEATMAP, info.lang)
    compact, counts = st.is_compact(height), _room_for_counts(len(info.rows), height)
    hover = []
    for r, row in enumerate(info.blocks):
        line = []
        for c, block in enumerate(row):
            if block is None:
                line.append(t("cell_no_weights", row=info.rows[r], op=info.columns[c]))
                continue
            g, ch, n = info.grad[r][c], info.changed[r][c], info.steps
            share = f" ({st.percent(g / n)})" if n else ""
            text = t("cell", block=block, g=g, n=n, share=share, c=ch, uniform=st.percent(info.uniform[r][c]))
            if ch > g:
                text += t("moved", d=ch - g)
            if info.last and info.last[r][c]:
                text += st.wrap(info.last[r][c], 64)
            line.append(text)
        hover.append(line)
    targets = [[b or info.row_nodes[r] for b in row] for r, row in enumerate(info.blocks)] if info.row_nodes else None
    patches = []
    for which in ("grad", "changed"):
        z = info.values(which)
        patches.append(
            dict(
                x=list(info.columns),
                y=list(info.rows),
                z=[list(row) for row in z],
                text=[
                    [_cell_text(v, info.normalize, "–" if compact else t("no_weights"), counts) for v in row]
                    for row in z
                ],
                hovertext=hover,
                customdata=targets,
            )
        )
    return patches


def _outline(r0: int, r1: int, c0: int, c1: int, panel: str, **line) -> dict:
    box = dict(x0=c0 - 0.5, x1=c1 + 0.5, y0=r0 - 0.5, y1=r1 + 0.5)
    return dict(type="rect", xref=f"x{panel}", yref=f"y{panel}", **box, line=line)


def _update_layout(info, fig: go.Figure) -> dict:
    t = words(HEATMAP, info.lang)
    height = fig.layout.height
    compact = st.is_compact(height)
    panels = ("",) if compact else ("", "2")
    n_rows = len(info.rows)
    shapes = [
        dict(
            _outline(r, r, c, c, panels[-1], color=st.NEGATIVE, width=4),
            name=t("mismatch"),
            showlegend=k == 0 and not compact,
            legendgroup="mismatch",
        )
        for k, (r, c) in enumerate(info.mismatches)
    ]
    if info.selected:
        rs, cs = [r for r, _ in info.selected], [c for _, c in info.selected]
        shapes += [_outline(min(rs), max(rs), min(cs), max(cs), p, color=st.SELECT, width=5) for p in panels]
    annotations = list(fig.layout.annotations)
    if info.steps == 0:
        annotations.append(st.note(t(info.hint)))
    unit = t("unit_share") if info.normalize else t("unit_steps")
    # counts are whole steps: ticks a whole number apart, never two ticks that round to the same label
    ticks = dict(tickformat=".0%") if info.normalize else dict(tickformat="d", **st.whole_ticks(info.steps, 4))
    coloraxis = dict(
        colorscale="Blues",
        cmin=0,
        cmax=1 if info.normalize else max(info.steps, 1),
        colorbar=dict(title=dict(text=unit, side="right"), thickness=18, **ticks),
    )
    yaxis = dict(
        autorange="reversed",
        type="category",
        title_text=t("node_input") if "←" in "".join(info.rows) else t("layer"),
        automargin=True,
    )
    if compact:
        coloraxis["colorbar"] = dict(thickness=12, xpad=4, **ticks)
        return st.base_layout(
            t("title_compact", n=info.steps),
            uirevision=f"updates:{info.space}:{info.normalize}",
            height=height,
            compact=True,
            shapes=shapes,
            annotations=annotations,
            coloraxis=coloraxis,
            yaxis=dict(yaxis, title_text=None),
            xaxis=dict(type="category", automargin=True, tickangle=0),
            showlegend=False,
            margin=_PANEL_MARGIN,
        )
    fixed = ", ".join(f"{b} {g}" + (t("fixed_changed", c=c) if c != g else "") for b, g, c in info.fixed)
    subtitle = t("subtitle", n=info.steps, share=t("as_share") if info.normalize else "", fixed=fixed)
    if info.mismatches:
        subtitle += t("mismatches", k=len(info.mismatches))
    return st.base_layout(
        t("title", space=info.space),
        subtitle,
        uirevision=f"updates:{info.space}:{info.normalize}",
        height=height or max(st.HEIGHT, 220 + 42 * n_rows),
        shapes=shapes,
        annotations=annotations,
        coloraxis=coloraxis,
        yaxis=yaxis,
        xaxis=dict(type="category", title_text=t("op")),
        xaxis2=dict(type="category", title_text=t("op")),
        legend=dict(orientation="h", x=1, xanchor="right", y=-0.08, yanchor="top"),
        margin=dict(l=150, r=40, t=140 if info.mismatches else 120, b=90),
    )


def update_patch(info, skeleton: go.Figure) -> tuple[list[dict], dict]:
    return _update_trace_data(info, skeleton.layout.height), _update_layout(info, skeleton)
