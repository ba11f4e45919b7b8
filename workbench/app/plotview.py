"""PlotView: a plotly figure in the browser, redrawn with Plotly.react whenever its JSON changes.

Why not plotly's FigureWidget: each FigureWidget ships its own 5 MB JavaScript bundle to the
browser, which parses one per figure; five of them on a busy classroom PC take longer than
anywidget's fixed 2 s start-up limit, and a figure that misses it is drawn once and never updated
again. A PlotView's module is a few lines; plotly.js itself (the copy inside the plotly package,
so it works offline) travels once per app, with its first view, and is evaluated once per page.
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

function load(source) {
  const ready = plotlyReady();
  if (!globalThis.Plotly && source) {
    const script = document.createElement("script");
    // hide AMD/CommonJS so plotly.js's UMD wrapper sets the global Plotly
    script.textContent = "(function(define, module, exports){" + source + "\n}).call(globalThis);";
    document.head.appendChild(script);
    ready.resolve(globalThis.Plotly);
  }
  return ready;
}

export default {
  async render({ model, el }) {
    const Plotly = await load(model.get("library"));
    el.style.width = "100%";
    const draw = () => {
      const figure = JSON.parse(model.get("figure_json") || "{}");
      Plotly.react(el, figure.data || [], figure.layout || {}, { responsive: true, displaylogo: false });
    };
    draw();
    model.on("change:figure_json", draw);
    const observer = new ResizeObserver(() => Plotly.Plots.resize(el));
    observer.observe(el);
    return () => { observer.disconnect(); Plotly.purge(el); };
  },
};
"""


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundled with the plotly package (offline)."""
    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


class PlotView(anywidget.AnyWidget):
    """One live plotly figure; set `figure_json` (plotly.io.to_json) to redraw it."""

    _esm = _ESM
    figure_json = traitlets.Unicode("").tag(sync=True)
    library = traitlets.Unicode("").tag(sync=True)  # plotly.js source, on the first view of an app only

    def __init__(self, figure_json: str, carries_library: bool = False, **kwargs):
        super().__init__(figure_json=figure_json, library=plotly_js() if carries_library else "", **kwargs)
