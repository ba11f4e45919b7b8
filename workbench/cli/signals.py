"""Signal handlers for the long-running subcommands (search, retrain): SIGINT/SIGTERM save, then exit.

Owns: `install` (set handlers, return the ones replaced, so the caller restores them). Must not:
decide what a handler does (each subcommand's own on_signal does).
"""

from __future__ import annotations

import contextlib
import signal


def install(handlers: dict) -> dict:
    """Set {signal: handler}; return the handlers they replace (none off the main thread, where Python forbids it)."""
    old = {}
    for sig, handler in handlers.items():
        with contextlib.suppress(ValueError):
            old[sig] = signal.signal(sig, handler)
    return old
