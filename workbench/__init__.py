"""ENAS Workbench: weight-sharing neural architecture search you can step through and see.

    import workbench as wb
    trainer = wb.Trainer("teaching")          # MNIST-1D, LSTM controller, ENAS defaults
    trainer.shared_step()                     # θ frozen: one ω step on a sampled child
    trainer.controller_step()                 # ω frozen: one REINFORCE step of θ
    trainer = wb.Trainer.load("runs/NAME")    # a headless run (`workbench search`), log as History
"""
from . import data, reinforce, spaces
from .arch import Arch
from .checkpoint import CheckpointError
from .config import TrainerConfig
from .controller import Controller, Sample
from .history import ControllerRecord, History, SharedRecord, SkippedRecord, record_from_dict, record_to_dict
from .runs import RunFolder
from .supernet import Child, Supernet
from .tracking import UpdateCounts
from .trainer import DivergenceError, Trainer

__version__ = "0.1.0"


def __getattr__(name: str):
    """`wb.viz` is imported on first use, so `import workbench` never imports plotly."""
    if name == "viz":
        import importlib

        return importlib.import_module(f"{__name__}.viz")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Arch", "CheckpointError", "Child", "Controller", "ControllerRecord", "DivergenceError", "History",
    "RunFolder", "Sample", "SharedRecord", "SkippedRecord", "Supernet", "Trainer", "TrainerConfig", "UpdateCounts",
    "record_from_dict", "record_to_dict",
    "data", "reinforce", "spaces", "__version__",
]
