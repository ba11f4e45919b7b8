"""The ipywidgets app: `wb.app.Workbench(trainer=None, preset="classroom", lang="en")`.

Presets: "classroom", "presentation" (bigger type, fewer controls, for projecting), "debug" (the knobs).

Scenario presets (`wb.app.SCENARIOS`) and a saved app state (`wb.app.AppState`) prepare a class:
`wb.app.Workbench.from_state("class1.json")`.
"""

from .narration import narrate
from .scenarios import SCENARIOS, Scenario
from .state import AppState
from .text import LANGS
from .workbench import PRESETS, Workbench

__all__ = ["LANGS", "PRESETS", "SCENARIOS", "AppState", "Scenario", "Workbench", "narrate"]
