"""How the Workbench's widgets are made, labelled and placed (a mixin of the Workbench).

Owns: building every control of the app and wiring it to its action, which controls each preset
hides (presentation: fewer controls, for projecting; a replay: no stepping), the words on every
control in the app's language (`_relabel`, one place), the fourth cell's tabs and which views
they hide, and `widget`: the whole app as dashboard.py lays it out. Must not: decide what an
action does (workbench.py, sessions.py, tools.py do), or draw.
"""

from __future__ import annotations

import ipywidgets as W

from .. import viz
from . import controls, dashboard
from .heartbeat import Heartbeat


class Layout:
    """The app's widgets (a mixin of the Workbench)."""

    def _button(self, css: str, action, icon: str) -> W.Button:
        return controls.button(css, lambda: self._guard(action), icon)

    def _build_widgets(self) -> None:
        cfg = self.trainer.config if self.trainer else None
        self.sample_button = self._button("wb-sample", self.sample, "random")
        self.shared_button = self._button("wb-step-shared", self.step_shared, "step-forward")
        self.controller_button = self._button("wb-step-controller", self.step_controller, "step-forward")
        self.alternate_button = self._button("wb-alternate", self.alternate, "forward")
        self.reset_button = self._button("wb-reset", self.reset, "undo")
        self.branch_button = self._button("wb-branch", self.branch, "code-branch")
        self.play_button = controls.play_button()
        self.play_button.observe(self._on_play, "value")
        self.speed, self.same_seed = controls.speed(), controls.same_seed()
        self.counter, self.phase, self.goal, self.narration, self.message = controls.readouts()
        self.banner, self.banner_text, self.banner_close = controls.banner(self.dismiss_alarm)
        self.scrubber = controls.scrubber(self._n())
        self.scrubber.observe(self._on_scrub, "value")
        self.shared_steps, self.controller_steps = controls.step_counts(
            self.trainer.steps_per_epoch if self.trainer else 1, max(cfg.controller_steps, 1) if cfg else 1
        )
        self.knobs = controls.knobs(cfg)
        for name, w in self.knobs.items():
            w.observe(lambda change, name=name: self._on_knob(name, change), "value")
        self.scenario_menu = controls.dropdown("wb-scenario", self._scenario_options(), self.scenario)
        self.scenario_menu.observe(self._on_scenario, "value")
        shown = (self.sample_button, self.shared_button, self.controller_button, self.alternate_button)
        self._controls = [*shown, self.play_button, self.reset_button, self.branch_button, self.scenario_menu]
        self.knob_panel = controls.knob_panel(
            (self.shared_steps, self.controller_steps), self.knobs, shown=self.preset == "debug" and not self.replaying
        )
        self._build_tools()
        if self.replaying:
            for w in (*self._controls, self.speed, self.same_seed, *self._tool_controls()):
                w.disabled = True
        if self.preset == "presentation":  # fewer controls: step, play, reset; the goal without its menu
            for w in (self.sample_button, self.alternate_button, self.branch_button, self.scenario_menu):
                w.layout.display = "none"
        self._labelled = [
            (self.sample_button, "sample"),
            (self.shared_button, "step_shared"),
            (self.controller_button, "step_controller"),
            (self.alternate_button, "alternate"),
            (self.reset_button, "reset"),
            (self.branch_button, "branch"),
            (self.speed, "speed"),
            (self.same_seed, "same_seed"),
            (self.scrubber, "scrub"),
            (self.shared_steps, "shared_steps"),
            (self.controller_steps, "controller_steps"),
            (self.banner_close, "dismiss"),
            *self._tool_labels(),
        ]

    def _hidden_views(self) -> set[str]:
        """The views off screen: every tabbed view but the one whose tab is open (the first at the start)."""
        names = dashboard.tab_views(v.name for v in viz.views())
        index = self.tabs.selected_index if hasattr(self, "tabs") else 0
        return {n for k, n in enumerate(names) if k != index}

    def _build_tabs(self) -> None:
        self._tabbed = dashboard.tab_views(self.views.widgets)
        pages = [self.views.widgets[n] for n in self._tabbed] + self._tool_pages()
        self.tabs = controls.tabs(pages)
        self.tabs.observe(self._on_tab, "selected_index")
        for name, w in self.views.widgets.items():
            w.observe(lambda change, name=name: self._guard(self._on_click, name, change["new"]), "click")
            w.observe(lambda change, name=name: self._reported(self.views.resized, name, change["new"]), "size")
        self._relabel()

    def _relabel(self) -> None:
        """Every control's words in the app's language (at the start, and when a loaded state changes it)."""
        t = self._t
        controls.relabel(self._labelled, t, self.knobs)
        self.play_button.description = t["pause" if self.play_button.value else "play"]
        self.knob_panel.titles = (t["knobs"],)
        names = {"training": t["tab_training"], "collapse": t["tab_collapse"]}
        titles = [names.get(n, n) for n in self._tabbed] + [t[k] for k in self._tool_tab_keys()]
        self.tabs.titles = tuple(titles)
        self._syncing = True
        try:
            self.scenario_menu.options = self._scenario_options()
            self.scenario_menu.value = self.scenario
        finally:
            self._syncing = False
        self._show_goal()

    @property
    def widget(self) -> W.Widget:
        """The whole app as one ipywidgets box (display it, or put it in a layout of your own)."""
        if not hasattr(self, "_widget"):
            bar = controls.row("wb-bar", [*self._controls[:6], self.scrubber, self.branch_button])
            status = controls.row("wb-status", [self.counter, self.phase, self.scenario_menu, self.goal])
            areas = [(bar, "bar"), (status, "status"), (self.narration, "narration"), (self.banner, "alarm")]
            areas += [(self.message, "message"), (self.knob_panel, "knobs")]
            top = [dashboard.area(w, name) for w, name in areas]
            self.heartbeat = Heartbeat({"silent": self._t["not_answering"], "reload": self._t["reload"]})
            self._widget = dashboard.page(self.preset, top, self.views.widgets, self.tabs, unseen=[self.heartbeat])
        return self._widget

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
