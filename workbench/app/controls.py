"""The app's widgets: buttons, readouts, the history slider, the knobs, the banner, the tools' inputs.

Owns: building each control with its CSS class (wb-step-shared, wb-knob-shared-lr, ...: the browser
tests and the stylesheet find them by it) and its size, the knob table (which TrainerConfig fields
the debug preset shows), and `LABELS`: which label of text.py each control shows (`relabel` sets
them, so a change of language is one call). Must not: decide what a control does (the Workbench
wires each one), read the run, or place widgets on the page (dashboard.py does).
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as W

from ..config import SAMPLERS, TrainerConfig

KNOBS = {  # TrainerConfig field -> widget factory (debug preset)
    "shared_lr": W.BoundedFloatText,
    "controller_lr": W.BoundedFloatText,
    "temperature": W.BoundedFloatText,
    "tanh_constant": W.BoundedFloatText,
    "entropy_weight": W.BoundedFloatText,
    "baseline_decay": W.BoundedFloatText,
}


def _css(widget: W.Widget, css: str) -> W.Widget:
    widget.add_class(css)
    return widget


def button(css: str, on_click: Callable[[], None], icon: str = "") -> W.Button:
    """A button that calls `on_click()` when pressed."""
    b = W.Button(icon=icon, layout=W.Layout(width="auto", flex="0 0 auto"))
    b.on_click(lambda _: on_click())
    return _css(b, css)


def play_button() -> W.ToggleButton:
    return _css(W.ToggleButton(icon="play", layout=W.Layout(width="auto", flex="0 0 auto")), "wb-play")


def speed() -> W.FloatSlider:
    """Play's steps per second."""
    s = W.FloatSlider(value=10.0, min=0.5, max=30.0, step=0.5, readout_format=".1f", layout=W.Layout(width="360px"))
    return _css(s, "wb-speed")


def same_seed() -> W.Checkbox:
    """Reset with the same seed (replays identically) or the next one."""
    return _css(W.Checkbox(value=True, indent=False, layout=W.Layout(width="auto")), "wb-same-seed")


def readouts() -> tuple[W.HTML, W.HTML, W.HTML, W.HTML, W.HTML]:
    """The step counter, the phase badge, the scenario's goal, the narration and the message area."""
    out = W.HTML(), W.HTML(), W.HTML(), W.HTML(), W.HTML()
    for w, css in zip(out, ("wb-step-counter", "wb-phase", "wb-goal", "wb-narration", "wb-message")):
        w.add_class(css)
    return out


def scrubber(step: int) -> W.IntSlider:
    """The history slider, at `step` (the latest)."""
    s = W.IntSlider(value=step, min=0, max=max(step, 1), continuous_update=False, layout=W.Layout(width="auto"))
    return _css(s, "wb-scrub")


def step_counts(shared: int, controller: int) -> tuple[W.BoundedIntText, W.BoundedIntText]:
    """ω steps and θ steps per alternation."""
    out = (
        W.BoundedIntText(value=shared, min=1, max=10_000),
        W.BoundedIntText(value=controller, min=1, max=10_000),
    )
    for w in out:
        w.style.description_width = "initial"
    return out


def knobs(config: TrainerConfig | None) -> dict[str, W.Widget]:
    """One widget per knob, showing `config`'s value (none without a config: a replay)."""
    if config is None:
        return {}
    out: dict[str, W.Widget] = {}
    for name, factory in KNOBS.items():
        value = getattr(config, name)
        out[name] = factory(value=value if value is not None else 0.0, min=-1e9, max=1e9, step=None)
    out["sampler"] = W.Dropdown(options=list(SAMPLERS), value=config.sampler)
    out["shared_optimizer"] = W.Dropdown(options=["sgd", "adam"], value=config.shared_optimizer)
    for name, w in out.items():
        w.style.description_width = "initial"
        w.add_class(f"wb-knob-{name.replace('_', '-')}")
    return out


def knob_panel(counts: tuple[W.Widget, W.Widget], knob_widgets: dict[str, W.Widget], shown: bool) -> W.Accordion:
    """The step counts and the knobs in one panel (hidden unless `shown`: only debug shows it)."""
    box = W.VBox(
        [
            W.HBox(list(counts)),
            W.GridBox(list(knob_widgets.values()), layout=W.Layout(grid_template_columns="repeat(4, 1fr)")),
        ]
    )
    panel = W.Accordion(children=[box], selected_index=0)
    panel.layout.display = "" if shown else "none"
    return _css(panel, "wb-knobs")


def dropdown(css: str, options: list[tuple[str, str]], value: str, width: str = "auto") -> W.Dropdown:
    return _css(W.Dropdown(options=options, value=value, layout=W.Layout(width=width)), css)


def text(css: str, value: str = "", width: str = "100%") -> W.Text:
    return _css(W.Text(value=value, layout=W.Layout(width=width), continuous_update=False), css)


def html(css: str) -> W.HTML:
    return _css(W.HTML(), css)


def banner(on_dismiss: Callable[[], None]) -> tuple[W.HBox, W.HTML, W.Button]:
    """The collapse alarm: a line of text and a close button; hidden until the verdict turns."""
    words = html("wb-alarm-text")
    words.layout.flex = "1 1 auto"
    close = button("wb-alarm-close", on_dismiss, icon="times")
    box = W.HBox([words, close], layout=W.Layout(display="none"))
    return _css(box, "wb-alarm"), words, close


def row(css: str, children: list[W.Widget]) -> W.HBox:
    return _css(W.HBox(children, layout=W.Layout(width="100%")), css)


def tab_page(css: str, children: list[W.Widget]) -> W.VBox:
    box = _css(W.VBox(children, layout=W.Layout(width="100%")), css)
    box.add_class("wb-tab-page")
    return box


def tabs(pages: list[W.Widget]) -> W.Tab:
    return _css(W.Tab(children=pages, layout=W.Layout(width="100%")), "wb-tabs")


def relabel(pairs: list[tuple[W.Widget, str]], labels: dict, knob_widgets: dict[str, W.Widget]) -> None:
    """Give each (widget, label key) of `pairs` and each knob its label in `labels` (text.py's table)."""
    for widget, key in pairs:
        widget.description = labels[key]
    for name, w in knob_widgets.items():
        w.description = labels[name]
