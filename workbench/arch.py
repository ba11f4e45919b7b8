"""Arch: one child network, as a plain immutable value.

Owns: the value (which space, which choice per decision), equality, hashing and its readable
text. Must not: know what the choices mean; the space that made it formats, parses and
validates it (`space.check(arch)`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arch:
    """A child architecture: the space's name and one choice index per decision."""

    space: str
    choices: tuple[int, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.space, str) or not self.space:
            raise TypeError(f"Arch.space must be a space name (str), got {self.space!r}")
        try:
            choices = tuple(self.choices)
        except TypeError:
            raise TypeError(f"Arch.choices must be a sequence of ints, got {self.choices!r}") from None
        for c in choices:
            if isinstance(c, bool) or not isinstance(c, int) and not hasattr(c, "__index__"):
                raise TypeError(f"Arch.choices must hold ints, got {c!r} in {choices!r}")
        object.__setattr__(self, "choices", tuple(int(c) for c in choices))

    def __len__(self) -> int:
        return len(self.choices)

    def __str__(self) -> str:
        from . import spaces  # the registry formats; imported late to avoid a cycle

        return spaces.get(self.space).format(self)

    def __repr__(self) -> str:
        return f"Arch({self.space!r}, {self.choices!r})"
