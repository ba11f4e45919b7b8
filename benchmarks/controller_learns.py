"""Does the controller learn, not just the shared weights? (issue 2, acceptance 6; issue 14, acceptance 3)

Trains one space on its default data for a wall-clock budget, then scores children sampled from
the policy and as many uniform children on the same shared weights (whole validation split), plus
the policy's most likely child. Repeats with controller_lr=0 (a frozen policy), where the margin
should vanish. Prints JSON.

    python benchmarks/controller_learns.py [--space teaching|enas-micro|recurrent] [--seconds S] [--seed 0]
        [--children N]

The rows (ROWS): teaching on MNIST-1D with the default config, 60 s, 200 children; a small micro
space on 8x8 digits, 90 s, 200 children; the recurrent cell on MNIST-1D read as a 40-step
sequence, 150 s, 100 children. A row's config is the space's defaults (TrainerConfig.for_space)
with the changes given there, each for its reason.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

import workbench as wb

ROWS = {
    "teaching": {"space": "teaching", "data": "mnist1d", "seconds": 60, "children": 200, "config": {}},
    "enas-micro": {
        # the paper's cell at 3 nodes, one normal cell between the two reductions' cells, 8 channels: CPU-sized
        "space": "enas-micro(channels=8,num_layers=1,num_nodes=3)",
        "data": "digits",
        "seconds": 90,
        "children": 200,
        "config": {
            "batch_size": 64,  # about 1,100 training digits: 18 ω steps an epoch
            "shared_lr_schedule": "constant",  # a run of a few epochs sits at the top of a 10-epoch cosine cycle
            "controller_steps": 10,  # an epoch is 18 ω steps here, not ENAS's 390
            "controller_aggregate": 10,  # ENAS's micro script
            "controller_lr": 0.0035,  # ENAS's micro script
            "reward_batch_size": 256,  # ten classes: a larger batch makes each reward less noisy
        },
    },
    "recurrent": {  # the space's own defaults (TrainerConfig.for_space): Adam for ω, controller lr 5e-3
        "space": "recurrent",
        "data": "mnist1d-sequence",
        "seconds": 150,
        "children": 100,
        "config": {},
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
        "epochs": trainer.epoch,
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
    ap.add_argument("--seconds", type=float, default=None, help="per arm (default: the row's)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--children", type=int, default=None, help="of each kind (default: the row's)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    row = ROWS[args.space]
    args.seconds = row["seconds"] if args.seconds is None else args.seconds
    args.children = row["children"] if args.children is None else args.children
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
