"""The workbench app: step through ENAS's alternating updates with buttons, narration and live views.

Owns: the widgets (controls, knobs, counter, phase, narration, message area, history scrubber),
the Play loop, and deciding which step of the run the views show. Every number comes from the
Trainer's records or the viz data layers. Must not: do training arithmetic (the Trainer does).
"""
from __future__ import annotations

import asyncio
import html
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as W
import torch

from ..arch import Arch
from ..config import SAMPLERS
from ..controller import Controller
from ..history import History
from ..runs import RunFolder
from .. import seeds
from ..trainer import Trainer
from ..tracking import UpdateCounts
from . import text
from .views import Frame, LiveViews

PRESETS = ("classroom", "debug")


@dataclass(frozen=True)
class _Replay:
    """A run read back from its folder: what the app shows instead of a live trainer."""

    space: object
    history: History
    initial_policy: tuple[tuple[float, ...], ...]  # the run's θ before its first step
    path: str
_KNOBS = {  # TrainerConfig field -> widget factory (debug preset)
    "shared_lr": W.BoundedFloatText, "controller_lr": W.BoundedFloatText, "temperature": W.BoundedFloatText,
    "tanh_constant": W.BoundedFloatText, "entropy_weight": W.BoundedFloatText, "baseline_decay": W.BoundedFloatText,
}
_STYLE = """<style>
.wb-app {font-size: 16px}
.wb-app .widget-button, .wb-app .widget-toggle-button {font-size: 16px; height: 36px}
.wb-step-counter {font-size: 22px; font-weight: 600; min-width: 9em}
.wb-phase {font-size: 18px; padding: 2px 10px; border-radius: 6px; background: #eef3f8}
.wb-narration {font-size: 17px; line-height: 1.35; min-height: 3em}
.wb-message {color: #B03A00; font-size: 16px}
</style>"""


class Workbench:
    """Buttons, narration and five live figures around one Trainer, or around a replayed run."""

    def __init__(self, trainer: Trainer | None = None, preset: str = "classroom", lang: str = "en",
                 *, _replay: _Replay | None = None):
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; valid: {', '.join(PRESETS)}")
        self.lang, self.preset, self._t = lang, preset, text.labels(lang)
        if trainer is not None and not isinstance(trainer, Trainer):
            raise TypeError(f"trainer must be a wb.Trainer, got {type(trainer).__name__}")
        self.replaying = _replay is not None
        self.trainer = None if self.replaying else (trainer or Trainer("teaching"))
        self.space = _replay.space if self.replaying else self.trainer.space
        self._replay = _replay
        self._initial_policy = _replay.initial_policy if self.replaying else self._policy_now()
        self._blocks = self.space.block_names()
        self._sample_gen = seeds.generator(getattr(self.trainer, "seed", 0), "app-samples")
        self._schedule_pos = 0
        self._task: asyncio.Task | None = None
        self._syncing = False
        self._build_widgets()
        self.views = LiveViews(self._frame(self._n()))
        self._show(self._n(), narration=self._t["ready"] if not self.replaying else
                   self._t["replaying"].format(path=_replay.path, n=self._n()))

    # ---- construction ---------------------------------------------------------------------
    @classmethod
    def replay(cls, path: str | Path, preset: str = "classroom", lang: str = "en") -> "Workbench":
        """Replay a run folder written by `python -m workbench search`, step by step, without training."""
        folder = RunFolder(path)
        if not folder.holds_run():
            raise ValueError(f"{path} holds no run (no config.json); make one with `python -m workbench search --out {path}`")
        run = folder.read_config()
        from .. import spaces
        from ..config import TrainerConfig

        space = spaces.get(run["space"], **run["space_options"])
        config = TrainerConfig.for_space(space).replace(**run["config"])
        history = History.from_log(path)
        controller = Controller.for_run(space, config, int(run["seed"]))  # the run's θ before its first step
        initial = tuple(tuple(p.tolist()) for p in controller.distributions(controller.most_likely()))
        return cls(None, preset, lang, _replay=_Replay(space, history, initial, str(path)))

    def _button(self, key: str, css: str, handler, icon: str = "") -> W.Button:
        b = W.Button(description=self._t[key], icon=icon, layout=W.Layout(width="auto"))
        b.add_class(css)
        b.on_click(lambda _: self._guard(handler))
        return b

    def _build_widgets(self) -> None:
        t = self._t
        self.sample_button = self._button("sample", "wb-sample", self.sample, "random")
        self.shared_button = self._button("step_shared", "wb-step-shared", self.step_shared, "step-forward")
        self.controller_button = self._button("step_controller", "wb-step-controller", self.step_controller, "step-forward")
        self.alternate_button = self._button("alternate", "wb-alternate", self.alternate, "forward")
        self.reset_button = self._button("reset", "wb-reset", self.reset, "undo")
        self.play_button = W.ToggleButton(description=t["play"], icon="play", layout=W.Layout(width="auto"))
        self.play_button.add_class("wb-play")
        self.play_button.observe(self._on_play, "value")
        self.speed = W.FloatSlider(value=5.0, min=0.5, max=20.0, step=0.5, description=t["speed"],
                                   readout_format=".1f", layout=W.Layout(width="260px"))
        self.speed.add_class("wb-speed")
        self.same_seed = W.Checkbox(value=True, description=t["same_seed"], indent=False, layout=W.Layout(width="auto"))
        self.counter, self.phase = W.HTML(), W.HTML()
        self.narration, self.message = W.HTML(), W.HTML()
        for w, css in ((self.counter, "wb-step-counter"), (self.phase, "wb-phase"),
                       (self.narration, "wb-narration"), (self.message, "wb-message")):
            w.add_class(css)
        self.scrubber = W.IntSlider(value=self._n(), min=0, max=max(self._n(), 1), description=t["scrub"],
                                    continuous_update=False, layout=W.Layout(width="98%"))
        self.scrubber.add_class("wb-scrub")
        self.scrubber.observe(self._on_scrub, "value")
        per_epoch = self.trainer.steps_per_epoch if self.trainer else 1
        cfg = self.trainer.config if self.trainer else None
        self.shared_steps = W.BoundedIntText(value=per_epoch, min=1, max=10_000, description=t["shared_steps"])
        self.controller_steps = W.BoundedIntText(value=max(cfg.controller_steps, 1) if cfg else 1, min=1, max=10_000,
                                                 description=t["controller_steps"])
        self.knobs: dict[str, W.Widget] = {}
        if cfg is not None:
            for name, factory in _KNOBS.items():
                value = getattr(cfg, name)
                self.knobs[name] = factory(value=value if value is not None else 0.0, min=-1e9, max=1e9,
                                           step=None, description=t[name])
            self.knobs["sampler"] = W.Dropdown(options=list(SAMPLERS), value=cfg.sampler, description=t["sampler"])
            self.knobs["shared_optimizer"] = W.Dropdown(options=["sgd", "adam"], value=cfg.shared_optimizer,
                                                        description=t["shared_optimizer"])
            for name, w in self.knobs.items():
                w.style.description_width = "initial"
                w.add_class(f"wb-knob-{name.replace('_', '-')}")
                w.observe(lambda change, name=name: self._on_knob(name, change), "value")
        for w in (self.shared_steps, self.controller_steps):
            w.style.description_width = "initial"
        controls = [self.sample_button, self.shared_button, self.controller_button, self.alternate_button,
                    self.play_button, self.speed, self.reset_button, self.same_seed]
        if self.replaying:
            for w in controls:
                w.disabled = True
        knob_box = W.VBox([W.HBox([self.shared_steps, self.controller_steps]),
                           W.GridBox(list(self.knobs.values()), layout=W.Layout(grid_template_columns="repeat(4, 1fr)"))])
        self.knob_panel = W.Accordion(children=[knob_box], titles=(t["knobs"],), selected_index=0)
        self.knob_panel.layout.display = "" if self.preset == "debug" and not self.replaying else "none"  # classroom hides
        self._controls = controls

    def _layout(self) -> W.Widget:
        v = self.views.widgets
        # one column: every figure is drawn for the full width of a 1280 x 720 projector
        grid = W.VBox([v["arch"], v["heatmap"], v["policy"], v["training"], v["collapse"]],
                      layout=W.Layout(width="100%"))
        box = W.VBox([W.HTML(_STYLE), W.HBox(self._controls, layout=W.Layout(flex_flow="row wrap")),
                      W.HBox([self.counter, self.phase], layout=W.Layout(align_items="center")),
                      self.narration, self.message, self.scrubber, self.knob_panel, grid],
                     layout=W.Layout(width="100%"))
        box.add_class("wb-app")
        return box

    @property
    def widget(self) -> W.Widget:
        """The whole app as one ipywidgets box (display it, or put it in a layout of your own)."""
        if not hasattr(self, "_widget"):
            self._widget = self._layout()
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

    def _policy_now(self) -> tuple[tuple[float, ...], ...]:
        c = self.trainer.controller
        return tuple(tuple(p.tolist()) for p in c.distributions(c.most_likely()))

    def _frame(self, step: int, arch: Arch | None = None, policy=None) -> Frame:
        """The run as it was after `step`; `arch` / `policy` override the highlighted child and its bars."""
        live = not self.replaying and step == self._n()
        records = History([r for r in self.history.upto(step) if r.phase != "skipped"])
        thetas = [r.policy for r in records if r.phase == "controller"]
        now = thetas[-1] if thetas else self._initial_policy
        previous = (thetas[-2] if len(thetas) > 1 else self._initial_policy) if thetas else None
        if policy is not None:
            now, previous = policy, None
        greedy = Arch(self.space.name, tuple(max(range(len(p)), key=p.__getitem__) for p in now))
        counts = self.trainer.update_counts if live else UpdateCounts.from_records(self._blocks, records)
        shown = arch or (records[-1].arch if len(records) else greedy)
        return Frame(self.space, shown, counts, records, now, arch or greedy, previous,
                     self.trainer.controller if live else None)

    def _show(self, step: int, narration: str | None = None, frame: Frame | None = None, only=None) -> None:
        """Redraw counter, phase, narration and views for `step` (the latest step when live)."""
        t = self._t
        total = self._n()
        record = next((r for r in reversed(self.history) if r.step <= step), None)
        phase = "phase_replay" if self.replaying else f"phase_{record.phase}" if record and record.phase != "skipped" else "phase_idle"
        self.phase.value = t[phase]
        if narration is None and record is not None:
            narration = record.reason if record.phase == "skipped" else text.narrate(record, len(self._blocks), self.lang)
        if narration is not None:
            self.narration.value = html.escape(narration)
        self.counter.value = f"{t['step']} {step}" + (f" {t['of']} {total}" if step != total else "")  # set last
        self._syncing = True
        try:
            self.scrubber.max = max(total, 1)
            self.scrubber.value = step
        finally:
            self._syncing = False
        self.views.update(frame or self._frame(step), **({"only": only} if only else {}))

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
        policy = tuple(tuple(p.tolist()) for p in c.distributions(s.arch))
        p = float(s.log_prob.exp())
        words = {"en": f"Sampled child {s.arch} (probability {p:.2e} under the controller). No weights changed.",
                 "zh": f"采样子模型 {s.arch}（控制器给出的概率 {p:.2e}）。没有权重被修改。"}[self.lang]
        frame = self._frame(self._n(), arch=s.arch, policy=policy)
        self._show(self._n(), words, frame=frame, only=("arch", "policy"))
        return s.arch

    def step_shared(self):
        """One ω step (θ frozen)."""
        record = self.trainer.shared_step()
        self._show(record.step, only=("arch", "heatmap", "training", "collapse"))  # θ did not move
        return record

    def step_controller(self):
        """One θ step (ω frozen)."""
        record = self.trainer.controller_step()
        self._show(record.step)
        return record

    def alternate(self) -> None:
        """The configured ω steps, then the configured θ steps; the views redraw once at the end."""
        for _ in range(self.shared_steps.value):
            self.trainer.shared_step()
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
        self._initial_policy = self._policy_now()
        self._schedule_pos = 0
        words = {"en": f"Reset: a fresh supernet and controller, seed {seed}.", "zh": f"已重置：新的超网络和控制器，种子 {seed}。"}
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

