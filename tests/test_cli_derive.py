"""`workbench derive DIR` and the summary's derived child: ENAS's derive step on a finished run,
the same child every time, and the run folder left as it was."""

from __future__ import annotations

import json

import pytest

import workbench as wb
from workbench.cli import EXIT_OK, EXIT_USAGE, main

TINY = ["--num-nodes", "2", "--batch-size", "256", "--controller-steps", "2", "--controller-aggregate", "2"]


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs") / "done"
    assert main(["search", *TINY, "--epochs", "1", "--quiet", "--out", str(folder)]) == EXIT_OK
    return folder


def test_the_summary_reports_the_derived_child_then_the_most_likely(finished):
    summary = json.loads((finished / "summary.json").read_text())
    assert list(summary)[4:6] == ["derived", "most_likely"]
    trainer = wb.load_trainer(finished)
    d = trainer.derive(n=10)
    assert summary["derived"] == {
        "arch": str(d.arch),
        "minibatch_accuracy": d.accuracy,
        "val_accuracy": trainer.evaluate(d.arch, "val"),
        "test_accuracy": trainer.evaluate(d.arch, "test"),
        "children": 10,
        "batch_size": trainer.config.reward_batch_size,
    }


def test_derive_prints_every_child_and_marks_the_pick(finished, capsys):
    files = {p.name: p.read_bytes() for p in finished.iterdir()}
    assert main(["derive", str(finished), "--children", "5", "--batch-size", "100"]) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    d = wb.load_trainer(finished).derive(n=5, batch_size=100)
    assert "5 children of the policy, each on the same 100 validation examples" in out[0]
    rows = out[1:6]
    assert [r[1] == "*" for r in rows] == [k == d.accuracies.index(d.accuracy) for k in range(5)]
    assert [r.split(None, 2)[2] for r in rows] == [str(a) for a in d.archs]
    assert out[6].startswith(f"derived child: {d.arch} (val ")
    assert {p.name: p.read_bytes() for p in finished.iterdir()} == files  # nothing written
    assert main(["derive", str(finished / "nothing-here")]) == EXIT_USAGE
    assert "cannot be read" in capsys.readouterr().err


def test_show_and_search_print_the_derived_child(finished, capsys):
    assert main(["show", str(finished)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "finished: derived child" in out and "most likely child" in out
