"""All-or-nothing steps: copies of exactly what a step may touch, put back if the step fails.

    undo = Undo(optimizer, buffers)      # before the forward pass: the buffers it may update
    undo.save(params)                    # after backward, before optimizer.step(): what will move
    ...                                  # the step; on any error: undo.restore()

Owns: the copies (parameter values, their optimizer state, buffers) and restoring them bit for
bit. A step touches only the parameters that hold a gradient when the optimizer steps (torch's
optimizers skip a parameter whose .grad is None: no update, no momentum, no weight decay), so an
ω step saves the sampled child's weights, not the whole supernet. Must not: decide what a step
touches (the Trainer does) or step anything.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch


def _clones(tensors: list[torch.Tensor]) -> list[torch.Tensor]:
    """Plain copies of `tensors`, in one foreach call (a θ step saves some forty small tensors)."""
    if not tensors:
        return []
    with torch.no_grad():
        return list(torch._foreach_clone(tensors))


class Undo:
    """Saved copies of some parameters, their optimizer state and some buffers; `restore()` puts them back."""

    def __init__(self, optimizer: torch.optim.Optimizer, buffers: Iterable[torch.Tensor] = ()):
        self.optimizer = optimizer
        buffers = list(buffers)
        self.buffers = list(zip(buffers, _clones(buffers)))
        self.params: list[tuple[torch.Tensor, torch.Tensor]] = []
        # per saved parameter: its optimizer state with every tensor copied; None: it had no state yet
        self._state: list[tuple[torch.Tensor, dict | None]] = []

    def save(self, params: Iterable[torch.Tensor]) -> None:
        """Copy `params` and their optimizer state as they are now (before the optimizer steps)."""
        params, state = list(params), self.optimizer.state
        states = [state.get(p) for p in params]  # .get: the state is a defaultdict, no entry is made
        tensors = params + [v for s in states if s for v in s.values() if isinstance(v, torch.Tensor)]
        copies = _clones(tensors)  # the parameters' copies first, then their state's, in the order listed
        self.params.extend(zip(params, copies))
        rest = iter(copies[len(params) :])
        for p, s in zip(params, states):
            saved = None if s is None else {k: next(rest) if isinstance(v, torch.Tensor) else v for k, v in s.items()}
            self._state.append((p, saved))

    @torch.no_grad()
    def restore(self) -> None:
        """Put every saved tensor and optimizer state back; drop state the step created; clear gradients."""
        for p, saved in self.params:
            p.copy_(saved)
            p.grad = None
        for b, saved in self.buffers:
            b.copy_(saved)
        state = self.optimizer.state
        for p, saved_state in self._state:
            if saved_state is None:
                state.pop(p, None)
            else:
                state[p] = saved_state
