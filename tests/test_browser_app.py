"""The app in a real browser: JupyterLab and Voila on loopback, Debian's Chromium through Playwright.

At 1280 x 720 the controls, counter, narration and the 2 x 2 dashboard fit without scrolling and no
visible text is under 14 px (screenshots in artifacts/, the README's in docs/app.png); the buttons
step, play and pause; a scenario loads with its goal; the collapse alarm rings on the collapse recipe
and not on healthy ENAS; a chosen child trains exactly its blocks; a branch restores a past step.
"""

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
VIEWS = ("arch", "policy", "heatmap", "training")  # drawn at the start (the collapse check waits in its tab)
GRID = ("arch", "heatmap", "policy")
CHILD = "node1=relu(stem) node2=tanh(node1) node3=identity(stem) node4=sigmoid(node2)"


def open_notebook(page, base: str, name: str) -> None:
    page.goto(f"{base}/lab/tree/{name}?token={TOKEN}&reset")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)


KERNEL_READY = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
    return !!k && k.connectionStatus === 'connected' && k.status === 'idle'; }"""


def run_all(page, timeout_ms: int = 170_000) -> None:
    """Once the kernel is connected and idle, run every cell; wait until the app's step button is drawn
    (the app cell keeps its source collapsed, so it shows no prompt number to wait for)."""
    page.wait_for_function(KERNEL_READY, timeout=120_000)  # the toolbar's indicator says idle before that
    page.locator(".jp-Notebook").first.click()
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(".wb-step-shared", timeout=timeout_ms)


def step_number(page) -> int:
    return int(re.search(r"\d+", page.locator(".wb-step-counter").inner_text()).group())


def wait_for_step(page, n: int, timeout: float = 60.0, of: int | None = None) -> None:
    """Until the counter shows step `n` (and, with `of`, "of `of`"; of=0: the latest step, no total)."""
    total = "" if of is None else (r"\s*$" if of == 0 else rf"\D+{of}\b")
    page.wait_for_function(
        "() => { const e = document.querySelector('.wb-step-counter'); "
        f"return e && /\\b{n}\\b{total}/.test(e.textContent.replace(/步\\s*$/, '')); }}",
        timeout=timeout * 1000,
    )


def wait_for_narration(page, words: str, timeout: float = 60.0) -> None:
    page.wait_for_function(
        "(w) => document.querySelector('.wb-narration').textContent.includes(w)", arg=words, timeout=timeout * 1000
    )


PLOT_DATA_JS = """(() => {
    const el = document.querySelector('.wb-view-VIEW.js-plotly-plot, .wb-view-VIEW .js-plotly-plot');
    return el && el.data ? JSON.parse(JSON.stringify(el.data.map(t => ({x: t.x, y: t.y, z: t.z,
    color: t.marker && t.marker.color, line: t.line && t.line.color, customdata: t.customdata})))) : null; })()"""


def plot_data(page, view: str):
    """The plotly traces a view draws, read from its DOM element (None until drawn)."""
    return page.evaluate("() => " + PLOT_DATA_JS.replace("VIEW", view))


def wait_for_views(page, views=VIEWS) -> None:
    page.wait_for_selector(".wb-step-shared", timeout=90_000)
    for view in views:
        page.wait_for_selector(f".wb-view-{view} .main-svg", timeout=60_000)


# ---- one screen, readable from the back of the room ---------------------------------------------
SMALL_TEXT_JS = """(selector) => {
    const root = document.querySelector(selector);
    const small = [], seen = new Set();
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, e = node.parentElement;
        if (!node.textContent.trim() || !e || seen.has(e)) continue;
        seen.add(e);
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight
            || r.left >= innerWidth) continue;  // not on screen
        let shown = true;
        for (let a = e; a; a = a.parentElement) {
            const s = getComputedStyle(a);
            if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0) {
                shown = false;
                break;
            }
        }
        if (!shown) continue;
        const css = parseFloat(getComputedStyle(e).fontSize);
        let px = css;  // SVG text (plotly) may be scaled down by a transform: its size on screen
        if (e instanceof SVGGraphicsElement && e.getScreenCTM()) {
            const m = e.getScreenCTM();
            px = css * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
        }
        if (css < 14 || px < 13.95) small.push([Math.round(px * 10) / 10, css, e.tagName,
            String(e.className.baseVal ?? e.className).slice(0, 40), node.textContent.trim().slice(0, 40)]);
    }
    return small; }"""


def assert_one_screen(page, where: str, root: str = "body") -> None:  # root: a CSS selector
    """The app's controls and the three dashboard views lie inside the 1280 x 720 viewport, the page is
    not scrolled, and no visible text (HTML or SVG) is under 14 px."""
    page.wait_for_timeout(800)  # the screen fit and the figures' resize settle
    assert page.evaluate("() => [innerWidth, innerHeight]") == [1280, 720]
    for css in (".wb-step-shared", ".wb-step-counter", ".wb-phase", ".wb-narration", *(f".wb-view-{v}" for v in GRID)):
        box = page.locator(css).first.bounding_box()
        assert box is not None, f"{where}: {css} is not drawn"
        inside = box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720
        assert inside and box["height"] > 20, f"{where}: {css} at {box} is not inside the 1280 x 720 viewport"
    fourth = page.locator(".wb-tabs").first.bounding_box()
    assert fourth["y"] + fourth["height"] <= 720, f"{where}: the fourth cell (tabs) ends below the screen: {fourth}"
    scrolled = page.evaluate(
        "() => [window.scrollY, ...[...document.querySelectorAll('*')].map(e => e.scrollTop).filter(t => t > 0)]"
    )
    assert scrolled == [0], f"{where}: the page is scrolled: {scrolled}"
    small = page.evaluate(SMALL_TEXT_JS, root)
    assert not small, f"{where}: {len(small)} visible texts under 14 px, e.g. {small[:8]}"


ROWS_JS = """() => [...document.querySelectorAll('.wb-tab-page')].filter(e => e.clientHeight > 0).map(page =>
    [...page.children].filter(c => c.offsetHeight > 0).map(c => { const r = c.getBoundingClientRect();
        return [Math.round(r.top), Math.round(r.bottom)]; }))"""


def assert_tab_rows_apart(page, where: str) -> None:
    """Each tab of the fourth cell: its rows keep their height, one below the other (a cell too short for
    them scrolls, as JupyterLab's at 1280 x 720 must); then the first tab again."""
    tabs = page.locator(".wb-tabs .lm-TabBar-tab")
    for i in range(tabs.count()):
        tabs.nth(i).click()
        page.wait_for_timeout(300)
        for rows in page.evaluate(ROWS_JS):
            overlaps = [(a, b) for a, b in zip(rows, rows[1:]) if b[0] < a[1] - 1]
            assert not overlaps, f"{where}, tab {i}: rows drawn over each other: {overlaps}"
            assert all(bottom - top >= 20 for top, bottom in rows), f"{where}, tab {i}: a row squashed: {rows}"
    tabs.nth(0).click()
    page.wait_for_timeout(300)


# ---- the original walk through: three ω steps, a θ step, Play and Pause -------------------------
def drive(page, shots: str) -> None:
    """Step ω three times, Step θ once, Play then Pause; assert on what the page shows."""
    page.set_default_timeout(60_000)
    wait_for_views(page)
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
    assert "mean advantage" in page.locator(".wb-narration").inner_text()
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


# ---- how fast it feels: Play's pace and click -> views, measured, not asserted ---------------------
PLOT_JS = "(v) => document.querySelector(`.wb-view-${v}.js-plotly-plot, .wb-view-${v} .js-plotly-plot`)"
DRAWS_JS = f"(views) => views.map(v => Number(({PLOT_JS})(v).dataset.draws || 0))"
PACE_JS = r"""async (seconds) => {
    const counter = document.querySelector('.wb-step-counter'), seen = [];
    const step = () => Number(counter.textContent.match(/\d+/)[0]);
    const watch = new MutationObserver(() => seen.push([performance.now(), step()]));
    watch.observe(counter, {childList: true, characterData: true, subtree: true});
    await new Promise(resolve => setTimeout(resolve, seconds * 1000));
    watch.disconnect();
    return seen;
}"""  # when the counter showed each step during `seconds`: [ms, step], as the page saw it
CLICK_TO_VIEWS_JS = f"""async ([button, views]) => {{
    const plot = {PLOT_JS}, counter = document.querySelector('.wb-step-counter');
    const before = counter.textContent, draws = views.map(v => plot(v).dataset.draws);
    const t0 = performance.now();
    let counted = null;
    document.querySelector(button).click();
    return await new Promise((resolve, reject) => {{
        const tick = () => {{
            const ms = performance.now() - t0;
            if (counted === null && counter.textContent !== before) counted = ms;
            if (counted !== null && views.every((v, i) => plot(v).dataset.draws !== draws[i]))
                return resolve([counted, ms]);
            if (ms > 30000) return reject(new Error('no update within 30 s'));
            requestAnimationFrame(tick);
        }};
        tick();
    }}); }}"""


def median(values: list[float]) -> float:
    values = sorted(values)
    return round((values[(len(values) - 1) // 2] + values[len(values) // 2]) / 2, 1)


def measure_speed(page, clicks: int = 10, play_seconds: float = 6.0) -> dict:
    """Click -> counter and click -> every view that an ω step changes redrawn (ms, one student), then
    Play at its default and its top speed: steps per second, each dashboard view's draws per second. Asserts only
    that the views do update; the numbers go to artifacts/browser-speed.json and the README."""
    moved = ["arch", "heatmap", "training"]  # an ω step does not move the policy
    counter_ms, views_ms = [], []
    for _ in range(clicks):
        c, v = page.evaluate(CLICK_TO_VIEWS_JS, [".wb-step-shared", moved])
        counter_ms.append(c)
        views_ms.append(v)
        page.wait_for_timeout(250)
    speeds = {}
    for setting in (None, "30"):  # the default pace, then the slider's top
        if setting:
            page.locator(".wb-tabs .lm-TabBar-tab", has_text="Settings").click()
            readout = page.locator(".wb-speed .widget-readout").first  # editable: type the speed
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(setting)
            page.keyboard.press("Enter")
            page.wait_for_function(
                "(s) => parseFloat(document.querySelector('.wb-speed .widget-readout').textContent) === s",
                arg=float(setting),
            )
        speeds[setting or "default"] = play_pace(page, play_seconds, moved)
    page.locator(".wb-tabs .lm-TabBar-tab", has_text="Curves").click()  # the tabs as they were
    return {
        "clicks": clicks,
        "click_to_counter_ms": {"p50": median(counter_ms), "max": round(max(counter_ms), 1)},
        "click_to_views_ms": {"p50": median(views_ms), "max": round(max(views_ms), 1), "views": moved},
        "play": speeds,
    }


def play_pace(page, seconds: float, moved: list[str]) -> dict:
    """Play for `seconds` at the speed set: steps per second and each dashboard view's draws per second."""
    setting = float(page.evaluate("() => document.querySelector('.wb-speed .widget-readout').textContent"))
    page.locator(".wb-play").click()
    page.wait_for_timeout(1500)  # Play settles into its pace
    grid = list(GRID)
    draws0, t0 = page.evaluate(DRAWS_JS, grid), page.evaluate("performance.now()")
    seen = page.evaluate(PACE_JS, seconds)
    draws1, t1 = page.evaluate(DRAWS_JS, grid), page.evaluate("performance.now()")
    page.locator(".wb-play").click()  # Pause
    page.wait_for_timeout(1000)
    elapsed = (t1 - t0) / 1000
    for view, a, b in zip(grid, draws0, draws1):  # the policy moves only on the θ steps Play reaches
        assert b > a or view not in moved, f"the {view} view was not redrawn during Play ({a} -> {b} draws)"
    (first_ms, first), (last_ms, last) = seen[0], seen[-1]
    assert last - first >= 10, f"Play showed only steps {first} to {last} in {seconds} s"
    return {
        "setting_steps_per_s": setting,
        # steps between the first and the last step shown, over the time between them: no ±1 step of a window
        "steps_per_s": round((last - first) / ((last_ms - first_ms) / 1000), 2),
        "draws_per_s": {v: round((b - a) / elapsed, 2) for v, a, b in zip(grid, draws0, draws1)},
    }


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("app")
    work = root / "notebooks"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / "workbench.ipynb", work)
    ARTIFACTS.mkdir(exist_ok=True)
    return root, work


@pytest.fixture(scope="module")
def voila_base(served):
    """One Voila server for the module; every page it serves is a fresh kernel running the notebook."""
    root, work = served
    with voila(root / "voila", work / "workbench.ipynb") as base:
        yield root / "voila", base


def test_app_in_jupyterlab(served):
    root, work = served
    with jupyterlab(root / "lab", work) as base, browser(root / "lab", base) as page:
        open_notebook(page, base, "workbench.ipynb")
        page.evaluate("window.jupyterapp.shell.collapseLeft()")  # the side panel closed
        run_all(page)
        wait_for_views(page)
        assert_one_screen(page, "JupyterLab", root=".wb-app")
        page.screenshot(path=str(ARTIFACTS / "app-lab-1280x720-en.png"))
        assert_tab_rows_apart(page, "JupyterLab")
        drive(page, "lab-app")


def test_app_in_voila(voila_base):
    root, base = voila_base
    with browser(root, base) as page:
        page.goto(f"{base}/?token={TOKEN}")
        wait_for_views(page)
        assert_one_screen(page, "Voila")
        assert_tab_rows_apart(page, "Voila")
        drive(page, "voila-app")
        speed = measure_speed(page)
        (ARTIFACTS / "browser-speed.json").write_text(json.dumps(speed, indent=2))
        print("browser speed (Voila, one page):", json.dumps(speed))
        start = step_number(page)
        page.locator(".wb-alternate").click()  # a fuller picture for the README
        wait_for_step(page, start + 57)  # 47 ω steps (an epoch) and 10 θ steps
        assert_one_screen(page, "Voila after a run")
        page.screenshot(path=str(ARTIFACTS / "app-voila-1280x720-en.png"))
        shutil.copy(ARTIFACTS / "app-voila-1280x720-en.png", ROOT / "docs" / "app.png")


def test_app_in_voila_in_chinese_presentation_and_debug(voila_base):
    root, base = voila_base
    with browser(root, base) as page:
        page.goto(f"{base}/?token={TOKEN}&lang=zh")
        wait_for_views(page)
        assert page.locator(".wb-step-shared").inner_text().strip() == "更新 ω"
        for n in (1, 2):
            page.locator(".wb-step-shared").click()
            wait_for_step(page, n)
        assert page.locator(".wb-step-counter").inner_text().strip() == "第 2 步"
        page.locator(".wb-step-controller").click()
        wait_for_step(page, 3)
        page.wait_for_function("() => document.querySelector('.wb-narration').textContent.includes('平均优势')")
        assert "高于基线的子模型被强化" in page.locator(".wb-narration").inner_text()
        assert_one_screen(page, "Voila, zh")
        page.screenshot(path=str(ARTIFACTS / "app-voila-1280x720-zh.png"))
    with browser(root, base) as page:
        page.goto(f"{base}/?token={TOKEN}&preset=presentation")
        wait_for_views(page)
        assert page.locator(".wb-sample").is_hidden() and page.locator(".wb-scenario").is_hidden()
        page.locator(".wb-step-shared").click()
        wait_for_step(page, 1)
        assert_one_screen(page, "Voila, presentation")
        page.screenshot(path=str(ARTIFACTS / "app-voila-1280x720-presentation.png"))
        assert_tab_rows_apart(page, "Voila, presentation")
    with browser(root, base) as page:
        page.goto(f"{base}/?token={TOKEN}&preset=debug")  # the knobs; it may scroll
        wait_for_views(page)
        page.wait_for_selector(".wb-knob-controller-lr input", state="visible")
        page.locator(".wb-step-shared").click()
        wait_for_step(page, 1)
        page.screenshot(path=str(ARTIFACTS / "app-voila-debug.png"), full_page=True)


def test_scenarios_and_the_collapse_alarm_in_voila(voila_base):
    """Two alternations (94 ω and 20 θ steps, seed 0): healthy ENAS stays healthy, the collapse recipe
    collapses (tests/test_app_classroom.py checks the same run in Python)."""
    root, base = voila_base
    with browser(root, base) as page:
        page.goto(f"{base}/?token={TOKEN}")
        wait_for_views(page)
        assert "The controller keeps exploring" in page.locator(".wb-goal").inner_text()
        for n in (57, 114):
            page.locator(".wb-alternate").click()
            wait_for_step(page, n, timeout=90)
        page.wait_for_timeout(500)
        assert page.locator(".wb-alarm").is_hidden(), "the alarm rang on healthy ENAS"
        page.locator(".wb-scenario select").select_option(label="Collapse recipe")
        page.wait_for_function("() => document.querySelector('.wb-goal').textContent.includes('alarm ring')")
        wait_for_step(page, 0)
        for n in (57, 114):
            page.locator(".wb-alternate").click()
            wait_for_step(page, n, timeout=90)
        page.wait_for_selector(".wb-alarm", state="visible", timeout=10_000)
        banner = page.locator(".wb-alarm").inner_text()
        assert "COLLAPSED" in banner and "entropy fell below" in banner, banner
        assert_one_screen(page, "Voila with the alarm")
        page.screenshot(path=str(ARTIFACTS / "app-voila-alarm.png"))
        page.locator(".wb-alarm-close").click()
        page.wait_for_selector(".wb-alarm", state="hidden", timeout=10_000)
        page.locator(".wb-tabs .lm-TabBar-tab", has_text="Narration log").click()
        page.wait_for_function("() => document.querySelector('.wb-log').textContent.includes('Collapse check')")


def test_child_tools_links_and_branching_in_voila(voila_base):
    root, base = voila_base
    with browser(root, base) as page:
        page.goto(f"{base}/?token={TOKEN}")
        wait_for_views(page)
        page.set_default_timeout(60_000)
        before = plot_data(page, "heatmap")[0]
        page.locator(".wb-tabs .lm-TabBar-tab", has_text="Child tools").click()
        page.locator(".wb-child-arch input").fill(CHILD)
        page.locator(".wb-child-arch input").press("Enter")
        page.locator(".wb-train-child").click()
        wait_for_step(page, 1)
        wait_for_narration(page, "Trained your child")
        page.wait_for_timeout(500)
        after = plot_data(page, "heatmap")[0]
        assert after["customdata"], "the heatmap's cells carry no block names (customdata)"
        moved = {
            after["customdata"][r][c]
            for r, row in enumerate(after["z"])
            for c, v in enumerate(row)
            if v != before["z"][r][c]
        }
        assert moved == {"node1<-0/relu", "node2<-1/tanh", "node4<-2/sigmoid"}, moved  # exactly the child's blocks

        # linked views: a click on a heatmap cell selects its block
        heat = page.locator(".wb-view-heatmap .nsewdrag").first.bounding_box()
        page.mouse.click(heat["x"] + heat["width"] * 0.1, heat["y"] + heat["height"] * 0.05)
        page.wait_for_function("() => document.querySelector('.wb-narration').textContent.startsWith('Selected')")

        # branching: four more steps, back to step 3 on the History slider, branch, go on
        for n in (2, 3):
            page.locator(".wb-step-shared").click()
            wait_for_step(page, n)
        page.locator(".wb-step-controller").click()
        wait_for_step(page, 4)
        page.locator(".wb-step-shared").click()
        wait_for_step(page, 5)
        handle = page.locator(".wb-scrub .noUi-handle").first
        handle.focus()
        for _ in range(2):
            handle.press("ArrowLeft")
        wait_for_step(page, 3, of=5)
        page.wait_for_timeout(800)
        at_three = {v: plot_data(page, v) for v in ("heatmap", "policy", "training")}
        page.locator(".wb-branch").click()
        wait_for_step(page, 3, of=0)
        wait_for_narration(page, "Branched at step 3")
        page.wait_for_timeout(800)
        for view in ("heatmap", "policy"):
            assert plot_data(page, view) == at_three[view], f"the {view} view after the branch is not step 3's"
        page.locator(".wb-step-controller").click()  # on, with a θ step where the old branch had an ω step
        wait_for_step(page, 4, of=0)
        page.locator(".wb-tabs .lm-TabBar-tab", has_text="Narration log").click()
        page.wait_for_function("() => document.querySelector('.wb-log').textContent.includes('Branched at step 3')")
        log = page.locator(".wb-log").inner_text()
        assert log.count("old branch") >= 2 and page.locator(".wb-log-old").count() == 2, log[:600]
        assert page.locator(".wb-message").inner_text().strip() == ""
        page.screenshot(path=str(ARTIFACTS / "app-voila-branch.png"))
