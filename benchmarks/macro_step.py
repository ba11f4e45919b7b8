"""How long one macro forward pass and one ω step take (issue 14): ENAS's 12 layers on 32x32x3.

Builds a Trainer on random 32x32x3 inputs (10 classes), then times, for uniformly random
children, the supernet's forward pass in training mode and a whole ω step (forward, backward,
clip, SGD); prints the medians as JSON. The machine is shared, so read medians, never one run.

    python benchmarks/macro_step.py [--layers 12] [--channels 16] [--batch 32] [--threads 2] [--steps 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

import workbench as wb


def measure(layers: int, channels: int, batch: int, steps: int) -> dict:
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(4 * batch, 3, 32, 32, generator=gen)
    y = torch.randint(10, (4 * batch,), generator=gen)
    data = wb.data.from_tensors((X, y), (X[:batch], y[:batch]), name="random-32x32x3", num_classes=10)
    space = wb.spaces.get("enas-macro", num_layers=layers, channels=channels)
    config = wb.TrainerConfig.for_space(space, batch_size=batch, sampler="uniform")
    trainer = wb.Trainer(space, data=data, config=config, seed=0)
    net, x = trainer.supernet, X[:batch]
    forward, step = [], []
    for k in range(steps + 3):
        arch = space.random(gen)
        t0 = time.perf_counter()
        net(x, arch).sum()
        t1 = time.perf_counter()
        trainer.shared_step(arch)
        t2 = time.perf_counter()
        if k >= 3:  # the first calls warm up the allocator and the kernels
            forward.append(t1 - t0)
            step.append(t2 - t1)
    return {
        "forward_ms": round(1000 * statistics.median(forward), 1),
        "step_ms": round(1000 * statistics.median(step), 1),
        "parameters": sum(p.numel() for p in net.parameters()),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--channels", type=int, default=16)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    out = {"layers": a.layers, "channels": a.channels, "batch": a.batch, "threads": a.threads}
    out.update(measure(a.layers, a.channels, a.batch, a.steps))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
