"""Does the controller learn, not just the shared weights? (issue 2, acceptance 6; issue 14, acceptance 3)

Trains the teaching space on MNIST-1D for a wall-clock budget with the default config, then
scores 200 children sampled from the policy and 200 uniform children on the same shared weights
(whole validation split), plus the policy's most likely child. Repeats with controller_lr=0 (a
frozen policy), where the margin should vanish. Prints JSON.

    python benchmarks/controller_learns.py [--space teaching|enas-micro] [--seconds 60] [--seed 0] [--children 200]

`--space enas-micro` runs the micro row: a small micro space on 8x8 digits with the config in
ROWS (ENAS's defaults with the changes given there, each for its reason).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

import workbench as wb

ROWS = {
    "teaching": {"space": "teaching", "data": "mnist1d", "config": {}},
    "enas-micro": {
        # the paper's cell at 3 nodes, one normal cell between the two reductions' cells, 8 channels: CPU-sized
        "space": "enas-micro(channels=8,num_layers=1,num_nodes=3)",
        "data": "digits",
        "config": {
            "batch_size": 64,  # about 1,100 training digits: 18 ω steps an epoch
            "shared_lr_schedule": "constant",  # a run of a few epochs sits at the top of a 10-epoch cosine cycle
            "controller_steps": 10,  # an epoch is 18 ω steps here, not ENAS's 390
            "controller_aggregate": 10,  # ENAS's micro script
            "controller_lr": 0.0035,  # ENAS's micro script
            "reward_batch_size": 256,  # ten classes: a larger batch makes each reward less noisy
        },
    },
}


def measure(seconds: float, seed: int, children: int, row: str = "teaching", **changes) -> dict:
    space = wb.spaces.get(ROWS[row]["space"])
    config = wb.TrainerConfig.for_space(space, **{**ROWS[row]["config"], **changes})
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
    ap.add_argument("--space", choices=list(ROWS), default="teaching")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--children", type=int, default=200)
    args = ap.parse_args()
    torch.set_num_threads(1)
    row = ROWS[args.space]
    result = {
        "benchmark": "controller_learns",
        "space": row["space"],
        "data": row["data"],
        "seconds": args.seconds,
        "seed": args.seed,
        "children": args.children,
        **({"config_row": row["config"]} if row["config"] else {}),
        "learning": measure(args.seconds, args.seed, args.children, args.space),
        "frozen_controller": measure(args.seconds, args.seed, args.children, args.space, controller_lr=0.0),
    }
    result["passes"] = (
        result["learning"]["margin"] >= 0.05
        and result["learning"]["most_likely_margin"] >= 0.05
        and abs(result["frozen_controller"]["margin"]) < 0.05
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
