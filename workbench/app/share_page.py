"""The live app as one web page: the run so far, exported as `python -m workbench export` exports a folder.

Owns: `write_run` (a live trainer's history and its config at step 0 as a run folder, which the app
then replays and exports, so the page shows exactly what a replay of this run shows) and
`download_link` (the page as a link the browser saves: in Voila a student's own copy, with no file on
the server). Must not: train, or write anything but the folder it is given.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from ..runs import RUN_FORMAT, RunFolder
from ..trainer import Trainer


def write_run(trainer: Trainer, config: dict, folder: RunFolder, command: str) -> None:
    """Write `trainer`'s run (begun under TrainerConfig dict `config`) into `folder` as `workbench search`
    does: config.json, then log.jsonl; `command`: what the page says makes the run again."""
    space = trainer.space
    folder.write_config(
        {
            "format": RUN_FORMAT, "version": 1, "space": space.kind, "space_options": dict(space.options),
            "space_name": space.name, "seed": trainer.seed, "config": dict(config), "data": trainer.data_id,
            "command": command,
        }
    )  # fmt: skip
    log = folder.open_log(None)
    try:
        for record in trainer.history:
            log.append(record)
    finally:
        log.close()


def download_link(page: Path, label: str) -> str:
    """An HTML link that saves `page` in the browser (a data: URL; the page is a few MB at most)."""
    data = base64.b64encode(page.read_bytes()).decode("ascii")
    name = html.escape(page.name)
    return f'<a class="wb-download" download="{name}" href="data:text/html;base64,{data}">{html.escape(label)}</a>'
