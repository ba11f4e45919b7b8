"""Executed reference copies of the notebooks as static HTML that works offline: `make docs`.

    python -m notebooks.generator.docs                 # every notebook, en and zh, into docs/html/
    python -m notebooks.generator.docs --only 00 03    # some of them (by lesson number or file name)

Then (unless --only or --no-runs) one run per app scenario, exported as the app's own offline page
(`Workbench.export`), into docs/html/runs/.

Each notebook is executed on a fresh kernel (its seconds are measured and written to docs/html/timings.json),
then converted with nbconvert's "lab" template made offline: plotly figures are redrawn from their JSON with
plotly.js embedded once per page (no CDN), formulas become MathML (no MathJax; with `latex2mathml` installed,
else they stay as TeX), and the template's network scripts (require.js, the widget manager, MathJax, mermaid)
are left out. The app and progress bars are live widgets, which a static page cannot run: a note says so.

Owns: executing a notebook for the docs (`execute`), the offline HTML conversion (`to_html`), the check that a
page loads no script from the network (`network_urls`, `embeds_plotly`), the scenario runs (`export_scenarios`),
and the command line.
Must not: change the committed notebooks (they stay output-free) or hold lesson content.
"""

from __future__ import annotations

import argparse
import copy
import html
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from . import HERE, NOTEBOOKS

ROOT = HERE.parent
OUT = ROOT / "docs" / "html"
PLOTLY = "application/vnd.plotly.v1+json"
WIDGET = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = {
    "en": "(The app is a live widget: open the notebook in JupyterLab to use it.)",
    "zh": "（交互应用是实时控件：在 JupyterLab 中打开笔记本即可使用。）",
}
# the lab template without the blocks that load scripts from a CDN; the page's own CSS stays inline
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""
_NETWORK = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^"'\s>]+"""  # <script src="https://...">
    r"""|\bimport\s*\(\s*["'](?:https?:)?//[^"']+"""  # import("https://...") in a module script
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^"'\s>]+""",  # <link href="https://...">
    re.IGNORECASE,
)
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\d)", re.DOTALL)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_TOKEN = re.compile(r"WBMATH\d{5}X")
_TAG = re.compile(r"<[^<>]*WBMATH\d{5}X[^<>]*>")


def lang_of(name: str) -> str:
    return NOTEBOOKS[name][1] if name in NOTEBOOKS else ("zh" if name.endswith(".zh.ipynb") else "en")


def execute(path: Path, timeout: int = 600):
    """Run the notebook at `path` top to bottom on a fresh kernel: (executed notebook, seconds)."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as work:
        start = time.perf_counter()
        NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": work}}).execute()
        seconds = time.perf_counter() - start
    return nb, seconds


def network_urls(page: str) -> list[str]:
    """The places where `page` (HTML) would load a script or a stylesheet from the network: [] when offline."""
    return [m.group(0) for m in _NETWORK.finditer(page)]


def embeds_plotly(page: str) -> bool:
    """Whether `page` carries the plotly.js library itself (not a link to it)."""
    return "plotly.js v" in page and "Plotly.newPlot" in page


def _mathml(tex: str, display: bool) -> str | None:
    try:
        from latex2mathml.converter import convert
    except ImportError:
        return None
    try:
        return convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # a formula latex2mathml cannot read stays as TeX
        return None


def _protect_math(text: str, found: dict[str, str]) -> str:
    """`text` with each $...$ and $$...$$ outside code replaced by a token; `found` maps token -> MathML."""

    def formula(m: re.Match) -> str:
        display = m.group(1) is not None
        mathml = _mathml(m.group(1) if display else m.group(2), display)
        if mathml is None:
            return m.group(0)
        token = f"WBMATH{len(found):05d}X"
        found[token] = mathml
        return token

    parts, last = [], 0
    for code in _CODE.finditer(text):
        parts.append(_MATH.sub(formula, text[last : code.start()]))
        parts.append(code.group(0))
        last = code.end()
    parts.append(_MATH.sub(formula, text[last:]))
    return "".join(parts)


def _figure_html(fig: dict, first: bool) -> str:
    import plotly.io as pio

    return pio.to_html(fig, include_plotlyjs=first, full_html=False, config={"displaylogo": False})


def _prepare(nb, lang: str, math: dict[str, str]):
    """A copy of the executed `nb` ready for a static page: figures as HTML, widgets as a note, math as tokens."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    first = True
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _protect_math(cell.source, math)
            continue
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data")
            if not data:
                continue
            if PLOTLY in data:
                out["data"] = {"text/html": _figure_html(data[PLOTLY], first)}
                first = False
            elif WIDGET in data:
                plain = data.get("text/plain", "")
                is_app = re.match(r"^\w+\(", plain) is not None  # an ipywidgets repr: VBox(children=...)
                out["data"] = {"text/plain": WIDGET_NOTE[lang] if is_app else plain}
            elif "text/markdown" in data:
                data["text/markdown"] = _protect_math(data["text/markdown"], math)
    return nb


def to_html(nb, lang: str = "en") -> str:
    """The executed notebook `nb` as one self-contained, offline HTML page."""
    import jinja2
    from nbconvert import HTMLExporter

    math: dict[str, str] = {}
    page_nb = _prepare(nb, lang, math)
    exporter = HTMLExporter(template_name="lab", extra_loaders=[jinja2.DictLoader({"offline.html.j2": _TEMPLATE})])
    exporter.template_file = "offline.html.j2"
    exporter.language_code = lang
    page, _ = exporter.from_notebook_node(page_nb)
    # a formula in a heading also lands in the heading's id and anchor: drop it there, MathML everywhere else
    page = _TAG.sub(lambda tag: _TOKEN.sub("", tag.group(0)), page)
    return _TOKEN.sub(lambda token: math.get(token.group(0), ""), page)


def export_scenarios(out: Path, names=None, langs=("en", "zh"), alternations: int = 2, seed: int = 0) -> list[Path]:
    """One exported run per app scenario (the presets the notebooks and the teacher's guide use): the app
    made for the scenario, `alternations` times its Alternate button, written with `Workbench.export`
    as out/runs/SCENARIO[.zh].html, pages that replay the run offline with every view and the narration."""
    import workbench as wb
    from workbench.app import scenarios

    names = list(scenarios.SCENARIOS) if names is None else list(names)
    for name in names:
        scenarios.get(name)  # an unknown name is refused before any work
    (out / "runs").mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        space = wb.spaces.get("teaching")
        trainer = wb.Trainer(space, config=scenarios.get(name).config(space), seed=seed)
        app = wb.app.Workbench(trainer, scenario=name)
        for _ in range(alternations):
            app.alternate()
        for lang in langs:
            target = out / "runs" / (f"{name}.html" if lang == "en" else f"{name}.{lang}.html")
            app.export(target, lang=lang)
            written.append(target)
            print(f"scenario {name} ({lang}): {app.history[-1].step} steps -> {target}", file=sys.stderr)
    return written


def _index(rows: list[tuple[str, float]], runs: list[str] = ()) -> str:
    items = "\n".join(
        f'<li><a href="{html.escape(Path(n).stem)}.html">{html.escape(n)}</a> ({s:.0f} s to run here)</li>'
        for n, s in rows
    )
    pages = "\n".join(f'<li><a href="runs/{html.escape(n)}">{html.escape(n)}</a></li>' for n in runs)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>ENAS Workbench notebooks</title>'
        "</head>\n<body><h1>ENAS Workbench: executed notebooks</h1>\n<ul>\n" + items + "\n</ul>\n"
        "<h2>One run per scenario, as the app shows it (offline pages: scrub, play, step)</h2>\n<ul>\n"
        + pages
        + "\n</ul></body></html>\n"
    )


def _select(only: list[str] | None) -> list[str]:
    names = sorted(NOTEBOOKS)
    if not only:
        return names
    picked = [n for n in names if any(n == o or n.startswith(o) for o in only)]
    if not picked:
        raise SystemExit(f"no notebook matches {only}; valid: {', '.join(names)}")
    return picked


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Execute the notebooks and write offline HTML copies.")
    ap.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT.relative_to(ROOT)})")
    ap.add_argument("--only", nargs="+", help="lesson numbers or file names, e.g. 00 03_ranking_fidelity.zh")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    ap.add_argument("--keep-ipynb", action="store_true", help="also write the executed notebooks (OUT/executed/)")
    ap.add_argument("--no-runs", action="store_true", help="skip the exported run of each app scenario (OUT/runs/)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    timings_path = args.out / "timings.json"
    timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    for name in _select(args.only):
        nb, seconds = execute(HERE / name, args.timeout)
        page = to_html(nb, lang_of(name))
        bad = network_urls(page)
        if bad:
            raise SystemExit(f"{name}: the page would load from the network: {bad[:3]}")
        target = args.out / (Path(name).stem + ".html")
        target.write_text(page, encoding="utf-8")
        if args.keep_ipynb:
            (args.out / "executed").mkdir(exist_ok=True)
            nbformat.write(nb, args.out / "executed" / name)
        timings[name] = round(seconds, 1)
        print(f"{name}: {seconds:.1f} s -> {target}", file=sys.stderr)
    timings_path.write_text(json.dumps(timings, indent=2, sort_keys=True) + "\n")
    if not args.no_runs and not args.only:
        export_scenarios(args.out)
    runs = sorted(p.name for p in (args.out / "runs").glob("*.html")) if (args.out / "runs").is_dir() else []
    (args.out / "index.html").write_text(_index(sorted(timings.items()), runs), encoding="utf-8")
    print(json.dumps(timings, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
