"""The app in a real browser: JupyterLab and Voila on loopback, Debian's Chromium through Playwright."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from servers import TOKEN, browser, jupyterlab, voila

ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]
VIEWS = ("arch", "policy", "heatmap", "training", "collapse")


def open_notebook(page, base: str, name: str) -> None:
    page.goto(f"{base}/lab/tree/{name}?token={TOKEN}&reset")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)


KERNEL_READY = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; }"""


def run_all(page, timeout_ms: int = 170_000) -> None:
    """Once the kernel is connected and idle, run every cell; wait until every code cell shows a number."""
    page.wait_for_function(KERNEL_READY, timeout=120_000)  # the toolbar's indicator says idle before that
    page.locator(".jp-Notebook").first.click()
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        r"""() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
            return prompts.length > 0 && prompts.every(p => /\[\d+\]/.test(p.textContent));
        }""",
        timeout=timeout_ms,
    )


def step_number(page) -> int:
    return int(re.search(r"\d+", page.locator(".wb-step-counter").inner_text()).group())


def wait_for_step(page, n: int, timeout: float = 60.0) -> None:
    page.wait_for_function(
        "() => { const e = document.querySelector('.wb-step-counter'); "
        f"return e && /\\b{n}\\b/.test(e.textContent); }}",
        timeout=timeout * 1000,
    )


PLOT_DATA_JS = """(() => {
    const el = document.querySelector('.wb-view-VIEW.js-plotly-plot, .wb-view-VIEW .js-plotly-plot');
    return el && el.data ? JSON.parse(JSON.stringify(el.data.map(t => ({x: t.x, y: t.y, z: t.z,
    color: t.marker && t.marker.color, line: t.line && t.line.color})))) : null; })()"""


def plot_data(page, view: str):
    """The plotly traces a view draws, read from its DOM element (None until drawn)."""
    return page.evaluate("() => " + PLOT_DATA_JS.replace("VIEW", view))


def drive(page, shots: str) -> None:
    """Step ω three times, Step θ once, Play then Pause; assert on what the page shows."""
    page.set_default_timeout(60_000)
    page.wait_for_selector(".wb-step-shared", timeout=90_000)
    for view in VIEWS:
        page.wait_for_selector(f".wb-view-{view} .main-svg", timeout=60_000)
    assert step_number(page) == 0
    before = {v: plot_data(page, v) for v in VIEWS}
    for n in (1, 2, 3):
        page.locator(".wb-step-shared").click()
        wait_for_step(page, n)
    narration = page.locator(".wb-narration").inner_text()
    assert "θ frozen" in narration and re.search(r"updated \d+ of 32 weight blocks", narration), narration
    page.wait_for_timeout(500)
    after = {v: plot_data(page, v) for v in VIEWS}
    for view in ("arch", "heatmap", "training"):
        assert after[view] != before[view], f"the {view} view did not change after three ω steps"
    heat = after["heatmap"][0]["z"]
    assert sum(v for row in heat for v in row if v is not None) >= 3 * 2  # each ω step updates >= 2 node blocks
    page.screenshot(path=str(ARTIFACTS / f"{shots}-after-omega.png"), full_page=False)

    page.locator(".wb-step-controller").click()
    wait_for_step(page, 4)
    page.wait_for_function("() => document.querySelector('.wb-narration').textContent.includes('ω frozen')")
    page.wait_for_function(
        f"() => JSON.stringify({PLOT_DATA_JS.replace('VIEW', 'policy')}) !== {json.dumps(json.dumps(after['policy']))}"
    )

    page.locator(".wb-play").click()
    page.wait_for_function(
        "() => parseInt(document.querySelector('.wb-step-counter').textContent.match(/\\d+/)[0]) >= 7", timeout=60_000
    )
    page.locator(".wb-play").click()  # Pause
    page.wait_for_timeout(1500)
    paused_at = step_number(page)
    page.wait_for_timeout(1500)
    assert step_number(page) == paused_at, "Play kept stepping after Pause"
    assert page.locator(".wb-message").inner_text().strip() == ""
    page.screenshot(path=str(ARTIFACTS / f"{shots}-after-play.png"), full_page=False)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("app")
    work = root / "notebooks"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / "workbench.ipynb", work)
    return root, work


def test_app_in_jupyterlab(served):
    root, work = served
    ARTIFACTS.mkdir(exist_ok=True)
    with jupyterlab(root / "lab", work) as base, browser(root / "lab", base) as page:
        open_notebook(page, base, "workbench.ipynb")
        run_all(page)
        drive(page, "lab-app")


def test_app_in_voila(served):
    root, work = served
    ARTIFACTS.mkdir(exist_ok=True)
    with voila(root / "voila", work / "workbench.ipynb") as base, browser(root / "voila", base) as page:
        page.goto(f"{base}/?token={TOKEN}")
        drive(page, "voila-app")
        page.set_viewport_size({"width": 1280, "height": 720})
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "voila-app-top.png"))
        page.set_viewport_size({"width": 1280, "height": 3400})  # Voila scrolls inside the page: show it all
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "voila-app-full.png"))
