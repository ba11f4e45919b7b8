"""The diagnostics of a collapse, each a pure function of a run's records, and their bundle.

    ev = collapse_evidence(history, space, reward_batch_size=256)
    ev.onset, ev.reward_snr, ev.learned, ev.coverage_gini   # where the decline began; could rewards tell?

Owns: per-decision entropy over the θ steps and its decline against the shared loss's; the onset
(the θ step where the decline began: the first of the steps since the mean entropy share last stood
within `drop` of its early plateau) and how far the shared loss had fallen by then; reward
signal-to-noise (the spread of the K children's accuracies in a θ step against the minibatch noise
√(p(1−p)/n), pooled over steps); the share of θ steps with positive mean advantage and the
baseline's lag; saturation and θ's gradient norm; ω coverage (share of weight blocks never updated,
Gini of the update counts); the flattery gap (the favourite's shared-weight accuracy against the
other children's). Must not: judge (collapse.py turns these into a verdict), draw, or read
anything but the records.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..history import ControllerRecord, SharedRecord
from .entropy import entropy_fractions

SNR_STEPS = 3  # θ steps, ending at the onset, whose children's spread measures the rewards' signal
LOSS_STEPS = 10  # ω steps averaged at each end of the shared loss's decline before the onset


@dataclass(frozen=True)
class CollapseEvidence:
    """Every diagnostic of one run so far (None where the records cannot tell, e.g. older logs)."""

    theta_steps: tuple[int, ...]  # the global step of each θ step
    entropy_over_time: tuple[tuple[float, ...], ...]  # per θ step: each decision's entropy / its maximum
    mean_entropy: tuple[float, ...]  # per θ step: the mean over decisions
    entropy_decline: float  # relative drop of the mean entropy share, from its early plateau to now
    loss_decline: float | None  # relative drop of the shared loss over the same steps (None: no ω steps)
    decline_ratio: float | None  # entropy_decline / loss_decline (> 1: the policy decides faster than ω learns)
    learned: float | None  # relative drop of the shared loss from the first ω steps to those before the onset
    onset: int | None  # the global step of the θ step where the decline began (None: no decline)
    onset_theta: int | None  # ... its number among the θ steps, 1-based
    reward_snr: float | None  # children's reward spread / minibatch noise, over the θ steps up to the onset
    reward_snr_now: float | None  # the same over the last SNR_STEPS θ steps
    positive_advantage: float  # share of θ steps with positive mean advantage (window)
    baseline_lag: float  # mean of reward − baseline over the window: how far the baseline trails
    saturation: float | None  # the last θ step's share of decisions at the tanh bound
    grad_norm: float | None  # the last θ step's gradient norm
    never_updated: float  # share of weight blocks no ω step updated, up to the onset (or now)
    coverage_gini: float  # Gini of the blocks' update counts, up to the onset (or now): 0 = even
    flattery_gap: float | None  # favourite's accuracy − the other children's, in the window


def gini(counts: Sequence[float]) -> float:
    """Gini coefficient of non-negative `counts`: 0 when all are equal, toward 1 when one holds
    everything (0.0 when empty or all 0)."""
    xs = sorted(float(c) for c in counts)
    if any(x < 0 for x in xs):
        raise ValueError(f"gini needs non-negative counts, got {min(xs)!r}")
    n, total = len(xs), sum(xs)
    if n == 0 or total == 0:
        return 0.0
    return sum((2 * i - n - 1) * x for i, x in enumerate(xs, start=1)) / (n * total)


def onset_index(series: Sequence[float], drop: float = 0.05, plateau_steps: int = 3) -> int | None:
    """Index into `series` where its decline began, or None if its last value is within `drop` of the plateau.

    The plateau is the largest of the first `plateau_steps` values; the onset is the first index of the
    run of values, ending at the last one, that lie below plateau − drop."""
    if not series:
        return None
    bar = max(series[:plateau_steps]) - drop
    if series[-1] >= bar:
        return None
    i = len(series) - 1
    while i > 0 and series[i - 1] < bar:
        i -= 1
    return i


def relative_decline(first: float, last: float) -> float:
    """(first − last) / first: 0.5 when it halved; 0.0 when `first` is 0."""
    return (first - last) / first if first else 0.0


def reward_snr(records: Sequence[ControllerRecord], reward_batch_size: int) -> float | None:
    """√(mean over θ steps of the children's accuracy variance / the minibatch noise p(1−p)/n).

    About 1 when the children differ by no more than the minibatch's noise (all alike, or shared
    weights that cannot tell them apart); well above 1 when the rewards carry a signal. Steps of one
    child each are pooled into one group. None when fewer than two children were recorded (older
    logs), or the accuracies are all 0 or all 1."""
    if isinstance(reward_batch_size, bool) or not isinstance(reward_batch_size, int) or reward_batch_size < 1:
        raise ValueError(f"reward_batch_size={reward_batch_size!r} must be a positive int")
    spread, noise = [], []
    for r in records:
        accs = [c.accuracy for c in r.children]
        if len(accs) < 2:
            continue
        p = sum(accs) / len(accs)
        spread.append(sum((a - p) ** 2 for a in accs) / (len(accs) - 1))
        noise.append(p * (1 - p) / reward_batch_size)
    if not spread:  # one child a step (controller_aggregate 1): the steps' children as one group
        accs = [c.accuracy for r in records for c in r.children]
        if len(accs) >= 2:
            p = sum(accs) / len(accs)
            spread.append(sum((a - p) ** 2 for a in accs) / (len(accs) - 1))
            noise.append(p * (1 - p) / reward_batch_size)
    if not spread or sum(noise) == 0:
        return None
    return math.sqrt(sum(spread) / sum(noise))


def coverage(space, shared: Sequence[SharedRecord]) -> tuple[float, float]:
    """(share of `space`'s weight blocks that no ω step in `shared` updated, Gini of the update counts)."""
    blocks = space.block_names()
    if not blocks:  # a space without weight blocks (another tool's log, spaces/generic.py): nothing to cover
        return 0.0, 0.0
    counts = Counter(b for r in shared for b in r.updated)
    return sum(counts[b] == 0 for b in blocks) / len(blocks), gini([counts[b] for b in blocks])


def flattery_gap(records: Sequence[ControllerRecord], favourite) -> float | None:
    """Mean accuracy of `favourite` among the records' children − the mean of the other children's
    (None when either is missing): how much the shared weights flatter the child they trained most."""
    fav = [c.accuracy for r in records for c in r.children if c.arch == favourite]
    other = [c.accuracy for r in records for c in r.children if c.arch != favourite]
    if not fav or not other:
        return None
    return sum(fav) / len(fav) - sum(other) / len(other)


def collapse_evidence(
    records: Sequence,
    space,
    window: Sequence[ControllerRecord] = (),
    favourite=None,
    reward_batch_size: int = 256,
    onset_drop: float = 0.05,
) -> CollapseEvidence:
    """Every diagnostic of `records` (one run's, in step order, all of `space`). `window`: the recent
    θ steps the share-like diagnostics read (default: the last SNR_STEPS); `favourite`: the child whose
    flattery gap is measured (default: the window's most frequent child). `reward_batch_size`: the n
    of the reward noise √(p(1−p)/n), the run's TrainerConfig.reward_batch_size (256 in the teaching space)."""
    thetas = [r for r in records if isinstance(r, ControllerRecord)]
    shared = [r for r in records if isinstance(r, SharedRecord)]
    window = list(window) or thetas[-SNR_STEPS:]
    per_step = tuple(entropy_fractions(space, r.policy) for r in thetas)
    mean = tuple(sum(f) / len(f) if f else 1.0 for f in per_step)
    at = onset_index(mean, onset_drop)
    onset = thetas[at].step if at is not None else None
    plateau = max(mean[:3]) if mean else 1.0
    decline = relative_decline(plateau, mean[-1]) if mean else 0.0
    loss_decline = decline_ratio = None
    if shared and thetas:
        early = [r for r in shared if r.step < thetas[0].step] or shared[: max(1, len(shared) // 4)]
        recent = shared[-max(1, len(shared) // 4) :]
        first = sum(r.loss for r in early) / len(early)
        loss_decline = relative_decline(first, sum(r.loss for r in recent) / len(recent))
        decline_ratio = decline / loss_decline if loss_decline > 0 else None
    upto = [r for r in shared if onset is None or r.step <= onset]
    never, g = coverage(space, upto)
    learned = None
    if upto:
        first, last = upto[:LOSS_STEPS], upto[-LOSS_STEPS:]
        learned = relative_decline(sum(r.loss for r in first) / len(first), sum(r.loss for r in last) / len(last))
    if favourite is None and window:
        favourite = Counter(a for r in window for a in r.archs).most_common(1)[0][0]
    last = thetas[-1] if thetas else None
    return CollapseEvidence(
        theta_steps=tuple(r.step for r in thetas),
        entropy_over_time=per_step,
        mean_entropy=mean,
        entropy_decline=decline,
        loss_decline=loss_decline,
        decline_ratio=decline_ratio,
        learned=learned,
        onset=onset,
        onset_theta=at + 1 if at is not None else None,
        reward_snr=reward_snr(thetas[: at + 1][-SNR_STEPS:] if at is not None else thetas, reward_batch_size),
        reward_snr_now=reward_snr(thetas[-SNR_STEPS:], reward_batch_size),
        positive_advantage=sum(r.advantage > 0 for r in window) / len(window) if window else 0.0,
        baseline_lag=sum(r.reward - r.baseline for r in window) / len(window) if window else 0.0,
        saturation=last.saturation if last else None,
        grad_norm=last.grad_norm if last else None,
        never_updated=never,
        coverage_gini=g,
        flattery_gap=flattery_gap(window, favourite) if favourite is not None else None,
    )
