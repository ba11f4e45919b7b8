"""A run folder as one web page: the app replays the folder, `export_app` writes what it shows.

    from workbench.export.folder import export_run
    export_run("runs/first", "first.html", lang="zh", max_steps=200)

Owns: `export_run`. Kept apart from the package's __init__ because it builds the app
(`Workbench.replay`), and the app imports the package for its own Export button. Must not: write
anything but `out`.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..app.workbench import Workbench
from . import Exported, check, export_app, run_config


def export_run(
    path: str | os.PathLike,
    out: str | os.PathLike | None = None,
    lang: str = "en",
    max_steps: int | None = None,
    **options,
) -> Exported:
    """Write the run in folder `path` as one self-contained HTML page `out` (default: FOLDER.html here),
    in `lang` ("en" or "zh", as the app); `max_steps` and `options` (digits, every, compress, progress)
    as `export_app`'s. Raises ExportError (a ValueError) naming a bad value, before any work."""
    name = Path(path).resolve().name
    out = Path(out) if out is not None else Path(f"{name}.html")
    config = run_config(path)
    check(lang, options.get("digits", 5))
    return export_app(Workbench.replay(path, lang=lang), out, name, config, max_steps, **options)
