"""The generic space: arbitrary decision lists read from another tool's log, so the policy views
and the collapse report work on runs made without one of our spaces.

    space = generic.make(["layer1.op", "layer2.op", "layer2.skip0"], [6, 6, 2], kinds=["op", "op", "skip"])
    space.name      # 'generic(layer1.op=6,layer2.op=6,layer2.skip0=2:skip)'
    space.parse("3 1 0") == space.parse("[3, 1, 0]")

The name describes the space whole (each decision's name, option count and kind, in order), so
`spaces.get(arch.space)` rebuilds it in any process and logs of imported runs read back. Options
are labelled "0", "1", ... (a skip decision's "no", "yes"); an Arch's text is its choices separated
by spaces. Owns: that name's grammar, the decisions, the text form. Must not: hold weights; it has
no supernet, so it cannot be trained (`make_blocks` says so), and it names no weight blocks.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence

from ..arch import Arch
from .base import Decision, Space

KINDS = ("op", "input", "skip")
_DECISION_NAME = re.compile(r"^[A-Za-z0-9_.\-\[\]]+$")
_ENTRY = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)=(\d+)(?::([a-z]+))?$")
_NAME = re.compile(r"^generic\((.*)\)$")


class GenericSpace(Space):
    """Decisions with a name, an option count and a kind each, and nothing to train."""

    kind = "generic"
    input_kind = ""
    default_data = ""
    defaults = {}
    ops = ()

    def __init__(self, decisions: Sequence[tuple[str, int, str]]):
        decisions = tuple(decisions)
        if not decisions:
            raise ValueError("a generic space needs at least one decision")
        seen: set[str] = set()
        made = []
        for k, (name, count, kind) in enumerate(decisions, start=1):
            if not isinstance(name, str) or not _DECISION_NAME.match(name):
                raise ValueError(
                    f"decision name {name!r} is not valid: use letters, digits and _ . - [ ] (e.g. 'layer2.op')"
                )
            if name in seen:
                raise ValueError(f"decision name {name!r} is given twice")
            seen.add(name)
            if kind not in KINDS:
                raise ValueError(f"decision {name!r} has kind {kind!r}; valid: {', '.join(KINDS)}")
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ValueError(f"decision {name!r} needs a positive number of options, got {count!r}")
            if kind == "skip" and count != 2:
                raise ValueError(f"skip decision {name!r} has 2 options (no, yes), got {count}")
            options = ("no", "yes") if kind == "skip" else tuple(str(i) for i in range(count))
            made.append(Decision(name, options, kind, k))
        super().__init__(made, {})
        entries = (f"{d.name}={len(d.options)}" + ("" if d.kind == "op" else f":{d.kind}") for d in made)
        self.name = f"generic({','.join(entries)})"

    @classmethod
    def from_name(cls, name: str) -> GenericSpace:
        """The generic space whose `name` this is ("generic(NAME=K[:KIND],...)")."""
        return _from_name(name.strip())

    # ---- text form ------------------------------------------------------------------------
    def format(self, arch: Arch) -> str:
        return " ".join(str(c) for c in self.check(arch).choices)

    def parse(self, text) -> Arch:
        """An Arch from its choices: "0 3 1", "0,3,1", "[0, 3, 1]" or a list of ints."""
        if isinstance(text, str):
            stripped = text.strip()
            tokens = stripped.strip("[]").replace(",", " ").split()
        elif isinstance(text, (list, tuple)):
            stripped, tokens = str(list(text)), [str(t) for t in text]
        else:
            raise ValueError(
                f"cannot parse {text!r} as an architecture of {self.name!r}: expected choices like '0 3 1'"
            )
        try:
            choices = [int(t) for t in tokens]
        except ValueError:
            raise ValueError(
                f"cannot parse {stripped!r} as an architecture of {self.name!r}: expected "
                f"{len(self.decisions)} integers like '{' '.join('0' * len(self.decisions))}'"
            ) from None
        return self.make(choices)

    # ---- no supernet ----------------------------------------------------------------------
    def make_blocks(self, input_shape, num_classes):
        raise ValueError(
            f"space {self.name[:60]}… describes another tool's log: it has no supernet, so it cannot be trained; "
            "train one of wb.spaces.names()"
        )

    def block_names(self) -> tuple[str, ...]:
        return ()

    def blocks_for(self, arch: Arch) -> tuple[str, ...]:
        self.check(arch)
        return ()


def make(names: Sequence[str], counts: Sequence[int], kinds: Sequence[str] | None = None) -> GenericSpace:
    """The generic space of decisions `names` with `counts` options each (kinds: "op" unless given)."""
    names, counts = list(names), list(counts)
    kinds = ["op"] * len(names) if kinds is None else list(kinds)
    if not len(names) == len(counts) == len(kinds):
        raise ValueError(f"got {len(names)} decision names, {len(counts)} option counts and {len(kinds)} kinds")
    return _from_name(GenericSpace(list(zip(names, counts, kinds))).name)


def is_generic_name(name: str) -> bool:
    """Whether `name` is a generic space's name (the registry hands those to `GenericSpace.from_name`)."""
    return isinstance(name, str) and name.strip().startswith("generic(")


@functools.lru_cache(maxsize=64)
def _from_name(name: str) -> GenericSpace:
    m = _NAME.match(name)
    if not m or not m.group(1):
        raise ValueError(f"{name!r} is not a generic space name: expected 'generic(NAME=K[:KIND],...)'")
    decisions = []
    for part in m.group(1).split(","):
        e = _ENTRY.match(part.strip())
        if not e:
            raise ValueError(
                f"{part!r} in {name[:80]!r} is not a decision: expected NAME=K or NAME=K:KIND (KIND one of "
                f"{', '.join(KINDS)}), e.g. layer2.skip0=2:skip"
            )
        decisions.append((e.group(1), int(e.group(2)), e.group(3) or "op"))
    return GenericSpace(decisions)


def choices_of(value) -> list[int]:
    """A decision list as ints, from "0 3 1 2", "0,3,1,2", a JSON list "[0, 3, 1]" or a list; ValueError if not."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                value = text.strip("[]").replace(",", " ").split()  # numpy's "[0 3 1]" is not JSON
        else:
            value = text.replace(",", " ").split()
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"expected a list of decisions like '0 3 1 2' or [0, 3, 1, 2], got {value!r}")
    out = []
    for v in value:
        try:
            number = int(v) if not isinstance(v, (bool, float)) else None
        except (TypeError, ValueError):
            number = None
        if isinstance(v, float) and v.is_integer():
            number = int(v)
        if number is None or number < 0:
            raise ValueError(f"a decision must be an integer >= 0, got {v!r}")
        out.append(number)
    return out
