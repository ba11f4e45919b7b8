"""Fidelity: how well the shared weights rank children, against stand-alone ground truth.

    truth = wb.groundtruth.load("teaching-mnist1d")
    report = wb.fidelity.report(trainer, truth)           # every child, or sample=500
    report.kendall_tau, report.noise_ceiling, report.top_k, report.picked
    shifts = wb.fidelity.rank_shifts(wb.fidelity.shared_accuracies(trainer), wb.fidelity.truth(table))

Owns: scoring children with the current shared weights on a whole split (`shared_accuracies`,
through scoring.py as `Trainer.evaluate` does, BatchNorm mode `bn`, "batch" by default), the
ground truth per architecture (`truth`: mean over the table's seeds), rank agreement (Kendall τ,
Spearman ρ, top-k overlap), the noise ceiling (τ between two stand-alone seeds of the same
children: the noise of the truth itself, a lower bound on what a noiseless proxy could reach against one
seed, not a bound no proxy can beat), where a chosen child stands (`standing`:
percentile and regret), and which children the shared weights flatter or wrong (`rank_shifts`:
places gained per child, with its identity ops; `rank_shift_groups`, `most_misranked`), the
honest baselines to read every τ by (`baselines`: ranking by parameter count, by a zero-cost proxy
at initialisation, at random) and the measures of one ranking (`ranking_summary`: τ, ρ,
`precision_at_k` against the true top 10%, the `pick` and its `percentile`), and scoring with the
ranking remedies (`shared_scores`: loss instead of accuracy, BatchNorm recalibrated per child, a
few-shot supernet's children each in their own sub-supernet).
Must not: train or change the weights it scores.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from . import scoring, spaces
from .arch import Arch
from .fewshot import FewShot

METRICS = ("val_accuracy", "test_accuracy")


def _frame_check(table, metric: str):
    if metric not in METRICS:
        raise ValueError(f"metric={metric!r} is not valid; choose one of {', '.join(METRICS)}")
    missing = {"arch", "seed", metric} - set(getattr(table, "columns", ()))
    if missing:
        raise ValueError(
            f"the ground-truth table lacks column(s) {sorted(missing)}; "
            "use wb.groundtruth.load(...) or load_results(...)"
        )


def truth(table, metric: str = "test_accuracy"):
    """Ground truth per architecture: `metric` averaged over the table's seeds (a Series by arch)."""
    _frame_check(table, metric)
    return table.groupby("arch", sort=True)[metric].mean()


def _net_and_data(model, data):
    net = getattr(model, "supernet", model)
    data = data if data is not None else getattr(model, "data", None)
    if data is None:
        raise ValueError("pass data= with a bare Supernet (a Trainer brings its own)")
    return net, data


def _scored(model, data, archs, split: str):
    """The supernet, its data, the children to score (Archs or their strings; default every architecture of
    the space) and the split `split` on the supernet's device."""
    net, data = _net_and_data(model, data)
    space = net.space
    archs = (
        list(space.enumerate())
        if archs is None
        else [space.parse(a) if isinstance(a, str) else space.check(a) for a in archs]
    )
    device = next(net.parameters()).device
    X, y = data.split(split)
    return net, data, archs, X.to(device), y.to(device)


def shared_accuracies(model, archs=None, data=None, split: str = "val", bn: str = scoring.DEFAULT_BN):
    """Accuracy of each child with the current shared weights on a whole split (a Series by arch).

    `model`: a Trainer or a Supernet (then pass `data`); `archs`: Archs or their strings, default
    every architecture of the space; `bn`: the BatchNorm mode (scoring.py). Weights, buffers and
    train/eval mode are left as they were."""
    import pandas as pd

    net, data, archs, X, y = _scored(model, data, archs, split)
    space = net.space
    accs = [scoring.accuracy(net, a, X, y, bn=bn) for a in archs]
    return pd.Series(accs, index=[space.format(a) for a in archs], name="shared_accuracy")


def shared_scores(
    model, archs=None, data=None, split: str = "val", metric: str | None = None, bn: str | None = None, seed: int = 0
):
    """Each child's rank score with the current shared weights on a whole split, higher is better
    (a Series by arch): its accuracy, or minus its mean loss (`metric` "loss"), BatchNorm in mode
    `bn` (scoring.RANK_BN_MODES; "recalibrated": re-estimated per child on the config's
    recalibration_batches training minibatches of batch_size, drawn with `seed`). `metric` and `bn`
    default to a Trainer's rank_metric and rank_bn (else "accuracy" and "batch"). `model`: a Trainer,
    a Supernet (then pass `data`) or a FewShot (each child scored in the sub-supernet that holds it).
    Weights, buffers and train/eval mode are left as they were."""
    import pandas as pd

    if isinstance(model, FewShot):
        space = model.space
        archs = (
            list(space.enumerate()) if archs is None else [space.parse(a) if isinstance(a, str) else a for a in archs]
        )
        parts = [
            shared_scores(t, group, data, split, metric, bn, seed)
            for j, t in enumerate(model.trainers)
            if (group := [a for a in archs if model.owner(a) == j])
        ]
        return pd.concat(parts).loc[[space.format(a) for a in archs]]
    config = getattr(model, "config", None)
    metric = metric if metric is not None else getattr(config, "rank_metric", "accuracy")
    bn = bn if bn is not None else getattr(config, "rank_bn", scoring.DEFAULT_BN)
    net, data, archs, X, y = _scored(model, data, archs, split)
    space = net.space
    calibration = []
    if bn == "recalibrated":
        n, size = getattr(config, "recalibration_batches", 4), getattr(config, "batch_size", 64)
        Xt = data.train[0]
        order = torch.randperm(len(Xt), generator=torch.Generator().manual_seed(seed))
        calibration = [Xt[order[i * size : (i + 1) * size]].to(X.device) for i in range(n)]
    values = [scoring.rank_score(net, a, X, y, metric=metric, bn=bn, calibration=calibration) for a in archs]
    return pd.Series(values, index=[space.format(a) for a in archs], name=f"shared_{metric}")


def rank_agreement(proxy, target, ks=(10, 100, 500)) -> dict:
    """Kendall τ (tau-b), Spearman ρ and top-k overlap of two Series over their common archs."""
    from scipy import stats

    common = proxy.index.intersection(target.index)
    if len(common) < 2:
        raise ValueError(f"need at least 2 architectures in both, got {len(common)}")
    p, t = proxy.loc[common].astype(float), target.loc[common].astype(float)
    tau = stats.kendalltau(p.values, t.values).statistic
    rho = stats.spearmanr(p.values, t.values).statistic
    overlap = {}
    for k in ks:
        if k <= len(common):
            top_p = set(p.sort_values(ascending=False, kind="stable").index[:k])
            top_t = set(t.sort_values(ascending=False, kind="stable").index[:k])
            overlap[int(k)] = len(top_p & top_t) / k
    return {"n": int(len(common)), "kendall_tau": float(tau), "spearman_rho": float(rho), "top_k": overlap}


def percentile(arch: str, target) -> float:
    """Where `arch` stands in `target` (a Series of true scores by arch): the share of architectures
    strictly worse, in %."""
    if arch not in target.index:
        raise ValueError(f"{arch!r} is not in the ground truth")
    return float(100.0 * (target < target[arch]).mean())


def pick(proxy, seed: int | None = None) -> str:
    """The arch `proxy` (a Series by arch, higher is better) rates best. Ties (e.g. parameter
    counts) are broken uniformly at random with `seed`, or by the first in index order if None."""
    if len(proxy) == 0:
        raise ValueError("cannot pick from an empty ranking")
    best = proxy[proxy == proxy.max()].index
    if seed is None or len(best) == 1:
        return str(best[0])
    return str(best[int(torch.randint(len(best), (1,), generator=torch.Generator().manual_seed(seed)))])


def precision_at_k(proxy, target, k: int, top: float = 0.1) -> float:
    """Of the `k` architectures `proxy` rates best (ties by index order), the share that are in
    `target`'s top `top` (percentile >= 100 * (1 - top), as `percentile` counts), over their common archs."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k={k!r} must be a positive int")
    if not 0 < top < 1:
        raise ValueError(f"top={top!r} must be a share in (0, 1)")
    common = proxy.index.intersection(target.index)
    if k > len(common):
        raise ValueError(f"k={k} is more than the {len(common)} architectures in both")
    t = target.loc[common].astype(float)
    worse = t.rank(method="min") - 1  # architectures strictly worse than each
    good = set(t.index[100.0 * worse / len(t) >= 100.0 * (1 - top)])
    best = proxy.loc[common].astype(float).sort_values(ascending=False, kind="stable").index[:k]
    return sum(a in good for a in best) / k


def ranking_summary(proxy, target, ks=(10, 100), seed: int | None = None) -> dict:
    """One ranking measured against the truth: n, Kendall τ, Spearman ρ, precision at each k (share
    of its top k in the true top 10%), its pick (ties broken with `seed`) and the pick's percentile."""
    agree = rank_agreement(proxy, target, ks=())
    common = proxy.index.intersection(target.index)
    chosen = pick(proxy.loc[common], seed)
    return {
        "n": agree["n"],
        "kendall_tau": agree["kendall_tau"],
        "spearman_rho": agree["spearman_rho"],
        "precision_at_k": {int(k): precision_at_k(proxy, target, int(k)) for k in ks if k <= len(common)},
        "pick": chosen,
        "pick_percentile": percentile(chosen, target.loc[common]),
    }


def random_ranking(archs, seed: int = 0):
    """A random ranking of `archs` (Series of uniform scores by arch, drawn with `seed`): τ ≈ 0."""
    import pandas as pd

    index = list(archs)
    return pd.Series(torch.rand(len(index), generator=torch.Generator().manual_seed(seed)).tolist(), index=index)


def baselines(target, params, proxy=None, seed: int = 0, ks=(10, 100)) -> dict:
    """The honest baselines to read a shared-weight τ by, each a `ranking_summary` against `target`:
    ranking by parameter count (`params`, a Series by arch, e.g. the table's "params"; more ranks
    higher), by a zero-cost `proxy` (wb.proxies.scores at initialisation; omitted if None) and at
    random. Ties (parameter counts) are broken with `seed`."""
    out = {"params": ranking_summary(params, target, ks, seed), "random": None}
    if proxy is not None:
        out["proxy"] = ranking_summary(proxy, target, ks, seed)
    out["random"] = ranking_summary(random_ranking(target.index, seed), target, ks, seed)
    return out


def noise_ceiling(table, metric: str = "test_accuracy", seeds: tuple[int, int] | None = None) -> dict:
    """Rank agreement between two stand-alone seeds of the same children (default: the two most
    common seeds of the table), over the children trained with both.

    Despite the name, not a ceiling that no proxy can beat: it compares two noisy measurements with each
    other. A noiseless proxy (each child's expected accuracy) compared with one noisy seed agrees better;
    if the seeds correlate with r, each correlates with the noiseless value about √r. So this is a lower
    bound on what a perfect proxy could reach against the table. Read a τ as (1 + τ)/2, about the
    probability that a random pair of children is ordered the same way by both rankings."""
    _frame_check(table, metric)
    counts = table["seed"].value_counts()
    if len(counts) < 2:
        raise ValueError("the noise ceiling needs a table with at least two seeds")
    a, b = seeds if seeds is not None else tuple(int(s) for s in counts.index[:2])
    by_seed = table.pivot_table(index="arch", columns="seed", values=metric, aggfunc="first")
    for s in (a, b):
        if s not in by_seed.columns:
            raise ValueError(f"seed {s} is not in the table; seeds: {sorted(by_seed.columns)}")
    both = by_seed[[a, b]].dropna()
    out = rank_agreement(both[a], both[b])
    out["seeds"] = [int(a), int(b)]
    out["mean_abs_difference"] = float((both[a] - both[b]).abs().mean())
    return out


def standing(arch: Arch | str, table, metric: str = "test_accuracy", space="teaching") -> dict:
    """Where one child stands in the ground truth: its accuracy, the best, the regret
    (best - its accuracy), its percentile (share of architectures strictly worse, in %) and its
    rank (1 = best)."""
    space = spaces.resolve(space)
    name = space.format(space.parse(arch) if isinstance(arch, str) else space.check(arch))
    t = truth(table, metric)
    if name not in t.index:
        raise ValueError(f"{name!r} is not in the ground-truth table")
    acc = float(t[name])
    return {
        "arch": name,
        metric: acc,
        "best": float(t.max()),
        "regret": float(t.max() - acc),
        "percentile": float(100.0 * (t < acc).mean()),
        "rank": int((t > acc).sum() + 1),
        "of": int(len(t)),
    }


@dataclass(frozen=True)
class FidelityReport:
    """Shared-weight ranking against ground truth, with the noise ceiling to read it by."""

    n: int  # architectures scored
    metric: str  # the ground-truth column
    kendall_tau: float
    spearman_rho: float
    top_k: dict  # k -> share of the true top k that the shared weights also put in their top k
    noise_ceiling: dict | None  # rank agreement between two stand-alone seeds (None: the table has one seed)
    picked: dict  # standing of the child the shared weights rate best
    bn: str = scoring.DEFAULT_BN  # the BatchNorm mode the children were scored in

    def to_dict(self) -> dict:
        return asdict(self)


def report(
    model,
    table,
    sample: int | None = None,
    seed: int = 0,
    metric: str = "test_accuracy",
    data=None,
    split: str = "val",
    ks=(10, 100, 500),
    bn: str = scoring.DEFAULT_BN,
) -> FidelityReport:
    """Score every architecture (or `sample` of them, drawn with `seed`) with the current shared
    weights, BatchNorm in mode `bn`, and compare with the ground-truth `table` (a wb.groundtruth
    DataFrame)."""
    net, _ = _net_and_data(model, data)
    t = truth(table, metric)
    archs = list(t.index)
    if sample is not None:
        if isinstance(sample, bool) or not isinstance(sample, int) or not 2 <= sample <= len(archs):
            raise ValueError(f"sample={sample!r} must be an int in 2..{len(archs)}")
        idx = torch.randperm(len(archs), generator=torch.Generator().manual_seed(seed))[:sample]
        archs = [archs[i] for i in sorted(idx.tolist())]
    shared = shared_accuracies(model, archs, data=data, split=split, bn=bn)
    agree = rank_agreement(shared, t, ks)
    best = shared.sort_values(ascending=False, kind="stable").index[0]
    return FidelityReport(
        n=agree["n"],
        metric=metric,
        kendall_tau=agree["kendall_tau"],
        spearman_rho=agree["spearman_rho"],
        top_k=agree["top_k"],
        noise_ceiling=noise_ceiling(table, metric) if table["seed"].nunique() > 1 else None,
        picked=standing(best, table, metric, net.space),
        bn=bn,
    )


# ---- who the shared weights flatter, who they wrong ----------------------------------------------
SHIFT_COLUMNS = ("shared_accuracy", "true_accuracy", "shared_rank", "true_rank", "places_gained", "identity_ops")


def identity_ops(arch: Arch | str, space="teaching") -> int:
    """How many of the child's op decisions chose `identity` (the op without weights)."""
    space = spaces.resolve(space)
    arch = space.parse(arch) if isinstance(arch, str) else space.check(arch)
    return sum(d.kind == "op" and d.options[c] == "identity" for d, c in zip(space.decisions, arch.choices))


def rank_shifts(shared, target, space="teaching"):
    """Every child in both Series ranked twice, by its shared-weight accuracy (`shared`, e.g.
    shared_accuracies(...)) and by its ground truth (`target`, e.g. truth(table)); rank 1 is the best
    and ties share the better rank. A DataFrame by arch with SHIFT_COLUMNS: `places_gained` is
    true_rank - shared_rank (> 0: the shared weights flatter the child; < 0: they wrong it)."""
    import pandas as pd

    common = shared.index.intersection(target.index)
    if len(common) < 2:
        raise ValueError(f"need at least 2 architectures in both, got {len(common)}")
    frame = pd.DataFrame(
        {"shared_accuracy": shared.loc[common].astype(float), "true_accuracy": target.loc[common].astype(float)}
    )
    frame["shared_rank"] = frame["shared_accuracy"].rank(ascending=False, method="min").astype(int)
    frame["true_rank"] = frame["true_accuracy"].rank(ascending=False, method="min").astype(int)
    frame["places_gained"] = frame["true_rank"] - frame["shared_rank"]
    space = spaces.resolve(space)
    frame["identity_ops"] = [identity_ops(a, space) for a in frame.index]
    frame.index.name = "arch"
    return frame


def rank_shift_groups(shifts, by: str = "identity_ops"):
    """rank_shifts(...) grouped by one of its columns: the number of children, their mean shared-weight
    and true accuracy, and the mean places they gain on the shared weights."""
    if by not in shifts.columns:
        raise ValueError(f"by={by!r} is not a column; choose one of {', '.join(shifts.columns)}")
    return shifts.groupby(by).agg(
        children=("places_gained", "size"),
        shared_accuracy=("shared_accuracy", "mean"),
        true_accuracy=("true_accuracy", "mean"),
        places_gained=("places_gained", "mean"),
    )


def most_misranked(shifts, n: int = 3):
    """The `n` children the shared weights flatter most and the `n` they wrong most (children with the
    same two accuracies shown once): rank_shifts(...) rows under an outer index "flattered" / "wronged"."""
    import pandas as pd

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n={n!r} must be a positive int")
    cols = ["shared_rank", "true_rank", "shared_accuracy", "true_accuracy"]
    distinct = shifts.drop_duplicates(["shared_accuracy", "true_accuracy"])
    return pd.concat(
        {
            "flattered": distinct.nlargest(n, "places_gained")[cols],
            "wronged": distinct.nsmallest(n, "places_gained")[cols],
        }
    )
