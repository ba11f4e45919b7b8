"""Ground truth: every child of a space trained stand-alone, to judge what weight sharing ranks.

    import workbench as wb
    table = wb.groundtruth.load("teaching-mnist1d")   # arch, seed, val_accuracy, test_accuracy, params, seconds
    wb.groundtruth.train_standalone("teaching", table.arch[0], seed=0)   # reproduces a row
    wb.groundtruth.load("teaching-n3-mnist1d")   # teaching(num_nodes=3): all 384 children, two seeds each

Owns: `train_standalone` (standalone.py), sweeps over many children (sweep.py) and the tables
shipped inside the package (tables.py). The `workbench groundtruth` command is cli/groundtruth.py.
Must not: touch shared weights (wb.fidelity compares the two), or import the command line.
"""

from .standalone import Settings, StandaloneResult, train_standalone
from .sweep import BACKENDS, SweepError, plan, read_results, run_sweep
from .tables import TABLES, export, load, load_results, read_table, settings

__all__ = [
    "BACKENDS",
    "Settings",
    "StandaloneResult",
    "SweepError",
    "TABLES",
    "export",
    "load",
    "load_results",
    "plan",
    "read_results",
    "read_table",
    "run_sweep",
    "settings",
    "train_standalone",
]
