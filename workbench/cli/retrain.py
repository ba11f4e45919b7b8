"""`workbench retrain DIR`: train the child a search derived from scratch, resumable like a search.

    workbench retrain runs/NAME                              # into runs/NAME/retrain
    workbench retrain runs/NAME --channels 64 --epochs 30 --out runs/NAME-wide

Owns: the subcommand's flags, reading the search run (its config.json and the "derived" child of
its summary.json), the loop around `Retrainer.train_step` that checkpoints every epoch and on a
signal (SIGINT/SIGTERM: checkpoint, then exit 130; a second one stops at once), divergence (exit 3,
the last checkpoint kept) and the closing line. Must not: train (retrain.py does), define file
formats (retrain.py and checkpoint.py do) or change the search run.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from .. import data as data_mod
from .. import spaces
from ..checkpoint import CheckpointError
from ..config import TrainerConfig
from ..errors import DivergenceError
from ..retrain import IDENTITY, Retrainer, RetrainFolder, resize, summarize
from ..runs import RunFolder, versions
from .errors import EXIT_DIVERGED, EXIT_INTERRUPTED, EXIT_OK, UsageError, report
from .flags import positive_int
from .plan import resolve_device
from .signals import install as install_handlers

DEFAULT_EPOCHS = 10
DESCRIPTION = """\
Train the child a search run derived (summary.json "derived": the best of 10 children of the final
policy) from scratch, on its own, with the run's own ω recipe (optimizer, learning-rate schedule,
weight decay, gradient clipping, batch size): ENAS's final training. --channels makes it wider
(the space's channels or width), --layers deeper where depth is not part of the architecture
(a value that would change the child itself is refused). It writes into --out:
  retrain.json    what is retrained: the run, space, child, seed, config and data
  log.jsonl       one JSON line per epoch (rate, training loss and accuracy, validation accuracy)
  checkpoint.pt   after every epoch and on Ctrl-C; rerun the same command to resume
  summary.json    at the end: the child's accuracy on the whole validation and test splits

examples:
  workbench retrain runs/first
  workbench retrain runs/first --channels 32 --epochs 20 --out runs/first-wide
  workbench retrain runs/first --epochs 40            # go on to 40 epochs"""


def add_parser(sub) -> argparse.ArgumentParser:
    """Register `retrain` on the command line's subparsers."""
    p = sub.add_parser(
        "retrain",
        help="train a run's derived child from scratch (resumable)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=DESCRIPTION,
    )
    p.add_argument("run", metavar="DIR", help="a finished search run folder (it has summary.json)")
    p.add_argument("--channels", type=positive_int, metavar="C", help="channels (or width) of the retrained child")
    p.add_argument("--layers", type=positive_int, metavar="L", help="layers (cells) of the retrained child")
    p.add_argument(
        "--epochs", type=positive_int, metavar="E", help=f"epochs to train in all (default {DEFAULT_EPOCHS})"
    )
    p.add_argument("--out", metavar="DIR", help="the retrain folder (default DIR/retrain)")
    p.add_argument("--device", choices=("cpu", "cuda", "auto"), help="where to train (default: the run's device)")
    p.add_argument("--force", action="store_true", help="start over in --out even if it holds another retrain")
    p.add_argument("--quiet", action="store_true", help="no progress lines and no closing summary")
    p.set_defaults(func=retrain)
    return p


def _plan(args) -> tuple[dict, Retrainer, RetrainFolder]:
    """What to retrain and where, checked before any work: (retrain.json contents, Retrainer, folder)."""
    source = RunFolder(args.run)
    try:
        stored = source.read_config()
        summary = source.read_summary()
    except (CheckpointError, ValueError, OSError) as e:
        raise UsageError(f"{args.run} cannot be read as a search run: {e}") from None
    if not summary or "derived" not in summary:
        raise UsageError(
            f"{args.run} has no summary.json with a derived child: the search has not finished "
            f"(finish it with: workbench search --resume {args.run})"
        )
    try:
        space = spaces.get(stored["space"], **stored.get("space_options", {}))
        arch = space.parse(summary["derived"]["arch"])
        config = TrainerConfig.from_dict(stored["config"])
    except (KeyError, ValueError, TypeError) as e:
        raise UsageError(f"{args.run}: its config.json or summary.json was edited or is damaged ({e})") from None
    try:
        space, arch = resize(space, arch, channels=args.channels, layers=args.layers)
    except ValueError as e:
        raise UsageError(f"--channels/--layers: {e}") from None
    data = data_mod.for_space(space)
    seed = int(stored["seed"])
    retrainer = Retrainer(
        space, arch, data, config, seed, device=resolve_device(args.device or stored.get("device", "cpu"))
    )
    want = stored.get("data")
    if want is not None and want.get("sha256") != retrainer.data_id["sha256"]:
        raise UsageError(
            f"the data of {args.run} ({want.get('name')}, sha256 {str(want.get('sha256'))[:12]}…) is not this "
            f"machine's ({retrainer.data_id['sha256'][:12]}…): its child cannot be retrained on the same data here"
        )
    plan = {
        "run": str(source.path),
        "space": space.name,
        "arch": space.format(arch),
        "seed": seed,
        "config": config.to_dict(),
        "data": retrainer.data_id,
    }
    folder = RetrainFolder(args.out or Path(args.run) / "retrain")
    try:
        existing = folder.read_config()
    except CheckpointError as e:
        if not args.force:
            raise UsageError(f"{folder.path}: {e}; pass --force to overwrite it") from None
        existing = None
    if existing is not None and not args.force:
        differ = [k for k in IDENTITY if k != "format" and existing.get(k) != plan[k]]
        if differ:
            verb = "differ" if len(differ) > 1 else "differs"
            raise UsageError(
                f"{folder.path} holds another retrain (its {', '.join(differ)} {verb}): pass --force to "
                "overwrite it, or --out for a new folder"
            )
        plan["epochs"] = args.epochs or existing.get("epochs", DEFAULT_EPOCHS)
    else:
        if folder.others() and not args.force and existing is None:
            raise UsageError(
                f"{folder.path} is not empty and holds no retrain ({', '.join(folder.others()[:3])}); "
                "pass --force or another --out"
            )
        if args.force or existing is None:
            folder.clear()
        plan["epochs"] = args.epochs or DEFAULT_EPOCHS
    return plan, retrainer, folder


def retrain(args) -> int:
    """Run `workbench retrain` with parsed `args`; return the exit code."""
    plan, retrainer, folder = _plan(args)
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    try:
        checkpoint = folder.read_checkpoint()
    except CheckpointError as e:
        raise UsageError(f"{folder.path} cannot be resumed: {e}; pass --force to start over") from None
    log: list[str] = []
    if checkpoint is not None:
        try:
            retrainer.load_state_dict(checkpoint["retrain"])
        except (KeyError, ValueError) as e:
            raise UsageError(f"{folder.path} cannot be resumed: {e}; pass --force to start over") from None
        log = list(checkpoint["log"])
        say(f"resuming {folder.path} at epoch {retrainer.epoch}, step {retrainer.step}")
    folder.write_config({**plan, "versions": versions()})
    folder.write_log(log)  # what the checkpoint covers: a line written after it is dropped
    return _train(retrainer, folder, log, plan["epochs"], say, args.quiet)


def _train(retrainer: Retrainer, folder: RetrainFolder, log: list[str], epochs: int, say, quiet: bool) -> int:
    stop = {"signal": None}

    def on_signal(signum, frame):
        if stop["signal"] is not None:  # a second Ctrl-C: stop now; the last checkpoint stays
            raise KeyboardInterrupt
        stop["signal"] = signum

    previous = install_handlers({signal.SIGINT: on_signal, signal.SIGTERM: on_signal})
    try:
        if retrainer.epoch < epochs:
            folder.file("summary.json").unlink(missing_ok=True)  # an extended retrain's old summary no longer holds
        while retrainer.epoch < epochs:
            record = retrainer.train_step()
            if record is not None:
                log.append(json.dumps(record.to_dict(), separators=(",", ":")))
                folder.write_checkpoint(retrainer, log)
                say(
                    f"epoch {record.epoch}/{epochs}: lr {record.lr:.3g}, loss {record.train_loss:.3f}, "
                    f"train {record.train_accuracy:.3f}, val {record.val_accuracy:.3f}"
                )
            if stop["signal"] is not None:
                folder.write_checkpoint(retrainer, log)
                report(
                    f"interrupted at epoch {retrainer.epoch}, step {retrainer.step}; checkpoint written. "
                    "Resume with the same command"
                )
                return EXIT_INTERRUPTED
    except DivergenceError as e:
        report(f"diverged at {e}; the last checkpoint (epoch {retrainer.epoch}) is kept in {folder.path}")
        return EXIT_DIVERGED
    finally:
        install_handlers(previous)
    summary = summarize(retrainer, log)
    folder.write_summary(summary)
    if not quiet:
        print(
            f"retrained {summary['arch']} ({summary['space']}, {summary['params']:,} weights) for "
            f"{summary['epochs']} epochs: val {summary['val_accuracy']:.3f}, test {summary['test_accuracy']:.3f}"
        )
    return EXIT_OK
