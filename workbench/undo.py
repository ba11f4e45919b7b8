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


def _clone_state(state: dict) -> dict:
    return {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in state.items()}


class Undo:
    """Saved copies of some parameters, their optimizer state and some buffers; `restore()` puts them back."""

    def __init__(self, optimizer: torch.optim.Optimizer, buffers: Iterable[torch.Tensor] = ()):
        self.optimizer = optimizer
        self.buffers = [(b, b.clone()) for b in buffers]
        self.params: list[tuple[torch.Tensor, torch.Tensor]] = []
        self._state: list[tuple[torch.Tensor, dict | None]] = []  # None: the parameter had no state yet

    def save(self, params: Iterable[torch.Tensor]) -> None:
        """Copy `params` and their optimizer state as they are now (before the optimizer steps)."""
        state = self.optimizer.state
        with torch.no_grad():  # plain copies, no autograd graph (one context for all of them)
            for p in params:
                self.params.append((p, p.clone()))
                self._state.append((p, _clone_state(state[p]) if p in state else None))

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
