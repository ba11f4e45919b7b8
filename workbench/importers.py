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

The official ENAS release's stdout is read by enas_stdout.py (`read_enas_stdout`, here too).

Neither format holds the policy itself: unless a table gives `policy`, each θ step's policy is
estimated as each decision's option frequencies among the last `policy_window` children sampled.
A value the file does not hold (ENAS's log-probabilities) is NaN. Options per decision: counted
from the largest choice seen (in ENAS's arcs: one count for all ops, from the largest op id seen),
unless `options` gives them. A malformed line raises ValueError naming the file, the line number
and what was expected.
Owns: the table formats, their mapping onto records, and `read` (which picks the format by the
file's suffix). Must not: train, plot or write files.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path

from . import reinforce
from .arch import Arch
from .enas_stdout import read_enas_stdout
from .history import ChildScore, ControllerRecord, History, SharedRecord
from .import_records import check_window, controller_record, estimate, space_for, space_skip_rate
from .spaces import generic

FORMATS = ("csv", "jsonl", "enas-stdout")
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
    check_window(policy_window)
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
    space = space_for(path, [r["choices"] for _, r in rows], names or file_names, options, kinds, first_line=rows[0][0])
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
        history.append(controller_record(step, epoch, children, baseline, policy, 0.0, **extra))
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
