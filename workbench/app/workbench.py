"""The workbench app: step through ENAS's alternating updates with buttons, narration and live views.

Owns: what each stepping control does (step, alternate, sample, reset, Play, scrub, knobs), the
counter, phase and narration of the step shown, what every step leaves behind (the timeline that
can restore it, the narration log, the collapse alarm), and which views an action redraws. The
widgets are made in layout.py and sit where dashboard.py puts them; the scenarios, saving and
branching are in sessions.py, the child tools and clicks on the views in tools.py; the frame a step
shows comes from frames.py, a replayed run from replay.py. Must not: do training arithmetic (the
Trainer does), or draw.
"""

from __future__ import annotations

import asyncio
import html
import time
from pathlib import Path

import torch

from .. import seeds
from ..arch import Arch
from ..history import History
from ..trainer import Trainer
from ..viz.view import Frame
from . import dashboard, scenarios, text
from .alarm import CollapseAlarm
from .frames import OMEGA_STEP, SAMPLED, frame_at
from .layout import Layout
from .narration import counter, narrate
from .narration_log import NarrationLog
from .replay import Replay
from .sessions import Sessions
from .state import PRESETS
from .timeline import Timeline
from .tools import Tools


class Workbench(Layout, Sessions, Tools):
    """Buttons, narration and the live views around one Trainer, or around a replayed run."""

    def __init__(
        self,
        trainer: Trainer | None = None,
        preset: str = "classroom",
        lang: str = "en",
        *,
        scenario: str | None = None,
        _replay: Replay | None = None,
    ):
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; valid: {', '.join(PRESETS)}")
        self.lang, self.preset, self._t = lang, preset, text.labels(lang)
        if trainer is not None and not isinstance(trainer, Trainer):
            raise TypeError(f"trainer must be a wb.Trainer, got {type(trainer).__name__}")
        if scenario not in (None, "custom"):
            scenarios.get(scenario)
        self.replaying = _replay is not None
        if trainer is None and not self.replaying:
            trainer = self._scenario_trainer(scenario or scenarios.DEFAULT, "teaching", seed=0)
        self.trainer = None if self.replaying else trainer
        self.space = _replay.space if self.replaying else self.trainer.space
        self._replay = _replay
        self.scenario = scenario or self._matching_scenario()
        self._initial_policy = _replay.initial_policy if self.replaying else self.trainer.controller.greedy_policy()[1]
        self._blocks = self.space.block_names()
        self._sample_gen = seeds.generator(getattr(self.trainer, "seed", 0), "app-samples")
        self._schedule_pos = 0
        self._task: asyncio.Task | None = None
        self._syncing = False
        self.selected: str | None = None  # the block or node picked in a view (every view highlights it)
        self.log = NarrationLog()
        self.alarm = CollapseAlarm()
        self.alarm.reset(self.history)
        self._alarms: list[str] = []  # verdict changes during the current action, for its narration
        self.timeline = None if self.replaying else Timeline(self.trainer)
        self._build_widgets()
        self.views = dashboard.live_views(self._frame(self._n()), hidden=self._hidden_views())
        self._build_tabs()
        self._show(
            self._n(),
            narration=self._t["ready"]
            if not self.replaying
            else self._t["replaying"].format(path=Path(_replay.path).name, n=self._n()),
        )

    # ---- construction ---------------------------------------------------------------------
    @classmethod
    def replay(cls, path: str | Path, preset: str = "classroom", lang: str = "en") -> Workbench:
        """Replay a run folder written by `python -m workbench search`, step by step, without training."""
        return cls(None, preset, lang, _replay=Replay.read(path))

    # ---- what the views show ---------------------------------------------------------------
    @property
    def history(self) -> History:
        return self._replay.history if self.replaying else self.trainer.history

    def _n(self) -> int:
        """The number of the last step (0 before the first)."""
        h = self.history
        return h[-1].step if len(h) else 0

    def _frame(self, step: int, arch: Arch | None = None, policy=None) -> Frame:
        """The run as it was after `step`; `arch` / `policy` override the highlighted child and its bars."""
        live = self.trainer if not self.replaying and step == self._n() else None
        return frame_at(
            self.history, step, self.space, self._blocks, self._initial_policy, live, arch, policy,
            lang=self.lang, selected=self.selected,
        )  # fmt: skip

    def _narrate(self, record) -> str:
        if record.phase == "skipped":
            return record.reason
        return narrate(record, len(self._blocks), self.lang, self._why(record) if record.phase == "shared" else "")

    def _show(self, step: int, narration: str | None = None, frame: Frame | None = None, changed=None) -> None:
        """Redraw counter, phase, narration and the views for `step` (the latest step when live);
        `changed`: the Frame fields that moved (default: all), so only the views that read them redraw."""
        t = self._t
        total = self._n()
        record = next((r for r in reversed(self.history) if r.step <= step), None)
        phase = (
            "phase_replay"
            if self.replaying
            else f"phase_{record.phase}"
            if record and record.phase != "skipped"
            else "phase_idle"
        )
        self.phase.value = t[phase]
        if narration is None and record is not None:
            narration = self._narrate(record)
        if narration is not None:
            self.narration.value = html.escape(" ".join([*self._alarms, narration]), quote=False)
        self._alarms = []
        self.counter.value = counter(step, total, self.lang)  # set last: the browser tests wait for it
        self._syncing = True
        try:
            self.scrubber.max = max(total, 1)
            self.scrubber.value = step
        finally:
            self._syncing = False
        self.branch_button.disabled = self.replaying or step == total
        self.views.update(frame or self._frame(step), changed)

    def _guard(self, action, *args) -> None:
        """Run a user action; show any error in the message area and keep the app usable."""
        self.message.value = ""
        try:
            action(*args)
        except Exception as e:  # noqa: BLE001 - the app reports every failure and stays alive
            self._report(e)
            self.play_button.value = False

    def _reported(self, action, *args) -> None:
        """Run what the page asked for (a view's new size, a tab shown): an error shows in the message
        area, which is not cleared first (the page's events must not wipe a message the user is reading)."""
        try:
            action(*args)
        except Exception as e:  # noqa: BLE001 - the app reports every failure and stays alive
            self._report(e)

    def _report(self, error: Exception) -> None:
        self.message.value = f"<b>{self._t['error']}:</b> {html.escape(str(error), quote=False)}"

    # ---- what every step leaves behind -----------------------------------------------------
    def _did(self, record, action: tuple) -> None:
        """After a step: remember it (branching, saving), log its narration, check the collapse verdict."""
        self.timeline.step(self.trainer, action)
        self.log.add(record.step, self._narrate(record))
        if record.phase == "controller":
            change = self.alarm.check(self.history)
            if change is not None:
                words = change.sentence(self.lang)
                self.log.add(record.step, words, "alarm")
                if change.before != "too early":  # the first verdict is only logged: the checks just began
                    self._alarms.append(words)
                if change.alarming or self.banner.layout.display != "none":
                    self._raise_banner(words, change.alarming)
        self._refresh_log()

    def _raise_banner(self, words: str, alarming: bool) -> None:
        self.banner_text.value = html.escape(words, quote=False)
        self.banner.remove_class("wb-alarm-ok") if alarming else self.banner.add_class("wb-alarm-ok")
        self.banner.layout.display = ""

    def dismiss_alarm(self) -> None:
        """Hide the collapse banner (until the verdict changes again)."""
        self.banner.layout.display = "none"

    # ---- actions ---------------------------------------------------------------------------
    def sample(self) -> Arch:
        """Sample a child from the controller and highlight it (no training, the run is untouched)."""
        c = self.trainer.controller
        with torch.no_grad():
            s = c.sample(self._sample_gen)
        policy = c.policy_along(s.arch)
        words = self._t["sampled"].format(arch=s.arch, p=float(s.log_prob.exp()))
        frame = self._frame(self._n(), arch=s.arch, policy=policy)
        self._show(self._n(), words, frame=frame, changed=SAMPLED)
        return s.arch

    def step_shared(self):
        """One ω step (θ frozen)."""
        record = self.trainer.shared_step(loss_after=True)  # the narration says how the loss moved
        self._did(record, ("shared", None))
        self._show(record.step, changed=OMEGA_STEP)
        return record

    def step_controller(self):
        """One θ step (ω frozen)."""
        record = self.trainer.controller_step()
        self._did(record, ("controller", None))
        self._show(record.step)
        return record

    def alternate(self) -> None:
        """The configured ω steps, then the configured θ steps; the views redraw once at the end."""
        try:
            for _ in range(self.shared_steps.value):
                self._did(self.trainer.shared_step(loss_after=True), ("shared", None))  # each narrates its loss
            for _ in range(self.controller_steps.value):
                self._did(self.trainer.controller_step(), ("controller", None))
        finally:
            self._schedule_pos = 0
            self._show(self._n())

    def next_step(self):
        """The next step of the alternation schedule (what Play does on each tick)."""
        a, b = self.shared_steps.value, self.controller_steps.value
        pos = self._schedule_pos % (a + b)
        self._schedule_pos = pos + 1
        return self.step_shared() if pos < a else self.step_controller()

    def reset(self) -> None:
        """A new trainer with the same config: the same seed (replays identically) or the next one."""
        old = self.trainer
        seed = old.seed if self.same_seed.value else old.seed + 1
        trainer = Trainer(old.space, data=old.data, config=old.config, seed=seed, device=old.device)
        self._start(trainer, self._t["reset_done"].format(seed=seed))

    def _start(self, trainer: Trainer, words: str) -> None:
        """Show a fresh `trainer` (a reset, a new scenario, a loaded state), its first step narrated by `words`."""
        self.play_button.value = False
        self.trainer, self.selected = trainer, None
        self._initial_policy = trainer.controller.greedy_policy()[1]
        self._schedule_pos = 0
        self.timeline = Timeline(trainer)
        self.alarm.reset(trainer.history)
        self.dismiss_alarm()
        self._sync_knobs()
        self.log.add(trainer.step, words, "note")
        self._refresh_log()
        self._show(self._n(), words)

    # ---- play, scrub, knobs, tabs ----------------------------------------------------------
    def _on_play(self, change) -> None:
        self.play_button.description = self._t["pause" if change["new"] else "play"]
        self.play_button.icon = "pause" if change["new"] else "play"
        if change["new"] and (self._task is None or self._task.done()):
            self._task = asyncio.ensure_future(self.play())

    async def play(self, max_steps: int | None = None) -> int:
        """Step while Play is pressed (or for `max_steps`), yielding to the kernel between steps."""
        done = 0
        if max_steps is not None:
            self._task = asyncio.current_task()  # so pressing Play below does not start a second loop
            self.play_button.value = True
        due = time.perf_counter()
        while self.play_button.value and (max_steps is None or done < max_steps):
            self._guard(self.next_step)
            done += 1
            # on a steady beat at the speed asked for (the step's own time counts): a step that ran late is
            # made up by the next ones, never more than one beat's worth (a stall is not followed by a
            # burst), and the loop always yields so a click on Pause is heard
            beat = 1.0 / self.speed.value
            due = max(due + beat, time.perf_counter() - beat)
            await asyncio.sleep(max(due - time.perf_counter(), 0.0))
        if max_steps is not None:
            self.play_button.value = False
        return done

    def _on_scrub(self, change) -> None:
        if not self._syncing:
            self._guard(self._show, change["new"])

    def _on_tab(self, change) -> None:
        self._reported(self.views.show_only, self._hidden_views())
        if change["new"] == self._tool_tab_index("tab_log"):
            self._refresh_log()

    def _on_knob(self, name: str, change) -> None:
        if self._syncing:
            return
        value = change["new"]
        if name == "tanh_constant" and value == 0:
            value = None
        try:
            self.trainer.configure(**{name: value})
        except Exception as e:  # noqa: BLE001 - a refused value is reported, the knob shows the value in force
            self._report(e)
            self._sync_knobs()
        else:
            self.timeline.configure(self.trainer, {name: value})
            self.message.value = ""

    def _sync_knobs(self) -> None:
        """The knobs show the config in force."""
        self._syncing = True
        try:
            for name, w in self.knobs.items():
                value = getattr(self.trainer.config, name)
                w.value = 0.0 if value is None else value
        finally:
            self._syncing = False
