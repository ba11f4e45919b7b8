"""The collapse clinic (issue 15): per-child evidence in the records, each diagnostic on a hand case,
and a verdict that tells collapse from convergence on hand-built histories."""

import json
import math

import pytest
import torch

import workbench as wb
from workbench import saturation as sat
from workbench.app.alarm import CollapseAlarm
from workbench.history import ChildScore, record_from_dict, record_to_dict
from workbench.viz import collapse as vc
from workbench.viz import collapse_evidence as ce

SMALL = wb.spaces.get("teaching", num_nodes=2)  # 11 weight blocks, 32 architectures
A = SMALL.parse("node1=relu(stem) node2=relu(stem)")
B = SMALL.parse("node1=identity(stem) node2=identity(node1)")
UNIFORM = ((1.0,), (0.25,) * 4, (0.5, 0.5), (0.25,) * 4)
PEAKED = ((1.0,), (0.97, 0.01, 0.01, 0.01), (0.98, 0.02), (0.97, 0.01, 0.01, 0.01))


def shared(step, loss, updated=("stem", "node1<-0/relu", "node2<-0/relu", "classifier")):
    return wb.SharedRecord(
        step=step,
        epoch=0,
        arch=A,
        loss=loss,
        loss_after=None,
        accuracy=0.5,
        updated=tuple(updated),
        changed=tuple(updated),
        seconds=0.0,
    )


def child(arch, acc):
    return ChildScore(arch, acc, acc, 0.0, -2.0, 3.0, 0.0)


def theta(step, children, policy, baseline=0.5, advantage=0.0, space=SMALL):
    archs = tuple(c.arch for c in children)
    mean = sum(c.accuracy for c in children) / len(children)
    return wb.ControllerRecord(
        step=step,
        epoch=0,
        arch=archs[0],
        archs=archs,
        accuracy=mean,
        reward=mean,
        baseline=baseline,
        advantage=advantage,
        log_prob=-2.0,
        entropy=3.0,
        skip_rate=0.0,
        policy=policy,
        seconds=0.0,
        children=tuple(children),
        grad_norm=0.5,
        saturation=0.0,
    )


def diverse(spread, start=0):
    """Ten different children of SMALL (from the `start`-th on) whose accuracies spread ±`spread` around 0.5."""
    archs = list(SMALL.enumerate())
    return [child(archs[(start + k) % len(archs)], 0.5 + spread * (-1) ** k) for k in range(10)]


def all_blocks(k):
    """The blocks of the k-th of an even round of children: every block gets its turn."""
    ops = [b for b in SMALL.block_names() if b not in ("stem", "classifier")]
    return ("stem", ops[k % len(ops)], ops[(k + 3) % len(ops)], "classifier")


def run(losses, spread, updated, theta_policies):
    """ω steps with `losses` (their blocks from `updated(k)`), then θ steps: diverse children while the
    policy is uniform, then all A once it has concentrated (PEAKED)."""
    records = [shared(k + 1, loss, updated(k)) for k, loss in enumerate(losses)]
    for policy in theta_policies:
        step = len(records) + 1
        kids = diverse(spread, 10 * len(records)) if policy is UNIFORM else [child(A, 0.5)] * 10
        records.append(theta(step, kids, policy))
    return wb.History(records)


def collapsing():
    """The policy concentrates after 10 ω steps that taught nothing, on rewards within noise."""
    return run([2.3] * 10, 0.01, lambda k: ("stem", "node1<-0/relu", "classifier"), [UNIFORM] * 2 + [PEAKED] * 4)


def converging():
    """The policy concentrates after ω learned (loss 2.3 → 1.0) on every block, on well-separated rewards."""
    losses = [2.3 - 1.3 * k / 59 for k in range(60)]
    return run(losses, 0.2, all_blocks, [UNIFORM] * 2 + [PEAKED] * 4)


def exploring():
    losses = [2.3 - 1.3 * k / 59 for k in range(60)]
    return run(losses, 0.2, all_blocks, [UNIFORM] * 6)


# ---- the records keep the evidence ----------------------------------------------------------------
def test_a_theta_step_records_its_gradient_norm_and_saturation(mnist1d):
    space = wb.spaces.get("teaching")
    config = wb.TrainerConfig.for_space(space, controller_aggregate=3, reward_batch_size=64)
    trainer = wb.Trainer(space, data=mnist1d, config=config, seed=0)
    trainer.shared_step()
    records = [trainer.controller_step() for _ in range(2)]
    assert all(math.isfinite(r.grad_norm) and r.grad_norm > 0 for r in records)
    assert [r.saturation for r in records] == [0.0, 0.0]  # a near-uniform policy
    assert len(records[0].children) == 3
    back = record_from_dict(json.loads(json.dumps(record_to_dict(records[-1]))))
    assert back == records[-1] and back.grad_norm == records[-1].grad_norm
    # a factorized policy pinned at the tanh bound: logits [10, -10, ...] shape to [1.5, -1.5, ...]
    pinned = config.replace(controller_kind="independent", controller_lr=0.0)
    trainer = wb.Trainer(space, data=mnist1d, config=pinned, seed=0)
    with torch.no_grad():
        for p in trainer.controller.logits:
            p.fill_(-10.0)
            p[0] = 10.0
    assert trainer.controller_step().saturation == 1.0
    with torch.no_grad():
        trainer.controller.logits[1].zero_()  # node1.op: uniform again; 1 of the 7 multi-option decisions
    assert trainer.controller_step().saturation == pytest.approx(6 / 7)


def test_old_logs_still_load(tmp_path):
    """A log.jsonl line written before the per-child evidence (no children, grad_norm, saturation)."""
    old_shared = record_to_dict(shared(1, 2.3))
    old_theta = record_to_dict(theta(2, [child(A, 0.4), child(B, 0.6)], UNIFORM))
    for name in ("children", "grad_norm", "saturation"):
        old_theta.pop(name)
    (tmp_path / "log.jsonl").write_text(json.dumps(old_shared) + "\n" + json.dumps(old_theta) + "\n")
    history = wb.History.from_log(tmp_path)
    r = history[1]
    assert (r.children, r.grad_norm, r.saturation) == ((), None, None)
    assert r.archs == (A, B) and r.reward == pytest.approx(0.5)
    report = vc.collapse_report(history, min_samples=1)
    assert report.evidence.reward_snr is None and report.evidence.grad_norm is None


# ---- each diagnostic on a hand case ---------------------------------------------------------------
def test_saturation_rule():
    assert sat.saturated((0.95, 0.05), 1.5)  # log 19 = 2.94 >= 0.95 * 3
    assert not sat.saturated((0.9, 0.1), 1.5)  # log 9 = 2.20
    assert sat.saturated((0.9995, 0.0005), None) and not sat.saturated((0.99, 0.01), None)
    policy = ((1.0,), (0.97, 0.01, 0.01, 0.01), (0.5, 0.5), (0.25,) * 4)  # log 97 = 4.57 >= 2.85
    assert sat.saturation(policy, 1.5) == pytest.approx(1 / 3)  # the one-option decision is not counted
    with pytest.raises(ValueError, match="margin"):
        sat.saturated((0.5, 0.5), 1.5, margin=1.0)


def test_gini_onset_and_declines():
    assert ce.gini([3, 3, 3, 3]) == 0.0 and ce.gini([0, 0, 0, 4]) == pytest.approx(0.75) and ce.gini([]) == 0.0
    with pytest.raises(ValueError, match="non-negative"):
        ce.gini([1, -1])
    series = [1.0, 0.99, 1.0, 0.9, 0.8, 0.97, 0.7, 0.6]  # plateau 1.0, bar 0.95: it left the bar at index 6
    assert ce.onset_index(series, drop=0.05) == 6
    assert ce.onset_index(series[:6], drop=0.05) is None  # back within the bar
    assert ce.onset_index([0.9, 0.8], drop=0.05) == 1
    assert ce.relative_decline(2.0, 1.5) == pytest.approx(0.25)


def test_reward_snr_coverage_flattery():
    r1 = theta(1, [child(A, 0.5), child(B, 0.7)], UNIFORM)  # p 0.6: variance 0.02, noise 0.24 / 100
    r2 = theta(2, [child(A, 0.4), child(B, 0.6)], UNIFORM)  # p 0.5: variance 0.02, noise 0.25 / 100
    assert ce.reward_snr([r1, r2], 100) == pytest.approx(math.sqrt(0.04 / 0.0049))
    one = [theta(k, [child(A, acc)], UNIFORM) for k, acc in enumerate((0.5, 0.7), start=1)]
    assert ce.reward_snr(one, 100) == pytest.approx(math.sqrt(0.02 / 0.0024))  # one child a step: pooled
    assert ce.reward_snr([theta(1, [child(A, 0.5)], UNIFORM)], 100) is None
    with pytest.raises(ValueError, match="reward_batch_size"):
        ce.reward_snr([r1], 0)
    steps = [shared(1, 2.0, ("stem", "node1<-0/relu", "classifier"))] * 3 + [shared(4, 2.0, ("stem", "classifier"))]
    never, g = ce.coverage(SMALL, steps)
    assert never == pytest.approx(8 / 11)
    assert g == pytest.approx(ce.gini([4, 3, 4] + [0] * 8))
    window = [theta(1, [child(A, 0.8), child(B, 0.5)], UNIFORM), theta(2, [child(A, 0.6)], UNIFORM)]
    assert ce.flattery_gap(window, A) == pytest.approx(0.2)
    assert ce.flattery_gap(window[1:], A) is None


def test_the_evidence_bundle_on_a_hand_run():
    records = [shared(1, 2.0), shared(2, 2.0), shared(3, 1.0)]
    records += [
        theta(4, [child(A, 0.6), child(B, 0.4)], UNIFORM, baseline=0.4, advantage=0.1),
        theta(5, [child(A, 0.7), child(B, 0.5)], UNIFORM, baseline=0.45, advantage=0.15),
        theta(6, [child(A, 0.6), child(A, 0.6)], PEAKED, baseline=0.5, advantage=-0.05),
    ]
    records[-1] = records[-1].__class__(**{**records[-1].__dict__, "grad_norm": 2.5, "saturation": 0.5})
    ev = ce.collapse_evidence(records, SMALL, reward_batch_size=100)
    assert ev.theta_steps == (4, 5, 6) and ev.mean_entropy[:2] == (1.0, 1.0)
    assert ev.onset == 6 and ev.onset_theta == 3
    assert ev.entropy_decline == pytest.approx(1 - ev.mean_entropy[2])
    assert ev.loss_decline == pytest.approx(0.4)  # the ω steps before the first θ step: 5/3 → the last one: 1.0
    assert ev.decline_ratio == pytest.approx(ev.entropy_decline / ev.loss_decline)
    assert ev.learned == 0.0  # fewer than 2 × LOSS_STEPS ω steps before the onset: both ends are all of them
    assert ev.positive_advantage == pytest.approx(2 / 3)
    assert ev.baseline_lag == pytest.approx(((0.5 - 0.4) + (0.6 - 0.45) + (0.6 - 0.5)) / 3)
    assert (ev.grad_norm, ev.saturation) == (2.5, 0.5)
    assert ev.never_updated == pytest.approx(7 / 11)
    assert ev.flattery_gap == pytest.approx((0.6 + 0.7 + 0.6 + 0.6) / 4 - 0.45)  # A against B in the window
    assert ev.reward_snr == pytest.approx(ce.reward_snr(records[3:6], 100))  # the θ steps up to the onset


# ---- the verdict: collapse, convergence, healthy --------------------------------------------------
def test_collapse_is_told_from_convergence():
    collapse = vc.collapse_report(collapsing(), reward_batch_size=100)
    converge = vc.collapse_report(converging(), reward_batch_size=100)
    healthy = vc.collapse_report(exploring(), reward_batch_size=100)
    # the same concentration in both: the old report would call both collapsed
    assert collapse.concentration == converge.concentration == "alarm"
    assert [c.status for c in collapse.checks] == [c.status for c in converge.checks]
    assert collapse.verdict == "collapsed" and collapse.can_tell is False
    assert collapse.evidence.reward_snr < 1.5 and collapse.evidence.learned == 0.0
    assert collapse.remedy.startswith("rewards are within minibatch noise: you are learning from noise")
    assert converge.verdict == "converged" and converge.can_tell is True
    assert converge.evidence.reward_snr > 3 and converge.evidence.learned > 0.4
    assert converge.reasons[0].startswith("the policy concentrated after the shared weights could tell")
    assert converge.remedy.startswith("nothing to fix")
    assert healthy.verdict == "healthy" and healthy.remedy == "" and healthy.can_tell is None
    assert collapse.diagnosis[0] == "the entropy began to fall at θ step 3 (step 13)"
    zh = vc.collapse_report(collapsing(), reward_batch_size=100, lang="zh")
    assert zh.verdict == "collapsed" and zh.remedy.startswith("奖励的差别在小批量噪声之内")
    assert "已收敛" in vc.collapse_report(converging(), reward_batch_size=100, lang="zh").verdict_text


def test_the_thresholds_decide_what_counts_as_telling_apart():
    strict = vc.collapse_report(converging(), reward_batch_size=100, learned_min=0.9)
    assert strict.verdict == "collapsed" and strict.remedy.startswith("the policy decided before")
    uneven = vc.collapse_report(converging(), reward_batch_size=100, gini_max=0.0)
    assert uneven.verdict == "collapsed" and uneven.remedy.startswith("ω's coverage is uneven")
    lenient = dict(snr_min=0.0, learned_min=0.0, gini_max=1.0)
    assert vc.collapse_report(collapsing(), reward_batch_size=100, **lenient).verdict == "converged"
    with pytest.raises(ValueError, match="snr_min"):
        vc.CollapseThresholds(snr_min=-1.0)
    with pytest.raises(ValueError, match="reward_batch_size"):
        vc.collapse_report(collapsing(), reward_batch_size=0)
    assert vc.collapse_verdict("warning", None) == "warning" and vc.collapse_verdict("ok", True) == "healthy"
    with pytest.raises(ValueError, match="concentration"):
        vc.collapse_verdict("bad", None)


def test_a_high_identity_share_alone_is_not_a_collapse():
    space = wb.spaces.get("teaching")  # 4 nodes: 24 all-identity children that differ in their inputs
    archs = [a for a in space.enumerate() if space.format(a).count("identity") == 4][:20]
    uniform = tuple((1.0 / len(d.options),) * len(d.options) for d in space.decisions)
    records = [theta(1, [child(a, 0.5 + 0.01 * k) for k, a in enumerate(archs)], uniform, space=space)]
    report = vc.collapse_report(wb.History(records))
    statuses = {c.key: c.status for c in report.checks}
    assert report.identity_skip_rate == 1.0 and statuses["identity_skip"] == "alarm"
    assert report.verdict == "healthy" and report.concentration == "ok"


def test_the_alarm_does_not_ring_for_convergence():
    history, alarm, changes = converging(), CollapseAlarm(), []
    for k in range(1, len(history) + 1):
        change = alarm.check(history[:k])
        changes += [change] if change else []
    assert changes and changes[-1].after == "converged" and not changes[-1].alarming
    assert "not a collapse" in changes[-1].sentence("en") and "不是坍缩" in changes[-1].sentence("zh")
    # the collapse: rings, and says what to change, in both languages
    alarm, rung = CollapseAlarm(), []
    history = collapsing()
    for k in range(1, len(history) + 1):
        change = alarm.check(history[:k])
        rung += [change] if change and change.alarming else []
    assert rung and rung[0].advice("en").startswith("rewards are within minibatch noise")
    assert rung[0].advice("zh").startswith("奖励的差别")
