"""Files of a run: atomic writes, checksummed checkpoints, the log and its JSON records."""

from __future__ import annotations

import hashlib
import io
import json
import os

import pytest
import torch

import workbench as wb
from workbench.atomic import atomic_write, is_temp_file
from workbench.checkpoint import load_checkpoint, save_checkpoint
from workbench.digest import state_digest
from workbench.runs import RunFolder


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path, monkeypatch):
    target = tmp_path / "config.json"
    atomic_write(target, b"first")
    atomic_write(target, b"second")
    assert target.read_bytes() == b"second" and os.listdir(tmp_path) == ["config.json"]

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"third")
    assert target.read_bytes() == b"second" and os.listdir(tmp_path) == ["config.json"]


def test_state_digest_sees_every_bit_and_kind():
    state = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3), "n": 3, "b": None, "l": [1.5, "x", (True,)]}
    digest = state_digest(state)
    assert digest == state_digest({**state, "w": state["w"].clone()})
    flipped = state["w"].clone()
    flipped.view(torch.int32)[0, 0] ^= 1  # one bit
    assert digest != state_digest({**state, "w": flipped})
    assert digest != state_digest({**state, "w": state["w"].double()})
    assert digest != state_digest({**state, "w": state["w"].reshape(3, 2)})
    assert digest != state_digest({**state, "n": 3.0})
    assert state_digest(torch.tensor(1.0, dtype=torch.bfloat16)) != state_digest(torch.tensor(1.0, dtype=torch.float16))
    with pytest.raises(TypeError, match="tensors and plain values only"):
        state_digest({"f": print})


def test_checkpoint_round_trip_and_refusals(tmp_path):
    path = tmp_path / "checkpoint.pt"
    payload = {"trainer": {"w": torch.randn(4, generator=torch.Generator().manual_seed(0)), "step": 3}}
    save_checkpoint(path, payload)
    back = load_checkpoint(path)
    assert torch.equal(back["trainer"]["w"], payload["trainer"]["w"]) and back["trainer"]["step"] == 3
    with pytest.raises(wb.CheckpointError, match="no checkpoint at"):
        load_checkpoint(tmp_path / "missing.pt")
    torch.save({"w": torch.zeros(2)}, path)
    with pytest.raises(wb.CheckpointError, match="not an ENAS Workbench checkpoint"):
        load_checkpoint(path)
    buffer = io.BytesIO()
    torch.save({"format": "enas-workbench-checkpoint", "version": 99, "sha256": "", "payload": {}}, buffer)
    path.write_bytes(buffer.getvalue())
    with pytest.raises(wb.CheckpointError, match="version 99"):
        load_checkpoint(path)


def _records():
    teaching = wb.spaces.get("teaching", num_nodes=2)
    macro = wb.spaces.get("enas-macro", num_layers=3, channels=4)
    gen = torch.Generator().manual_seed(0)
    a, b = teaching.random(gen), macro.random(gen)
    return [
        wb.SharedRecord(1, 0, a, 2.25, 2.0, 0.125, ("stem", "classifier"), ("stem",), 0.01),
        wb.ControllerRecord(
            2, 0, b, (b, macro.random(gen)), 0.5, 0.51, 0.4, 0.1, -3.2, 4.4, 1 / 3, ((0.25, 0.75), (1.0,)), 0.02
        ),
        wb.SkippedRecord(3, 1, "shared", "step 3: shared loss is nan", 0.001),
    ]


def test_records_round_trip_through_json():
    for record in _records():
        row = json.loads(json.dumps(wb.record_to_dict(record)))
        assert wb.record_from_dict(row) == record
    row = wb.record_to_dict(_records()[0])
    assert row["arch"] == str(_records()[0].arch) and row["space"] == "teaching(num_nodes=2)"
    with pytest.raises(ValueError, match="missing field"):
        wb.record_from_dict({k: v for k, v in row.items() if k != "loss"})
    with pytest.raises(ValueError, match="unknown record phase 'warmup'"):
        wb.record_from_dict({**row, "phase": "warmup"})


def _write_log(folder, records) -> bytes:
    data = b"".join(json.dumps(wb.record_to_dict(r)).encode() + b"\n" for r in records)
    (folder / "log.jsonl").write_bytes(data)
    return data


def test_history_from_log_drops_a_torn_last_line_and_names_bad_ones(tmp_path):
    records = _records()
    data = _write_log(tmp_path, records)
    (tmp_path / "log.jsonl").write_bytes(data + b'{"step": 4, "epo')  # killed mid-line
    assert list(wb.History.from_log(tmp_path)) == records
    lines = data.splitlines(keepends=True)
    (tmp_path / "log.jsonl").write_bytes(lines[0] + b"not json\n" + lines[2])
    with pytest.raises(ValueError, match="line 2 is not a valid record"):
        wb.History.from_log(tmp_path / "log.jsonl")
    (tmp_path / "log.jsonl").write_bytes(lines[0] + lines[2])
    with pytest.raises(ValueError, match="line 2 has step 3, expected 2"):
        wb.History.from_log(tmp_path)


def test_open_log_cuts_back_to_the_checkpoint_and_appends(tmp_path):
    folder = RunFolder(tmp_path)
    records = _records()
    data = _write_log(tmp_path, records[:2])
    checkpoint = {"log": {"lines": 2, "sha256": hashlib.sha256(data).hexdigest()}}
    (tmp_path / "log.jsonl").write_bytes(data + b'{"step":3}\n{"st')  # a step past the checkpoint, a torn line
    (tmp_path / ".checkpoint.pt.abc.tmp").write_bytes(b"half")
    folder.remove_temp_files()
    assert not any(is_temp_file(p.name) for p in tmp_path.iterdir())
    with folder.open_log(checkpoint) as log:
        assert (tmp_path / "log.jsonl").read_bytes() == data and log.lines == 2
        log.append(records[2])
        assert log.sha256 == hashlib.sha256((tmp_path / "log.jsonl").read_bytes()).hexdigest()
    assert list(wb.History.from_log(tmp_path)) == records
    with folder.open_log(None) as log:  # no checkpoint yet: the run starts over
        assert log.lines == 0 and (tmp_path / "log.jsonl").read_bytes() == b""


def test_write_checkpoint_refuses_non_finite_weights(tmp_path):
    trainer = wb.Trainer(wb.spaces.get("teaching", num_nodes=2), seed=0)
    folder = RunFolder(tmp_path)
    with folder.open_log(None) as log:
        folder.write_checkpoint(trainer, log)
        good = (tmp_path / "checkpoint.pt").read_bytes()
        with torch.no_grad():
            trainer.supernet.blocks["stem"].weight[0, 0] = float("nan")
        with pytest.raises(wb.CheckpointError, match="non-finite values in supernet.blocks.stem.weight"):
            folder.write_checkpoint(trainer, log)
    assert (tmp_path / "checkpoint.pt").read_bytes() == good
