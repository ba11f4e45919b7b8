"""How the app notebook learns its language, preset, scenario and saved state: environment and URL.

    WORKBENCH_LANG=zh WORKBENCH_PRESET=presentation voila notebooks/workbench.ipynb
    http://host:8866/?token=…&lang=zh&preset=presentation&scenario=collapse&state=wb1.…

Owns: `settings(environ)`: the WORKBENCH_LANG / WORKBENCH_PRESET / WORKBENCH_SCENARIO /
WORKBENCH_STATE variables, then Voila's query string (the QUERY_STRING a kernel Voila started for
the request sees; a preheated kernel has none) over them, checked, with a message for each value
refused (the app then starts with the default and shows the message). Must not: build the app, or
read anything at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import parse_qs

from . import scenarios
from .state import PRESETS
from .text import LANGS

VARIABLES = {"lang": "WORKBENCH_LANG", "preset": "WORKBENCH_PRESET", "scenario": "WORKBENCH_SCENARIO"}
STATE_VARIABLE = "WORKBENCH_STATE"  # a saved state's file or share string
_VALID = {"lang": LANGS, "preset": PRESETS, "scenario": tuple(scenarios.SCENARIOS)}


def settings(environ: Mapping[str, str] | None = None) -> tuple[dict, list[str]]:
    """(keyword arguments for the app: lang, preset, scenario, state; messages for refused values)."""
    environ = os.environ if environ is None else environ
    raw = {key: environ.get(var, "") for key, var in VARIABLES.items()}
    raw["state"] = environ.get(STATE_VARIABLE, "")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    raw.update({k: v[-1] for k, v in query.items() if k in raw and v})
    out, errors = {}, []
    for key, value in raw.items():
        value = value.strip()
        if not value:
            continue
        if key in _VALID and value not in _VALID[key]:
            errors.append(f"{key}={value!r} is not valid; choose one of {', '.join(_VALID[key])}")
            continue
        out[key] = value
    return out, errors
