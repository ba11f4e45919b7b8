"""A Trainer's whole state as plain values, and restoring it: what a checkpoint holds.

    state = trainer.state_dict()        # tensors and plain values only (torch.load weights_only reads it)
    trainer.load_state_dict(state)      # the same trainer, bit for bit, History aside

Owns: which keys the state has and the checks that a state fits the trainer it is loaded into
(space, data, the config fields that shape θ, the supernet's blocks). Both functions are the
Trainer's methods (`Trainer.state_dict = trainer_state.state_dict`). Must not: write files
(checkpoint.py and runs.py do) or step anything.
"""

from __future__ import annotations

import copy

from .config import TrainerConfig
from .tracking import UpdateCounts

_STATE_KEYS = (
    "space",
    "seed",
    "config",
    "data",
    "supernet",
    "controller",
    "shared_optimizer",
    "controller_optimizer",
    "baseline",
    "rng",
    "order",
    "cursor",
    "step",
    "epoch",
    "epoch_step",
    "update_counts",
)


def state_dict(self) -> dict:
    """Everything a resumed run needs (weights, optimizers, generators, baseline, counters) as a copy.

    Tensors and plain values only, so `torch.load(..., weights_only=True)` reads it back. The
    History is not part of it: a run's history lives in its log (`History.from_log`).
    """
    state = {
        "space": self.space.name,
        "seed": self.seed,
        "config": self.config.to_dict(),
        "data": self.data_id,
        "supernet": self.supernet.state_dict(),
        "controller": self.controller.state_dict(),
        "shared_optimizer": self.shared_optimizer.state_dict(),
        "controller_optimizer": self.controller_optimizer.state_dict(),
        "baseline": self.baseline,
        "rng": {"batch": self.batch_gen.get_state(), "child": self.child_gen.get_state()},
        "order": self.batches.order,
        "cursor": self.batches.cursor,
        "step": self.step,
        "epoch": self.epoch,
        "epoch_step": self.epoch_step,
        "update_counts": self.update_counts.to_dict(),
    }
    return copy.deepcopy(state)  # a snapshot: later steps must not change it


def load_state_dict(self, state: dict) -> None:
    """Restore a `state_dict()` of a trainer of the same space and data; the History is left as is."""
    missing = [k for k in _STATE_KEYS if k not in state]
    if missing:
        raise ValueError(f"trainer state is missing {', '.join(missing)}")
    if state["space"] != self.space.name:
        raise ValueError(f"the state is of space {state['space']!r}; this trainer's space is {self.space.name!r}")
    want, have = state["data"], self.data_id
    if want != have:
        raise ValueError(
            f"the state was trained on data {want['name']!r} (sha256 {want['sha256'][:12]}…); this "
            f"trainer's data is {have['name']!r} (sha256 {have['sha256'][:12]}…): pass the same data"
        )
    config = TrainerConfig.from_dict(state["config"])
    for name in ("controller_kind", "controller_hidden"):
        if getattr(config, name) != getattr(self.config, name):
            raise ValueError(
                f"the state has {name}={getattr(config, name)!r}, this trainer "
                f"{getattr(self.config, name)!r}: make the Trainer with the state's config"
            )
    counts = UpdateCounts.from_dict(state["update_counts"])
    if counts.blocks != self.supernet.block_names:
        raise ValueError("the state's update counts name other weight blocks than this supernet's")
    self.configure(**config.to_dict())
    self.supernet.load_state_dict(state["supernet"])
    self.controller.load_state_dict(state["controller"])
    self.shared_optimizer.load_state_dict(state["shared_optimizer"])
    self.controller_optimizer.load_state_dict(state["controller_optimizer"])
    self.baseline = None if state["baseline"] is None else float(state["baseline"])
    self.batch_gen.set_state(state["rng"]["batch"])
    self.child_gen.set_state(state["rng"]["child"])
    self.batches.restore(state["order"], state["cursor"])
    self.step, self.epoch, self.epoch_step = int(state["step"]), int(state["epoch"]), int(state["epoch_step"])
    self.update_counts, self.seed = counts, int(state["seed"])
