"""The ground-truth tables shipped inside the package, and results files read as the same frame.

Owns: the names of the shipped tables, their metadata (how each was made) and reading them (or a
sweep's results file) into a pandas DataFrame with columns arch, seed, val_accuracy,
test_accuracy, params, seconds, sorted by seed then arch. Must not: train.
"""
from __future__ import annotations

import json
import os
from importlib import resources

from .sweep import read_results

COLUMNS = ["arch", "seed", "val_accuracy", "test_accuracy", "params", "seconds"]
TABLES = {"teaching-mnist1d": "teaching-mnist1d"}  # name -> file stem in this package


def _check_name(name: str) -> str:
    if name not in TABLES:
        raise ValueError(f"unknown ground-truth table {name!r}; shipped: {', '.join(TABLES)}")
    return TABLES[name]


def settings(name: str = "teaching-mnist1d") -> dict:
    """How the table was made: space, data, training settings, seeds, command, wall time."""
    stem = _check_name(name)
    return json.loads(resources.files(__package__).joinpath(f"{stem}.json").read_text())


def _frame(rows):
    import pandas as pd

    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame = frame.astype({"seed": "int64", "params": "int64", "val_accuracy": "float64",
                          "test_accuracy": "float64", "seconds": "float64"})
    return frame.sort_values(["seed", "arch"], kind="stable").reset_index(drop=True)


def load(name: str = "teaching-mnist1d"):
    """A shipped table as a DataFrame (one row per stand-alone training)."""
    import pandas as pd

    stem = _check_name(name)
    with resources.as_file(resources.files(__package__).joinpath(f"{stem}.csv.gz")) as path:
        frame = pd.read_csv(path, compression="gzip")
    return _frame(frame.to_dict("records"))


def load_results(path: str | os.PathLike):
    """A sweep's results file (`workbench groundtruth --out FILE`) as the same DataFrame."""
    head, rows = read_results(path)
    if head is None:
        raise FileNotFoundError(f"no ground-truth results file at {path}")
    return _frame(rows)
