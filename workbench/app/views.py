"""The app's live figures: each registered viz View, drawn once, then patched in place after every step.

Owns: turning a viz `Frame` into one batched update per view, through the View's data layer and
patch (the same ones its plot_x uses), and sending the browser only the views that changed; each
view's height (a dashboard panel under 450 px); a full redraw when the frame's space or language
differs from the one a view was drawn in; the plain-JSON form of plotly values and plotly's merge
rule. Must not: know any particular view (it loops over `viz.views()`), train, or compute what the
core or the viz data layers own.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping

import plotly.graph_objects as go

from ..viz.view import FRAME_FIELDS, Frame, View, views  # importing workbench.viz registers every view
from .plotview import PlotView


class LiveViews:
    """Every registered view, each drawn by a PlotView with the CSS class wb-view-NAME, updated in place.

    Each figure is kept as plain plotly JSON (`figures[name]`: {"data": [...], "layout": {...}}).
    A step merges the view's patches into it without plotly's per-property validation (the
    patches were validated once, when the same code drew the standalone figure) and sends the
    JSON of the views that changed. `heights[name]`: the px a view is drawn at (None: its own).
    A frame in another language (or space) than a view was drawn in redraws that view from its
    skeleton: new trace names and subplot titles.
    """

    def __init__(self, frame: Frame, heights: Mapping[str, int] | None = None):
        """`heights`: view name -> its height in px (e.g. {"arch": 300}: a 630 x 300 dashboard panel);
        a view not named keeps the height its viz module gives it for 1280 x 720."""
        self.views: tuple[View, ...] = views()  # top to bottom
        names = [v.name for v in self.views]
        unknown = sorted(set(heights or {}) - set(names))
        if unknown:
            raise ValueError(f"heights for unknown views {unknown}; registered: {', '.join(names)}")
        self.heights: dict[str, int | None] = {n: (heights or {}).get(n) for n in names}
        self.figures: dict[str, dict] = {}  # what each view shows, as plotly JSON
        self.widgets: dict[str, PlotView] = {}  # ... drawn in the browser
        self._skeletons: dict[str, go.Figure] = {}  # the figure objects the patches read subplot titles from
        self._drawn: dict[str, tuple] = {}  # per view: the (space, lang) its skeleton was made for
        self._shown: dict[str, tuple[list[dict], dict]] = {}  # per view: the patches and layout it shows
        self._base: dict[str, dict] = {}  # per view: the first figure, for keys a later patch no longer sets
        for view in self.views:
            self._draw(view, frame)
            self.widgets[view.name] = PlotView(json.dumps(self.figures[view.name]))
            self.widgets[view.name].add_class(f"wb-view-{view.name}")
        self.update(frame)

    def _draw(self, view: View, frame: Frame) -> None:
        """Draw `view` afresh from its skeleton for the frame's space and language."""
        height = self.heights[view.name]
        fig = view.figure(frame, height)
        fig.layout.autosize = True
        fig.layout.width = None  # the width follows the page
        self._skeletons[view.name] = view.skeleton(frame.space, frame.lang, height)
        self._drawn[view.name] = (frame.space, frame.lang)
        self.figures[view.name] = plain(fig.to_plotly_json())
        self._base[view.name] = copy.deepcopy(self.figures[view.name])
        self._shown.pop(view.name, None)
        if view.name in self.widgets:
            self.widgets[view.name].figure_json = json.dumps(self.figures[view.name])

    def update(self, frame: Frame, changed: Iterable[str] | None = None) -> None:
        """Patch the views that read a Frame field in `changed` (default: every view) to show `frame`;
        each view that changed is sent to the browser once."""
        if changed is not None:
            changed = set(changed)
            if changed - FRAME_FIELDS:
                raise ValueError(
                    f"unknown Frame fields {sorted(changed - FRAME_FIELDS)}; valid: {', '.join(sorted(FRAME_FIELDS))}"
                )
        for view in self.views:
            if changed is None or view.reads & changed:
                self._patch(view, frame)

    def _patch(self, view: View, frame: Frame) -> None:
        if self._drawn[view.name] != (frame.space, frame.lang):
            self._draw(view, frame)  # another language (or space): new trace names and subplot titles
        figure = self.figures[view.name]
        patches, layout = view.patch(view.info(frame), self._skeletons[view.name])
        patches = [plain(p) for p in patches]
        # the width follows the page; the template is a name plotly.js does not know (the skeleton holds it expanded)
        layout = {k: v for k, v in plain(layout).items() if k not in ("width", "template")}
        last_patches, last_layout = self._shown.get(view.name, ([{}] * len(patches), {}))
        base = self._base[view.name]
        dirty = False
        for trace, patch, last, base_trace in zip(figure["data"], patches, last_patches, base["data"]):
            dirty |= _apply(trace, patch, last, base_trace)
        dirty |= _apply(figure["layout"], layout, last_layout, base["layout"])
        self._shown[view.name] = (patches, layout)
        if dirty:
            self.widgets[view.name].figure_json = json.dumps(figure)  # the browser redraws with Plotly.react


_MISSING = object()


def _apply(target: dict, patch: dict, last: dict, base: dict) -> bool:
    """Bring `target` from showing `last` to showing `patch`; keys `patch` dropped go back to `base`."""
    changed = {k: v for k, v in patch.items() if last.get(k, _MISSING) != v}
    for k in last.keys() - patch.keys():  # e.g. a "nothing yet" note that is gone now
        if k in base:
            target[k] = copy.deepcopy(base[k])
        else:
            target.pop(k, None)
        changed.setdefault(k, None)
    merge(target, {k: v for k, v in changed.items() if k in patch})
    return bool(changed)


def plain(value):
    """Plotly-style values as plain JSON: tuples and arrays as lists, plotly objects as dicts, and
    "magic underscore" keys spelled out (marker_color -> {"marker": {"color": ...}})."""
    if hasattr(value, "to_plotly_json"):
        value = value.to_plotly_json()
    if isinstance(value, dict):
        out: dict = {}
        for key, v in value.items():
            parts = key.split("_") if "_" in key and not key.startswith("_") else [key]
            if parts[-1] == "colorscale" and isinstance(v, str):
                v = _colorscale(v)  # plotly.py's named scales differ from plotly.js's (e.g. "Blues")
            merge(out, _nest(parts, plain(v)))
        return out
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return plain(value.tolist())
    return value


def _colorscale(name: str) -> list:
    """A named colour scale expanded as plotly.py expands it (its validator, through a public object)."""
    return [list(pair) for pair in go.layout.Coloraxis(colorscale=name).colorscale]


def _nest(parts: list[str], value) -> dict:
    for part in reversed(parts[1:]):
        value = {part: value}
    return {parts[0]: value}


def merge(target: dict, patch: dict) -> dict:
    """plotly's update: nested dicts merge, None unsets, everything else replaces."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
            if not merge(target[key], value):
                del target[key]  # nothing left (it only unset things), as plotly leaves it
        else:
            target[key] = value
    return target
