"""The command line: `workbench search` runs a search headless into a run folder; `workbench show` reads one;
`workbench groundtruth` trains children stand-alone (its flags live in groundtruth/command.py).

    workbench search --space teaching --epochs 5 --seed 0 --out runs/NAME
    workbench search --resume runs/NAME
    workbench show runs/NAME

Owns: the parser (TrainerConfig's flags are generated from its fields, the space flags from the
spaces' options), refusing bad input before any work starts, the loop around `Trainer.run` that
appends the log and writes checkpoints, signals, divergence and exit codes. Must not: train
(the Trainer does) or define file formats (runs.py and checkpoint.py do).
"""
from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import os
import re
import signal
import sys
import typing

from . import spaces
from .checkpoint import CheckpointError
from .config import SPACE_DEFAULTS, TrainerConfig
from .groundtruth import command as _groundtruth_command
from .runs import IDENTITY, RUN_FORMAT, RunFolder, load_trainer, summarize, versions
from .trainer import DivergenceError, Trainer

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DIVERGED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
RESUME_FLAGS = ("epochs", "checkpoint_every", "on_nan", "device", "quiet", "resume")  # the rest is the stored run's


class UsageError(Exception):
    """Bad input, refused before any work: the message is the one line the user sees."""


class _Interrupted(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # read "-1e-3", "-inf" and "-nan" as (bad) values to refuse with a reason, not as unknown flags
        self._negative_number_matcher = re.compile(r"^-(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$|^-(inf|nan)$", re.I)

    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(f"{message} (see {self.prog} --help)")


# ---- the parser ---------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="workbench", description="ENAS Workbench from the command line: run a weight-sharing "
                     "search headless into a run folder, resume it after a crash, inspect it.",
                     epilog="exit codes: 0 done; 1 failed; 2 bad input, refused before any work; 3 diverged "
                     "(NaN or infinite loss or reward); 130 interrupted (checkpoint written, resume with --resume).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    search = sub.add_parser("search", help="run (or resume) a search into a run folder",
                            formatter_class=argparse.RawDescriptionHelpFormatter, description=_SEARCH_HELP)
    where = search.add_argument_group("where").add_mutually_exclusive_group(required=True)
    where.add_argument("--out", metavar="DIR", help="run folder to create (a folder holding this same run goes on)")
    where.add_argument("--resume", metavar="DIR", help="continue the run in DIR from its checkpoint, with its stored config")
    run = search.add_argument_group("run")
    run.add_argument("--space", metavar="NAME", help=f"search space: {', '.join(spaces.names())} (default teaching); "
                     "options inline also work: 'teaching(num_nodes=3)'")
    run.add_argument("--epochs", type=_positive_int, metavar="N", help="epochs to run in all (default 5)")
    run.add_argument("--seed", type=_natural_int, metavar="N", help="the one seed every random stream derives from (default 0)")
    run.add_argument("--device", choices=("cpu", "cuda", "auto"), help="where to train (default cpu; auto: cuda if "
                     "available); runs are bit-for-bit reproducible on the CPU")
    run.add_argument("--checkpoint-every", type=_positive_int, metavar="N", help="write checkpoint.pt every N steps "
                     "(default 100) and at the end")
    run.add_argument("--on-nan", choices=("raise", "skip"), help="a NaN or infinite loss or reward: stop with exit code "
                     "3, the last good checkpoint kept (raise, the default), or skip that step and log it (skip)")
    run.add_argument("--force", action="store_true", help="overwrite the run in --out even if it is a different one")
    run.add_argument("--quiet", action="store_true", help="no progress bar and no closing summary")
    _add_space_flags(search.add_argument_group("space options (or --space-option KEY=VALUE)"))
    search.add_argument("--space-option", action="append", default=[], metavar="KEY=VALUE", help=argparse.SUPPRESS)
    _add_config_flags(search.add_argument_group("trainer config (every TrainerConfig field; defaults per space)"))
    search.set_defaults(func=_search)
    show = sub.add_parser("show", help="where a run folder stands: config, checkpoint (verified), log, summary",
                          description="Print where a run stands; exit code 1 if its checkpoint or log is damaged.")
    show.add_argument("run", metavar="DIR", help="a run folder")
    show.set_defaults(func=_show)
    _groundtruth_command.add_parser(sub, _positive_int, _natural_int)
    return parser


_SEARCH_HELP = """\
Run an ENAS search headless and write it into a run folder:
  config.json     everything needed to reproduce the run
  log.jsonl       one JSON record per step, appended as the run goes
  checkpoint.pt   the latest checkpoint (every --checkpoint-every steps and at the end)
  summary.json    at the end: most likely child, best sampled child, final metrics

A run killed at any moment and resumed with --resume ends exactly as if never interrupted.

examples:
  workbench search --space teaching --epochs 5 --seed 0 --out runs/first
  workbench search --space teaching --num-nodes 3 --shared-lr 0.02 --out runs/small
  workbench search --resume runs/first
  workbench search --resume runs/first --epochs 10      # go on to 10 epochs"""


def _positive_int(text: str) -> int:
    value = _natural_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _natural_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def _field_comments() -> dict[str, str]:
    """Each TrainerConfig field's trailing comment in config.py: the flag's help."""
    try:
        source = inspect.getsource(TrainerConfig)
    except (OSError, TypeError):
        return {}
    return {m[1]: m[2].strip() for m in re.finditer(r"^\s+(\w+):[^=\n]+=[^#\n]*#\s*(.+)$", source, re.M)}


def _value_parser(kind):
    """argparse type for a TrainerConfig field of type `kind` (range checks are TrainerConfig's)."""
    if kind is bool:
        return lambda t: {"true": True, "false": False}[t.lower()] if t.lower() in ("true", "false") else _bad(t, "true or false")
    if kind in (int, float, str):
        def parse(text: str, kind=kind):
            try:
                return kind(text)
            except ValueError:
                _bad(text, f"a{'n' if kind is int else ''} {kind.__name__}")
        return parse
    args = set(typing.get_args(kind))
    if args == {float, type(None)}:
        return lambda t: None if t.lower() in ("none", "off") else _value_parser(float)(t)
    return json.loads


def _bad(text: str, valid: str):
    raise argparse.ArgumentTypeError(f"expected {valid}, got {text!r}")


def _add_config_flags(group) -> None:
    comments, hints = _field_comments(), typing.get_type_hints(TrainerConfig)
    for f in dataclasses.fields(TrainerConfig):
        per_space = [f"{s}: {d[f.name]}" for s, d in SPACE_DEFAULTS.items() if f.name in d and d[f.name] != f.default]
        default = f"default {f.default}" + (f"; {', '.join(per_space)}" if per_space else "")
        text = f"{comments.get(f.name, f.name.replace('_', ' '))} ({default})".replace("%", "%%")
        group.add_argument("--" + f.name.replace("_", "-"), dest=f"config__{f.name}", type=_value_parser(hints[f.name]),
                           metavar=_metavar(hints[f.name]), help=text)


def _metavar(kind) -> str:
    return {int: "N", float: "X", str: "NAME", bool: "BOOL"}.get(kind, "X|none")


def _space_options() -> dict[str, dict[str, int]]:
    """Option name -> {space kind: default} over every registered space."""
    out: dict[str, dict[str, int]] = {}
    for kind in spaces.names():
        for option, default in spaces.get(kind).defaults.items():
            out.setdefault(option, {})[kind] = default
    return out


def _add_space_flags(group) -> None:
    config_fields = {f.name for f in dataclasses.fields(TrainerConfig)}
    for option, kinds in _space_options().items():
        if option in config_fields:
            continue  # only --space-option reaches it
        owners = "; ".join(f"{k}, default {d}" for k, d in kinds.items())
        group.add_argument("--" + option.replace("_", "-"), dest=f"space__{option}", type=_positive_int, metavar="N",
                           help=f"{option.replace('_', ' ')} ({owners})")


# ---- refusing bad input -------------------------------------------------------------------
def _given(args, prefix: str) -> dict:
    return {k[len(prefix):]: v for k, v in vars(args).items() if k.startswith(prefix) and v is not None}


def _resolve_space(args) -> spaces.Space:
    options = _given(args, "space__")
    for item in args.space_option:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--space-option {item!r}: expected KEY=VALUE, e.g. num_nodes=3")
        if key.strip() in options:
            raise UsageError(f"space option {key.strip()!r} is given twice")
        options[key.strip()] = value.strip()
    try:
        return spaces.get(args.space or "teaching", **options)
    except (ValueError, TypeError) as e:
        raise UsageError(f"--space {args.space or 'teaching'}: {e}") from None


def _resolve_config(space, given: dict) -> TrainerConfig:
    base = TrainerConfig.for_space(space)
    for name, value in given.items():  # one at a time, so the message names the flag
        try:
            base.replace(**{name: value})
        except (ValueError, TypeError) as e:
            raise UsageError(f"--{name.replace('_', '-')}: {e}") from None
    try:
        return base.replace(**given)
    except (ValueError, TypeError) as e:
        raise UsageError(str(e)) from None


def _resolve_device(name: str) -> str:
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda: CUDA is not available on this machine; valid here: cpu, auto")
    return name


def _describe_difference(stored: dict, new: dict) -> str:
    diffs = []
    for key in IDENTITY:
        a, b = stored.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            diffs += [f"{key}.{k} {b.get(k)!r} (stored {a.get(k)!r})" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        elif a != b and key != "data":
            diffs.append(f"{key} {b!r} (stored {a!r})")
    return ", ".join(diffs[:4]) + (", …" if len(diffs) > 4 else "")


def _plan(args) -> dict:
    """Check every input and the run folder; return what to do. Raises UsageError; writes nothing."""
    folder = RunFolder(args.resume or args.out)
    if folder.path.exists() and not folder.path.is_dir():
        raise UsageError(f"{folder.path} is a file, not a run folder")
    if args.resume:
        not_here = [f"--{k.split('__')[-1].replace('_', '-')}" for k, v in vars(args).items()
                    if v is not None and v is not False and v != [] and k not in RESUME_FLAGS + ("command", "func", "force")]
        if not_here:
            raise UsageError(f"{', '.join(not_here)} cannot be used with --resume: a resumed run keeps the space, "
                             "seed and config stored in its config.json")
        if args.force:
            raise UsageError("--force cannot be used with --resume (it would overwrite the run being resumed)")
        return _plan_continue(args, folder, _read_run(folder, f"--resume {folder.path}: it", "; start one with --out"))
    space = _resolve_space(args)
    config = _resolve_config(space, _given(args, "config__"))
    run = {"format": RUN_FORMAT, "version": 1, "space": space.kind, "space_options": space.options,
           "space_name": space.name, "seed": args.seed or 0, "config": config.to_dict(),
           "epochs": args.epochs or 5, "device": args.device or "cpu", "checkpoint_every": args.checkpoint_every or 100,
           "on_nan": args.on_nan or "raise"}
    _resolve_device(run["device"])
    if folder.holds_run() and not args.force:
        try:
            stored = folder.read_config()
        except CheckpointError as e:
            raise UsageError(f"{e}; pass --force to overwrite it") from None
        if any(stored.get(k) != run.get(k) for k in IDENTITY if k != "data"):
            raise UsageError(f"{folder.path} already holds a different run ({_describe_difference(stored, run)}); "
                             "choose another --out, or pass --force to overwrite it")
        return _plan_continue(args, folder, stored)
    if folder.others() and not args.force:
        raise UsageError(f"{folder.path} is not empty and holds no run ({', '.join(folder.others()[:3])} …); "
                         "choose a new or empty folder for --out, or pass --force to write beside them")
    return {"folder": folder, "fresh": True, "run": run, "checkpoint": None}


def _read_run(folder: RunFolder, subject: str, hint: str = "") -> dict:
    if not folder.holds_run():
        raise UsageError(f"{subject} holds no run (no config.json){hint}")
    try:
        return folder.read_config()
    except CheckpointError as e:
        raise UsageError(str(e)) from None


def _plan_continue(args, folder: RunFolder, stored: dict) -> dict:
    run = dict(stored)
    for key in ("epochs", "checkpoint_every", "on_nan", "device"):
        if getattr(args, key) is not None:
            run[key] = getattr(args, key)
    _resolve_device(run["device"])
    missing = [k for k in ("space", "space_options", "seed", "config", "epochs", "device", "checkpoint_every", "on_nan")
               if k not in run]
    if missing:
        raise UsageError(f"{folder.file('config.json')} lacks {', '.join(missing)}: it was edited; pass --force to overwrite the run")
    try:
        TrainerConfig.for_space(spaces.get(run["space"], **run["space_options"])).replace(**run["config"])
    except (ValueError, TypeError) as e:
        raise UsageError(f"{folder.file('config.json')} is not valid ({e}); pass --force to overwrite the run") from None
    try:
        checkpoint = folder.read_checkpoint()
        if checkpoint is not None:
            folder.check_log(checkpoint)  # read only; the log is cut back once the run starts
    except CheckpointError as e:
        raise UsageError(f"{e}. Move checkpoint.pt away to restart the run from step 0") from None
    state = checkpoint["trainer"] if checkpoint is not None else {"epoch": 0, "epoch_step": 0}
    if run["epochs"] < state["epoch"] + (1 if state["epoch_step"] else 0):
        raise UsageError(f"--epochs {run['epochs']}: the run in {folder.path} has already done {state['epoch']} "
                         f"epoch(s) and {state['epoch_step']} step(s) of the next")
    return {"folder": folder, "fresh": False, "run": run, "checkpoint": checkpoint}


# ---- the search ---------------------------------------------------------------------------
def _search(args) -> int:
    plan = _plan(args)
    folder, run = plan["folder"], plan["run"]
    device = _resolve_device(run["device"])
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    if plan["checkpoint"] is not None:
        try:
            trainer = load_trainer(folder.path, device=device)
        except ValueError as e:  # CheckpointError, or a state this machine's data or code does not fit
            raise UsageError(f"{folder.path} cannot be resumed here: {e}") from None
        say(f"resuming {folder.path} at step {trainer.step} (epoch {trainer.epoch})")
    else:
        space = spaces.get(run["space"], **run["space_options"])
        trainer = Trainer(space, config=TrainerConfig.from_dict(run["config"]), seed=run["seed"], device=device)
        if not plan["fresh"]:
            say(f"restarting {folder.path} from step 0 (it had no checkpoint yet)")
    if plan["fresh"]:
        folder.clear()  # --force, or files a run killed while clearing left without their config.json
        run.update(data=trainer.data_id, versions=versions(), command=_command(run, folder))
    elif run.get("data") not in (None, trainer.data_id):
        raise UsageError(f"the data of {folder.path} ({run['data']['name']}, sha256 {run['data']['sha256'][:12]}…) "
                         f"is not this machine's ({trainer.data_id['sha256'][:12]}…): the run cannot be resumed here")
    folder.write_config(run)
    folder.remove_temp_files()
    return _train(trainer, folder, run, plan["checkpoint"], say, quiet=args.quiet)


def _train(trainer, folder: RunFolder, run: dict, checkpoint, say, quiet: bool) -> int:
    from tqdm.auto import tqdm

    stop = {"signal": None, "saved": checkpoint["trainer"]["step"] if checkpoint else None}

    def on_signal(signum, frame):
        if stop["signal"] is not None:  # a second Ctrl-C: stop now; the last checkpoint stays
            raise KeyboardInterrupt
        stop["signal"] = signum

    previous = _install({signal.SIGINT: on_signal, signal.SIGTERM: on_signal})
    per_epoch = trainer.steps_per_epoch + trainer.config.controller_steps
    bar = tqdm(total=run["epochs"] * per_epoch, initial=trainer.step, desc=f"ENAS {trainer.space.name}", unit="step",
               disable=quiet, dynamic_ncols=True)
    log = folder.open_log(checkpoint)

    def on_step(record) -> None:
        log.append(record)
        if trainer.step % run["checkpoint_every"] == 0:
            folder.write_checkpoint(trainer, log)
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
        kept = "no checkpoint was written yet" if stop["saved"] is None else \
            f"the last good checkpoint (step {stop['saved']}) is kept in {folder.path}"
        _error(f"diverged at {e}; {kept}. (--on-nan skip skips such steps instead)")
        return EXIT_DIVERGED
    except _Interrupted:
        folder.write_checkpoint(trainer, log)
        bar.close()
        _error(f"interrupted at step {trainer.step}; checkpoint written. Resume with: workbench search --resume {folder.path}")
        return EXIT_INTERRUPTED
    finally:
        bar.close()
        log.close()
        _install(previous)
    summary = summarize(trainer)
    folder.write_summary(summary)
    if not quiet:
        likely, best = summary["most_likely"], summary["best_sampled"]
        print(f"finished {folder.path}: {trainer.epoch} epochs, {trainer.step} steps")
        print(f"most likely child: {likely['arch']} (p={likely['probability']:.2g}, "
              f"val {likely['val_accuracy']:.3f}, test {likely['test_accuracy']:.3f})")
        if best:
            print(f"best sampled child: {best['arch']} (val {best['val_accuracy']:.3f}, "
                  f"test {best['test_accuracy']:.3f}, sampled {best['times_sampled']}x)")
    return EXIT_OK


def _install(handlers: dict) -> dict:
    """Set {signal: handler}; return the handlers they replace (none off the main thread, where Python forbids it)."""
    old = {}
    for sig, handler in handlers.items():
        try:
            old[sig] = signal.signal(sig, handler)
        except ValueError:
            pass
    return old


def _command(run: dict, folder: RunFolder) -> str:
    """The command line that makes this run again."""
    space = spaces.get(run["space"], **run["space_options"])
    base = TrainerConfig.for_space(space).to_dict()
    parts = ["workbench search", f"--space {run['space']}"]
    parts += [f"--{k.replace('_', '-')} {v}" for k, v in run["space_options"].items() if v != space.defaults[k]]
    parts += [f"--seed {run['seed']}", f"--epochs {run['epochs']}"]
    parts += [f"--{k.replace('_', '-')} {run[k]}" for k, plain in (("device", "cpu"), ("on_nan", "raise")) if run[k] != plain]
    parts += [f"--{k.replace('_', '-')} {v}" for k, v in run["config"].items() if v != base[k]]
    return " ".join(parts + [f"--out {folder.path}"])


# ---- show ---------------------------------------------------------------------------------
def _show(args) -> int:
    folder = RunFolder(args.run)
    run = _read_run(folder, str(folder.path))
    print(f"run {folder.path}: {run['space_name']}, seed {run['seed']}, {run['epochs']} epoch(s) planned")
    print(f"  reproduce: {run.get('command', '?')}")
    ok = True
    try:
        checkpoint = folder.read_checkpoint()
        if checkpoint is None:
            print("  checkpoint: none yet")
        else:
            t = checkpoint["trainer"]
            print(f"  checkpoint: step {t['step']}, epoch {t['epoch']} (+{t['epoch_step']} steps), checksum verified")
            folder.check_log(checkpoint)
    except CheckpointError as e:
        print(f"  damaged: {e}")
        ok = False
    summary = folder.read_summary()
    if summary and summary.get("steps") == (checkpoint or {}).get("trainer", {}).get("step"):
        likely, best = summary["most_likely"], summary["best_sampled"]
        print(f"  finished: most likely child {likely['arch']} (val {likely['val_accuracy']:.3f})")
        if best:
            print(f"            best sampled child {best['arch']} (val {best['val_accuracy']:.3f})")
    elif ok:
        print(f"  not finished; go on with: workbench search --resume {folder.path}")
    return EXIT_OK if ok else EXIT_FAILED


# ---- entry point --------------------------------------------------------------------------
def _error(message: str) -> None:
    print(f"workbench: error: {message}", file=sys.stderr)


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
        _error(str(e))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _error("interrupted; the last checkpoint is kept")
        return EXIT_INTERRUPTED
    except Exception as e:  # a bug or an OS error: one line, the traceback on request
        if os.environ.get("WORKBENCH_DEBUG"):
            raise
        _error(f"{type(e).__name__}: {e} (set WORKBENCH_DEBUG=1 for the traceback)")
        return EXIT_FAILED
