"""The second shipped ground-truth table, teaching-n3-mnist1d: the teaching space at num_nodes=3,
every one of its 384 children trained stand-alone with two seeds, made by the same resumable sweep."""

from __future__ import annotations

import pytest
from rounding import assert_reproduced

import workbench as wb
from workbench.groundtruth import Settings, train_standalone

NAME = "teaching-n3-mnist1d"
SPACE = "teaching(num_nodes=3)"


@pytest.fixture(scope="module")
def table():
    return wb.groundtruth.load(NAME)


def test_every_child_of_the_small_space_once_per_seed(table):
    space = wb.spaces.get(SPACE)
    assert space.size() == 4 * 8 * 12 == 384
    assert list(table.columns) == ["arch", "seed", "val_accuracy", "test_accuracy", "params", "seconds"]
    assert sorted(table.seed.unique()) == [0, 1] and len(table) == 2 * 384
    every = set(space.enumerate())
    for seed in (0, 1):
        rows = table[table.seed == seed]
        assert len(rows) == 384 and rows.arch.is_unique
        assert {space.parse(a) for a in rows.arch} == every  # each parses in the small space; all 384
    assert table.groupby("arch")["params"].nunique().eq(1).all()  # a child's size does not depend on its seed
    for col in ("val_accuracy", "test_accuracy"):
        assert table[col].between(0, 1).all()
    assert table.test_accuracy.max() - table.test_accuracy.min() > 0.15  # architectures differ
    assert (table.params > 0).all() and (table.seconds > 0).all()


def test_metadata_and_the_noise_ceiling_reported(table):
    meta = wb.groundtruth.settings(NAME)
    assert meta["space"] == SPACE and meta["data"] == "mnist1d" and meta["settings"] == Settings().to_dict()
    assert "workbench groundtruth" in meta["command"] and "num_nodes=3" in meta["command"]
    assert meta["rows"] == len(table) and meta["seeds"] == {"0": 384, "1": 384} and meta["wall_seconds"] > 0
    ceiling = wb.fidelity.noise_ceiling(table)
    assert ceiling["n"] == 384 and ceiling["seeds"] == [0, 1]
    assert ceiling["kendall_tau"] == pytest.approx(0.7238, abs=5e-4)  # README: τ 0.724 between two seeds
    assert ceiling["spearman_rho"] == pytest.approx(0.9007, abs=5e-4)
    assert NAME in wb.groundtruth.TABLES and "teaching-mnist1d" in wb.groundtruth.TABLES


def test_the_small_table_is_small_and_reproduced_by_train_standalone(table, mnist1d):
    from importlib import resources

    size = len(resources.files("workbench.groundtruth").joinpath(f"{NAME}.csv.gz").read_bytes())
    assert size < 20_000  # shipped files stay small
    best = table[table.seed == 1].sort_values("test_accuracy", kind="stable").iloc[-1]
    r = train_standalone(SPACE, best.arch, mnist1d, seed=1)
    assert (r.arch, r.seed, r.params) == (best.arch, best.seed, best.params)
    assert_reproduced([(r.val_accuracy, best.val_accuracy), (r.test_accuracy, best.test_accuracy)])
