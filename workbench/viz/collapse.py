"""Controller collapse: the evidence, a verdict that tells collapse from convergence, and a remedy.

Owns: `collapse_report` (the data layer: per-decision entropy as a share of its maximum, distinct
architectures and the top architecture's share among the last K sampled children, the identity or
skip rate, reward against baseline, each check's status; the diagnostics of collapse_evidence.py;
the verdict and its sentences and remedy in the report's language), `collapse_verdict` (the rule,
on plain values, so a benchmark can calibrate it), `CollapseThresholds`, `CollapseReport`.

The rule: the entropy, distinct-children and top-share checks say how concentrated the policy is
(the identity/skip share is no evidence on its own, since a good child may be all skips: it only
raises the level of a policy those checks already find concentrated).
A concentrated policy is "converged" when, at the onset of its decline, the shared weights could
tell the children apart: the children's rewards spread well beyond minibatch noise (snr_min), the
shared loss had fallen (learned_min) and ω's coverage was even (gini_max); otherwise it is
"warning" or "collapsed". Runs logged without per-child rewards cannot show that: their verdict is
the concentration's. The defaults were calibrated by benchmarks/collapse_detection.py.
Its figure and live view are collapse_plot.py's. Must not: train, draw, or read anything but the records.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

from ..arch import Arch
from ..history import ControllerRecord
from . import _style as st
from .collapse_evidence import CollapseEvidence, collapse_evidence
from .entropy import entropy_fractions
from .skips import shortcut_share
from .text import STYLE, check_lang, words
from .text_records import COLLAPSE

VERDICTS = ("too early", "healthy", "warning", "collapsed", "converged")
CONCENTRATION = ("entropy", "distinct", "top_share")  # the checks that say the policy concentrated
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
    # could the shared weights tell the children apart when the policy began to concentrate?
    # calibrated by benchmarks/collapse_detection.py on the calibration half of its 25 labelled runs
    snr_min: float = 1.0  # children's reward spread / minibatch noise at the onset at least this (not a share)
    learned_min: float = 0.2  # the shared loss had fallen by at least this share before the onset
    gini_max: float = 0.55  # the Gini of ω's update counts at the onset at most this (coverage even)
    onset_drop: float = 0.05  # the onset: the mean entropy share fell this far below its early plateau

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "min_samples":
                if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                    raise ValueError(f"min_samples={v!r} must be a positive int")
            elif f.name == "snr_min":
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v < float("inf"):
                    raise ValueError(f"snr_min={v!r} must be a finite number >= 0 (a ratio of spreads)")
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
    evidence: CollapseEvidence | None = None  # the diagnostics (collapse_evidence.py); None when too early
    concentration: str = "ok"  # the worst of the entropy, distinct and top-share checks
    can_tell: bool | None = None  # could the rewards tell children apart at the onset (None: not asked or unknown)
    diagnosis: tuple[str, ...] = ()  # the sentences for collapse against convergence, in the report's language
    remedy: str = ""  # what to change, in the report's language ("" when healthy)

    @property
    def verdict_text(self) -> str:
        """The verdict as the figure's title shows it, in the report's language, e.g. "✖ COLLAPSED"."""
        mark = {"too early": "·", "healthy": "✔", "warning": "⚠", "collapsed": "✖", "converged": "◆"}[self.verdict]
        return f"{mark} {words(COLLAPSE, self.lang)(self.verdict.replace(' ', '_'))}"


def _status(value: float, warning: float, alarm: float, lower_is_worse: bool) -> str:
    worse = (lambda a, b: a < b) if lower_is_worse else (lambda a, b: a > b)
    return "alarm" if worse(value, alarm) else "warning" if worse(value, warning) else "ok"


def can_tell_apart(evidence: CollapseEvidence | None, thresholds: CollapseThresholds) -> bool | None:
    """Could the shared weights tell the children apart at the onset? None when the records cannot say
    (no per-child rewards: logs from before they were recorded)."""
    if evidence is None or evidence.reward_snr is None or evidence.learned is None:
        return None
    th = thresholds
    return (
        evidence.reward_snr >= th.snr_min
        and evidence.learned >= th.learned_min
        and evidence.coverage_gini <= th.gini_max
    )


def collapse_verdict(concentration: str, can_tell: bool | None) -> str:
    """The verdict from how concentrated the policy is ("ok", "warning" or "alarm") and `can_tell_apart`."""
    if concentration not in _LEVEL:
        raise ValueError(f"concentration={concentration!r} must be one of {', '.join(_LEVEL)}")
    if concentration == "ok":
        return "healthy"
    if can_tell:
        return "converged"
    return "collapsed" if concentration == "alarm" else "warning"


def _diagnosis(ev: CollapseEvidence, th: CollapseThresholds, verdict: str, t) -> tuple[tuple[str, ...], str]:
    """The sentences that weigh collapse against convergence, and the remedy."""
    lines = []
    if ev.onset is not None:
        lines.append(t("diag_onset", k=ev.onset_theta, s=ev.onset))
    if ev.reward_snr is not None:
        lines.append(t("diag_snr", snr=f"{ev.reward_snr:.2f}", m=f"{th.snr_min:.2f}"))
    if ev.learned is not None:
        lines.append(t("diag_learned", p=f"{ev.learned:.0%}", m=f"{th.learned_min:.0%}"))
    lines.append(t("diag_coverage", g=f"{ev.coverage_gini:.2f}", m=f"{th.gini_max:.2f}", n=f"{ev.never_updated:.0%}"))
    if ev.saturation is not None:
        lines.append(t("diag_saturation", p=f"{ev.saturation:.0%}"))
    if ev.flattery_gap is not None:
        lines.append(t("diag_flattery", d=f"{ev.flattery_gap:+.1%}"))
    if verdict in ("healthy", "too early"):
        return tuple(lines), ""
    if verdict == "converged":
        return tuple(lines), t("remedy_converged")
    if ev.reward_snr is None or ev.learned is None:
        return tuple(lines), t("remedy_unknown")
    if ev.reward_snr < th.snr_min:
        remedy = t("remedy_noise")
    elif ev.learned < th.learned_min:
        remedy = t("remedy_untrained")
    else:
        remedy = t("remedy_coverage")
    if ev.saturation:
        remedy += t("remedy_saturated", p=f"{ev.saturation:.0%}")
    return tuple(lines), remedy


def collapse_report(
    history,
    last_k: int = 50,
    thresholds: CollapseThresholds | None = None,
    lang: str = "en",
    reward_batch_size: int = 256,
    **overrides,
) -> CollapseReport:
    """Is the controller collapsing, or converging? Evidence over the last `last_k` children it sampled,
    the diagnostics of the whole run (`report.evidence`), a verdict and a remedy.

    `thresholds` (a CollapseThresholds) and keyword `overrides` of its fields set where each check
    warns and alarms, e.g. collapse_report(history, entropy_alarm=0.1). `lang` ("en" or "zh"): the
    language of the reasons, diagnosis, remedy and of each check's name and text (the verdict itself
    is one of VERDICTS). `reward_batch_size`: the run's TrainerConfig.reward_batch_size, the n of the
    rewards' minibatch noise √(p(1−p)/n) (256: the teaching space's default; 128: ENAS's).
    """
    t = words(COLLAPSE, check_lang(lang))
    if isinstance(last_k, bool) or not isinstance(last_k, int) or last_k < 1:
        raise ValueError(f"last_k={last_k!r} must be a positive int")
    if isinstance(reward_batch_size, bool) or not isinstance(reward_batch_size, int) or reward_batch_size < 1:
        raise ValueError(f"reward_batch_size={reward_batch_size!r} must be a positive int")
    if thresholds is not None and not isinstance(thresholds, CollapseThresholds):
        raise TypeError(f"thresholds must be a CollapseThresholds, got {type(thresholds).__name__}: {thresholds!r}")
    try:
        th = dataclasses.replace(thresholds or CollapseThresholds(), **overrides)
    except TypeError:
        names = [f.name for f in dataclasses.fields(CollapseThresholds)]
        unknown = sorted(set(overrides) - set(names))
        raise ValueError(f"unknown threshold(s) {unknown}; valid: {', '.join(names)}") from None
    every = st.check_records(history)
    records = [r for r in every if isinstance(r, ControllerRecord)]
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
    concentration = max((c.status for c in checks if c.key in CONCENTRATION), key=_LEVEL.__getitem__)
    if concentration != "ok":  # shortcuts pile up in a collapse, but alone they are no evidence of one
        shortcuts = next(c.status for c in checks if c.key == "identity_skip")
        concentration = max(concentration, shortcuts, key=_LEVEL.__getitem__)
    evidence = collapse_evidence(
        every, space, window, top_arch, reward_batch_size=reward_batch_size, onset_drop=th.onset_drop
    )
    can_tell = can_tell_apart(evidence, th) if concentration != "ok" else None
    verdict = collapse_verdict(concentration, can_tell)
    worst_first = sorted((c for c in checks if c.status != "ok"), key=lambda c: -_LEVEL[c.status])
    marks = words(STYLE, lang)
    reasons = tuple(f"{marks(c.status)[0]} {c.text}" for c in worst_first) or (t("all_ok"),)
    if verdict == "converged":
        reasons = (t("converged_text"), *reasons)
    diagnosis, remedy = _diagnosis(evidence, th, verdict, t)
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
        evidence,
        concentration,
        can_tell,
        diagnosis,
        remedy,
    )
