"""wb.proxies (zero-cost proxies at initialisation) on hand-sized cases with answers worked out by
hand, and the honest baselines of wb.fidelity (pick, percentile, precision at k, random ranking)."""

from __future__ import annotations

import pandas as pd
import pytest
import torch
import torch.nn.functional as F

import workbench as wb
from workbench import fidelity, proxies

TINY = "teaching(num_nodes=1,width=2)"  # 4 children: one node on the stem, relu / tanh / sigmoid / identity


def _tiny_data(n: int = 12, features: int = 3, classes: int = 2):
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(n, features, generator=g), torch.randint(classes, (n,), generator=g)
    return wb.data.from_tensors((X, y), (X, y), num_classes=classes)


def _tiny_net():
    return wb.Supernet(TINY, (3,), 2, seed=0)


def test_param_count_by_hand():
    net = _tiny_net()
    space = net.space
    stem, node, classifier = 3 * 2 + 2, 2 * 2 + 2, 2 * 2 + 2
    assert proxies.param_count(net, space.parse("node1=relu(stem)")) == stem + node + classifier == 20
    assert proxies.param_count(net, space.parse("node1=identity(stem)")) == stem + classifier == 14


def test_synflow_of_a_linear_child_is_twice_its_output_less_the_output_bias():
    # identity child: f(x) = W2 (W1 x + b1) + b2. With every weight |θ| and x = 1, R = Σ f, and
    # Σ θ ∂R/∂θ = Σ_kj W2_kj h_j (W1 and b1) + Σ_kj W2_kj h_j (W2) + Σ b2 = 2R - Σ b2.
    net = _tiny_net()
    arch = net.space.parse("node1=identity(stem)")
    with torch.no_grad():
        W1, b1 = net.blocks["stem"].weight.abs(), net.blocks["stem"].bias.abs()
        W2, b2 = net.blocks["classifier"].weight.abs(), net.blocks["classifier"].bias.abs()
        R = (W2 @ (W1 @ torch.ones(3) + b1) + b2).sum()
        expected = float(2 * R - b2.sum())
    assert proxies.synflow(net, arch) == pytest.approx(expected, rel=1e-6)
    before = [p.detach().clone() for p in net.parameters()]
    proxies.synflow(net, arch)
    assert all(torch.equal(a, p) for a, p in zip(before, net.parameters()))  # worked on a copy
    assert all(p.grad is None for p in net.parameters())


def test_grad_norm_matches_a_direct_gradient_and_changes_nothing():
    net, data = _tiny_net(), _tiny_data()
    x, y = data.train
    arch = net.space.parse("node1=tanh(stem)")
    child = net.child(arch)
    F.cross_entropy(child(x), y).backward()
    direct = torch.sqrt(sum(p.grad.pow(2).sum() for p in child.parameters())).item()
    before = [p.detach().clone() for p in net.parameters()]
    assert proxies.grad_norm(net, arch, x, y) == pytest.approx(direct, rel=1e-5)
    assert all(torch.equal(a, p) for a, p in zip(before, net.parameters()))
    assert all(p.grad is None for p in net.parameters())


def test_scores_at_init_cover_the_space_and_refuse_bad_input():
    data = _tiny_data()
    s = proxies.at_init(TINY, data, "params", seed=0)
    assert list(s.index) == [wb.spaces.get(TINY).format(a) for a in wb.spaces.get(TINY).enumerate()]
    assert sorted(s.tolist()) == [14.0, 20.0, 20.0, 20.0]
    g0, g1 = proxies.at_init(TINY, data, "grad_norm", seed=0), proxies.at_init(TINY, data, "grad_norm", seed=0)
    assert g0.equals(g1) and (g0 > 0).all()  # deterministic per seed
    with pytest.raises(ValueError, match="proxy='jacov' is not valid"):
        proxies.at_init(TINY, data, "jacov")
    with pytest.raises(ValueError, match="needs a minibatch"):
        proxies.score(_tiny_net(), wb.spaces.get(TINY).parse("node1=relu(stem)"), "grad_norm")
    with pytest.raises(ValueError, match="batch_size"):
        proxies.at_init(TINY, data, "synflow", batch_size=0)


def test_pick_percentile_and_precision_by_hand():
    truth = pd.Series([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], index=list("abcdefghij"))
    assert fidelity.percentile("j", truth) == 90.0 and fidelity.percentile("a", truth) == 0.0
    proxy = pd.Series([9, 0, 0, 0, 0, 0, 0, 0, 5, 7], index=list("abcdefghij"), dtype=float)
    assert fidelity.pick(proxy) == "a"
    # the true top 10% of 10 is {j}; proxy's top 2 are a, j -> 1/2; top 3 a, j, i -> 1/3
    assert fidelity.precision_at_k(proxy, truth, 2) == 0.5
    assert fidelity.precision_at_k(proxy, truth, 3) == pytest.approx(1 / 3)
    assert fidelity.precision_at_k(proxy, truth, 3, top=0.2) == pytest.approx(2 / 3)  # top 20%: i, j
    ties = pd.Series([1.0, 1.0, 1.0, 0.0], index=list("wxyz"))
    picks = {fidelity.pick(ties, seed=s) for s in range(20)}
    assert picks == {"w", "x", "y"} and fidelity.pick(ties) == "w"
    summary = fidelity.ranking_summary(-truth, truth, ks=(2,))
    assert summary["kendall_tau"] == pytest.approx(-1.0) and summary["pick"] == "a"
    assert summary["pick_percentile"] == 0.0 and summary["precision_at_k"] == {2: 0.0}
    with pytest.raises(ValueError, match="k=0"):
        fidelity.precision_at_k(proxy, truth, 0)
    with pytest.raises(ValueError, match="top="):
        fidelity.precision_at_k(proxy, truth, 2, top=1.5)
    with pytest.raises(ValueError, match="not in the ground truth"):
        fidelity.percentile("zz", truth)


def test_baselines_params_is_exact_and_random_is_near_zero():
    g = torch.Generator().manual_seed(1)
    archs = [f"a{i}" for i in range(400)]
    truth = pd.Series(torch.rand(400, generator=g).tolist(), index=archs)
    out = fidelity.baselines(truth, truth * 10, proxy=-truth, seed=0)
    assert out["params"]["kendall_tau"] == pytest.approx(1.0) and out["params"]["pick_percentile"] > 99
    assert out["proxy"]["kendall_tau"] == pytest.approx(-1.0)
    assert abs(out["random"]["kendall_tau"]) < 0.1
    assert fidelity.random_ranking(archs, 3).equals(fidelity.random_ranking(archs, 3))
