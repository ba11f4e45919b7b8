"""The command line: `workbench search` runs a search headless into a run folder; `workbench show` reads
one; `workbench derive` picks the child a run ends with; `workbench groundtruth` trains children
stand-alone; `workbench classroom` serves the app.

    workbench search --space teaching --epochs 5 --seed 0 --out runs/NAME
    workbench search --resume runs/NAME
    workbench show runs/NAME
    workbench derive runs/NAME --children 10
    workbench retrain runs/NAME --channels 32 --epochs 20   # the derived child, from scratch
    workbench import enas/stdout               # another tool's log: its collapse report

Owns: the top-level parser (one line per error, not argparse's usage block), registering the
subcommands (search.py, show.py, derive.py, groundtruth.py; each owns its flags), and `main`, which turns
every outcome into an exit code (errors.py). Flag values and generated flags live in flags.py,
the checks before a search in plan.py. Must not: train, define file formats, or parse anything at
import time.
"""

from __future__ import annotations

import argparse
import os
import re

from . import classroom, derive, export, groundtruth, imported, retrain, search, show
from .errors import EXIT_DIVERGED, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError, report

__all__ = [
    "EXIT_DIVERGED",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "build_parser",
    "main",
]


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # read "-1e-3", "-inf" and "-nan" as (bad) values to refuse with a reason, not as unknown flags
        self._negative_number_matcher = re.compile(r"^-(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$|^-(inf|nan)$", re.I)

    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: `workbench search|show|derive|groundtruth ...`."""
    parser = _Parser(
        prog="workbench",
        description="ENAS Workbench from the command line: run a weight-sharing "
        "search headless into a run folder, resume it after a crash, inspect it.",
        epilog="exit codes: 0 done; 1 failed; 2 bad input, refused before any work; 3 diverged "
        "(NaN or infinite loss or reward); 130 interrupted (checkpoint written, resume with --resume).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    search.add_parser(sub)
    show.add_parser(sub)
    derive.add_parser(sub)
    groundtruth.add_parser(sub)
    classroom.add_parser(sub)
    export.add_parser(sub)
    imported.add_parser(sub)
    retrain.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 1 failed, 2 refused, 3 diverged, 130 interrupted)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        return args.func(args)
    except UsageError as e:
        report(str(e))
        return EXIT_USAGE
    except KeyboardInterrupt:
        report("interrupted; the last checkpoint is kept")
        return EXIT_INTERRUPTED
    except Exception as e:  # a bug or an OS error: one line, the traceback on request
        if os.environ.get("WORKBENCH_DEBUG"):
            raise
        report(f"{type(e).__name__}: {e} (set WORKBENCH_DEBUG=1 for the traceback)")
        return EXIT_FAILED
