"""Retrain: the child a search derived, trained from scratch on its own, resumable step for step.

    r = Retrainer(space, arch, data, config, seed)     # fresh weights: Supernet(space, ..., seed).child(arch)
    r.train_step()                                     # one minibatch; an EpochRecord when an epoch ends
    folder = RetrainFolder("runs/NAME/retrain")        # retrain.json, log.jsonl, checkpoint.pt, summary.json

ENAS's last step (paper, section 2.2 and 3): the derived child is trained from scratch, usually
wider (more channels) and longer than during the search. Here the child is built as the ground
truth builds it (a fresh `Supernet(space, ..., seed).child(arch)`, so its blocks and forward pass are
exactly the supernet's path) and trained with the search's own ω recipe, the run's TrainerConfig:
its optimizer (SGD with Nesterov momentum, or Adam), learning rate and schedule per epoch
(lr_schedule.py), weight decay, gradient clipping and batch size. The batch order comes from the
named stream "standalone-batches", as for the ground truth. `resize` makes the space wider
(channels or width) or deeper where depth is not part of the architecture; an option that would
change the architecture itself is refused. The trained child is scored with its own BatchNorm
running averages (`bn="running"`), as a deployed network would be.

Files: retrain.json (what is retrained: the source run, space, arch, seed, epochs, config, data),
log.jsonl (one JSON line per finished epoch), checkpoint.pt (checkpoint.py: everything a resumed
retrain needs, with the log lines it covers) and summary.json (at the end: test accuracy). Every
file is replaced atomically; a resume rewrites the log from the checkpoint, so the two always agree.

Owns: the Retrainer, its EpochRecord, its state, resizing a space, and the retrain folder. Must not:
parse command lines or print (cli/retrain.py does), or change the search run it reads.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from . import lr_schedule, scoring, seeds, spaces
from .arch import Arch
from .atomic import atomic_write, is_temp_file
from .batches import Batches
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .config import TrainerConfig
from .data import Dataset
from .digest import data_sha256
from .errors import DivergenceError
from .spaces import Space
from .supernet import Supernet

CONFIG, LOG, CHECKPOINT, SUMMARY = "retrain.json", "log.jsonl", "checkpoint.pt", "summary.json"
FILES = (CONFIG, LOG, CHECKPOINT, SUMMARY)
FORMAT = "enas-workbench-retrain"
IDENTITY = ("format", "run", "space", "arch", "seed", "config", "data")  # retrain.json keys that make it itself
WIDTH_OPTIONS = ("channels", "width")  # what `channels` resizes, the first a space has
DEPTH_OPTIONS = ("num_cells", "cells", "layers", "num_layers", "num_nodes")  # what `layers` resizes


@dataclass(frozen=True)
class EpochRecord:
    """One finished epoch of a retrain: its rate, mean training loss and accuracy, validation accuracy."""

    epoch: int  # 1-based: the epochs finished so far
    step: int  # minibatches trained so far
    lr: float
    train_loss: float
    train_accuracy: float
    val_accuracy: float
    seconds: float

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def resize(space: Space, arch: Arch, channels: int | None = None, layers: int | None = None) -> tuple[Space, Arch]:
    """`space` with `channels` as its width option and `layers` as its depth option, and `arch` in it.

    ValueError if the space has no such option, or if the new value changes the architecture
    itself (the derived child would not be an architecture of the resized space)."""
    space, options = spaces.resolve(space), {}
    for value, names, flag in ((channels, WIDTH_OPTIONS, "channels"), (layers, DEPTH_OPTIONS, "layers")):
        if value is None:
            continue
        name = next((n for n in names if n in space.defaults), None)
        if name is None:
            raise ValueError(
                f"space {space.name!r} has no option that {flag} sets (one of {', '.join(names)}); "
                f"its options: {', '.join(space.defaults)}"
            )
        options[name] = value
    bigger = spaces.get(space.kind, **{**space.options, **options})
    text = space.format(space.check(arch))
    try:
        moved = bigger.parse(text)
    except ValueError as e:
        changed = ", ".join(f"{k}={v}" for k, v in options.items())
        raise ValueError(
            f"{changed} changes the architecture itself: the derived child {text!r} of {space.name!r} "
            f"is not an architecture of {bigger.name!r} ({e})"
        ) from None
    return bigger, moved


class Retrainer:
    """Trains one child from scratch with a TrainerConfig's ω recipe; `state_dict()` resumes it bit for bit."""

    def __init__(
        self,
        space: Space | str,
        arch: Arch | str,
        data: Dataset,
        config: TrainerConfig,
        seed: int = 0,
        device: str | torch.device = "cpu",
    ):
        self.space = spaces.resolve(space)
        self.arch = self.space.parse(arch) if isinstance(arch, str) else self.space.check(arch)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        if not isinstance(config, TrainerConfig):
            raise TypeError(f"config must be a TrainerConfig, got {type(config).__name__}")
        self.data, self.config, self.seed, self.device = data, config, seed, torch.device(device)
        self.net = Supernet(self.space, data.input_shape, data.num_classes, seed=seed).child(self.arch).to(self.device)
        if config.shared_optimizer == "sgd":
            self.optimizer = torch.optim.SGD(
                self.net.parameters(),
                lr=config.shared_lr,
                momentum=config.shared_momentum,
                nesterov=config.shared_momentum > 0,
                weight_decay=config.shared_weight_decay,
            )
        else:
            self.optimizer = torch.optim.Adam(
                self.net.parameters(), lr=config.shared_lr, weight_decay=config.shared_weight_decay
            )
        self.generator = seeds.generator(seed, "standalone-batches")
        self.batches = Batches(data, self.generator, self.device)
        self.step = 0  # minibatches trained so far
        self.epoch = 0  # epochs finished
        self.epoch_step = 0  # minibatches of the current epoch
        self.sums = {"loss": 0.0, "correct": 0.0, "seen": 0.0, "seconds": 0.0}  # of the current epoch

    @property
    def steps_per_epoch(self) -> int:
        return self.batches.steps_per_pass(self.config.batch_size)

    @property
    def params(self) -> int:
        return sum(p.numel() for p in self.net.parameters())

    @property
    def data_id(self) -> dict:
        return {"name": self.data.name, "sha256": data_sha256(self.data)}

    def train_step(self) -> EpochRecord | None:
        """One minibatch; at the end of an epoch, the whole validation split is scored and its record returned."""
        t0 = time.perf_counter()
        lr = lr_schedule.shared_lr(self.config, self.epoch)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        x, y = self.batches.train(self.config.batch_size)
        self.net.train()
        logits = self.net(x)  # (B, classes)
        loss = F.cross_entropy(logits, y)
        if not math.isfinite(loss.item()):
            raise DivergenceError(
                f"retrain step {self.step + 1}: loss is {loss.item()} for {self.arch}; the weights were not "
                "updated (lower shared_lr or enable grad_clip)"
            )
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.config.grad_clip > 0:
            nn.utils.clip_grad_norm_(self.net.parameters(), self.config.grad_clip)
        self.optimizer.step()
        self.step += 1
        self.epoch_step += 1
        self.sums["loss"] += loss.item() * len(y)
        self.sums["correct"] += (logits.argmax(-1) == y).sum().item()
        self.sums["seen"] += len(y)
        self.sums["seconds"] += time.perf_counter() - t0
        if self.epoch_step < self.steps_per_epoch:
            return None
        self.epoch += 1
        t1 = time.perf_counter()
        val = self.evaluate("val")
        record = EpochRecord(
            epoch=self.epoch,
            step=self.step,
            lr=lr,
            train_loss=self.sums["loss"] / self.sums["seen"],
            train_accuracy=self.sums["correct"] / self.sums["seen"],
            val_accuracy=val,
            seconds=self.sums["seconds"] + time.perf_counter() - t1,
        )
        self.epoch_step = 0
        self.sums = {"loss": 0.0, "correct": 0.0, "seen": 0.0, "seconds": 0.0}
        return record

    def evaluate(self, split: str = "val") -> float:
        """Accuracy on a whole split, BatchNorm with the child's own running averages."""
        return scoring.accuracy(self.net, None, *self.batches.split(split), bn="running")

    def state_dict(self) -> dict:
        """Everything a resumed retrain needs, as a copy of tensors and plain values."""
        return copy.deepcopy(
            {
                "space": self.space.name,
                "arch": list(self.arch.choices),
                "seed": self.seed,
                "config": self.config.to_dict(),
                "data": self.data_id,
                "net": self.net.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "rng": self.generator.get_state(),
                "order": self.batches.order,
                "cursor": self.batches.cursor,
                "step": self.step,
                "epoch": self.epoch,
                "epoch_step": self.epoch_step,
                "sums": dict(self.sums),
            }
        )

    def load_state_dict(self, state: dict) -> None:
        """Restore a `state_dict()` of a retrain of the same space, child, seed, config and data."""
        mine = self.state_dict()
        for key in ("space", "arch", "seed", "config", "data"):
            if state.get(key) != mine[key]:
                raise ValueError(f"the state's {key} is {state.get(key)!r}; this retrain's is {mine[key]!r}")
        self.net.load_state_dict(state["net"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.generator.set_state(state["rng"])
        self.batches.restore(state["order"], state["cursor"])
        self.step, self.epoch, self.epoch_step = int(state["step"]), int(state["epoch"]), int(state["epoch_step"])
        self.sums = {k: float(v) for k, v in state["sums"].items()}


class RetrainFolder:
    """The files of one retrain: retrain.json, log.jsonl, checkpoint.pt, summary.json."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RetrainFolder({str(self.path)!r})"

    def file(self, name: str) -> Path:
        return self.path / name

    def others(self) -> list[str]:
        """Files and folders here that a retrain does not write."""
        if not self.path.is_dir():
            return []
        return sorted(p.name for p in self.path.iterdir() if p.name not in FILES and not is_temp_file(p.name))

    def read_config(self) -> dict | None:
        """retrain.json, or None if there is none; CheckpointError if it is not a retrain's."""
        if not self.file(CONFIG).is_file():
            return None
        try:
            config = json.loads(self.file(CONFIG).read_text())
        except (OSError, ValueError) as e:
            raise CheckpointError(f"{self.file(CONFIG)} cannot be read: {e}") from None
        if not isinstance(config, dict) or config.get("format") != FORMAT:
            raise CheckpointError(f"{self.file(CONFIG)} is not an ENAS Workbench retrain config")
        return config

    def write_config(self, config: dict) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        atomic_write(self.file(CONFIG), (json.dumps({"format": FORMAT, **config}, indent=2) + "\n").encode())

    def read_checkpoint(self) -> dict | None:
        """The verified checkpoint payload ({"retrain": state, "log": [lines]}), or None if there is none."""
        return load_checkpoint(self.file(CHECKPOINT)) if self.file(CHECKPOINT).exists() else None

    def write_checkpoint(self, retrainer: Retrainer, log: list[str]) -> None:
        """Checkpoint `retrainer` with the log lines it covers, then write those lines as log.jsonl."""
        save_checkpoint(self.file(CHECKPOINT), {"retrain": retrainer.state_dict(), "log": list(log)})
        self.write_log(log)

    def write_log(self, log: list[str]) -> None:
        atomic_write(self.file(LOG), "".join(line + "\n" for line in log).encode())

    def read_log(self) -> list[dict]:
        path = self.file(LOG)
        return [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []

    def read_summary(self) -> dict | None:
        path = self.file(SUMMARY)
        return json.loads(path.read_text()) if path.is_file() else None

    def write_summary(self, summary: dict) -> None:
        atomic_write(self.file(SUMMARY), (json.dumps(summary, indent=2) + "\n").encode())

    def clear(self) -> None:
        """Delete the retrain's files and the temporary files a killed write left; others stay."""
        for p in self.path.glob(".*.tmp"):
            p.unlink(missing_ok=True)
        for name in FILES:
            self.file(name).unlink(missing_ok=True)


def summarize(retrainer: Retrainer, log: list[str]) -> dict:
    """The end of a retrain: the child, its size, the epochs, and its accuracy on the whole val and test splits."""
    records = [json.loads(line) for line in log]
    return {
        "arch": retrainer.space.format(retrainer.arch),
        "space": retrainer.space.name,
        "seed": retrainer.seed,
        "params": retrainer.params,
        "epochs": retrainer.epoch,
        "steps": retrainer.step,
        "val_accuracy": retrainer.evaluate("val"),
        "test_accuracy": retrainer.evaluate("test"),
        "final_train_loss": records[-1]["train_loss"] if records else None,
        "seconds": sum(r["seconds"] for r in records),
    }
