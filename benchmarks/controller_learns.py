"""Does the controller learn, not just the shared weights? (issue 2, acceptance 6)

Trains the teaching space on MNIST-1D for a wall-clock budget with the default config, then
scores 200 children sampled from the policy and 200 uniform children on the same shared weights
(whole validation split), plus the policy's most likely child. Repeats with controller_lr=0 (a
frozen policy), where the margin should vanish. Prints JSON.

    python benchmarks/controller_learns.py [--seconds 60] [--seed 0] [--children 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

import workbench as wb


def measure(seconds: float, seed: int, children: int, **changes) -> dict:
    space = wb.spaces.get("teaching")
    config = wb.TrainerConfig.for_space(space, **changes)
    trainer = wb.Trainer(space, config=config, seed=seed)
    t0 = time.perf_counter()
    trainer.run(epochs=10_000, progress=False, max_seconds=seconds)
    train_s = time.perf_counter() - t0
    gen = torch.Generator().manual_seed(10_000 + seed)
    with torch.no_grad():
        policy = [trainer.evaluate(trainer.controller.sample(gen).arch) for _ in range(children)]
    uniform = [trainer.evaluate(space.random(gen)) for _ in range(children)]
    best = trainer.controller.most_likely()
    hist = trainer.history
    return {
        "config_changes": changes,
        "train_seconds": round(train_s, 1),
        "shared_steps": len(hist.shared()),
        "controller_steps": len(hist.controller()),
        "policy_mean_val_acc": round(statistics.mean(policy), 4),
        "uniform_mean_val_acc": round(statistics.mean(uniform), 4),
        "margin": round(statistics.mean(policy) - statistics.mean(uniform), 4),
        "most_likely_child": str(best),
        "most_likely_val_acc": round(trainer.evaluate(best), 4),
        "most_likely_margin": round(trainer.evaluate(best) - statistics.mean(uniform), 4),
        "final_policy_entropy": round(hist.controller()[-1].entropy, 3) if len(hist.controller()) else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--children", type=int, default=200)
    args = ap.parse_args()
    torch.set_num_threads(1)
    result = {
        "benchmark": "controller_learns",
        "space": "teaching",
        "data": "mnist1d",
        "seconds": args.seconds,
        "seed": args.seed,
        "children": args.children,
        "learning": measure(args.seconds, args.seed, args.children),
        "frozen_controller": measure(args.seconds, args.seed, args.children, controller_lr=0.0),
    }
    result["passes"] = (
        result["learning"]["margin"] >= 0.05
        and result["learning"]["most_likely_margin"] >= 0.05
        and abs(result["frozen_controller"]["margin"]) < 0.05
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
