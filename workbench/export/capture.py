"""What the live app shows at each step of a run: the app itself, driven headless over the run folder.

    cap = capture(Workbench.replay("runs/first", lang="zh"), "first", config, max_steps=200)
    cap.steps            # the run steps kept: 0, ..., the last (first, last and evenly spaced between)
    for state in cap.states():   # per kept step: {"figures": {view: plotly JSON}, "readouts": {name: HTML}}
        ...

The page is the app's own output by construction: `Workbench.replay(path, lang=...)`, then for each
kept step the History scrubber is set (`app.scrubber.value = step`) and what the app shows is read:
every view's plain plotly JSON (`app.views.figures[name]`) and the HTML of its readouts (step counter,
phase, narration, ...). Floats are rounded to `digits` significant digits (what a figure shows).

Owns: `capture`, `Capture`, `kept_steps` (thinning a long history), `run_config`, the checks of a
page's language and precision, and the table of the app's readouts that a page shows. Must not:
build the app (its caller does: the app is the layer above), draw, train, or write anything.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..runs import RunFolder
from .patch import rounded

# the app's readouts: attribute of the Workbench -> CSS class of the element that shows its HTML
READOUTS = {
    "counter": "wb-step-counter",
    "phase": "wb-phase",
    "goal": "wb-goal",
    "narration": "wb-narration",
    "message": "wb-message",
}


class ExportError(ValueError):
    """A run that cannot be exported (no run in the folder, an app error at a step): names the value."""


def kept_steps(total: int, max_steps: int | None) -> tuple[int, ...]:
    """Steps 0..`total`, thinned to at most `max_steps`: the first, the last, and evenly spaced between."""
    if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 2):
        raise ExportError(f"max_steps must be an int >= 2 (the first and the last step), got {max_steps!r}")
    if max_steps is None or total + 1 <= max_steps:
        return tuple(range(total + 1))
    return tuple(sorted({round(i * total / (max_steps - 1)) for i in range(max_steps)}))


@dataclass
class Capture:
    """The app over a replayed run; `states()` steps it through the kept steps, one state at a time."""

    app: Any  # the Workbench replaying the run
    path: str
    lang: str
    total: int  # the run's last step
    steps: tuple[int, ...]  # the steps kept, in order
    digits: int
    config: dict  # config.json of the run
    opening: dict = field(default_factory=dict)  # the readouts as the app opens (at the last step)

    @property
    def views(self) -> tuple[str, ...]:
        return tuple(self.app.views.figures)

    def states(self) -> Iterator[dict]:
        """What the app shows at each kept step, in order (the app is scrubbed as they are taken)."""
        for step in self.steps:
            yield self.state(step)

    def state(self, step: int) -> dict:
        """What the app shows after scrubbing to `step`: rounded figures and the readouts' HTML."""
        app = self.app
        if app.scrubber.value != step:
            app.scrubber.value = step
        problem = html.unescape(app.message.value or "")
        if problem:
            raise ExportError(f"the app reported a problem at step {step} of {self.path}: {problem}")
        return {"figures": rounded(app.views.figures, self.digits), "readouts": readouts(app)}


def readouts(app) -> dict[str, str]:
    """The HTML of each readout the app has (READOUTS), and its alarm banner's text if it is up."""
    out = {name: getattr(app, name).value for name in READOUTS if hasattr(app, name)}
    banner, text = getattr(app, "banner", None), getattr(app, "banner_text", None)
    if banner is not None and text is not None:
        out["alarm"] = text.value if banner.layout.display != "none" else ""
    return out


def run_config(path: str | os.PathLike) -> dict:
    """The config.json of the run in folder `path`; ExportError when there is none."""
    folder = RunFolder(path)
    if not folder.path.is_dir():
        raise ExportError(f"no run folder at {path} (make one with `python -m workbench search --out {path}`)")
    if not folder.holds_run():
        raise ExportError(
            f"{path} holds no run (no config.json); make one with `python -m workbench search --out {path}`"
        )
    return folder.read_config()


def check(lang: str, digits: int) -> None:
    """Refuse a language the app does not speak, or a float precision out of range."""
    from ..app import text

    if lang not in text.LANGS:
        raise ExportError(f"unknown language {lang!r}; valid: {', '.join(text.LANGS)}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 3 <= digits <= 17:
        raise ExportError(f"digits must be an int from 3 to 17, got {digits!r}")


def capture(app, name: str, config: dict, max_steps: int | None = None, digits: int = 5) -> Capture:
    """`app`, a Workbench replaying a run (`Workbench.replay(path, lang=...)`, made for this: it is
    scrubbed), ready to step through the kept steps; `name` and `config`: the run's, for messages."""
    check(app.lang, digits)
    _show_every_view(app)
    history = app.history
    total = history[-1].step if len(history) else 0
    steps = kept_steps(total, max_steps)
    return Capture(app, name, app.lang, total, steps, digits, config, opening=readouts(app))


def _show_every_view(app) -> None:
    """Have the app patch every view at each step, those in hidden tabs too (a dashboard patches a hidden
    view only when its tab is shown)."""
    show_only = getattr(app.views, "show_only", None)
    if show_only is not None:
        show_only(())
