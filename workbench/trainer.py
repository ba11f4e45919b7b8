"""The alternating ENAS trainer: ω steps with θ frozen, then θ steps with ω frozen.

Owns: the supernet, the controller, both optimizers, the baseline, the random generators, the
update counts and the History. `shared_step()` and `controller_step()` each do one update and
return a frozen record; `run()` alternates them by epochs. Prints nothing; reports via callbacks.
Must not: plot or hold widgets.
"""
from __future__ import annotations

import contextlib
import math
import time
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from . import data as data_mod
from . import reinforce, spaces
from .arch import Arch
from .config import TrainerConfig
from .controller import Controller
from .history import ControllerRecord, History, SharedRecord
from .spaces import Space
from .supernet import Supernet
from .tracking import StepWatch, UpdateCounts


class DivergenceError(FloatingPointError):
    """A loss or reward became NaN or infinite; the step was not applied."""


def _derive(seed: int, stream: int) -> int:
    """Independent seeds for the trainer's random streams, derived from one user seed."""
    return (int(seed) * 1_000_003 + stream * 7_919) % (2**63 - 1)


class Trainer:
    """Steps ENAS one update at a time: `shared_step()`, `controller_step()`, or `run(epochs)`."""

    def __init__(self, space: Space | str = "teaching", data: data_mod.Dataset | None = None,
                 config: TrainerConfig | None = None, seed: int = 0, device: str | torch.device = "cpu"):
        self.space = spaces.resolve(space)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        if config is not None and not isinstance(config, TrainerConfig):
            raise TypeError(f"config must be a TrainerConfig, got {type(config).__name__}")
        self.data = data if data is not None else data_mod.for_space(self.space)
        self.config = config if config is not None else TrainerConfig.for_space(self.space)
        self.seed, self.device = seed, torch.device(device)
        cfg = self.config
        self.supernet = Supernet(self.space, self.data.input_shape, self.data.num_classes,
                                 seed=_derive(seed, 0)).to(self.device)
        self.controller = Controller(self.space, kind=cfg.controller_kind, hidden_size=cfg.controller_hidden,
                                     temperature=cfg.temperature, tanh_constant=cfg.tanh_constant,
                                     seed=_derive(seed, 1))
        self._splits = {s: tuple(t.to(self.device) for t in self.data.split(s)) for s in ("train", "val", "test")}
        self.batch_gen = torch.Generator().manual_seed(_derive(seed, 2))  # minibatches
        self.child_gen = torch.Generator().manual_seed(_derive(seed, 3))  # sampled children
        self.shared_optimizer = self._make_shared_optimizer()
        self.controller_optimizer = torch.optim.Adam(self.controller.parameters(), lr=cfg.controller_lr,
                                                     betas=(0.0, 0.999), eps=1e-3)
        self._block_params = self.supernet.block_parameters()
        self.update_counts = UpdateCounts(self.supernet.block_names)
        self.history = History()
        self.baseline: float | None = None
        self.step = 0  # records made so far (both phases)
        self.epoch = 0
        self._order = torch.zeros(0, dtype=torch.long)  # this epoch's shuffled training indices
        self._cursor = 0

    # ---- configuration --------------------------------------------------------------------
    def _make_shared_optimizer(self) -> torch.optim.Optimizer:
        cfg = self.config
        if cfg.shared_optimizer == "sgd":
            return torch.optim.SGD(self.supernet.parameters(), lr=cfg.shared_lr, momentum=cfg.shared_momentum,
                                   nesterov=cfg.shared_momentum > 0, weight_decay=cfg.shared_weight_decay)
        return torch.optim.Adam(self.supernet.parameters(), lr=cfg.shared_lr, weight_decay=cfg.shared_weight_decay)

    def configure(self, **changes) -> TrainerConfig:
        """Change config fields mid-run (the app's knobs); validated before anything changes."""
        new = self.config.replace(**changes)
        for name in ("controller_kind", "controller_hidden"):
            if getattr(new, name) != getattr(self.config, name):
                raise ValueError(f"{name} cannot change mid-run (it shapes θ); make a new Trainer")
        if new.shared_optimizer != self.config.shared_optimizer:
            self.config = new
            self.shared_optimizer = self._make_shared_optimizer()  # fresh state for the new optimizer
        self.config = new
        for group in self.shared_optimizer.param_groups:
            group["lr"], group["weight_decay"] = new.shared_lr, new.shared_weight_decay
            if new.shared_optimizer == "sgd":
                group["momentum"], group["nesterov"] = new.shared_momentum, new.shared_momentum > 0
        for group in self.controller_optimizer.param_groups:
            group["lr"] = new.controller_lr
        self.controller.temperature, self.controller.tanh_constant = new.temperature, new.tanh_constant
        return new

    @property
    def steps_per_epoch(self) -> int:
        """ω steps in one pass over the training split."""
        return math.ceil(len(self._splits["train"][1]) / self.config.batch_size)

    # ---- data -----------------------------------------------------------------------------
    def _train_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        X, y = self._splits["train"]
        if self._cursor >= len(self._order):
            self._order = torch.randperm(len(y), generator=self.batch_gen)
            self._cursor = 0
        idx = self._order[self._cursor:self._cursor + self.config.batch_size].to(self.device)
        self._cursor += self.config.batch_size
        return X[idx], y[idx]

    def _val_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        X, y = self._splits["val"]
        n = min(self.config.reward_batch_size, len(y))
        idx = torch.randperm(len(y), generator=self.batch_gen)[:n].to(self.device)
        return X[idx], y[idx]

    # ---- phase 1: ω -----------------------------------------------------------------------
    def sample_child(self) -> Arch:
        """The child the next ω step would train: from the controller or uniformly (per config)."""
        if self.config.sampler == "uniform":
            return self.space.random(self.child_gen)
        with torch.no_grad():
            return self.controller.sample(self.child_gen).arch

    def shared_step(self, arch: Arch | None = None) -> SharedRecord:
        """θ frozen: sample a child (or train `arch`), one training minibatch, one ω step."""
        t0 = time.perf_counter()
        arch = self.sample_child() if arch is None else self.space.check(arch)
        x, y = self._train_batch()
        net, opt = self.supernet, self.shared_optimizer
        net.train()
        opt.zero_grad(set_to_none=True)
        logits = net(x, arch)  # (B, classes)
        loss = F.cross_entropy(logits, y)
        if not torch.isfinite(loss):
            raise DivergenceError(f"step {self.step + 1}: shared loss is {loss.item()} for child {arch}; "
                                  "ω was not updated (lower shared_lr or enable grad_clip)")
        loss.backward()
        watch = StepWatch(self._block_params)
        updated = watch.with_grad()
        used = [p for p in net.parameters() if p.grad is not None]
        if self.config.grad_clip > 0:
            nn.utils.clip_grad_norm_(used, self.config.grad_clip)
        if self.config.unused_grads == "zero":  # the classic bug: momentum and decay then move unused weights
            for p in net.parameters():
                if p.grad is None:
                    p.grad = torch.zeros_like(p)
        opt.step()
        opt.zero_grad(set_to_none=True)
        changed = watch.changed()
        self.update_counts.record(updated, changed)
        with torch.no_grad():
            loss_after = F.cross_entropy(net(x, arch), y).item()
        self.step += 1
        record = SharedRecord(step=self.step, epoch=self.epoch, arch=arch, loss=loss.item(), loss_after=loss_after,
                              accuracy=(logits.argmax(-1) == y).float().mean().item(), updated=updated,
                              changed=changed, seconds=time.perf_counter() - t0)
        self.history.append(record)
        return record

    # ---- phase 2: θ -----------------------------------------------------------------------
    @contextlib.contextmanager
    def _scoring(self):
        """ω frozen while children are scored: no grads, BatchNorm buffers restored afterwards."""
        net = self.supernet
        was_training = net.training
        buffers = {n: b.clone() for n, b in net.named_buffers()}
        net.train(self.config.reward_bn_mode == "train")
        try:
            with torch.no_grad():
                yield
        finally:
            for n, b in net.named_buffers():
                b.copy_(buffers[n])
            net.train(was_training)

    def controller_step(self) -> ControllerRecord:
        """ω frozen: sample children, reward = validation-minibatch accuracy, one REINFORCE step of θ."""
        t0 = time.perf_counter()
        cfg = self.config
        self.controller.train()
        self.controller_optimizer.zero_grad(set_to_none=True)
        archs, accs, rewards, advs, log_probs, entropies, skip_rates = [], [], [], [], [], [], []
        baseline = self.baseline
        for _ in range(cfg.controller_aggregate):
            s = self.controller.sample(self.child_gen)
            x, y = self._val_batch()
            with self._scoring():
                acc = (self.supernet(x, s.arch).argmax(-1) == y).float().mean().item()
            reward = reinforce.shaped_reward(acc, s.entropy.item(), cfg.entropy_weight)
            if not math.isfinite(reward):
                raise DivergenceError(f"step {self.step + 1}: reward is {reward} for child {s.arch}; θ was not updated")
            prev = reward if baseline is None else baseline
            baseline = reinforce.update_baseline(baseline, reward, cfg.baseline_decay)
            loss = reinforce.policy_loss(s.log_prob, reward - prev, s.skip_probs, cfg.skip_target, cfg.skip_weight)
            (loss / cfg.controller_aggregate).backward()
            archs.append(s.arch)
            accs.append(acc)
            rewards.append(reward)
            advs.append(reward - prev)
            log_probs.append(s.log_prob.item())
            entropies.append(s.entropy.item())
            skip_rates.append(self._skip_rate(s.arch))
        grads_ok = all(torch.isfinite(p.grad).all() for p in self.controller.parameters() if p.grad is not None)
        if not grads_ok:
            self.controller_optimizer.zero_grad(set_to_none=True)
            raise DivergenceError(f"step {self.step + 1}: controller gradient is not finite; θ was not updated")
        self.controller_optimizer.step()
        self.controller_optimizer.zero_grad(set_to_none=True)
        self.baseline = baseline
        greedy = self.controller.most_likely()
        policy = tuple(tuple(p.tolist()) for p in self.controller.distributions(greedy))
        self.step += 1
        mean = lambda v: sum(v) / len(v)  # noqa: E731
        record = ControllerRecord(step=self.step, epoch=self.epoch, arch=archs[0], archs=tuple(archs),
                                  accuracy=mean(accs), reward=mean(rewards), baseline=baseline,
                                  advantage=mean(advs), log_prob=mean(log_probs), entropy=mean(entropies),
                                  skip_rate=mean(skip_rates), policy=policy, seconds=time.perf_counter() - t0)
        self.history.append(record)
        return record

    def _skip_rate(self, arch: Arch) -> float:
        rate = getattr(self.space, "skip_rate", None)
        return rate(arch) if rate else 0.0

    # ---- the loop -------------------------------------------------------------------------
    def run(self, epochs: int = 1, on_step: Callable | None = None, progress: bool = True,
            max_seconds: float | None = None) -> History:
        """Alternate for `epochs`: each an epoch of ω steps, then `controller_steps` θ steps.

        `on_step(record)` is called after every step. `max_seconds` stops early, between steps.
        """
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be a positive int, got {epochs!r}")
        if max_seconds is not None and not (math.isfinite(max_seconds) and max_seconds > 0):
            raise ValueError(f"max_seconds must be a finite number > 0, got {max_seconds!r}")
        per_epoch = self.steps_per_epoch + self.config.controller_steps
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=epochs * per_epoch, desc=f"ENAS {self.space.name}", unit="step")
        start = time.perf_counter()
        try:
            for _ in range(epochs):
                plan = [self.shared_step] * self.steps_per_epoch + [self.controller_step] * self.config.controller_steps
                for step in plan:
                    if max_seconds is not None and time.perf_counter() - start >= max_seconds:
                        return self.history
                    record = step()
                    if on_step is not None:
                        on_step(record)
                    if bar is not None:
                        bar.update(1)
                        if record.phase == "shared":
                            bar.set_postfix(loss=f"{record.loss:.3f}", refresh=False)
                        else:
                            bar.set_postfix(reward=f"{record.reward:.3f}", refresh=False)
                self.epoch += 1
        finally:
            if bar is not None:
                bar.close()
        return self.history

    # ---- evaluation -----------------------------------------------------------------------
    def evaluate(self, arch: Arch, split: str = "val") -> float:
        """Accuracy of `arch` with the current shared weights on a whole split (eval mode)."""
        self.space.check(arch)
        if split not in self._splits:
            raise ValueError(f"unknown split {split!r}; valid: {', '.join(self._splits)}")
        X, y = self._splits[split]
        net = self.supernet
        was_training = net.training
        net.eval()
        try:
            with torch.no_grad():
                return (net(X, arch).argmax(-1) == y).float().mean().item()
        finally:
            net.train(was_training)
