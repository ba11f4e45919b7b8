"""The weight-sharing remedies of issue 16, each a TrainerConfig option (or wb.fewshot), each doing
what it claims: the ω warm-up samples uniformly (or fairly) and runs no θ step before its end, the
entropy schedule moves the reward's entropy weight, ranking by loss and BatchNorm recalibration
score what they say, and a few-shot split covers the space exactly once with disjoint copies."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

import workbench as wb
from workbench import fidelity, phases, scoring, seeds
from workbench.fewshot import FewShot

SMALL = "teaching(num_nodes=2)"  # 32 children
NEW_DEFAULTS = {
    "warmup_steps": 0,
    "warmup_sampler": "uniform",
    "entropy_weight_start": None,
    "entropy_schedule_epochs": 10,
    "rank_metric": "accuracy",
    "rank_bn": "batch",
    "recalibration_batches": 4,
}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"warmup_steps": -1}, "warmup_steps=-1 must be a positive integer (or 0)"),
        ({"warmup_steps": 2.5}, "warmup_steps=2.5"),
        ({"warmup_steps": True}, "warmup_steps=True"),
        ({"warmup_sampler": "controller"}, "warmup_sampler='controller' is not valid; choose one of uniform, fair"),
        ({"entropy_weight_start": -0.1}, "entropy_weight_start=-0.1 must be None or a finite number >= 0"),
        ({"entropy_weight_start": math.nan}, "entropy_weight_start=nan"),
        ({"entropy_schedule_epochs": 0}, "entropy_schedule_epochs=0 must be a positive integer"),
        ({"rank_metric": "acc"}, "rank_metric='acc' is not valid; choose one of accuracy, loss"),
        ({"rank_bn": "eval"}, "rank_bn='eval' is not valid; choose one of batch, running, recalibrated"),
        ({"recalibration_batches": 0}, "recalibration_batches=0 must be a positive integer"),
    ],
)
def test_each_remedy_option_refuses_bad_values(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        wb.TrainerConfig(**changes)


def test_defaults_switch_every_remedy_off():
    cfg = wb.TrainerConfig.for_space("teaching")
    assert {k: getattr(cfg, k) for k in NEW_DEFAULTS} == NEW_DEFAULTS
    assert not phases.warming_up(cfg, 0) and phases.omega_sampler(cfg, 0) == cfg.sampler
    assert phases.controller_steps_in(cfg, 0, 47) == cfg.controller_steps
    assert phases.entropy_weight(cfg, 0) == phases.entropy_weight(cfg, 99) == cfg.entropy_weight
    old = {k: v for k, v in cfg.to_dict().items() if k not in NEW_DEFAULTS}  # a run logged before the remedies
    assert wb.TrainerConfig.from_dict(old) == cfg


def test_warmup_draws_uniformly_and_runs_no_theta_step_before_it_ends(mnist1d):
    cfg = wb.TrainerConfig(controller_steps=3, controller_aggregate=2, reward_batch_size=32, batch_size=500)
    spe = wb.Trainer(SMALL, data=mnist1d, config=cfg).steps_per_epoch  # 6 ω steps an epoch
    trainer = wb.Trainer(SMALL, data=mnist1d, config=cfg.replace(warmup_steps=spe + 2), seed=3)
    trainer.run(epochs=3, progress=False)
    phases_seen = [r.phase for r in trainer.history]
    first_theta = phases_seen.index("controller")
    assert phases_seen[:first_theta] == ["shared"] * (2 * spe)  # epoch 0 skipped its θ steps
    assert first_theta >= spe + 2 and phases_seen.count("controller") == 2 * 3  # epochs 1 and 2 have θ steps
    # the warm-up's children are exactly the uniform draws of the trainer's "children" stream
    space, gen = trainer.space, seeds.generator(3, "children")
    uniform = [space.random(gen) for _ in range(spe + 2)]
    assert [r.arch for r in trainer.history.shared()[: spe + 2]] == uniform
    # without the warm-up the same seed's first children come from the controller, not this stream
    plain = wb.Trainer(SMALL, data=mnist1d, config=cfg, seed=3)
    plain.run(epochs=1, progress=False)
    assert [r.phase for r in plain.history][spe : spe + 3] == ["controller"] * 3


def test_fair_warmup_trains_fair_groups_then_single_children(mnist1d):
    cfg = wb.TrainerConfig(
        controller_steps=1, controller_aggregate=2, batch_size=1000, warmup_steps=3, warmup_sampler="fair"
    )
    trainer = wb.Trainer(SMALL, data=mnist1d, config=cfg, seed=0)
    trainer.run(epochs=2, progress=False)
    shared = trainer.history.shared()
    assert [len(r.archs) for r in shared] == [4, 4, 4, 0, 0, 0]  # a fair group is 4 children; then one each
    for group in (r.archs for r in shared[:3]):  # each op decision uses every op once per fair group
        assert sorted(a.choices[1] for a in group) == sorted(a.choices[3] for a in group) == [0, 1, 2, 3]


def test_entropy_schedule_moves_the_weight_the_rewards_use(mnist1d):
    cfg = wb.TrainerConfig(entropy_weight=0.0, entropy_weight_start=0.5, entropy_schedule_epochs=4)
    assert [phases.entropy_weight(cfg, e) for e in (0, 2, 4, 9)] == [0.5, 0.25, 0.0, 0.0]
    small = cfg.replace(controller_steps=1, controller_aggregate=3, batch_size=1000, reward_batch_size=32)
    trainer = wb.Trainer(SMALL, data=mnist1d, config=small, seed=0)
    trainer.run(epochs=3, progress=False)
    for record in trainer.history.controller():
        w = phases.entropy_weight(small, record.epoch)
        for child in record.children:
            assert child.reward == pytest.approx(child.accuracy + w * child.entropy)
    assert trainer.config.entropy_weight == 0.0  # the config itself is left as it was


def test_ranking_by_loss_scores_minus_the_mean_cross_entropy(mnist1d):
    trainer = wb.Trainer(SMALL, data=mnist1d, config=wb.TrainerConfig(rank_metric="loss"), seed=0)
    trainer.run(epochs=1, progress=False)
    archs = list(trainer.space.enumerate())[:5]
    X, y = mnist1d.val
    by_loss = fidelity.shared_scores(trainer, archs)
    for a in archs:
        with torch.no_grad():
            loss = F.cross_entropy(trainer.supernet(X, a), y).item()
        assert by_loss[trainer.space.format(a)] == pytest.approx(-loss, rel=1e-5)
    by_acc = fidelity.shared_scores(trainer, archs, metric="accuracy")
    assert by_acc.equals(fidelity.shared_accuracies(trainer, archs).rename("shared_accuracy"))
    with pytest.raises(ValueError, match="metric='top1' is not valid"):
        scoring.rank_score(trainer.supernet, archs[0], X, y, metric="top1")


def test_recalibration_recomputes_batchnorm_statistics_before_scoring(digits_image, small_macro):
    cfg = wb.TrainerConfig(batch_size=32, controller_steps=0, sampler="uniform", rank_bn="recalibrated")
    trainer = wb.Trainer(small_macro, data=digits_image, config=cfg, seed=0)
    for _ in range(5):
        trainer.shared_step()
    net, arch = trainer.supernet, small_macro.random(torch.Generator().manual_seed(1))
    norms = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    before = [b.clone() for b in net.buffers()]
    batches = [digits_image.train[0][i * 32 : (i + 1) * 32] for i in range(3)]
    with scoring.recalibrated(net, arch, batches):
        used = [m for m in norms if int(m.num_batches_tracked) == 3]  # reset, then one count per batch
        assert used and all(int(m.num_batches_tracked) in (0, 3) for m in norms)
        assert any(not torch.equal(m.running_mean, torch.zeros_like(m.running_mean)) for m in used)
        inside = scoring.score(net, arch, *digits_image.val, bn="running")
    assert all(torch.equal(a, b) for a, b in zip(before, net.buffers()))  # everything restored
    assert all(m.momentum == 0.1 for m in norms)
    X, y = digits_image.val
    recal = scoring.rank_score(net, arch, X, y, bn="recalibrated", calibration=batches)
    assert recal == inside.accuracy
    assert recal != scoring.rank_score(net, arch, X, y, bn="running")  # the stale running averages score otherwise
    scores = fidelity.shared_scores(trainer, [arch])  # the config's rank_bn: recalibrated on training batches
    assert 0 <= scores.iloc[0] <= 1 and all(torch.equal(a, b) for a, b in zip(before, net.buffers()))
    with pytest.raises(ValueError, match="needs calibration batches"):
        scoring.rank_score(net, arch, X, y, bn="recalibrated")


def test_fewshot_split_covers_the_space_once_with_disjoint_copies(mnist1d):
    fs = FewShot(SMALL, mnist1d, split="node2.op", config=wb.TrainerConfig(batch_size=64), seed=0)
    space = fs.space
    assert fs.k == 4
    parts = [{space.format(a) for a in fs.subspace(j)} for j in range(fs.k)]
    every = {space.format(a) for a in space.enumerate()}
    assert sum(len(p) for p in parts) == len(every) == 32 and set().union(*parts) == every
    assert all(fs.owner(a) == j for j, p in enumerate(parts) for a in p)
    pointers = [{p.data_ptr() for p in net.parameters()} for net in fs.supernets]
    assert all(pointers[i].isdisjoint(pointers[j]) for i in range(4) for j in range(i + 1, 4))
    start = [[p.detach().clone() for p in net.parameters()] for net in fs.supernets]
    assert all(torch.equal(a, b) for a, b in zip(start[0], start[1]))  # copies of the same weights
    fs.run(8)
    for j, t in enumerate(fs.trainers):
        shared = t.history.shared()
        assert len(shared) == 2 and all(fs.owner(r.arch) == j for r in shared)
    moved = [
        not all(torch.equal(a, p) for a, p in zip(start[j], net.parameters())) for j, net in enumerate(fs.supernets)
    ]
    assert moved == [True] * 4
    scores = fidelity.shared_scores(fs, list(space.enumerate()), metric="loss")
    a = space.enumerate().__next__()
    own = fidelity.shared_scores(fs.trainers[fs.owner(a)], [a], metric="loss")
    assert len(scores) == 32 and scores[space.format(a)] == own.iloc[0]
    with pytest.raises(ValueError, match="split='node9.op' is not a decision"):
        FewShot(SMALL, mnist1d, split="node9.op")


def test_fewshot_from_a_one_shot_base_starts_every_copy_from_its_weights(mnist1d):
    base = wb.Trainer(SMALL, data=mnist1d, config=wb.TrainerConfig(sampler="uniform", controller_steps=0), seed=0)
    base.run(epochs=1, progress=False)
    fs = FewShot(SMALL, mnist1d, split="node1.op", seed=0, base=base)
    for net in fs.supernets:
        assert all(torch.equal(a, b) for a, b in zip(base.supernet.parameters(), net.parameters()))
        assert {p.data_ptr() for p in net.parameters()}.isdisjoint({p.data_ptr() for p in base.supernet.parameters()})
