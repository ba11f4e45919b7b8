"""The hover text of the arch view: what each edge, node and candidate op of the supernet is.

Owns: the sentences (weight block, its update counts, the policy's probability of each choice from
the distributions along the child) and the check that update counts fit the space. Must not:
place or draw anything (arch.py does), sample or train.
"""

from __future__ import annotations

from ..tracking import UpdateCounts
from . import _style as st


def check_counts(counts, g) -> UpdateCounts | None:
    """`counts` if it holds every weight block of the supernet graph `g` (None passes through)."""
    if counts is None:
        return None
    if not isinstance(counts, UpdateCounts):
        raise TypeError(f"update_counts must be a wb.UpdateCounts (trainer.update_counts), got {type(counts).__name__}")
    missing = sorted({b for _, _, bs in g.edges(data="blocks") for b in (bs or ()) if b} - set(counts.blocks))
    if missing:
        raise ValueError(
            f"update_counts lacks weight blocks of space {g.graph['space']!r}, e.g. {missing[:3]}; "
            "were they counted on another space?"
        )
    return counts


class ArchHover:
    """The hover sentences of one drawing: block update counts and the controller's probabilities."""

    def __init__(self, space, comp: list[str], counts: UpdateCounts | None, dists: tuple | None):
        self.space, self.counts, self.dists = space, counts, dists
        self.index = {
            (comp[d.node - 1], d.kind, comp[d.source - 1] if d.kind == "skip" else None): k
            for k, d in enumerate(space.decisions)
        }  # (node, kind, skip source) -> decision index

    def prob(self, node: str, kind: str, option: str, source: str | None = None) -> float | None:
        k = self.index.get((node, kind, source))
        if self.dists is None or k is None or option not in self.space.decisions[k].options:
            return None
        return self.dists[k][self.space.decisions[k].options.index(option)]

    def prob_line(self, node: str, kind: str, option: str, source: str | None = None) -> str:
        p = self.prob(node, kind, option, source)
        name = self.space.decisions[self.index[(node, kind, source)]].name if p is not None else ""
        return f"<br>controller: P({name} = {option}) = {st.percent(p)}" if p is not None else ""

    def block(self, block: str | None, op: str | None = None) -> str:
        if block is None:
            return f"{op}: no weights" if op else "no weights"
        if self.counts is None:
            return f"weight block <b>{block}</b>"
        g, c, n = self.counts.grad[block], self.counts.changed[block], self.counts.steps
        line = f"weight block <b>{block}</b>: gradient in {g} of {n} ω steps"
        return line + (f"<br>   its value changed in {c} (moved without a gradient {c - g}×)" if c != g else "")

    def edge(self, u: str, v: str, kind: str, in_child: bool, d: dict, cd: dict) -> str:
        head = f"<b>{u} → {v}</b> · {'in this child' if in_child else 'not in this child'}"
        if kind == "op" and in_child:
            return (
                head
                + f"<br>{v} applies <b>{cd['op']}</b> to {u}'s output<br>{self.block(cd['block'], cd['op'])}"
                + self.prob_line(v, "input", u)
                + self.prob_line(v, "op", cd["op"])
            )
        if kind == "op":
            c = self.counts
            parts = [f"{o} ({c.grad[b]}×)" if c else o for o, b in zip(d["ops"], d["blocks"]) if b]
            return (
                head
                + self.prob_line(v, "input", u)
                + "<br>weight blocks here: "
                + ", ".join(parts)
                + (f"<br>(gradient counts over {c.steps} ω steps)" if c else "")
            )
        if kind == "skip":
            return (
                head
                + f"<br>skip connection: {u}'s output is averaged into {v}; no weights"
                + self.prob_line(v, "skip", "yes", u)
            )
        return head + "<br>" + self.block(cd.get("block") if in_child else (d.get("blocks") or (None,))[0])

    def chip(self, node: str, op: str, chosen: bool, block: str | None, source: str) -> str:
        return (
            f"<b>{node} · {op}</b> · {'chosen by this child' if chosen else 'candidate'}"
            f"<br>{self.block(block, op)} (with input {source})" + self.prob_line(node, "op", op)
        )
