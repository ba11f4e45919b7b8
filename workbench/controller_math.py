"""The arithmetic of a controller's walk, on torch tensors (to learn θ) or on numpy arrays (to read it).

Owns: what one walk step computes from θ: the LSTM step, the op head and embedding, the attention
keys and scores, the fed-back mean of skip inputs, tanh, softmax. Two backends with one interface:
`TorchMath` runs the controller's modules (autograd, any device: sampling and log-probabilities);
`NumpyMath` runs the same formulas on numpy views of θ, for the walks that only read the policy
(a ControllerRecord's policy after every θ step, the views' distributions). Must not: decide which
decision comes next or what is fed back (controller.py walks the space), sample, or write θ.

Why a second backend: a reading walk is ~80 operations on (1, H) vectors; a torch operator costs
several microseconds of dispatch each, a numpy one about one, so a teaching-space walk takes 0.25 ms
instead of 0.57 ms (quiet machine, 2 threads). The record's policy walk is the part of a θ step that a
bare REINFORCE step does not have (issue 12; README "What a step costs").
Both compute in θ's dtype; they agree to rounding (~1e-7), and every reading walk uses NumpyMath, so
the records, `distributions`, `policy_along` and `most_likely` agree with each other bit for bit.
The LSTM gates use sigmoid(x) = (1 + tanh(x / 2)) / 2, so one tanh covers all four gates.
"""

from __future__ import annotations

import numpy as np
import torch


class TorchMath:
    """The controller's own modules: gradients flow to θ."""

    tanh = staticmethod(torch.tanh)

    def __init__(self, controller):
        self.c = controller
        self.start = controller.start if controller.kind == "lstm" else None

    def logit(self, k: int) -> torch.Tensor:
        return self.c.logits[k]

    def lstm(self, x, state=None):
        return self.c.lstm(x) if state is None else self.c.lstm(x, state)

    def op_logits(self, h):
        return self.c.op_head(h)[0]

    def embed(self, choice: int):
        return self.c.op_embedding.weight[choice : choice + 1]

    def key(self, h):
        return self.c.attn_anchor(h)

    def attention(self, keys, h):
        """ENAS attention scores v^T tanh(W_anchor a_j + W_query h) for each anchor key, (n,)."""
        return self.c.attn_v(torch.tanh(torch.cat(keys) + self.c.attn_query(h))).squeeze(-1)

    @staticmethod
    def zeros(h):
        return torch.zeros_like(h)

    @staticmethod
    def mean_with_one(chosen, h):
        """(sum of the chosen anchors) / (1 + how many): ENAS's fed-back input after a layer's skips."""
        return (torch.cat(chosen).sum(0, keepdim=True) if chosen else torch.zeros_like(h)) / (1 + len(chosen))

    @staticmethod
    def pair(s):
        return torch.stack([-s, s])

    @staticmethod
    def softmax(logits):
        return torch.softmax(logits, dim=-1)


class NumpyMath:
    """The same formulas on numpy views of θ (no copies on the CPU; read after every θ step)."""

    tanh = staticmethod(np.tanh)

    def __init__(self, controller):
        self.c = controller
        if controller.kind != "lstm":
            self.start = None
            return
        lstm = controller.lstm
        self.start = _view(controller.start)
        self.w_ih, self.w_hh = _view(lstm.weight_ih).T, _view(lstm.weight_hh).T
        H = self.w_hh.shape[0]
        # the gates i, f, g, o: one tanh of (scale * pre-activation); sigmoid gates are (1 + tanh(x / 2)) / 2
        self.scale = np.full(4 * H, 0.5, dtype=self.start.dtype)
        self.scale[2 * H : 3 * H] = 1
        self.bias = (_view(lstm.bias_ih) + _view(lstm.bias_hh)) * self.scale
        self.w_ih, self.w_hh = self.w_ih * self.scale, self.w_hh * self.scale  # scaled once per walk
        self.H = H
        self.w_op = _view(controller.op_head.weight).T
        self.embedding = _view(controller.op_embedding.weight)
        self.w_anchor, self.w_query = _view(controller.attn_anchor.weight).T, _view(controller.attn_query.weight).T
        self.v = _view(controller.attn_v.weight)[0]

    def logit(self, k: int) -> np.ndarray:
        return _view(self.c.logits[k])

    def lstm(self, x, state=None):
        H = self.H
        if state is None:  # zero state, as nn.LSTMCell's default
            t = np.tanh(x @ self.w_ih + self.bias)
            c = (1 + t[:, :H]) * 0.5 * t[:, 2 * H : 3 * H]
        else:
            h, c = state
            t = np.tanh(x @ self.w_ih + h @ self.w_hh + self.bias)
            c = (1 + t[:, H : 2 * H]) * 0.5 * c + (1 + t[:, :H]) * 0.5 * t[:, 2 * H : 3 * H]
        return (1 + t[:, 3 * H :]) * 0.5 * np.tanh(c), c

    def op_logits(self, h):
        return (h @ self.w_op)[0]

    def embed(self, choice: int):
        return self.embedding[choice : choice + 1]

    def key(self, h):
        return h @ self.w_anchor

    def attention(self, keys, h):
        return np.tanh(np.concatenate(keys) + h @ self.w_query) @ self.v

    @staticmethod
    def zeros(h):
        return np.zeros_like(h)

    @staticmethod
    def mean_with_one(chosen, h):
        return (np.concatenate(chosen).sum(0, keepdims=True) if chosen else np.zeros_like(h)) / (1 + len(chosen))

    @staticmethod
    def pair(s):
        return np.array([-s, s])

    @staticmethod
    def softmax(logits):
        e = np.exp(logits - logits.max())
        return e / e.sum()


def _view(p: torch.Tensor) -> np.ndarray:
    """θ's values as a numpy array: a view of the same memory on the CPU, a copy from another device."""
    return p.detach().cpu().numpy()
