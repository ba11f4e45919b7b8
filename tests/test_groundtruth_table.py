"""The shipped ground-truth table: complete, well formed, and reproduced by train_standalone with the
table's seed and settings (bit for bit where the CPU rounds as the machine that made it; rounding.py)."""

from __future__ import annotations

import pytest
import torch
from rounding import assert_reproduced

import workbench as wb
from workbench.groundtruth import Settings, train_standalone


@pytest.fixture(scope="module")
def table():
    return wb.groundtruth.load("teaching-mnist1d")


def test_table_covers_the_whole_space_with_a_second_seed_on_a_random_subset(table):
    space = wb.spaces.get("teaching")
    assert list(table.columns) == ["arch", "seed", "val_accuracy", "test_accuracy", "params", "seconds"]
    first = table[table.seed == 0]
    assert len(first) == 6144 and first.arch.is_unique
    assert {space.parse(a) for a in first.arch} == set(space.enumerate())  # each parses; all 6144
    second = table[table.seed == 1]
    assert len(second) >= 500 and second.arch.is_unique and set(second.arch) <= set(first.arch)
    assert len(table) == len(first) + len(second)
    for col in ("val_accuracy", "test_accuracy"):
        assert table[col].between(0, 1).all()
    assert table.val_accuracy.max() - table.val_accuracy.min() > 0.15  # architectures differ
    assert (table.params > 0).all() and (table.seconds > 0).all()


def test_metadata_says_how_the_table_was_made(table):
    meta = wb.groundtruth.settings("teaching-mnist1d")
    assert meta["settings"] == Settings().to_dict() and meta["space"] == "teaching" and meta["data"] == "mnist1d"
    assert "workbench groundtruth" in meta["command"] and meta["wall_seconds"] > 0
    assert meta["rows"] == len(table)
    with pytest.raises(ValueError, match="teaching-mnist1d"):
        wb.groundtruth.load("teaching-cifar")


def test_train_standalone_reproduces_the_table(table, mnist1d):
    gen = torch.Generator().manual_seed(2024)
    rows = [table.iloc[int(i)] for i in torch.randperm(len(table), generator=gen)[:3]]
    rows.append(table[table.seed == 1].iloc[0])
    pairs = []
    for row in rows:
        r = train_standalone("teaching", row.arch, mnist1d, seed=int(row.seed))
        assert (r.arch, r.seed, r.params) == (row.arch, row.seed, row.params)
        pairs += [(r.val_accuracy, row.val_accuracy), (r.test_accuracy, row.test_accuracy)]
    assert_reproduced(pairs)


def test_train_standalone_builds_the_supernet_child_and_refuses_bad_input(mnist1d):
    space = wb.spaces.get("teaching")
    arch = space.parse("node1=relu(stem) node2=identity(node1) node3=tanh(stem) node4=sigmoid(node3)")
    net = wb.Supernet(space, mnist1d.input_shape, mnist1d.num_classes, seed=0)
    r = train_standalone(space, arch, mnist1d, seed=0, epochs=1)
    assert r.params == sum(p.numel() for p in net.child(arch).parameters())
    torch.set_num_threads(2)
    try:  # trains on one thread whatever the caller's setting (so results match bit for bit), then restores it
        again = train_standalone(space, str(arch), mnist1d, seed=0, epochs=1)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(1)
    assert (again.val_accuracy, again.test_accuracy) == (r.val_accuracy, r.test_accuracy)
    other = train_standalone(space, arch, mnist1d, seed=1, epochs=1)
    assert (other.val_accuracy, other.test_accuracy) != (r.val_accuracy, r.test_accuracy)
    for bad, match in (
        ({"seed": -1}, "seed"),
        ({"epochs": 0}, "epochs"),
        ({"lr": float("nan")}, "lr"),
        ({"momentum": 0.9}, "unknown Settings"),
    ):
        with pytest.raises(ValueError, match=match):
            train_standalone(space, arch, mnist1d, **bad)
    with pytest.raises(ValueError, match="cannot parse"):
        train_standalone(space, "node1=relu(stem)", mnist1d)


def test_export_writes_a_table_that_reads_back_bit_for_bit(tmp_path, mnist1d):
    """`export` is how the shipped table was made: a sweep's results file in, NAME.csv.gz + NAME.json out."""
    import numpy as np

    from workbench.groundtruth.standalone import StandaloneResult
    from workbench.groundtruth.sweep import ResultsFile, header

    space = wb.spaces.get("teaching")
    results = tmp_path / "results.jsonl"
    archs = [space.format(space.random(torch.Generator().manual_seed(i))) for i in range(3)]
    rows = [
        StandaloneResult(a, s, float(np.float32(0.1 + 0.07 * i)), float(np.float32(1 / 3 + i / 7)), 100 + i, 1.25)
        for i, (a, s) in enumerate([(archs[0], 0), (archs[1], 0), (archs[2], 1)])
    ]
    with ResultsFile(results, header(space, mnist1d, Settings())) as f:
        for r in rows:
            f.append(r)
    info = wb.groundtruth.export(results, tmp_path / "tiny", command="workbench groundtruth --out results.jsonl")
    assert info["rows"] == 3 and info["seeds"] == {0: 2, 1: 1} and info["command"].startswith("workbench")
    back = wb.groundtruth.read_table(tmp_path / "tiny.csv.gz")
    assert back.equals(wb.groundtruth.load_results(results))
    assert sorted(back.test_accuracy) == sorted(r.test_accuracy for r in rows)  # float32 values, bit for bit
    again = (tmp_path / "tiny.csv.gz").read_bytes()
    wb.groundtruth.export(results, tmp_path / "tiny", command="x")
    assert (tmp_path / "tiny.csv.gz").read_bytes() == again  # deterministic gzip
