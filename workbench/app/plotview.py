"""PlotView: a plotly figure in the browser, redrawn with Plotly.react whenever its JSON changes.

Why not plotly's FigureWidget: each FigureWidget ships its own 5 MB JavaScript bundle to the
browser, which parses one per figure; five of them on a busy classroom PC take longer than
anywidget's fixed 2 s start-up limit, and a figure that misses it is drawn once and never updated
again. A PlotView's module is a few lines; plotly.js itself (the copy inside the plotly package,
so it works offline) is evaluated once per page. A page that already has it (the classroom page
loads it as a file the browser caches: cli/classroom.py) uses that; otherwise (JupyterLab, plain
Voila) the first view to start asks its kernel, which sends the source once (`wants_library`).

Redraws are coalesced: however many figures arrive between two animation frames, the view draws
the latest once, so Play never queues draws behind each other (a hidden page draws when shown).
Each draw counts itself in the element's `data-draws` attribute.

With `fit`, a figure takes the size its element gets from the page's CSS (a dashboard cell) and is
redrawn when that changes, or when a hidden tab that holds it is shown; the size comes back as
`size`. A click on a point with `customdata` (a weight block's or node's name) comes back as `click`.
Text that plotly would shrink to fit inside a bar is hidden instead when it would fall under `min_font`
(14 px: readable from the back of a room), unless the figure sets its own `uniformtext`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import anywidget
import plotly
import traitlets

_ESM = r"""
function plotlyReady() {  // one promise per page, resolved once plotly.js has been evaluated
  if (!globalThis.__wbPlotly) {
    let resolve;
    globalThis.__wbPlotly = new Promise((r) => (resolve = r));
    globalThis.__wbPlotly.resolve = resolve;
    if (globalThis.Plotly) resolve(globalThis.Plotly);
  }
  return globalThis.__wbPlotly;
}

function evaluate(source) {  // plotly.js's source, run once per page
  const ready = plotlyReady();
  if (!globalThis.Plotly && source) {
    const script = document.createElement("script");
    // hide AMD/CommonJS so plotly.js's UMD wrapper sets the global Plotly
    script.textContent = "(function(define, module, exports){" + source + "\n}).call(globalThis);";
    document.head.appendChild(script);
  }
  if (globalThis.Plotly) ready.resolve(globalThis.Plotly);
}

function load(model) {  // the page's plotly.js; asks this view's kernel for it when the page has none
  const ready = plotlyReady();
  if (globalThis.Plotly) ready.resolve(globalThis.Plotly);
  else if (model.get("library")) evaluate(model.get("library"));
  else if (!ready.asked) {
    ready.asked = true;
    const got = () => { model.off("change:library", got); evaluate(model.get("library")); };
    model.on("change:library", got);
    model.set("wants_library", true);
    model.save_changes();
  }
  return ready;
}

function hideShrunk(el, min) {  // Plotly.react does not re-apply uniformtext's "hide": text it scaled below `min`
  el.querySelectorAll("text[transform*='scale']").forEach((t) => {
    const scale = /scale\(([\d.]+)/.exec(t.getAttribute("transform"));
    const px = parseFloat(t.style.fontSize || "0") * (scale ? parseFloat(scale[1]) : 1);
    t.style.visibility = px > 0 && px < min - 0.05 ? "hidden" : "";
  });
}

function size(el, layout) {  // fit: the figure takes its element's box (a dashboard cell) when it has one
  const w = el.clientWidth, h = el.clientHeight;
  return w > 50 && h > 50 ? { ...layout, width: w, height: h, autosize: false } : layout;
}

export default {
  async render({ model, el }) {
    const Plotly = await load(model);
    el.style.width = "100%";
    let clicks = 0, bound = false;
    const onClick = (event) => {  // the clicked point's customdata back to Python
      const point = event.points && event.points[0];
      if (!point || point.customdata === undefined || point.customdata === null) return;
      const name = Array.isArray(point.customdata) ? point.customdata[0] : point.customdata;
      model.set("click", { name: String(name), shift: !!(event.event && event.event.shiftKey), n: ++clicks });
      model.save_changes();
    };
    let draws = 0, queued = false;
    const draw = () => {
      if (model.get("fit") && el.clientWidth === 0) return;  // hidden (a tab not shown): drawn when shown
      const figure = JSON.parse(model.get("figure_json") || "{}");
      let layout = model.get("fit") ? size(el, figure.layout || {}) : figure.layout || {};
      if (model.get("min_font") && !layout.uniformtext) {  // text inside bars: hidden rather than shrunk below it
        layout = { ...layout, uniformtext: { minsize: model.get("min_font"), mode: "hide" } };
      }
      const drawn = Plotly.react(el, figure.data || [], layout, { responsive: !model.get("fit"), displaylogo: false });
      drawn.then(() => {
        if (model.get("min_font")) hideShrunk(el, model.get("min_font"));
        el.dataset.draws = String(++draws);  // how many times it was drawn: the browser tests time it
      });
      if (!bound && el.on) { el.on("plotly_click", onClick); bound = true; }  // plotly adds .on on first draw
    };
    const redraw = () => {  // coalesced: one draw per animation frame, of the latest figure; a burst of updates
      if (queued) return;   // (Play) skips frames instead of queueing draws behind each other
      queued = true;
      requestAnimationFrame(() => { queued = false; draw(); });
    };
    draw();
    model.on("change:figure_json", redraw);
    let last = "", report = null;
    const observer = new ResizeObserver(() => {
      const box = el.clientWidth + "x" + el.clientHeight;
      if (box === last) return;
      last = box;
      if (!model.get("fit")) return Plotly.Plots.resize(el);
      redraw();
      clearTimeout(report);  // tell Python the size once it settles: it may lay the figure out for it
      report = setTimeout(() => { model.set("size", [el.clientWidth, el.clientHeight]); model.save_changes(); }, 300);
    });
    observer.observe(el);
    return () => { observer.disconnect(); Plotly.purge(el); };
  },
};
"""


PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"  # bundled with plotly: offline


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundled with the plotly package."""
    return PLOTLY_JS.read_text(encoding="utf-8")


class PlotView(anywidget.AnyWidget):
    """One live plotly figure; set `figure_json` (plotly.io.to_json) to redraw it."""

    _esm = _ESM
    figure_json = traitlets.Unicode("").tag(sync=True)
    library = traitlets.Unicode("").tag(sync=True)  # plotly.js source, sent when the page asks (wants_library)
    wants_library = traitlets.Bool(False).tag(sync=True)  # set by a page without plotly.js
    fit = traitlets.Bool(False).tag(sync=True)  # True: the figure takes its element's width and height (CSS)
    click = traitlets.Dict().tag(sync=True)  # the last click from the browser: {"name": customdata, "shift", "n"}
    size = traitlets.List(traitlets.Int(), [0, 0]).tag(sync=True)  # with `fit`: [width, height] on the page, px
    min_font = traitlets.Int(14).tag(sync=True)  # px: plotly may shrink text inside bars; below this it hides it

    def __init__(self, figure_json: str, **kwargs):
        super().__init__(figure_json=figure_json, **kwargs)

    @traitlets.observe("wants_library")
    def _send_library(self, change) -> None:
        if change["new"] and not self.library:
            self.library = plotly_js()
