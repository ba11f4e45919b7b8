"""Controller collapse: the evidence, a verdict with thresholds the user sets, and its figure.

Owns: `collapse_report` (the data layer: per-decision entropy as a share of its maximum, distinct
architectures and the top architecture's share among the last K sampled children, the identity or
skip rate, reward against baseline, each check's status and the verdict, its sentences in the
report's language), `CollapseThresholds`, `CollapseReport`. Its figure and live view are
collapse_plot.py's. Must not: train, draw, or read anything but the records.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

from ..arch import Arch
from ..history import ControllerRecord
from . import _style as st
from .entropy import entropy_fractions
from .skips import shortcut_share
from .text import STYLE, check_lang, words
from .text_records import COLLAPSE

VERDICTS = ("too early", "healthy", "warning", "collapsed")
_LEVEL = {"ok": 0, "warning": 1, "alarm": 2}


@dataclass(frozen=True)
class CollapseThresholds:
    """Where each check turns to warning and to alarm; every value a share in [0, 1]."""

    entropy_warning: float = 0.5  # mean entropy / its maximum below this: warning
    entropy_alarm: float = 0.2  # ... below this: alarm (the policy has all but decided)
    distinct_warning: float = 0.5  # distinct children / samples (at most the space's size) below this
    distinct_alarm: float = 0.2
    top_share_warning: float = 0.3  # the most frequent child's share of the samples above this
    top_share_alarm: float = 0.6
    identity_skip_warning: float = 0.7  # share of identity ops (teaching) or skips (macro) above this
    identity_skip_alarm: float = 0.9
    min_samples: int = 20  # fewer sampled children than this: "too early"

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "min_samples":
                if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                    raise ValueError(f"min_samples={v!r} must be a positive int")
            elif isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
                raise ValueError(f"{f.name}={v!r} must be a share between 0 and 1")
        for name, lower_is_worse in (
            ("entropy", True),
            ("distinct", True),
            ("top_share", False),
            ("identity_skip", False),
        ):
            warn, alarm = getattr(self, f"{name}_warning"), getattr(self, f"{name}_alarm")
            if (alarm > warn) if lower_is_worse else (alarm < warn):
                raise ValueError(
                    f"{name}_alarm={alarm!r} must lie beyond {name}_warning={warn!r} "
                    f"({'below' if lower_is_worse else 'above'} it)"
                )


@dataclass(frozen=True)
class CollapseCheck:
    """One piece of evidence: its value (a share), its thresholds and its status."""

    name: str
    value: float
    warning: float
    alarm: float
    lower_is_worse: bool
    status: str  # "ok", "warning" or "alarm"
    text: str  # one sentence for a student
    key: str = ""  # which check, whatever the language: "entropy", "distinct", "top_share" or "identity_skip"


@dataclass(frozen=True)
class CollapseReport:
    """The evidence of controller collapse over the last K sampled children, and the verdict."""

    space: str | None
    verdict: str  # one of VERDICTS
    reasons: tuple[str, ...]
    thresholds: CollapseThresholds
    last_k: int
    samples: int  # sampled children in the window (at most last_k)
    decisions: tuple[str, ...]  # decisions with more than one option
    entropy_fraction: tuple[float, ...]  # per decision, from the last θ step's policy
    entropy_status: tuple[str, ...]
    mean_entropy_fraction: float
    distinct: int
    distinct_share: float  # distinct / min(samples, space size)
    top_arch: Arch | None
    top_share: float
    identity_skip_label: str  # "identity ops" (teaching) or "skip connections" (macro)
    identity_skip_rate: float
    steps: tuple[int, ...]  # the θ steps in the window
    rewards: tuple[float, ...]
    baselines: tuple[float, ...]
    mean_advantage: float
    checks: tuple[CollapseCheck, ...]
    lang: str = "en"  # the language of `reasons` and of each check's name and text

    @property
    def verdict_text(self) -> str:
        """The verdict as the figure's title shows it, in the report's language, e.g. "✖ COLLAPSED"."""
        mark = {"too early": "·", "healthy": "✔", "warning": "⚠", "collapsed": "✖"}[self.verdict]
        return f"{mark} {words(COLLAPSE, self.lang)(self.verdict.replace(' ', '_'))}"


def _status(value: float, warning: float, alarm: float, lower_is_worse: bool) -> str:
    worse = (lambda a, b: a < b) if lower_is_worse else (lambda a, b: a > b)
    return "alarm" if worse(value, alarm) else "warning" if worse(value, warning) else "ok"


def collapse_report(
    history, last_k: int = 50, thresholds: CollapseThresholds | None = None, lang: str = "en", **overrides
) -> CollapseReport:
    """Is the controller collapsing? Evidence over the last `last_k` children it sampled, and a verdict.

    `thresholds` (a CollapseThresholds) and keyword `overrides` of its fields set where each check
    warns and alarms, e.g. collapse_report(history, entropy_alarm=0.1). `lang` ("en" or "zh"): the
    language of the reasons and of each check's name and text (the verdict itself is one of VERDICTS).
    """
    t = words(COLLAPSE, check_lang(lang))
    if isinstance(last_k, bool) or not isinstance(last_k, int) or last_k < 1:
        raise ValueError(f"last_k={last_k!r} must be a positive int")
    if thresholds is not None and not isinstance(thresholds, CollapseThresholds):
        raise TypeError(f"thresholds must be a CollapseThresholds, got {type(thresholds).__name__}: {thresholds!r}")
    try:
        th = dataclasses.replace(thresholds or CollapseThresholds(), **overrides)
    except TypeError:
        names = [f.name for f in dataclasses.fields(CollapseThresholds)]
        unknown = sorted(set(overrides) - set(names))
        raise ValueError(f"unknown threshold(s) {unknown}; valid: {', '.join(names)}") from None
    records = [r for r in st.check_records(history) if isinstance(r, ControllerRecord)]
    space = st.space_of(records)
    window, archs = [], []
    for r in reversed(records):  # the θ steps that sampled the last K children
        if len(archs) >= last_k:
            break
        window.insert(0, r)
        archs = list(r.archs) + archs
    archs = archs[-last_k:]
    if space is None or len(archs) < th.min_samples:
        return CollapseReport(
            space.name if space else None,
            "too early",
            (t("early", n=len(archs), m=th.min_samples),),
            th,
            last_k,
            len(archs),
            (),
            (),
            (),
            0.0,
            0,
            0.0,
            None,
            0.0,
            "",
            0.0,
            (),
            (),
            (),
            0.0,
            (),
            lang,
        )
    fractions = entropy_fractions(space, records[-1].policy)
    decisions = tuple(d.name for d in space.decisions if len(d.options) > 1)
    mean_fraction = sum(fractions) / len(fractions) if fractions else 1.0
    counts = Counter(archs)
    top_arch, top_n = counts.most_common(1)[0]
    distinct_share = len(counts) / min(len(archs), space.size())
    label, rate = shortcut_share(space, archs)
    n = len(archs)
    shown = t(label)
    checks = []
    for key, value, lower, text in (
        ("entropy", mean_fraction, True, t("entropy_text", p=f"{mean_fraction:.0%}")),
        ("distinct", distinct_share, True, t("distinct_text", k=len(counts), n=n)),
        ("top_share", top_n / n, False, t("top_share_text", k=top_n, n=n)),
        ("identity_skip", rate, False, t("identity_skip_text", p=f"{rate:.0%}", label=shown)),
    ):
        warn, alarm = getattr(th, f"{key}_warning"), getattr(th, f"{key}_alarm")
        name = t(key, label=shown) if key == "identity_skip" else t(key)
        checks.append(CollapseCheck(name, value, warn, alarm, lower, _status(value, warn, alarm, lower), text, key))
    entropy_status = tuple(_status(f, th.entropy_warning, th.entropy_alarm, True) for f in fractions)
    statuses = [c.status for c in checks]
    verdict = "collapsed" if "alarm" in statuses else "warning" if "warning" in statuses else "healthy"
    worst_first = sorted((c for c in checks if c.status != "ok"), key=lambda c: -_LEVEL[c.status])
    marks = words(STYLE, lang)
    reasons = tuple(f"{marks(c.status)[0]} {c.text}" for c in worst_first) or (t("all_ok"),)
    return CollapseReport(
        space.name,
        verdict,
        reasons,
        th,
        last_k,
        n,
        decisions,
        fractions,
        entropy_status,
        mean_fraction,
        len(counts),
        distinct_share,
        top_arch,
        top_n / n,
        label,
        rate,
        tuple(r.step for r in window),
        tuple(r.reward for r in window),
        tuple(r.baseline for r in window),
        sum(r.advantage for r in window) / len(window),
        tuple(checks),
        lang,
    )
