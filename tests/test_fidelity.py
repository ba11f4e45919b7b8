"""wb.fidelity: rank agreement, noise ceiling and standing computed right (oracle cases with known
answers), and a report of real shared weights against the shipped ground truth."""

from __future__ import annotations

import pandas as pd
import pytest
import torch
from scipy import stats

import workbench as wb
from workbench import fidelity

SMALL = "teaching(num_nodes=2)"  # 32 children


def _table(values: dict[int, pd.Series]) -> pd.DataFrame:
    rows = [
        {"arch": a, "seed": s, "val_accuracy": v, "test_accuracy": v, "params": 1, "seconds": 0.1}
        for s, series in values.items()
        for a, v in series.items()
    ]
    return pd.DataFrame(rows)


def test_rank_agreement_oracles():
    a = pd.Series([0.1, 0.2, 0.3, 0.4, 0.5], index=list("abcde"))
    same = fidelity.rank_agreement(a, a * 2, ks=(2, 5, 9))
    assert same["kendall_tau"] == pytest.approx(1.0) and same["spearman_rho"] == pytest.approx(1.0)
    assert same["top_k"] == {2: 1.0, 5: 1.0} and same["n"] == 5
    flipped = fidelity.rank_agreement(a, -a, ks=(2,))
    assert flipped["kendall_tau"] == pytest.approx(-1.0) and flipped["top_k"] == {2: 0.0}
    partial = fidelity.rank_agreement(a, pd.Series([0.5, 0.1, 0.2], index=list("axc")))
    assert partial["n"] == 2  # only common archs count
    with pytest.raises(ValueError, match="at least 2"):
        fidelity.rank_agreement(a, pd.Series([1.0], index=["a"]))


def test_noise_ceiling_and_standing_match_direct_computation():
    g = torch.Generator().manual_seed(0)
    archs = [f"a{i}" for i in range(40)]
    s0 = pd.Series(torch.rand(40, generator=g).tolist(), index=archs)
    s1 = pd.Series((s0.values + 0.3 * torch.rand(40, generator=g).numpy())[:30], index=archs[:30])
    table = _table({0: s0, 1: s1})
    ceiling = fidelity.noise_ceiling(table)
    assert ceiling["n"] == 30 and ceiling["seeds"] == [0, 1]
    assert ceiling["kendall_tau"] == pytest.approx(stats.kendalltau(s0[:30], s1).statistic)
    truth = fidelity.truth(table)
    assert truth["a0"] == pytest.approx((s0["a0"] + s1["a0"]) / 2) and truth["a35"] == s0["a35"]
    with pytest.raises(ValueError, match="at least two seeds"):
        fidelity.noise_ceiling(_table({0: s0}))
    with pytest.raises(ValueError, match="metric"):
        fidelity.truth(table, "loss")


def test_report_of_shared_weights_against_their_own_scores_is_perfect(mnist1d):
    trainer = wb.Trainer(SMALL, data=mnist1d, seed=0)
    trainer.run(epochs=1, progress=False)
    shared = fidelity.shared_accuracies(trainer)
    assert len(shared) == 32 and shared.between(0, 1).all()
    space = trainer.space
    assert shared[space.format(space.make((0, 0, 0, 1)))] == trainer.evaluate(space.make((0, 0, 0, 1)))
    before = {k: v.clone() for k, v in trainer.supernet.state_dict().items()}
    report = fidelity.report(trainer, _table({0: shared, 1: shared}), ks=(5,))
    assert report.kendall_tau == pytest.approx(1.0) and report.top_k == {5: 1.0} and report.n == 32
    assert report.noise_ceiling["kendall_tau"] == pytest.approx(1.0)
    best = shared.max()
    assert report.picked["test_accuracy"] == best and report.picked["regret"] == 0.0 and report.picked["rank"] == 1
    assert report.picked["percentile"] == pytest.approx(100 * (shared < best).mean())
    assert all(torch.equal(v, before[k]) for k, v in trainer.supernet.state_dict().items())  # scoring changes nothing


def test_report_against_the_shipped_table(mnist1d):
    table = wb.groundtruth.load("teaching-mnist1d")
    trainer = wb.Trainer("teaching", data=mnist1d, seed=0)
    for _ in range(20):
        trainer.shared_step()
    report = fidelity.report(trainer, table, sample=150, seed=1)
    assert report.n == 150 and -1 <= report.kendall_tau <= 1 and -1 <= report.spearman_rho <= 1
    ceiling = report.noise_ceiling
    assert ceiling["n"] >= 500 and 0.3 < ceiling["kendall_tau"] < 1  # two stand-alone seeds agree, not perfectly
    assert 0 <= report.picked["percentile"] <= 100 and report.picked["of"] == 6144
    truth = fidelity.truth(table)
    top = fidelity.standing(truth.idxmax(), table)
    assert top["rank"] == 1 and top["regret"] == 0
    assert top["percentile"] == pytest.approx(100 * (truth < truth.max()).mean())
    low = fidelity.standing(truth.idxmin(), table)
    assert low["percentile"] == 0 and low["regret"] == pytest.approx(truth.max() - truth.min())
    with pytest.raises(ValueError, match="sample"):
        fidelity.report(trainer, table, sample=1)


# ---- rank shifts: who the shared weights flatter, who they wrong ----------------------------------
S2 = wb.spaces.get(SMALL)
ARCHS = [
    "node1=relu(stem) node2=relu(stem)",
    "node1=identity(stem) node2=relu(node1)",
    "node1=identity(stem) node2=identity(node1)",
    "node1=tanh(stem) node2=sigmoid(stem)",
    "node1=relu(stem) node2=identity(stem)",
]


def test_identity_ops_counts_the_weightless_op():
    assert [fidelity.identity_ops(a, S2) for a in ARCHS] == [0, 1, 2, 0, 1]
    assert fidelity.identity_ops(S2.parse(ARCHS[2]), S2) == 2
    macro = wb.spaces.get("enas-macro", num_layers=3)
    assert fidelity.identity_ops(macro.make((0, 1, 1, 2, 0, 1)), macro) == 0  # no identity op there


def test_rank_shifts_exact_ranks_places_and_groups():
    shared = pd.Series([0.9, 0.5, 0.7, 0.1, 0.7], index=ARCHS)
    target = pd.Series([0.2, 0.8, 0.6, 0.4, 0.3, 0.99], index=ARCHS + ["node1=tanh(stem) node2=tanh(stem)"])
    shifts = fidelity.rank_shifts(shared, target, S2)
    assert list(shifts.columns) == list(fidelity.SHIFT_COLUMNS) and list(shifts.index) == ARCHS  # common archs only
    assert shifts["shared_rank"].tolist() == [1, 4, 2, 5, 2]  # the tie at 0.7 shares rank 2
    assert shifts["true_rank"].tolist() == [5, 1, 2, 3, 4]
    assert shifts["places_gained"].tolist() == [4, -3, 0, -2, 2]
    assert shifts["identity_ops"].tolist() == [0, 1, 2, 0, 1]
    groups = fidelity.rank_shift_groups(shifts)
    assert groups["children"].to_dict() == {0: 2, 1: 2, 2: 1}
    assert groups.loc[0, "places_gained"] == pytest.approx(1.0) and groups.loc[1, "places_gained"] == -0.5
    assert groups.loc[1, "true_accuracy"] == pytest.approx(0.55) and groups.loc[2, "shared_accuracy"] == 0.7
    worst = fidelity.most_misranked(shifts, n=1)
    assert list(worst.index) == [("flattered", ARCHS[0]), ("wronged", ARCHS[1])]
    assert worst.loc[("flattered", ARCHS[0]), "true_rank"] == 5
    with pytest.raises(ValueError, match="at least 2"):
        fidelity.rank_shifts(shared, target.iloc[:1], S2)
    with pytest.raises(ValueError, match="by="):
        fidelity.rank_shift_groups(shifts, by="nope")
    with pytest.raises(ValueError, match="n="):
        fidelity.most_misranked(shifts, n=0)


def test_rank_shifts_of_real_shared_weights(mnist1d):
    trainer = wb.Trainer(SMALL, data=mnist1d, seed=0)
    for _ in range(10):
        trainer.shared_step()
    shared = fidelity.shared_accuracies(trainer)
    same = fidelity.rank_shifts(shared, shared, trainer.space)
    assert len(same) == 32 and (same["places_gained"] == 0).all()  # a proxy ranks itself perfectly
    flipped = fidelity.rank_shifts(shared, -shared, trainer.space)
    distinct = flipped.drop_duplicates("shared_accuracy")
    assert (flipped["places_gained"] != 0).any()
    best = shared.idxmax()
    assert flipped.loc[best, "shared_rank"] == 1 and flipped.loc[best, "true_rank"] == (shared < shared.max()).sum() + 1
    assert len(fidelity.most_misranked(flipped, n=2)) == min(4, 2 * len(distinct))
