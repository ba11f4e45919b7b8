"""Sampler "fair" (FairNAS-style strict fairness): each ω step is one update from the mean gradient
of a group that uses every op of every node exactly once; inputs as evenly as the group allows."""

from __future__ import annotations

import collections
import copy

import pytest
import torch
import torch.nn.functional as F

import workbench as wb


def _fair(mnist1d, **changes) -> wb.Trainer:
    space = wb.spaces.get("teaching")
    cfg = wb.TrainerConfig.for_space(space, sampler="fair", **changes)
    return wb.Trainer(space, data=mnist1d, config=cfg, seed=3)


def test_config_accepts_fair_and_names_it_when_refusing():
    assert wb.TrainerConfig(sampler="fair").sampler == "fair"
    with pytest.raises(ValueError, match="choose one of controller, uniform, fair"):
        wb.TrainerConfig(sampler="fairest")


def test_every_op_once_and_inputs_balanced_in_every_group(mnist1d):
    trainer = _fair(mnist1d)
    space = trainer.space
    totals = collections.Counter()
    for _ in range(60):
        group = trainer.fair_group()
        assert len(group) == 4  # the largest option count: 4 ops (and node4's 4 inputs)
        for d, decision in enumerate(space.decisions):
            counts = collections.Counter(a.choices[d] for a in group)
            k = len(decision.options)
            assert set(counts) <= set(range(k))
            if decision.kind == "op" or 4 % k == 0:  # ops, node1/2/4 inputs: exactly 4/k times each
                assert counts == dict.fromkeys(range(k), 4 // k), (decision.name, counts)
            else:  # node3 has 3 inputs: one used twice per group
                assert sorted(counts.values()) == [1, 1, 2], counts
            totals.update((decision.name, c) for c in counts.elements())
    node3 = [totals[("node3.input", c)] for c in range(3)]
    assert sum(node3) == 240 and max(node3) - min(node3) < 40  # equal in expectation (80 each)


def test_one_step_applies_the_mean_gradient_of_the_group(mnist1d):
    trainer = _fair(mnist1d, shared_momentum=0.0, shared_weight_decay=0.0, grad_clip=0.0, shared_lr=0.1)
    shadow = copy.deepcopy(trainer)
    before = {n: p.detach().clone() for n, p in trainer.supernet.named_parameters()}
    record = trainer.shared_step()

    group = shadow.fair_group()  # the same draws from the same generators
    x, y = shadow.batches.train(shadow.config.batch_size)
    net = shadow.supernet
    losses = [F.cross_entropy(net(x, a), y) for a in group]
    grads = torch.autograd.grad(torch.stack(losses).mean(), list(net.parameters()), allow_unused=True)
    assert record.archs == tuple(group) and record.arch == group[0]
    assert record.loss == pytest.approx(sum(loss.item() for loss in losses) / 4, rel=1e-6)
    used = set().union(*(trainer.space.blocks_for(a) for a in group))
    assert set(record.updated) == used
    for (name, p), g in zip(trainer.supernet.named_parameters(), grads):
        block = name.split(".")[1]
        if block in used:
            torch.testing.assert_close(p.detach(), before[name] - 0.1 * g, rtol=1e-5, atol=1e-6)
        else:  # no child of the group used it: bit for bit unchanged
            assert g is None and torch.equal(p.detach(), before[name]), name
    assert trainer.update_counts.to_dict() is not None


def test_fair_records_round_trip_and_old_logs_still_load(mnist1d):
    trainer = _fair(mnist1d)
    record = trainer.shared_step()
    row = wb.record_to_dict(record)
    assert len(row["archs"]) == 4 and wb.record_from_dict(row) == record
    plain = wb.Trainer("teaching", data=mnist1d, seed=0).shared_step()
    old = wb.record_to_dict(plain)
    assert old["archs"] == []
    del old["archs"]  # a log written before SharedRecord had `archs`
    assert wb.record_from_dict(old) == plain


def test_fair_runs_resume_bit_for_bit(mnist1d):
    a = _fair(mnist1d)
    for _ in range(3):
        a.shared_step()
    b = _fair(mnist1d)
    b.load_state_dict(a.state_dict())
    ra, rb = a.shared_step(), b.shared_step()
    assert (ra.archs, ra.loss, ra.loss_after, ra.updated) == (rb.archs, rb.loss, rb.loss_after, rb.updated)
    c = a.controller_step()
    assert len(c.archs) == a.config.controller_aggregate
