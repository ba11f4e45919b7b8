"""Shared look of every figure: the op colour table, status colours, layout defaults, helpers.

Owns: one colour per op (Okabe-Ito, colour-blind safe, the same in every figure), the colours of
statuses, signs and selections, projector-sized fonts, layout defaults (stand-alone, and compact for a
dashboard panel), the empty-figure note, and the argument checks shared by the figures. Must not:
compute anything from records, hold words (text.py does), or build figures (view.py renders them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .. import ops as _ops
from .. import spaces as _spaces
from ..controller import Controller
from ..history import ControllerRecord, History, SharedRecord, SkippedRecord
from ..spaces import Space

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. Yellow is left out (invisible on a white projector screen); black is for text.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
_OP_PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7")

# One colour per op: an op's colour is its position in its space's op table (ops.py's order).
OP_COLORS: dict[str, str] = {
    name: _OP_PALETTE[i % len(_OP_PALETTE)]
    for table in (_ops.TEACHING_OPS, _ops.MACRO_OPS)
    for i, name in enumerate(table)
}
NEUTRAL = "#7F7F7F"  # an option that is not an op (an input node, a skip "no")
FAINT = "#D0D0D0"  # the supernet's candidates that the child does not use
INK = "#303030"  # text, and child edges that carry no op (stem, skips, the classifier)
POSITIVE, NEGATIVE = "#0072B2", "#D55E00"  # signs (advantage, policy change): blue vs vermillion
STATUS_COLORS = {"ok": "#009E73", "warning": "#E69F00", "alarm": "#D55E00", "info": NEUTRAL}
HIGHLIGHTER = "#F0E442"  # a selected edge, node or chip of the arch view: a highlighter pen's band under it
SELECT = "#000000"  # the outline of a selected heatmap cell or policy decision

FONT_SIZE = 16  # readable from the back of a classroom at 1280 x 720
MIN_FONT = 14  # no text smaller than this, on any figure at any size (hover labels excepted)
HEIGHT = 680
# A view drawn less than COMPACT_BELOW px tall is a dashboard panel: the app's 2 x 2 grid at 1280 x 720
# gives each about PANEL_WIDTH px. Stand-alone figures fill a PAGE_WIDTH notebook.
COMPACT_BELOW, PANEL_WIDTH, PAGE_WIDTH = 450, 630, 1280


MIN_HEIGHT = 150  # px: no figure is laid out shorter (a shorter dashboard cell shows the figure at this height)


def projector(fig):
    """A plotly figure of your own in the workbench's look, readable on a projector: the white template,
    16 px type, 20 px titles. Returns the figure (as update_layout does), so calls chain."""
    return fig.update_layout(template="plotly_white", font_size=FONT_SIZE, title_font_size=20)


def check_height(height) -> int | None:
    """A figure height in px (None: the figure's own)."""
    if height is not None and (isinstance(height, bool) or not isinstance(height, int) or height < MIN_HEIGHT):
        raise ValueError(f"height={height!r} must be None (the figure's own) or at least {MIN_HEIGHT} px")
    return height


def is_compact(height: int | None) -> bool:
    """Whether a figure `height` px tall is drawn as a dashboard panel (short titles, tight margins)."""
    return height is not None and height < COMPACT_BELOW


def sized(fig, height: int | None):
    """`fig` with the height it is drawn at (None: the patch decides): the patch reads it back."""
    fig.layout.height = check_height(height)
    return fig


def op_color(op: str) -> str:
    """The colour of op `op` in every figure (grey for names that are not ops)."""
    return OP_COLORS.get(op, NEUTRAL)


def tint(color: str, amount: float) -> str:
    """`color` mixed with white: amount 1 is the colour itself, 0 is white."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mix = lambda c: round(255 - (255 - c) * amount)  # noqa: E731
    return f"#{mix(r):02X}{mix(g):02X}{mix(b):02X}"


def input_colors(labels: Sequence[str]) -> dict[str, str]:
    """Greys, dark to light, for the options of an input decision (stem, node1, ...)."""
    n = max(len(labels) - 1, 1)
    return {lab: tint(INK, 1.0 - 0.75 * k / n) for k, lab in enumerate(labels)}


def base_layout(
    title: str, subtitle: str = "", uirevision: str = "", height: int = HEIGHT, compact: bool = False, **extra
) -> dict:
    """Layout defaults: white template, large fonts, the title (and subtitle), a uirevision.

    `compact`: a dashboard panel (about 630 px wide): fonts of 14 px, a one-line title, tight margins."""
    layout = dict(
        template="plotly_white",
        font=dict(size=MIN_FONT if compact else FONT_SIZE, color=INK),
        title=dict(
            text=title,
            subtitle=dict(text=subtitle),
            x=0.01,
            xanchor="left",
            font=dict(size=17 if compact else 22),
        ),
        height=height,
        margin=dict(l=8, r=8, t=34, b=8) if compact else dict(l=70, r=30, t=100, b=70),
        hoverlabel=dict(font=dict(size=15), align="left"),
        uirevision=uirevision or title,
    )
    layout.update(extra)
    return layout


def note(text: str, x: float = 0.5, y: float = 0.5, **font) -> dict:
    """A centred annotation in paper coordinates (used for "nothing to show yet")."""
    return dict(
        text=text,
        x=x,
        y=y,
        xref="paper",
        yref="paper",
        showarrow=False,
        bgcolor="white",
        font=dict(size=FONT_SIZE + 2, color=NEUTRAL, **font),
    )


def wrap(text: str, width: int = 60) -> str:
    """`text` broken into lines of about `width` columns at its spaces (a CJK character takes two)."""
    cols = lambda w: sum(2 if ord(ch) > 0x2E80 else 1 for ch in w)  # noqa: E731
    lines, current = [], ""
    for token in text.split(" "):
        if current and cols(current) + cols(token) + 1 > width:
            lines.append(current)
            current = token
        else:
            current = f"{current} {token}" if current else token
    return "<br>".join(lines + [current])


def whole_ticks(n: int, most: int = 5) -> dict:
    """Axis ticks for counts up to `n` (steps, updates): whole numbers a 1-2-5 step apart, at most about
    `most` of them (left alone, plotly ticks 0, 0.5, 1, ... for a count of 2)."""
    gap = max(n, 1) / most
    step = next(s * 10**k for k in range(16) for s in (1, 2, 5) if s * 10**k >= gap)
    return dict(tick0=0, dtick=step)


def lone_points(ys, size: int = 6) -> list[int]:
    """Marker sizes along a line series: a point with no neighbour on the line (None breaks the line)
    gets a marker of `size`, every other point none, since plotly draws no line through one point (a run
    of one step: the first θ step, or a student alternating single ω and θ steps)."""
    ys = [None, *ys, None]
    return [0 if y is None or (a is not None or b is not None) else size for a, y, b in zip(ys, ys[1:], ys[2:])]


def percent(p: float) -> str:
    return f"{100 * p:.1f}%" if p >= 0.001 or p == 0 else f"{100 * p:.2g}%"


# ---- argument checks shared by the figures ------------------------------------------------
def check_space(space) -> Space:
    """A Space from a Space or a registered space name; TypeError for anything else."""
    if isinstance(space, str):
        return _spaces.get(space)
    if not isinstance(space, Space):
        raise TypeError(
            f"expected a search space (wb.spaces.get(...)) or its name, got {type(space).__name__}: {space!r}"
        )
    return space


def check_controller(controller, space: Space | None = None) -> Controller:
    if not isinstance(controller, Controller):
        raise TypeError(f"expected a wb.Controller, got {type(controller).__name__}: {controller!r}")
    if space is not None and controller.space != space:
        raise ValueError(f"the controller is a policy over space {controller.space.name!r}, not over {space.name!r}")
    return controller


def check_distributions(value, space: Space, what: str) -> tuple[tuple[float, ...], ...]:
    """Per-decision probability vectors shaped like `space`'s decisions, as floats."""
    try:
        rows = [tuple(float(v) for v in row) for row in value]
    except TypeError:
        raise TypeError(
            f"{what} must be one probability vector per decision (e.g. controller.distributions(arch)), "
            f"got {type(value).__name__}"
        ) from None
    if len(rows) != len(space.decisions):
        raise ValueError(f"{what} has {len(rows)} vectors; space {space.name!r} has {len(space.decisions)} decisions")
    for d, row in zip(space.decisions, rows):
        if len(row) != len(d.options) or not all(math.isfinite(v) and -1e-6 <= v <= 1 + 1e-6 for v in row):
            raise ValueError(
                f"{what} for decision {d.name!r} must be {len(d.options)} probabilities "
                f"({', '.join(d.options)}), got {row}"
            )
    return tuple(rows)


def check_records(history) -> list:
    """The records of a History (or a sequence of records); TypeError for anything else."""
    if not isinstance(history, (History, list, tuple)):
        raise TypeError(f"expected a wb.History (trainer.history) or a list of records, got {type(history).__name__}")
    records = list(history)
    for r in records:
        if not isinstance(r, (SharedRecord, ControllerRecord, SkippedRecord)):
            raise TypeError(
                f"expected SharedRecord, ControllerRecord or SkippedRecord items, got {type(r).__name__}: {r!r}"
            )
    names = {r.arch.space for r in records if not isinstance(r, SkippedRecord)}
    if len(names) > 1:
        raise ValueError(f"the records mix architectures of several spaces: {sorted(names)}")
    return records


def space_of(records: Sequence) -> Space | None:
    """The space the records' architectures belong to (None when no record holds an arch)."""
    names = [r.arch.space for r in records if not isinstance(r, SkippedRecord)]
    return _spaces.get(names[0]) if names else None
