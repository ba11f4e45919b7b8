"""`workbench search`: run a search headless into a run folder, or resume one, step for step.

Owns: the subcommand's flags, the loop around `Trainer.run` that appends the log and writes
checkpoints (the latest, and kept ones every --keep-checkpoints steps), writing a fork (a new run
from a kept checkpoint of another, plan.py picks it), signals (SIGINT/SIGTERM: checkpoint, then
exit 130; a second one stops at once), divergence (exit 3, the last good checkpoint kept), the
closing summary and the command line that makes the run again. Must not: train (the Trainer
does), define file formats (runs.py and checkpoint.py do) or judge the input (plan.py does,
before any work).
"""

from __future__ import annotations

import argparse
import signal
import sys

from .. import spaces
from ..config import TrainerConfig
from ..errors import DivergenceError
from ..runs import RunFolder, load_trainer, summarize, versions
from ..trainer import Trainer
from .errors import EXIT_DIVERGED, EXIT_INTERRUPTED, EXIT_OK, UsageError, report
from .flags import add_config_flags, add_space_flags, natural_int, positive_int
from .plan import KEEP_LAST, plan_search, resolve_device
from .signals import install as install_handlers

HELP = """\
Run an ENAS search headless and write it into a run folder:
  config.json     everything needed to reproduce the run
  log.jsonl       one JSON record per step, appended as the run goes
  checkpoint.pt   the latest checkpoint (every --checkpoint-every steps and at the end)
  checkpoints/    with --keep-checkpoints N: a checkpoint every N steps, the newest --keep-last of them
  summary.json    at the end: the derived child (ENAS's pick: the best of 10 children of the
                  final policy on one validation minibatch), most likely child, best sampled child

A run killed at any moment and resumed with --resume ends exactly as if never interrupted.
A fork (--resume X --from-step T --out Y) makes a new run Y from X's last checkpoint at or before
step T, X untouched: Y's log holds X's records up to there, and Y goes on with X's config changed
by --set KEY=VALUE; with no change it goes on exactly as X did.

examples:
  workbench search --space teaching --epochs 5 --seed 0 --out runs/first
  workbench search --space teaching --num-nodes 3 --shared-lr 0.02 --out runs/small
  workbench search --resume runs/first
  workbench search --resume runs/first --epochs 10      # go on to 10 epochs
  workbench search --space teaching --keep-checkpoints 50 --out runs/kept
  workbench search --resume runs/kept --from-step 400 --out runs/branch --set entropy_weight=0.01"""


class _Interrupted(Exception):
    pass


def add_parser(sub) -> argparse.ArgumentParser:
    """Register `search` on the command line's subparsers."""
    p = sub.add_parser(
        "search",
        help="run (or resume) a search into a run folder",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=HELP,
    )
    where = p.add_argument_group("where (one of --out and --resume; both with --from-step: a fork)")
    where.add_argument("--out", metavar="DIR", help="run folder to create (a folder holding this same run goes on)")
    where.add_argument(
        "--resume", metavar="DIR", help="continue the run in DIR from its checkpoint, with its stored config"
    )
    where.add_argument(
        "--from-step",
        type=natural_int,
        metavar="T",
        help="fork: a new run in --out from the last checkpoint of the --resume run at or before step T",
    )
    where.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="fork: change a TrainerConfig field of the new run, e.g. --set entropy_weight=0.01 (repeatable)",
    )
    run = p.add_argument_group("run")
    run.add_argument(
        "--space",
        metavar="NAME",
        help=f"search space: {', '.join(spaces.names())} (default teaching); "
        "options inline also work: 'teaching(num_nodes=3)'",
    )
    run.add_argument("--epochs", type=positive_int, metavar="N", help="epochs to run in all (default 5)")
    run.add_argument(
        "--seed", type=natural_int, metavar="N", help="the one seed every random stream derives from (default 0)"
    )
    run.add_argument(
        "--device",
        choices=("cpu", "cuda", "auto"),
        help="where to train (default cpu; auto: cuda if available); runs are bit-for-bit reproducible on the CPU",
    )
    run.add_argument(
        "--checkpoint-every",
        type=positive_int,
        metavar="N",
        help="write checkpoint.pt every N steps (default 100) and at the end",
    )
    run.add_argument(
        "--keep-checkpoints",
        type=positive_int,
        metavar="N",
        help="also keep a checkpoint every N steps in checkpoints/, to fork from with --from-step (default: none)",
    )
    run.add_argument(
        "--keep-last",
        type=natural_int,
        metavar="K",
        help="kept checkpoints to hold at most: the oldest go (default 20; 0 keeps them all)",
    )
    run.add_argument(
        "--on-nan",
        choices=("raise", "skip"),
        help="a NaN or infinite loss or reward: stop with exit "
        "code 3, the last good checkpoint kept (raise, the default), or skip that step and log it (skip)",
    )
    run.add_argument("--force", action="store_true", help="overwrite the run in --out even if it is a different one")
    run.add_argument("--quiet", action="store_true", help="no progress bar and no closing summary")
    add_space_flags(p.add_argument_group("space options (or --space-option KEY=VALUE)"))
    p.add_argument("--space-option", action="append", default=[], metavar="KEY=VALUE", help=argparse.SUPPRESS)
    add_config_flags(p.add_argument_group("trainer config (every TrainerConfig field; defaults per space)"))
    p.set_defaults(func=search)
    return p


def search(args) -> int:
    """Run `workbench search` with parsed `args`; return the exit code."""
    plan = plan_search(args)
    folder, run = plan.folder, plan.run
    device = resolve_device(run["device"])
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    checkpoint = plan.checkpoint
    if plan.fork_from is not None:
        try:  # a state this machine's data or code does not fit is refused before the fork is written
            load_trainer(plan.fork_from.path, device=device, step=int(checkpoint["trainer"]["step"]))
        except ValueError as e:
            raise UsageError(f"{plan.fork_from.path} cannot be forked here: {e}") from None
        folder.write_fork(plan.fork_from, checkpoint, run, run["config"])
        checkpoint = folder.read_checkpoint()
        say(f"forked {plan.fork_from.path} at step {checkpoint['trainer']['step']} into {folder.path}")
    if checkpoint is not None:
        try:
            trainer = load_trainer(folder.path, device=device)
        except ValueError as e:  # CheckpointError, or a state this machine's data or code does not fit
            raise UsageError(f"{folder.path} cannot be resumed here: {e}") from None
        if plan.fork_from is None:
            say(f"resuming {folder.path} at step {trainer.step} (epoch {trainer.epoch})")
    else:
        space = spaces.get(run["space"], **run["space_options"])
        trainer = Trainer(space, config=TrainerConfig.from_dict(run["config"]), seed=run["seed"], device=device)
        if not plan.fresh:
            say(f"restarting {folder.path} from step 0 (it had no checkpoint yet)")
    if plan.fresh:
        folder.clear()  # --force, or files a run killed while clearing left without their config.json
        run.update(data=trainer.data_id, versions=versions(), command=_command(run, folder))
    elif run.get("data") not in (None, trainer.data_id):
        raise UsageError(
            f"the data of {folder.path} ({run['data']['name']}, sha256 {run['data']['sha256'][:12]}…) "
            f"is not this machine's ({trainer.data_id['sha256'][:12]}…): the run cannot be resumed here"
        )
    folder.write_config(run)
    folder.remove_temp_files()
    folder.drop_kept_after(trainer.step)  # kept past here are of steps about to run again
    return _train(trainer, folder, run, checkpoint, say, quiet=args.quiet)


def _train(trainer, folder: RunFolder, run: dict, checkpoint, say, quiet: bool) -> int:
    from tqdm.auto import tqdm

    stop = {"signal": None, "saved": checkpoint["trainer"]["step"] if checkpoint else None}

    def on_signal(signum, frame):
        if stop["signal"] is not None:  # a second Ctrl-C: stop now; the last checkpoint stays
            raise KeyboardInterrupt
        stop["signal"] = signum

    previous = install_handlers({signal.SIGINT: on_signal, signal.SIGTERM: on_signal})
    per_epoch = trainer.steps_per_epoch + trainer.config.controller_steps
    bar = tqdm(
        total=run["epochs"] * per_epoch,
        initial=trainer.step,
        desc=f"ENAS {trainer.space.name}",
        unit="step",
        disable=quiet,
        dynamic_ncols=True,
    )
    log = folder.open_log(checkpoint)

    keep_every, keep_last = run.get("keep_checkpoints"), run.get("keep_last", KEEP_LAST)

    def on_step(record) -> None:
        log.append(record)
        keep = bool(keep_every) and trainer.step % keep_every == 0
        if keep or trainer.step % run["checkpoint_every"] == 0:
            folder.write_checkpoint(trainer, log, keep=keep, keep_last=keep_last)
            stop["saved"] = trainer.step
        bar.update(1)
        if record.phase != "skipped":
            key, value = ("loss", record.loss) if record.phase == "shared" else ("reward", record.reward)
            bar.set_postfix({key: f"{value:.3f}"}, refresh=False)
        if stop["signal"] is not None:
            raise _Interrupted

    try:
        if trainer.epoch < run["epochs"]:
            folder.file("summary.json").unlink(missing_ok=True)  # an extended run's old summary no longer holds
            trainer.run(run["epochs"] - trainer.epoch, on_step=on_step, progress=False, on_nan=run["on_nan"])
        folder.write_checkpoint(trainer, log)
    except DivergenceError as e:
        bar.close()
        kept = (
            "no checkpoint was written yet"
            if stop["saved"] is None
            else f"the last good checkpoint (step {stop['saved']}) is kept in {folder.path}"
        )
        report(f"diverged at {e}; {kept}. (--on-nan skip skips such steps instead)")
        return EXIT_DIVERGED
    except _Interrupted:
        folder.write_checkpoint(trainer, log)
        bar.close()
        report(
            f"interrupted at step {trainer.step}; checkpoint written. "
            f"Resume with: workbench search --resume {folder.path}"
        )
        return EXIT_INTERRUPTED
    finally:
        bar.close()
        log.close()
        install_handlers(previous)
    summary = summarize(trainer)
    folder.write_summary(summary)
    if not quiet:
        derived, likely, best = summary["derived"], summary["most_likely"], summary["best_sampled"]
        print(f"finished {folder.path}: {trainer.epoch} epochs, {trainer.step} steps")
        print(
            f"derived child: {derived['arch']} (best of {derived['children']} from the policy on one validation "
            f"minibatch: {derived['minibatch_accuracy']:.3f}; val {derived['val_accuracy']:.3f}, "
            f"test {derived['test_accuracy']:.3f})"
        )
        print(
            f"most likely child: {likely['arch']} (p={likely['probability']:.2g}, "
            f"val {likely['val_accuracy']:.3f}, test {likely['test_accuracy']:.3f})"
        )
        if best:
            print(
                f"best sampled child: {best['arch']} (val {best['val_accuracy']:.3f}, "
                f"test {best['test_accuracy']:.3f}, sampled {best['times_sampled']}x)"
            )
    return EXIT_OK


def _command(run: dict, folder: RunFolder) -> str:
    """The command line that makes this run again."""
    space = spaces.get(run["space"], **run["space_options"])
    base = TrainerConfig.for_space(space).to_dict()
    parts = ["workbench search", f"--space {run['space']}"]
    parts += [f"--{k.replace('_', '-')} {v}" for k, v in run["space_options"].items() if v != space.defaults[k]]
    parts += [f"--seed {run['seed']}", f"--epochs {run['epochs']}"]
    parts += [
        f"--{k.replace('_', '-')} {run[k]}" for k, plain in (("device", "cpu"), ("on_nan", "raise")) if run[k] != plain
    ]
    if run.get("keep_checkpoints"):
        parts += [f"--keep-checkpoints {run['keep_checkpoints']}", f"--keep-last {run['keep_last']}"]
    parts += [f"--{k.replace('_', '-')} {v}" for k, v in run["config"].items() if v != base[k]]
    return " ".join(parts + [f"--out {folder.path}"])
