"""Every notebook in notebooks/ runs top to bottom on a fresh kernel and is committed without outputs;
notebooks 01-04 are exactly what `python -m notebooks.generator` builds (fast, in memory); the executed
copies are then opened in a real JupyterLab and screenshotted (artifacts/)."""

from __future__ import annotations

import difflib
import importlib.util
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
GENERATOR = ROOT / "notebooks" / "generator"  # `python -m notebooks.generator` writes notebooks 01-04


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


def test_the_twins_share_their_code_cells():
    """01's Chinese twin is built from the same cells: code cells without a translated string are the
    very same text, and every «name» is filled in."""
    gen = GENERATOR_PACKAGE
    cells = gen.NOTEBOOKS["01_weight_sharing_tour.zh.ipynb"][0]
    assert cells is gen.NOTEBOOKS["01_weight_sharing_tour.ipynb"][0]  # one list of cells for both
    en, zh = GENERATED["01_weight_sharing_tour.ipynb"], GENERATED["01_weight_sharing_tour.zh.ipynb"]
    plain = [i for i, c in enumerate(cells) if isinstance(c, gen.cells.C) and not c.names]
    assert plain and all(en.cells[i].source == zh.cells[i].source for i in plain)
    assert 'lang="en"' in en.cells[23].source and 'lang="zh"' in zh.cells[23].source
    assert not any("«" in c.source for nb in GENERATED.values() for c in nb.cells)


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
