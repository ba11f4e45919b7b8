"""The workbench app: step through ENAS's alternating updates with buttons, narration and live views.

Owns: what each control does (step, alternate, sample, reset, Play, scrub, knobs), the counter,
phase and narration of the step shown, and which views an action redraws. The widgets come from
controls.py, the frame a step shows from frames.py, a replayed run from replay.py, the figures from
the viz view registry (views.py). Must not: do training arithmetic (the Trainer does), or draw.
"""

from __future__ import annotations

import asyncio
import html
from pathlib import Path

import ipywidgets as W
import torch

from .. import seeds
from ..arch import Arch
from ..history import History
from ..trainer import Trainer
from ..viz.view import Frame
from . import controls, text
from .frames import frame_at, greedy_policy, policy_along
from .replay import Replay
from .views import LiveViews

PRESETS = ("classroom", "debug")
_OMEGA_STEP = ("arch", "arch_policy", "counts", "history")  # what an ω step changes: θ did not move
_SAMPLED = ("arch", "arch_policy", "policy", "policy_arch", "previous")  # what Sample changes: no record, no count


class Workbench:
    """Buttons, narration and the live views around one Trainer, or around a replayed run."""

    def __init__(
        self,
        trainer: Trainer | None = None,
        preset: str = "classroom",
        lang: str = "en",
        *,
        _replay: Replay | None = None,
    ):
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; valid: {', '.join(PRESETS)}")
        self.lang, self.preset, self._t = lang, preset, text.labels(lang)
        if trainer is not None and not isinstance(trainer, Trainer):
            raise TypeError(f"trainer must be a wb.Trainer, got {type(trainer).__name__}")
        self.replaying = _replay is not None
        self.trainer = None if self.replaying else (trainer or Trainer("teaching"))
        self.space = _replay.space if self.replaying else self.trainer.space
        self._replay = _replay
        self._initial_policy = _replay.initial_policy if self.replaying else greedy_policy(self.trainer.controller)
        self._blocks = self.space.block_names()
        self._sample_gen = seeds.generator(getattr(self.trainer, "seed", 0), "app-samples")
        self._schedule_pos = 0
        self._task: asyncio.Task | None = None
        self._syncing = False
        self._build_widgets()
        self.views = LiveViews(self._frame(self._n()))
        self._show(
            self._n(),
            narration=self._t["ready"]
            if not self.replaying
            else self._t["replaying"].format(path=_replay.path, n=self._n()),
        )

    # ---- construction ---------------------------------------------------------------------
    @classmethod
    def replay(cls, path: str | Path, preset: str = "classroom", lang: str = "en") -> Workbench:
        """Replay a run folder written by `python -m workbench search`, step by step, without training."""
        return cls(None, preset, lang, _replay=Replay.read(path))

    def _button(self, key: str, css: str, action, icon: str) -> W.Button:
        return controls.button(self._t[key], css, lambda: self._guard(action), icon)

    def _build_widgets(self) -> None:
        t, cfg = self._t, self.trainer.config if self.trainer else None
        self.sample_button = self._button("sample", "wb-sample", self.sample, "random")
        self.shared_button = self._button("step_shared", "wb-step-shared", self.step_shared, "step-forward")
        self.controller_button = self._button(
            "step_controller", "wb-step-controller", self.step_controller, "step-forward"
        )
        self.alternate_button = self._button("alternate", "wb-alternate", self.alternate, "forward")
        self.reset_button = self._button("reset", "wb-reset", self.reset, "undo")
        self.play_button = controls.play_button(t)
        self.play_button.observe(self._on_play, "value")
        self.speed, self.same_seed = controls.speed(t), controls.same_seed(t)
        self.counter, self.phase, self.narration, self.message = controls.readouts()
        self.scrubber = controls.scrubber(t, self._n())
        self.scrubber.observe(self._on_scrub, "value")
        self.shared_steps, self.controller_steps = controls.step_counts(
            t, self.trainer.steps_per_epoch if self.trainer else 1, max(cfg.controller_steps, 1) if cfg else 1
        )
        self.knobs = controls.knobs(t, cfg)
        for name, w in self.knobs.items():
            w.observe(lambda change, name=name: self._on_knob(name, change), "value")
        self._controls = [
            self.sample_button,
            self.shared_button,
            self.controller_button,
            self.alternate_button,
            self.play_button,
            self.speed,
            self.reset_button,
            self.same_seed,
        ]
        if self.replaying:
            for w in self._controls:
                w.disabled = True
        self.knob_panel = controls.knob_panel(
            t,
            (self.shared_steps, self.controller_steps),
            self.knobs,
            shown=self.preset == "debug" and not self.replaying,
        )

    @property
    def widget(self) -> W.Widget:
        """The whole app as one ipywidgets box (display it, or put it in a layout of your own)."""
        if not hasattr(self, "_widget"):
            self._widget = controls.page(
                self._controls,
                (self.counter, self.phase, self.narration, self.message),
                self.scrubber,
                self.knob_panel,
                list(self.views.widgets.values()),
            )
        return self._widget

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

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
        return frame_at(self.history, step, self.space, self._blocks, self._initial_policy, live, arch, policy)

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
            skipped = record.phase == "skipped"
            narration = record.reason if skipped else text.narrate(record, len(self._blocks), self.lang)
        if narration is not None:
            self.narration.value = html.escape(narration)
        self.counter.value = f"{t['step']} {step}" + (f" {t['of']} {total}" if step != total else "")  # set last
        self._syncing = True
        try:
            self.scrubber.max = max(total, 1)
            self.scrubber.value = step
        finally:
            self._syncing = False
        self.views.update(frame or self._frame(step), changed)

    def _guard(self, action, *args) -> None:
        """Run a user action; show any error in the message area and keep the app usable."""
        self.message.value = ""
        try:
            action(*args)
        except Exception as e:  # noqa: BLE001 - the app reports every failure and stays alive
            self._report(e)
            self.play_button.value = False

    def _report(self, error: Exception) -> None:
        self.message.value = f"<b>{self._t['error']}:</b> {html.escape(str(error))}"

    # ---- actions ---------------------------------------------------------------------------
    def sample(self) -> Arch:
        """Sample a child from the controller and highlight it (no training, the run is untouched)."""
        c = self.trainer.controller
        with torch.no_grad():
            s = c.sample(self._sample_gen)
        policy = policy_along(c, s.arch)
        p = float(s.log_prob.exp())
        words = {
            "en": f"Sampled child {s.arch} (probability {p:.2e} under the controller). No weights changed.",
            "zh": f"采样子模型 {s.arch}（控制器给出的概率 {p:.2e}）。没有权重被修改。",
        }[self.lang]
        frame = self._frame(self._n(), arch=s.arch, policy=policy)
        self._show(self._n(), words, frame=frame, changed=_SAMPLED)
        return s.arch

    def step_shared(self):
        """One ω step (θ frozen)."""
        record = self.trainer.shared_step(loss_after=True)  # the narration says how the loss moved
        self._show(record.step, changed=_OMEGA_STEP)
        return record

    def step_controller(self):
        """One θ step (ω frozen)."""
        record = self.trainer.controller_step()
        self._show(record.step)
        return record

    def alternate(self) -> None:
        """The configured ω steps, then the configured θ steps; the views redraw once at the end."""
        for _ in range(self.shared_steps.value):
            self.trainer.shared_step(loss_after=True)  # scrubbed back to, each narrates its loss
        for _ in range(self.controller_steps.value):
            self.trainer.controller_step()
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
        self.play_button.value = False
        old = self.trainer
        seed = old.seed if self.same_seed.value else old.seed + 1
        self.trainer = Trainer(old.space, data=old.data, config=old.config, seed=seed, device=old.device)
        self._initial_policy = greedy_policy(self.trainer.controller)
        self._schedule_pos = 0
        words = {
            "en": f"Reset: a fresh supernet and controller, seed {seed}.",
            "zh": f"已重置：新的超网络和控制器，种子 {seed}。",
        }
        self._show(0, words[self.lang])

    # ---- play, scrub, knobs ----------------------------------------------------------------
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
        while self.play_button.value and (max_steps is None or done < max_steps):
            self._guard(self.next_step)
            done += 1
            await asyncio.sleep(1.0 / self.speed.value)
        if max_steps is not None:
            self.play_button.value = False
        return done

    def _on_scrub(self, change) -> None:
        if not self._syncing:
            self._guard(self._show, change["new"])

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
            self._syncing = True
            try:
                old = getattr(self.trainer.config, name)
                change["owner"].value = 0.0 if old is None else old
            finally:
                self._syncing = False
        else:
            self.message.value = ""
