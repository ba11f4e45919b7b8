"""Data layers that read records (policy history, training curves, collapse report), on hand-made records."""

import dataclasses
import math

import pytest

import workbench as wb
from workbench.history import SkippedRecord
from workbench.viz import collapse as vc
from workbench.viz import collapse_plot as vcp
from workbench.viz import policy_history as vph
from workbench.viz import training as vt

SMALL = wb.spaces.get("teaching", num_nodes=2)  # node1.input (stem), node1.op, node2.input (stem, node1), node2.op
A = SMALL.parse("node1=relu(stem) node2=relu(stem)")
B = SMALL.parse("node1=identity(stem) node2=identity(node1)")
UNIFORM = ((1.0,), (0.25,) * 4, (0.5, 0.5), (0.25,) * 4)
PEAKED = ((1.0,), (0.5, 0.25, 0.25, 0.0), (0.5, 0.5), (1.0, 0.0, 0.0, 0.0))


def shared(step, epoch, loss, acc=0.5):
    return wb.SharedRecord(
        step=step,
        epoch=epoch,
        arch=A,
        loss=loss,
        loss_after=loss - 0.1,
        accuracy=acc,
        updated=("stem",),
        changed=("stem",),
        seconds=0.01,
    )


def theta(step, epoch, archs, policy, reward, baseline, advantage):
    return wb.ControllerRecord(
        step=step,
        epoch=epoch,
        arch=archs[0],
        archs=tuple(archs),
        accuracy=reward,
        reward=reward,
        baseline=baseline,
        advantage=advantage,
        log_prob=-2.0,
        entropy=3.0,
        skip_rate=0.0,
        policy=policy,
        seconds=0.02,
    )


def history():
    return wb.History(
        [
            shared(1, 0, 2.3),
            shared(2, 0, 2.1),
            theta(3, 0, [A] * 5 + [B] * 5, UNIFORM, 0.2, 0.2, 0.0),
            theta(4, 0, [A] * 10, PEAKED, 0.3, 0.21, 0.09),
            shared(5, 1, 1.9),
            theta(6, 1, [A] * 8 + [B] * 2, PEAKED, 0.1, 0.2, -0.11),
        ]
    )


# ---- policy history ---------------------------------------------------------------------------
def test_policy_history_exact_values():
    info = vph._get_policy_history_info(history())
    assert info.steps == (3, 4, 6) and info.epochs == (0, 0, 1)
    assert info.rows[:4] == ("node1.op = relu", "node1.op = tanh", "node1.op = sigmoid", "node1.op = identity")
    assert info.rows[4:6] == ("node2.input = stem", "node2.input = node1") and len(info.rows) == 10
    assert info.probs[0] == (0.25, 0.5, 0.5) and info.probs[3] == (0.25, 0.0, 0.0)
    assert info.decisions == ("node1.op", "node2.input", "node2.op")  # node1.input has one option: no entropy
    h = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))
    assert info.entropy_fraction[0] == pytest.approx((1.0, h / math.log(4), h / math.log(4)))
    assert info.entropy_fraction[1] == pytest.approx((1.0, 1.0, 1.0))
    assert info.entropy_fraction[2] == pytest.approx((1.0, 0.0, 0.0))
    fig = vph.plot_policy_history(history())
    assert [list(r) for r in fig.data[0].z] == [list(r) for r in info.probs]
    assert list(fig.data[0].x) == [1, 2, 3] and fig.data[0].customdata[0][2] == "step 6, epoch 1"
    assert [s.x0 for s in fig.layout.shapes] == [2.5]  # the epoch boundary
    assert "relu <span style='color:#E69F00'>■</span>" in fig.layout.yaxis.ticktext[0]


def test_policy_history_empty_and_stable():
    empty = vph.plot_policy_history(wb.History([shared(1, 0, 2.0)]))
    assert empty.layout.title.text == "Controller policy over the run"
    assert any("No θ steps yet" in a.text for a in empty.layout.annotations)
    full = vph.plot_policy_history(history())
    assert [t.type for t in empty.data] == [t.type for t in full.data] == ["heatmap", "heatmap"]


# ---- training curves --------------------------------------------------------------------------
def test_training_exact_series():
    h = wb.History([*history(), SkippedRecord(step=7, epoch=1, planned="shared", reason="loss is nan", seconds=0.0)])
    info = vt._get_training_info(h)
    assert info.series[("shared", "loss")] == ((1, 2, None, 5), (2.3, 2.1, None, 1.9))
    assert info.series[("controller", "reward")] == ((3, 4, None, 6), (0.2, 0.3, None, 0.1))
    assert info.series[("controller", "baseline")][1] == (0.2, 0.21, None, 0.2)
    assert info.advantage == ((3, 4, 6), (0.0, 0.09, -0.11))
    assert info.theta_phases == ((3, 4), (6, 6)) and info.skipped == (7,)
    fig = vt.plot_training(h)
    pos, neg = (t for t in fig.data if t.type == "bar")
    assert (list(pos.x), list(pos.y)) == ([3, 4], [0.0, 0.09])
    assert (list(neg.x), list(neg.y)) == ([6], [-0.11])
    loss, acc = fig.data[:2]  # the ω series: loss, training-minibatch accuracy
    assert list(loss.marker.size) == list(acc.marker.size) == [0, 0, 0, 6]  # step 5: an ω run of one step
    assert pos.marker.color != neg.marker.color
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert sorted((s.x0, s.x1) for s in rects) == [(2.5, 4.5), (2.5, 4.5), (5.5, 6.5), (5.5, 6.5)]
    assert [s.x0 for s in fig.layout.shapes if s.type == "line"] == [7, 7]
    assert (fig.layout.xaxis.tick0, fig.layout.xaxis.dtick) == (0, 2)  # steps 1-7: whole-number ticks, 0 2 4 6
    compact = vt.plot_training(h, height=290)
    assert compact.layout.xaxis.dtick == compact.layout.xaxis2.dtick == 2
    late = [dataclasses.replace(r, step=r.step + 1000) for r in h]  # a window of a long run: steps 1001-1007
    assert vt.plot_training(wb.History(late)).layout.xaxis.dtick == 500  # about five ticks, never one per step


def test_training_empty_and_stable():
    empty, full = vt.plot_training(wb.History()), vt.plot_training(history())
    assert empty.layout.title.text == "Training curves"
    assert any("No steps yet" in a.text for a in empty.layout.annotations)
    assert [(t.type, t.name) for t in empty.data] == [(t.type, t.name) for t in full.data]
    assert all(len(t.x or ()) == 0 or t.x == (None,) for t in empty.data)


# ---- collapse report --------------------------------------------------------------------------
def test_collapse_report_exact_evidence():
    report = vc.collapse_report(history(), last_k=20)
    assert report.samples == 20 and report.steps == (4, 6)  # the θ steps that sampled the last 20 children
    assert report.distinct == 2 and report.distinct_share == pytest.approx(2 / 20)
    assert report.top_arch == A and report.top_share == pytest.approx(18 / 20)
    assert report.identity_skip_label == "identity ops"
    assert report.identity_skip_rate == pytest.approx(4 / 40)  # B's two op decisions, twice
    assert report.decisions == ("node1.op", "node2.input", "node2.op")
    assert report.entropy_fraction == pytest.approx((0.75, 1.0, 0.0))  # the last θ step's policy
    assert report.mean_entropy_fraction == pytest.approx(1.75 / 3)
    assert report.entropy_status == ("ok", "ok", "alarm")
    assert report.rewards == (0.3, 0.1) and report.baselines == (0.21, 0.2)
    assert report.mean_advantage == pytest.approx(-0.01)
    statuses = {c.name: c.status for c in report.checks}
    assert statuses == {
        "entropy (mean share of max)": "ok",
        "distinct children": "alarm",
        "most frequent child's share": "alarm",
        "share of identity ops": "ok",
    }
    assert report.verdict == "collapsed"
    wider = vc.collapse_report(history(), last_k=25)
    assert wider.steps == (3, 4, 6) and wider.samples == 25 and wider.top_share == pytest.approx(18 / 25)


def test_collapse_thresholds_are_the_users():
    lenient = vc.collapse_report(
        history(),
        last_k=20,
        distinct_alarm=0.05,
        distinct_warning=0.08,
        top_share_warning=0.92,
        top_share_alarm=0.95,
        entropy_warning=0.3,
        entropy_alarm=0.1,
    )
    assert lenient.verdict == "healthy" and lenient.reasons == ("every check is within its thresholds",)
    th = vc.CollapseThresholds(top_share_warning=0.85, top_share_alarm=0.95, distinct_alarm=0.05, distinct_warning=0.2)
    warned = vc.collapse_report(history(), last_k=20, thresholds=th)
    assert warned.verdict == "warning" and warned.thresholds is not th and warned.thresholds == th
    assert vc.collapse_report(history(), last_k=20, min_samples=21).verdict == "too early"
    with pytest.raises(ValueError, match="entropy_alarm"):
        vc.collapse_report(history(), entropy_alarm=0.6)  # an alarm above its warning
    with pytest.raises(ValueError, match="top_share_alarm=2"):
        vc.collapse_report(history(), top_share_alarm=2)
    with pytest.raises(ValueError, match="unknown threshold"):
        vc.collapse_report(history(), entropy=0.1)
    with pytest.raises(ValueError, match="last_k"):
        vc.collapse_report(history(), last_k=0)


def test_plot_collapse_shows_the_report():
    report = vc.collapse_report(history(), last_k=20)
    fig = vcp.plot_collapse(report)
    assert "COLLAPSED" in fig.layout.title.text and "✖" in fig.layout.title.text
    entropy, checks, warn, alarm, status, reward, baseline = fig.data
    assert list(entropy.x) == list(report.entropy_fraction) and list(entropy.y) == list(report.decisions)
    assert list(checks.x) == [c.value for c in report.checks]
    assert list(alarm.x) == [c.alarm for c in report.checks] and list(warn.x) == [c.warning for c in report.checks]
    assert status.text[1] == "10% ✖ alarm"
    assert list(reward.y) == [0.3, 0.1] and list(baseline.marker.size) == [0, 0]  # a line, no dots
    one = vcp.plot_collapse(vc.collapse_report(wb.History([theta(1, 0, [A] * 10 + [B] * 10, UNIFORM, 0.2, 0.2, 0.0)])))
    assert list(one.data[-1].marker.size) == [6]  # one θ step of 20 children (macro): a dot, not nothing
    early = vcp.plot_collapse(vc.collapse_report(wb.History()))
    assert "TOO EARLY" in early.layout.title.text and len(early.data) == len(fig.data)
    assert all(len(t.x or ()) == 0 for t in early.data)


def test_records_are_checked():
    with pytest.raises(TypeError, match="History"):
        vt.plot_training("log.jsonl")
    with pytest.raises(TypeError, match="SharedRecord"):
        vph.plot_policy_history([1, 2])
    macro = wb.spaces.get("enas-macro", num_layers=2)
    other = shared(9, 2, 1.0).__class__(**{**shared(9, 2, 1.0).__dict__, "arch": macro.random()})
    with pytest.raises(ValueError, match="several spaces"):
        vc.collapse_report([*history(), other])
    with pytest.raises(TypeError, match="CollapseReport"):
        vcp.plot_collapse(history())
