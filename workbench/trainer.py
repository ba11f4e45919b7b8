"""The alternating ENAS trainer: ω steps with θ frozen, then θ steps with ω frozen.

Owns: the supernet, the controller, both optimizers, the baseline, the random generators, the
update counts and the History. `shared_step()` and `controller_step()` each do one update and
return a frozen record; `run()` alternates them by epochs and knows its place in the current one;
`state_dict()` / `load_state_dict()` capture and restore all of it bit for bit (trainer_state.py;
checkpoint.py writes it to disk, `runs.load_trainer` reads a run folder back); `derive()` picks the
final child as ENAS does (derive.py). ω's learning rate at each epoch comes from lr_schedule.py.
Prints nothing; reports via callbacks.
Must not: plot, hold widgets, or touch files itself.
"""

from __future__ import annotations

import functools
import itertools
import math
import time

import torch
import torch.nn.functional as F
from torch import nn

from . import data as data_mod
from . import loop, lr_schedule, phases, reinforce, samplers, saturation, scoring, seeds, spaces, trainer_state
from .arch import Arch
from .batches import Batches
from .config import TrainerConfig
from .controller import Controller
from .derive import derive as _derive
from .digest import data_sha256
from .errors import DivergenceError
from .history import ChildScore, ControllerRecord, History, SharedRecord
from .spaces import Space
from .supernet import Supernet
from .tracking import StepWatch, UpdateCounts
from .undo import Undo


def _total_norms(*groups: list[torch.Tensor]) -> list[float]:
    """The 2-norm of all entries of each group of tensors, as nn.utils.get_total_norm(group, foreach=True)
    computes it (one fused per-tensor pass, then the norm of the norms; the same value), for all groups
    in one pass and one read, without its per-call grouping by device and its per-tensor moves: what keeps
    the finiteness checks of a small θ step cheap. The tensors share one device (a Trainer's do); an
    empty group's norm is 0."""
    tensors = [t for g in groups for t in g]
    if not tensors:
        return [0.0] * len(groups)
    with torch.no_grad():
        norms, ends = torch.stack(torch._foreach_norm(tensors)), itertools.accumulate(map(len, groups))
        totals = [torch.linalg.vector_norm(norms[end - len(g) : end]) for g, end in zip(groups, ends)]
        return torch.stack(totals).tolist()


class Trainer:
    """Steps ENAS one update at a time: `shared_step()`, `controller_step()`, or `run(epochs)`."""

    def __init__(
        self,
        space: Space | str = "teaching",
        data: data_mod.Dataset | None = None,
        config: TrainerConfig | None = None,
        seed: int = 0,
        device: str | torch.device = "cpu",
    ):
        self.space = spaces.resolve(space)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        if config is not None and not isinstance(config, TrainerConfig):
            raise TypeError(f"config must be a TrainerConfig, got {type(config).__name__}")
        self.data = data if data is not None else data_mod.for_space(self.space)
        self.config = config if config is not None else TrainerConfig.for_space(self.space)
        self.seed, self.device = seed, torch.device(device)
        cfg = self.config
        self.supernet = Supernet(
            self.space, self.data.input_shape, self.data.num_classes, seed=seeds.derive(seed, "supernet")
        ).to(self.device)
        self.controller = Controller.for_run(self.space, cfg, seed)
        self.batch_gen = seeds.generator(seed, "batches")  # minibatches
        self.batches = Batches(self.data, self.batch_gen, self.device)
        self.child_gen = seeds.generator(seed, "children")  # sampled children
        self.shared_optimizer = self._make_shared_optimizer()
        self.controller_optimizer = torch.optim.Adam(
            self.controller.parameters(), lr=cfg.controller_lr, betas=(0.0, 0.999), eps=1e-3
        )
        self._params = list(self.supernet.parameters())
        self._theta = list(self.controller.parameters())  # what a θ step moves (all of θ), listed once
        self._watch = StepWatch(self.supernet.block_parameters())
        self._block_buffers = {b: bs for b, m in self.supernet.blocks.items() if (bs := list(m.buffers()))}
        self.update_counts = UpdateCounts(self.supernet.block_names)
        self.history = History()
        self.baseline: float | None = None
        self.step = 0  # records made so far (both phases)
        self.epoch = 0
        self.epoch_step = 0  # steps run() has done in the current epoch: its place in the epoch's plan

    # ---- configuration --------------------------------------------------------------------
    def _make_shared_optimizer(self) -> torch.optim.Optimizer:
        cfg = self.config
        if cfg.shared_optimizer == "sgd":
            return torch.optim.SGD(
                self.supernet.parameters(),
                lr=cfg.shared_lr,
                momentum=cfg.shared_momentum,
                nesterov=cfg.shared_momentum > 0,
                weight_decay=cfg.shared_weight_decay,
            )
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
            group["lr"], group["weight_decay"] = lr_schedule.shared_lr(new, self.epoch), new.shared_weight_decay
            if new.shared_optimizer == "sgd":
                group["momentum"], group["nesterov"] = new.shared_momentum, new.shared_momentum > 0
        for group in self.controller_optimizer.param_groups:
            group["lr"] = new.controller_lr
        self.controller.temperature, self.controller.tanh_constant = new.temperature, new.tanh_constant
        return new

    @property
    def steps_per_epoch(self) -> int:
        """ω steps in one pass over the training split."""
        return self.batches.steps_per_pass(self.config.batch_size)

    # ---- phase 1: ω -----------------------------------------------------------------------
    def sample_child(self) -> Arch:
        """The child the next ω step would train, drawn by the configured sampler (samplers.py;
        sampler "fair" trains a whole `fair_group()`, of which this is the first)."""
        return self._draw()[0]

    def fair_group(self) -> list[Arch]:
        """A FairNAS-style group of children that uses every option evenly (`samplers.fair_group`)."""
        return samplers.fair_group(self.space, self.controller, self.child_gen)

    def _draw(self) -> list[Arch]:
        return samplers.draw(self.omega_sampler(), self.space, self.controller, self.child_gen)

    @property
    def omega_steps(self) -> int:
        """ω steps run() has done by the schedule (epochs * steps_per_epoch + its place in this one)."""
        return self.epoch * self.steps_per_epoch + min(self.epoch_step, self.steps_per_epoch)

    def omega_sampler(self) -> str:
        """The sampler of the next ω step: `warmup_sampler` during the ω warm-up, else `sampler` (phases.py)."""
        return phases.omega_sampler(self.config, self.omega_steps)

    def controller_steps_in_epoch(self) -> int:
        """θ steps at the end of the current epoch: controller_steps, or 0 inside the ω warm-up (phases.py)."""
        return phases.controller_steps_in(self.config, self.epoch, self.steps_per_epoch)

    def shared_step(self, arch: Arch | None = None, *, loss_after: bool = False) -> SharedRecord:
        """θ frozen: sample a child (or train `arch`), one training minibatch, one ω step.

        Only the child's weights can change, so only they (with their optimizer state and the
        BatchNorm buffers on the child's path) are saved for the undo of a step that diverges.
        `loss_after=True` also measures the minibatch loss after the step (one more forward pass,
        buffers left alone; the app's narration reads it); otherwise the record's loss_after is None.
        With sampler "fair" (and no `arch`), the step accumulates the mean gradient of a whole
        `fair_group()` on the minibatch, then applies one update; the record's loss, loss_after
        and accuracy are the group's means, `archs` the group and `updated` the union of its blocks."""
        t0 = time.perf_counter()
        group = self._draw() if arch is None else [self.space.check(arch)]
        fair = arch is None and self.omega_sampler() == "fair"
        arch = group[0]
        x, y = self.batches.train(self.config.batch_size)
        net, opt = self.supernet, self.shared_optimizer
        for g in opt.param_groups:  # a function of the epoch alone, so a resumed run gets the same rate
            g["lr"] = lr_schedule.shared_lr(self.config, self.epoch)
        if not net.training:
            net.train()
        undo = Undo(opt, self._buffers_of(group))  # the forward pass updates BatchNorm's running averages
        try:
            losses, accs = [], []
            for member in group:
                logits = net(x, member)  # (B, classes)
                loss = F.cross_entropy(logits, y)
                losses.append(loss.item())
                if not math.isfinite(losses[-1]):
                    raise DivergenceError(
                        f"step {self.step + 1}: shared loss is {losses[-1]} for child {member}; "
                        "ω was not updated (lower shared_lr or enable grad_clip)"
                    )
                (loss / len(group) if fair else loss).backward()  # a fair group: its mean gradient, accumulated
                accs.append((logits.argmax(-1) == y).sum().item() / len(y))
            used = [p for p in self._params if p.grad is not None]
            updated = self._watch.blocks_of(used)
            if self.config.grad_clip > 0:
                nn.utils.clip_grad_norm_(used, self.config.grad_clip)
            if self.config.unused_weights == "tf-style":  # as ENAS's TF code: momentum and decay move every weight
                for p in self._params:
                    if p.grad is None:
                        p.grad = torch.zeros_like(p)
                used = self._params
            undo.save(used)  # what opt.step() will move: the parameters holding a gradient
            opt.step()
            for p in used:
                p.grad = None
            if not math.isfinite(_total_norms(used)[0]):  # NaN or inf anywhere shows in the norm
                raise DivergenceError(
                    f"step {self.step + 1}: the update made ω NaN or infinite for child {arch}; "
                    "it was undone (lower shared_lr or enable grad_clip)"
                )
            after = None
            if loss_after:
                after = sum(scoring.score(net, m, x, y, bn="batch").loss for m in group) / len(group)
                if not math.isfinite(after):
                    raise DivergenceError(
                        f"step {self.step + 1}: the update made the loss {after} for child {arch}; "
                        "it was undone (lower shared_lr or enable grad_clip)"
                    )
        except BaseException:
            undo.restore()
            opt.zero_grad(set_to_none=True)
            raise
        changed = self._watch.changed(undo.params)
        self.update_counts.record(updated, changed)
        self.step += 1
        record = SharedRecord(
            step=self.step,
            epoch=self.epoch,
            arch=arch,
            loss=sum(losses) / len(group),
            loss_after=after,
            accuracy=sum(accs) / len(group),
            updated=updated,
            changed=changed,
            seconds=time.perf_counter() - t0,
            archs=tuple(group) if fair else (),
        )
        self.history.append(record)
        return record

    def _buffers_of(self, group: list[Arch]) -> list[torch.Tensor]:
        """The buffers (BatchNorm running averages) of the blocks that the children in `group` use."""
        if not self._block_buffers:
            return []
        blocks = dict.fromkeys(b for member in group for b in self.supernet.blocks_for(member))
        return [t for b in blocks for t in self._block_buffers.get(b, ())]

    # ---- phase 2: θ -----------------------------------------------------------------------
    def controller_step(self) -> ControllerRecord:
        """ω frozen: sample children, reward = validation-minibatch accuracy, one REINFORCE step of θ."""
        t0 = time.perf_counter()
        cfg = self.config
        if cfg.entropy_weight_start is not None:  # the entropy schedule (phases.py): this epoch's weight
            cfg = cfg.replace(entropy_weight=phases.entropy_weight(cfg, self.epoch))
        if not self.controller.training:
            self.controller.train()
        self.controller_optimizer.zero_grad(set_to_none=True)
        undo = Undo(self.controller_optimizer, self.controller.buffers())
        undo.save(self._theta)  # a θ step moves all of θ
        try:
            record = self._controller_update(cfg, t0)
        except BaseException:
            undo.restore()
            raise
        self.history.append(record)
        return record

    def _controller_update(self, cfg: TrainerConfig, t0: float) -> ControllerRecord:
        children: list[ChildScore] = []
        losses: list[torch.Tensor] = []
        baseline = self.baseline
        samples = [self.controller.sample(self.child_gen) for _ in range(cfg.controller_aggregate)]
        with scoring.scoring_mode(self.supernet, cfg.reward_bn_mode):  # one mode switch for all K children
            accs = [
                scoring.accuracy_in_mode(self.supernet, s.arch, *self.batches.val(cfg.reward_batch_size))
                for s in samples
            ]
        with torch.no_grad():  # every child's log-probability and entropy as floats: two reads, not two per child
            log_probs = torch.stack([s.log_prob for s in samples]).tolist()
            entropies = torch.stack([s.entropy for s in samples]).tolist()
        for s, acc, log_prob, entropy in zip(samples, accs, log_probs, entropies):
            reward = reinforce.shaped_reward(acc, entropy, cfg.entropy_weight)
            if not math.isfinite(reward):
                raise DivergenceError(f"step {self.step + 1}: reward is {reward} for child {s.arch}; θ was not updated")
            advantage = reward - (reward if baseline is None else baseline)
            baseline = reinforce.update_baseline(baseline, reward, cfg.baseline_decay)
            losses.append(
                reinforce.policy_loss(
                    s.log_prob, advantage, s.skip_probs, cfg.skip_target, cfg.skip_weight, skip_layers=s.skip_layers
                )
            )
            children.append(ChildScore(s.arch, acc, reward, advantage, log_prob, entropy, self._skip_rate(s.arch)))
        torch.stack(losses).mean().backward()  # one backward for the whole aggregate
        grads = [p.grad for p in self._theta if p.grad is not None]
        self.controller_optimizer.step()  # Adam reads the gradients, never writes them
        # θ steps are not clipped; the norms of the gradient it applied and of θ after it, in one read
        grad_norm, theta = _total_norms(grads, self._theta)
        self.controller_optimizer.zero_grad(set_to_none=True)
        if not math.isfinite(grad_norm):  # a NaN or infinite entry anywhere makes the total norm so
            raise DivergenceError(f"step {self.step + 1}: controller gradient is not finite; θ was not updated")
        _, policy = self.controller.greedy_policy()  # the policy along the most likely child, for the record
        if not (math.isfinite(theta) and math.isfinite(sum(map(sum, policy)))):  # NaN or inf anywhere shows in a sum
            raise DivergenceError(
                f"step {self.step + 1}: the update made θ or its probabilities NaN or infinite; "
                "it was undone (lower controller_lr)"
            )
        self.baseline = baseline
        self.step += 1

        def mean(name: str) -> float:
            return sum(getattr(c, name) for c in children) / len(children)

        return ControllerRecord(
            step=self.step,
            epoch=self.epoch,
            arch=children[0].arch,
            archs=tuple(c.arch for c in children),
            accuracy=mean("accuracy"),
            reward=mean("reward"),
            baseline=baseline,
            advantage=mean("advantage"),
            log_prob=mean("log_prob"),
            entropy=mean("entropy"),
            skip_rate=mean("skip_rate"),
            policy=policy,
            seconds=time.perf_counter() - t0,
            children=tuple(children),
            grad_norm=grad_norm,
            saturation=saturation.saturation(policy, cfg.tanh_constant),
        )

    def _skip_rate(self, arch: Arch) -> float:
        rate = getattr(self.space, "skip_rate", None)
        return rate(arch) if rate else 0.0

    # ---- the loop -------------------------------------------------------------------------
    run = loop.run  # trainer.run(epochs=1, on_step=None, progress=True, max_seconds=None, on_nan="raise")
    derive = _derive  # trainer.derive(n=10): the best of n children of the policy on one validation minibatch

    # ---- checkpoints ----------------------------------------------------------------------
    state_dict = trainer_state.state_dict  # everything a resumed run needs, as a copy
    load_state_dict = trainer_state.load_state_dict  # restore it; the History is left as is

    @functools.cached_property
    def data_id(self) -> dict:
        """The name and SHA-256 fingerprint of the data this trainer trains on."""
        return {"name": self.data.name, "sha256": data_sha256(self.data)}

    # ---- evaluation -----------------------------------------------------------------------
    def evaluate(self, arch: Arch, split: str = "val", bn: str = scoring.DEFAULT_BN) -> float:
        """Accuracy of `arch` with the current shared weights on a whole split, BatchNorm in mode
        `bn` ("batch" statistics by default, as the rewards; "running" averages; see scoring.py)."""
        self.space.check(arch)
        return scoring.accuracy(self.supernet, arch, *self.batches.split(split), bn=bn)
