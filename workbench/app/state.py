"""The app's state as a small JSON file or a shareable string, so a teacher prepares a class beforehand.

    state = app.state()                       # scenario, space, config, seed, lang, preset, the steps
    state.save("class1.json")                 # written atomically
    AppState.read("class1.json"); AppState.decode(state.encode())   # "wb1.…": base64 of zlib'd JSON

Owns: `AppState` (what reproduces a run in the app: the scenario, the space and its options, the
config at step 0, the seed, the language and preset, and the actions that replay it: runs of ω and
θ steps, steps of a chosen child, knob changes; replaying from the seed is exact), its JSON form and
its validation (bad input raises ValueError naming what is wrong and what is valid). Must not: train,
replay (the Workbench does) or hold widgets.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .. import spaces
from ..atomic import atomic_write
from ..config import TrainerConfig
from ..version import __version__
from . import scenarios
from .text import LANGS

FORMAT = "enas-workbench-app-state"
VERSION = 1
PREFIX = "wb1."  # a share string: PREFIX + urlsafe base64 of the zlib-compressed JSON
PRESETS = ("classroom", "debug", "presentation")
ACTIONS = ("shared", "controller", "child", "configure")
CUSTOM = "custom"  # the scenario of an app made around a trainer that matches no preset
MAX_STEPS = 20_000  # a state replays in the kernel: refuse one that would take minutes


@dataclass(frozen=True)
class AppState:
    """Everything that rebuilds the app at a step: replay `actions` from `seed` under `config`."""

    scenario: str = scenarios.DEFAULT  # a name in scenarios.SCENARIOS, or "custom" (then `config` is required)
    space: str = "teaching"
    space_options: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)  # TrainerConfig.to_dict() at step 0 (empty: the scenario's)
    seed: int = 0
    lang: str = "en"
    preset: str = "classroom"
    # ["shared", n] n ω steps · ["controller", n] n θ steps · ["child", arch] one ω step of that child ·
    # ["configure", {field: value}] knobs changed before the next step
    actions: tuple = ()
    shown: int | None = None  # the step the History slider shows (None: the last)

    def __post_init__(self) -> None:
        if self.scenario != CUSTOM or not self.config:  # "custom": a trainer of one's own, its config given
            scenarios.get(self.scenario)
        if not isinstance(self.space, str) or not isinstance(self.space_options, dict):
            raise ValueError(
                f"space must be a name and space_options a dict, got {self.space!r}, {self.space_options!r}"
            )
        space = spaces.get(self.space, **self.space_options)  # names the valid spaces and options
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {self.seed!r}")
        if self.lang not in LANGS:
            raise ValueError(f"unknown language {self.lang!r}; valid: {', '.join(LANGS)}")
        if self.preset not in PRESETS:
            raise ValueError(f"unknown preset {self.preset!r}; valid: {', '.join(PRESETS)}")
        if not isinstance(self.config, dict):
            raise ValueError(f"config must be a dict of TrainerConfig fields, got {type(self.config).__name__}")
        self.trainer_config()  # every field checked by TrainerConfig
        object.__setattr__(self, "actions", tuple(_check_action(a, space) for a in self.actions))
        if self.steps > MAX_STEPS:
            raise ValueError(f"the state replays {self.steps} steps; at most {MAX_STEPS} are accepted")
        if self.shown is not None and (
            isinstance(self.shown, bool) or not isinstance(self.shown, int) or not 0 <= self.shown <= self.steps
        ):
            raise ValueError(f"shown={self.shown!r} must be a step between 0 and {self.steps}")

    @property
    def steps(self) -> int:
        """The steps the actions replay."""
        return sum(a[1] if a[0] in ("shared", "controller") else a[0] == "child" for a in self.actions)

    def trainer_config(self) -> TrainerConfig:
        """The config at step 0: `config` if given, else the scenario's for the space."""
        if self.config:
            return TrainerConfig.from_dict(self.config)
        return scenarios.get(self.scenario).config(spaces.get(self.space, **self.space_options))

    # ---- JSON, files and strings ----------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "workbench": __version__,
            "scenario": self.scenario,
            "space": self.space,
            "space_options": dict(self.space_options),
            "config": dict(self.config),
            "seed": self.seed,
            "lang": self.lang,
            "preset": self.preset,
            "actions": [list(a) for a in self.actions],
            "shown": self.shown,
        }

    @classmethod
    def from_dict(cls, data) -> AppState:
        """The state of `to_dict()`; ValueError for anything else."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f'not an app state: expected a JSON object with "format": "{FORMAT}"')
        if data.get("version") != VERSION:
            raise ValueError(f"app state version {data.get('version')!r} is not supported; this app reads {VERSION}")
        known = {"scenario", "space", "space_options", "config", "seed", "lang", "preset", "actions", "shown"}
        unknown = sorted(set(data) - known - {"format", "version", "workbench"})
        if unknown:
            raise ValueError(f"unknown app state field(s) {unknown}; valid: {', '.join(sorted(known))}")
        actions = data.get("actions", [])
        if not isinstance(actions, list):
            raise ValueError(f"actions must be a list, got {type(actions).__name__}")
        return cls(**{**{k: data[k] for k in known & set(data)}, "actions": tuple(actions)})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> AppState:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, TypeError) as e:
            raise ValueError(f"not an app state: the JSON is malformed ({e})") from None
        return cls.from_dict(data)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the state to `path` as JSON, all or nothing."""
        path = Path(path)
        atomic_write(path, (self.to_json() + "\n").encode("utf-8"))
        return path

    @classmethod
    def read(cls, path: str | os.PathLike) -> AppState:
        """The state saved in `path`."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"cannot read an app state from {path}: {e}") from None
        return cls.from_json(text)

    def encode(self) -> str:
        """A string to paste elsewhere: "wb1." and the URL-safe base64 of the compressed JSON."""
        raw = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, text: str) -> AppState:
        """The state of `encode()` (a plain base64 of the JSON is read too)."""
        body = str(text).strip()
        body = body[len(PREFIX) :] if body.startswith(PREFIX) else body
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise ValueError(f"not an app state string: expected {PREFIX}… (base64), got {_short(text)}") from None
        with contextlib.suppress(zlib.error):  # else: a plain base64 of the JSON
            raw = zlib.decompress(raw)
        try:
            return cls.from_json(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ValueError(f"not an app state string: {_short(text)} does not decode to JSON") from None


def _short(text) -> str:
    text = repr(str(text))
    return text if len(text) <= 40 else text[:37] + "…'"


def _check_action(action, space) -> tuple:
    """One replay action as a tuple, checked; ValueError naming the bad one."""
    if not isinstance(action, (list, tuple)) or len(action) != 2 or action[0] not in ACTIONS:
        raise ValueError(f"bad action {action!r}; expected [KIND, VALUE] with KIND one of {', '.join(ACTIONS)}")
    kind, value = action
    if kind in ("shared", "controller"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"bad action {action!r}: the number of {kind} steps must be a positive int")
    elif kind == "child":
        value = str(space.parse(value))  # names the expected form of an architecture
    elif not isinstance(value, dict):
        raise ValueError(f"bad action {action!r}: configure takes a dict of TrainerConfig fields")
    else:
        TrainerConfig().replace(**value)
    return (kind, value)
