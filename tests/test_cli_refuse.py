"""Every bad input is refused before any work, in one line naming the field and what is valid;
a torn or corrupt checkpoint is reported and never used."""

from __future__ import annotations

import io
import json
import shutil

import pytest
import torch

import workbench as wb
from workbench.cli import EXIT_DIVERGED, EXIT_FAILED, EXIT_OK, EXIT_USAGE, main

TINY = [
    "--num-nodes",
    "2",
    "--batch-size",
    "256",
    "--controller-steps",
    "2",
    "--controller-aggregate",
    "2",
    "--epochs",
    "1",
    "--quiet",
]


def _refused(capsys, argv, *expected) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == EXIT_USAGE, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("workbench: error: "), err
    for text in expected:
        assert text in err, err
    return err


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs") / "done"
    assert main(["search", *TINY, "--checkpoint-every", "5", "--out", str(folder)]) == EXIT_OK
    return folder


@pytest.fixture
def run_copy(finished, tmp_path):
    return shutil.copytree(finished, tmp_path / "copy")


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--shared-lr", "-0.1"], ["--shared-lr", "shared_lr=-0.1", "> 0"]),
        (["--shared-lr", "nan"], ["--shared-lr", "shared_lr=nan", "finite"]),
        (["--controller-lr", "inf"], ["--controller-lr", "controller_lr=inf", "finite"]),
        (["--controller-lr", "-1e-3"], ["--controller-lr", ">= 0"]),
        (["--shared-lr", "fast"], ["--shared-lr", "expected a float", "'fast'"]),
        (["--space", "nope"], ["unknown search space 'nope'", "teaching, enas-macro"]),
        (["--space-option", "depth=3"], ["unknown option 'depth'", "num_nodes, width"]),
        (["--num-layers", "3"], ["unknown option 'num_layers'", "num_nodes, width"]),
        (["--space-option", "num_nodes"], ["--space-option", "KEY=VALUE"]),
        (["--num-nodes", "0"], ["--num-nodes", "positive integer"]),
        (["--sampler", "greedy"], ["sampler='greedy'", "controller, uniform"]),
        (["--controller-kind", "gru"], ["controller_kind='gru'", "lstm, independent"]),
        (["--epochs", "0"], ["--epochs", "positive integer", "'0'"]),
        (["--seed", "-1"], ["--seed", ">= 0"]),
        (["--checkpoint-every", "0"], ["--checkpoint-every", "positive integer"]),
        (["--on-nan", "ignore"], ["--on-nan", "raise", "skip"]),
        (["--batch-size", "1.5"], ["--batch-size", "expected an int"]),
    ],
)
def test_bad_values_are_refused_before_any_work(capsys, tmp_path, argv, expected):
    _refused(capsys, ["search", "--out", str(tmp_path / "new"), *argv], *expected)
    assert not (tmp_path / "new").exists()


def test_no_folder_and_unknown_flags_are_refused(capsys, tmp_path):
    _refused(capsys, ["search", "--space", "teaching"], "--out", "--resume")
    _refused(capsys, ["search", "--out", str(tmp_path / "x"), "--shared_lr", "0.1"], "unrecognized arguments")


def test_cuda_is_refused_where_there_is_none(capsys, tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    _refused(capsys, ["search", "--out", str(tmp_path / "x"), "--device", "cuda"], "--device cuda", "cpu, auto")


def test_resume_of_a_folder_without_a_run_is_refused(capsys, tmp_path):
    _refused(capsys, ["search", "--resume", str(tmp_path / "missing")], "holds no run", "--out")
    (tmp_path / "empty").mkdir()
    _refused(capsys, ["search", "--resume", str(tmp_path / "empty")], "holds no run")


def test_resume_keeps_the_stored_config(capsys, run_copy):
    _refused(capsys, ["search", "--resume", str(run_copy), "--shared-lr", "0.1"], "--shared-lr", "config.json")
    _refused(capsys, ["search", "--resume", str(run_copy), "--seed", "0"], "--seed")
    _refused(capsys, ["search", "--resume", str(run_copy), "--force"], "--force")


def test_a_folder_holding_a_different_run_is_not_overwritten(capsys, run_copy):
    before = {p.name: p.read_bytes() for p in run_copy.iterdir()}
    _refused(
        capsys,
        ["search", *TINY, "--seed", "1", "--out", str(run_copy)],
        "different run",
        "seed 1 (stored 0)",
        "--force",
    )
    _refused(
        capsys, ["search", *TINY, "--shared-lr", "0.01", "--out", str(run_copy)], "config.shared_lr 0.01 (stored 0.05)"
    )
    assert {p.name: p.read_bytes() for p in run_copy.iterdir()} == before
    assert main(["search", *TINY, "--seed", "1", "--force", "--out", str(run_copy)]) == EXIT_OK
    assert json.loads((run_copy / "config.json").read_text())["seed"] == 1
    assert wb.History.from_log(run_copy)[-1].step == 14


def test_a_run_stored_with_the_old_batchnorm_mode_names_resumes(capsys, run_copy):
    config = run_copy / "config.json"
    config.write_text(config.read_text().replace('"reward_bn_mode": "batch"', '"reward_bn_mode": "train"'))
    assert '"train"' in config.read_text()
    assert main(["search", "--resume", str(run_copy), "--epochs", "2", "--quiet"]) == EXIT_OK
    assert len(wb.History.from_log(run_copy)) == 28


def test_a_folder_holding_the_same_run_goes_on(capsys, run_copy):
    log = (run_copy / "log.jsonl").read_bytes()
    assert main(["search", *TINY, "--out", str(run_copy)]) == EXIT_OK  # finished already: nothing to add
    assert (run_copy / "log.jsonl").read_bytes() == log
    assert main(["search", *TINY[:-3], "--epochs", "2", "--quiet", "--out", str(run_copy)]) == EXIT_OK  # extend
    assert len(wb.History.from_log(run_copy)) == 28


def test_a_folder_with_other_files_is_not_used_without_force(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    _refused(capsys, ["search", *TINY, "--out", str(tmp_path)], "not empty", "notes.txt")


def test_a_run_killed_while_writing_its_config_holds_no_run(capsys, tmp_path):
    (tmp_path / ".config.json.k1ll3d.tmp").write_bytes(b'{"format": "enas-wo')  # what SIGKILL mid-write leaves
    _refused(capsys, ["search", "--resume", str(tmp_path)], "holds no run")
    assert main(["search", *TINY, "--out", str(tmp_path)]) == EXIT_OK
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt", "config.json", "log.jsonl", "summary.json"]


def _corrupt(path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00garbage" * 100)
    elif how == "flipped":  # one byte inside a weight's storage: still a readable zip, wrong checksum
        weight = wb.runs.load_checkpoint(path)["trainer"]["supernet"]["blocks.classifier.weight"]
        i = data.index(weight.numpy().tobytes()) + 101
        path.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "pickle":  # a checkpoint that would run code if unpickled freely
        buffer = io.BytesIO()
        torch.save({"format": "enas-workbench-checkpoint", "payload": shutil.copy}, buffer)
        path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize(
    "how, reason",
    [
        ("truncated", "torn or corrupt"),
        ("garbage", "torn or corrupt"),
        ("flipped", "checksum does not match"),
        ("empty", "torn or corrupt"),
        ("pickle", "torn or corrupt"),
    ],
)
def test_a_corrupt_checkpoint_is_reported_and_never_used(capsys, run_copy, how, reason):
    ckpt = run_copy / "checkpoint.pt"
    _corrupt(ckpt, how)
    damaged = ckpt.read_bytes()
    _refused(capsys, ["search", "--resume", str(run_copy)], reason, "not used", "Move checkpoint.pt away")
    _refused(capsys, ["search", *TINY, "--out", str(run_copy)], reason)
    assert ckpt.read_bytes() == damaged  # reported, left for a person to look at
    with pytest.raises(wb.CheckpointError, match=reason):
        wb.load_trainer(run_copy)
    assert main(["show", str(run_copy)]) == EXIT_FAILED
    shown = capsys.readouterr()
    assert reason in shown.out and not shown.err  # listed as damaged, not a crash of `show` itself


def test_a_log_that_does_not_match_the_checkpoint_is_refused(capsys, run_copy):
    log = run_copy / "log.jsonl"
    log.write_text(log.read_text().replace('"epoch":0', '"epoch":1', 1))
    _refused(capsys, ["search", "--resume", str(run_copy)], "log.jsonl", "edited")
    log.write_text("\n".join(log.read_text().splitlines()[:3]) + "\n")
    _refused(capsys, ["search", "--resume", str(run_copy)], "has 3 complete lines", "lose steps")


def test_divergence_stops_with_the_step_and_keeps_the_last_good_checkpoint(capsys, tmp_path):
    folder = tmp_path / "nan"
    code = main(
        ["search", *TINY, "--shared-lr", "1e3", "--grad-clip", "0", "--checkpoint-every", "2", "--out", str(folder)]
    )
    err = capsys.readouterr().err
    assert code == EXIT_DIVERGED and len(err.strip().splitlines()) == 1
    assert "diverged at step 6" in err and "NaN or infinite" in err and "last good checkpoint (step 4)" in err
    state = wb.runs.load_checkpoint(folder / "checkpoint.pt")["trainer"]
    assert state["step"] == 4 and all(torch.isfinite(t).all() for t in state["supernet"].values())
    assert not (folder / "summary.json").exists()


def test_divergence_skipped_on_request(capsys, tmp_path):
    folder = tmp_path / "skip"
    assert (
        main(["search", *TINY, "--shared-lr", "1e3", "--grad-clip", "0", "--on-nan", "skip", "--out", str(folder)])
        == EXIT_OK
    )
    history = wb.History.from_log(folder)
    skipped = [r for r in history if r.phase == "skipped"]
    assert skipped and skipped[0].step == 6 and skipped[0].planned == "shared" and "step 6" in skipped[0].reason
    assert [r.step for r in history] == list(range(1, 15))
    trainer = wb.load_trainer(folder)
    assert all(torch.isfinite(p).all() for p in trainer.supernet.parameters())
    assert json.loads((folder / "summary.json").read_text())["skipped_steps"] == len(skipped)


def test_help_reads(capsys):
    for argv in (["--help"], ["search", "--help"], ["show", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 0
    out = capsys.readouterr().out
    for flag in [
        "--shared-lr",
        "--controller-steps",
        "--tanh-constant",
        "--num-nodes",
        "--resume",
        "--device",
        "--checkpoint-every",
        "--on-nan",
        "exit codes",
    ]:
        assert flag in out
    assert main([]) == EXIT_USAGE
