"""Refusing bad input to `workbench search` before any work: every flag, the space, the config, the
device and the run folder are checked, and what to do comes back as a `Plan`.

Owns: what a fresh run's config.json holds, whether a folder may be used (the same run goes on; a
different run, a file, or other files are refused without --force), what --resume may change, and
the refusal messages. Must not: write anything, or train (search.py does, after the plan).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import spaces
from ..checkpoint import CheckpointError
from ..config import TrainerConfig
from ..runs import IDENTITY, RUN_FORMAT, RunFolder
from .errors import UsageError

RESUME_FLAGS = ("epochs", "checkpoint_every", "on_nan", "device", "quiet", "resume")  # the rest is the stored run's
RUN_KEYS = ("space", "space_options", "seed", "config", "epochs", "device", "checkpoint_every", "on_nan")


@dataclass(frozen=True)
class Plan:
    """What `workbench search` will do: start `run` afresh in `folder`, or go on from `checkpoint` (None: step 0)."""

    folder: RunFolder
    fresh: bool
    run: dict
    checkpoint: dict | None


def plan_search(args) -> Plan:
    """Check every input and the run folder; return what to do. Raises UsageError; writes nothing."""
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
    run = dict(stored)
    for key in ("epochs", "checkpoint_every", "on_nan", "device"):
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
