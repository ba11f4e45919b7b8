"""Every word the app shows, in English and Chinese, and the narration of a step.

Owns: labels, tooltips and the sentences that say what a record did. Must not: compute anything
the core owns; it formats fields of records and counts.
"""

from __future__ import annotations

from ..history import ControllerRecord, SharedRecord

LANGS = ("en", "zh")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "sample": "Sample child",
        "step_shared": "Step ω",
        "step_controller": "Step θ",
        "alternate": "Alternate",
        "play": "Play",
        "pause": "Pause",
        "reset": "Reset",
        "same_seed": "same seed",
        "speed": "Speed",
        "scrub": "History",
        "live": "Live",
        "step": "Step",
        "of": "of",
        "ready": "Ready. Press Step ω to train one child on one minibatch.",
        "phase_shared": "Phase 1 · θ frozen, training ω",
        "phase_controller": "Phase 2 · ω frozen, training θ",
        "phase_idle": "Ready",
        "phase_replay": "Replay (no training)",
        "knobs": "Knobs",
        "shared_steps": "ω steps per alternation",
        "controller_steps": "θ steps per alternation",
        "sampler": "Sampler",
        "shared_optimizer": "ω optimizer",
        "shared_lr": "ω lr",
        "controller_lr": "θ lr",
        "temperature": "Temperature",
        "tanh_constant": "tanh constant",
        "entropy_weight": "Entropy weight",
        "baseline_decay": "Baseline decay",
        "tab_arch": "Child in the supernet",
        "tab_policy": "Controller",
        "tab_heatmap": "Weight updates",
        "tab_training": "Curves",
        "tab_collapse": "Collapse check",
        "error": "Error",
        "replaying": "Replaying {path}: {n} steps. Drag the History slider.",
    },
    "zh": {
        "sample": "采样子模型",
        "step_shared": "更新 ω",
        "step_controller": "更新 θ",
        "alternate": "交替一轮",
        "play": "播放",
        "pause": "暂停",
        "reset": "重置",
        "same_seed": "相同种子",
        "speed": "速度",
        "scrub": "历史",
        "live": "实时",
        "step": "步",
        "of": "/",
        "ready": "准备就绪。点击“更新 ω”，用一个小批量训练一个子模型。",
        "phase_shared": "阶段 1 · 冻结 θ，训练 ω",
        "phase_controller": "阶段 2 · 冻结 ω，训练 θ",
        "phase_idle": "就绪",
        "phase_replay": "回放（不训练）",
        "knobs": "参数",
        "shared_steps": "每轮 ω 步数",
        "controller_steps": "每轮 θ 步数",
        "sampler": "采样方式",
        "shared_optimizer": "ω 优化器",
        "shared_lr": "ω 学习率",
        "controller_lr": "θ 学习率",
        "temperature": "温度",
        "tanh_constant": "tanh 常数",
        "entropy_weight": "熵权重",
        "baseline_decay": "基线衰减",
        "tab_arch": "超网络中的子模型",
        "tab_policy": "控制器",
        "tab_heatmap": "权重更新",
        "tab_training": "曲线",
        "tab_collapse": "坍缩检查",
        "error": "错误",
        "replaying": "正在回放 {path}：共 {n} 步。拖动“历史”滑块。",
    },
}


def labels(lang: str) -> dict[str, str]:
    """The label table for `lang`."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGS)}")
    return LABELS[lang]


def narrate(record: SharedRecord | ControllerRecord, total_blocks: int, lang: str = "en") -> str:
    """One or two sentences saying what the step did, e.g. for a projector."""
    labels(lang)
    if record.phase == "shared":
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
                f" Note: the optimizer also moved {len(extra)} unused blocks "
                "(momentum / weight decay on zero gradients)."
            )
        return text
    k, adv = len(record.archs), record.advantage
    if lang == "zh":
        verdict = "θ 提高了这些子模型的概率" if adv > 0 else "θ 降低了这些子模型的概率" if adv < 0 else "θ 几乎不变"
        return (
            f"ω 冻结。采样 {k} 个子模型，在验证小批量上的平均奖励 {record.reward:.3f}，基线 {record.baseline:.3f}，"
            f"优势 {adv:+.3f}：{verdict}。策略熵 {record.entropy:.2f}。"
        )
    verdict = (
        "θ makes these children more likely"
        if adv > 0
        else "θ makes these children less likely"
        if adv < 0
        else "θ barely moves"
    )
    return (
        f"ω frozen. Sampled {k} children; mean reward on a validation minibatch {record.reward:.3f}, "
        f"baseline {record.baseline:.3f}, advantage {adv:+.3f}: {verdict}. Policy entropy {record.entropy:.2f}."
    )
