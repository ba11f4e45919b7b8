"""A real JupyterLab in a real Chromium: each notebook opens, runs top to bottom, and is screenshotted."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from servers import jupyterlab, browser

ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "artifacts"
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    work = root / "notebooks"
    shutil.copytree(ROOT / "notebooks", work)
    with jupyterlab(root, work) as base:
        yield root, base


def open_notebook(page, base: str, name: str) -> None:
    page.goto(f"{base}/lab/tree/{name}?token=wb-test-token&reset")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)


def run_all(page, timeout_ms: int = 170_000) -> None:
    """Run every cell, then wait until every code cell shows an execution number."""
    page.locator(".jp-Notebook").first.click()
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        r"""() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
            return prompts.length > 0 && prompts.every(p => /\[\d+\]/.test(p.textContent));
        }""",
        timeout=timeout_ms,
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, name):
    root, base = lab
    with browser(root, base) as page:
        open_notebook(page, base, name)
        run_all(page)
        tracebacks = page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']")
        assert tracebacks.count() == 0, tracebacks.first.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"lab-{Path(name).stem}.png"))
