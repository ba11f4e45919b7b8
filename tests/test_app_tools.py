"""The app's classroom tools (issue 11): the child tools and clicks on the views, branching from the past,
the narration log, the collapse alarm, which views redraw and in which words, checked against the
trainer's own numbers. Scenarios and saved states: test_app_classroom.py."""

from __future__ import annotations

import json

import pytest

import workbench as wb
from workbench.app import scenarios
from workbench.app.alarm import CollapseAlarm
from workbench.app.narration_log import NarrationLog
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
