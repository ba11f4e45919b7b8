"""Fingerprints of states and data: SHA-256 over tensors' bytes and plain values, in order.

Owns: `state_digest` (what a checkpoint's checksum is) and `data_sha256` (the fingerprint that
keeps a run from resuming on other data). Must not: read or write files.
"""

from __future__ import annotations

import hashlib

import torch


def state_digest(obj) -> str:
    """SHA-256 of a nested state: dicts (in order), lists, tuples, tensors (dtype, shape, bytes), plain values."""
    h = hashlib.sha256()
    _feed(h, obj)
    return h.hexdigest()


def _feed(h, obj) -> None:
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous()
        h.update(f"T{t.dtype}{tuple(t.shape)}:".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    elif isinstance(obj, dict):
        h.update(f"D{len(obj)}:".encode())
        for key, value in obj.items():
            _feed(h, key)
            _feed(h, value)
    elif isinstance(obj, (list, tuple)):
        h.update(f"L{len(obj)}:".encode())
        for value in obj:
            _feed(h, value)
    elif obj is None or isinstance(obj, (bool, int, float, str)):
        h.update(f"{type(obj).__name__}:{obj!r};".encode())
    else:
        raise TypeError(f"a checkpoint holds tensors and plain values only, not {type(obj).__name__}: {obj!r}")


def data_sha256(dataset) -> str:
    """A fingerprint of a Dataset's splits, so a run is never resumed on other data."""
    return state_digest(
        {
            "name": dataset.name,
            "classes": dataset.num_classes,
            "splits": [dataset.split(s) for s in ("train", "val", "test")],
        }
    )
