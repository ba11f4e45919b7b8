"""The collapse alarm: notice when the collapse verdict changes and say why, with the evidence.

    alarm = CollapseAlarm()
    change = alarm.check(history)     # after a θ step: a VerdictChange when the verdict moved, else None
    change.sentence("en")             # "Collapse check: healthy → at risk at θ step 4 (step 51): entropy fell …"

    change.advice("en")               # the report's remedy: "rewards are within minibatch noise: …"

Owns: the verdict last seen, the change (from, to, the θ step and global step it happened at, the
checks that moved, the remedy), its sentence and advice in English and Chinese, and whether it
deserves a banner (the verdict turned to "warning" or "collapsed"; "converged", a policy that
concentrated once the rewards could tell the children apart, is no alarm). Must not: judge collapse
itself (wb.viz.collapse_report does), or touch widgets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..history import ControllerRecord
from ..viz import CollapseCheck, collapse_report

VERDICT_WORDS = {
    "en": {
        "too early": "too early to tell",
        "healthy": "healthy",
        "warning": "at risk",
        "collapsed": "COLLAPSED",
        "converged": "converged",
    },
    "zh": {"too early": "尚早", "healthy": "健康", "warning": "有风险", "collapsed": "已坍缩", "converged": "已收敛"},
}
CONVERGED_WORDS = {
    "en": "the policy concentrated after the rewards could tell the children apart, not a collapse",
    "zh": "策略在奖励已能区分子模型之后才集中，不是坍缩",
}
ALARMING = ("warning", "collapsed")


@dataclass(frozen=True)
class VerdictChange:
    """The collapse verdict moved from `before` to `after` at the θ step `theta_step` (global `step`)."""

    before: str
    after: str
    step: int
    theta_step: int
    evidence: tuple[CollapseCheck, ...]  # the checks that are not ok, worst first (empty when healthy)
    remedies: dict[str, str] = field(default_factory=dict)  # lang -> the report's remedy ("" when healthy)

    @property
    def alarming(self) -> bool:
        """Worth a banner: the verdict turned to warning or collapsed."""
        return self.after in ALARMING

    def sentence(self, lang: str = "en") -> str:
        words = VERDICT_WORDS[lang]
        when = (
            f"第 {self.theta_step} 个 θ 步（第 {self.step} 步）"
            if lang == "zh"
            else f"at θ step {self.theta_step} (step {self.step})"
        )
        evidence = ("；" if lang == "zh" else "; ").join(_evidence(c, lang) for c in self.evidence[:2])
        if self.after == "converged":
            evidence = CONVERGED_WORDS[lang]
        if lang == "zh":
            head = f"坍缩检查：{words[self.before]} → {words[self.after]}，{when}"
            return head + (f"：{evidence}。" if evidence else "：所有检查都在阈值之内。")
        head = f"Collapse check: {words[self.before]} → {words[self.after]} {when}"
        return head + (f": {evidence}." if evidence else ": every check is within its thresholds.")

    def advice(self, lang: str = "en") -> str:
        """What to change, as the collapse report words it ("" when there is nothing to fix)."""
        return self.remedies.get(lang, "")


class CollapseAlarm:
    """Remembers the last verdict; `check` reports when it changes."""

    def __init__(self, verdict: str = "too early", reward_batch_size: int = 256):
        self.verdict = verdict
        self.reward_batch_size = reward_batch_size  # the run's: the n of the rewards' noise (collapse_report)

    def check(self, history) -> VerdictChange | None:
        """The change of verdict the last records made, if any (call it after each θ step)."""
        report = collapse_report(history, reward_batch_size=self.reward_batch_size)
        if report.verdict == self.verdict:
            return None
        thetas = [r for r in history if isinstance(r, ControllerRecord)]
        order = {"alarm": 0, "warning": 1}
        evidence = tuple(sorted((c for c in report.checks if c.status != "ok"), key=lambda c: order[c.status]))
        remedies = {"en": report.remedy}
        if report.remedy:
            remedies["zh"] = collapse_report(history, lang="zh", reward_batch_size=self.reward_batch_size).remedy
        step = thetas[-1].step if thetas else 0
        change = VerdictChange(self.verdict, report.verdict, step, len(thetas), evidence, remedies)
        self.verdict = report.verdict
        return change

    def reset(self, history=()) -> None:
        """Start over from the verdict of `history` (after a reset, a load or a branch)."""
        n = self.reward_batch_size
        self.verdict = collapse_report(history, reward_batch_size=n).verdict if len(history) else "too early"


def _evidence(check: CollapseCheck, lang: str) -> str:
    """e.g. "entropy fell below 50% of its maximum (now 43%)"."""
    threshold = check.alarm if check.status == "alarm" else check.warning
    kind = next((k for k in _PHRASES[lang] if check.name.startswith(k)), "share of")
    what = check.name.removeprefix("share of ")
    phrase = _PHRASES[lang][kind].format(t=threshold, what=_ZH_LABELS.get(what, what) if lang == "zh" else what)
    now = f"（现在 {check.value:.0%}）" if lang == "zh" else f" (now {check.value:.0%})"
    return phrase + now


_ZH_LABELS = {"identity ops": "恒等操作", "skip connections": "跳跃连接"}
_PHRASES = {
    "en": {
        "entropy": "entropy fell below {t:.0%} of its maximum",
        "distinct": "distinct children fell below {t:.0%} of the samples",
        "most frequent": "the most frequent child rose above {t:.0%} of the samples",
        "share of": "the share of {what} rose above {t:.0%}",
    },
    "zh": {
        "entropy": "熵降到其最大值的 {t:.0%} 以下",
        "distinct": "不同子模型降到样本的 {t:.0%} 以下",
        "most frequent": "最常见的子模型升到样本的 {t:.0%} 以上",
        "share of": "{what}的占比升到 {t:.0%} 以上",
    },
}
