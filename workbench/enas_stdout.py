"""The training stdout of the official ENAS release as our History (`read_enas_stdout`).

The ENAS release (src/cifar10/main.py) prints, for each controller phase, lines like
`ctrl_step=50     loss=2.345   ent=10.23 lr=0.0035 |g|=0.3456   acc=0.1250 bl=0.12  mins=1.23`
(every log_every steps; forks that print `epoch=1 ch_step=50 ... ent=... bl=...` instead, or
fewer of the fields, are read too: the step, ent and bl are needed), then "Here are 10
architectures" and ten sampled arcs, each printed as numpy arrays (one per layer in the macro
search, a normal and a reduce line in the micro search) followed by `val_acc=0.1250`. Each such
block becomes one θ step: its children are the printed arcs with their val_acc as accuracy and
reward, the baseline, entropy and |g| those of the last ctrl_step line before them (its number is
the step). Its ω lines (`epoch=... ch_step=... tr_acc=...`) name no child, so they are not
records. A whole-channel macro arc becomes an `enas-macro` arch (ENAS's branch ids 0-5 are
conv3x3, sep3x3, conv5x5, sep5x5, avgpool3x3, maxpool3x3); any other arc a generic-space arch
(spaces/generic.py) with decisions named after its layout (micro: `normal.node1.x.input`,
`normal.node1.x.op`, ...).

Owns: that format and its mapping onto records (the shared pieces are import_records.py's).
Must not: train, plot or write files.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path

from . import spaces
from .arch import Arch
from .history import ChildScore, ControllerRecord, History
from .import_records import arch_space, check_window, controller_record, estimate, option_counts, space_skip_rate
from .spaces import generic

ENAS_MACRO_OPS = ("conv3x3", "sep3x3", "conv5x5", "sep5x5", "avgpool3x3", "maxpool3x3")  # ENAS's branch ids 0-5
_CONTROLLER_FIELDS = {f.name for f in dataclasses.fields(ControllerRecord)}
_CTRL = re.compile(r"^\s*ctrl_step=|^\s*epoch=.*\bch_step=.*\bent=.*\bbl=")  # the release's, and a variant
_SHARED = re.compile(r"^\s*epoch=\s*(\d+)\s*ch_step=")
_PAIR = re.compile(r"(\S+?)=\s*(\S+)")
_CTRL_NEEDS = ("ent", "bl")  # besides the step; loss, lr, |g|, acc and mins are read where printed
_EPOCH = re.compile(r"^\s*Epoch (\d+): Training controller")
_HEADER = re.compile(r"^\s*Here are \d+ architectures")
_VAL = re.compile(r"^\s*val_acc=\s*(\S+)\s*$")
_SEPARATOR = re.compile(r"^\s*-{10,}\s*$")


def read_enas_stdout(
    path: str | os.PathLike,
    space: str = "auto",
    options: int | Sequence[int] | None = None,
    policy_window: int = 50,
) -> History:
    """The θ steps in the stdout of the official ENAS release (see the module's docstring).

    `space`: "auto" (a whole-channel macro arc as an `enas-macro` arch, any other as a generic one)
    or "generic" (always generic); `options`: the generic decisions' option counts (one for all or
    one each; default: largest choice seen + 1, and the micro inputs' counts from their node)."""
    if space not in ("auto", "generic"):
        raise ValueError(f"space={space!r} is not valid; choose auto or generic")
    check_window(policy_window)
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"{path} cannot be read: {e}") from None
    blocks = []  # (line of the first arc, ctrl stats, epoch, [(line, [array rows], val_acc)])
    ctrl, ctrl_used, epoch = None, False, 0
    block, pending, array, in_block = None, [], None, False
    for n, text in enumerate(lines, start=1):
        if array is not None:  # a numpy array printed over several lines
            array[1].append(text)
            if "]" in text:
                pending.append(_array(path, array[0], " ".join(array[1])))
                array = None
            continue
        if in_block and text.lstrip().startswith("["):
            if "]" in text:
                pending.append(_array(path, n, text))
            else:
                array = (n, [text])
            continue
        m = _VAL.match(text)
        if in_block and m:
            if not pending:
                raise ValueError(f"{path} line {n}: val_acc with no architecture printed before it")
            block[3].append((n - len(pending), pending, _float(path, n, "val_acc", m.group(1))))
            pending = []
            continue
        if in_block and (_SEPARATOR.match(text) or not text.strip()):
            continue
        if in_block:  # the block of arcs has ended
            if pending:
                raise ValueError(f"{path} line {n}: architecture printed without its val_acc line")
            in_block = False
        if _HEADER.match(text):
            if ctrl is None or ctrl_used:
                raise ValueError(
                    f"{path} line {n}: architectures printed with no ctrl_step line since the last ones; "
                    "expected 'ctrl_step=N loss=... ent=... lr=... |g|=... acc=... bl=... mins=...' before them"
                )
            block, in_block, ctrl_used = (n, ctrl, epoch, []), True, True
            blocks.append(block)
        elif _CTRL.match(text):
            ctrl, ctrl_used = _ctrl_line(path, n, text), False
            epoch = ctrl.get("epoch", epoch)
        elif (m := _EPOCH.match(text)) or (m := _SHARED.match(text)):
            epoch = int(m.group(1))
    if array is not None:
        raise ValueError(f"{path} line {array[0]}: an architecture's array is not closed with ']'")
    if pending:
        raise ValueError(f"{path} line {len(lines)}: architecture printed without its val_acc line")
    blocks = [b for b in blocks if b[3]]
    if not blocks:
        raise ValueError(
            f'{path} holds no printed architectures ("Here are 10 architectures" and arcs with val_acc): '
            "is it the stdout of ENAS's src/cifar10/main.py?"
        )
    layouts = {tuple(len(r) for r in arc) for b in blocks for _, arc, _ in b[3]}
    if len(layouts) > 1:
        first = tuple(len(r) for r in blocks[0][3][0][1])
        line = next(n for b in blocks for n, arc, _ in b[3] if tuple(len(r) for r in arc) != first)
        raise ValueError(
            f"{path} line {line}: this architecture's arrays have lengths "
            f"{[len(r) for r in next(a for b in blocks for n, a, _ in b[3] if n == line)]}, the first one's "
            f"{list(first)}: every arc must have the same layout"
        )
    layout = layouts.pop()
    arcs = [[c for r in arc for c in r] for b in blocks for _, arc, _ in b[3]]
    to_arch = _enas_space(path, blocks[0][3][0][0], layout, arcs, space, options)
    history = History()
    recent: list[Arch] = []
    last_minutes = 0.0
    for _, stats, block_epoch, arcs_in in blocks:
        step = stats["step"]
        if history and step <= history[-1].step:
            raise ValueError(
                f"{path} line {stats['line']}: ctrl_step={step} does not come after ctrl_step={history[-1].step}"
            )
        children = []
        for n, arc, acc in arcs_in:
            arch = to_arch(n, [c for r in arc for c in r])
            children.append(
                ChildScore(
                    arch, acc, acc, acc - stats["bl"], math.nan, math.nan, space_skip_rate(arch_space(arch), arch)
                )
            )
        recent = (recent + [c.arch for c in children])[-policy_window:]
        seconds = max(stats.get("mins", last_minutes) - last_minutes, 0.0) * 60
        last_minutes = stats.get("mins", last_minutes)
        extra = {"grad_norm": stats["|g|"]} if "grad_norm" in _CONTROLLER_FIELDS and "|g|" in stats else {}
        record = controller_record(
            step, block_epoch, children, stats["bl"], estimate(arch_space(children[0].arch), recent), seconds, **extra
        )
        history.append(dataclasses.replace(record, entropy=stats["ent"]))
    return history


def _ctrl_line(path: Path, n: int, text: str) -> dict:
    pairs = dict(_PAIR.findall(text))
    key = "ctrl_step" if "ctrl_step" in pairs else "ch_step"
    missing = [k for k in _CTRL_NEEDS if k not in pairs]
    if missing:
        raise ValueError(
            f"{path} line {n}: a ctrl_step line lacks {', '.join(missing)}; expected "
            "'ctrl_step=N loss=X ent=X lr=X |g|=X acc=X bl=X mins=X'"
        )
    stats = {k: _float(path, n, k, pairs[k]) for k in (key, *_CTRL_NEEDS, "|g|", "mins") if k in pairs}
    if not stats[key].is_integer() or stats[key] < 0:
        raise ValueError(f"{path} line {n}: {key}={pairs[key]!r} must be an integer >= 0")
    if "epoch" in pairs:
        stats["epoch"] = int(_float(path, n, "epoch", pairs["epoch"]))
    return {**stats, "step": int(stats[key]), "line": n}


def _float(path: Path, n: int, key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"{path} line {n}: {key}={text!r} is not a finite number")
    return value


def _array(path: Path, n: int, text: str) -> list[int]:
    inner = text.strip()
    if not (inner.startswith("[") and inner.endswith("]")):
        raise ValueError(f"{path} line {n}: expected an array of decisions like '[0 3 1]', got {text.strip()!r}")
    try:
        values = [int(t) for t in inner[1:-1].replace(",", " ").split()]
    except ValueError:
        raise ValueError(f"{path} line {n}: expected integers in '[0 3 1]', got {text.strip()!r}") from None
    if not values or min(values) < 0:
        raise ValueError(f"{path} line {n}: expected integers >= 0 in '[0 3 1]', got {text.strip()!r}")
    return values


def _enas_space(path: Path, line: int, layout: tuple[int, ...], arcs, space: str, options):
    """A function (line, choices) -> Arch for arcs laid out as `layout` (each printed array's length)."""
    L = len(layout)
    if layout == tuple(range(1, L + 1)) and space == "auto" and options is None:  # macro, whole channels
        macro = spaces.get("enas-macro", num_layers=L)
        order = [macro.ops.index(op) for op in ENAS_MACRO_OPS]
        op_at = {sum(range(1, i + 1)) for i in range(L)}  # each layer's first entry is its op

        def to_macro(n: int, choices: list[int]) -> Arch:
            if any(choices[k] >= len(order) for k in op_at):
                raise ValueError(f"{path} line {n}: an op id is beyond ENAS's six branches (0-5): {choices}")
            try:
                return macro.make(order[c] if k in op_at else c for k, c in enumerate(choices))
            except ValueError as e:
                raise ValueError(f"{path} line {n}: {e}") from None

        return to_macro
    names, kinds, fixed = _enas_names(layout)
    counts = option_counts(path, line, arcs, len(names), options)
    if options is None:  # the ops share one count (ENAS's num_branches), the inputs and skips have theirs
        ops = max((c for c, k in zip(counts, kinds) if k == "op"), default=1)
        counts = [f if f is not None else ops if k == "op" else c for c, f, k in zip(counts, fixed, kinds)]
    try:
        made = generic.make(names, counts, kinds)
    except ValueError as e:
        raise ValueError(f"{path} line {line}: {e}") from None

    def to_generic(n: int, choices: list[int]) -> Arch:
        try:
            return made.make(choices)
        except ValueError as e:
            raise ValueError(f"{path} line {n}: {e}") from None

    return to_generic


def _enas_names(layout: tuple[int, ...]) -> tuple[list[str], list[str], list[int | None]]:
    """Decision names, kinds and fixed option counts (None: counted) for an arc's printed layout."""
    L = len(layout)
    names, kinds, fixed = [], [], []
    if L == 2 and layout[0] == layout[1] and layout[0] % 4 == 0:  # micro: normal and reduce cells
        for cell in ("normal", "reduce"):
            for node in range(1, layout[0] // 4 + 1):
                for branch in ("x", "y"):
                    names += [f"{cell}.node{node}.{branch}.input", f"{cell}.node{node}.{branch}.op"]
                    kinds += ["input", "op"]
                    fixed += [node + 1, None]  # node k reads the two cell inputs or nodes 1..k-1
        return names, kinds, fixed
    branches = (layout[0]) // 2
    if layout[0] % 2 == 0 and layout == tuple(2 * branches + i for i in range(L)):  # macro, channel counts
        for i in range(1, L + 1):
            for b in range(branches):
                names += [f"layer{i}.branch{b}.start", f"layer{i}.branch{b}.count"]
                kinds += ["op", "op"]
                fixed += [None, None]
            names += [f"layer{i}.skip{j}" for j in range(i - 1)]
            kinds += ["skip"] * (i - 1)
            fixed += [2] * (i - 1)
        return names, kinds, fixed
    if layout == tuple(range(1, L + 1)):  # whole-channel macro read as generic
        for i in range(1, L + 1):
            names += [f"layer{i}.op"] + [f"layer{i}.skip{j}" for j in range(i - 1)]
            kinds += ["op"] + ["skip"] * (i - 1)
            fixed += [None] + [2] * (i - 1)
        return names, kinds, fixed
    total = sum(layout)
    return [f"d{k}" for k in range(1, total + 1)], ["op"] * total, [None] * total


# ---- shared ---------------------------------------------------------------------------------
