"""The ipywidgets app: `wb.app.Workbench(trainer=None, preset="classroom" | "debug", lang="en" | "zh")`."""

from .text import LANGS, narrate
from .workbench import PRESETS, Workbench

__all__ = ["LANGS", "PRESETS", "Workbench", "narrate"]
