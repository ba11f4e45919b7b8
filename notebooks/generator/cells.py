"""Cells and languages of the generated notebooks: cell sources in, nbformat notebooks out.

Regenerate every notebook, from the repository root:  python -m notebooks.generator

Owns: the two cell kinds (`M`: markdown, its text per language; `C`: code, ONE source per cell in
which «name» marks a user-facing string, a printed sentence, a figure title or a comment, that a
language supplies), a language's `Translation` table, the Chinese paragraph unwrapping, building a
notebook in memory (`build`) and writing it without outputs (`write`).
Must not: hold a lesson's content, or a second copy of a code cell for another language.

A «name» is replaced verbatim by Python source: for English the cell's own keyword argument
(`C(source, name=...)`), for another language the translation's `strings[name]`; «lang» is the
language code itself. Every name must be supplied, and a translation must not carry names that no
cell uses, so a cell and its translations cannot drift apart unnoticed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

PLACEHOLDER = re.compile(r"«([A-Za-z_][A-Za-z0-9_]*)»")
METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


@dataclass(frozen=True)
class Language:
    """A language a notebook is written in."""

    code: str  # "en", "zh": also what «lang» becomes (the app's `lang=`)
    unwrap: bool  # join the hard-wrapped lines of plain paragraphs (Chinese puts no space between them)


LANGUAGES = {"en": Language("en", unwrap=False), "zh": Language("zh", unwrap=True)}


@dataclass(frozen=True)
class Translation:
    """What a language replaces: markdown cells by their key, «name» strings by their name."""

    markdown: Mapping[str, str]
    strings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class M:
    """A markdown cell; `key` names it in translations (needed only in notebooks that have a twin)."""

    text: str
    key: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", self.text.strip("\n"))


class C:
    """A code cell: one source for every language; `strings` are the English values of its «names»."""

    def __init__(self, source: str, **strings: str) -> None:
        self.source = source.strip("\n")
        self.strings = {k: v.strip("\n") for k, v in strings.items()}
        used = set(self.names)
        if used - {"lang"} != set(self.strings):
            raise ValueError(
                f"cell {self.source[:40]!r}...: placeholders {sorted(used - {'lang'})} but "
                f"English strings for {sorted(self.strings)}"
            )

    @property
    def names(self) -> list[str]:
        """The «names» in the source, in order of appearance."""
        return PLACEHOLDER.findall(self.source)

    def render(self, strings: Mapping[str, str], lang: str) -> str:
        """The source with every «name» replaced by `strings[name]` («lang» by `lang`)."""

        def value(match: re.Match) -> str:
            name = match.group(1)
            if name == "lang":
                return lang
            if name not in strings:
                raise KeyError(f"language {lang!r} has no string «{name}» (cell {self.source[:40]!r}...)")
            return strings[name].strip("\n")

        return PLACEHOLDER.sub(value, self.source)


Cell = M | C


_STANDALONE = ("#", "|", "<")  # headings, table rows and HTML lines keep their own line
_ITEM = re.compile(r"([*+-]|\d+\.)\s|>")  # a list item or a quote starts a line; its next lines join it


def _join(prev: str, line: str) -> str:
    """`prev` and `line` as one line: no space between them, unless both sides are ASCII (a Latin word
    or a formula ends the one line and starts the next), where the line break stood for a space."""
    a, b = prev.rstrip(), line.strip()
    return a + (" " if a[-1:].isascii() and b[:1].isascii() else "") + b


def unwrap(text: str) -> str:
    """Join the hard-wrapped lines of Chinese paragraphs: Markdown renders each line break as a space,
    which Chinese text does not have. Plain lines join the line above them, also inside HTML blocks
    such as a <details> answer and in list items; headings, table rows, HTML tag lines, fenced code
    and $$ display formulas stay as written."""
    out: list[str] = []
    joinable = False  # may the next plain line be joined to the last line written?
    fence = math = False
    for line in text.split("\n"):
        s = line.strip()
        if fence or math:
            out.append(line)
            fence = fence and not s.startswith("```")
            math = math and not s.endswith("$$")
            joinable = False
        elif not s:
            out.append(line)
            joinable = False
        elif s.startswith("```"):
            out.append(line)
            fence, joinable = True, False
        elif s.startswith("$$"):
            out.append(line)
            math, joinable = not (len(s) >= 4 and s.endswith("$$")), False
        elif s.startswith(_STANDALONE):
            out.append(line)
            joinable = False
        elif _ITEM.match(s):
            out.append(line)
            joinable = True
        elif joinable:
            out[-1] = _join(out[-1], line)
        else:
            out.append(line)
            joinable = True
    return "\n".join(out)


def _check_translation(cells: Sequence[Cell], translation: Translation, lang: str) -> None:
    keys = [c.key for c in cells if isinstance(c, M)]
    if None in keys:
        raise ValueError(f"language {lang!r}: markdown cell #{keys.index(None)} has no key to translate it by")
    names = {n for c in cells if isinstance(c, C) for n in c.strings}
    for what, have, want in (
        ("markdown", set(translation.markdown), set(keys)),
        ("strings", set(translation.strings), names),
    ):
        if have != want:
            raise ValueError(
                f"language {lang!r}: {what} missing {sorted(want - have)}, not used by any cell {sorted(have - want)}"
            )


def build(cells: Sequence[Cell], lang: str = "en", translation: Translation | None = None):
    """The notebook (an nbformat NotebookNode, no outputs) of `cells` in `lang`.

    English reads each cell's own text; any other language needs its `translation`."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGUAGES)}")
    language = LANGUAGES[lang]
    if lang != "en":
        if translation is None:
            raise ValueError(f"language {lang!r} needs a Translation")
        _check_translation(cells, translation, lang)
    nb = new_notebook()
    nb.metadata = copy.deepcopy(METADATA)
    for cell in cells:
        if isinstance(cell, M):
            text = cell.text if lang == "en" else translation.markdown[cell.key].strip("\n")
            nb.cells.append(new_markdown_cell(unwrap(text) if language.unwrap else text))
        else:
            strings = cell.strings if lang == "en" else translation.strings
            nb.cells.append(new_code_cell(cell.render(strings, lang)))
    for i, cell in enumerate(nb.cells):  # stable ids: rebuilding an unchanged notebook changes nothing
        cell["id"] = f"c{i:02d}"
    return nb


def write(nb, path: Path) -> Path:
    """Write `nb` to `path` (nbformat's layout: the same bytes for the same cells)."""
    nbformat.write(nb, path)
    return path
