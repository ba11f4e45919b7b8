"""Plain JSON diffs: what changed between two plotly figures, small enough to embed 500 steps in a page.

    p = diff(old, new)            # apply(old, p) == new, for plain JSON (dicts, lists, numbers, strings)
    data = encode(states, every=100)  # or Encoder(100), .add(state) per step, .data()
    decode(data, i) == states[i]  # what the page's player.js computes, in Python

A diff is a JSON merge patch (RFC 7386: a dict patch merges key by key, `null` deletes a key, any other
value replaces) with operations for what RFC 7386 cannot say briefly, each a dict of one key:
`{"$t": [...]}` appends to a list (a curve that grew by a point), `{"$i": {"3": p}}` patches a list per
index (trace 3 of a figure; a few cells of a heatmap), `{"$l": n}` cuts a list to n items, `{"$n": [k,
"12", ...]}` replaces the k-th run of digits of a string (a hover text whose counts moved), `{"$s": [p,
q, middle]}` keeps a string's first p and last q characters, and `{"$v": value}` sets a value as is (a
dict where there was none, or a null). Plotly's keys never start with "$". In the page's data, a value
that recurs is written once in `refs` ({"$r": k}) and a list broken by nulls (line pieces, one per
edge) is written as its pieces ({"$c": [...]}); `resolve` undoes both.

Owns: `diff`, `apply`, `rounded` (floats to a number of significant digits, NaN and ±inf to null, as
plotly draws them), and the page's data form (`Encoder`, `encode`, `resolve`, `decode`): per channel
(a view, the readouts) its first state, keyframes every `every` steps as chained diffs, and one diff
per step. Must not: know plotly or the app.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any


def rounded(value: Any, digits: int) -> Any:
    """`value` with every float rounded to `digits` significant digits; NaN and ±inf become None (a gap)."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v, digits) for v in value]
    return value


def diff(old: Any, new: Any) -> Any:
    """A patch that turns `old` into `new`; `_SAME` (compare with `is`) when they are equal."""
    if _equal(old, new):
        return _SAME
    if isinstance(new, dict):
        if not isinstance(old, dict):
            return {"$v": new}
        out = {k: None for k in old if k not in new}
        for k, v in new.items():
            if v is None:
                if not (k in old and old[k] is None):
                    out[k] = {"$v": None}  # a null kept as a value, not a deletion
                continue
            p = diff(old.get(k, _MISSING), v)
            if p is not _SAME:
                out[k] = p
        return out
    if isinstance(new, list) and isinstance(old, list):
        return _diff_list(old, new)
    if isinstance(new, str) and isinstance(old, str):
        return _diff_str(old, new)
    return {"$v": None} if new is None else new


def _diff_str(old: str, new: str) -> Any:
    """{"$s": [p, q, middle]}: `new` is old's first p characters, `middle`, then old's last q characters
    (for hover texts where only a count changed); `new` itself when that is not shorter."""
    if len(new) < 24 or _ASTRAL.search(old) or _ASTRAL.search(new):  # JS counts UTF-16 units, Python code points
        return new
    a, b = _DIGITS.split(old), _DIGITS.split(new)
    if len(a) == len(b) and a[::2] == b[::2]:  # only numbers changed: {"$n": [index, digits, ...]}
        return {"$n": [x for i in range(1, len(b), 2) if a[i] != b[i] for x in (i // 2, b[i])]}
    limit = min(len(old), len(new))
    p = 0
    while p < limit and old[p] == new[p]:
        p += 1
    q = 0
    while q < limit - p and old[-1 - q] == new[-1 - q]:
        q += 1
    return {"$s": [p, q, new[p : len(new) - q]]} if p + q > 16 else new


def _diff_list(old: list, new: list) -> Any:
    n, m = len(old), len(new)
    if m > n and _equal(old, new[:n]):
        return {"$t": new[n:]}
    if m < n and _equal(old[:m], new):
        return {"$l": m}
    if m == n:
        changed = {str(i): diff(a, b) for i, (a, b) in enumerate(zip(old, new)) if not _equal(a, b)}
        if len(changed) * 3 <= n or not any(isinstance(v, (int, float)) for v in new):
            return {"$i": changed}  # traces, rows of a heatmap, hover texts: per index; numbers: if few changed
    return new


def apply(target: Any, patch: Any) -> Any:
    """`target` changed by `patch` (a new value; `target` itself is not modified)."""
    if isinstance(patch, dict):
        if len(patch) == 1:
            ((op, arg),) = patch.items()
            if op == "$v":
                return arg
            if op == "$t":
                return [*target, *arg]
            if op == "$l":
                return list(target[:arg])
            if op == "$n":
                parts = _DIGITS.split(target)
                for i in range(0, len(arg), 2):
                    parts[2 * arg[i] + 1] = arg[i + 1]
                return "".join(parts)
            if op == "$s":
                p, q, middle = arg
                return target[:p] + middle + target[len(target) - q :]
            if op == "$i":
                out = list(target)
                for k, p in arg.items():
                    out[int(k)] = apply(out[int(k)], p)
                return out
        out = dict(target) if isinstance(target, dict) else {}
        for k, p in patch.items():
            if p is None:
                out.pop(k, None)
            else:
                out[k] = apply(out.get(k), p)
        return out
    return patch


class Encoder:
    """The page's data, one state at a time (states are not kept). A state is a dict of channels (each
    view's figure, the readouts); per channel: its first value, a keyframe every `every` states (a diff
    from the keyframe before it) and one diff per state from the one before; null: unchanged."""

    def __init__(self, every: int):
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be an int >= 1, got {every!r}")
        self.every, self.n = every, 0
        self.first: dict = {}
        self.keyframes: dict[str, list] = {}
        self.patches: dict[str, list] = {}
        self._last: dict = {}
        self._key: dict = {}

    def add(self, state: dict) -> None:
        """Append the state of the next kept step (the same channels every time)."""
        if self.n == 0:
            self.first, self._key = dict(state), dict(state)
            self.keyframes = {ch: [None] for ch in state}
            self.patches = {ch: [None] for ch in state}
        elif state.keys() != self.first.keys():
            raise ValueError(f"state {self.n} has channels {sorted(state)}, the first had {sorted(self.first)}")
        else:
            key = self.n % self.every == 0
            for ch, value in state.items():
                self.patches[ch].append(_clean(diff(self._last[ch], value)))
                if key:
                    self.keyframes[ch].append(_clean(diff(self._key[ch], value)))
                    self._key[ch] = value
        self._last = dict(state)
        self.n += 1

    def data(self) -> dict:
        """`every`, `steps` (how many), `first`, `keyframes`, `patches`, and `refs`: values that occur
        more than once, each written once and referred to as {"$r": index} (a child sampled again)."""
        if not self.n:
            raise ValueError("no states to encode")
        body = {"first": self.first, "keyframes": self.keyframes, "patches": self.patches}
        counts: Counter[str] = Counter()
        _walk(body, lambda key: counts.update((key,)))
        refs = [k for k, n in counts.items() if n > 1]
        index = {k: i for i, k in enumerate(refs)}
        shared = _walk(body, lambda key: {"$r": index[key]} if key in index else None)
        return {"every": self.every, "steps": self.n, "refs": [json.loads(k) for k in refs], **shared}


def encode(states: Sequence[dict], every: int) -> dict:
    """`Encoder`'s data for `states` (one dict of channels per kept step)."""
    enc = Encoder(every)
    for state in states:
        enc.add(state)
    return enc.data()


def resolve(data: dict) -> dict:
    """`data` with every {"$r": k} replaced by data["refs"][k] (what player.js does when the page loads)."""
    refs = data.get("refs", [])

    def visit(x):
        if isinstance(x, dict):
            if len(x) == 1 and "$r" in x:
                return refs[x["$r"]]
            if len(x) == 1 and "$c" in x:
                return [v for piece in x["$c"] for v in visit(piece)]
            return {k: visit(v) for k, v in x.items()}
        return [visit(v) for v in x] if isinstance(x, list) else x

    return {k: visit(v) for k, v in data.items() if k != "refs"}


def decode(data: dict, index: int) -> dict:
    """The state at `index` from `encode`'s data: per channel, its keyframes up to the one before `index`,
    then its diffs up to `index` (what the page's player.js does)."""
    if "refs" in data:
        data = resolve(data)
    if not 0 <= index < data["steps"]:
        raise IndexError(f"step index {index} out of range 0..{data['steps'] - 1}")
    every, out = data["every"], {}
    for ch, state in data["first"].items():
        for key in data["keyframes"][ch][1 : index // every + 1]:
            state = state if key is None else apply(state, key)
        for patch in data["patches"][ch][index - index % every + 1 : index + 1]:
            state = state if patch is None else apply(state, patch)
        out[ch] = state
    return out


def _walk(x: Any, at: Callable[[str], Any]) -> Any:
    """`x` with each list of scalars and each string of at least _SHARED characters given to `at` as its
    JSON; where `at` returns something other than None, that replaces it."""
    if isinstance(x, dict):
        return {k: _walk(v, at) for k, v in x.items()}
    if isinstance(x, list) and not all(v is None or isinstance(v, (str, int, float)) for v in x):
        return [_walk(v, at) for v in x]
    if isinstance(x, list) and None in x[:-1]:  # line pieces (one per edge) between plotly's null gaps
        pieces, start = [], 0
        for i, v in enumerate(x):
            if v is None:
                pieces.append(x[start : i + 1])
                start = i + 1
        if start < len(x):
            pieces.append(x[start:])
        return {"$c": [_shared(piece, at) for piece in pieces]}
    return _shared(x, at) if isinstance(x, (list, str)) else x


def _shared(x: list | str, at: Callable[[str], Any]) -> Any:
    key = json.dumps(x, separators=(",", ":"), ensure_ascii=False)
    return (at(key) or x) if len(key) >= _SHARED else x


def _clean(patch: Any) -> Any:
    return None if patch is _SAME else patch


class _Same:
    def __repr__(self) -> str:
        return "SAME"


_SAME, _MISSING = _Same(), object()
_SHARED = 40  # values of at least this many characters of JSON are written once when they recur
_DIGITS = re.compile("([0-9]+)")  # the runs of digits of a string (player.js splits the same way)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _equal(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b
