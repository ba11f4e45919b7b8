"""A run folder on disk: what a headless search writes, and how it is read back or resumed.

    runs/NAME/config.json    what the run is: space and options, TrainerConfig, seed, data, versions
    runs/NAME/log.jsonl      one JSON record per step, appended as the run goes
    runs/NAME/checkpoint.pt  the latest checkpoint (checkpoint.py), with the log length it matches
    runs/NAME/checkpoints/   kept checkpoints (`--keep-checkpoints N`): step-00000120.pt, the newest K of them
    runs/NAME/summary.json   at the end: the derived child, most likely child, best sampled child, metrics

Owns: those files, the log's agreement with the checkpoint (the checkpoint stores how many log
lines it covers and their SHA-256; resuming cuts the log back to them), restoring a Trainer from
a folder (from its latest checkpoint, or from the last kept one at or before a step), forking a
new run folder from a kept checkpoint, and the end-of-run summary. Every file is replaced
atomically except the log, which is appended one whole line per write; an unfinished last line
is dropped. A kept checkpoint is written before checkpoint.pt at the same step, and kept ones
past the step a run resumes from are deleted (the steps after it are run again, their log lines
rewritten). Must not: parse command lines or print (cli/ does).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import re
from collections import Counter
from pathlib import Path

import torch

from .atomic import atomic_write, is_temp_file
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .config import TrainerConfig
from .history import History, record_from_dict, record_to_dict
from .trainer import Trainer
from .version import __version__

CONFIG, LOG, CHECKPOINT, SUMMARY = "config.json", "log.jsonl", "checkpoint.pt", "summary.json"
KEPT = "checkpoints"  # the folder of kept checkpoints
FILES = (CONFIG, LOG, CHECKPOINT, SUMMARY, KEPT)
_KEPT_NAME = re.compile(r"^step-(\d{8,})\.pt$")
RUN_FORMAT = "enas-workbench-run"
IDENTITY = ("format", "space", "space_options", "seed", "config", "data")  # config.json keys that make a run itself


def versions() -> dict:
    """The versions that shape a run's numbers."""
    import numpy

    return {
        "workbench": __version__,
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }


class RunLog:
    """log.jsonl open for appending: one record per line, each written whole with a single write."""

    def __init__(self, path: Path, lines: int, digest: hashlib._Hash):
        self.path, self.lines, self._digest = path, lines, digest
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    @property
    def sha256(self) -> str:
        """SHA-256 of the log's bytes so far."""
        return self._digest.hexdigest()

    def append(self, record) -> None:
        data = (json.dumps(record_to_dict(record), separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        view = memoryview(data)
        while view:  # a short write (rare) continues; a kill mid-line leaves a line without "\n"
            view = view[os.write(self._fd, view) :]
        self._digest.update(data)
        self.lines += 1

    def sync(self) -> None:
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> RunLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class RunFolder:
    """The files of one headless run: config.json, log.jsonl, checkpoint.pt, summary.json."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    def file(self, name: str) -> Path:
        return self.path / name

    def holds_run(self) -> bool:
        """Whether the folder holds a run (it has a config.json)."""
        return self.file(CONFIG).is_file()

    def others(self) -> list[str]:
        """Files and folders here that a run does not write."""
        if not self.path.is_dir():
            return []
        return sorted(p.name for p in self.path.iterdir() if p.name not in FILES and not is_temp_file(p.name))

    # ---- config.json and summary.json -----------------------------------------------------
    def read_config(self) -> dict:
        try:
            config = json.loads(self.file(CONFIG).read_text())
        except (OSError, ValueError) as e:
            raise CheckpointError(f"{self.file(CONFIG)} cannot be read: {e}") from None
        if not isinstance(config, dict) or config.get("format") != RUN_FORMAT:
            raise CheckpointError(f"{self.file(CONFIG)} is not an ENAS Workbench run config")
        return config

    def write_config(self, config: dict) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        atomic_write(self.file(CONFIG), (json.dumps(config, indent=2) + "\n").encode())

    def read_summary(self) -> dict | None:
        path = self.file(SUMMARY)
        return json.loads(path.read_text()) if path.is_file() else None

    def write_summary(self, summary: dict) -> None:
        atomic_write(self.file(SUMMARY), (json.dumps(summary, indent=2) + "\n").encode())

    # ---- checkpoint and log ---------------------------------------------------------------
    def read_checkpoint(self) -> dict | None:
        """The verified checkpoint payload, or None if the run has not written one yet."""
        return load_checkpoint(self.file(CHECKPOINT)) if self.file(CHECKPOINT).exists() else None

    def write_checkpoint(self, trainer, log: RunLog, keep: bool = False, keep_last: int = 0) -> None:
        """Checkpoint `trainer` with the length and checksum of the log it matches (log synced first).

        `keep=True` also keeps a copy in checkpoints/ (written first), then deletes the oldest kept
        ones beyond the newest `keep_last` (0: keep them all)."""
        state = trainer.state_dict()
        bad = [name for name, t in _float_tensors(state) if not torch.isfinite(t).all()]
        if bad:  # the trainer undoes non-finite updates, so this is a last guard, never expected
            raise CheckpointError(
                f"refusing to checkpoint non-finite values in {', '.join(bad[:5])}; the last good checkpoint was kept"
            )
        log.sync()
        payload = {"trainer": state, "log": {"lines": log.lines, "sha256": log.sha256}}
        if keep:
            self.file(KEPT).mkdir(exist_ok=True)
            save_checkpoint(self.kept_path(trainer.step), payload)
            steps = self.kept_steps()
            for old in steps[: max(len(steps) - keep_last, 0)] if keep_last else ():
                self.kept_path(old).unlink(missing_ok=True)
        save_checkpoint(self.file(CHECKPOINT), payload)

    # ---- kept checkpoints -----------------------------------------------------------------
    def kept_path(self, step: int) -> Path:
        return self.file(KEPT) / f"step-{step:08d}.pt"

    def kept_steps(self) -> list[int]:
        """The steps of the kept checkpoints in checkpoints/, in order (not yet verified)."""
        folder = self.file(KEPT)
        if not folder.is_dir():
            return []
        return sorted(int(m.group(1)) for p in folder.iterdir() if (m := _KEPT_NAME.match(p.name)))

    def drop_kept_after(self, step: int) -> None:
        """Delete the kept checkpoints past `step`: a run resumed from `step` runs those steps again."""
        for s in self.kept_steps():
            if s > step:
                self.kept_path(s).unlink(missing_ok=True)

    def checkpoint_at(self, step: int) -> dict:
        """The verified payload of the last checkpoint at or before `step` (kept ones and checkpoint.pt),
        whose log lines log.jsonl still starts with; CheckpointError naming the steps there are if none fits."""
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise ValueError(f"step must be an int >= 0, got {step!r}")
        candidates = [(s, self.kept_path(s)) for s in self.kept_steps()]
        latest = self.read_checkpoint()
        if latest is not None:
            candidates.append((int(latest["trainer"]["step"]), self.file(CHECKPOINT)))
        fitting = sorted((s, p) for s, p in candidates if s <= step)
        if not fitting:
            have = sorted({s for s, _ in candidates})
            raise CheckpointError(
                f"{self.path} has no checkpoint at or before step {step}; "
                + (f"it has steps {', '.join(map(str, have))}" if have else "it has none")
                + " (keep more with workbench search --keep-checkpoints N)"
            )
        s, path = fitting[-1]
        payload = latest if path == self.file(CHECKPOINT) else load_checkpoint(path)
        if int(payload["trainer"]["step"]) != s or payload["log"]["lines"] != s:
            raise CheckpointError(f"{path} holds step {payload['trainer']['step']}, not the step its name says ({s})")
        self.check_log(payload)
        return payload

    def write_fork(self, source: RunFolder, checkpoint: dict, run: dict, config: dict) -> None:
        """Make this folder a new run forked from `checkpoint` of `source`: its log up to there, the
        checkpoint with trainer config `config`, and config.json `run` (written last: until it is
        there the folder holds no run). `source` is only read."""
        kept, _ = _log_prefix(source.file(LOG), checkpoint["log"]["lines"], checkpoint["log"]["sha256"])
        self.path.mkdir(parents=True, exist_ok=True)
        self.clear()
        atomic_write(self.file(LOG), kept)
        payload = {"trainer": {**checkpoint["trainer"], "config": dict(config)}, "log": dict(checkpoint["log"])}
        save_checkpoint(self.file(CHECKPOINT), payload)
        self.write_config(run)

    def check_log(self, checkpoint: dict) -> None:
        """Raise CheckpointError unless log.jsonl starts with the lines `checkpoint` was written with."""
        _log_prefix(self.file(LOG), checkpoint["log"]["lines"], checkpoint["log"]["sha256"])

    def open_log(self, checkpoint: dict | None) -> RunLog:
        """Cut log.jsonl back to what `checkpoint` covers (all of it if None: empty) and open it to append."""
        want = checkpoint["log"] if checkpoint is not None else {"lines": 0, "sha256": hashlib.sha256().hexdigest()}
        path = self.file(LOG)
        kept, digest = _log_prefix(path, want["lines"], want["sha256"])
        if not path.exists() or path.stat().st_size != len(kept):
            atomic_write(path, kept)
        return RunLog(path, want["lines"], digest)

    def remove_temp_files(self) -> None:
        """Delete temporary files that a killed write left behind."""
        for p in [*self.path.glob(".*.tmp"), *self.file(KEPT).glob(".*.tmp")]:
            p.unlink(missing_ok=True)

    def clear(self) -> None:
        """Delete the run's files (for --force); other files in the folder are left alone."""
        self.remove_temp_files()
        kept = self.file(KEPT)
        if kept.is_dir():
            for p in kept.iterdir():
                if _KEPT_NAME.match(p.name) or is_temp_file(p.name):
                    p.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # anything else the user put there stays, and so does the folder
                kept.rmdir()
        for name in FILES:
            if name != KEPT:
                self.file(name).unlink(missing_ok=True)


def _log_prefix(path: Path, lines: int, sha256: str) -> tuple[bytes, hashlib._Hash]:
    """The first `lines` lines of the log at `path`, checked against `sha256`, and their running digest."""
    data = path.read_bytes() if path.exists() else b""
    end = 0
    for n in range(lines):
        nl = data.find(b"\n", end)
        if nl < 0:
            raise CheckpointError(
                f"{path} has {n} complete lines but the checkpoint covers {lines}: "
                "the log was cut or replaced, so resuming would lose steps"
            )
        end = nl + 1
    digest = hashlib.sha256(data[:end])
    if digest.hexdigest() != sha256:
        raise CheckpointError(
            f"the first {lines} lines of {path} are not the ones the checkpoint was written "
            "with: the log was edited or belongs to another run"
        )
    return data[:end], digest


def _float_tensors(obj, prefix: str = ""):
    if isinstance(obj, torch.Tensor):
        if obj.is_floating_point():
            yield prefix, obj
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _float_tensors(value, f"{prefix}.{key}" if prefix else str(key))


def load_trainer(path: str | os.PathLike, data=None, device="cpu", step: int | None = None):
    """A Trainer from a run folder or a checkpoint file; with the run's log, its History too.

    `step=t` (a run folder only) forks from the last checkpoint at or before step t, kept ones
    (`--keep-checkpoints`) included: the Trainer and its History are the run's as they were there,
    bit for bit; the folder is only read."""
    path = Path(path)
    if step is not None and not path.is_dir():
        raise ValueError(f"step={step!r} needs a run folder, and {path} is not one")
    if path.is_dir() and step is None and not (path / CHECKPOINT).exists():
        detail = (
            "it holds a run that has not reached its first checkpoint"
            if (path / CONFIG).exists()
            else "it holds no run"
        )
        raise CheckpointError(f"no {CHECKPOINT} in {path}: {detail}")
    ckpt_path = path / CHECKPOINT if path.is_dir() else path
    payload = load_checkpoint(ckpt_path) if step is None else RunFolder(path).checkpoint_at(step)
    state = payload.get("trainer")
    if not isinstance(state, dict) or not {"space", "config", "seed"} <= set(state):
        raise CheckpointError(f"{ckpt_path} holds no trainer state")
    trainer = Trainer(
        state["space"],
        data=data,
        config=TrainerConfig.from_dict(state["config"]),
        seed=int(state["seed"]),
        device=device,
    )
    trainer.load_state_dict(state)
    log = ckpt_path.parent / LOG
    if "log" in payload and log.exists():
        kept, _ = _log_prefix(log, payload["log"]["lines"], payload["log"]["sha256"])
        trainer.history = History(record_from_dict(json.loads(line)) for line in kept.splitlines())
    return trainer


def summarize(trainer, max_candidates: int = 100, derive_children: int = 10) -> dict:
    """The end of a run: the derived child, the controller's most likely child, the best sampled child.

    "Derived" is the child ENAS ends with (`Trainer.derive`): the best of `derive_children` children
    sampled from the final policy on one validation minibatch; its accuracy on that minibatch and
    on the whole validation and test splits. "Most likely" is the greedy child of the policy.
    "Best sampled" ranks the `max_candidates` most often sampled children by accuracy on the whole
    validation split with the final shared weights (ties: the more often sampled).
    """
    history = trainer.history
    sampled = Counter()
    for r in history:
        sampled.update(r.archs if r.phase == "controller" else [r.arch] if r.phase == "shared" else [])
    candidates = [a for a, _ in sampled.most_common(max_candidates)]
    val = {a: trainer.evaluate(a, "val") for a in candidates}
    likely = trainer.controller.most_likely()
    with torch.no_grad():
        p_likely = math.exp(trainer.controller.log_prob(likely).item())
    derived = trainer.derive(n=derive_children)
    summary = {
        "space": trainer.space.name,
        "seed": trainer.seed,
        "steps": trainer.step,
        "epochs": trainer.epoch,
        "derived": {
            "arch": str(derived.arch),
            "minibatch_accuracy": derived.accuracy,
            "val_accuracy": trainer.evaluate(derived.arch, "val"),
            "test_accuracy": trainer.evaluate(derived.arch, "test"),
            "children": len(derived.archs),
            "batch_size": derived.batch_size,
        },
        "most_likely": {
            "arch": str(likely),
            "probability": p_likely,
            "val_accuracy": trainer.evaluate(likely, "val"),
            "test_accuracy": trainer.evaluate(likely, "test"),
        },
        "best_sampled": None,
        "distinct_sampled": len(sampled),
        "candidates_evaluated": len(candidates),
        "final": _final_metrics(history),
        "skipped_steps": sum(r.phase == "skipped" for r in history),
        "seconds": sum(r.seconds for r in history),
    }
    if candidates:
        best = max(candidates, key=lambda a: val[a])  # max keeps the first (most sampled) of equals
        summary["best_sampled"] = {
            "arch": str(best),
            "val_accuracy": val[best],
            "test_accuracy": trainer.evaluate(best, "test"),
            "times_sampled": sampled[best],
        }
    return summary


def _final_metrics(history: History) -> dict:
    """Means over the last epoch's steps, and the controller's state after its last step."""
    if not history:
        return {}
    last = [r for r in history if r.epoch == history[-1].epoch]
    mean = lambda xs: sum(xs) / len(xs) if xs else None  # noqa: E731
    shared = [r for r in last if r.phase == "shared"]
    ctrl = [r for r in last if r.phase == "controller"]
    out = {
        "epoch": history[-1].epoch,
        "shared_loss": mean([r.loss for r in shared]),
        "shared_accuracy": mean([r.accuracy for r in shared]),
        "controller_accuracy": mean([r.accuracy for r in ctrl]),
        "reward": mean([r.reward for r in ctrl]),
    }
    last_ctrl = next((r for r in reversed(history) if r.phase == "controller"), None)
    if last_ctrl is not None:
        out.update(baseline=last_ctrl.baseline, entropy=last_ctrl.entropy, skip_rate=last_ctrl.skip_rate)
    return out
