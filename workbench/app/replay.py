"""A run folder read back for the app: what the app shows instead of a live trainer.

Owns: `Replay` (a run's space, its records, and its θ before the first step, rebuilt from the
run's config and seed with `Controller.for_run`) and `Replay.read(path)`. Must not: train, or
write to the folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .. import spaces
from ..config import TrainerConfig
from ..controller import Controller
from ..history import History
from ..runs import RunFolder
from ..spaces import Space
from ..viz.view import Distributions


@dataclass(frozen=True)
class Replay:
    """A run read back from its folder."""

    space: Space
    history: History
    initial_policy: Distributions  # the run's θ before its first step, along its most likely child
    path: str
    config: TrainerConfig | None = None  # the run's config (None: unknown)

    @classmethod
    def read(cls, path: str | os.PathLike) -> Replay:
        """The run in folder `path`, written by `python -m workbench search --out PATH`."""
        folder = RunFolder(path)
        if not folder.holds_run():
            raise ValueError(
                f"{path} holds no run (no config.json); make one with `python -m workbench search --out {path}`"
            )
        run = folder.read_config()
        space = spaces.get(run["space"], **run["space_options"])
        config = TrainerConfig.for_space(space).replace(**run["config"])
        controller = Controller.for_run(space, config, int(run["seed"]))
        return cls(space, History.from_log(path), controller.greedy_policy()[1], str(path), config)
