"""Search efficiency against ground truth (issue 6): how good is the child each search picks, and at
what share of the cost of training the whole space stand-alone?

For each seed, at the same wall-clock budget (training only; picking is timed too):
  * enas     the ENAS controller with weight sharing (TrainerConfig defaults for the teaching space);
             picks the best of `--candidates` children sampled from the policy, scored with the
             shared weights on the whole validation split (the ENAS paper's derivation step)
  * uniform  uniform sampling with weight sharing (no θ steps); picks the best of `--candidates`
             uniform children scored the same way
  * fair     FairNAS-style strict fairness with weight sharing (sampler "fair"); picked like uniform
  * random   random search without weight sharing: trains random children stand-alone (the
             table's recipe) until the budget is spent; picks the best validation accuracy
The ground truth is the shipped table (mean test accuracy over its seeds). For every pick: its
percentile in the space (share of architectures strictly worse) and regret; for the weight-sharing
searches also Kendall τ / Spearman ρ of all 6144 children scored with the final shared weights,
next to the noise ceiling (τ between two stand-alone seeds). The cost ratio is the search's wall
time over the measured time to train the whole space stand-alone (sum of the table's per-child
seconds for one seed). Prints JSON.

    nice -n 19 python benchmarks/search_efficiency.py [--seconds 30] [--seeds 0 1 2 3 4] [--candidates 100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

import workbench as wb
from workbench import fidelity
from workbench.groundtruth import train_standalone

WEIGHT_SHARING = {
    "enas": {},
    "uniform": {"sampler": "uniform", "controller_steps": 0},
    "fair": {"sampler": "fair", "controller_steps": 0},
}


def _weight_sharing(method: str, seed: int, seconds: float, candidates: int, table, data) -> dict:
    space = wb.spaces.get("teaching")
    config = wb.TrainerConfig.for_space(space, **WEIGHT_SHARING[method])
    trainer = wb.Trainer(space, data=data, config=config, seed=seed)
    t0 = time.perf_counter()
    trainer.run(epochs=1_000_000, progress=False, max_seconds=seconds)
    gen = torch.Generator().manual_seed(50_000 + seed)
    with torch.no_grad():
        if method == "enas":
            pool = [trainer.controller.sample(gen).arch for _ in range(candidates)]
        else:
            pool = [space.random(gen) for _ in range(candidates)]
    scores = fidelity.shared_accuracies(trainer, pool)
    pick = scores.sort_values(ascending=False, kind="stable").index[0]
    search_s = time.perf_counter() - t0
    report = fidelity.report(trainer, table)
    shared = trainer.history.shared()
    passes = sum(max(1, len(r.archs)) for r in shared)
    out = {
        "pick": pick,
        **_standing(pick, table),
        "search_seconds": round(search_s, 2),
        "omega_steps": len(shared),
        "child_passes": passes,
        "theta_steps": len(trainer.history.controller()),
        "kendall_tau": round(report.kendall_tau, 4),
        "spearman_rho": round(report.spearman_rho, 4),
        "top_k": {k: round(v, 3) for k, v in report.top_k.items()},
        "shared_best": report.picked["arch"],
        "shared_best_percentile": round(report.picked["percentile"], 2),
    }
    if method == "enas":
        out["most_likely"] = str(trainer.controller.most_likely())
        out["most_likely_percentile"] = _standing(out["most_likely"], table)["percentile"]
    return out


def _random_search(seed: int, seconds: float, table, data) -> dict:
    space = wb.spaces.get("teaching")
    gen = torch.Generator().manual_seed(70_000 + seed)
    t0 = time.perf_counter()
    best, trained = None, 0
    while time.perf_counter() - t0 < seconds:
        r = train_standalone(space, space.random(gen), data, seed=0)
        trained += 1
        if best is None or r.val_accuracy > best.val_accuracy:
            best = r
    return {
        "pick": best.arch,
        **_standing(best.arch, table),
        "search_seconds": round(time.perf_counter() - t0, 2),
        "children_trained": trained,
    }


def _standing(arch: str, table) -> dict:
    s = fidelity.standing(arch, table)
    return {
        "percentile": round(s["percentile"], 2),
        "rank": s["rank"],
        "regret": round(s["regret"], 4),
        "test_accuracy": round(s["test_accuracy"], 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0, help="wall-clock budget of each search (default 30)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--candidates", type=int, default=100, help="children scored to pick one (weight sharing)")
    ap.add_argument("--table", default="teaching-mnist1d", help="a shipped table's name or a sweep results file")
    args = ap.parse_args()
    torch.set_num_threads(1)
    table = (
        wb.groundtruth.load(args.table)
        if args.table in wb.groundtruth.TABLES
        else wb.groundtruth.load_results(args.table)
    )
    data = wb.data.mnist1d()
    first_seed = int(table["seed"].value_counts().index[0])
    full_cost = float(table.loc[table["seed"] == first_seed, "seconds"].sum())
    methods = [*WEIGHT_SHARING, "random"]
    runs = {m: [] for m in methods}
    for seed in args.seeds:
        for m in WEIGHT_SHARING:
            runs[m].append({"seed": seed, **_weight_sharing(m, seed, args.seconds, args.candidates, table, data)})
        runs["random"].append({"seed": seed, **_random_search(seed, args.seconds, table, data)})
    for m in methods:
        for r in runs[m]:
            r["cost_ratio"] = round(r["search_seconds"] / full_cost, 4)
    summary = {}
    for m in methods:
        pct = [r["percentile"] for r in runs[m]]
        summary[m] = {
            "median_percentile": statistics.median(pct),
            "mean_percentile": round(statistics.mean(pct), 2),
            "share_in_top_10pct": sum(p >= 90 for p in pct) / len(pct),
            "mean_cost_ratio": round(statistics.mean(r["cost_ratio"] for r in runs[m]), 4),
        }
        if m in WEIGHT_SHARING:
            summary[m]["mean_kendall_tau"] = round(statistics.mean(r["kendall_tau"] for r in runs[m]), 4)
            summary[m]["mean_spearman_rho"] = round(statistics.mean(r["spearman_rho"] for r in runs[m]), 4)
    ceiling = fidelity.noise_ceiling(table)
    enas = summary["enas"]
    print(
        json.dumps(
            {
                "benchmark": "search_efficiency",
                "space": "teaching",
                "data": "mnist1d",
                "table": args.table,
                "budget_seconds": args.seconds,
                "seeds": args.seeds,
                "candidates": args.candidates,
                "full_space_standalone_seconds": round(full_cost, 1),
                "noise_ceiling": {
                    "kendall_tau": round(ceiling["kendall_tau"], 4),
                    "spearman_rho": round(ceiling["spearman_rho"], 4),
                    "n": ceiling["n"],
                    "mean_abs_difference": round(ceiling["mean_abs_difference"], 4),
                },
                "summary": summary,
                "goal": {
                    "enas_median_in_top_10pct": enas["median_percentile"] >= 90,
                    "enas_cost_at_most_2pct": enas["mean_cost_ratio"] <= 0.02,
                },
                "runs": runs,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
