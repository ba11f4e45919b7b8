"""`workbench groundtruth`: train every child of a space stand-alone into a resumable results file.

Owns: the subcommand's flags, refusing bad values before any work starts, and the summary line.
Must not: train (groundtruth/standalone.py does) or define the results file (groundtruth/sweep.py does).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import sys
import time

from .. import spaces
from ..groundtruth.standalone import Settings
from ..groundtruth.sweep import SweepError, plan, run_sweep
from .errors import EXIT_INTERRUPTED, EXIT_OK, UsageError
from .flags import natural_int, positive_float, positive_int

HELP = """\
Train children of a search space from scratch (each with its own fresh weights, the same ops as
its supernet path) and append one JSON line per finished child to --out. The first seed goes to
every architecture (or --archs of them drawn at random); later seeds go to --repeat of those,
drawn at random, so the noise between two stand-alone trainings can be measured.

The sweep is resumable: run the same command again after a kill (or Ctrl-C, exit code 130) and
only the missing children are trained; nothing finished is redone or lost. Workers use one thread
each, so results are bit-for-bit the same on either backend and with any number of workers. With
--backend ray the cluster's workers must be able to import this version of workbench.

examples:
  workbench groundtruth --space teaching --out gt.jsonl --seeds 0 1 --repeat 500
  workbench groundtruth --space teaching --out small.jsonl --archs 20 --workers 2
  workbench groundtruth --space teaching --out gt.jsonl --backend ray --address 10.0.0.5:6379"""


def add_parser(sub) -> argparse.ArgumentParser:
    """Register `groundtruth` on the command line's subparsers."""
    d = Settings()
    p = sub.add_parser(
        "groundtruth",
        help="train children stand-alone (ground truth), resumable and parallel",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=HELP,
    )
    p.add_argument(
        "--space",
        default="teaching",
        metavar="NAME",
        help="search space (default teaching); its size must allow enumerating every architecture",
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="results file (JSON lines); an existing one from the same sweep is resumed",
    )
    p.add_argument(
        "--seeds",
        nargs="+",
        type=natural_int,
        default=[0],
        metavar="N",
        help="seeds: the first for every architecture, the rest for --repeat of them (default 0)",
    )
    p.add_argument(
        "--repeat",
        type=natural_int,
        metavar="N",
        help="how many architectures, drawn at random, get the seeds after the first (default: all)",
    )
    p.add_argument(
        "--archs",
        type=positive_int,
        metavar="N",
        help="sweep only N architectures drawn at random (default: every one)",
    )
    p.add_argument(
        "--draw-seed",
        type=natural_int,
        default=0,
        metavar="N",
        help="seed of the random draws for --archs and --repeat (default 0)",
    )
    p.add_argument(
        "--backend",
        choices=("local", "ray"),
        default="local",
        help="local: worker processes on this machine (default); ray: tasks on an existing Ray cluster (see --address)",
    )
    p.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help=f"local worker processes (default: the number of CPUs, {os.cpu_count()} here; 1 trains in this process)",
    )
    p.add_argument(
        "--address",
        metavar="HOST:PORT",
        help="ray only: the cluster's head (default: RAY_ADDRESS, "
        "or 'auto', the cluster started on this machine by `ray start`)",
    )
    t = p.add_argument_group("training (defaults: the shipped table's recipe)")
    t.add_argument("--epochs", type=positive_int, default=d.epochs, metavar="N", help=f"default {d.epochs}")
    t.add_argument("--batch-size", type=positive_int, default=d.batch_size, metavar="N", help=f"default {d.batch_size}")
    t.add_argument(
        "--lr", type=positive_float, default=d.lr, metavar="X", help=f"Adam learning rate (default {d.lr:g})"
    )
    p.add_argument("--force", action="store_true", help="start over if --out holds a different sweep")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no closing line")
    p.set_defaults(func=groundtruth)
    return p


def groundtruth(args) -> int:
    """Run `workbench groundtruth` with parsed `args`; return the exit code."""
    try:
        space = spaces.get(args.space)
        settings = Settings(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr)
        tasks = plan(space, args.seeds, repeat=args.repeat, archs=args.archs, draw_seed=args.draw_seed)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if args.backend == "local" and args.address:
        raise UsageError("--address is for --backend ray; the local backend runs on this machine")
    if args.backend == "ray":
        if args.workers:
            raise UsageError("--workers is for --backend local; a Ray cluster runs one task per CPU it has")
        if importlib.util.find_spec("ray") is None:
            raise UsageError("--backend ray needs the ray package: pip install ray")
    out = os.fspath(args.out)
    if os.path.isdir(out):
        raise UsageError(f"--out {out!r} is a folder; give a file name")
    address = args.address or os.environ.get("RAY_ADDRESS") or "auto"
    previous = signal.signal(signal.SIGTERM, _interrupt)
    t0 = time.perf_counter()
    try:
        rows = run_sweep(
            space,
            tasks,
            out,
            settings,
            backend=args.backend,
            workers=args.workers,
            address=address,
            progress=not args.quiet,
            force=args.force,
        )
    except SweepError as e:
        raise UsageError(str(e)) from None
    except KeyboardInterrupt:
        print(
            f"workbench: interrupted; the finished children are kept in {out}: run the same command to go on",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not args.quiet:
        print(f"{len(rows)} of {len(tasks)} children done in {out} ({time.perf_counter() - t0:.0f} s this run)")
    return EXIT_OK


def _interrupt(signum, frame):
    raise KeyboardInterrupt
