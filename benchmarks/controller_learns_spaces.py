"""Does the controller learn on the paper's other spaces? (issue 14, acceptance 3)

For each space asked for (today: the recurrent cell on MNIST-1D read as a 40-step sequence), trains
ENAS for a wall-clock budget, then scores children sampled from the policy and as many uniform
children on the same shared weights (whole validation split), plus the policy's most likely child.
Repeats with controller_lr=0 (a frozen policy), where the margin should vanish. Prints JSON.

    python benchmarks/controller_learns_spaces.py [--spaces recurrent] [--seconds 150] [--seed 0] [--children 100]

Each space's row names the config it trains with: ENAS's defaults with the changes in ROWS, each
for a reason given there.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

import workbench as wb

ROWS = {
    "recurrent": {
        "space": "recurrent",
        "data": lambda: wb.data.mnist1d(view="sequence"),
        "config": {
            # ω: Adam at a constant rate; SGD at ENAS's 0.05 barely moves this cell in a few CPU minutes
            "shared_optimizer": "adam",
            "shared_lr": 0.01,
            "shared_lr_schedule": "constant",
            "batch_size": 64,  # 3000 MNIST-1D sequences: 47 ω steps an epoch
            "controller_steps": 20,  # an epoch is 47 ω steps here, not ENAS's 390
            "controller_aggregate": 10,
            # the children's rewards differ by a few points here: at ENAS's 1e-3, 190 θ steps in 150 s left the
            # policy's entropy at 8.63 of a uniform 8.72, and its children 0.4 points above uniform ones
            "controller_lr": 0.005,
            "reward_batch_size": 256,  # ten classes: a larger batch makes each reward less noisy
        },
    },
}


def measure(row: dict, data, seconds: float, seed: int, children: int, **changes) -> dict:
    space = wb.spaces.get(row["space"])
    config = wb.TrainerConfig.for_space(space, **{**row["config"], **changes})
    trainer = wb.Trainer(space, data=data, config=config, seed=seed)
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
    ap.add_argument("--spaces", nargs="+", default=list(ROWS), choices=list(ROWS))
    ap.add_argument("--seconds", type=float, default=150.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--children", type=int, default=100)
    args = ap.parse_args()
    torch.set_num_threads(1)
    result = {"benchmark": "controller_learns_spaces", "seconds": args.seconds, "seed": args.seed, "rows": {}}
    for name in args.spaces:
        row = ROWS[name]
        data = row["data"]()
        out = {
            "space": row["space"],
            "data": data.name,
            "config": row["config"],
            "learning": measure(row, data, args.seconds, args.seed, args.children),
            "frozen_controller": measure(row, data, args.seconds, args.seed, args.children, controller_lr=0.0),
        }
        out["passes"] = (
            out["learning"]["margin"] >= 0.05
            and out["learning"]["most_likely_margin"] >= 0.05
            and abs(out["frozen_controller"]["margin"]) < 0.05
        )
        result["rows"][name] = out
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
