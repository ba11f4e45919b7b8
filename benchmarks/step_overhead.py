"""What a trainer step costs over a bare step of the same child (issue 12, acceptance 1). Prints JSON.

For each space, the same random children are stepped three ways, interleaved so that the machine's
noise hits all three alike:
  * bare:    a Supernet's forward(x, arch), backward, gradient clipping, one SGD step over all ω;
  * child:   the same child as a stand-alone module (`Supernet.child`), its own SGD;
  * trainer: `Trainer.shared_step(arch)`: minibatch, the same step, all-or-nothing undo, update
             tracking, the record (what every user of the workbench gets).
And each θ step: `Trainer.controller_step()` against a bare REINFORCE step of the same size (K
children sampled, each scored on a validation minibatch, one Adam step).
Each child's median step time, then the median over children; the ratios are of medians measured
in the same run. Spaces: teaching (MNIST-1D, batch 64) and enas-macro at 6 and 12 layers
(16 channels, batch 32, 32x32x3 inputs).

    python benchmarks/step_overhead.py [--children 6] [--repeats 15] [--min-seconds 0.5]
        [--theta-seconds 4] [--threads 2] [--spaces teaching,macro6]
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

import workbench as wb
from workbench.batches import Batches

SPACES = {
    "teaching": dict(space=("teaching", {}), batch=64, shape=None),
    "macro6": dict(space=("enas-macro", {"num_layers": 6, "channels": 16}), batch=32, shape=(3, 32, 32)),
    "macro12": dict(space=("enas-macro", {"num_layers": 12, "channels": 16}), batch=32, shape=(3, 32, 32)),
}


def _data(shape, n: int = 512) -> wb.data.Dataset:
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(n, *shape, generator=g), torch.randint(0, 10, (n,), generator=g)
    return wb.data.from_tensors((X, y), (X[:128], y[:128]), name="random-images", num_classes=10)


def _sgd(params, cfg: wb.TrainerConfig) -> torch.optim.SGD:
    return torch.optim.SGD(
        params,
        lr=cfg.shared_lr,
        momentum=cfg.shared_momentum,
        nesterov=cfg.shared_momentum > 0,
        weight_decay=cfg.shared_weight_decay,
    )


def _bare_step(model, opt, x, y, arch, clip: float) -> None:
    opt.zero_grad(set_to_none=True)
    out = model(x, arch) if arch is not None else model(x)  # (B, classes)
    F.cross_entropy(out, y).backward()
    nn.utils.clip_grad_norm_([p for p in model.parameters() if p.grad is not None], clip)
    opt.step()


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(name: str, children: int, repeats: int, min_seconds: float = 0.5) -> dict:
    spec = SPACES[name]
    space = wb.spaces.get(spec["space"][0], **spec["space"][1])
    data = _data(spec["shape"]) if spec["shape"] else wb.data.for_space(space)
    cfg = wb.TrainerConfig.for_space(space, batch_size=spec["batch"])
    trainer = wb.Trainer(space, data=data, config=cfg, seed=0)
    net = wb.Supernet(space, data.input_shape, data.num_classes, seed=0)
    opt = _sgd(net.parameters(), cfg)
    X, y = data.split("train")
    x, y = X[: spec["batch"]], y[: spec["batch"]]
    gen = torch.Generator().manual_seed(1)
    per_child = {"bare": [], "child": [], "trainer": []}
    for _ in range(children):
        arch = space.random(gen)
        child = net.child(arch)
        child_opt = _sgd(child.parameters(), cfg)
        steps = {  # default arguments bind this child's objects
            "bare": lambda a=arch: _bare_step(net, opt, x, y, a, cfg.grad_clip),
            "child": lambda c=child, o=child_opt: _bare_step(c, o, x, y, None, cfg.grad_clip),
            "trainer": lambda a=arch: trainer.shared_step(a),
        }
        for fn in steps.values():  # warm-up: allocator, optimizer state
            fn(), fn()
        # a fast step (teaching: under a millisecond) is repeated until each way has run ~min_seconds
        n = max(repeats, math.ceil(min_seconds / max(_time(steps["bare"]), 1e-6)))
        times = {k: [] for k in steps}
        for _ in range(n):
            for k, fn in steps.items():
                times[k].append(_time(fn))
        for k in steps:
            per_child[k].append(statistics.median(times[k]))
    ms = {k: 1000 * statistics.median(v) for k, v in per_child.items()}
    return {
        "space": space.name,
        "batch": spec["batch"],
        "children": children,
        "repeats": n,
        **{f"{k}_ms": round(v, 3) for k, v in ms.items()},
        "trainer_over_bare": round(ms["trainer"] / ms["bare"], 3),
        "bare_over_child": round(ms["bare"] / ms["child"], 3),
    }


def _bare_theta_step(controller, opt, net, batches, cfg, gen, baseline):
    """A bare REINFORCE step: K children sampled, scored on validation minibatches (under one BatchNorm mode
    switch), the policy loss (with the skip penalty, as the trainer's), one backward, one Adam step."""
    opt.zero_grad(set_to_none=True)
    losses = []
    samples = [controller.sample(gen) for _ in range(cfg.controller_aggregate)]
    with wb.scoring.scoring_mode(net, cfg.reward_bn_mode):
        accs = [wb.scoring.accuracy_in_mode(net, s.arch, *batches.val(cfg.reward_batch_size)) for s in samples]
    for s, acc in zip(samples, accs):
        reward = acc + cfg.entropy_weight * s.entropy.item()
        advantage = reward - (reward if baseline[0] is None else baseline[0])
        baseline[0] = wb.reinforce.update_baseline(baseline[0], reward, cfg.baseline_decay)
        losses.append(
            wb.reinforce.policy_loss(
                s.log_prob, advantage, s.skip_probs, cfg.skip_target, cfg.skip_weight, skip_layers=s.skip_layers
            )
        )
    torch.stack(losses).mean().backward()
    opt.step()


def measure_theta(name: str, repeats: int, min_seconds: float = 4.0) -> dict:
    """Trainer.controller_step against a bare REINFORCE step of the same size, interleaved: the bare step
    runs on the trainer's own supernet with a twin of its controller (θ copied before every step, not
    timed) and draws the same children (the same generator state), so both score the same networks."""
    spec = SPACES[name]
    space = wb.spaces.get(spec["space"][0], **spec["space"][1])
    data = _data(spec["shape"]) if spec["shape"] else wb.data.for_space(space)
    cfg = wb.TrainerConfig.for_space(space, batch_size=spec["batch"])
    trainer = wb.Trainer(space, data=data, config=cfg, seed=0)
    twin = copy.deepcopy(trainer.controller)
    opt = torch.optim.Adam(twin.parameters(), lr=cfg.controller_lr, betas=(0.0, 0.999), eps=1e-3)
    batches = Batches(data, torch.Generator().manual_seed(2), torch.device("cpu"))
    gen, baseline, master = torch.Generator(), [None], torch.Generator().manual_seed(3)

    def draws() -> torch.Tensor:  # a fresh generator state for the next pair of steps
        torch.randint(2**31, (1,), generator=master)
        return master.get_state()

    def bare(state) -> float:
        twin.load_state_dict(trainer.controller.state_dict())
        gen.set_state(state)
        t0 = time.perf_counter()
        _bare_theta_step(twin, opt, trainer.supernet, batches, cfg, gen, baseline)
        return time.perf_counter() - t0

    def full(state) -> float:
        trainer.child_gen.set_state(state)
        t0 = time.perf_counter()
        trainer.controller_step()
        return time.perf_counter() - t0

    for _ in range(2):
        state = draws()
        pair = bare(state) + full(state)
    # a teaching θ step (~30 ms) is repeated until the pairs ran ~min_seconds: its ratio is a few percent
    n = max(repeats, math.ceil(min_seconds / max(pair, 1e-6)))
    times = {"bare": [], "trainer": []}
    for _ in range(n):
        state = draws()  # bare first (θ as the trainer has it now), then the trainer from the same θ
        times["bare"].append(bare(state))
        times["trainer"].append(full(state))
    ms = {k: 1000 * statistics.median(v) for k, v in times.items()}
    return {"space": space.name, "children_per_step": cfg.controller_aggregate, "reward_batch": cfg.reward_batch_size,
            "pairs": n,
            "bare_theta_ms": round(ms["bare"], 3), "trainer_theta_ms": round(ms["trainer"], 3),
            "trainer_over_bare": round(ms["trainer"] / ms["bare"], 3)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, default=6)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--min-seconds", type=float, default=0.5, help="ω: repeat a fast step until it ran this long")
    ap.add_argument("--theta-seconds", type=float, default=4.0, help="θ: repeat step pairs until they ran this long")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--spaces", default=",".join(SPACES), help=f"comma-separated, of {', '.join(SPACES)}")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    names = args.spaces.split(",")
    unknown = [n for n in names if n not in SPACES]
    if unknown:
        ap.error(f"unknown space(s) {unknown}; valid: {', '.join(SPACES)}")
    results = [measure(n, args.children, args.repeats, args.min_seconds) for n in names]
    theta = [measure_theta(n, args.repeats, args.theta_seconds) for n in names]
    print(json.dumps({"threads": args.threads, "torch": torch.__version__, "omega": results, "theta": theta}, indent=2))


if __name__ == "__main__":
    main()
