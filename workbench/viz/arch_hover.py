"""The hover text of the arch view: what each edge, node and candidate op of the supernet is.

Owns: the sentences (weight block, its update counts, the policy's probability of each choice from
the distributions along the child), in the drawing's language (their words are text.ARCH), and the
check that update counts fit the space. Must not: place or draw anything (arch.py does), sample or
train.
"""

from __future__ import annotations

from ..tracking import UpdateCounts
from . import _style as st
from .text import ARCH, STYLE, words


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
    """The hover sentences of one drawing, in one language: block update counts and the controller's probabilities."""

    def __init__(self, space, comp: list[str], counts: UpdateCounts | None, dists: tuple | None, lang: str = "en"):
        self.space, self.counts, self.dists, self.t = space, counts, dists, words(ARCH, lang)
        self.index = {
            (comp[d.node - 1], d.kind, (comp[d.source - 1] if d.source else "stem") if d.kind == "skip" else None): k
            for k, d in enumerate(space.decisions)
        }  # (node, kind, skip source) -> decision index

    def prob(self, node: str, kind: str, option: str, source: str | None = None) -> float | None:
        k = self.index.get((node, kind, source))
        if self.dists is None or k is None or option not in self.space.decisions[k].options:
            return None
        return self.dists[k][self.space.decisions[k].options.index(option)]

    def prob_line(self, node: str, kind: str, option: str, source: str | None = None) -> str:
        p = self.prob(node, kind, option, source)
        if p is None:
            return ""
        name = self.space.decisions[self.index[(node, kind, source)]].name
        return self.t("prob", name=name, option=self.t_option(option), p=st.percent(p))

    def t_option(self, option: str) -> str:
        """A skip option ("no", "yes") in the drawing's language; other options are names."""
        return words(STYLE, self.t.lang)(option) if option in ("no", "yes") else option

    def block(self, block: str | None, op: str | None = None) -> str:
        t = self.t
        if block is None:
            return t("no_weights_op", op=op) if op else t("no_weights")
        if self.counts is None:
            return t("block", block=block)
        g, c, n = self.counts.grad[block], self.counts.changed[block], self.counts.steps
        line = t("block_counts", block=block, g=g, n=n)
        return line + (t("block_moved", c=c, d=c - g) if c != g else "")

    def edge(self, u: str, v: str, kind: str, in_child: bool, d: dict, cd: dict) -> str:
        t = self.t
        head = t("edge_head", u=u, v=v, where=t("in_child" if in_child else "not_in_child"))
        if kind == "op" and in_child:
            return (
                head
                + t("applies", v=v, op=cd["op"], u=u)
                + self.block(cd["block"], cd["op"])
                + self.prob_line(v, "input", u)
                + self.prob_line(v, "op", cd["op"])
            )
        if kind == "op":
            c = self.counts
            parts = [f"{o} ({c.grad[b]}×)" if c else o for o, b in zip(d["ops"], d["blocks"]) if b]
            return (
                head
                + self.prob_line(v, "input", u)
                + t("blocks_here")
                + ", ".join(parts)
                + (t("counts_over", n=c.steps) if c else "")
            )
        if kind == "skip":
            return head + t("skip_hover", u=u, v=v) + self.prob_line(v, "skip", "yes", u)
        return head + "<br>" + self.block(cd.get("block") if in_child else (d.get("blocks") or (None,))[0])

    def chip(self, node: str, op: str, chosen: bool, block: str | None, source: str) -> str:
        t = self.t
        return (
            t("chip_head", node=node, op=op, which=t("chosen" if chosen else "candidate_op"))
            + "<br>"
            + self.block(block, op)
            + t("with_input", source=source)
            + self.prob_line(node, "op", op)
        )
