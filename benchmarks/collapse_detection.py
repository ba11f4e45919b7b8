"""Does the collapse verdict tell collapse from convergence, early? A labelled benchmark (issue 15).

Short runs with known outcomes: healthy recipes (ENAS defaults, the uniform and fair samplers, a
slow baseline, a faster θ), the known collapse recipes (a large controller_lr, no entropy bonus, no
tanh constant, a tiny controller_aggregate; combined as notebook 02 does, or one or two at a time),
and runs that legitimately converge late (ω warmed up with the uniform sampler and θ frozen, then a
fast controller concentrates on children the trained shared weights can tell apart). Mostly the
teaching space on MNIST-1D; a few enas-macro runs at a tiny size on digits. Every collapse recipe
drops the tanh constant: with C = 1.5 kept, a large θ lr or an aggregate of 1 or 2 pins logits at
the bound (saturation) but leaves the policy above 60% of its maximum entropy, which is no collapse
(such a run is labelled healthy here).

After each run, wb.viz.collapse_report is computed after every θ step, as the app's alarm does. A
run is flagged at the first θ step whose verdict is "warning" or "collapsed" (the app's alarm);
"converged" is not a flag. The runs are split in two: on the calibration half a grid search picks
the thresholds that separate collapse from convergence (snr_min, learned_min, gini_max: score =
collapses flagged before 30% of the run − 2 × healthy or converging runs flagged; ties go to the
widest margin between the boundary and the concentrated runs, then to the middle); the held-out
half reports the detection rate, the false-alarm rate and the lead time (the share of the run's
steps elapsed at the first flag). Prints JSON.

    nice -n 19 python benchmarks/collapse_detection.py [--quick] [--out result.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from dataclasses import asdict, dataclass, field, replace

import torch

import workbench as wb
from workbench.atomic import atomic_write
from workbench.viz.collapse import CollapseThresholds, can_tell_apart, collapse_verdict

FLAGS = ("warning", "collapsed")  # the verdicts the app's alarm rings for
EARLY = 0.30  # the goal: collapses flagged before this share of the run
COLLAPSE = dict(controller_lr=0.05, entropy_weight=0.0, tanh_constant=None)  # notebook 02's recipe
GRID = dict(
    snr_min=(0.0, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0),
    learned_min=(0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3),
    gini_max=(0.5, 0.55, 0.6, 0.7, 1.0),
)


@dataclass(frozen=True)
class Recipe:
    """One labelled run: its space, config changes, ω warm-up epochs (θ frozen, uniform sampler)."""

    name: str
    label: str  # "healthy", "collapse" or "converge"
    space: str  # "teaching" or "macro"
    epochs: int
    seed: int = 0
    warmup: int = 0
    changes: dict = field(default_factory=dict)


def recipes(quick: bool) -> list[Recipe]:
    e = 6 if quick else 10
    teaching = [
        Recipe("enas-defaults", "healthy", "teaching", e, 0),
        Recipe("enas-defaults", "healthy", "teaching", e, 1),
        Recipe("enas-defaults", "healthy", "teaching", e, 2),
        Recipe("uniform-sampler", "healthy", "teaching", e, 0, changes=dict(sampler="uniform")),
        Recipe("fair-sampler", "healthy", "teaching", e, 1, changes=dict(sampler="fair")),
        Recipe("slow-baseline", "healthy", "teaching", e, 2, changes=dict(baseline_decay=0.999)),
        Recipe("theta-lr-3e-3", "healthy", "teaching", e, 3, changes=dict(controller_lr=3e-3)),
        Recipe("tiny-aggregate-kept-tanh", "healthy", "teaching", e, 4, changes=dict(controller_aggregate=2)),
        Recipe("collapse-recipe", "collapse", "teaching", e, 0, changes=COLLAPSE),
        Recipe("collapse-recipe", "collapse", "teaching", e, 1, changes=COLLAPSE),
        Recipe("collapse-recipe", "collapse", "teaching", e, 2, changes=COLLAPSE),
        Recipe("large-lr-no-tanh", "collapse", "teaching", e, 3, changes=dict(controller_lr=0.2, tanh_constant=None)),
        Recipe("no-tanh", "collapse", "teaching", e, 4, changes=dict(controller_lr=0.01, tanh_constant=None)),
        Recipe(
            "tiny-aggregate-no-tanh",
            "collapse",
            "teaching",
            e,
            5,
            changes=dict(controller_aggregate=1, controller_lr=0.05, tanh_constant=None),
        ),
        Recipe(
            "no-entropy-no-tanh",
            "collapse",
            "teaching",
            e,
            6,
            changes=dict(entropy_weight=0.0, controller_lr=0.02, tanh_constant=None),
        ),
        Recipe("late-fast-theta", "converge", "teaching", e + 4, 0, e - 3, dict(controller_lr=0.03, tanh_constant=2.5)),
        Recipe("late-fast-theta", "converge", "teaching", e + 4, 1, e - 3, dict(controller_lr=0.05, tanh_constant=2.5)),
        Recipe("late-no-tanh", "converge", "teaching", e + 4, 2, e - 3, dict(controller_lr=0.02, tanh_constant=None)),
        Recipe("late-collapse-recipe", "converge", "teaching", e + 4, 3, e - 2, COLLAPSE),
        Recipe("late-fast-theta", "converge", "teaching", e + 6, 4, e, dict(controller_lr=0.03, tanh_constant=2.5)),
        Recipe("late-no-tanh", "converge", "teaching", e + 4, 5, e - 3, dict(controller_lr=0.03, tanh_constant=None)),
    ]
    m = 6 if quick else 10
    fast = dict(controller_lr=0.1, entropy_weight=0.0, tanh_constant=None)  # macro: 10 decisions, a faster θ
    macro = [
        Recipe("macro-defaults", "healthy", "macro", m, 0),
        Recipe("macro-collapse-recipe", "collapse", "macro", m, 0, changes=fast),
        Recipe("macro-collapse-recipe", "collapse", "macro", m, 1, changes=fast),
        Recipe("macro-late-no-tanh", "converge", "macro", m + 4, 0, m, dict(controller_lr=0.05, tanh_constant=None)),
    ]
    if quick:
        keep = {0, 3, 8, 9, 11, 13, 15, 17, 18}
        return [r for k, r in enumerate(teaching) if k in keep] + macro[:2]
    return teaching + macro


_DATA: dict[str, wb.data.Dataset] = {}


def make_trainer(recipe: Recipe) -> wb.Trainer:
    if recipe.space == "teaching":
        space = wb.spaces.get("teaching")
        data = _DATA.setdefault("mnist1d", wb.data.mnist1d())
        config = wb.TrainerConfig.for_space(space, **recipe.changes)
    else:
        space = wb.spaces.get("enas-macro", num_layers=4, channels=8)
        data = _DATA.setdefault("digits", wb.data.digits("image"))
        small = dict(batch_size=64, controller_steps=10, controller_aggregate=10, reward_batch_size=128)
        config = wb.TrainerConfig.for_space(space, **{**small, **recipe.changes})
    return wb.Trainer(space, data=data, config=config, seed=recipe.seed)


def train(recipe: Recipe) -> wb.Trainer:
    trainer = make_trainer(recipe)
    config = trainer.config
    if recipe.warmup:
        trainer.configure(sampler="uniform", controller_steps=0)
        trainer.run(epochs=recipe.warmup, progress=False)
        trainer.configure(sampler=config.sampler, controller_steps=config.controller_steps)
    trainer.run(epochs=recipe.epochs - recipe.warmup, progress=False)
    return trainer


def replay(trainer: wb.Trainer) -> list[dict]:
    """The report after each θ step, as the alarm sees it: the threshold-free parts kept."""
    records, out = list(trainer.history), []
    n = trainer.config.reward_batch_size
    for k, r in enumerate(records):
        if r.phase != "controller":
            continue
        report = wb.viz.collapse_report(wb.History(records[: k + 1]), reward_batch_size=n)
        out.append(dict(step=r.step, verdict=report.verdict, concentration=report.concentration, ev=report.evidence))
    return out


def verdicts(steps: list[dict], th: CollapseThresholds) -> list[tuple[int, str]]:
    """(step, verdict) after each θ step under thresholds `th` (the concentration checks at their defaults)."""
    out = []
    for s in steps:
        if s["verdict"] == "too early":
            out.append((s["step"], "too early"))
        else:
            c = s["concentration"]
            out.append((s["step"], collapse_verdict(c, can_tell_apart(s["ev"], th) if c != "ok" else None)))
    return out


def first_flag(steps: list[dict], th: CollapseThresholds, total: int) -> float | None:
    """The share of the run's steps elapsed at its first flag (None: never flagged)."""
    return next((step / total for step, v in verdicts(steps, th) if v in FLAGS), None)


def score(runs: list[dict], th: CollapseThresholds) -> dict:
    collapses = [r for r in runs if r["label"] == "collapse"]
    others = [r for r in runs if r["label"] != "collapse"]
    leads = [first_flag(r["steps"], th, r["total"]) for r in collapses]
    alarms = [first_flag(r["steps"], th, r["total"]) is not None for r in others]
    found = [x for x in leads if x is not None]
    return {
        "collapses": len(collapses),
        "detected": len(found),
        "detected_before_30pct": sum(x < EARLY for x in found),
        "detection_rate": round(len(found) / len(collapses), 3) if collapses else None,
        "early_detection_rate": round(sum(x < EARLY for x in found) / len(collapses), 3) if collapses else None,
        "lead_mean": round(statistics.mean(found), 3) if found else None,
        "lead_max": round(max(found), 3) if found else None,
        "healthy_or_converging": len(others),
        "false_alarms": sum(alarms),
        "false_alarm_rate": round(sum(alarms) / len(others), 3) if others else None,
        "false_alarms_by_label": {
            label: sum(a for a, r in zip(alarms, others) if r["label"] == label) for label in ("healthy", "converge")
        },
    }


def margin(runs: list[dict], th: CollapseThresholds) -> float:
    """How far the concentrated calibration runs lie from `th`'s boundary: the smallest, over runs, of
    the depth (in standard deviations of each diagnostic) by which the run lies on its label's side;
    each run read at its last concentrated θ step. Negative when some run lies on the wrong side."""
    points = []
    for r in runs:
        last = [s["ev"] for s in r["steps"] if s["concentration"] != "ok" and s["verdict"] != "too early"]
        if r["label"] != "healthy" and last and last[-1].reward_snr is not None and last[-1].learned is not None:
            points.append((r["label"], last[-1]))
    if len(points) < 2:
        return 0.0
    sd = {
        k: statistics.pstdev(getattr(ev, k) for _, ev in points) or 1.0
        for k in ("reward_snr", "learned", "coverage_gini")
    }
    worst = float("inf")
    for label, ev in points:
        sides = (
            (ev.reward_snr - th.snr_min) / sd["reward_snr"],
            (ev.learned - th.learned_min) / sd["learned"],
            (th.gini_max - ev.coverage_gini) / sd["coverage_gini"],
        )
        worst = min(worst, min(sides) if label == "converge" else -min(sides))
    return worst


def calibrate(runs: list[dict]) -> tuple[CollapseThresholds, int]:
    """The grid point with the best score on `runs`; ties: the widest `margin`, then the middle one of
    those still tied, in grid order."""
    best, tied = None, []
    for values in itertools.product(*GRID.values()):
        th = replace(CollapseThresholds(), **dict(zip(GRID, values)))
        s = score(runs, th)
        key = (s["detected_before_30pct"] - 2 * s["false_alarms"], round(margin(runs, th), 6))
        if best is None or key > best:
            best, tied = key, [th]
        elif key == best:
            tied.append(th)
    return tied[len(tied) // 2], len(tied)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer, shorter runs (a smoke test of the benchmark)")
    ap.add_argument("--out", default=None, help="also write the JSON here")
    args = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    runs = []
    for k, recipe in enumerate(recipes(args.quick)):
        t = time.perf_counter()
        trainer = train(recipe)
        steps = replay(trainer)
        runs.append(
            dict(
                **{n: v for n, v in asdict(recipe).items() if n != "changes"},
                changes=dict(recipe.changes),
                split="calibration" if k % 2 == 0 else "held-out",
                total=len(trainer.history),
                steps=steps,
                seconds=round(time.perf_counter() - t, 1),
            )
        )
    cal = [r for r in runs if r["split"] == "calibration"]
    held = [r for r in runs if r["split"] == "held-out"]
    chosen, ties = calibrate(cal)
    default = CollapseThresholds()

    def row(r: dict) -> dict:
        last = r["steps"][-1] if r["steps"] else None
        ev = last["ev"] if last else None
        lead = first_flag(r["steps"], chosen, r["total"])
        return {
            "name": r["name"],
            "label": r["label"],
            "space": r["space"],
            "seed": r["seed"],
            "warmup_epochs": r["warmup"],
            "changes": r["changes"],
            "split": r["split"],
            "steps": r["total"],
            "flagged_at": round(lead, 3) if lead is not None else None,
            "final_verdict": verdicts(r["steps"], chosen)[-1][1] if r["steps"] else None,
            "onset_theta_step": ev.onset_theta if ev else None,
            "reward_snr_at_onset": round(ev.reward_snr, 2) if ev and ev.reward_snr is not None else None,
            "loss_fell_before_onset": round(ev.learned, 3) if ev and ev.learned is not None else None,
            "coverage_gini_at_onset": round(ev.coverage_gini, 3) if ev else None,
            "final_mean_entropy": round(ev.mean_entropy[-1], 3) if ev and ev.mean_entropy else None,
            "final_saturation": ev.saturation if ev else None,
            "seconds": r["seconds"],
        }

    result = {
        "benchmark": "collapse_detection",
        "quick": args.quick,
        "runs": len(runs),
        "split": "alternate runs in the recipe list: even positions calibrate, odd positions are held out",
        "flag": "first θ step whose verdict is warning or collapsed (the app's alarm)",
        "grid": {k: list(v) for k, v in GRID.items()},
        "chosen_thresholds": {k: getattr(chosen, k) for k in GRID},
        "tied_grid_points": ties,
        "calibration": score(cal, chosen),
        "held_out": score(held, chosen),
        "held_out_with_defaults": score(held, default),
        "all_runs_with_concentration_only": score(runs, replace(default, snr_min=1e9)),
        "table": [row(r) for r in runs],
        "seconds": round(time.perf_counter() - t0, 1),
    }
    text = json.dumps(result, indent=2)
    if args.out:
        atomic_write(args.out, (text + "\n").encode())
    print(text)


if __name__ == "__main__":
    main()
