"""The narration log: the last N things the app said, with their step numbers, across branches.

Owns: the entries (branch, step, text, kind: a step, a collapse alarm, a fork, a note), the fork
marks (going back to a step starts a new branch; the old branch's later lines stay, marked as
such) and the log as HTML for its tab, newest first. Must not: narrate a record (text.py does),
or touch the run.
"""

from __future__ import annotations

import html
from collections import deque
from dataclasses import dataclass

KINDS = ("step", "alarm", "fork", "note")


@dataclass(frozen=True)
class Entry:
    """One line of the log."""

    branch: int  # 0 for the first run; each branch from the past adds one
    step: int
    text: str
    kind: str = "step"  # one of KINDS


class NarrationLog:
    """The last `size` lines the app narrated, oldest first."""

    def __init__(self, size: int = 200):
        if size < 1:
            raise ValueError(f"size={size!r} must be a positive int")
        self.entries: deque[Entry] = deque(maxlen=size)
        self.branch = 0
        self.forks: list[tuple[int, int, int]] = []  # (new branch, the step it left from, the old branch's last step)

    def add(self, step: int, text: str, kind: str = "step") -> Entry:
        if kind not in KINDS:
            raise ValueError(f"unknown log entry kind {kind!r}; valid: {', '.join(KINDS)}")
        entry = Entry(self.branch, step, text, kind)
        self.entries.append(entry)
        return entry

    def fork(self, step: int, last: int, text: str) -> Entry:
        """A new branch leaves the current one at `step` (the current one went on to `last`)."""
        self.branch += 1
        self.forks.append((self.branch, step, last))
        return self.add(step, text, "fork")

    def abandoned(self, entry: Entry) -> bool:
        """Whether `entry` lies on a branch the run has left (a step after a later fork's start)."""
        return any(entry.branch < b and entry.step > at for b, at, _ in self.forks)

    def lines(self, n: int | None = None) -> list[Entry]:
        """The last `n` entries (all by default), oldest first."""
        items = list(self.entries)
        return items if n is None else items[-n:]

    def html(self, labels: dict, n: int = 80) -> str:
        """The last `n` entries, newest first; lines of an abandoned branch are marked and greyed."""
        rows = []
        for e in reversed(self.lines(n)):
            old = self.abandoned(e)
            css = f"wb-log-{e.kind}" + (" wb-log-old" if old else "")
            tag = f" <span class='wb-log-branch'>{html.escape(labels['log_old_branch'])}</span>" if old else ""
            step = html.escape(labels["log_step"].format(n=e.step))
            rows.append(f"<li class='{css}'><span class='wb-log-n'>{step}</span>{tag} {html.escape(e.text)}</li>")
        if not rows:
            return f"<div class='wb-log-empty'>{html.escape(labels['log_empty'])}</div>"
        return "<ol class='wb-log-list'>" + "".join(rows) + "</ol>"
