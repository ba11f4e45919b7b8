"""Files written all or nothing: a temporary file beside the target, flushed, fsynced, renamed.

Owns: `atomic_write` (and the folder fsync that makes its rename durable), the name of the
temporary files a killed write leaves behind, and the test hook that pauses a write halfway.
Every file the workbench writes goes through here: checkpoints, run configs, cached data,
ground-truth tables. Must not: know what the bytes mean.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

# Test hook: "NAME=SECONDS" makes every atomic write of a file called NAME pause halfway through
# its temporary file, so a test can kill the process mid-write. Never set outside tests.
SLOW_WRITE_ENV = "WORKBENCH_TEST_SLOW_WRITE"


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
            f.write(data[len(data) // 2 :])
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
