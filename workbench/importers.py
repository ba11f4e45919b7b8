"""Other tools' logs as our History, so the collapse report and the policy views read them too.

    from workbench import importers
    history = importers.read_table("run.csv")             # or run.jsonl: one row per sampled child
    history = importers.read_enas_stdout("stdout")        # the official ENAS release's training output
    wb.viz.collapse_report(history)                       # or: workbench import FILE

A table (CSV with a header, or JSONL: one JSON object a line) has one row per sampled child:
`step`, `arch` (its decisions: "0 3 1 2", "0,3,1,2" or a JSON list; in JSONL also a list, or an
object {decision name: choice}; in CSV also one column per decision, named `arch.NAME`), `reward`,
`log_prob`, `entropy`, and optionally `phase` ("controller", the default, or "shared"), `epoch`,
`baseline` (after the step, as the tool logged it), `accuracy` (default: the reward), `advantage`
(default: reward minus the baseline), `grad_norm` and `policy` (one probability list per decision,
after the step). Consecutive rows of one step are that θ step's children. A "shared" row is an ω
step: `step`, `arch`, `loss`, optionally `accuracy`, `epoch`.

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

Neither format holds the policy itself: unless a table gives `policy`, each θ step's policy is
estimated as each decision's option frequencies among the last `policy_window` children sampled.
A value the file does not hold (ENAS's log-probabilities) is NaN. Options per decision: counted
from the largest choice seen (in ENAS's arcs: one count for all ops, from the largest op id seen),
unless `options` gives them. A malformed line raises ValueError naming the file, the line number
and what was expected.
Owns: both formats and their mapping onto records. Must not: train, plot or write files.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path

from . import reinforce, spaces
from .arch import Arch
from .history import ChildScore, ControllerRecord, History, SharedRecord
from .spaces import generic

FORMATS = ("csv", "jsonl", "enas-stdout")
ENAS_MACRO_OPS = ("conv3x3", "sep3x3", "conv5x5", "sep5x5", "avgpool3x3", "maxpool3x3")  # ENAS's branch ids 0-5
_CONTROLLER_FIELDS = {f.name for f in dataclasses.fields(ControllerRecord)}
_REQUIRED = {"controller": ("step", "reward", "log_prob", "entropy"), "shared": ("step", "loss")}


def read(path: str | os.PathLike, format: str | None = None, **options) -> History:
    """The History in another tool's log at `path`: format "csv", "jsonl" or "enas-stdout" (by default
    from the file's suffix: .csv, .jsonl; anything else is read as ENAS stdout). `options` go to
    `read_table` or `read_enas_stdout`."""
    path = Path(path)
    if format is None:
        format = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(path.suffix.lower(), "enas-stdout")
    if format not in FORMATS:
        raise ValueError(f"format={format!r} is not valid; choose one of {', '.join(FORMATS)}")
    if format == "enas-stdout":
        return read_enas_stdout(path, **options)
    return read_table(path, format=format, **options)


# ---- tables -------------------------------------------------------------------------------
def read_table(
    path: str | os.PathLike,
    format: str | None = None,
    names: Sequence[str] | None = None,
    options: int | Sequence[int] | None = None,
    kinds: Sequence[str] | None = None,
    baseline_decay: float = 0.99,
    policy_window: int = 50,
) -> History:
    """The History in a CSV or JSONL table of sampled children (see the module's docstring).

    `names`: the decisions' names (default: from `arch.NAME` columns or arch objects, else d1, d2, ...);
    `options`: their option counts (one for all, or one each; default: largest choice seen + 1);
    `kinds`: "op", "input" or "skip" each (default "op"). Without a `baseline` column the baseline is
    the moving average our trainer keeps (`baseline_decay`)."""
    path = Path(path)
    format = format or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    if format not in ("csv", "jsonl"):
        raise ValueError(f"format={format!r} is not a table format; choose csv or jsonl")
    _check_window(policy_window)
    rows = list(_csv_rows(path) if format == "csv" else _jsonl_rows(path))
    if not rows:
        raise ValueError(f"{path} holds no rows")
    file_names = None
    for line, row in rows:
        row["phase"] = str(row.get("phase") or "controller").strip()
        if row["phase"] not in _REQUIRED:
            raise ValueError(f"{path} line {line}: phase {row['phase']!r} is not valid; valid: controller, shared")
        missing = [k for k in (*_REQUIRED[row["phase"]], "arch") if row.get(k) in (None, "")]
        if missing:
            raise ValueError(f"{path} line {line}: missing {', '.join(missing)} (a {row['phase']} row needs them)")
        arch = row["arch"]
        if isinstance(arch, dict):  # {decision name: choice}: the file names its decisions
            if file_names is None:
                file_names = list(arch)
            elif list(arch) != file_names:
                raise ValueError(f"{path} line {line}: arch names decisions {list(arch)}, earlier rows {file_names}")
            arch = list(arch.values())
        try:
            row["choices"] = generic.choices_of(arch)
        except ValueError as e:
            raise ValueError(f"{path} line {line}: arch: {e}") from None
    width = len(rows[0][1]["choices"])
    for line, row in rows:
        if len(row["choices"]) != width:
            raise ValueError(
                f"{path} line {line}: arch has {len(row['choices'])} decisions, the first row {width}: "
                "every row needs the same decisions"
            )
    space = _space_for(
        path, [r["choices"] for _, r in rows], names or file_names, options, kinds, first_line=rows[0][0]
    )
    return _table_history(path, rows, space, baseline_decay, policy_window)


def _csv_rows(path: Path):
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"{path} cannot be read: {e}") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        return
    header = [h.strip() for h in reader.fieldnames]
    columns = [h for h in header if h.startswith("arch.")]
    if columns and "arch" in header:
        raise ValueError(f"{path} line 1: give the decisions as an arch column or as arch.NAME columns, not both")
    for row in reader:
        if None in row:
            raise ValueError(f"{path} line {reader.line_num}: more values than the header's {len(header)} columns")
        row = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
        if columns:
            row["arch"] = {c[len("arch.") :]: row.pop(c) for c in columns}
        yield reader.line_num, row


def _jsonl_rows(path: Path):
    try:
        lines = path.read_bytes().split(b"\n")
    except OSError as e:
        raise ValueError(f"{path} cannot be read: {e}") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as e:
            raise ValueError(f"{path} line {n} is not JSON: {e}") from None
        if not isinstance(row, dict):
            raise ValueError(f"{path} line {n}: expected a JSON object per line, got {type(row).__name__}")
        yield n, row


def _number(path: Path, line: int, row: dict, key: str, default=None) -> float:
    value = row.get(key)
    if value in (None, ""):
        if default is not None:
            return default
        raise ValueError(f"{path} line {line}: missing {key}")
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f"{path} line {line}: {key} {value!r} is not a finite number")
    return number


def _integer(path: Path, line: int, row: dict, key: str, default: int | None = None) -> int:
    if row.get(key) in (None, "") and default is not None:
        return default
    number = _number(path, line, row, key)
    if not number.is_integer() or number < 0:
        raise ValueError(f"{path} line {line}: {key} {row[key]!r} must be an integer >= 0")
    return int(number)


def _table_history(path: Path, rows, space, decay: float, window: int) -> History:
    history = History()
    recent: list[Arch] = []
    baseline: float | None = None
    i = 0
    done: set[int] = set()
    while i < len(rows):
        line, first = rows[i]
        step = _integer(path, line, first, "step")
        if step in done or (history and step < history[-1].step):
            raise ValueError(
                f"{path} line {line}: step {step} comes after step {history[-1].step}: "
                "a step's rows must be consecutive, and steps in order"
            )
        group = [(line, first)]
        while i + len(group) < len(rows) and _same_step(path, rows[i + len(group)], step, first["phase"]):
            group.append(rows[i + len(group)])
        i += len(group)
        done.add(step)
        epoch = _integer(path, line, first, "epoch", default=0)
        if first["phase"] == "shared":
            if len(group) > 1:
                raise ValueError(f"{path} line {group[1][0]}: step {step} has more than one shared row")
            arch = space.make(first["choices"])
            loss = _number(path, line, first, "loss")
            accuracy = _number(path, line, first, "accuracy", default=math.nan)
            history.append(SharedRecord(step, epoch, arch, loss, None, accuracy, (), (), 0.0))
            continue
        children = []
        logged = None
        for n, row in group:
            arch = space.make(row["choices"])
            reward = _number(path, n, row, "reward")
            if row.get("baseline") not in (None, ""):
                logged = _number(path, n, row, "baseline")
            before = baseline if baseline is not None else (logged if logged is not None else reward)
            advantage = _number(path, n, row, "advantage", default=reward - before)
            children.append(
                ChildScore(
                    arch,
                    _number(path, n, row, "accuracy", default=reward),
                    reward,
                    advantage,
                    _number(path, n, row, "log_prob"),
                    _number(path, n, row, "entropy"),
                    space_skip_rate(space, arch),
                )
            )
            if logged is None:
                baseline = reinforce.update_baseline(baseline, reward, decay)
        if logged is not None:
            baseline = logged
        recent = (recent + [c.arch for c in children])[-window:]
        policy = _policy(path, line, first.get("policy"), space) if first.get("policy") else estimate(space, recent)
        extra = {}
        if first.get("grad_norm") not in (None, "") and "grad_norm" in _CONTROLLER_FIELDS:
            extra["grad_norm"] = _number(path, line, first, "grad_norm")
        history.append(_controller_record(step, epoch, children, baseline, policy, 0.0, **extra))
    return history


def _same_step(path: Path, item, step: int, phase: str) -> bool:
    line, row = item
    return _integer(path, line, row, "step") == step and row["phase"] == phase == "controller"


def _policy(path: Path, line: int, value, space) -> tuple[tuple[float, ...], ...]:
    try:
        rows = json.loads(value) if isinstance(value, str) else value
        policy = tuple(tuple(float(p) for p in row) for row in rows)
    except (TypeError, ValueError):
        raise ValueError(
            f"{path} line {line}: policy must be a JSON list of probability lists, one per decision"
        ) from None
    sizes = [len(d.options) for d in space.decisions]
    if [len(p) for p in policy] != sizes:
        raise ValueError(f"{path} line {line}: policy has sizes {[len(p) for p in policy]}; the decisions have {sizes}")
    return policy


# ---- the ENAS release's stdout -------------------------------------------------------------
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
    _check_window(policy_window)
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
        record = _controller_record(
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
    counts = _counts(path, line, arcs, len(names), options)
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
def _space_for(path: Path, all_choices, names, options, kinds, first_line: int):
    width = len(all_choices[0])
    names = list(names) if names is not None else [f"d{k}" for k in range(1, width + 1)]
    if len(names) != width:
        raise ValueError(f"{path}: {len(names)} decision names for archs of {width} decisions")
    counts = _counts(path, first_line, all_choices, width, options)
    kinds = list(kinds) if kinds is not None else ["op"] * width
    try:
        return generic.make(names, counts, kinds)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


def _counts(path: Path, line: int, all_choices, width: int, options) -> list[int]:
    seen = [max(c[k] for c in all_choices) + 1 for k in range(width)]
    if options is None:
        return seen
    given = [options] * width if isinstance(options, int) and not isinstance(options, bool) else list(options)
    if len(given) != width or any(isinstance(g, bool) or not isinstance(g, int) or g < 1 for g in given):
        raise ValueError(f"options={options!r} must be a positive int or {width} of them, one per decision")
    over = [k for k in range(width) if seen[k] > given[k]]
    if over:
        k = over[0]
        bad = next(i for i, c in enumerate(all_choices) if c[k] >= given[k])
        raise ValueError(
            f"{path}: decision {k + 1} takes choice {all_choices[bad][k]} (arch {bad + 1}, from line {line} on) "
            f"but options says {given[k]} (choices 0..{given[k] - 1})"
        )
    return given


def _check_window(window: int) -> None:
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"policy_window={window!r} must be a positive int")


def arch_space(arch: Arch):
    """The space an imported arch belongs to."""
    return spaces.get(arch.space)


def space_skip_rate(space, arch: Arch) -> float:
    """Share of `space`'s skip decisions that `arch` takes (0 when it has none)."""
    flags = [c for d, c in zip(space.decisions, arch.choices) if d.kind == "skip"]
    return sum(flags) / len(flags) if flags else 0.0


def estimate(space, archs: Sequence[Arch]) -> tuple[tuple[float, ...], ...]:
    """Each decision's option frequencies among `archs`: the policy as the samples show it."""
    n = len(archs)
    return tuple(
        tuple(sum(a.choices[k] == o for a in archs) / n for o in range(len(d.options)))
        for k, d in enumerate(space.decisions)
    )


def _controller_record(step, epoch, children, baseline, policy, seconds, **extra) -> ControllerRecord:
    def mean(name: str) -> float:
        return sum(getattr(c, name) for c in children) / len(children)

    return ControllerRecord(
        step=step,
        epoch=epoch,
        arch=children[0].arch,
        archs=tuple(c.arch for c in children),
        accuracy=mean("accuracy"),
        reward=mean("reward"),
        baseline=float(baseline),
        advantage=mean("advantage"),
        log_prob=mean("log_prob"),
        entropy=mean("entropy"),
        skip_rate=mean("skip_rate"),
        policy=policy,
        seconds=seconds,
        children=tuple(children),
        **extra,
    )
