"""The contract between the figures and the app: the Frame a view draws, the View, and their registry.

    frame = wb.viz.Frame(space, arch, counts, history, policy, policy_arch, lang="zh", selected="node2")
    for view in wb.viz.views():                          # the app's live figures, top to bottom
        fig = view.figure(frame)                         # what plot_x(...) draws for the same data
        panel = view.figure(frame, height=300)           # ... as a dashboard panel (about 630 x 300 px)

Owns: `Frame` (what a run looked like at one step: everything a live view may draw), `View` (one
figure as three functions: its data layer frame -> info, its stable trace skeleton (space, lang,
height) -> figure, and its patch info, skeleton -> (trace patches, layout)), `render` (a figure from
a skeleton and a patch: what every plot_x and the app do), and the registry (`register`,
`unregister`, `views`): each view module registers its one View when it is imported. Must not:
know any particular view, draw anything itself, or train.

Words: every text a view draws is in `frame.lang` (text.py). Size: `height` None is the figure's
own (a 1280 px notebook), else at least `MIN_HEIGHT` (150) px; below `_style.COMPACT_BELOW` (450 px)
the view is drawn as a dashboard panel about 630 px wide: short titles, tight margins, no font under
14 px. The skeleton records
the height in `layout.height` (None: the patch picks one), and the patch reads it from there.
Selection: `frame.selected` names a weight block (as in `Supernet.block_names`, "node3<-1/tanh")
or a node ("node2", "layer3"); every view that shows it highlights it. Clicks: a point's
customdata is the block or node name it stands for, so the app maps a click back to a selection.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from ..arch import Arch
from ..history import History
from ..spaces import Space
from ..tracking import UpdateCounts
from ._style import MIN_HEIGHT as MIN_HEIGHT  # part of the contract: the least height a view is drawn at
from .text import check_lang

Distributions = tuple[tuple[float, ...], ...]  # one probability vector per decision of a space


@dataclass(frozen=True)
class Frame:
    """The run as the views show it at one step."""

    space: Space
    arch: Arch  # the child to highlight
    counts: UpdateCounts  # update counts after this step
    history: History  # the records up to this step
    policy: Distributions  # each decision's probabilities along `policy_arch`
    policy_arch: Arch
    previous: Distributions | None = None  # the same before the last θ step
    arch_policy: Distributions | None = None  # ... along `arch`, for the arch view's hovers (None: not shown)
    lang: str = "en"  # the language of every text the views draw ("en" or "zh")
    selected: str | None = None  # a weight block or node picked in one view: every view highlights it

    def __post_init__(self) -> None:
        check_lang(self.lang)


FRAME_FIELDS = frozenset(f.name for f in dataclasses.fields(Frame))
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")  # it becomes the CSS class wb-view-NAME


@dataclass(frozen=True)
class View:
    """One live figure: frame -> info -> (trace patches, layout), applied to a skeleton stable for a space."""

    name: str  # the app's widget for it has the CSS class wb-view-NAME
    place: int  # where the app shows it, top to bottom (lower first)
    reads: frozenset[str]  # the Frame fields `info` reads: the app redraws the view when one of them changed
    info: Callable[[Frame], Any]  # the data layer
    skeleton: Callable[[Space, str, int | None], go.Figure]  # (space, lang, height): the traces, subplots and
    # their words, the same for every frame of a space in one language at one height
    patch: Callable[[Any, go.Figure], tuple[list[dict], dict]]  # one data patch per trace, and the layout;
    # it reads the skeleton (subplot titles, layout.height) and never changes it

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(f"view name {self.name!r} must be lower-case letters, digits and '-' (a CSS class)")
        object.__setattr__(self, "reads", frozenset(self.reads))
        unknown = sorted(self.reads - FRAME_FIELDS)
        if unknown or not self.reads:
            raise ValueError(
                f"view {self.name!r} reads {unknown or 'nothing'}; valid Frame fields: "
                f"{', '.join(sorted(FRAME_FIELDS))}"
            )

    def figure(self, frame: Frame, height: int | None = None) -> go.Figure:
        """The figure of `frame`: the skeleton with the patch of the frame's info; `height` in px
        (None: the view's own; under 450: a dashboard panel)."""
        skeleton = self.skeleton(frame.space, frame.lang, height)
        return render(skeleton, *self.patch(self.info(frame), skeleton))


def render(skeleton: go.Figure, patches: Sequence[dict], layout: dict) -> go.Figure:
    """`skeleton` with one data patch per trace (in trace order) and `layout` merged into its layout.

    Subplot axes keep their domains. The app applies the same patches to its live figures.
    """
    if len(skeleton.data) != len(patches):
        raise AssertionError(f"{len(patches)} patches for {len(skeleton.data)} traces")
    for trace, patch in zip(skeleton.data, patches):
        trace.update(patch)
    skeleton.update_layout(layout)
    return skeleton


# ---- the registry: each view module registers its View once, when it is imported ------------------
_VIEWS: dict[str, View] = {}


def register(view: View) -> View:
    """Add `view` to the app's live figures; returns it. A name is registered once."""
    if not isinstance(view, View):
        raise TypeError(f"expected a wb.viz.View, got {type(view).__name__}: {view!r}")
    if view.name in _VIEWS:
        raise ValueError(f"a view named {view.name!r} is registered already; registered: {', '.join(_VIEWS)}")
    _VIEWS[view.name] = view
    return view


def unregister(name: str) -> View:
    """Remove the view `name` from the registry (e.g. a test's own view); returns it."""
    if name not in _VIEWS:
        raise ValueError(f"no view named {name!r} is registered; registered: {', '.join(_VIEWS)}")
    return _VIEWS.pop(name)


def views() -> tuple[View, ...]:
    """The registered views, in the order the app shows them (by place, then name)."""
    return tuple(sorted(_VIEWS.values(), key=lambda v: (v.place, v.name)))
