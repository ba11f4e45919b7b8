"""A run as one web page: a serverless replay of the app that any number of students open, offline.

    from workbench.export.folder import export_run
    export_run("runs/first", "first.html")                          # every step
    export_run("runs/macro", "macro.html", lang="zh", max_steps=200)  # first, last, 198 evenly between
    app.export("here.html")                                         # a live app: wb.app.Workbench.export

    python -m workbench export runs/first --out first.html [--lang zh] [--max-steps N]

The page is the app's own output: the app replays the run headless and is scrubbed to every kept
step (capture.py); what it shows (every view's plotly JSON, floats rounded to `digits` significant
digits, and the HTML of its counter, phase and narration) is stored as keyframes and diffs
(patch.py) and played back by plain JavaScript with Plotly.react (page.py, player.js): no kernel, no
server, no network. Owns: `export_app` (the page of an app replaying a run; `folder.export_run` makes
that app from a run folder, `Workbench.export` from itself). Must not: import the app's Workbench (the
app is the layer above and exports through this), change the app, or write anything but `out`
(atomically).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_write
from .capture import READOUTS, ExportError, capture, check, kept_steps, run_config
from .patch import Encoder, decode, resolve

__all__ = ["Exported", "ExportError", "check", "export_app", "kept_steps", "read_page", "run_config"]

READOUTS_CHANNEL = "_readouts"  # the channel of the readouts' HTML (a view's name never starts with "_")


@dataclass(frozen=True)
class Exported:
    """What `export_app` (and `folder.export_run`) wrote."""

    path: Path
    bytes: int
    steps: int  # kept steps (of total + 1)
    total: int  # the run's last step
    compressed: bool


def export_app(
    app,
    out: str | os.PathLike,
    name: str,
    config: dict,
    max_steps: int | None = None,
    *,
    digits: int = 5,
    every: int = 100,
    compress: bool | None = None,
    progress: bool = False,
) -> Exported:
    """Write what `app` (a Workbench replaying a run, made for this: it is scrubbed) shows at each step as
    one self-contained HTML page `out`, in the app's language; `name` and `config`: the run's (the page
    shows them, with config["command"]). `max_steps`: keep at most that many steps (the first, the last
    and evenly spaced between; default all); `digits`: significant digits of the floats; `every`: a
    keyframe every that many kept steps; `compress`: gzip + base64 the data (default: when over 256 KiB);
    `progress`: a progress bar. Raises ExportError (a ValueError) naming a bad value, before any work."""
    from tqdm.auto import tqdm

    from ..app import text
    from ..app.stylesheet import STYLE
    from . import page

    out = Path(out)
    _check_out(out)
    cap = capture(app, name, config, max_steps, digits)
    enc = Encoder(every)
    states = tqdm(cap.states(), total=len(cap.steps), desc="export", unit="step", disable=not progress)
    for state in states:
        enc.add({**state["figures"], READOUTS_CHANNEL: state["readouts"]})
    data = enc.data()
    readouts = {name: css for name, css in READOUTS.items() if name in cap.opening}
    if "alarm" in cap.opening:
        readouts["alarm"] = "wb-alarm"
    html = page.build(
        name=name,
        lang=cap.lang,
        labels=text.labels(cap.lang),
        views=cap.views,
        readouts=readouts,
        steps=cap.steps,
        total=cap.total,
        opening=cap.opening,
        config=cap.config,
        data=data,
        style=STYLE,
        compress=compress,
    ).encode("utf-8")
    atomic_write(out, html)
    return Exported(out, len(html), len(cap.steps), cap.total, b'data-encoding="gzip+base64"' in html)


def _check_out(out: Path) -> None:
    """Refuse an --out that cannot be written, before the work."""
    if out.is_dir():
        raise ExportError(f"--out {out} is a folder; give a file name, e.g. {out / 'run.html'}")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"--out {out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ExportError(f"--out {out} cannot be written (no permission in {folder})")


def read_page(html: str) -> dict:
    """The data of an exported page, for tests and tools: {"meta": ..., "data": ..., "at": index -> state},
    where a state is {view name: plotly JSON, "_readouts": {name: HTML}}."""
    import base64
    import gzip
    import json
    import re

    def script(id_: str) -> re.Match:
        m = re.search(
            rf'<script type="application/json" id="{id_}"(?: data-encoding="([^"]+)")?>(.*?)</script>', html, re.S
        )
        if m is None:
            raise ExportError(f"not an exported page: no <script id={id_!r}>")
        return m

    meta = json.loads(script("wb-meta").group(2))
    m = script("wb-data")
    raw = gzip.decompress(base64.b64decode(m.group(2))) if m.group(1) == "gzip+base64" else m.group(2)
    data = resolve(json.loads(raw))
    return {"meta": meta, "data": data, "at": lambda i: decode(data, i)}
