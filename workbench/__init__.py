"""ENAS Workbench: weight-sharing neural architecture search you can step through and see.

import workbench as wb
trainer = wb.Trainer("teaching")          # MNIST-1D, LSTM controller, ENAS defaults
trainer.shared_step()                     # θ frozen: one ω step on a sampled child
trainer.controller_step()                 # ω frozen: one REINFORCE step of θ
trainer = wb.load_trainer("runs/NAME")    # a headless run (`workbench search`), log as History
"""

from . import data, fewshot, fidelity, groundtruth, proxies, reinforce, scoring, seeds, spaces
from .arch import Arch
from .checkpoint import CheckpointError
from .config import TrainerConfig
from .controller import Controller, Sample
from .errors import DivergenceError
from .history import (
    ChildScore,
    ControllerRecord,
    History,
    SharedRecord,
    SkippedRecord,
    record_from_dict,
    record_to_dict,
)
from .runs import RunFolder, load_trainer
from .supernet import Child, Supernet
from .tracking import UpdateCounts
from .trainer import Trainer
from .version import __version__


def __getattr__(name: str):
    """`wb.viz` and `wb.app` are imported on first use, so `import workbench` never imports plotly."""
    if name in ("viz", "app"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Arch",
    "CheckpointError",
    "Child",
    "ChildScore",
    "Controller",
    "ControllerRecord",
    "DivergenceError",
    "History",
    "RunFolder",
    "Sample",
    "SharedRecord",
    "SkippedRecord",
    "Supernet",
    "Trainer",
    "TrainerConfig",
    "UpdateCounts",
    "record_from_dict",
    "record_to_dict",
    "load_trainer",
    "data",
    "fewshot",
    "fidelity",
    "groundtruth",
    "proxies",
    "reinforce",
    "scoring",
    "seeds",
    "spaces",
    "__version__",
]
