"""The app in front of a class (issue 11): scenario presets, the app's state saved to a file or a share
string and loaded back (replayed exactly), bad input, the notebook's launch settings. The child tools,
branching, the log and the alarm: test_app_tools.py."""

from __future__ import annotations

import json

import pytest

import workbench as wb
from workbench.app import scenarios
from workbench.app.launch import settings
from workbench.app.state import AppState

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def small(mnist1d):
    """A 3-node teaching trainer with short θ steps: fast."""
    space = wb.spaces.get("teaching", num_nodes=3)
    config = wb.TrainerConfig.for_space(space, controller_aggregate=3, controller_steps=2)
    return wb.Trainer(space, data=mnist1d, config=config, seed=0)


@pytest.fixture
def app(small):
    return wb.app.Workbench(small)


def records(history):
    """The records as JSON rows without their wall-clock times (equal for equal runs)."""
    rows = [wb.record_to_dict(r) for r in history]
    for row in rows:
        row.pop("seconds")
    return rows


# ---- scenarios ---------------------------------------------------------------------------------
def test_every_scenario_turns_its_knobs_and_says_its_goal(mnist1d):
    space = wb.spaces.get("teaching")
    assert list(scenarios.SCENARIOS) == [
        "healthy", "collapse", "no-tanh", "uniform", "fair", "tf-style", "slow-baseline",
    ]  # fmt: skip
    expected = {
        "collapse": {"controller_lr": 0.05, "entropy_weight": 0.0, "tanh_constant": None},
        "no-tanh": {"tanh_constant": None},
        "uniform": {"sampler": "uniform"},
        "fair": {"sampler": "fair"},
        "tf-style": {"unused_weights": "tf-style"},
        "slow-baseline": {"baseline_decay": 0.999},
    }
    base = wb.TrainerConfig.for_space(space)
    for name, s in scenarios.SCENARIOS.items():
        config = s.config(space)
        assert {k: v for k, v in config.to_dict().items() if base.to_dict()[k] != v} == expected.get(name, {})
        assert s.goal["en"] and s.goal["zh"] and s.title["en"] and s.title["zh"]
    with pytest.raises(ValueError, match="unknown scenario 'broken'; valid: healthy, collapse, no-tanh"):
        scenarios.get("broken")


def test_choosing_a_scenario_starts_it_and_shows_its_goal(app, small):
    app.shared_button.click()
    app.scenario_menu.value = "collapse"  # what picking it from the menu does
    assert app.trainer is not small and app.trainer.config.controller_lr == 0.05
    assert app.trainer.config.tanh_constant is None and app.trainer.seed == small.seed
    assert app.counter.value == "Step 0" and len(app.trainer.history) == 0
    assert scenarios.get("collapse").goal["en"] in app.goal.value.replace("&amp;", "&")
    app.apply_scenario("healthy")  # the run goes on, with ENAS's knobs
    assert app.trainer.config.controller_lr == 1e-3 and app.trainer.config.tanh_constant == 1.5
    assert "controller_lr=0.001" in app.narration.value and app.scenario == "healthy"


def test_presentation_preset_has_fewer_controls_and_debug_the_knobs(small):
    shown = wb.app.Workbench(small, preset="presentation", lang="zh")
    hidden = [shown.sample_button, shown.alternate_button, shown.branch_button, shown.scenario_menu]
    assert all(w.layout.display == "none" for w in hidden) and shown.knob_panel.layout.display == "none"
    assert shown.shared_button.layout.display != "none" and "wb-preset-presentation" in shown.widget._dom_classes
    assert shown.tabs.titles[-1] == "解说记录" and shown.knob_panel.titles == ("超参数",)
    debug = wb.app.Workbench(small, preset="debug")
    assert debug.knob_panel.layout.display == "" and "wb-preset-debug" in debug.widget._dom_classes
    assert list(debug.tabs.titles) == ["Curves", "Collapse check", "Narration log", "Child tools", "Settings & save"]


# ---- saving and loading ------------------------------------------------------------------------
def test_a_state_round_trips_through_a_file_and_a_string(app, tmp_path):
    app.scenario_menu.value = "no-tanh"
    for _ in range(3):
        app.shared_button.click()
    app.controller_button.click()
    app.knobs["controller_lr"].value = 0.02
    app.train_child("node1=relu(stem) node2=tanh(node1) node3=identity(stem)")
    app.shared_button.click()
    state = app.state()
    assert state.actions == (
        ("shared", 3), ("controller", 1), ("configure", {"controller_lr": 0.02}),
        ("child", "node1=relu(stem) node2=tanh(node1) node3=identity(stem)"), ("shared", 1),
    )  # fmt: skip
    assert (state.scenario, state.seed, state.lang, state.preset, state.steps) == ("no-tanh", 0, "en", "classroom", 6)
    path = app.save(tmp_path / "class.json")
    assert json.loads(path.read_text())["format"] == "enas-workbench-app-state" and "Saved to" in app.message.value
    assert AppState.read(path) == state and AppState.decode(app.share_string()) == state
    for source in (path, app.share_string()):
        again = wb.app.Workbench.from_state(source)
        assert records(again.trainer.history) == records(app.trainer.history)  # replayed exactly, from the seed
        assert again.trainer.config.controller_lr == 0.02 and again.counter.value == "Step 6"
        assert again.scenario == "no-tanh" and "No tanh constant" in again.goal.value


def test_a_state_keeps_the_step_shown_and_the_language(app):
    for _ in range(4):
        app.shared_button.click()
    app.scrubber.value = 2
    state = AppState.decode(app.share_string())
    assert state.shown == 2
    again = wb.app.Workbench.from_state(AppState.from_dict({**state.to_dict(), "lang": "zh"}))
    assert again.counter.value == "第 2 步 / 共 4 步" and again.shared_button.description == "更新 ω"
    assert again.knob_panel.titles == ("超参数",)


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "the JSON is malformed"),
        ('{"format": "something else"}', 'expected a JSON object with "format"'),
        ('{"format": "enas-workbench-app-state", "version": 1, "scenario": "broken"}', "unknown scenario 'broken'"),
        ('{"format": "enas-workbench-app-state", "version": 1, "seed": -1}', "seed must be a non-negative int"),
        ('{"format": "enas-workbench-app-state", "version": 1, "actions": [["jump", 3]]}', "bad action"),
        ('{"format": "enas-workbench-app-state", "version": 1, "actions": [["child", "node1=x"]]}', "cannot parse"),
        ('{"format": "enas-workbench-app-state", "version": 1, "config": {"baseline_decay": 2}}', "baseline_decay"),
        ('{"format": "enas-workbench-app-state", "version": 7}', "version 7 is not supported"),
        ('{"format": "enas-workbench-app-state", "version": 1, "lang": "fr"}', "unknown language 'fr'"),
    ],
)
def test_bad_state_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        AppState.read(path)


def test_bad_input_shows_in_the_message_area_and_the_app_keeps_running(app, tmp_path):
    app.shared_button.click()
    (tmp_path / "bad.json").write_text("{oops")
    for bad, says in [
        (str(tmp_path / "bad.json"), "malformed"),
        (str(tmp_path / "missing.json"), "cannot read an app state"),
    ]:
        app.state_path.value = bad
        app.load_button.click()
        assert says in app.message.value and app.counter.value == "Step 1"
    app.share_box.value = "wb1.this-is-not-a-state"
    app.load_string_button.click()
    assert "not an app state" in app.message.value and len(app.trainer.history) == 1
    app.child_arch.value = "node1=fly(stem)"
    app.train_child_button.click()
    assert "cannot parse" in app.message.value and len(app.trainer.history) == 1
    app.shared_button.click()
    assert app.message.value == "" and app.counter.value == "Step 2"


def test_launch_settings_from_the_environment_and_the_url():
    env = {"WORKBENCH_LANG": "zh", "WORKBENCH_PRESET": "debug", "QUERY_STRING": "preset=presentation&scenario=fair"}
    assert settings(env) == ({"lang": "zh", "preset": "presentation", "scenario": "fair"}, [])
    options, errors = settings({"WORKBENCH_LANG": "fr", "QUERY_STRING": "scenario=nope"})
    assert options == {} and errors == [
        "lang='fr' is not valid; choose one of en, zh",
        "scenario='nope' is not valid; choose one of " + ", ".join(scenarios.SCENARIOS),
    ]


def test_the_app_notebook_starts_with_what_it_can_use():
    app = wb.app.Workbench.from_environment({"WORKBENCH_LANG": "fr", "QUERY_STRING": "scenario=uniform"})
    assert app.lang == "en" and app.scenario == "uniform" and app.trainer.config.sampler == "uniform"
    assert "lang='fr' is not valid" in app.message.value
    broken = wb.app.Workbench.from_environment({"WORKBENCH_STATE": "wb1.garbage", "WORKBENCH_LANG": "zh"})
    assert broken.lang == "zh" and "WORKBENCH_STATE: not an app state" in broken.message.value
