"""Policies θ that sample an Arch decision by decision: the ENAS LSTM and a factorized one.

Owns: the policy's parameters, logit shaping (temperature, tanh constant), sampling, log
probabilities and per-decision distributions, and the order of a walk (which decision comes next,
what is fed back). Must not: compute rewards or step an optimizer (reinforce.py and the Trainer do),
or hold the walk's arithmetic (controller_math.py: torch to sample and learn, numpy to read).

A skip decision with attention score a has the logits [-a, a], each divided by the temperature and
squashed by C * tanh, as in ENAS's released controller (`general_controller.py`), so
p(skip) = sigmoid(2 C tanh(a / T)): 0.047 to 0.953 at C = 1.5. (Logits [0, a] would cap it at
sigmoid(±C): 0.18 to 0.82.) The independent policy shapes its one skip logit the same way.

A cell space (enas-micro: decisions with a `cell`) is walked as ENAS's `micro_controller.py` does:
each cell starts with two LSTM steps that make the anchors of its two inputs (attention keys from
their hidden states, zeros as what is fed back); each node then takes its input decisions (attention
over the cell's anchors so far, feeding back the chosen anchor), its op decisions (feeding back the
op's embedding), and one more step whose hidden state is the node's anchor; the reduction cell goes
on from the normal cell's state. Op logits are squashed by C / op_tanh_reduce (the official micro
script's 2.5 for enas-micro), input logits by C. Departure: the official op softmax also has a
learned bias started at 10 for the two separable convs, and the normal cell a fixed ±0.25, a prior
towards separable convs; here every policy starts near uniform, so a frozen controller (lr 0)
samples near-uniform children.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from . import seeds, spaces
from .arch import Arch
from .controller_math import NumpyMath, TorchMath
from .spaces import Space

KINDS = ("lstm", "independent")
Policy = tuple[tuple[float, ...], ...]  # one probability vector per decision, as plain floats
OP_TANH_REDUCE = {"enas-micro": 2.5}  # ENAS controller_op_tanh_reduce of the official scripts; 1 for other spaces


@dataclass(frozen=True)
class Sample:
    """One sampled child with its log-probability, entropy and skip probabilities (with grads)."""

    arch: Arch
    log_prob: torch.Tensor  # scalar: sum over decisions of log p(choice)
    entropy: torch.Tensor  # scalar: sum over decisions of the entropy of that decision
    skip_probs: torch.Tensor  # (num skip decisions,): p("yes") of each skip decision; empty if none
    skip_layers: tuple[int, ...] = ()  # the layer (Decision.node) of each skip decision, for the skip penalty


@dataclass
class _Walk:
    choices: list[int]
    log_probs: list[torch.Tensor]
    entropies: list[torch.Tensor]
    probs: list  # per decision: a tensor (torch walk) or an array (numpy walk)
    floats: list[tuple[float, ...]]  # a policy-reading walk's probabilities as plain floats (empty otherwise)
    skip_probs: list[torch.Tensor]
    skip_layers: list[int]
    math: TorchMath | NumpyMath  # the arithmetic: torch with autograd, or numpy to read the policy
    stats: bool = True  # False: choices and distributions only (no log-probabilities, no entropies)


class Controller(nn.Module):
    """A policy over a space's architectures: kind "lstm" (ENAS) or "independent" (factorized)."""

    def __init__(
        self,
        space: Space | str,
        kind: str = "lstm",
        hidden_size: int = 64,
        temperature: float = 1.0,
        tanh_constant: float | None = 1.5,
        seed: int = 0,
        op_tanh_reduce: float | None = None,
    ):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"unknown controller kind {kind!r}; valid: {', '.join(KINDS)}")
        if isinstance(hidden_size, bool) or not isinstance(hidden_size, int) or hidden_size < 1:
            raise ValueError(f"hidden_size must be a positive int, got {hidden_size!r}")
        self.space, self.kind = spaces.resolve(space), kind
        self.temperature, self.tanh_constant = temperature, tanh_constant  # validated on use
        if op_tanh_reduce is None:  # op logits are squashed by tanh_constant / op_tanh_reduce
            op_tanh_reduce = OP_TANH_REDUCE.get(self.space.kind, 1.0)
        if isinstance(op_tanh_reduce, bool) or not (
            isinstance(op_tanh_reduce, (int, float)) and math.isfinite(op_tanh_reduce) and op_tanh_reduce > 0
        ):
            raise ValueError(f"op_tanh_reduce must be None or a finite number > 0, got {op_tanh_reduce!r}")
        self.op_tanh_reduce = float(op_tanh_reduce)
        self.cells = any(d.cell is not None for d in self.space.decisions)  # walked cell by cell (enas-micro)
        n_ops = len(self.space.ops)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            if kind == "lstm":
                H = hidden_size
                self.start = nn.Parameter(torch.empty(1, H))  # learned first input (ENAS g_emb)
                self.lstm = nn.LSTMCell(H, H)
                self.op_embedding = nn.Embedding(n_ops, H)  # chosen op fed back as the next input
                self.op_head = nn.Linear(H, n_ops, bias=False)  # shared by every op decision
                self.attn_anchor = nn.Linear(H, H, bias=False)  # attention over earlier nodes
                self.attn_query = nn.Linear(H, H, bias=False)
                self.attn_v = nn.Linear(H, 1, bias=False)
            else:
                self.logits = nn.ParameterList(
                    [nn.Parameter(torch.empty(len(d.options) if d.kind != "skip" else 1)) for d in self.space.decisions]
                )
            for p in self.parameters():
                nn.init.uniform_(p, -0.1, 0.1)  # as in ENAS: a near-uniform policy at the start
        if kind == "independent":
            with torch.no_grad():
                for p in self.logits:
                    p.zero_()  # exactly uniform

    @classmethod
    def for_run(cls, space: Space | str, config, seed: int) -> Controller:
        """The policy a Trainer with `config` (a TrainerConfig) and user seed `seed` starts from:
        its θ before the first step, drawn from the named stream "controller"."""
        return cls(
            space,
            kind=config.controller_kind,
            hidden_size=config.controller_hidden,
            temperature=config.temperature,
            tanh_constant=config.tanh_constant,
            seed=seeds.derive(seed, "controller"),
        )

    # ---- public API -----------------------------------------------------------------------
    def sample(self, generator: torch.Generator | None = None) -> Sample:
        """Sample a child; log_prob, entropy and skip_probs carry gradients to θ."""
        w = self._walk(generator=generator)
        return self._result(w)

    def log_prob(self, arch: Arch) -> torch.Tensor:
        """log P(arch; θ), a scalar with gradients."""
        return self._result(self._walk(arch=arch)).log_prob

    def distributions(self, arch: Arch) -> tuple[torch.Tensor, ...]:
        """The probability vector of every decision along `arch`'s path (detached)."""
        return self._probs(self._walk_without_grad(arch=arch))

    def most_likely(self) -> Arch:
        """The greedy child: the most likely option at each decision given the earlier ones."""
        return Arch(self.space.name, tuple(self._walk_without_grad(greedy=True).choices))

    def policy_along(self, arch: Arch) -> Policy:
        """distributions(arch) as plain floats, one tuple per decision (what records and views keep)."""
        return self._floats(self._walk_without_grad(arch=arch))

    def greedy_policy(self) -> tuple[Arch, Policy]:
        """The greedy child and, per decision, its probabilities as plain floats (a ControllerRecord's policy),
        in one walk: (most_likely(), policy_along(most_likely()))."""
        w = self._walk_without_grad(greedy=True)
        return Arch(self.space.name, tuple(w.choices)), self._floats(w)

    # ---- internals ------------------------------------------------------------------------
    def _walk_without_grad(self, **how) -> _Walk:
        """A walk for reading the policy: numpy arithmetic on θ's values, choices and distributions only
        (the θ step's record and the views make one after every step, so it is kept cheap). A θ with NaN or
        inf gives NaN probabilities without numpy's warnings, as torch would: the θ step checks them."""
        with np.errstate(all="ignore"):
            return self._walk(stats=False, **how)

    def _probs(self, w: _Walk) -> tuple[torch.Tensor, ...]:
        device = next(self.parameters()).device
        return tuple(torch.from_numpy(p).to(device) for p in w.probs)

    @staticmethod
    def _floats(w: _Walk) -> Policy:
        return tuple(w.floats)  # read once per decision, during the walk

    def _result(self, w: _Walk) -> Sample:
        skip = torch.stack(w.skip_probs) if w.skip_probs else torch.zeros(0)
        return Sample(
            Arch(self.space.name, tuple(w.choices)),
            torch.stack(w.log_probs).sum(),
            torch.stack(w.entropies).sum(),
            skip,
            tuple(w.skip_layers),
        )

    def _shape(self, m, logits, reduce: float = 1.0):
        """ENAS logit shaping: divide by the temperature, then squash with (C / reduce) * tanh."""
        t, c = self.temperature, self.tanh_constant
        if not (isinstance(t, (int, float)) and math.isfinite(t) and t > 0):
            raise ValueError(f"temperature must be a finite number > 0, got {t!r}")
        if c is not None and not (isinstance(c, (int, float)) and math.isfinite(c) and c >= 0):
            raise ValueError(f"tanh_constant must be None or a finite number >= 0, got {c!r}")
        if t != 1:  # x / 1 is x: one op fewer on every decision at the default temperature
            logits = logits / t
        if c and reduce != 1.0:
            c = c / reduce
        return c * m.tanh(logits) if c else logits

    def _skip_logits(self, m, score):
        """[no, yes] logits of a skip decision from its score a: the shaped [-a, a] (ENAS), (2,)."""
        s = self._shape(m, score)  # tanh is odd, so shaping -a gives -s
        return m.pair(s)  # softmax([-s, s])[1] = sigmoid(2 s)

    def _choose(self, w: _Walk, k: int, logits: torch.Tensor, forced, generator, greedy) -> int:
        """Pick decision k's option from its (shaped) logits and record its statistics."""
        if w.stats:
            log_p = torch.log_softmax(logits, dim=-1)  # (options,)
            p = log_p.exp()
        else:  # a walk that reads the policy (numpy) needs the probabilities only, read once as floats
            p = w.math.softmax(logits)
            w.floats.append(tuple(p.tolist()))
        if forced is not None:
            c = forced[k]
        elif greedy:  # a greedy walk reads the policy: its first most likely option (as torch.argmax) from the floats
            floats = w.floats[-1]
            c = max(range(len(floats)), key=floats.__getitem__)
        else:
            c = int(torch.multinomial(p.detach().cpu(), 1, generator=generator))
        w.choices.append(c)
        if w.stats:
            w.log_probs.append(log_p[c])
            w.entropies.append(-(p * log_p).sum())
        w.probs.append(p)
        if self.space.decisions[k].kind == "skip":
            w.skip_probs.append(p[1])
            w.skip_layers.append(self.space.decisions[k].node)
        return c

    def _walk(self, arch: Arch | None = None, generator=None, greedy: bool = False, stats: bool = True) -> _Walk:
        forced = self.space.check(arch).choices if arch is not None else None
        m = TorchMath(self) if stats else NumpyMath(self)
        w = _Walk([], [], [], [], [], [], [], m, stats)
        if self.kind == "independent":
            for k, d in enumerate(self.space.decisions):
                raw = m.logit(k)
                logits = self._skip_logits(m, raw[0]) if d.kind == "skip" else self._shape(m, raw)
                self._choose(w, k, logits, forced, generator, greedy)
            return w
        if self.cells:
            return self._walk_cells(w, forced, generator, greedy)
        return self._walk_lstm(w, forced, generator, greedy)

    def _walk_lstm(self, w: _Walk, forced, generator, greedy) -> _Walk:
        decisions, m = self.space.decisions, w.math
        x = m.start  # (1, H)
        h, c = m.lstm(x)  # first step: its hidden state is the stem's anchor
        anchors, keys = [h], [m.key(h)]  # anchors[j]: hidden state of node j (0 = stem)
        k = 0
        while k < len(decisions):
            d = decisions[k]
            h, c = m.lstm(x, (h, c))  # (1, H)
            if d.kind == "op":
                choice = self._choose(w, k, self._shape(m, m.op_logits(h)), forced, generator, greedy)
                x = m.embed(choice)
                k += 1
            elif d.kind == "input":  # attention over the anchors of the candidate inputs
                scores = m.attention(keys[: len(d.options)], h)  # (options,)
                choice = self._choose(w, k, self._shape(m, scores), forced, generator, greedy)
                x = anchors[choice]
                k += 1
            else:  # a run of skip decisions of one layer: one LSTM step, one sigmoid per source
                end = k
                while end < len(decisions) and decisions[end].kind == "skip" and decisions[end].node == d.node:
                    end += 1
                group = range(k, end)
                scores = m.attention([keys[decisions[kk].source] for kk in group], h)  # (sources,)
                chosen = []
                for kk, s in zip(group, scores):
                    if self._choose(w, kk, self._skip_logits(m, s), forced, generator, greedy):
                        chosen.append(anchors[decisions[kk].source])
                x = m.mean_with_one(chosen, h)
                k = group[-1] + 1
            if k == len(decisions) or decisions[k].node != d.node:  # node finished: it becomes an anchor
                anchors.append(h)
                keys.append(m.key(h))
        return w

    def _walk_cells(self, w: _Walk, forced, generator, greedy) -> _Walk:
        """ENAS's micro sampler: per cell, two input anchors; per node, its inputs, its ops, then its anchor."""
        decisions, n, m = self.space.decisions, len(self.space.decisions), w.math
        state = None  # (h, c); zeros at the start, carried from the normal into the reduction cell
        k = 0
        while k < n:
            cell = decisions[k].cell
            if decisions[k].kind != "input":
                raise ValueError(
                    f"a cell must start with an input decision; {decisions[k].name!r} is {decisions[k].kind!r}"
                )
            anchors, keys = [], []  # per cell: fed-back input and attention key of each output so far
            for _ in range(len(decisions[k].options)):  # the cell's inputs: a node-1 input decision's options
                state = m.lstm(m.start, state)
                anchors.append(m.zeros(state[0]))
                keys.append(m.key(state[0]))
            while k < n and decisions[k].cell == cell:  # one node: its inputs, then its ops, then its anchor
                x, start = m.start, k
                while k < n and decisions[k].cell == cell and decisions[k].kind == "input":
                    state = m.lstm(x, state)
                    scores = m.attention(keys[: len(decisions[k].options)], state[0])  # (options,)
                    x = anchors[self._choose(w, k, self._shape(m, scores), forced, generator, greedy)]
                    k += 1
                while k < n and decisions[k].cell == cell and decisions[k].kind == "op":
                    state = m.lstm(x, state)
                    logits = self._shape(m, m.op_logits(state[0]), self.op_tanh_reduce)
                    choice = self._choose(w, k, logits, forced, generator, greedy)
                    x = m.embed(choice)
                    k += 1
                if k == start:
                    raise ValueError(f"decision {decisions[k].name!r} of a cell must be an input or an op")
                state = m.lstm(x, state)
                anchors.append(state[0])
                keys.append(m.key(state[0]))
        return w
