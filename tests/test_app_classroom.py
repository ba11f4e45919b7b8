"""The app in front of a class (issue 11): scenarios, saved states, child tools, branching, the narration
log and the collapse alarm, driven through the widget API and checked against the trainer's own numbers."""

from __future__ import annotations

import json

import pytest

import workbench as wb
from workbench.app import scenarios
from workbench.app.alarm import CollapseAlarm
from workbench.app.launch import settings
from workbench.app.narration_log import NarrationLog
from workbench.app.state import AppState
from workbench.app.timeline import Timeline, apply

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CHILD = "node1=relu(stem) node2=tanh(node1) node3=identity(stem) node4=sigmoid(node2)"


@pytest.fixture
def small(mnist1d):
    """A 3-node teaching trainer with short θ steps: fast."""
    space = wb.spaces.get("teaching", num_nodes=3)
    config = wb.TrainerConfig.for_space(space, controller_aggregate=3, controller_steps=2)
    return wb.Trainer(space, data=mnist1d, config=config, seed=0)


@pytest.fixture
def app(small):
    return wb.app.Workbench(small)


@pytest.fixture
def teaching(mnist1d):
    """The full teaching space (the one the shipped stand-alone table covers)."""
    return wb.app.Workbench(wb.Trainer("teaching", data=mnist1d, seed=0))


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


def test_the_app_notebook_starts_with_what_it_can_use(monkeypatch):
    app = wb.app.Workbench.from_environment({"WORKBENCH_LANG": "fr", "QUERY_STRING": "scenario=uniform"})
    assert app.lang == "en" and app.scenario == "uniform" and app.trainer.config.sampler == "uniform"
    assert "lang='fr' is not valid" in app.message.value
    broken = wb.app.Workbench.from_environment({"WORKBENCH_STATE": "wb1.garbage", "WORKBENCH_LANG": "zh"})
    assert broken.lang == "zh" and "WORKBENCH_STATE: not an app state" in broken.message.value


# ---- the child tools and clicks ----------------------------------------------------------------
def test_train_a_chosen_child_updates_exactly_its_blocks(teaching):
    trainer = teaching.trainer
    before = dict(trainer.update_counts.grad)
    teaching.child_arch.value = CHILD
    teaching.train_child_button.click()
    record = trainer.history[-1]
    arch = trainer.space.parse(CHILD)
    assert teaching.message.value == "" and record.arch == arch and record.loss_after is not None
    assert set(record.updated) == set(trainer.supernet.blocks_for(arch)) == set(record.changed)
    moved = {b for b, n in trainer.update_counts.grad.items() if n != before[b]}
    assert moved == set(record.updated) == {"stem", "node1<-0/relu", "node2<-1/tanh", "node4<-2/sigmoid", "classifier"}
    assert teaching.narration.value.startswith("Trained your child") and teaching.counter.value == "Step 1"
    assert teaching.state().actions == (("child", CHILD),)


def test_compare_two_children(teaching):
    other = "node1=identity(stem) node2=identity(node1) node3=identity(node2) node4=identity(node3)"
    out = teaching.compare(CHILD, other)
    trainer, table = teaching.trainer, wb.groundtruth.load("teaching-mnist1d")
    assert out["a"]["shared"] == trainer.evaluate(trainer.space.parse(CHILD))
    assert out["b"]["shared"] == trainer.evaluate(trainer.space.parse(other))
    for key, arch in (("a", CHILD), ("b", other)):
        assert out[key]["standalone"] == wb.fidelity.standing(arch, table)
    assert out["a"]["standalone"]["of"] == 6144 and out["shared_blocks"] == ["stem", "classifier"]
    rank = out["a"]["standalone"]["rank"]
    assert f"rank {rank:,} of 6,144" in teaching.compare_result.value
    assert f"shared {out['a']['shared']:.2f} · stand-alone" in teaching.compare_result.value
    assert "They share 2 weight blocks: stem, classifier." in teaching.compare_result.value


def test_compare_without_a_table_says_so(app):
    out = app.compare("node1=relu(stem) node2=tanh(node1) node3=relu(node2)", "node1=relu(stem) node2=relu(stem) "
                      "node3=relu(node2)")  # fmt: skip
    assert "standalone" not in out["a"] and "no stand-alone table for this space" in app.compare_result.value
    assert out["shared_blocks"] == ["stem", "node1<-0/relu", "node3<-2/relu", "classifier"]


def test_clicks_on_the_arch_view_edit_the_child(teaching):
    teaching.child_arch.value = CHILD
    teaching.child_edit.value = True
    arch_view = teaching.views.widgets["arch"]
    arch_view.click = {"name": "node2", "shift": False, "n": 1}
    assert teaching.child_arch.value == CHILD.replace("node2=tanh(node1)", "node2=sigmoid(node1)")
    arch_view.click = {"name": "node2", "shift": True, "n": 2}  # shift: the next input
    assert teaching.child_arch.value.split()[1] == "node2=sigmoid(stem)"
    arch_view.click = {"name": "node3<-2/relu", "shift": False, "n": 3}  # a block: that input and op
    assert teaching.child_arch.value.split()[2] == "node3=relu(node2)"
    assert teaching.views.figures["arch"] is not None and len(teaching.trainer.history) == 0


def test_clicking_a_point_selects_it_in_every_view_and_again_clears(app):
    app.shared_button.click()
    heatmap = app.views.widgets["heatmap"]
    heatmap.click = {"name": "node2<-1/tanh", "shift": False, "n": 1}
    assert app.selected == "node2<-1/tanh" and "Selected node2&lt;-1/tanh" in app.narration.value
    assert app._frame(app._n()).selected == "node2<-1/tanh"
    heatmap.click = {"name": "node2<-1/tanh", "shift": False, "n": 2}
    assert app.selected is None and app.narration.value == "Selection cleared."


# ---- branching and the log ---------------------------------------------------------------------
def test_branch_from_a_past_step_restores_it_exactly_and_forks_the_log(app):
    for _ in range(3):
        app.shared_button.click()
    app.controller_button.click()
    for _ in range(3):
        app.shared_button.click()
    old = records(app.trainer.history)
    app.scrubber.value = 4
    shown = {name: json.loads(w.figure_json)["data"] for name, w in app.views.widgets.items() if name != "arch"}
    assert not app.branch_button.disabled
    app.branch_button.click()
    assert app.message.value == "" and app.counter.value == "Step 4" and app.scrubber.max == 4
    assert records(app.trainer.history) == old[:4] and app.trainer.step == 4
    counts = wb.UpdateCounts.from_records(app.trainer.space.block_names(), app.trainer.history)
    assert app.trainer.update_counts.grad == counts.grad
    for name in ("heatmap", "policy"):
        assert json.loads(app.views.widgets[name].figure_json)["data"] == shown[name]
    app.shared_button.click()  # the same step again: steps are deterministic
    assert records(app.trainer.history) == old[:5]
    old_lines = [e for e in app.log.lines() if app.log.abandoned(e)]
    assert [e.step for e in old_lines] == [5, 6, 7] and any(e.kind == "fork" and e.step == 4 for e in app.log.lines())
    app.tabs.selected_index = app._tool_tab_index("tab_log")
    assert "Branched at step 4" in app.log_view.value and app.log_view.value.count("wb-log-old") == 3


def test_branch_then_other_knobs_make_another_run(app):
    for _ in range(2):
        app.shared_button.click()
    app.controller_button.click()
    app.controller_button.click()
    first = records(app.trainer.history)
    app.branch(2)
    app.knobs["controller_lr"].value = 0.05
    app.controller_button.click()
    app.controller_button.click()
    again = records(app.trainer.history)
    assert again[:2] == first[:2] and again[2]["archs"] == first[2]["archs"]  # the same state samples the same
    assert again[2]["policy"] != first[2]["policy"]  # ... but the faster θ moves further
    with pytest.raises(ValueError, match="earlier step"):
        app.branch(app._n())


def test_the_timeline_restores_any_step_after_thinning(small):
    timeline = Timeline(small, every=2, keep=3)
    actions = [("shared", None)] * 6 + [("controller", None)] * 2 + [("shared", None)] * 4
    for k, action in enumerate(actions):
        if k == 7:
            small.configure(entropy_weight=0.01)
            timeline.configure(small, {"entropy_weight": 0.01})
        apply(small, action)
        timeline.step(small, action)
    assert len(timeline.snapshots) <= 4 and timeline.every > 2
    full = records(small.history)
    for step in (11, 7, 3):
        replayed = timeline.restore(small, step)
        assert records(small.history) == full[:step] and small.step == step and replayed <= timeline.every
    assert small.config.entropy_weight == 1e-4  # the knob changed after step 7 is forgotten with the branch


def test_the_narration_log_keeps_the_last_lines_with_their_steps(app):
    for _ in range(3):
        app.shared_button.click()
    app.controller_button.click()
    lines = app.log.lines()
    assert [e.step for e in lines] == [1, 2, 3, 4] and all(e.kind == "step" for e in lines)
    assert lines[-1].text.startswith("ω frozen. Sampled 3 children") and "mean advantage" in lines[-1].text
    log = NarrationLog(size=2)
    for n in range(5):
        log.add(n, f"line {n}")
    assert [e.text for e in log.lines()] == ["line 3", "line 4"]
    page = log.html({"log_step": "step {n}", "log_old_branch": "old", "log_empty": "-"})
    assert page.index("line 4") < page.index("line 3")  # newest first


# ---- the collapse alarm ------------------------------------------------------------------------
def test_the_alarm_logic_names_the_evidence_and_the_step(mnist1d):
    space = wb.spaces.get("teaching")
    trainer = wb.Trainer(space, data=mnist1d, config=scenarios.get("collapse").config(space), seed=0)
    alarm, changes = CollapseAlarm(), []
    for _ in range(trainer.steps_per_epoch):
        trainer.shared_step()
    for _ in range(trainer.config.controller_steps):
        trainer.controller_step()
        changes += [c for c in [alarm.check(trainer.history)] if c]
    assert [(c.before, c.after, c.theta_step, c.step) for c in changes[:2]] == [
        ("too early", "healthy", 2, 49),
        ("healthy", "warning", 4, 51),
    ]
    assert changes[1].alarming and not changes[0].alarming
    report = wb.viz.collapse_report(trainer.history.upto(51))
    entropy = report.mean_entropy_fraction
    assert changes[1].sentence("en") == (
        f"Collapse check: healthy → at risk at θ step 4 (step 51): entropy fell below 50% of its maximum "
        f"(now {entropy:.0%})."
    )
    zh = changes[1].sentence("zh")
    assert zh.startswith("坍缩检查：健康 → 有风险，第 4 个 θ 步（第 51 步）：熵降到其最大值的 50% 以下")


@pytest.mark.parametrize("scenario, banner", [("collapse", True), ("healthy", False)])
def test_the_banner_rings_on_the_collapse_recipe_and_not_on_healthy_enas(mnist1d, scenario, banner):
    app = wb.app.Workbench(scenario=scenario)  # the teaching space on MNIST-1D, seed 0
    assert app.trainer.config == scenarios.get(scenario).config(app.space)
    for _ in range(2):  # two alternations: 94 ω steps and 20 θ steps, the browser test's count
        app.alternate_button.click()
    verdict = wb.viz.collapse_report(app.trainer.history).verdict
    assert verdict == ("collapsed" if banner else "healthy")
    assert (app.banner.layout.display != "none") == banner
    alarms = [e for e in app.log.lines() if e.kind == "alarm"]
    if banner:
        assert "COLLAPSED" in app.banner_text.value and "entropy fell below" in app.banner_text.value
        assert any("at risk" in e.text for e in alarms)
        app.banner_close.click()
        assert app.banner.layout.display == "none"
    else:
        assert [e.text.split(":")[1].strip() for e in alarms] == ["too early to tell → healthy at θ step 2 (step 49)"]


# ---- what is shown, in which words -------------------------------------------------------------
def test_only_the_views_on_screen_are_redrawn(app):
    collapse = app.views.widgets["collapse"]
    shown = collapse.figure_json
    assert "collapse" in app.views.hidden and app.tabs.selected_index == 0
    app.shared_button.click()
    app.controller_button.click()
    assert collapse.figure_json == shown and "collapse" in app.views.stale  # hidden: not sent
    app.tabs.selected_index = 1  # the teacher opens the collapse tab
    assert collapse.figure_json != shown and not app.views.stale - {"training"}
    training = app.views.widgets["training"].figure_json
    app.shared_button.click()
    assert app.views.widgets["training"].figure_json == training  # its tab is closed now


def test_chinese_counter_knobs_and_theta_narration(small):
    zh = wb.app.Workbench(small, lang="zh", preset="debug")
    for _ in range(2):
        zh.shared_button.click()
    zh.controller_button.click()
    record = small.history[-1]
    assert f"平均优势 {record.advantage:+.3f}：高于基线的子模型被强化" in zh.narration.value
    zh.scrubber.value = 1
    assert zh.counter.value == "第 1 步 / 共 3 步" and zh.knob_panel.titles == ("超参数",)
    en = wb.app.Workbench(small)
    en.scrubber.value = 2
    en.scrubber.value = 3
    assert f"mean advantage {record.advantage:+.3f}: children above the baseline were reinforced" in en.narration.value
    assert en.counter.value == "Step 3"


def test_the_omega_narration_says_why_an_unchanged_block_did_not_change(app, small):
    app.shared_button.click()
    record = small.history[-1]
    assert "Why did " in app.narration.value and " not change? " in app.narration.value
    block = app.narration.value.split("Why did ")[1].split(" not change?")[0].replace("&lt;", "<")
    assert block in small.supernet.block_names and block not in record.changed
    if hasattr(wb.viz, "why_unchanged"):
        why = wb.viz.why_unchanged(small.space, record.arch, block, "en").rstrip(".")
        assert why[1:] in app.narration.value.replace("&lt;", "<").replace("&gt;", ">")
