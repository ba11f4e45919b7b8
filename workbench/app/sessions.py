"""The Workbench's scenarios, saved states and branches: how a class is prepared and how a run forks.

Owns (as methods of the Workbench): starting a scenario from the menu and showing its goal; going on
with another scenario's knobs mid-run; the app's state (`state()`, `save(path)`, `share_string()`,
`load(path or string)`, `Workbench.from_state(...)`: the run replayed from its seed, exactly); the
run as one web page (`export(path)`, and its button); and
`branch(step)`: back to a past step of the History slider, on with changed knobs, the fork marked
in the narration log. Must not: train other than by replaying what the run did (timeline.py), or
build widgets other than its tab's.
"""

from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path

from .. import spaces
from ..export import Exported, export_app
from ..runs import RunFolder
from ..trainer import Trainer
from . import controls, launch, scenarios, text
from .share_page import download_link, write_run
from .state import AppState
from .timeline import apply


class Sessions:
    """Scenarios, save / load and branching (a mixin of the Workbench)."""

    # ---- scenarios -------------------------------------------------------------------------
    @staticmethod
    def _scenario_trainer(name: str, space, seed: int, data=None) -> Trainer:
        space = spaces.resolve(space)
        return Trainer(space, data=data, config=scenarios.get(name).config(space), seed=seed)

    def _matching_scenario(self) -> str:
        """The scenario whose config the trainer has, else "custom"."""
        cfg = self._replay.config if self.replaying else self.trainer.config
        return next((s.name for s in scenarios.SCENARIOS.values() if s.config(self.space) == cfg), "custom")

    def _scenario_options(self) -> list[tuple[str, str]]:
        options = [(s.title[self.lang], s.name) for s in scenarios.SCENARIOS.values()]
        return options + ([(self._t["custom"], "custom")] if self.scenario == "custom" else [])

    def _show_goal(self) -> None:
        if self.scenario == "custom":
            self.goal.value = ""
            return
        s = scenarios.get(self.scenario)
        self.goal.value = (
            f"<b>{html.escape(s.title[self.lang], quote=False)}</b> · {html.escape(s.goal[self.lang], quote=False)}"
        )

    def _on_scenario(self, change) -> None:
        if not self._syncing and change["new"] != "custom":
            self._guard(self.choose_scenario, change["new"])

    def choose_scenario(self, name: str, seed: int | None = None) -> None:
        """Start scenario `name` afresh (a new supernet and controller; the same seed unless given)."""
        scenario = scenarios.get(name)
        old = self.trainer
        seed = old.seed if seed is None else seed
        trainer = self._scenario_trainer(name, old.space, seed, data=old.data)
        self.scenario = name
        self._set_menu(name)
        self._show_goal()
        self._start(trainer, self._t["scenario_started"].format(title=scenario.title[self.lang], seed=seed))

    def apply_scenario(self, name: str) -> dict:
        """Go on with the run, with the knobs of scenario `name` from the next step on; returns the changes."""
        scenario = scenarios.get(name)
        target = scenario.config(self.trainer.space).to_dict()
        now = self.trainer.config.to_dict()
        changes = {k: v for k, v in target.items() if now[k] != v and k not in ("controller_kind", "controller_hidden")}
        if changes:
            self.trainer.configure(**changes)
            self.timeline.configure(self.trainer, changes)
        self.scenario = name
        self._set_menu(name)
        self._show_goal()
        self._sync_knobs()
        shown = ", ".join(f"{k}={v}" for k, v in changes.items()) or "—"
        words = self._t["scenario_applied"].format(n=self.trainer.step, title=scenario.title[self.lang], changes=shown)
        self.log.add(self.trainer.step, words, "note")
        self._show(self._n(), words)
        return changes

    def _set_menu(self, name: str) -> None:
        self._syncing = True
        try:
            self.scenario_menu.options = self._scenario_options()
            self.scenario_menu.value = name
        finally:
            self._syncing = False

    # ---- the state: save, share, load --------------------------------------------------------
    def state(self) -> AppState:
        """What rebuilds this app at this step: scenario, space, config at step 0, seed, lang, preset, steps."""
        if self.trainer is None:
            raise ValueError("a replayed run folder has no app state to save; it is its own record")
        first = self.timeline.snapshots[self.timeline.start]["config"]
        shown = self.scrubber.value if self.scrubber.value != self._n() else None
        return AppState(
            scenario=self.scenario, space=self.space.name, config=dict(first), seed=self.trainer.seed,
            lang=self.lang, preset=self.preset, actions=tuple(self.timeline.runs()), shown=shown,
        )  # fmt: skip

    def save(self, path: str | os.PathLike) -> Path:
        """Save the app's state to `path` (JSON, written atomically)."""
        state = self.state()
        path = state.save(path)
        self.message.value = html.escape(
            self._t["saved"].format(path=path, scenario=state.scenario, seed=state.seed, steps=state.steps), quote=False
        )
        return path

    def share_string(self) -> str:
        """The app's state as one string (paste it into `load`)."""
        return self.state().encode()

    def load(self, source) -> AppState:
        """Load an AppState, a saved file or a share string: the run is replayed from its seed to the step saved."""
        state = _read_state(source)
        space = spaces.get(state.space, **state.space_options)
        data = self.trainer.data if self.trainer is not None and self.trainer.space == space else None
        trainer = Trainer(space, data=data, config=state.trainer_config(), seed=state.seed)
        if state.lang != self.lang:
            self.lang, self._t = state.lang, text.labels(state.lang)
            self._relabel()
        self.scenario = state.scenario
        self._set_menu(state.scenario)
        self._show_goal()
        words = self._t["loaded"].format(scenario=state.scenario, seed=state.seed, steps=state.steps)
        self._start(trainer, words)
        self._replay_actions(state.actions)
        self._show(self._n() if state.shown is None else state.shown, words)
        if state.preset != self.preset:
            note = f"preset {state.preset!r}: Workbench.from_state(...) opens the app with it"
            self.message.value = html.escape(note, quote=False)
        return state

    @classmethod
    def from_state(cls, source, trainer_data=None):
        """A new app from an AppState, a saved file or a share string, in the state's language and preset."""
        state = _read_state(source)
        space = spaces.get(state.space, **state.space_options)
        trainer = Trainer(space, data=trainer_data, config=state.trainer_config(), seed=state.seed)
        app = cls(trainer, preset=state.preset, lang=state.lang, scenario=state.scenario)
        app.load(state)
        return app

    @classmethod
    def from_environment(cls, environ=None):
        """The app notebook's app: language, preset, scenario and a saved state from WORKBENCH_LANG,
        WORKBENCH_PRESET, WORKBENCH_SCENARIO, WORKBENCH_STATE or Voila's URL (?lang=zh&preset=...).
        A value it cannot use is reported in the message area; the app starts anyway."""
        options, errors = launch.settings(environ)
        state, app = options.pop("state", None), None
        if state:
            try:
                app = cls.from_state(state)
            except (ValueError, OSError) as e:
                errors.append(f"WORKBENCH_STATE: {e}")
        app = app or cls(**options)
        if errors:
            app.message.value = f"<b>{app._t['error']}:</b> " + html.escape("; ".join(errors), quote=False)
        return app

    def _replay_actions(self, actions) -> None:
        """Do `actions` (an AppState's) on the trainer as the app did them, each step remembered and logged."""
        for kind, value in actions:
            if kind == "configure":
                apply(self.trainer, (kind, value))
                self.timeline.configure(self.trainer, value)
                continue
            for _ in range(value if kind in ("shared", "controller") else 1):
                record = apply(self.trainer, (kind, value if kind == "child" else None))
                self._did(record, (kind, value if kind == "child" else None))
        self._sync_knobs()

    # ---- branching ---------------------------------------------------------------------------
    def branch(self, step: int | None = None) -> int:
        """Go back to `step` (default: the History slider's) and continue from there; the later steps form
        the old branch, whose lines stay in the narration log. Returns the steps replayed."""
        step = self.scrubber.value if step is None else step
        last = self._n()
        if step >= last:
            raise ValueError(self._t["branch_needs_past"])
        self.play_button.value = False
        replayed = self.timeline.restore(self.trainer, step)
        self._schedule_pos = 0
        self.alarm.reset(self.history)
        self._sync_knobs()
        words = self._t["branched"].format(n=step, last=last)
        self.log.fork(step, last, words)
        self._refresh_log()
        self._show(step, words)
        return replayed

    def _build_settings(self) -> list:
        """The settings tab: play speed, reset seed, another scenario's knobs, save / load, the share string."""
        self.apply_menu = controls.dropdown("wb-apply-scenario", self._scenario_options(), self.scenario, "auto")
        self.apply_menu.style.description_width = "initial"
        self.apply_button = self._button("wb-apply", lambda: self.apply_scenario(self.apply_menu.value), "check")
        self.state_path = controls.text("wb-state-path", "workbench-state.json", "320px")
        self.save_button = self._button("wb-save", lambda: self.save(self.state_path.value), "save")
        self.load_button = self._button("wb-load", lambda: self.load(Path(self.state_path.value)), "folder-open")
        self.share_box = controls.text("wb-share", "", "100%")
        self.make_string_button = self._button("wb-make-string", self._make_string, "share-alt")
        self.load_string_button = self._button("wb-load-string", lambda: self.load(self.share_box.value), "upload")
        self.page_path = controls.text("wb-page-path", "workbench-run.html", "320px")
        self.export_button = self._button("wb-export", lambda: self.export(self.page_path.value), "file-code")
        return [
            controls.row("wb-settings-play", [self.speed, self.same_seed]),
            controls.row("wb-settings-apply", [self.apply_menu, self.apply_button]),
            controls.row("wb-settings-file", [self.state_path, self.save_button, self.load_button]),
            self.share_box,
            controls.row("wb-settings-string", [self.make_string_button, self.load_string_button]),
            controls.row("wb-settings-export", [self.page_path, self.export_button]),
        ]

    def export(self, path: str | os.PathLike, lang: str | None = None, max_steps: int | None = None) -> Exported:
        """The run so far as one self-contained web page at `path` (as `python -m workbench export` writes):
        every view, the narration and a history scrubber, offline, no kernel. `lang`: the page's language
        (default the app's); `max_steps`: keep at most that many steps. The message area links a download."""
        lang = lang or self.lang
        with tempfile.TemporaryDirectory(prefix="wb-export-") as tmp:
            if self.replaying:
                folder = RunFolder(self._replay.path)
            else:
                folder = RunFolder(Path(tmp) / Path(path).stem)
                first = self.timeline.snapshots[self.timeline.start]["config"]
                write_run(self.trainer, first, folder, f"wb.app.Workbench.from_state({self.share_string()!r})")
            replay = type(self).replay(folder.path, lang=lang)  # scrubbed by the export, not this app
            page = export_app(replay, path, folder.path.name, folder.read_config(), max_steps)
        words = self._t["exported"].format(path=page.path, mb=page.bytes / 1e6, steps=page.steps)
        self.message.value = f"{html.escape(words, quote=False)} {download_link(page.path, self._t['download'])}"
        return page

    def _make_string(self) -> None:
        self.share_box.value = self.share_string()
        self.message.value = html.escape(self._t["string_made"].format(n=len(self.share_box.value)))


def _read_state(source) -> AppState:
    """An AppState from itself, a path to its JSON file, or a share string (or its JSON text)."""
    if isinstance(source, AppState):
        return source
    if isinstance(source, os.PathLike):
        return AppState.read(source)
    if not isinstance(source, str) or not source.strip():
        raise ValueError("give an app state: a saved .json file, or a share string (wb1.…)")
    s = source.strip()
    if s.startswith("{"):
        return AppState.from_json(s)
    if s.endswith(".json") or os.sep in s:
        return AppState.read(s)
    return AppState.decode(s)
