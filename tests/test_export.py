"""`workbench export`: a run as one self-contained page whose data is what the live app shows."""

from __future__ import annotations

import json
import re

import pytest

import workbench as wb
from workbench.cli import EXIT_OK, EXIT_USAGE, main
from workbench.export import read_page

ARGS = ["--space", "teaching", "--num-nodes", "2", "--batch-size", "256", "--controller-steps", "2",
        "--controller-aggregate", "3", "--epochs", "1", "--seed", "3", "--quiet"]  # fmt: skip


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    assert main(["search", *ARGS, "--out", str(root / "run")]) == EXIT_OK
    assert main(["export", str(root / "run"), "--out", str(root / "run.html"), "--quiet"]) == EXIT_OK
    return root / "run", (root / "run.html").read_text()


@pytest.mark.slow
def test_the_page_needs_no_network_and_says_what_it_is(exported):
    folder, html = exported
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', html), "the page fetches from the network"
    assert "<noscript>" in html
    config = json.loads((folder / "config.json").read_text())
    assert config["command"] in html
    assert "Plotly" in html and len(html) > 3_000_000  # plotly.js is embedded


@pytest.mark.slow
def test_the_page_holds_what_the_app_shows_at_each_step(exported):
    folder, html = exported
    page = read_page(html)
    steps = page["meta"]["steps"]
    app = wb.app.Workbench.replay(folder)
    n, compared = steps[-1], 0
    for step in sorted({1, n // 2, n}):
        app.scrubber.value = step
        state = page["at"](steps.index(step))
        for name, figure in app.views.figures.items():
            if name not in state:
                continue
            ours = [{k: t.get(k) for k in ("x", "y", "z")} for t in state[name]["data"]]
            live = [{k: t.get(k) for k in ("x", "y", "z")} for t in figure["data"]]
            assert _close(ours, live), (name, step)
            compared += 1
        assert page["at"](steps.index(step))["_readouts"], "the counter and narration are stored too"
    assert compared >= 3 * 3, f"only {compared} view states compared"


def _close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) <= 1e-4 * max(1.0, abs(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def test_bad_input_is_refused(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--quiet"]) == EXIT_USAGE
    assert "holds no run" in capsys.readouterr().err
    assert main(["export", str(tmp_path), "--lang", "fr"]) == EXIT_USAGE
    assert "--lang 'fr' is not valid" in capsys.readouterr().err
