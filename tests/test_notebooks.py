"""Every notebook in notebooks/ runs top to bottom on a fresh kernel and is committed without outputs;
notebooks 00-04 and their Chinese twins are exactly what `python -m notebooks.generator` builds (fast, in
memory), and a twin's code cells differ from its English notebook's only in the «placeholder» strings; the
executed copies are opened in a real JupyterLab and screenshotted, and one becomes an offline HTML page
(`python -m notebooks.generator.docs`) with plotly.js inside and no script from the network (artifacts/)."""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "artifacts"
EXECUTED = ARTIFACTS / "executed"  # the notebooks with their outputs, as the tests ran them
GENERATOR = ROOT / "notebooks" / "generator"  # `python -m notebooks.generator` writes notebooks 00-04, en and zh


def _generator():
    """notebooks/generator as a package, imported from its folder (the repository root need not be on sys.path)."""
    spec = importlib.util.spec_from_file_location(
        "_nb_generator", GENERATOR / "__init__.py", submodule_search_locations=[str(GENERATOR)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its relative imports (from .cells import ...) look it up there
    spec.loader.exec_module(module)
    return module


GENERATOR_PACKAGE = _generator()
GENERATED = GENERATOR_PACKAGE.build_all()


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def _normalized(nb) -> list[tuple[str, str, str]]:
    """(id, cell type, source) of each cell, after a round trip through nbformat's writer and reader."""
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)
    return [(c.get("id", ""), c.cell_type, c.source) for c in nb.cells]


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_committed_notebook_is_what_the_generator_builds(name):
    path = ROOT / "notebooks" / name
    assert path.exists(), f"{name} is not committed: run `python -m notebooks.generator`"
    built, committed = _normalized(GENERATED[name]), _normalized(nbformat.read(path, as_version=4))
    problems = (
        [f"{name}: {len(committed)} cells committed, the generator builds {len(built)}"]
        if len(built) != len(committed)
        else []
    )
    for i, (b, c) in enumerate(zip(built, committed)):
        if b != c:
            diff = difflib.unified_diff(c[2].splitlines(), b[2].splitlines(), "committed", "generated", lineterm="")
            problems.append(
                f"{name} cell #{i} (id {c[0]!r}, {c[1]}; generated: id {b[0]!r}, {b[1]}):\n"
                + "\n".join(list(diff)[:30])
            )
    assert not problems, "\n\n".join(problems) + "\n\nrun `python -m notebooks.generator` and commit the result"


def test_every_lesson_has_a_chinese_twin():
    gen = GENERATOR_PACKAGE
    english = [n for n, (_, lang, _) in gen.NOTEBOOKS.items() if lang == "en"]
    assert sorted(gen.TWINS.values()) == sorted(english)
    assert {p.name for p in NOTEBOOKS} >= set(gen.TWINS) | set(english)


def _template(cell) -> re.Pattern:
    """The code cell's one source as a pattern: literal text, any string where a «name» stands."""
    parts = GENERATOR_PACKAGE.cells.PLACEHOLDER.split(cell.source)  # text, name, text, name, ...
    return re.compile(
        "".join(
            re.escape(part) if i % 2 == 0 else ("(?:en|zh)" if part == "lang" else "(.+?)")
            for i, part in enumerate(parts)
        ),
        re.DOTALL,
    )


@pytest.mark.parametrize("twin", sorted(GENERATOR_PACKAGE.TWINS))
def test_the_twins_share_their_code_cells(twin):
    """A Chinese twin is built from its English notebook's very cells, and the committed twins differ only where a
    «name» stands: code without placeholders is the same text, code with them matches the one template."""
    gen = GENERATOR_PACKAGE
    english = gen.TWINS[twin]
    cells = gen.NOTEBOOKS[twin][0]
    assert cells is gen.NOTEBOOKS[english][0]  # one list of cells for both
    en = nbformat.read(ROOT / "notebooks" / english, as_version=4)
    zh = nbformat.read(ROOT / "notebooks" / twin, as_version=4)
    assert (
        [c.cell_type for c in en.cells]
        == [c.cell_type for c in zh.cells]
        == ["code" if isinstance(c, gen.cells.C) else "markdown" for c in cells]
    )
    for i, cell in enumerate(cells):
        if not isinstance(cell, gen.cells.C):
            continue
        if not cell.names:
            assert en.cells[i].source == zh.cells[i].source == cell.source, f"{twin} cell #{i} differs"
        pattern = _template(cell)
        for name, nb in ((english, en), (twin, zh)):
            assert pattern.fullmatch(nb.cells[i].source), f"{name} cell #{i} is not its template with strings put in"
    lang_cells = [i for i, c in enumerate(cells) if isinstance(c, gen.cells.C) and "lang" in c.names]
    assert all('"en"' in en.cells[i].source and '"zh"' in zh.cells[i].source for i in lang_cells)
    assert not any("«" in c.source for nb in (en, zh) for c in nb.cells if c.cell_type == "code")


_BLOCK_START = re.compile(r"\s*([#|<>]|\$\$|```|[*+-]\s|\d+\.\s)")


def test_chinese_paragraphs_have_no_hard_line_breaks():
    """Markdown renders a line break inside a paragraph as a space, which Chinese text has none of: in a Chinese
    twin, a line that is not blank follows another plain line only where a new block starts (a heading, a list
    item, a table row, an HTML tag, a formula), also inside <details> answers; formulas and code are left alone."""
    for twin in GENERATOR_PACKAGE.TWINS:
        for cell in GENERATED[twin].cells:
            if cell.cell_type != "markdown":
                continue
            previous, block = "", False  # inside ``` or $$ ... $$
            for line in cell.source.split("\n"):
                s = line.strip()
                opens = s.startswith(("```", "$$")) and not (len(s) >= 4 and s.endswith("$$") and s != "$$")
                joined = previous and s and not block and not _BLOCK_START.match(line)
                assert not joined, f"{twin}: a hard line break between {previous!r} and {line!r}"
                if block:
                    block = not (s.startswith("```") or s.endswith("$$"))
                elif opens:
                    block = True
                previous = "" if block or not s or s.startswith(("#", "|", "<", "$$")) else s


def execute(path: Path, workdir: Path) -> Path:
    """Run `path` on a fresh kernel; fail on any error; keep the executed copy under artifacts/executed/."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    EXECUTED.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, EXECUTED / path.name)
    return EXECUTED / path.name


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    execute(path, tmp_path)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from servers import jupyterlab

    root = tmp_path_factory.mktemp("lab")
    work = root / "notebooks"
    work.mkdir()
    with jupyterlab(root, work) as base:
        yield root, work, base


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[0].isdigit()], ids=lambda p: p.name)
def test_notebook_renders_in_jupyterlab(path, lab, tmp_path):
    """A student's view: the executed notebook opened in JupyterLab in Chromium, screenshotted."""
    from servers import browser

    root, work, base = lab
    executed = EXECUTED / path.name if (EXECUTED / path.name).exists() else execute(path, tmp_path)
    shutil.copy(executed, work / path.name)
    with browser(root, base) as page:
        page.goto(f"{base}/lab/tree/{path.name}?token=wb-test-token&reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        page.wait_for_selector(".jp-OutputArea-output", timeout=60_000)
        page.wait_for_timeout(1500)  # let plotly draw
        assert page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']").count() == 0
        prompts = [p for p in page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts() if p.strip()]
        assert prompts and all(any(ch.isdigit() for ch in p) for p in prompts), (
            prompts
        )  # cells below the fold are not drawn
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"lab-{path.stem}.png"))


@pytest.mark.slow
@pytest.mark.browser
def test_docs_page_embeds_plotly_and_loads_nothing_from_the_network(tmp_path):
    """`make docs` in small: an executed notebook becomes one offline HTML page (artifacts/docs/ for the browser)."""
    docs = importlib.import_module(f"{GENERATOR_PACKAGE.__name__}.docs")
    name = "00_first_steps.ipynb"
    source, executed = ROOT / "notebooks" / name, EXECUTED / name
    if not executed.exists() or executed.stat().st_mtime < source.stat().st_mtime:  # this session's run, or a new one
        executed = execute(source, tmp_path)
    page = docs.to_html(nbformat.read(executed, as_version=4), "en")
    assert docs.embeds_plotly(page), "the page does not carry plotly.js"
    assert docs.network_urls(page) == []
    assert docs.network_urls('<script src="https://cdn.plot.ly/plotly.min.js"></script>')  # the check can fail
    assert "WBMATH" not in page  # every formula token was put back
    out = ARTIFACTS / "docs"
    out.mkdir(parents=True, exist_ok=True)
    (out / name.replace(".ipynb", ".html")).write_text(page, encoding="utf-8")
    # in a browser with the network blocked, from file://, every figure is drawn
    from servers import browser

    figures = page.count('class="plotly-graph-div"')
    assert figures >= 1, figures
    with browser(tmp_path, "file://") as tab:
        tab.goto((out / name.replace(".ipynb", ".html")).resolve().as_uri())
        tab.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {figures}")
        drawn = tab.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].map(e => e.data.length)")
        assert len(drawn) == figures and all(n > 0 for n in drawn), drawn


@pytest.mark.slow
def test_docs_export_one_run_per_scenario(tmp_path):
    """`make docs` writes each scenario's run as the app's offline page; the page holds every step."""
    from workbench.export import read_page

    docs = importlib.import_module(f"{GENERATOR_PACKAGE.__name__}.docs")
    written = docs.export_scenarios(tmp_path, names=["collapse"], langs=("en", "zh"), alternations=1)
    assert [p.name for p in written] == ["collapse.html", "collapse.zh.html"]
    data = read_page(written[1].read_text(encoding="utf-8"))
    assert data["meta"]["total"] == 57 and len(data["meta"]["steps"]) == 58  # 47 ω + 10 θ steps, and step 0
    goal = data["at"](len(data["meta"]["steps"]) - 1)["_readouts"]["goal"]
    assert "一个子模型占据一切" in goal, goal  # the scenario's goal line, in Chinese
    with pytest.raises(ValueError, match="unknown scenario 'nope'"):
        docs.export_scenarios(tmp_path, names=["nope"])
