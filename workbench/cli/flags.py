"""Flag values and generated flags: the argparse converters, TrainerConfig's flags, the space flags.

    positive_int("3") == 3; natural_int("-1")  -> argparse.ArgumentTypeError
    add_config_flags(group)   # --shared-lr ... one per TrainerConfig field, help from its metadata
    add_space_flags(group)    # --num-nodes ... one per option of any registered space

Owns: turning a flag's text into a value or a refusal that names the text and what is valid, and
the flags generated from TrainerConfig's fields (dest `config__NAME`) and the spaces' options (dest
`space__NAME`). Must not: check ranges that TrainerConfig or a space checks itself, or read a run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import typing

from .. import spaces
from ..config import SPACE_DEFAULTS, TrainerConfig


def natural_int(text: str) -> int:
    """An integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = natural_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def value_parser(kind):
    """argparse type for a TrainerConfig field of type `kind` (range checks are TrainerConfig's)."""
    if kind is bool:
        return _parse_bool
    if kind in (int, float, str):

        def parse(text: str, kind=kind):
            try:
                return kind(text)
            except ValueError:
                _bad(text, f"a{'n' if kind is int else ''} {kind.__name__}")

        return parse
    if set(typing.get_args(kind)) == {float, type(None)}:
        return lambda t: None if t.lower() in ("none", "off") else value_parser(float)(t)
    return json.loads


def _parse_bool(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        _bad(text, "true or false")
    return text.lower() == "true"


def _bad(text: str, valid: str):
    raise argparse.ArgumentTypeError(f"expected {valid}, got {text!r}")


def _metavar(kind) -> str:
    return {int: "N", float: "X", str: "NAME", bool: "BOOL"}.get(kind, "X|none")


def config_help(f: dataclasses.Field) -> str:
    """A TrainerConfig field's flag help: its metadata "help", its default and each space's own default."""
    per_space = [f"{s}: {d[f.name]}" for s, d in SPACE_DEFAULTS.items() if f.name in d and d[f.name] != f.default]
    default = f"default {f.default}" + (f"; {', '.join(per_space)}" if per_space else "")
    return f"{f.metadata.get('help') or f.name.replace('_', ' ')} ({default})"


def add_config_flags(group) -> None:
    """One flag per TrainerConfig field: --shared-lr X sets `config__shared_lr`."""
    hints = typing.get_type_hints(TrainerConfig)
    for f in dataclasses.fields(TrainerConfig):
        group.add_argument(
            "--" + f.name.replace("_", "-"),
            dest=f"config__{f.name}",
            type=value_parser(hints[f.name]),
            metavar=_metavar(hints[f.name]),
            help=config_help(f).replace("%", "%%"),
        )


def _space_options() -> dict[str, dict[str, int]]:
    """Option name -> {space kind: default} over every registered space."""
    out: dict[str, dict[str, int]] = {}
    for kind in spaces.names():
        for option, default in spaces.get(kind).defaults.items():
            out.setdefault(option, {})[kind] = default
    return out


def add_space_flags(group) -> None:
    """One flag per option of any registered space: --num-nodes N sets `space__num_nodes`."""
    config_fields = {f.name for f in dataclasses.fields(TrainerConfig)}
    for option, kinds in _space_options().items():
        if option in config_fields:
            continue  # only --space-option reaches it
        owners = "; ".join(f"{k}, default {d}" for k, d in kinds.items())
        group.add_argument(
            "--" + option.replace("_", "-"),
            dest=f"space__{option}",
            type=positive_int,
            metavar="N",
            help=f"{option.replace('_', ' ')} ({owners})",
        )
