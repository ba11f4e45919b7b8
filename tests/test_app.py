"""The app, driven through the widget API: every control, and the figures it shows checked against the core."""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys

import plotly.graph_objects as go
import pytest
import torch

import workbench as wb
from workbench.app.views import plain
from workbench.viz import text as viz_text
from workbench.viz import text_records as viz_text_records

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def trainer(mnist1d):
    space = wb.spaces.get("teaching", num_nodes=3)
    config = wb.TrainerConfig.for_space(space, controller_aggregate=3, controller_steps=2)
    return wb.Trainer(space, data=mnist1d, config=config, seed=0)


@pytest.fixture
def app(trainer):
    return wb.app.Workbench(trainer, preset="debug")


# an empty figure's note: the stand-alone figure names the API call, the live view the app's button
HINTS = {
    table[lang]["hint_api"]: table[lang]["hint_app"]
    for table in (viz_text.HEATMAP, viz_text.POLICY, viz_text_records.TRAINING, viz_text_records.COLLAPSE)
    for lang in viz_text.LANGS
}


def height(app, name):
    """The height the app draws view `name` at (None: the figure's own)."""
    return app.views.heights.get(name)


def assert_view(app, name, expected):
    """The live view holds exactly what the standalone figure function draws (at the view's height; see
    HINTS for its empty-figure note), and the browser is sent it. A view in a closed tab is brought up
    to date when its tab opens: open it first, as a teacher's click does."""
    if name in getattr(app.views, "hidden", ()):
        app.tabs.selected_index = wb.app.dashboard.tab_views(v.name for v in wb.viz.views()).index(name)
    got = app.views.figures[name]["data"]
    want = plain(expected.to_plotly_json())["data"]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g == w
    assert json.loads(app.views.widgets[name].figure_json)["data"] == json.loads(json.dumps(got))
    got_layout, want_layout = app.views.figures[name]["layout"], plain(expected.to_plotly_json())["layout"]
    for note in want_layout.get("annotations", ()):
        note["text"] = HINTS.get(note.get("text"), note.get("text"))
    for key in want_layout.keys() - {"width", "autosize"}:  # the views follow the page's width
        assert got_layout.get(key) == want_layout[key], key


def test_step_omega_three_times(app, trainer):
    for _ in range(3):
        app.shared_button.click()
    record = trainer.history[-1]
    assert app.message.value == ""
    assert "Step 3" in app.counter.value and "θ frozen" in app.phase.value
    assert str(record.arch) in app.narration.value
    total = len(trainer.supernet.block_names)
    assert total == 20
    others = total - len(record.updated)
    assert f"updated {len(record.updated)} of {total} weight blocks; the other {others}" in app.narration.value
    counts, space, h = trainer.update_counts, trainer.space, trainer.history
    assert_view(
        app, "arch", wb.viz.plot_arch(space, record.arch, counts, trainer.controller, height=height(app, "arch"))
    )
    heatmap = wb.viz.plot_update_heatmap(counts, space, history=h, arch=record.arch, height=height(app, "heatmap"))
    assert_view(app, "heatmap", heatmap)
    assert_view(app, "training", wb.viz.plot_training(h, height=height(app, "training")))
    z = app.views.figures["heatmap"]["data"][0]["z"]
    fixed = trainer.update_counts.grad["stem"] + trainer.update_counts.grad["classifier"]  # shown beside the grid
    assert sum(v for row in z for v in row if v is not None) + fixed == sum(trainer.update_counts.grad.values())


def test_step_theta_moves_the_policy_view(app, trainer):
    app.shared_button.click()
    app.controller_button.click()
    record = trainer.history[-1]
    assert record.phase == "controller" and "Step 2" in app.counter.value and "ω frozen" in app.phase.value
    assert f"baseline {record.baseline:.3f}" in app.narration.value
    greedy = trainer.controller.most_likely()
    expected = wb.viz.plot_policy(trainer.controller, greedy, previous=None)
    bars = [t for t in app.views.figures["policy"]["data"] if t.get("xaxis", "x") == "x"]
    assert [t.get("x") for t in bars] == [list(t.x) if t.x else None for t in expected.data if t.xaxis in (None, "x")]
    probs = [float(p) for d, c in zip(trainer.controller.distributions(greedy), greedy.choices) for p in [d[c]]]
    shown = {(y, x) for t in bars for y, x in zip(t.get("y") or (), t.get("x") or ()) if x}
    for decision, p in zip(trainer.space.decisions, probs):
        assert any(y == decision.name and x == pytest.approx(p, abs=1e-6) for y, x in shown)
    assert_view(
        app, "collapse", wb.viz.plot_collapse(wb.viz.collapse_report(trainer.history), height=height(app, "collapse"))
    )


def test_alternate_play_and_counter(app, trainer):
    app.shared_steps.value, app.controller_steps.value = 2, 1
    app.alternate_button.click()
    assert [r.phase for r in trainer.history] == ["shared", "shared", "controller"]
    app.speed.value = 20.0
    assert asyncio.run(app.play(max_steps=4)) == 4
    assert [r.phase for r in trainer.history][3:] == ["shared", "shared", "controller", "shared"]
    assert "Step 7" in app.counter.value and not app.play_button.value
    assert_view(app, "training", wb.viz.plot_training(trainer.history, height=height(app, "training")))


@pytest.mark.parametrize(
    "took, starts",
    [  # seconds each step took -> when each step started, at 10 steps/s
        ((0.02, 0.02, 0.13, 0.02, 0.02, 0.02), (0, 0.1, 0.2, 0.33, 0.4, 0.5)),  # one late step, made up at once
        ((0.02, 0.5, 0.02, 0.02, 0.02), (0, 0.1, 0.6, 0.62, 0.7)),  # a stall: one beat made up, then the beat
    ],
)
def test_play_keeps_its_beat(app, monkeypatch, took, starts):
    """Play at 10 steps/s on a clock of its own: a step that ran late is made up by the next one, so Play
    keeps the speed asked for, but after a stall it makes up one beat only, not a burst."""
    clock, started = [0.0], []

    def step():
        started.append(clock[0])
        clock[0] += took[len(started) - 1]

    async def sleep(seconds):
        clock[0] += seconds

    module = importlib.import_module("workbench.app.workbench")
    monkeypatch.setattr(module.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(module.asyncio, "sleep", sleep)
    monkeypatch.setattr(app, "next_step", step)
    app.speed.value = 10.0
    assert asyncio.run(app.play(max_steps=len(took))) == len(took)
    assert started == pytest.approx(starts)


def test_pause_stops_play_within_one_step(app, trainer):
    async def press_pause_after_two():
        task = asyncio.ensure_future(app.play(max_steps=100))
        while len(trainer.history) < 2:
            await asyncio.sleep(0.001)
        app.play_button.value = False  # what the Pause click does
        return await task

    assert asyncio.run(press_pause_after_two()) == 2 == len(trainer.history)


def test_a_view_is_laid_out_again_for_the_size_the_page_gives_it(app, trainer):
    trainer.shared_step()
    app.step_controller()

    def layout(name):
        return json.loads(app.views.widgets[name].figure_json)["layout"]

    assert layout("training")["height"] == 232 and layout("training").get("showlegend") is not False  # Voila's cell
    app.views.widgets["training"].size = [508, 143]  # JupyterLab's tab cell at 1280 x 720, as the browser reports it
    assert layout("training")["height"] == 150 and layout("training")["showlegend"] is False  # the least a figure takes
    app.views.widgets["arch"].size = [542, 203]
    assert layout("arch")["height"] == 203
    app.views.widgets["arch"].size = [542, 210]  # within 16 px of what it was laid out for: left as it is
    assert layout("arch")["height"] == 203


def test_a_view_that_fails_to_lay_out_again_says_so_and_the_app_goes_on(app, trainer, monkeypatch):
    def broken(view, frame):
        raise RuntimeError(f"cannot lay out {view.name}")

    monkeypatch.setattr(app.views, "_draw", broken)
    app.views.widgets["heatmap"].size = [542, 203]  # an event from the page, not a button
    assert "cannot lay out heatmap" in app.message.value
    monkeypatch.undo()
    app.shared_button.click()  # the next action clears the message, as every action does
    assert app.counter.value == "Step 1" and trainer.step == 1 and app.message.value == ""


def test_sample_child_changes_no_weights(app, trainer):
    before = {k: v.clone() for k, v in trainer.supernet.state_dict().items()}
    arch = app.sample()
    assert str(arch) in app.narration.value and len(trainer.history) == 0
    assert all(torch.equal(before[k], v) for k, v in trainer.supernet.state_dict().items())
    expected = wb.viz.plot_arch(
        trainer.space, arch, trainer.update_counts, trainer.controller, height=height(app, "arch")
    )
    assert_view(app, "arch", expected)


def test_scrubber_redraws_a_past_step(app, trainer):
    for _ in range(4):
        app.shared_button.click()
    app.scrubber.value = 2
    assert app.counter.value.startswith("Step 2") and "4" in app.counter.value
    past = trainer.history.upto(2)
    counts = wb.UpdateCounts.from_records(trainer.space.block_names(), past)
    assert_view(app, "arch", wb.viz.plot_arch(trainer.space, past[-1].arch, counts, height=height(app, "arch")))
    heatmap = wb.viz.plot_update_heatmap(
        counts, trainer.space, history=past, arch=past[-1].arch, height=height(app, "heatmap")
    )
    assert_view(app, "heatmap", heatmap)
    app.shared_button.click()  # stepping goes live again
    assert app.scrubber.value == 5 and app.counter.value == "Step 5"


def test_reset_same_seed_replays_identically(app, trainer):
    app.shared_button.click()
    first = trainer.history[0].arch
    app.reset_button.click()
    assert app.counter.value == "Step 0" and app.trainer is not trainer
    app.shared_button.click()
    assert app.trainer.history[0].arch == first
    app.same_seed.value = False
    app.reset_button.click()
    assert app.trainer.seed == 1


def test_knobs_change_the_config_and_bad_values_show_an_error(app, trainer):
    app.knobs["controller_lr"].value = 0.01
    assert trainer.config.controller_lr == 0.01 and app.message.value == ""
    app.knobs["baseline_decay"].value = 1.5
    assert "baseline_decay=1.5" in app.message.value and trainer.config.baseline_decay == 0.99
    assert app.knobs["baseline_decay"].value == 0.99  # the knob shows the value in force
    app.knobs["sampler"].value = "uniform"
    assert trainer.config.sampler == "uniform"
    app.shared_button.click()  # still usable
    assert "Step 1" in app.counter.value


def test_a_diverged_step_shows_in_the_message_area(app, trainer):
    with torch.no_grad():
        trainer.supernet.blocks["stem"].weight.fill_(float("nan"))
    app.shared_button.click()
    assert "step 1: shared loss is nan" in app.message.value and len(trainer.history) == 0
    with torch.no_grad():
        trainer.supernet.blocks["stem"].weight.normal_(0, 0.1)
    app.shared_button.click()
    assert app.message.value == "" and "Step 1" in app.counter.value


def test_presets_and_chinese(trainer):
    classroom = wb.app.Workbench(trainer, preset="classroom", lang="zh")
    assert classroom.knob_panel.layout.display == "none"
    assert classroom.shared_button.description == "更新 ω"
    classroom.shared_button.click()
    assert "θ 冻结" in classroom.narration.value and "阶段 1" in classroom.phase.value
    with pytest.raises(ValueError, match="unknown preset 'lecture'; valid: classroom, debug"):
        wb.app.Workbench(trainer, preset="lecture")
    with pytest.raises(ValueError, match="unknown language 'fr'; valid: en, zh"):
        wb.app.Workbench(trainer, lang="fr")


def test_css_classes_for_tests_and_styling(app):
    classes = {
        c
        for w in [
            app.sample_button,
            app.shared_button,
            app.controller_button,
            app.alternate_button,
            app.play_button,
            app.reset_button,
            app.counter,
            app.phase,
            app.narration,
            app.message,
        ]
        for c in w._dom_classes
    }
    assert classes >= {
        "wb-sample",
        "wb-step-shared",
        "wb-step-controller",
        "wb-alternate",
        "wb-play",
        "wb-reset",
        "wb-step-counter",
        "wb-phase",
        "wb-narration",
        "wb-message",
    }
    assert {c for f in app.views.widgets.values() for c in f._dom_classes} == {
        "wb-view-arch",
        "wb-view-policy",
        "wb-view-heatmap",
        "wb-view-training",
        "wb-view-collapse",
    }


@pytest.fixture
def tiny_view():
    """A sixth live view, registered by this file alone (as a new viz module would), removed afterwards."""
    view = wb.viz.register(
        wb.viz.View(
            "tiny-steps",
            place=99,
            reads={"history"},
            info=lambda frame: len(frame.history),
            skeleton=lambda space, lang, height: go.Figure(go.Scatter(name="records so far", mode="lines")),
            patch=lambda n, skeleton: (
                [dict(x=list(range(n + 1)), y=list(range(n + 1)))],
                dict(title_text=f"{n} steps"),
            ),
        )
    )
    yield view
    wb.viz.unregister("tiny-steps")


def test_a_view_registered_in_one_file_is_drawn_and_patched(tiny_view, trainer):
    app = wb.app.Workbench(trainer)
    assert [v.name for v in app.views.views] == ["arch", "heatmap", "policy", "training", "collapse", "tiny-steps"]
    widget = app.views.widgets["tiny-steps"]
    assert "wb-view-tiny-steps" in widget._dom_classes and widget in app.widget.children[-1].children
    policy_json = app.views.widgets["policy"].figure_json
    app.shared_button.click()
    app.shared_button.click()
    expected = go.Figure(go.Scatter(name="records so far", mode="lines", x=[0, 1, 2], y=[0, 1, 2]))
    assert_view(app, "tiny-steps", expected.update_layout(title_text="2 steps"))
    assert app.views.widgets["policy"].figure_json == policy_json  # an ω step redraws only views it changed
    app.scrubber.value = 1  # a past step: the view's own data layer reads the records up to it
    assert_view(app, "tiny-steps", expected.update_traces(x=[0, 1], y=[0, 1]).update_layout(title_text="1 steps"))


def test_the_registry_refuses_bad_views(tiny_view):
    assert tiny_view in wb.viz.views()
    with pytest.raises(ValueError, match="'tiny-steps' is registered already"):
        wb.viz.register(tiny_view)
    with pytest.raises(ValueError, match="reads \\['controller'\\]; valid Frame fields: arch, arch_policy"):
        wb.viz.View("bad", 1, {"controller"}, info=len, skeleton=go.Figure, patch=lambda i, s: ([], {}))
    with pytest.raises(ValueError, match="a CSS class"):
        wb.viz.View("Bad View", 1, {"history"}, info=len, skeleton=go.Figure, patch=lambda i, s: ([], {}))


@pytest.mark.slow
def test_replay_a_cli_run(tmp_path):
    run = tmp_path / "run"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "search",
            "--space",
            "teaching",
            "--num-nodes",
            "2",
            "--epochs",
            "1",
            "--batch-size",
            "512",
            "--controller-steps",
            "2",
            "--controller-aggregate",
            "2",
            "--out",
            str(run),
            "--quiet",
        ],
        check=True,
        timeout=120,
    )
    history = wb.History.from_log(run)
    app = wb.app.Workbench.replay(run)
    assert app.shared_button.disabled and app.play_button.disabled and app.trainer is None
    assert app.scrubber.max == len(history) == history[-1].step
    app.scrubber.value = 3
    space = wb.spaces.get("teaching", num_nodes=2)
    counts = wb.UpdateCounts.from_records(space.block_names(), history.upto(3))
    assert_view(app, "arch", wb.viz.plot_arch(space, history[2].arch, counts, height=height(app, "arch")))
    assert app.counter.value == f"Step 3 of {len(history)}"
    with pytest.raises(ValueError, match="holds no run"):
        wb.app.Workbench.replay(tmp_path / "nothing")


def test_a_view_sends_plotly_js_only_when_its_page_asks(app):
    """A kernel holds no plotly.js in its views (a classroom page loads the file); a page without it asks once."""
    from workbench.app.plotview import PLOTLY_JS, PlotView

    assert all(w.library == "" for w in app.views.widgets.values())
    view = next(iter(app.views.widgets.values()))
    view.wants_library = True  # what the page's module sets when it finds no Plotly
    assert view.library == PLOTLY_JS.read_text(encoding="utf-8") and len(view.library) > 1_000_000
    sent = []
    view.observe(sent.append, "library")
    view.wants_library = False
    view.wants_library = True  # asked again (a reloaded page): the source it already holds is not set again
    assert sent == [] and PlotView("{}").library == ""
