"""What a step did, in one or two sentences for a projector, in English or Chinese; and the step counter.

Owns: `narrate(record, total_blocks, lang, why="")` (an ω step: the child, how many weight blocks
it updated and how many stayed, the loss before and after, why an unchanged block did not change;
a θ step: the K children's mean reward against the baseline, the mean advantage and what REINFORCE
did with it, the entropy) and `counter(step, total, lang)`. Must not: compute anything the core
owns; it formats fields of records.
"""

from __future__ import annotations

from ..history import ControllerRecord, SharedRecord
from .text import labels


def counter(step: int, total: int, lang: str = "en") -> str:
    """ "Step 7 of 12" (a past step) or "Step 12" (the latest); "第 7 步 / 共 12 步" in Chinese."""
    t = labels(lang)
    return t["counter_live"].format(n=step) if step == total else t["counter_past"].format(n=step, total=total)


def narrate(record: SharedRecord | ControllerRecord, total_blocks: int, lang: str = "en", why: str = "") -> str:
    """One or two sentences saying what the step did; `why` (an ω step): why an unchanged block did not change."""
    labels(lang)
    if record.phase == "shared":
        return _shared(record, total_blocks, lang) + ((why if lang == "zh" else f" {why}") if why else "")
    return _controller(record, lang)


def _shared(record: SharedRecord, total_blocks: int, lang: str) -> str:
    n, same = len(record.updated), total_blocks - len(record.updated)
    extra = sorted(set(record.changed) - set(record.updated))
    after = f" → {record.loss_after:.2f}" if record.loss_after is not None else ""  # None: not measured
    if lang == "zh":
        text = (
            f"θ 冻结。采样子模型 {record.arch}。一次 ω 更新修改了 {total_blocks} 个权重块中的 {n} 个；"
            f"其余 {same} 个保持不变。损失 {record.loss:.2f}{after}。"
        )
        if extra:
            text += f" 注意：{len(extra)} 个未使用的权重块也被优化器移动了（动量/权重衰减）。"
        return text
    text = (
        f"θ frozen. Sampled child {record.arch}. One ω step updated {n} of {total_blocks} weight blocks; "
        f"the other {same} did not change. Loss {record.loss:.2f}{after}."
    )
    if extra:
        text += (
            f" Note: the optimizer also moved {len(extra)} unused blocks (momentum / weight decay on zero gradients)."
        )
    return text


def _controller(record: ControllerRecord, lang: str) -> str:
    k, adv = len(record.archs), record.advantage
    above = sum(c.advantage > 0 for c in record.children)
    if lang == "zh":
        split = f"（{len(record.children)} 个中 {above} 个高于基线）" if record.children else ""
        return (
            f"ω 冻结。采样 {k} 个子模型，在验证小批量上的平均奖励 {record.reward:.3f}，基线 {record.baseline:.3f}。"
            f"平均优势 {adv:+.3f}：高于基线的子模型被强化，低于基线的被抑制{split}。策略熵 {record.entropy:.2f}。"
        )
    split = f" ({above} of {len(record.children)} above it)" if record.children else ""
    return (
        f"ω frozen. Sampled {k} children; mean reward on a validation minibatch {record.reward:.3f}, "
        f"baseline {record.baseline:.3f}, mean advantage {adv:+.3f}: children above the baseline were reinforced, "
        f"those below it discouraged{split}. Policy entropy {record.entropy:.2f}."
    )
