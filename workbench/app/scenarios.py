"""Scenario presets a teacher picks from the app's menu: a name, the knobs it turns, and its goal.

    wb.app.scenarios.get("collapse").config(space)     # TrainerConfig.for_space(space, **changes)

Owns: the scenario table (`SCENARIOS`: healthy ENAS, the collapse recipe of notebook 02, no tanh
constant, the uniform and fair samplers, TF-style updates of unused weights, a slow baseline), each
with its TrainerConfig changes and a one-line title and goal in English and Chinese, and `get`.
Must not: train, hold widgets, or know the app's layout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ..config import TrainerConfig


@dataclass(frozen=True)
class Scenario:
    """One preset run: TrainerConfig changes over the space's defaults, and what the class should see."""

    name: str  # the key in SCENARIOS (and in a saved state)
    changes: Mapping[str, object]  # TrainerConfig fields over TrainerConfig.for_space(space)
    title: Mapping[str, str]  # lang -> the menu entry
    goal: Mapping[str, str]  # lang -> one line the app shows while the scenario runs

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", MappingProxyType(dict(self.changes)))
        TrainerConfig().replace(**self.changes)  # an unknown field or a bad value fails here, at import

    def config(self, space) -> TrainerConfig:
        """The scenario's config for `space`: the space's defaults with `changes` on top."""
        return TrainerConfig.for_space(space, **self.changes)


def _s(name: str, changes: dict, en: tuple[str, str], zh: tuple[str, str]) -> Scenario:
    return Scenario(name, changes, {"en": en[0], "zh": zh[0]}, {"en": en[1], "zh": zh[1]})


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        _s(
            "healthy",
            {},
            ("Healthy ENAS", "The controller keeps exploring while ω learns: the collapse check stays healthy."),
            ("健康的 ENAS", "控制器持续探索，ω 不断学习：坍缩检查保持健康。"),
        ),
        _s(
            "collapse",
            {"controller_lr": 0.05, "entropy_weight": 0.0, "tanh_constant": None},
            ("Collapse recipe", "θ lr ×50, no entropy bonus, no tanh: watch one child take over and the alarm ring."),
            ("坍缩配方", "θ 学习率 ×50、无熵奖励、无 tanh：看一个子模型占据一切，警报响起。"),
        ),
        _s(
            "no-tanh",
            {"tanh_constant": None},
            ("No tanh constant", "Logits are not squashed by C·tanh: does the policy sharpen faster than ENAS's?"),
            ("无 tanh 常数", "logits 不再经 C·tanh 压缩：策略是否比 ENAS 更快变尖锐？"),
        ),
        _s(
            "uniform",
            {"sampler": "uniform"},
            ("Uniform sampler", "ω trains children drawn uniformly, not by θ: the heatmap fills evenly."),
            ("均匀采样", "ω 训练均匀抽取的子模型，而非由 θ 采样：热图被均匀填满。"),
        ),
        _s(
            "fair",
            {"sampler": "fair"},
            ("Fair sampler (FairNAS)", "Each ω step trains a group that uses every op once: no op falls behind."),
            ("公平采样（FairNAS）", "每次 ω 更新训练一组子模型，每个操作各用一次：没有操作落后。"),
        ),
        _s(
            "tf-style",
            {"unused_weights": "tf-style"},
            ("TF-style unused weights", "As in ENAS's TF code, momentum and decay move every weight, used or not."),
            ("TF 风格的未用权重", "与 ENAS 的 TF 代码一样，动量和权重衰减会移动每个权重，无论是否被使用。"),
        ),
        _s(
            "slow-baseline",
            {"baseline_decay": 0.999},
            ("Slow baseline", "Baseline decay 0.999 lags behind the rewards: advantages stay one-sided for long."),
            ("缓慢的基线", "基线衰减 0.999 跟不上奖励：优势长时间偏向一侧。"),
        ),
    )
}
DEFAULT = "healthy"


def get(name: str) -> Scenario:
    """The scenario called `name`; ValueError naming the valid ones otherwise."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; valid: {', '.join(SCENARIOS)}")
    return SCENARIOS[name]
