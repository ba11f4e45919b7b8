"""The exported page: one self-contained HTML file, the app's dashboard over a run's embedded states.

Owns: the page's layout table (GRID, CELLS: the app's 2 x 2 dashboard at 1280 x 720, as
app/dashboard.py lays it out), its words in English and Chinese, the HTML (the app's stylesheet,
page.css, plotly.js from the installed plotly package and the data, as they are or, when the data
is large, both gzip + base64; then player.js), the run's config and command, and the <noscript>
message. Must not: fetch or link anything from the network, or compute what the app shows
(capture.py reads it from the app).
"""

from __future__ import annotations

import base64
import gzip
import html
import json
from functools import cache, lru_cache
from importlib import resources

from ..version import __version__

# the dashboard, as the app lays it out: rows of cells (each a CSS grid area), full-width rows above them
TOP = ("bar", "status", "narration", "alarm", "message")
GRID = (("arch", "heatmap"), ("policy", "tabs"))
CELLS = {  # cell -> the views it shows (more than one: as tabs); a view no cell names joins the last cell
    "arch": ("arch",),
    "heatmap": ("heatmap",),
    "policy": ("policy",),
    "tabs": ("training", "collapse"),
}
COMPRESS_ABOVE = 256 * 1024  # bytes of JSON above which the data is embedded as gzip + base64

WORDS = {
    "en": {
        "title": "ENAS Workbench · {name}",
        "back": "◀ Step",
        "forward": "Step ▶",
        "run": "This run",
        "reproduce": "Make this run again with",
        "no_command": "(not recorded in config.json)",
        "config": "Its config (config.json)",
        "steps": "{k} steps of {n} shown (all of them).",
        "thinned": "Showing {k} of {n} steps: the first, the last and evenly spaced steps between (--max-steps {k}).",
        "exported": "Exported by ENAS Workbench {version}: this file needs no server and no internet.",
        "noscript": "This page replays an ENAS Workbench run with JavaScript, which is turned off in this browser. "
        "Turn JavaScript on (or open the file in another browser) to step through the run. "
        "The run's config and the command that makes it again are below.",
        "old_browser": "This browser cannot unpack the page's data (it lacks DecompressionStream): "
        "use Chrome or Edge 80+, Firefox 113+ or Safari 16.4+.",
        "failed": "The run could not be shown:",
    },
    "zh": {
        "title": "ENAS 工作台 · {name}",
        "back": "◀ 上一步",
        "forward": "下一步 ▶",
        "run": "本次运行",
        "reproduce": "重新得到这次运行的命令",
        "no_command": "（config.json 中没有记录）",
        "config": "运行配置（config.json）",
        "steps": "显示全部 {n} 步中的 {k} 步。",
        "thinned": "显示 {n} 步中的 {k} 步：第一步、最后一步以及其间均匀间隔的步（--max-steps {k}）。",
        "exported": "由 ENAS 工作台 {version} 导出：此文件无需服务器，也无需联网。",
        "noscript": "此页面用 JavaScript 回放 ENAS 工作台的一次运行，但此浏览器关闭了 JavaScript。"
        "请开启 JavaScript（或换一个浏览器打开此文件）以逐步查看。运行配置和重新运行的命令见下方。",
        "old_browser": "此浏览器无法解压页面中的数据（不支持 DecompressionStream）："
        "请使用 Chrome 或 Edge 80 以上、Firefox 113 以上或 Safari 16.4 以上的版本。",
        "failed": "无法显示这次运行：",
    },
}


def cells(views: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The grid's cells with the registered `views` they show: CELLS less views not registered; every
    view no cell names joins the last cell (as the app puts any other view in its tabs)."""
    named = {v for vs in CELLS.values() for v in vs}
    out = {cell: tuple(v for v in vs if v in views) for cell, vs in CELLS.items()}
    last = GRID[-1][-1]
    out[last] = out[last] + tuple(v for v in views if v not in named)
    return out


def grid_css(areas: tuple[str, ...]) -> str:
    """The CSS grid of TOP and GRID: the top rows as tall as their content, the dashboard's rows share the rest."""
    width = len(GRID[0])
    rows = [" ".join([a] * width) for a in areas] + [" ".join(row) for row in GRID]
    template = " ".join(f'"{r}"' for r in rows)
    sizes = " ".join(["auto"] * len(areas) + ["minmax(0, 1fr)"] * len(GRID))
    places = " ".join(f".wb-area-{a} {{grid-area: {a}}}" for a in (*areas, *(c for row in GRID for c in row)))
    return f".wb-page {{grid-template-areas: {template}; grid-template-rows: {sizes}}}\n{places}\n"


def build(
    *,
    name: str,
    lang: str,
    labels: dict,
    views: tuple[str, ...],
    readouts: dict[str, str],
    steps: tuple[int, ...],
    total: int,
    opening: dict,
    config: dict,
    data: dict,
    style: str,
    compress: bool | None = None,
) -> str:
    """The page's HTML. `labels`: the app's label table; `readouts`: name -> CSS class; `data`: patch.py's."""
    words = WORDS[lang]
    esc = html.escape
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    if compress is None:
        compress = len(payload) > COMPRESS_ABOVE
    encoded = base64.b64encode(gzip.compress(payload, 9, mtime=0)).decode() if compress else _script_json(payload)
    plotly = (  # packed with the data: a large page is about half the size (player.js unpacks both)
        f'<script type="text/plain" id="wb-plotly" data-encoding="gzip+base64">{_packed_plotly_js()}</script>'
        if compress
        else f"<script>{plotly_js()}</script>"
    )
    areas = tuple(a for a in TOP if a != "alarm" or "alarm" in readouts)
    meta = {
        "views": list(views),
        "readouts": readouts,
        "steps": list(steps),
        "total": total,
        "opening": opening,
        "words": {"play": labels["play"], "pause": labels["pause"], **{k: words[k] for k in ("old_browser", "failed")}},
    }
    note = (words["thinned"] if len(steps) < total + 1 else words["steps"]).format(k=len(steps), n=total + 1)
    command = config.get("command")
    run = (
        f'<section class="wb-run"><h3>{esc(words["run"])}</h3><p>{esc(words["reproduce"])}:</p>'
        f'<pre class="wb-command">{esc(command) if command else esc(words["no_command"])}</pre>'
        f'<p class="wb-steps-note">{esc(note)}</p><details open><summary>{esc(words["config"])}</summary>'
        f'<pre class="wb-config">{esc(json.dumps(config, indent=2, ensure_ascii=False))}</pre></details>'
        f"<p>{esc(words['exported'].format(version=__version__))}</p></section>"
    )
    top = {
        "bar": f'<div class="wb-area-bar"><button class="wb-step-back">{esc(words["back"])}</button>'
        f'<button class="wb-play">{esc(labels["play"])}</button>'
        f'<button class="wb-step-forward">{esc(words["forward"])}</button>'
        f'<span>{esc(labels["scrub"])}</span><input type="range" class="wb-scrub" min="0" max="{len(steps) - 1}" '
        f'value="{len(steps) - 1}" aria-label="{esc(labels["scrub"])}">'
        f'<label class="wb-speed">{esc(labels["speed"])} '
        '<input type="range" min="0.5" max="20" step="0.5" value="5"></label></div>',
        "status": '<div class="wb-area-status">'
        + "".join(f'<div class="{readouts[r]}"></div>' for r in ("counter", "phase", "goal") if r in readouts)
        + (f'<div class="wb-thinned">{esc(note)}</div>' if len(steps) < total + 1 else "")
        + "</div>",
        "narration": '<div class="wb-narration wb-area-narration"></div>',
        "alarm": '<div class="wb-alarm wb-area-alarm" hidden></div>',
        "message": '<div class="wb-message wb-area-message"></div>',
    }
    body = "".join(top[a] for a in areas) + "".join(
        _cell(cell, shows, labels, words) for cell, shows in cells(views).items()
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(words['title'].format(name=name))}</title>\n{style}\n"
        f"<style>\n{_asset('page.css')}{grid_css(areas)}</style>\n</head>\n<body>\n"
        f'<noscript><div class="wb-noscript">{esc(words["noscript"])}</div></noscript>\n'
        f'<div class="wb-page">{body}</div>\n{run}\n'
        f'<script type="application/json" id="wb-meta">{_script_json(_dumps(meta))}</script>\n'
        f'<script type="application/json" id="wb-data" data-encoding="{"gzip+base64" if compress else "json"}">'
        f"{encoded}</script>\n{plotly}\n<script>{_asset('player.js')}</script>\n"
        "</body>\n</html>\n"
    )


def _cell(cell: str, shows: tuple[str, ...], labels: dict, words: dict) -> str:
    plot = '<div class="wb-plot wb-view-{0}" data-view="{0}"></div>'.format
    if cell != GRID[-1][-1] and len(shows) <= 1:
        return f'<div class="wb-cell wb-area-{cell}">{"".join(plot(v) for v in shows)}</div>'
    tabs = [(f"wb-panel-{v}", labels.get(f"tab_{v}", v), plot(v)) for v in shows]
    if cell == GRID[-1][-1]:
        tabs.append(("wb-panel-run", words["run"], ""))  # player.js moves the run's section in here
    bar = "".join(
        f'<button class="wb-tab" data-panel="{pid}" aria-selected="{"true" if k == 0 else "false"}">'
        f"{html.escape(label)}</button>"
        for k, (pid, label, _) in enumerate(tabs)
    )
    panels = "".join(
        f'<div class="wb-panel{" wb-active" if k == 0 else ""}{" wb-scroll" if not inner else ""}" id="{pid}">'
        f"{inner}</div>"
        for k, (pid, _, inner) in enumerate(tabs)
    )
    return (
        f'<div class="wb-cell wb-area-{cell}"><div class="wb-tabbar">{bar}</div>'
        f'<div class="wb-panels">{panels}</div></div>'
    )


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _script_json(payload: bytes) -> str:
    """JSON to put inside a <script> element: every "<" written as \\u003c (it can only be inside a string)."""
    return payload.decode().replace("<", "\\u003c")


@cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.js as the installed plotly package ships it (no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@lru_cache(maxsize=1)
def _packed_plotly_js() -> str:
    return base64.b64encode(gzip.compress(plotly_js().encode(), 9, mtime=0)).decode()
