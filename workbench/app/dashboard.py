"""The app on one screen: controls and narration on top, then a 2 × 2 dashboard of views, the 4th cell tabs.

    arch (the child in the supernet) | heatmap (weight updates)
    policy (the controller)          | tabs: curves · collapse check · narration log · child tools · settings

Owns: where each widget goes (CSS grid areas, by class), `ScreenFit` (a hidden widget whose script
gives the app the height left on screen below its top, in Voila and in JupyterLab alike, so nothing
needs scrolling), `DashboardViews` (the live views, of which only those on screen are patched; a
view in a hidden tab is patched when its tab is shown) and `page`. Must not: decide what a control
does, or know what a view draws.
"""

from __future__ import annotations

from collections.abc import Iterable

import anywidget
import ipywidgets as W
import traitlets

from ..viz.view import FRAME_FIELDS, MIN_HEIGHT, Frame
from .stylesheet import STYLE
from .views import LiveViews

GRID = ("arch", "heatmap", "policy")  # the first three cells: left to right, top to bottom
TABBED = ("training", "collapse")  # then the views in the fourth cell's tabs, before the log and the tools
RELAYOUT_PX = 16  # a view shown this much taller or shorter than it was laid out for is laid out again
HEIGHTS = {"arch": 270, "heatmap": 270, "policy": 270, "training": 232, "collapse": 232}  # px at 1280 x 720 (Voila)

_FIT_ESM = r"""
function scroller(el) {  // what scrolls the notebook (Voila's #rendered_cells, JupyterLab's panel), else null
  for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
    if (box.closest(".jp-Cell")) continue;  // an output area scrolls only its own content
    const s = getComputedStyle(box).overflowY;
    if ((s === "auto" || s === "scroll") && box.clientHeight > 0) return box;
  }
  return null;
}

export default {
  render({ model, el }) {
    el.style.display = "none";
    const fit = () => {
      const app = el.closest(".wb-app");
      if (!app) return;
      if (!model.get("enabled")) { app.style.height = ""; return; }
      const box = scroller(app);
      const top = box ? box.getBoundingClientRect().top - box.scrollTop : -window.scrollY;
      const visible = box ? box.clientHeight : window.innerHeight;
      const offset = app.getBoundingClientRect().top - top;  // the app's top inside what scrolls
      const h = Math.max(model.get("min_height"), Math.floor(visible - offset - model.get("margin")));
      if (app.style.height !== h + "px") app.style.height = h + "px";
    };
    const again = () => [0, 100, 400, 1200, 3000].forEach((ms) => setTimeout(fit, ms));
    again();
    window.addEventListener("resize", fit);
    const observer = new ResizeObserver(fit);
    observer.observe(document.body);
    model.on("change", again);
    return () => { observer.disconnect(); window.removeEventListener("resize", fit); };
  },
};
"""


class ScreenFit(anywidget.AnyWidget):
    """Gives the enclosing .wb-app the height left on screen below its top (at least `min_height` px)."""

    _esm = _FIT_ESM
    enabled = traitlets.Bool(True).tag(sync=True)
    min_height = traitlets.Int(520).tag(sync=True)  # below this the page scrolls rather than squash the views
    margin = traitlets.Int(6).tag(sync=True)  # px kept free below the app


class DashboardViews(LiveViews):
    """The live views; only those on screen are patched, a hidden one is brought up to date when shown."""

    def __init__(self, frame: Frame, hidden: Iterable[str] = (), **options):
        self.hidden: set[str] = set(hidden)
        self.stale: set[str] = set()  # hidden views that a later frame changed
        self.frame = frame
        super().__init__(frame, **options)
        for widget in self.widgets.values():
            widget.fit = True  # its `size` comes back from the browser: the app calls resized() with it

    def resized(self, name: str, size) -> None:
        """The browser shows view `name` at `size` (px): lay it out afresh for that height if it is well
        off the one it was drawn for (JupyterLab's notebook leaves the dashboard less room than Voila); a
        cell shorter than a figure can be laid out for gets a figure laid out for MIN_HEIGHT."""
        heights = getattr(self, "heights", None)  # LiveViews lays views out for a height in px
        height = int(size[1]) if len(size) == 2 else 0
        if not heights or heights.get(name) is None or height < 120 or name in self.hidden:
            return
        height = max(height, MIN_HEIGHT)  # JupyterLab's tab cell: about 143 px
        if abs(height - heights[name]) < RELAYOUT_PX:
            return
        heights[name] = height
        self.stale.discard(name)
        self._draw(next(v for v in self.views if v.name == name), self.frame)

    def update(self, frame: Frame, changed: Iterable[str] | None = None) -> None:
        """Patch the visible views that read a Frame field in `changed` (default: all); mark hidden ones stale."""
        if changed is not None:
            changed = set(changed)
            if changed - FRAME_FIELDS:
                raise ValueError(
                    f"unknown Frame fields {sorted(changed - FRAME_FIELDS)}; valid: {', '.join(sorted(FRAME_FIELDS))}"
                )
        self.frame = frame
        for view in self.views:
            if changed is None or view.reads & changed:
                if view.name in self.hidden and view.name in self.figures:
                    self.stale.add(view.name)
                else:
                    self._patch(view, frame)

    def show_only(self, hidden: Iterable[str]) -> None:
        """Views in `hidden` are off screen now; the others are shown, and patched if they are stale."""
        self.hidden = set(hidden)
        for view in self.views:
            if view.name in self.stale and view.name not in self.hidden:
                self.stale.discard(view.name)
                self._patch(view, self.frame)


def live_views(frame: Frame, hidden: Iterable[str]) -> DashboardViews:
    """The dashboard's views, sized for its cells where the figures take sizes (LiveViews(heights=...))."""
    try:
        return DashboardViews(frame, hidden, heights=HEIGHTS)
    except TypeError as e:  # a LiveViews without per-view heights: the cells size the figures anyway
        if "heights" not in str(e):
            raise
        return DashboardViews(frame, hidden)


def tab_views(names: Iterable[str]) -> list[str]:
    """The views of the fourth cell's tabs: the curves and the collapse check, then any other view."""
    names = list(names)
    return [n for n in TABBED if n in names] + [n for n in names if n not in GRID and n not in TABBED]


def area(widget: W.Widget, name: str) -> W.Widget:
    """Put `widget` in the grid area `name` (the stylesheet places .wb-area-NAME)."""
    widget.add_class(f"wb-area-{name}")
    return widget


def page(
    preset: str, top: list[W.Widget], views: dict[str, W.Widget], tabs: W.Tab, unseen: Iterable[W.Widget] = ()
) -> W.GridBox:
    """The app: the stylesheet and the screen fit, the widgets `top` (already given areas), the grid's
    views, and `tabs` last (the fourth cell); `unseen`: widgets that take no room (the heartbeat)."""
    fit = ScreenFit(enabled=preset != "debug")
    style = W.HTML(STYLE)
    style.add_class("wb-style")
    cells = [area(views[name], name) for name in GRID if name in views]
    box = W.GridBox([style, fit, *unseen, *top, *cells, area(tabs, "tabs")])
    box.add_class("wb-app")
    box.add_class(f"wb-preset-{preset}")
    return box
