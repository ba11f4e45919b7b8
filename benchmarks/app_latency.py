"""How long the app takes per step, server side (issue 5, acceptance 1). Prints JSON.

Teaching space, this CPU, one thread. Measures, for the classroom app:
  * Step ω: one ω step plus the update of every view it changes (the policy does not move in an ω step);
  * Step ω with all five views redrawn anyway (the worst case);
  * Step θ plus every view;
  * Play: steps per second the Play loop sustains at the fastest speed, with every view live.
The app's figures are computed and serialized for the browser exactly as in a notebook; only the
websocket to a browser is missing.

    python benchmarks/app_latency.py [--steps 200] [--warmup 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import torch

import workbench as wb


def _stats(seconds: list[float]) -> dict:
    ms = sorted(1000 * s for s in seconds)
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
        "max_ms": round(ms[-1], 1),
    }


def _timed(action, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        action()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    args = ap.parse_args()
    torch.set_num_threads(1)
    app = wb.app.Workbench(wb.Trainer("teaching", seed=0))
    _timed(app.step_shared, args.warmup)
    omega = _timed(app.step_shared, args.steps)

    def omega_all_views():
        record = app.trainer.shared_step()
        app._show(record.step)  # every view, as if the ω step had changed them all

    omega_all = _timed(omega_all_views, args.steps // 2)
    theta = _timed(app.step_controller, max(args.steps // 10, 10))

    app.speed.value = app.speed.max
    t0 = time.perf_counter()
    played = asyncio.run(app.play(max_steps=args.steps))
    play_s = time.perf_counter() - t0
    result = {
        "benchmark": "app_latency",
        "space": "teaching",
        "torch_threads": 1,
        "steps_in_history_at_end": len(app.trainer.history),
        "step_omega_plus_views": _stats(omega),
        "step_omega_plus_all_five_views": _stats(omega_all),
        "step_theta_plus_all_views": _stats(theta),
        "play": {
            "steps": played,
            "seconds": round(play_s, 2),
            "steps_per_second": round(played / play_s, 2),
            "speed_setting_steps_per_second": app.speed.value,
        },
    }
    om = result["step_omega_plus_all_five_views"]
    result["targets"] = {
        "omega_median_le_100ms": om["median_ms"] <= 100,
        "omega_p95_le_250ms": om["p95_ms"] <= 250,
        "play_ge_5_steps_per_s": result["play"]["steps_per_second"] >= 5,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
