"""The registry of search spaces: `names()` lists them, `get(name, **options)` builds one.

A space's `name` carries its non-default options ("teaching(num_nodes=3)"), so an Arch names the
exact space it belongs to and `get(arch.space)` rebuilds that space.
"""

from __future__ import annotations

import functools
import re

from .base import Decision, Space
from .generic import GenericSpace, is_generic_name
from .macro import MacroSpace
from .micro import MicroSpace
from .recurrent import RecurrentSpace
from .teaching import TeachingSpace

_REGISTRY: dict[str, type[Space]] = {cls.kind: cls for cls in (TeachingSpace, MacroSpace, RecurrentSpace, MicroSpace)}
_NAME = re.compile(r"^([a-z0-9-]+)(?:\((.*)\))?$")

__all__ = [
    "Decision",
    "Space",
    "TeachingSpace",
    "MacroSpace",
    "RecurrentSpace",
    "MicroSpace",
    "names",
    "get",
    "resolve",
]


def names() -> list[str]:
    """The names of the registered search spaces."""
    return list(_REGISTRY)


def get(name: str, **options) -> Space:
    """The search space `name` with `options` (e.g. get("teaching", num_nodes=3))."""
    if not isinstance(name, str):
        raise TypeError(f"a space name must be a str, got {type(name).__name__}: {name!r}")
    if is_generic_name(name) and not options:  # decisions of another tool's log: the name describes them (generic.py)
        return GenericSpace.from_name(name)
    m = _NAME.match(name.strip())
    if not m or m.group(1) not in _REGISTRY:
        raise ValueError(f"unknown search space {name!r}; valid: {', '.join(names())}")
    kind, inline = m.group(1), m.group(2)
    merged: dict[str, object] = {}
    for part in filter(None, (inline or "").split(",")):
        key, _, value = part.partition("=")
        merged[key.strip()] = value.strip()
    merged.update(options)
    cls = _REGISTRY[kind]
    for key, value in merged.items():
        if key not in cls.defaults:
            raise ValueError(f"unknown option {key!r} for space {kind!r}; valid: {', '.join(cls.defaults)}")
        try:
            ok = not isinstance(value, (bool, float)) and int(value) >= 1
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"option {key}={value!r} of space {kind!r} must be a positive integer")
        merged[key] = int(value)
    return _build(kind, tuple(sorted(merged.items())))


@functools.lru_cache(maxsize=64)
def _build(kind: str, options: tuple[tuple[str, int], ...]) -> Space:
    return _REGISTRY[kind](**dict(options))


def resolve(space: Space | str) -> Space:
    """A Space from a Space or a space name."""
    return space if isinstance(space, Space) else get(space)
