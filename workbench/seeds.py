"""Named random streams: every seed the workbench derives from a user's seed, in one table.

    seeds.derive(7, "children")        # the seed of trainer 7's sampled-children generator
    seeds.generator(7, "batches")      # a torch.Generator seeded with it

Owns: the stream names and the derivation (one affine map per stream, so the same user seed gives
the same run bit for bit, and changing one stream's use never shifts another's). Must not: hold a
generator or any other state.
"""

from __future__ import annotations

import torch

# name -> stream number. The numbers are part of every recorded run and of the shipped ground
# truth: changing one changes results that were reproducible before.
STREAMS: dict[str, int] = {
    "supernet": 0,  # the trainer's initial shared weights ω
    "controller": 1,  # the trainer's initial policy θ
    "batches": 2,  # the trainer's minibatch order and validation minibatches
    "children": 3,  # the children the trainer samples (controller, uniform or fair)
    "standalone-batches": 1,  # ground truth: the batch order of a stand-alone training (weights use the seed itself)
    "derive": 4,  # Trainer.derive: the children drawn from the final policy and their validation minibatch
    "app-samples": 99,  # the app's Sample button (never the trainer's streams: sampling there changes no run)
}
_MODULUS = 2**63 - 1


def derive(seed: int, stream: str) -> int:
    """The seed of `stream` for user seed `seed` (a non-negative int)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if stream not in STREAMS:
        raise ValueError(f"unknown random stream {stream!r}; valid: {', '.join(STREAMS)}")
    return (seed * 1_000_003 + STREAMS[stream] * 7_919) % _MODULUS


def generator(seed: int, stream: str) -> torch.Generator:
    """A CPU torch.Generator seeded for `stream` of user seed `seed`."""
    return torch.Generator().manual_seed(derive(seed, stream))
