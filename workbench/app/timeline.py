"""The live run's past, kept so the app can go back to any step and branch from it.

    timeline = Timeline(trainer)              # a snapshot of step 0
    timeline.step(trainer, ("shared", None))  # after each step: what was done (and a snapshot every k steps)
    timeline.restore(trainer, 7)              # the trainer exactly as it was after step 7

Owns: the actions that made the run (ω steps of a sampled or a chosen child, θ steps, knob changes),
bounded in-memory snapshots (`trainer.state_dict()` every `every` steps, at most `keep`: when full,
every other one is dropped and the spacing doubles), and restoring a step: the nearest snapshot at
or before it, then the few actions after it replayed (steps are deterministic: same state, same
step), the history cut back to that step. Must not: hold widgets, narrate, or change a run in any
other way than by replaying what it did.
"""

from __future__ import annotations

from ..history import History
from ..trainer import Trainer

Action = tuple  # ("shared", None) · ("child", "node1=relu(stem) …") · ("controller", None) · ("configure", {…})


class Timeline:
    """What the run did step by step, with snapshots to restore any past step from."""

    def __init__(self, trainer: Trainer, every: int = 10, keep: int = 40):
        if every < 1 or keep < 2:
            raise ValueError(f"every={every!r} must be >= 1 and keep={keep!r} >= 2")
        self.every, self.keep = every, keep
        self.actions: list[tuple[int, Action]] = []  # (the step it came after, action)
        self.snapshots: dict[int, dict] = {trainer.step: trainer.state_dict()}
        self.start = trainer.step

    def configure(self, trainer: Trainer, changes: dict) -> None:
        """Knobs changed now, before the next step."""
        self.actions.append((trainer.step, ("configure", dict(changes))))

    def step(self, trainer: Trainer, action: Action) -> None:
        """`trainer` just did `action` (a step)."""
        self.actions.append((trainer.step - 1, action))
        if trainer.step % self.every == 0:
            self.snapshots[trainer.step] = trainer.state_dict()
            if len(self.snapshots) > self.keep:
                self._thin()

    def _thin(self) -> None:
        """Keep the first snapshot and every other one after it; space the next ones twice as far."""
        self.every *= 2
        self.snapshots = {s: v for s, v in self.snapshots.items() if s == self.start or s % self.every == 0}

    def restore(self, trainer: Trainer, step: int) -> int:
        """Bring `trainer` back to how it was right after `step`; later actions are forgotten (a branch).
        Returns the number of steps replayed from the nearest snapshot."""
        if not self.start <= step <= trainer.step:
            raise ValueError(f"cannot go back to step {step}: the run's steps are {self.start}..{trainer.step}")
        base = max(s for s in self.snapshots if s <= step)
        trainer.load_state_dict(self.snapshots[base])
        trainer.history = History([r for r in trainer.history if r.step <= base])
        replay = [a for at, a in self.actions if base <= at < step]  # a knob change after `step` is dropped
        self.actions = [(at, a) for at, a in self.actions if at < base]
        for action in replay:
            apply(trainer, action)
            self.actions.append((trainer.step if action[0] == "configure" else trainer.step - 1, action))
        self.snapshots = {s: v for s, v in self.snapshots.items() if s <= step}
        return sum(a[0] != "configure" for a in replay)

    def runs(self) -> list[list]:
        """The actions as an AppState's replay list: runs of ω and θ steps, chosen children, knob changes."""
        out: list[list] = []
        for _, (kind, value) in self.actions:
            if kind in ("shared", "controller") and out and out[-1][0] == kind:
                out[-1][1] += 1
            elif kind in ("shared", "controller"):
                out.append([kind, 1])
            else:
                out.append([kind, value])
        return out


def apply(trainer: Trainer, action: Action):
    """Do `action` on `trainer` as the app does it (ω steps measure the loss after, for the narration)."""
    kind, value = action
    if kind == "shared":
        return trainer.shared_step(loss_after=True)
    if kind == "child":
        return trainer.shared_step(trainer.space.parse(value), loss_after=True)
    if kind == "controller":
        return trainer.controller_step()
    if kind == "configure":
        return trainer.configure(**value)
    raise ValueError(f"unknown action {kind!r}; valid: shared, child, controller, configure")
