"""The app's five live figures: made once, then patched in place after every step.

Owns: turning a `Frame` (what the run looked like at one step) into one batched update per
figure, through each viz module's data layer and trace patches, the same ones its plot_x uses.
Must not: train, or compute what the core or the viz data layers own.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass

import plotly.graph_objects as go

from ..arch import Arch
from ..controller import Controller
from ..history import History
from ..spaces import Space
from ..tracking import UpdateCounts
from ..viz import arch as v_arch
from ..viz import collapse as v_collapse
from ..viz import heatmap as v_heatmap
from ..viz import policy as v_policy
from ..viz import training as v_training
from .plotview import PlotView

NAMES = ("arch", "policy", "heatmap", "training", "collapse")


@dataclass(frozen=True)
class Frame:
    """The run as the views show it at one step."""

    space: Space
    arch: Arch  # the child to highlight
    counts: UpdateCounts  # update counts after this step
    history: History  # the records up to this step
    policy: tuple[tuple[float, ...], ...]  # each decision's probabilities along `policy_arch`
    policy_arch: Arch
    previous: tuple[tuple[float, ...], ...] | None = None  # the same before the last θ step
    controller: Controller | None = None  # live only: adds the policy's probabilities to hovers


class LiveViews:
    """Five figures, each drawn by a PlotView with the CSS class wb-view-NAME, updated in place.

    Each figure is kept as plain plotly JSON (`figures[name]`: {"data": [...], "layout": {...}}).
    A step merges the viz module's patches into it without plotly's per-property validation (the
    patches were validated once, when the same code drew the standalone figure) and sends the
    JSON of the views that changed.
    """

    def __init__(self, frame: Frame):
        self.space = frame.space
        self._policy_controller = frame.controller or Controller(frame.space)  # gives the policy view its space
        self.figures: dict[str, dict] = {}  # what each view shows, as plotly JSON
        self.widgets: dict[str, PlotView] = {}  # ... drawn in the browser
        self._skeletons: dict[str, go.Figure] = {}  # the figure objects the viz layouts read subplot axes from
        self._shown: dict[str, tuple[list[dict], dict]] = {}  # per view: the patches and layout it shows
        self._base: dict[str, dict] = {}  # per view: the skeleton, for keys a later patch no longer sets
        for k, name in enumerate(NAMES):
            fig = self._figure(name, frame)  # each keeps the height its viz module gives it for 1280 x 720
            fig.layout.autosize = True
            fig.layout.width = None
            self._skeletons[name] = self._skeleton(name)
            self.figures[name] = plain(fig.to_plotly_json())
            self._base[name] = copy.deepcopy(self.figures[name])
            self.widgets[name] = PlotView(json.dumps(self.figures[name]), carries_library=k == 0)
            self.widgets[name].add_class(f"wb-view-{name}")
        self.update(frame)

    def _figure(self, name: str, frame: Frame) -> go.Figure:
        """The static figure for `name` (the skeleton the widget keeps for life)."""
        if name == "arch":
            return v_arch.plot_arch(frame.space, frame.arch, frame.counts, frame.controller)
        if name == "policy":  # its bars are set from frame.policy by update()
            return v_policy.plot_policy(self._policy_controller, frame.policy_arch)
        if name == "heatmap":
            return v_heatmap.plot_update_heatmap(frame.counts, frame.space)
        if name == "training":
            return v_training.plot_training(frame.history)
        return v_collapse.plot_collapse(v_collapse.collapse_report(frame.history))

    def _skeleton(self, name: str) -> go.Figure | None:
        """The bare skeleton (subplots, titles) that a view's layout function reads, never drawn into."""
        return {"arch": lambda: None, "policy": lambda: v_policy._policy_skeleton(self.space),
                "heatmap": v_heatmap._update_skeleton, "training": v_training._training_skeleton,
                "collapse": v_collapse._collapse_skeleton}[name]()

    def _patches(self, name: str, frame: Frame) -> tuple[list[dict], dict]:
        """(trace patches, layout) for one view, from its viz module's data layer."""
        fig = self._skeletons[name]
        if name == "arch":
            info = v_arch._get_arch_info(frame.space, frame.arch, frame.counts, frame.controller)
            return v_arch._arch_trace_data(info), v_arch._arch_layout(info)
        if name == "policy":
            info = v_policy._get_policy_info(self._policy_controller, frame.policy_arch, frame.previous,
                                             distributions=frame.policy)
            return v_policy._policy_trace_data(info), v_policy._policy_layout(info, fig)
        if name == "heatmap":
            info = v_heatmap._get_update_info(frame.counts, frame.space)
            return v_heatmap._update_trace_data(info), v_heatmap._update_layout(info, fig)
        if name == "training":
            info = v_training._get_training_info(frame.history)
            return v_training._training_trace_data(info), v_training._training_layout(info, fig)
        report = v_collapse.collapse_report(frame.history)
        return v_collapse._collapse_trace_data(report), v_collapse._collapse_layout(report, fig)

    def update(self, frame: Frame, only: tuple[str, ...] = NAMES) -> None:
        """Patch the views in `only` to show `frame`; each view that changed is sent to the browser once."""
        for name in only:
            figure = self.figures[name]
            patches, layout = self._patches(name, frame)
            patches = [plain(p) for p in patches]
            # the width follows the page; the template is a name plotly.js does not know (the skeleton holds it expanded)
            layout = {k: v for k, v in plain(layout).items() if k not in ("width", "template")}
            last_patches, last_layout = self._shown.get(name, ([{}] * len(patches), {}))
            base = self._base[name]
            dirty = False
            for trace, patch, last, base_trace in zip(figure["data"], patches, last_patches, base["data"]):
                dirty |= _apply(trace, patch, last, base_trace)
            dirty |= _apply(figure["layout"], layout, last_layout, base["layout"])
            self._shown[name] = (patches, layout)
            if dirty:
                self.widgets[name].figure_json = json.dumps(figure)  # the browser redraws with Plotly.react


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
    from _plotly_utils.basevalidators import ColorscaleValidator

    return ColorscaleValidator("colorscale", "layout").validate_coerce(name)


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
