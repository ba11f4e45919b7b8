"""The Workbench's child tools, its clicks on the views and its narration log tab.

Owns (as methods of the Workbench): training a chosen child (`train_child`: typed as an arch
string, or edited by clicking nodes of the arch view, a click cycling a node's op, shift-click its
input), comparing two children (`compare`: the weight blocks they share, their accuracy with the
shared weights, and for the teaching space their stand-alone accuracy and true rank from the
shipped table), selecting a block or node by clicking any view (every view highlights it; a
second click clears it), why an unchanged block did not change, and the tool tabs (narration
log, child tools, settings). Must not: do training arithmetic (trainer.shared_step and
trainer.evaluate do; wb.fidelity.standing ranks), or draw.
"""

from __future__ import annotations

import html
import re

import ipywidgets as W

from .. import fidelity, groundtruth, spaces, viz
from ..arch import Arch
from . import controls
from .frames import OMEGA_STEP

_BLOCK = re.compile(r"^node(\d+)<-(\d+)/([a-z0-9_]+)$")  # a teaching-space weight block: node<-input/op
_TRUTH = ("teaching", "mnist1d", "teaching-mnist1d")  # the space, the data and the shipped table


class Tools:
    """Child tools, clicks on the views, the log tab (a mixin of the Workbench)."""

    # ---- the tabs ----------------------------------------------------------------------------
    def _tool_tab_keys(self) -> tuple[str, ...]:
        if self.replaying or self.preset == "presentation":
            return ("tab_log",)
        return ("tab_log", "tab_child", "tab_settings")

    def _tool_tab_index(self, key: str) -> int:
        keys = self._tool_tab_keys()
        return len(self._tabbed) + keys.index(key) if key in keys else -1

    def _build_tools(self) -> None:
        self.log_view = controls.html("wb-log")
        example = "node1=relu(stem) node2=tanh(node1) …"
        self.child_arch = controls.text("wb-child-arch")
        self.child_arch.placeholder = example
        self.child_b = controls.text("wb-child-b")
        self.child_b.placeholder = example
        for w in (self.child_arch, self.child_b):
            w.style.description_width = "initial"
        self.train_child_button = self._button("wb-train-child", self.train_child, "graduation-cap")
        self.child_edit = W.Checkbox(value=False, indent=False, layout=W.Layout(width="auto"))
        self.child_edit.add_class("wb-child-edit")
        self.compare_button = self._button("wb-compare", self.compare, "balance-scale")
        self.compare_result = controls.html("wb-compare-result")
        self._settings = self._build_settings() if not self.replaying else []

    def _tool_pages(self) -> list[W.Widget]:
        pages = {
            "tab_log": self.log_view,
            "tab_child": controls.tab_page(
                "wb-child-tools",
                [
                    self.child_arch,
                    controls.row("wb-child-actions", [self.train_child_button, self.child_edit]),
                    self.child_b,
                    self.compare_button,
                    self.compare_result,
                ],
            ),
            "tab_settings": controls.tab_page("wb-settings", self._settings),
        }
        return [pages[k] for k in self._tool_tab_keys()]

    def _tool_controls(self) -> list[W.Widget]:
        return [self.child_arch, self.child_b, self.train_child_button, self.child_edit, self.compare_button]

    def _tool_labels(self) -> list[tuple[W.Widget, str]]:
        pairs = [
            (self.child_arch, "child_arch"),
            (self.child_b, "child_b"),
            (self.train_child_button, "train_child"),
            (self.child_edit, "child_edit"),
            (self.compare_button, "compare"),
        ]
        if self._settings:
            pairs += [
                (self.apply_menu, "apply_scenario"),
                (self.apply_button, "apply"),
                (self.state_path, "state_file"),
                (self.save_button, "save"),
                (self.load_button, "load"),
                (self.share_box, "share_string"),
                (self.make_string_button, "make_string"),
                (self.load_string_button, "load_string"),
                (self.page_path, "page_file"),
                (self.export_button, "export_page"),
            ]
        return pairs

    def _refresh_log(self) -> None:
        """Redraw the narration log, when its tab is the one shown (else when it is opened)."""
        if hasattr(self, "tabs") and self.tabs.selected_index == self._tool_tab_index("tab_log"):
            self.log_view.value = self.log.html(self._t)

    # ---- the child tools ---------------------------------------------------------------------
    def _parse(self, arch) -> Arch:
        return self.space.check(arch) if isinstance(arch, Arch) else self.space.parse(str(arch).strip())

    def train_child(self, arch=None):
        """One ω step of the child `arch` (default: the one in the Child box); returns its record."""
        chosen = self._parse(self.child_arch.value if arch is None else arch)
        record = self.trainer.shared_step(chosen, loss_after=True)
        self._did(record, ("child", str(chosen)))
        self.child_arch.value = str(chosen)
        words = self._t["child_trained"].format(arch=chosen) + " " + self._narrate(record)
        self._show(record.step, words, changed=OMEGA_STEP)
        return record

    def compare(self, a=None, b=None) -> dict:
        """Children A and B side by side: the blocks they share, accuracy with the shared weights and, for
        the teaching space, stand-alone accuracy and rank in the shipped table. Returns the numbers."""
        shown = self._frame(self.scrubber.value)
        a = self._parse(a if a is not None else self.child_arch.value or shown.arch)
        b = self._parse(b if b is not None else self.child_b.value or shown.policy_arch)
        t, rows, out = self._t, [], {}
        for key, arch in (("a", a), ("b", b)):
            shared = self.trainer.evaluate(arch)
            standing = self._standing(arch)
            out[key] = {"arch": str(arch), "shared": shared, **({"standalone": standing} if standing else {})}
            words = t["shared_acc"].format(acc=shared) + " · "
            words += t["standalone"].format(acc=standing["test_accuracy"], **standing) if standing else t["no_truth"]
            rows.append(
                f"<b>{key.upper()}</b> {html.escape(str(arch), quote=False)}<br>{html.escape(words, quote=False)}"
            )
        blocks_b = set(self.trainer.supernet.blocks_for(b))
        common = [x for x in self.trainer.supernet.blocks_for(a) if x in blocks_b]
        out["shared_blocks"] = common
        rows.append(html.escape(t["shared_blocks"].format(n=len(common), names=", ".join(common))))
        self.compare_result.value = "<br>".join(rows)
        self.child_arch.value, self.child_b.value = str(a), str(b)
        return out

    def _standing(self, arch: Arch) -> dict | None:
        """Where `arch` stands in the shipped stand-alone table (teaching space on MNIST-1D only)."""
        space, data, table = _TRUTH
        if self.space != spaces.get(space) or getattr(self.trainer.data, "name", "") != data:
            return None
        if getattr(self, "_truth", None) is None:
            self._truth = groundtruth.load(table)
        return fidelity.standing(arch, self._truth, space=self.space)

    # ---- clicks on the views -----------------------------------------------------------------
    def _on_click(self, view: str, click: dict) -> None:
        name = click.get("name")
        if not name:
            return
        if view == "arch" and self.child_edit.value and not self.replaying:
            self.edit_child(name, input_=bool(click.get("shift")))
        else:
            self.select(None if name == self.selected else name)

    def select(self, name: str | None) -> None:
        """Highlight the weight block or node `name` in every view (None clears it)."""
        self.selected = name
        words = self._t["selected"].format(name=name) if name else self._t["cleared"]
        self._show(self.scrubber.value, words, changed=("selected",))

    def edit_child(self, name: str, input_: bool = False) -> Arch:
        """A click on node `name` of the arch view: the next op of that node in the Child box (its next
        input with `input_`); a click on a weight block `node<-input/op` sets that node to it."""
        box = self.child_arch.value.strip()
        arch = self._parse(box) if box else self._frame(self.scrubber.value).arch
        choices = list(arch.choices)
        names = [d.name for d in self.space.decisions]
        block = _BLOCK.match(name)
        if block and f"node{block.group(1)}.input" in names:
            node, source, op = block.groups()
            choices[names.index(f"node{node}.input")] = int(source)
            op_decision = names.index(f"node{node}.op")
            choices[op_decision] = self.space.decisions[op_decision].options.index(op)
        else:
            mine = [k for k, n in enumerate(names) if n.startswith(f"{name}.")]
            if not mine:
                return arch  # the stem, the output: nothing to choose there
            kinds = {self.space.decisions[k].kind: k for k in mine}
            k = kinds.get("input" if input_ else "op", mine[0])
            choices[k] = (choices[k] + 1) % len(self.space.decisions[k].options)
        edited = self.space.make(choices)
        self.child_arch.value = str(edited)
        step = self.scrubber.value
        self._show(step, str(edited), frame=self._frame(step, arch=edited), changed=("arch", "arch_policy"))
        return edited

    # ---- why a block did not change ----------------------------------------------------------
    def _why(self, record) -> str:
        """One sentence on an unchanged block of an ω step: the selected one, else one beside the child's."""
        unchanged = [b for b in self._blocks if b not in record.changed]
        if not unchanged:
            return ""
        block = self.selected if self.selected in unchanged else _nearest(unchanged, record.updated)
        why = getattr(viz, "why_unchanged", None)  # the figures' own words for it, where they have them
        if why is None:
            return self._t["why_fallback"].format(block=block)
        reason = str(why(self.space, record.arch, block, self.lang)).strip().rstrip("。.")
        reason = reason[:1].upper() + reason[1:] if self.lang == "en" else reason
        return self._t["why_frame"].format(block=block, why=reason)


def _nearest(candidates: list[str], used) -> str:
    """The candidate block sharing the longest name prefix with a used one (a sibling op of a used node)."""

    def prefix(a: str, b: str) -> int:
        n = 0
        while n < min(len(a), len(b)) and a[n] == b[n]:
            n += 1
        return n

    used = [u for u in used if u not in ("stem", "classifier")] or list(used)
    return max(candidates, key=lambda c: max((prefix(c, u) for u in used), default=0))
