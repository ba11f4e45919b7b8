"""Checkpoint files: written all or nothing, verified by a checksum, read without unpickling code.

Owns: atomic writes (temporary file beside the target, flush, fsync, rename, fsync the folder),
the checksum of a state (SHA-256 over every tensor's bytes and every plain value, in order), and
the checkpoint format: `torch.save` of {"format", "version", "sha256", "payload"} where the
payload holds only tensors and plain values, read back with `torch.load(..., weights_only=True)`.
A file that cannot be read, is not a checkpoint, or whose checksum does not match raises
CheckpointError: it is never used. Must not: know what the payload means (the Trainer does).
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
import time
from pathlib import Path

import torch

FORMAT = "enas-workbench-checkpoint"
VERSION = 1
# Test hook: "NAME=SECONDS" makes every atomic write of a file called NAME pause halfway through
# its temporary file, so a test can kill the process mid-write. Never set outside tests.
SLOW_WRITE_ENV = "WORKBENCH_TEST_SLOW_WRITE"


class CheckpointError(ValueError):
    """A checkpoint (or the log that goes with it) is missing, torn, corrupt or from another run."""


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` all or nothing: a temporary file beside it, flushed, fsynced, renamed."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a run folder is meant to be shared
        with os.fdopen(fd, "wb") as f:
            f.write(data[: len(data) // 2])
            _maybe_pause(path.name, f)
            f.write(data[len(data) // 2:])
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: str | os.PathLike) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def is_temp_file(name: str) -> bool:
    """Whether `name` is a temporary file that `atomic_write` leaves behind when killed."""
    return name.startswith(".") and name.endswith(".tmp")


def _maybe_pause(name: str, f) -> None:
    target, _, seconds = os.environ.get(SLOW_WRITE_ENV, "").partition("=")
    if target == name and seconds:
        f.flush()
        time.sleep(float(seconds))


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
    return state_digest({"name": dataset.name, "classes": dataset.num_classes,
                         "splits": [dataset.split(s) for s in ("train", "val", "test")]})


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
        raise CheckpointError(f"checkpoint {path} is torn or corrupt and was not used: cannot read it ({reason})") from None
    if not isinstance(outer, dict) or outer.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not an ENAS Workbench checkpoint (no {FORMAT!r} header)")
    if outer.get("version") != VERSION:
        raise CheckpointError(f"checkpoint {path} has format version {outer.get('version')!r}; "
                              f"this workbench reads version {VERSION}")
    try:
        digest = state_digest(outer.get("payload"))
    except TypeError as e:
        raise CheckpointError(f"checkpoint {path} is corrupt and was not used: {e}") from None
    if digest != outer.get("sha256") or not isinstance(outer["payload"], dict):
        raise CheckpointError(f"checkpoint {path} is corrupt and was not used: its checksum does not match "
                              f"(stored {str(outer.get('sha256'))[:12]}…, computed {digest[:12]}…)")
    return outer["payload"]
