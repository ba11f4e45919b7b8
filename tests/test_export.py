"""`workbench export`: a run as one self-contained page whose data is what the live app shows.

Fast tests check the diffs, the HTML (no network, config and command, noscript) and that the page's data
decodes to the app's figures; the browser test opens the page from file:// with the network blocked,
steps and scrubs it, and compares what Chromium draws with the app replaying the same run folder.
"""

from __future__ import annotations

import html
import json
import math
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import workbench as wb
from workbench.cli import EXIT_OK, EXIT_USAGE, main
from workbench.export import kept_steps, read_page
from workbench.export.folder import export_run
from workbench.export.patch import _SAME, apply, decode, diff, encode

ARTIFACTS = Path(__file__).parent.parent / "artifacts"
ARGS = ["--space", "teaching", "--num-nodes", "2", "--batch-size", "256", "--controller-steps", "2",
        "--controller-aggregate", "3", "--epochs", "2", "--seed", "3", "--quiet"]  # fmt: skip
TOL = 1e-4  # the page keeps 5 significant digits: a relative error under 5e-5


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    assert main(["search", *ARGS, "--out", str(root / "run")]) == EXIT_OK
    assert main(["export", str(root / "run"), "--out", str(root / "run.html"), "--quiet"]) == EXIT_OK
    return root / "run", (root / "run.html").read_text(encoding="utf-8")


def live_app(folder, lang="en"):
    """The app replaying `folder`, every view patched at each step (those in hidden tabs too)."""
    app = wb.app.Workbench.replay(folder, lang=lang)
    if hasattr(app.views, "show_only"):
        app.views.show_only(())
    return app


def close(a, b) -> bool:
    """Equal, floats within the page's rounding; NaN / inf in the app is a gap (null) in the page."""
    if isinstance(b, float) and not math.isfinite(b):
        return a is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=TOL, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    return a == b


# ---- the diffs -----------------------------------------------------------------------------------------
def _random_json(rng: random.Random, depth: int = 0):
    kind = rng.choice(["num", "str", "list", "dict", "none"] if depth < 3 else ["num", "str", "none"])
    if kind == "num":
        return rng.choice([rng.randint(-3, 3), round(rng.uniform(-2, 2), 3)])
    if kind == "str":
        return rng.choice(["a", "node1 of 12 steps (45.5%) and more text here", "gradient in 3 of 11 ω steps"])
    if kind == "none":
        return None
    if kind == "list":
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return {rng.choice("abcde"): _random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_a_diff_applied_gives_the_new_value_and_leaves_the_old_alone():
    rng = random.Random(0)
    for _ in range(400):
        old, new = _random_json(rng), _random_json(rng)
        before = json.dumps(old)
        p = diff(old, new)
        if p is _SAME:
            assert old == new
            continue
        assert apply(old, json.loads(json.dumps(p))) == new, (old, new, p)
        assert json.dumps(old) == before
    assert diff([1.0, 2.0], [1.0, 2.0, 3.0]) == {"$t": [3.0]}  # a curve grew by a point
    assert diff("loss 2.31 of 11 steps (45.5%)", "loss 2.31 of 12 steps (41.7%)") == {"$n": [2, "12", 3, "41", 4, "7"]}
    assert diff({"a": 1}, {"a": None}) == {"a": {"$v": None}} and diff({"a": 1}, {}) == {"a": None}


def test_states_decode_from_keyframes_and_diffs():
    rng = random.Random(1)
    states = []
    for i in range(40):
        trace = {"x": list(range(i)), "t": f"step {i} of 9"}
        states.append({"v": {"data": [trace]}, "_readouts": {"n": "x" * (i % 3)}})
        if rng.random() < 0.3:
            states[-1]["v"]["layout"] = {"title": "t" * rng.randint(0, 50)}
    data = json.loads(json.dumps(encode(states, every=7)))
    assert [decode(data, i) for i in range(len(states))] == states


def test_kept_steps_are_the_first_the_last_and_evenly_spaced():
    assert kept_steps(3, None) == (0, 1, 2, 3) and kept_steps(3, 10) == (0, 1, 2, 3)
    assert kept_steps(10, 4) == (0, 3, 7, 10) and len(kept_steps(1000, 200)) == 200
    with pytest.raises(ValueError, match="max_steps must be an int >= 2"):
        kept_steps(10, 1)


# ---- the page --------------------------------------------------------------------------------------------
class _Fetches(HTMLParser):
    """Every URL the HTML would make a browser fetch: src / href attributes and CSS url(...)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.noscript = ""
        self._tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._tags.append(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href", "srcset", "poster", "data") and v]

    def handle_endtag(self, tag):
        if self._tags:
            self._tags.pop()

    def handle_data(self, data):
        if self._tags and self._tags[-1] == "style":
            self.urls += re.findall(r"url\(([^)]*)\)|@import\s+['\"]([^'\"]+)", data)
        if "noscript" in self._tags:
            self.noscript += data


def test_the_page_needs_no_network_and_says_what_it_is(exported):
    folder, page = exported
    found = _Fetches()
    found.feed(page)
    assert not [u for u in found.urls if re.match(r"\s*(https?:)?//", str(u))], found.urls
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=", page), "the page loads a file"
    assert "JavaScript" in found.noscript and len(found.noscript) > 80, found.noscript
    config = json.loads((folder / "config.json").read_text())
    assert html.escape(config["command"]) in page and html.escape(f'"seed": {config["seed"]}') in page
    assert "Plotly" in page and len(page) > 3_000_000  # plotly.js is embedded
    assert "://" not in json.dumps(read_page(page)["data"]), "the figures link to the network"


def test_the_page_holds_what_the_app_shows_at_each_step(exported):
    folder, page = exported
    data = read_page(page)
    steps = data["meta"]["steps"]
    app = live_app(folder)
    n, compared = steps[-1], 0
    assert data["meta"]["opening"]["counter"] == app.counter.value  # as the app opens: at its last step
    for step in sorted({1, n // 2, n}):
        app.scrubber.value = step
        state = data["at"](steps.index(step))
        assert state.keys() - {"_readouts"} == set(app.views.figures)
        for name, figure in app.views.figures.items():
            assert close(state[name], figure), (name, step)
            compared += 1
        readouts = state["_readouts"]
        assert readouts["counter"] == app.counter.value and readouts["narration"] == app.narration.value
    assert compared >= 3 * 5


def test_a_packed_thinned_chinese_page_decodes_the_same(exported, tmp_path):
    folder, _ = exported
    done = export_run(folder, tmp_path / "zh.html", lang="zh", max_steps=5, compress=True)
    page = (tmp_path / "zh.html").read_text(encoding="utf-8")
    assert done.compressed and done.steps == 5 and '<html lang="zh">' in page and 'id="wb-plotly"' in page
    data = read_page(page)
    assert data["meta"]["steps"] == list(kept_steps(done.total, 5))
    assert "显示 29 步中的 5 步" in page  # the page says it was thinned
    app = live_app(folder, lang="zh")
    for index, step in enumerate(data["meta"]["steps"]):
        app.scrubber.value = step
        state = data["at"](index)
        assert all(close(state[name], fig) for name, fig in app.views.figures.items()), step
        assert state["_readouts"]["narration"] == app.narration.value


def test_bad_input_is_refused(tmp_path, capsys, exported):
    folder, _ = exported
    assert main(["export", str(tmp_path), "--quiet"]) == EXIT_USAGE
    assert "holds no run" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "nowhere"), "--quiet"]) == EXIT_USAGE
    assert "nowhere" in capsys.readouterr().err
    assert main(["export", str(folder), "--lang", "fr"]) == EXIT_USAGE
    assert "--lang 'fr' is not valid" in capsys.readouterr().err
    assert main(["export", str(folder), "--out", str(tmp_path / "no" / "such" / "a.html")]) == EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err
    assert main(["export", str(folder), "--out", str(tmp_path)]) == EXIT_USAGE
    assert "is a folder" in capsys.readouterr().err
    assert main(["export", str(folder), "--max-steps", "1"]) == EXIT_USAGE
    assert "--max-steps 1" in capsys.readouterr().err
    kept = tmp_path / "kept.html"
    kept.write_text("an older page")
    assert main(["export", str(tmp_path), "--out", str(kept), "--quiet"]) == EXIT_USAGE
    assert kept.read_text() == "an older page" and not list(tmp_path.glob(".*.tmp"))


# ---- in a real browser ---------------------------------------------------------------------------------
TRACE_JS = """name => { const el = document.querySelector('.wb-view-' + name + '.js-plotly-plot');
    return el && el.data ? JSON.parse(JSON.stringify(el.data)) : null; }"""


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_in_chromium_offline_shows_what_the_app_shows(exported, tmp_path):
    from servers import browser

    folder, page_html = exported
    page_file = folder.parent / "run.html"
    app = live_app(folder)
    opening = app.counter.value
    steps = read_page(page_html)["meta"]["steps"]
    n = steps[-1]
    with browser(tmp_path, "file://") as page:
        fetched = []
        page.on("request", lambda r: fetched.append(r.url) if not r.url.startswith(("file://", "data:")) else None)
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        page.wait_for_function("() => document.documentElement.classList.contains('wb-ready')", timeout=60_000)
        assert page.locator(".wb-step-counter").inner_text() == opening
        page.locator(".wb-step-back").click()  # step and scrub as a student does
        page.wait_for_function(f"() => WB.index === {len(steps) - 2}")
        page.locator(".wb-step-forward").click()
        page.wait_for_function(f"() => WB.index === {len(steps) - 1}")
        page.locator(".wb-scrub").focus()
        page.keyboard.press("Home")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => WB.index === 1")
        for step in sorted({1, n // 2, n}):
            page.evaluate(
                "i => { const s = document.querySelector('.wb-scrub'); s.value = String(i); "
                "s.dispatchEvent(new Event('input')); return WB.go(i); }",
                steps.index(step),
            )
            app.scrubber.value = step
            assert page.locator(".wb-step-counter").inner_text() == html.unescape(app.counter.value)
            assert page.locator(".wb-narration").inner_text().split() == html.unescape(app.narration.value).split()
            for name, figure in app.views.figures.items():
                if page.locator(f'.wb-tab[data-panel="wb-panel-{name}"]').count():
                    page.evaluate("name => WB.tab(name)", name)  # a view in a hidden tab is drawn when shown
                drawn = page.evaluate(TRACE_JS, name)
                assert drawn is not None and len(drawn) == len(figure["data"]), (name, step)
                for ours, live in zip(drawn, figure["data"]):
                    assert close({k: ours.get(k) for k in live}, live), (name, step, live.get("name"))
        page.screenshot(path=str(_artifacts() / "export-page.png"))
        page.locator(".wb-play").click()
        page.wait_for_function(f"() => WB.playing() && WB.index >= 2 && WB.index < {len(steps) - 1}", timeout=20_000)
        page.locator(".wb-play").click()  # Pause
        page.wait_for_timeout(700)
        paused = page.evaluate("() => WB.index")
        page.wait_for_timeout(700)
        assert page.evaluate("() => WB.index") == paused and not page.evaluate("() => WB.playing()")
        page.locator('.wb-tab[data-panel="wb-panel-run"]').click()
        assert "workbench search" in page.locator(".wb-run .wb-command").inner_text()
        assert page.locator(".wb-page .wb-message").inner_text().strip() == ""
        assert not errors and not fetched, (errors, fetched)
    with browser(tmp_path / "nojs", "file://") as page:  # JavaScript off: a message, not a blank page
        context = page.context.browser.new_context(java_script_enabled=False)
        off = context.new_page()
        off.goto(page_file.as_uri())
        assert "JavaScript" in off.locator(".wb-noscript").inner_text()
        assert "workbench search" in off.locator(".wb-run .wb-command").inner_text()
        context.close()


def _artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def test_the_live_app_exports_itself_and_links_a_download(tmp_path):
    """Workbench.export (the Settings tab's button): the run so far as a page whose last step is what the
    app shows now, the command that rebuilds it, and a download link in the message area."""
    space = wb.spaces.get("teaching", num_nodes=2)
    config = wb.TrainerConfig.for_space(space, batch_size=256, controller_steps=2, controller_aggregate=3)
    app = wb.app.Workbench(wb.Trainer(space, config=config, seed=1))
    app.views.show_only(())
    for _ in range(2):
        app.alternate()
    page = app.export(tmp_path / "live.html")
    assert page.total == app.history[-1].step and page.steps == page.total + 1
    data = read_page(page.path.read_text(encoding="utf-8"))
    last = data["at"](len(data["meta"]["steps"]) - 1)
    for view in ("heatmap", "policy", "training"):
        assert close(last[view]["data"], app.views.figures[view]["data"]), f"{view} differs from the live app"
    # the arch view: the same drawing; its hover adds P(choice) only where the frame's policy runs along the
    # child shown (live: the controller along it; a replay: the record's, along the most likely child)
    for a, b in zip(last["arch"]["data"], app.views.figures["arch"]["data"], strict=True):
        assert close({k: v for k, v in a.items() if k != "hovertext"}, {k: v for k, v in b.items() if k != "hovertext"})
    assert "Workbench.from_state('wb1." in html.unescape(page.path.read_text(encoding="utf-8"))
    assert 'class="wb-download" download="live.html" href="data:text/html;base64,' in app.message.value
    with pytest.raises(ValueError, match="is a folder"):
        app.export(tmp_path)
