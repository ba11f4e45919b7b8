"""Checkpoint files: written all or nothing, verified by a checksum, read without unpickling code.

Owns: the checkpoint format (atomic.py writes it, digest.py computes its checksum): `torch.save`
of {"format", "version", "sha256", "payload"} where the payload holds only tensors and plain
values, read back with `torch.load(..., weights_only=True)`.
A file that cannot be read, is not a checkpoint, or whose checksum does not match raises
CheckpointError: it is never used. Must not: know what the payload means (the Trainer does).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import torch

from .atomic import atomic_write
from .digest import state_digest

FORMAT = "enas-workbench-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint (or the log that goes with it) is missing, torn, corrupt or from another run."""


def save_checkpoint(path: str | os.PathLike, payload: dict) -> str:
    """Write `payload` (tensors and plain values) to `path` atomically with its checksum; return the checksum."""
    digest = state_digest(payload)
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "version": VERSION, "sha256": digest, "payload": payload}, buffer)
    atomic_write(path, buffer.getvalue())
    return digest


def load_checkpoint(path: str | os.PathLike) -> dict:
    """The payload of the checkpoint at `path`, after checking its format and checksum."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    try:
        outer = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for a damaged zip or pickle; all mean the same here
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointError(
            f"checkpoint {path} is torn or corrupt and was not used: cannot read it ({reason})"
        ) from None
    if not isinstance(outer, dict) or outer.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not an ENAS Workbench checkpoint (no {FORMAT!r} header)")
    if outer.get("version") != VERSION:
        raise CheckpointError(
            f"checkpoint {path} has format version {outer.get('version')!r}; this workbench reads version {VERSION}"
        )
    try:
        digest = state_digest(outer.get("payload"))
    except TypeError as e:
        raise CheckpointError(f"checkpoint {path} is corrupt and was not used: {e}") from None
    if digest != outer.get("sha256") or not isinstance(outer["payload"], dict):
        raise CheckpointError(
            f"checkpoint {path} is corrupt and was not used: its checksum does not match "
            f"(stored {str(outer.get('sha256'))[:12]}…, computed {digest[:12]}…)"
        )
    return outer["payload"]
