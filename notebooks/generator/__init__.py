"""The generator of the teaching notebooks 00-06 and their Chinese twins: lesson cells in, .ipynb files without
outputs out.

Regenerate every notebook, from the repository root:  python -m notebooks.generator
(then commit the .ipynb files it writes; tests/test_notebooks.py fails when they differ from a build)
Executed reference copies as static HTML, offline:  python -m notebooks.generator.docs  (into docs/html/)

    from notebooks.generator import build_all
    build_all()["02_controller_collapse.ipynb"]   # an nbformat NotebookNode, built in memory

Owns: which notebook is built from which lesson module, in which language (`NOTEBOOKS`), which notebook is
the twin of which (`TWINS`), and building them all in memory. Each lesson is one or more modules (nb01_tour
and its parts, nb02_collapse, ...); a twin in another language is the same cells with a Translation
(nb01_tour_zh, ...), never a copy of the code.
Must not: hold lesson content (the nbNN modules do) or library logic (workbench/ does).
"""

from __future__ import annotations

from pathlib import Path

from . import (
    nb00_first_steps,
    nb00_first_steps_zh,
    nb01_tour,
    nb01_tour_zh,
    nb02_collapse,
    nb02_collapse_zh,
    nb03_fidelity,
    nb03_fidelity_zh,
    nb04_macro,
    nb04_macro_zh,
    nb05_micro,
    nb05_micro_zh,
    nb06_recurrent,
    nb06_recurrent_zh,
)
from .cells import build

HERE = Path(__file__).resolve().parent.parent  # notebooks/

# lesson: (English file name, its cells, the Chinese translation); the Chinese twin is NAME.zh.ipynb
LESSONS = {
    "00": ("00_first_steps.ipynb", nb00_first_steps.CELLS, nb00_first_steps_zh.ZH),
    "01": ("01_weight_sharing_tour.ipynb", nb01_tour.CELLS, nb01_tour_zh.ZH),
    "02": ("02_controller_collapse.ipynb", nb02_collapse.CELLS, nb02_collapse_zh.ZH),
    "03": ("03_ranking_fidelity.ipynb", nb03_fidelity.CELLS, nb03_fidelity_zh.ZH),
    "04": ("04_enas_macro.ipynb", nb04_macro.CELLS, nb04_macro_zh.ZH),
    "05": ("05_enas_micro.ipynb", nb05_micro.CELLS, nb05_micro_zh.ZH),
    "06": ("06_enas_recurrent.ipynb", nb06_recurrent.CELLS, nb06_recurrent_zh.ZH),
}


def zh_name(name: str) -> str:
    """The file name of the Chinese twin of the English notebook `name`."""
    return name.removesuffix(".ipynb") + ".zh.ipynb"


# file name -> (cells, language, translation)
NOTEBOOKS = {
    file: entry
    for name, cells, zh in LESSONS.values()
    for file, entry in ((name, (cells, "en", None)), (zh_name(name), (cells, "zh", zh)))
}
TWINS = {zh_name(name): name for name, _, _ in LESSONS.values()}  # Chinese twin -> its English notebook


def build_all() -> dict:
    """Every generated notebook, built in memory: {file name: NotebookNode}."""
    return {name: build(cells, lang, translation) for name, (cells, lang, translation) in NOTEBOOKS.items()}
