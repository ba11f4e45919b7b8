"""Every word the live views draw, in English and Chinese: one table per concern, one lookup.

    t = words(ARCH, "zh")
    t("title", space="teaching")                          # "超网络中的采样子模型（teaching）"

Owns: the languages (`LANGS`), the lookup (`words`: a table in one language, with a clear error for
an unknown language), and the tables of the style, the blocks (why a block did not change), the
arch, heatmap and policy views. text_records.py holds those of the figures that read records.
Names that are the program's own (op names, node, decision and block names, arch strings, ω, θ)
stay as they are in both languages. Must not: compute, format numbers, or draw.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("en", "zh")
Table = Mapping[str, Mapping[str, str]]  # lang -> key -> template (str.format fields)


def check_lang(lang) -> str:
    """`lang` if it is a language the figures speak; ValueError naming the valid ones."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGS)}")
    return lang


class Words:
    """One table in one language: `t(key, **fields)` is the template filled in (str.format, where a literal
    brace is doubled); `t(key)` is the text as it stands (plotly's "%{x}" templates among them)."""

    __slots__ = ("lang", "_table")

    def __init__(self, table: Table, lang: str):
        self.lang = check_lang(lang)
        self._table = table[lang]

    def __call__(self, key: str, **fields) -> str:
        text = self._table[key]
        return text.format(**fields) if fields else text

    def get(self, key: str, default: str) -> str:
        """The text of `key`, or `default` where the table has none."""
        return self._table.get(key, default)


def words(table: Table, lang: str) -> Words:
    """The words of `table` in `lang` ("en" or "zh")."""
    return Words(table, lang)


STYLE: Table = {
    "en": {
        "ok": "✔ ok",
        "warning": "⚠ warning",
        "alarm": "✖ alarm",
        "info": "· info",
        "yes": "yes",
        "no": "no",
        "selected": "selected",
    },
    "zh": {
        "ok": "✔ 正常",
        "warning": "⚠ 警告",
        "alarm": "✖ 警报",
        "info": "· 信息",
        "yes": "有跳连",
        "no": "无跳连",
        "selected": "已选中",
    },
}

BLOCKS: Table = {  # why_unchanged: why a weight block did not change in an ω step
    "en": {
        "fixed": "every child uses {block}: every ω step trains it",
        "on_path": "on the path of {token}: an ω step on this child trains it",
        "other_child": "the last ω step trained another child, whose {token}",
        "off_path": "not on the path of {token}: {reason}",
        "other_input": "{node} took its input from {got}, not {want}",
        "other_op": "{node} applied {got}, not {want}",
        "both": "{node} took its input from {got_src}, not {want_src}, and applied {got_op}, not {want_op}",
        "reduction_used": "this child reads {src} after the reduction after {after}: an ω step on it trains {block}",
        "reduction_unused": "no layer after {after} reads {src} in this child: it never computes {block}",
    },
    "zh": {
        "fixed": "每个子模型都用 {block}：每个 ω 步都训练它",
        "on_path": "在 {token} 的路径上：对这个子模型的 ω 步会训练它",
        "other_child": "上一个 ω 步训练的是另一个子模型，它的 {token}",
        "off_path": "不在 {token} 的路径上：{reason}",
        "other_input": "{node} 的输入是 {got}，不是 {want}",
        "other_op": "{node} 用的操作是 {got}，不是 {want}",
        "both": "{node} 的输入是 {got_src}（不是 {want_src}），操作是 {got_op}（不是 {want_op}）",
        "reduction_used": "这个子模型在 {after} 之后的降采样后仍读取 {src}：对它的 ω 步会训练 {block}",
        "reduction_unused": "这个子模型在 {after} 之后没有层读取 {src}：它从不计算 {block}",
    },
}

ARCH: Table = {
    "en": {
        "title": "The sampled child inside the supernet ({space})",
        "title_compact": "Child in the supernet",
        "title_compact_counts": "Child in the supernet · {n} ω steps",
        "subtitle": "child: {arch}<br>coloured: the sampled child · grey: the rest of the supernet · "
        "chips: each node's candidate ops{counted} · hover for details",
        "counted": ", filled by update count over {n} ω steps",
        "candidate": "candidate, not in this child",
        "plain": "in this child (stem, classifier)",
        "skip": "skip connection in this child",
        "edges": "edges",
        "nodes": "nodes",
        "chips": "candidate ops",
        # what the fixed nodes do (the graphs' "op" of stem and output), where it is not an op name
        "fixed:linear": "linear",
        "fixed:average + linear": "average + linear",
        "fixed:pool + linear": "pool + linear",
        # hover text (arch_hover.py)
        "prob": "<br>controller: P({name} = {option}) = {p}",
        "no_weights_op": "{op}: no weights",
        "no_weights": "no weights",
        "block": "weight block <b>{block}</b>",
        "block_counts": "weight block <b>{block}</b>: gradient in {g} of {n} ω steps",
        "block_moved": "<br>   its value changed in {c} (moved without a gradient {d}×)",
        "edge_head": "<b>{u} → {v}</b> · {where}",
        "in_child": "in this child",
        "not_in_child": "not in this child",
        "applies": "<br>{v} applies <b>{op}</b> to {u}'s output<br>",
        "blocks_here": "<br>weight blocks here: ",
        "counts_over": "<br>(gradient counts over {n} ω steps)",
        "skip_hover": "<br>skip connection: {u}'s output joins {v}'s; no weights",
        "chip_head": "<b>{node} · {op}</b> · {which}",
        "chosen": "chosen by this child",
        "candidate_op": "candidate",
        "with_input": " (with input {source})",
    },
    "zh": {
        "title": "超网络中的采样子模型（{space}）",
        "title_compact": "超网络中的子模型",
        "title_compact_counts": "超网络中的子模型 · {n} 个 ω 步",
        "subtitle": "子模型：{arch}<br>彩色：采样的子模型 · 灰色：超网络的其余部分 · "
        "方块：每个节点的候选操作{counted} · 悬停查看详情",
        "counted": "，颜色深浅表示 {n} 个 ω 步中的更新次数",
        "candidate": "候选，不在这个子模型中",
        "plain": "在这个子模型中（stem、classifier）",
        "skip": "这个子模型中的跳连",
        "edges": "边",
        "nodes": "节点",
        "chips": "候选操作",
        "fixed:linear": "线性层",
        "fixed:average + linear": "平均 + 线性层",
        "fixed:pool + linear": "池化 + 线性层",
        "prob": "<br>控制器：P({name} = {option}) = {p}",
        "no_weights_op": "{op}：没有权重",
        "no_weights": "没有权重",
        "block": "权重块 <b>{block}</b>",
        "block_counts": "权重块 <b>{block}</b>：{n} 个 ω 步中有 {g} 个给了它梯度",
        "block_moved": "<br>   它的值改变了 {c} 次（没有梯度却移动了 {d} 次）",
        "edge_head": "<b>{u} → {v}</b> · {where}",
        "in_child": "在这个子模型中",
        "not_in_child": "不在这个子模型中",
        "applies": "<br>{v} 对 {u} 的输出做 <b>{op}</b><br>",
        "blocks_here": "<br>这里的权重块：",
        "counts_over": "<br>（{n} 个 ω 步中得到梯度的次数）",
        "skip_hover": "<br>跳连：{u} 的输出并入 {v} 的输出；没有权重",
        "chip_head": "<b>{node} · {op}</b> · {which}",
        "chosen": "被这个子模型选中",
        "candidate_op": "候选",
        "with_input": "（输入为 {source}）",
    },
}

HEATMAP: Table = {
    "en": {
        "title": "How often was each shared weight block updated? ({space})",
        "title_compact": "Weight block updates · {n} ω steps",
        "grad_panel": "received a gradient",
        "changed_panel": "changed value",
        "gradient": "gradient",
        "changed": "changed",
        "no_weights": "no weights",
        "cell_no_weights": "<b>{row} · {op}</b><br>{op} has no weights",
        "cell": "<b>{block}</b><br>gradient in {g} of {n} ω steps{share}<br>value changed in {c}"
        "<br>a uniform sampler would give {uniform} of the steps",
        "moved": "<br><b>moved without a gradient in at least {d} steps</b>",
        "last_updated": "<br>last ω step: updated",
        "last_unchanged": "<br>last ω step: unchanged: {why}",
        "mismatch": "changed without a gradient",
        "subtitle": "each cell: in how many of the {n} ω steps this weight block was updated{share} "
        "· used by every child: {fixed}",
        "as_share": " (as a share)",
        "fixed_changed": " (changed {c})",
        "mismatches": "<br><b>{k} blocks changed in steps without a gradient</b> (outlined): the "
        "optimizer (momentum, weight decay) moved weights the child did not use",
        "hint_api": "No ω steps yet: run trainer.shared_step()",
        "hint_app": "No ω steps yet: press Step ω",
        "unit_share": "share of the ω steps",
        "unit_steps": "ω steps",
        "node_input": "node ← input",
        "layer": "layer",
        "op": "op",
    },
    "zh": {
        "title": "每个共享权重块被更新了多少次？（{space}）",
        "title_compact": "权重块更新次数 · {n} 个 ω 步",
        "grad_panel": "得到梯度",
        "changed_panel": "值被改变",
        "gradient": "梯度",
        "changed": "改变",
        "no_weights": "无权重",
        "cell_no_weights": "<b>{row} · {op}</b><br>{op} 没有权重",
        "cell": "<b>{block}</b><br>{n} 个 ω 步中有 {g} 个给了它梯度{share}<br>值改变了 {c} 次"
        "<br>均匀采样会给它 {uniform} 的步数",
        "moved": "<br><b>至少有 {d} 步没有梯度却移动了</b>",
        "last_updated": "<br>上一个 ω 步：已更新",
        "last_unchanged": "<br>上一个 ω 步：未更新，{why}",
        "mismatch": "没有梯度却被改变",
        "subtitle": "每格：{n} 个 ω 步中这个权重块被更新的次数{share} · 每个子模型都用：{fixed}",
        "as_share": "（占比）",
        "fixed_changed": "（改变 {c} 次）",
        "mismatches": "<br><b>{k} 个权重块在没有梯度的步中被改变</b>（加框）：优化器（动量、权重衰减）"
        "移动了子模型没有用到的权重",
        "hint_api": "还没有 ω 步：运行 trainer.shared_step()",
        "hint_app": "还没有 ω 步：按「更新 ω」",
        "unit_share": "ω 步的占比",
        "unit_steps": "ω 步数",
        "node_input": "节点 ← 输入",
        "layer": "层",
        "op": "操作",
    },
}

POLICY: Table = {
    "en": {
        "title": "Controller policy: how likely is each option? ({space})",
        "title_compact": "Controller policy",
        "prob_panel": "probability of each option",
        "change_panel": "change in the last θ step",
        "prob_panel_compact": "probability",
        "change_panel_compact": "last θ step",
        "greedy": "its most likely child",
        "child": "the child",
        "too_long": "{which} (too long to print here)",
        "along": "{which}: {arch}",
        "subtitle": "along {child} — each decision's probabilities given the choices before it",
        "hover": "<b>{decision} = {option}</b>: {p}",
        "before": "<br>before the θ step: {p} (change {d} points)",
        "hint_api": "no θ step to compare yet:<br>after one, this panel shows<br>how it moved each option",
        "hint_app": "no θ step yet:<br>press Step θ",
        "probability": "probability",
        "points": "percentage points",
    },
    "zh": {
        "title": "控制器策略：每个选项的概率是多少？（{space}）",
        "title_compact": "控制器策略",
        "prob_panel": "每个选项的概率",
        "change_panel": "上一个 θ 步带来的变化",
        "prob_panel_compact": "概率",
        "change_panel_compact": "上一个 θ 步",
        "greedy": "它最可能的子模型",
        "child": "这个子模型",
        "too_long": "{which}（太长，这里不打印）",
        "along": "{which}：{arch}",
        "subtitle": "沿着{child}——每个决策在之前选择下的概率",
        "hover": "<b>{decision} = {option}</b>：{p}",
        "before": "<br>θ 步之前：{p}（变化 {d} 个百分点）",
        "hint_api": "还没有可比较的 θ 步：<br>更新一次后，这里显示<br>它如何移动每个选项",
        "hint_app": "还没有 θ 步：<br>按「更新 θ」",
        "probability": "概率",
        "points": "百分点",
    },
}
