"""The app's widgets: buttons, readouts, the history scrubber and the knobs, and the page they make.

Owns: building each control with its label (from text.py) and its CSS class (wb-step-shared,
wb-knob-shared-lr, ...: the browser tests and the stylesheet find them by it), the knob table
(which TrainerConfig fields the debug preset shows), and the page: controls, readouts, then every
view in one column for a 1280 x 720 projector. Must not: decide what a control does (the Workbench
wires each one) or read the run.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as W

from ..config import SAMPLERS, TrainerConfig
from .stylesheet import STYLE

KNOBS = {  # TrainerConfig field -> widget factory (debug preset)
    "shared_lr": W.BoundedFloatText,
    "controller_lr": W.BoundedFloatText,
    "temperature": W.BoundedFloatText,
    "tanh_constant": W.BoundedFloatText,
    "entropy_weight": W.BoundedFloatText,
    "baseline_decay": W.BoundedFloatText,
}


def button(label: str, css: str, on_click: Callable[[], None], icon: str = "") -> W.Button:
    """A button that calls `on_click()` when pressed."""
    b = W.Button(description=label, icon=icon, layout=W.Layout(width="auto"))
    b.add_class(css)
    b.on_click(lambda _: on_click())
    return b


def play_button(labels: dict) -> W.ToggleButton:
    b = W.ToggleButton(description=labels["play"], icon="play", layout=W.Layout(width="auto"))
    b.add_class("wb-play")
    return b


def speed(labels: dict) -> W.FloatSlider:
    """Play's steps per second."""
    s = W.FloatSlider(
        value=5.0,
        min=0.5,
        max=20.0,
        step=0.5,
        description=labels["speed"],
        readout_format=".1f",
        layout=W.Layout(width="260px"),
    )
    s.add_class("wb-speed")
    return s


def same_seed(labels: dict) -> W.Checkbox:
    """Reset with the same seed (replays identically) or the next one."""
    return W.Checkbox(value=True, description=labels["same_seed"], indent=False, layout=W.Layout(width="auto"))


def readouts() -> tuple[W.HTML, W.HTML, W.HTML, W.HTML]:
    """The step counter, the phase badge, the narration and the message area."""
    out = W.HTML(), W.HTML(), W.HTML(), W.HTML()
    for w, css in zip(out, ("wb-step-counter", "wb-phase", "wb-narration", "wb-message")):
        w.add_class(css)
    return out


def scrubber(labels: dict, step: int) -> W.IntSlider:
    """The history slider, at `step` (the latest)."""
    s = W.IntSlider(
        value=step,
        min=0,
        max=max(step, 1),
        description=labels["scrub"],
        continuous_update=False,
        layout=W.Layout(width="98%"),
    )
    s.add_class("wb-scrub")
    return s


def step_counts(labels: dict, shared: int, controller: int) -> tuple[W.BoundedIntText, W.BoundedIntText]:
    """ω steps and θ steps per alternation."""
    out = (
        W.BoundedIntText(value=shared, min=1, max=10_000, description=labels["shared_steps"]),
        W.BoundedIntText(value=controller, min=1, max=10_000, description=labels["controller_steps"]),
    )
    for w in out:
        w.style.description_width = "initial"
    return out


def knobs(labels: dict, config: TrainerConfig | None) -> dict[str, W.Widget]:
    """One widget per knob, showing `config`'s value (none without a config: a replay)."""
    if config is None:
        return {}
    out: dict[str, W.Widget] = {}
    for name, factory in KNOBS.items():
        value = getattr(config, name)
        out[name] = factory(
            value=value if value is not None else 0.0, min=-1e9, max=1e9, step=None, description=labels[name]
        )
    out["sampler"] = W.Dropdown(options=list(SAMPLERS), value=config.sampler, description=labels["sampler"])
    out["shared_optimizer"] = W.Dropdown(
        options=["sgd", "adam"], value=config.shared_optimizer, description=labels["shared_optimizer"]
    )
    for name, w in out.items():
        w.style.description_width = "initial"
        w.add_class(f"wb-knob-{name.replace('_', '-')}")
    return out


def knob_panel(
    labels: dict, counts: tuple[W.Widget, W.Widget], knob_widgets: dict[str, W.Widget], shown: bool
) -> W.Accordion:
    """The step counts and the knobs in one panel (hidden unless `shown`: the classroom hides it)."""
    box = W.VBox(
        [
            W.HBox(list(counts)),
            W.GridBox(list(knob_widgets.values()), layout=W.Layout(grid_template_columns="repeat(4, 1fr)")),
        ]
    )
    panel = W.Accordion(children=[box], titles=(labels["knobs"],), selected_index=0)
    panel.layout.display = "" if shown else "none"
    return panel


def page(
    controls: list[W.Widget],
    readouts: tuple[W.Widget, ...],
    scrubber: W.Widget,
    knob_panel: W.Widget,
    views: list[W.Widget],
) -> W.Widget:
    """The whole app: the stylesheet, the controls, the readouts (counter, phase, narration, message),
    the scrubber, the knobs, then the views in one column, each drawn for the full width of 1280 x 720."""
    counter, phase, narration, message = readouts
    box = W.VBox(
        [
            W.HTML(STYLE),
            W.HBox(controls, layout=W.Layout(flex_flow="row wrap")),
            W.HBox([counter, phase], layout=W.Layout(align_items="center")),
            narration,
            message,
            scrubber,
            knob_panel,
            W.VBox(views, layout=W.Layout(width="100%")),
        ],
        layout=W.Layout(width="100%"),
    )
    box.add_class("wb-app")
    return box
