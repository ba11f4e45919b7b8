"""The generator of the teaching notebooks 01-04: lesson cells in, .ipynb files without outputs out.

Regenerate every notebook, from the repository root:  python -m notebooks.generator
(then commit the .ipynb files it writes; tests/test_notebooks.py fails when they differ from a build)

    from notebooks.generator import build_all
    build_all()["02_controller_collapse.ipynb"]   # an nbformat NotebookNode, built in memory

Owns: which notebook is built from which lesson module, in which language (`NOTEBOOKS`), and
building them all in memory. Each lesson is one module (nb01_tour, nb02_collapse, ...); a twin in
another language is the same cells with a Translation (nb01_tour_zh), never a copy of the code.
Must not: hold lesson content (the nbNN modules do) or library logic (workbench/ does).
"""

from __future__ import annotations

from pathlib import Path

from . import nb01_tour, nb01_tour_zh, nb02_collapse, nb03_fidelity, nb04_macro
from .cells import build

HERE = Path(__file__).resolve().parent.parent  # notebooks/

# file name -> (cells, language, translation)
NOTEBOOKS = {
    "01_weight_sharing_tour.ipynb": (nb01_tour.CELLS, "en", None),
    "01_weight_sharing_tour.zh.ipynb": (nb01_tour.CELLS, "zh", nb01_tour_zh.ZH),
    "02_controller_collapse.ipynb": (nb02_collapse.CELLS, "en", None),
    "03_ranking_fidelity.ipynb": (nb03_fidelity.CELLS, "en", None),
    "04_enas_macro.ipynb": (nb04_macro.CELLS, "en", None),
}


def build_all() -> dict:
    """Every generated notebook, built in memory: {file name: NotebookNode}."""
    return {name: build(cells, lang, translation) for name, (cells, lang, translation) in NOTEBOOKS.items()}
