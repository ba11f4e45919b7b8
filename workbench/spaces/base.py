"""The search-space contract shared by every space.

Owns: decisions, validation of Arch values, exact counting, enumeration, random sampling and the
text form of an Arch. Each concrete space adds its supernet blocks, its forward pass and its
graphs. Must not: hold weights or training state (the Supernet does), or import plotting code.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import torch

from ..arch import Arch

ENUMERATE_LIMIT = 1_000_000  # enumerate() refuses spaces larger than this


@dataclass(frozen=True)
class Decision:
    """One choice the controller makes: its name, option labels, kind and the node it shapes."""

    name: str
    options: tuple[str, ...]
    kind: str  # "input" (which earlier node feeds this one), "op", or "skip" (no / yes)
    node: int  # the node (teaching) or layer (macro) this decision belongs to, 1-based
    source: int | None = None  # for "skip": the earlier layer the skip would come from (0: the stem)
    cell: str | None = None  # cell spaces (enas-micro): the cell it shapes, "normal" or "reduce"; None elsewhere


class Space:
    """A search space: an ordered list of decisions plus how to build and run its children."""

    kind: str = ""  # registry key, e.g. "teaching"
    input_kind: str = ""  # "flat" (B, F), "image" (B, C, H, W) or "sequence" (B, T, F)
    default_data: str = ""  # name of the wb.data function that makes its default data
    defaults: Mapping[str, int] = {}
    ops: tuple[str, ...] = ()  # candidate op names, in a fixed order (also the colour order)

    def __init__(self, decisions: list[Decision], options: dict[str, int]):
        self.decisions: tuple[Decision, ...] = tuple(decisions)
        self.options = dict(options)
        extra = {k: v for k, v in self.options.items() if v != self.defaults[k]}
        args = ",".join(f"{k}={v}" for k, v in sorted(extra.items()))
        self.name = f"{self.kind}({args})" if args else self.kind

    def __repr__(self) -> str:
        return f"<space {self.name}: {len(self.decisions)} decisions, {self.size():,} architectures>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Space) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    # ---- counting -------------------------------------------------------------------------
    def size(self) -> int:
        """The exact number of distinct architectures (a Python int, exact at any size)."""
        return math.prod(len(d.options) for d in self.decisions)

    def enumerate(self, limit: int = ENUMERATE_LIMIT) -> Iterator[Arch]:
        """Every architecture, in lexicographic order of choices; refuses spaces over `limit`."""
        n = self.size()
        if n > limit:
            raise ValueError(
                f"space {self.name!r} has {n:,} architectures, more than limit={limit:,}; "
                "use space.random(generator) to sample instead, or pass a larger limit"
            )
        ranges = [range(len(d.options)) for d in self.decisions]
        return (Arch(self.name, c) for c in itertools.product(*ranges))

    def random(self, generator: torch.Generator | None = None) -> Arch:
        """A uniformly random architecture, drawn with `generator` (a torch.Generator)."""
        choices = [int(torch.randint(len(d.options), (1,), generator=generator)) for d in self.decisions]
        return Arch(self.name, tuple(choices))

    # ---- validation -----------------------------------------------------------------------
    def make(self, choices) -> Arch:
        """An Arch of this space from choice indices, validated."""
        return self.check(Arch(self.name, tuple(choices)))

    def check(self, arch: Arch) -> Arch:
        """Return `arch` if it belongs to this space; raise ValueError naming what is wrong."""
        if not isinstance(arch, Arch):
            raise TypeError(f"expected an Arch of space {self.name!r}, got {type(arch).__name__}: {arch!r}")
        if arch.space != self.name:
            raise ValueError(f"{arch!r} belongs to space {arch.space!r}, not to {self.name!r}")
        if len(arch.choices) != len(self.decisions):
            raise ValueError(
                f"{arch!r} has {len(arch.choices)} choices; space {self.name!r} has "
                f"{len(self.decisions)} decisions ({', '.join(d.name for d in self.decisions)})"
            )
        for d, c in zip(self.decisions, arch.choices):
            if not 0 <= c < len(d.options):
                raise ValueError(
                    f"choice {c} for decision {d.name!r} is out of range: valid are 0..{len(d.options) - 1} "
                    f"({', '.join(d.options)})"
                )
        return arch

    def labels(self, arch: Arch) -> dict[str, str]:
        """Decision name -> chosen option label."""
        self.check(arch)
        return {d.name: d.options[c] for d, c in zip(self.decisions, arch.choices)}

    def greedy(self, distributions) -> Arch:
        """The arch that takes each decision's most likely option (the first of a tie), from one
        probability vector per decision (a ControllerRecord's policy, controller.distributions(arch))."""
        rows = [[float(p) for p in row] for row in distributions]
        if len(rows) != len(self.decisions) or any(len(r) != len(d.options) for r, d in zip(rows, self.decisions)):
            raise ValueError(
                f"expected one probability vector per decision of space {self.name!r}, sized "
                f"{[len(d.options) for d in self.decisions]}; got sizes {[len(r) for r in rows]}"
            )
        return self.make(max(range(len(r)), key=r.__getitem__) for r in rows)

    # ---- text form (each space defines its syntax) ----------------------------------------
    def format(self, arch: Arch) -> str:
        raise NotImplementedError(f"{type(self).__name__} must define format()")

    def parse(self, text: str) -> Arch:
        raise NotImplementedError(f"{type(self).__name__} must define parse()")

    def _option_index(self, decision: Decision, label: str, text: str) -> int:
        try:
            return decision.options.index(label)
        except ValueError:
            raise ValueError(
                f"{label!r} is not an option of {decision.name!r} in {text!r}; valid: {', '.join(decision.options)}"
            ) from None

    def block_names(self) -> tuple[str, ...]:
        """Every weight block of this space's supernet, in the Supernet's order (shape-independent)."""
        shape = {"flat": (1,), "sequence": (2, 1)}.get(self.input_kind, (1, 8, 8))
        with torch.random.fork_rng(devices=[]):  # building modules draws from the global RNG
            return tuple(self.make_blocks(shape, 2))

    # ---- input shapes ---------------------------------------------------------------------
    def check_input_shape(self, shape: tuple[int, ...]) -> None:
        """Raise ValueError unless `shape` (without the batch axis) suits this space."""
        want = {"flat": 1, "image": 3, "sequence": 2}[self.input_kind]
        if len(shape) != want or any(int(s) <= 0 for s in shape):
            form = {"flat": "(features,)", "image": "(channels, height, width)", "sequence": "(steps, features)"}[
                self.input_kind
            ]
            raise ValueError(
                f"space {self.name!r} takes {self.input_kind} inputs shaped {form} per example, got {tuple(shape)}"
            )
