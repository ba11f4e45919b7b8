"""Refusing bad input to `workbench search` before any work: every flag, the space, the config, the
device and the run folder are checked, and what to do comes back as a `Plan`.

Owns: what a fresh run's config.json holds, whether a folder may be used (the same run goes on; a
different run, a file, or other files are refused without --force), what --resume may change, what
a fork (--resume X --from-step T --out Y --set KEY=VALUE) may change and which checkpoint it starts
from, and the refusal messages. Must not: write anything, or train (search.py does, after the plan).
"""

from __future__ import annotations

import argparse
import dataclasses
import typing
from dataclasses import dataclass

from .. import spaces
from ..checkpoint import CheckpointError
from ..config import TrainerConfig
from ..runs import IDENTITY, RUN_FORMAT, RunFolder
from .errors import UsageError
from .flags import value_parser

# flags a resumed run may change; the rest is the stored run's
RESUME_FLAGS = ("epochs", "checkpoint_every", "keep_checkpoints", "keep_last", "on_nan", "device", "quiet", "resume")
RUN_KEYS = ("space", "space_options", "seed", "config", "epochs", "device", "checkpoint_every", "on_nan")
KEEP_LAST = 20  # kept checkpoints (--keep-checkpoints) a run holds at most, unless --keep-last says otherwise
FIXED_IN_FORK = ("controller_kind", "controller_hidden", "shared_optimizer")  # the checkpoint holds their state


@dataclass(frozen=True)
class Plan:
    """What `workbench search` will do: start `run` afresh in `folder`, or go on from `checkpoint` (None: step 0).

    A fork also names `fork_from`, the run whose `checkpoint` the new run in `folder` starts from."""

    folder: RunFolder
    fresh: bool
    run: dict
    checkpoint: dict | None
    fork_from: RunFolder | None = None


def plan_search(args) -> Plan:
    """Check every input and the run folder; return what to do. Raises UsageError; writes nothing."""
    if args.from_step is not None or args.set:
        return _plan_fork(args)
    if bool(args.out) == bool(args.resume):
        raise UsageError(
            "give one of --out DIR (a new run) or --resume DIR (go on with one); "
            "both together only with --from-step T (a fork of DIR into --out)"
        )
    folder = RunFolder(args.resume or args.out)
    if folder.path.exists() and not folder.path.is_dir():
        raise UsageError(f"{folder.path} is a file, not a run folder")
    if args.resume:
        ignored = RESUME_FLAGS + ("command", "func", "force")
        not_here = [
            f"--{k.split('__')[-1].replace('_', '-')}"
            for k, v in vars(args).items()
            if v is not None and v is not False and v != [] and k not in ignored
        ]
        if not_here:
            raise UsageError(
                f"{', '.join(not_here)} cannot be used with --resume: a resumed run keeps the space, "
                "seed and config stored in its config.json"
            )
        if args.force:
            raise UsageError("--force cannot be used with --resume (it would overwrite the run being resumed)")
        return _plan_continue(args, folder, read_run(folder, f"--resume {folder.path}: it", "; start one with --out"))
    space = _resolve_space(args)
    config = _resolve_config(space, _given(args, "config__"))
    run = {
        "format": RUN_FORMAT,
        "version": 1,
        "space": space.kind,
        "space_options": space.options,
        "space_name": space.name,
        "seed": args.seed or 0,
        "config": config.to_dict(),
        "epochs": args.epochs or 5,
        "device": args.device or "cpu",
        "checkpoint_every": args.checkpoint_every or 100,
        "keep_checkpoints": args.keep_checkpoints,
        "keep_last": KEEP_LAST if args.keep_last is None else args.keep_last,
        "on_nan": args.on_nan or "raise",
    }
    resolve_device(run["device"])
    if folder.holds_run() and not args.force:
        try:
            stored = folder.read_config()
        except CheckpointError as e:
            raise UsageError(f"{e}; pass --force to overwrite it") from None
        if any(stored.get(k) != run.get(k) for k in IDENTITY if k != "data"):
            raise UsageError(
                f"{folder.path} already holds a different run ({_describe_difference(stored, run)}); "
                "choose another --out, or pass --force to overwrite it"
            )
        return _plan_continue(args, folder, stored)
    if folder.others() and not args.force:
        raise UsageError(
            f"{folder.path} is not empty and holds no run ({', '.join(folder.others()[:3])} …); "
            "choose a new or empty folder for --out, or pass --force to write beside them"
        )
    return Plan(folder, fresh=True, run=run, checkpoint=None)


def read_run(folder: RunFolder, subject: str, hint: str = "") -> dict:
    """The run stored in `folder` (its config.json); UsageError naming `subject` if there is none or it is bad."""
    if not folder.holds_run():
        raise UsageError(f"{subject} holds no run (no config.json){hint}")
    try:
        return folder.read_config()
    except CheckpointError as e:
        raise UsageError(str(e)) from None


def resolve_device(name: str) -> str:
    """The device to train on for --device `name` (auto: cuda if available); refuses cuda where there is none."""
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda: CUDA is not available on this machine; valid here: cpu, auto")
    return name


def _given(args, prefix: str) -> dict:
    return {k[len(prefix) :]: v for k, v in vars(args).items() if k.startswith(prefix) and v is not None}


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
    return _replaced(TrainerConfig.for_space(space), given, lambda name, value: f"--{name.replace('_', '-')}")


def _describe_difference(stored: dict, new: dict) -> str:
    diffs = []
    for key in IDENTITY:
        a, b = stored.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            diffs += [
                f"{key}.{k} {b.get(k)!r} (stored {a.get(k)!r})" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)
            ]
        elif a != b and key != "data":
            diffs.append(f"{key} {b!r} (stored {a!r})")
    return ", ".join(diffs[:4]) + (", …" if len(diffs) > 4 else "")


def _plan_continue(args, folder: RunFolder, stored: dict) -> Plan:
    run = {"keep_checkpoints": None, "keep_last": KEEP_LAST, **stored}  # runs made before kept checkpoints lack them
    for key in ("epochs", "checkpoint_every", "keep_checkpoints", "keep_last", "on_nan", "device"):
        if getattr(args, key) is not None:
            run[key] = getattr(args, key)
    resolve_device(run["device"])
    missing = [k for k in RUN_KEYS if k not in run]
    if missing:
        raise UsageError(
            f"{folder.file('config.json')} lacks {', '.join(missing)}: it was edited; pass --force to overwrite the run"
        )
    try:
        spaces.get(run["space"], **run["space_options"])
        TrainerConfig.from_dict(run["config"])  # as search.py reads it (old BatchNorm mode names too)
    except (ValueError, TypeError) as e:
        raise UsageError(
            f"{folder.file('config.json')} is not valid ({e}); pass --force to overwrite the run"
        ) from None
    try:
        checkpoint = folder.read_checkpoint()
        if checkpoint is not None:
            folder.check_log(checkpoint)  # read only; the log is cut back once the run starts
    except CheckpointError as e:
        raise UsageError(f"{e}. Move checkpoint.pt away to restart the run from step 0") from None
    state = checkpoint["trainer"] if checkpoint is not None else {"epoch": 0, "epoch_step": 0}
    if run["epochs"] < state["epoch"] + (1 if state["epoch_step"] else 0):
        raise UsageError(
            f"--epochs {run['epochs']}: the run in {folder.path} has already done {state['epoch']} "
            f"epoch(s) and {state['epoch_step']} step(s) of the next"
        )
    return Plan(folder, fresh=False, run=run, checkpoint=checkpoint)


def _plan_fork(args) -> Plan:
    """A new run in --out from the last checkpoint of the --resume run at or before --from-step, its
    config changed by --set KEY=VALUE (and any config flags); the --resume run is only read."""
    if not (args.resume and args.out and args.from_step is not None):
        raise UsageError(
            "a fork needs --resume DIR (the run to fork), --from-step T (where) and --out NEW (the new run); "
            "--set KEY=VALUE changes its config"
        )
    source, folder = RunFolder(args.resume), RunFolder(args.out)
    if folder.path.resolve() == source.path.resolve():
        raise UsageError(f"--out {folder.path} is the run being forked; a fork writes a new run folder")
    if folder.path.exists() and not folder.path.is_dir():
        raise UsageError(f"{folder.path} is a file, not a run folder")
    fixed = [k for k in ("space", "seed") if getattr(args, k) is not None]
    fixed += [f"space option {k}" for k in _given(args, "space__")] + [f"--space-option {o}" for o in args.space_option]
    if fixed:
        raise UsageError(
            f"{', '.join(fixed)} cannot change in a fork: it goes on from a checkpoint "
            f"of {source.path}'s space and seed"
        )
    stored = read_run(source, f"--resume {source.path}: it", "; a fork starts from a run folder")
    changes = _set_changes(args.set)
    for name, value in _given(args, "config__").items():
        if name in changes:
            raise UsageError(f"{name} is set twice (--set and --{name.replace('_', '-')})")
        changes[name] = value
    try:
        config = TrainerConfig.from_dict(stored["config"])
    except (KeyError, ValueError, TypeError) as e:
        raise UsageError(f"{source.file('config.json')} is not valid ({e})") from None
    for name in FIXED_IN_FORK:
        if name in changes and changes[name] != getattr(config, name):
            raise UsageError(
                f"--set {name}={changes[name]}: {name} cannot change in a fork (the checkpoint holds its state); "
                f"keep {getattr(config, name)!r} or start a new run with --out"
            )
    new = _resolve_config_from(config, changes)
    try:
        checkpoint = source.checkpoint_at(args.from_step)
    except CheckpointError as e:
        raise UsageError(f"--from-step {args.from_step}: {e}") from None
    step = int(checkpoint["trainer"]["step"])
    diff = {k: v for k, v in new.to_dict().items() if v != config.to_dict()[k]}
    forked = {"run": str(source.path), "step": step, "from_step": args.from_step, "changes": diff}
    run = {"keep_checkpoints": None, "keep_last": KEEP_LAST, **stored, "config": new.to_dict(), "forked_from": forked}
    for key in ("epochs", "checkpoint_every", "keep_checkpoints", "keep_last", "on_nan", "device"):
        if getattr(args, key) is not None:
            run[key] = getattr(args, key)
    resolve_device(run["device"])
    sets = " ".join(f"--set {k}={v}" for k, v in forked["changes"].items())
    run["command"] = f"workbench search --resume {source.path} --from-step {args.from_step} --out {folder.path}"
    run["command"] += f" --epochs {run['epochs']}" + (f" {sets}" if sets else "")
    state = checkpoint["trainer"]
    if run["epochs"] < state["epoch"] + (1 if state["epoch_step"] else 0):
        raise UsageError(
            f"--epochs {run['epochs']}: the fork starts after {state['epoch']} epoch(s) and {state['epoch_step']} "
            "step(s) of the next"
        )
    if folder.holds_run() and not args.force:
        try:
            there = folder.read_config()
        except CheckpointError as e:
            raise UsageError(f"{e}; pass --force to overwrite it") from None
        if there.get("forked_from") == forked and there.get("config") == run["config"]:
            return _plan_continue(args, folder, there)  # this same fork, started before: it goes on
        raise UsageError(
            f"{folder.path} already holds a different run; choose another --out, or pass --force to overwrite it"
        )
    if folder.others() and not args.force:
        raise UsageError(
            f"{folder.path} is not empty and holds no run ({', '.join(folder.others()[:3])} …); "
            "choose a new or empty folder for --out, or pass --force to write beside them"
        )
    return Plan(folder, fresh=False, run=run, checkpoint=checkpoint, fork_from=source)


def _set_changes(items: list[str]) -> dict:
    """--set KEY=VALUE items as {TrainerConfig field: value}, each parsed as its field's type."""
    hints = typing.get_type_hints(TrainerConfig)
    names = [f.name for f in dataclasses.fields(TrainerConfig)]
    changes: dict = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise UsageError(f"--set {item!r}: expected KEY=VALUE, e.g. entropy_weight=0.01")
        if key not in names:
            raise UsageError(f"--set {item!r}: unknown TrainerConfig field {key!r}; valid: {', '.join(names)}")
        if key in changes:
            raise UsageError(f"--set {key} is given twice")
        try:
            changes[key] = value_parser(hints[key])(text.strip())
        except (argparse.ArgumentTypeError, ValueError) as e:
            raise UsageError(f"--set {item!r}: {e}") from None
    return changes


def _resolve_config_from(base: TrainerConfig, given: dict) -> TrainerConfig:
    return _replaced(base, given, lambda name, value: f"--set {name}={value}")


def _replaced(base: TrainerConfig, given: dict, flag) -> TrainerConfig:
    """`base` with the fields in `given` replaced; a bad value is refused naming its flag, `flag(name, value)`."""
    for name, value in given.items():  # one at a time, so the message names the flag
        try:
            base.replace(**{name: value})
        except (ValueError, TypeError) as e:
            raise UsageError(f"{flag(name, value)}: {e}") from None
    try:
        return base.replace(**given)
    except (ValueError, TypeError) as e:
        raise UsageError(str(e)) from None
