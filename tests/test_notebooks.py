"""Every notebook in notebooks/ runs top to bottom on a fresh kernel and is committed without outputs;
the executed copies are then opened in a real JupyterLab and screenshotted (artifacts/)."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "artifacts"
EXECUTED = ARTIFACTS / "executed"  # the notebooks with their outputs, as the tests ran them


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


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
        assert prompts and all(any(ch.isdigit() for ch in p) for p in prompts), prompts  # cells below the fold are not drawn
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"lab-{path.stem}.png"))
