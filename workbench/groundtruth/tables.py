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
# name -> file stem in this package: the teaching space (6,144 children), and the same space at num_nodes=3
# (384 children, every one with two seeds), to ask whether a 16x smaller space is ranked better
TABLES = {"teaching-mnist1d": "teaching-mnist1d", "teaching-n3-mnist1d": "teaching-n3-mnist1d"}


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
    frame = frame.astype(
        {
            "seed": "int64",
            "params": "int64",
            "val_accuracy": "float64",
            "test_accuracy": "float64",
            "seconds": "float64",
        }
    )
    return frame.sort_values(["seed", "arch"], kind="stable").reset_index(drop=True)


def load(name: str = "teaching-mnist1d"):
    """A shipped table as a DataFrame (one row per stand-alone training)."""
    stem = _check_name(name)
    with resources.as_file(resources.files(__package__).joinpath(f"{stem}.csv.gz")) as path:
        return read_table(path)


def read_table(path: str | os.PathLike):
    """A table file that `export` wrote (NAME.csv.gz) as a DataFrame.

    Accuracies are stored as the shortest text of their float32 value (they are float32 counts
    over a split), so they load back bit for bit equal to what `train_standalone` returns."""
    import numpy as np
    import pandas as pd

    frame = pd.read_csv(path, compression="gzip", dtype={"val_accuracy": np.float32, "test_accuracy": np.float32})
    return _frame(frame.to_dict("records"))


def export(results: str | os.PathLike, dest: str | os.PathLike, **meta) -> dict:
    """Write a sweep's results file as a shippable table: DEST.csv.gz (deterministic gzip) and
    DEST.json (header of the sweep, row counts, and `meta`: command, wall time, ...). This is how
    the shipped tables were made; `read_table` reads DEST.csv.gz back."""
    import gzip

    import numpy as np

    from ..atomic import atomic_write

    head, _ = read_results(results)
    frame = load_results(results)
    lines = [",".join(COLUMNS)]
    for r in frame.itertuples(index=False):
        val, test = (
            repr(np.float32(v)).removeprefix("np.float32(").rstrip(")") for v in (r.val_accuracy, r.test_accuracy)
        )
        lines.append(f'"{r.arch}",{r.seed},{val},{test},{r.params},{r.seconds:.4f}')
    atomic_write(f"{dest}.csv.gz", gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=9, mtime=0))
    info = {
        **{k: v for k, v in head.items() if k not in ("format", "version")},
        "rows": len(frame),
        "seeds": {int(k): int(v) for k, v in frame["seed"].value_counts().sort_index().items()},
        "child_seconds_by_seed": {
            int(k): round(float(v), 1) for k, v in frame.groupby("seed")["seconds"].sum().items()
        },
        **meta,
    }
    atomic_write(f"{dest}.json", (json.dumps(info, indent=2) + "\n").encode())
    return info


def load_results(path: str | os.PathLike):
    """A sweep's results file (`workbench groundtruth --out FILE`) as the same DataFrame."""
    head, rows = read_results(path)
    if head is None:
        raise FileNotFoundError(f"no ground-truth results file at {path}")
    return _frame(rows)
