"""Controller: a proper distribution over architectures, consistent log-probs, seeded sampling."""

from __future__ import annotations

import math

import pytest
import torch

import workbench as wb
from workbench import reinforce


def _total_probability(controller, space) -> float:
    with torch.no_grad():
        return sum(math.exp(controller.log_prob(a).item()) for a in space.enumerate())


def _theta_steps(controller, space, steps=5):
    """A few REINFORCE steps with a made-up reward, so the policy is far from uniform."""
    opt = torch.optim.Adam(controller.parameters(), lr=0.1)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        s = controller.sample(gen)
        reward = sum(s.arch.choices) / len(s.arch.choices)
        opt.zero_grad()
        reinforce.policy_loss(s.log_prob, reward - 0.5, s.skip_probs, 0.4, 0.8, skip_layers=s.skip_layers).backward()
        opt.step()


@pytest.mark.parametrize("kind", ["lstm", "independent"])
@pytest.mark.parametrize("name", ["teaching(num_nodes=3)", "enas-macro(num_layers=3)"])
def test_probabilities_sum_to_one_before_and_after_theta_steps(kind, name):
    space = wb.spaces.get(name)
    controller = wb.Controller(space, kind=kind, seed=0)
    assert _total_probability(controller, space) == pytest.approx(1.0, abs=1e-5)
    _theta_steps(controller, space)
    dists = [controller.distributions(a) for a in list(space.enumerate())[:5]]
    assert max(float(d.max()) for ds in dists for d in ds) > 0.3  # the policy moved
    assert _total_probability(controller, space) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("kind", ["lstm", "independent"])
@pytest.mark.parametrize("name", ["teaching", "enas-macro(num_layers=4)"])
def test_log_prob_is_the_sum_of_logs_of_the_distributions(kind, name):
    space = wb.spaces.get(name)
    controller = wb.Controller(space, kind=kind, seed=1)
    _theta_steps(controller, space, steps=3)
    gen = torch.Generator().manual_seed(4)
    for _ in range(10):
        s = controller.sample(gen)
        dists = controller.distributions(s.arch)
        assert len(dists) == len(space.decisions)
        assert [len(d) for d in dists] == [len(d.options) for d in space.decisions]
        expected = sum(math.log(d[c]) for d, c in zip(dists, s.arch.choices))
        assert controller.log_prob(s.arch).item() == pytest.approx(expected, abs=1e-5)
        assert s.log_prob.item() == pytest.approx(expected, abs=1e-5)
        entropy = sum(-(d * d.log()).sum().item() for d in dists)
        assert s.entropy.item() == pytest.approx(entropy, abs=1e-4)


def test_sampling_is_seeded_and_gradients_reach_theta():
    controller = wb.Controller("teaching", seed=0)
    a = [controller.sample(torch.Generator().manual_seed(9)).arch for _ in range(3)]
    assert len(set(a)) == 1
    s = controller.sample(torch.Generator().manual_seed(9))
    s.log_prob.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in controller.parameters())


def test_macro_lstm_has_attention_skips_and_skip_probabilities():
    space = wb.spaces.get("enas-macro", num_layers=4)
    controller = wb.Controller(space, seed=0)
    s = controller.sample(torch.Generator().manual_seed(0))
    assert s.skip_probs.shape == (1 + 2 + 3,)
    assert s.skip_layers == (2, 3, 3, 4, 4, 4)
    dists = controller.distributions(s.arch)
    skip_p = [float(d[1]) for d, dec in zip(dists, space.decisions) if dec.kind == "skip"]
    assert skip_p == pytest.approx(s.skip_probs.tolist(), abs=1e-6)
    assert {n.split(".")[0] for n, _ in controller.named_parameters()} >= {
        "attn_anchor",
        "attn_query",
        "attn_v",
        "start",
    }


def test_tanh_constant_bounds_the_logits():
    space = wb.spaces.get("teaching", num_nodes=1)
    controller = wb.Controller(space, kind="independent", tanh_constant=1.0)
    with torch.no_grad():
        controller.logits[1].copy_(torch.tensor([100.0, 0.0, 0.0, 0.0]))
    p = controller.distributions(space.make([0, 0]))[1]
    assert p[0].item() == pytest.approx(math.e / (math.e + 3), abs=1e-6)  # tanh(100) -> 1
    controller.tanh_constant = None
    controller.temperature = 50.0
    p = controller.distributions(space.make([0, 0]))[1]
    assert p[0].item() == pytest.approx(math.exp(2) / (math.exp(2) + 3), abs=1e-6)


def test_most_likely_follows_the_argmax():
    space = wb.spaces.get("teaching", num_nodes=2)
    controller = wb.Controller(space, kind="independent")
    with torch.no_grad():
        controller.logits[1][2] = 1.0
        controller.logits[2][0] = 1.0
        controller.logits[3][3] = 1.0
    assert str(controller.most_likely()) == "node1=sigmoid(stem) node2=identity(stem)"


@pytest.mark.parametrize("kind", wb.controller.KINDS)
def test_the_policy_as_floats_is_the_distributions_along_the_greedy_child(kind):
    space = wb.spaces.get("enas-macro", num_layers=3)  # op and skip decisions
    controller = wb.Controller(space, kind=kind, seed=1)
    _theta_steps(controller, space)
    arch, policy = controller.greedy_policy()
    assert arch == controller.most_likely()
    assert policy == tuple(tuple(p.tolist()) for p in controller.distributions(arch))  # bit for bit
    other = space.random(torch.Generator().manual_seed(0))
    assert other != arch and controller.policy_along(other) == tuple(
        tuple(p.tolist()) for p in controller.distributions(other)
    )
    assert all(isinstance(v, float) for row in policy for v in row) and len(policy) == len(space.decisions)


def test_bad_controller_settings_are_refused():
    with pytest.raises(ValueError, match="unknown controller kind 'gru'; valid: lstm, independent"):
        wb.Controller("teaching", kind="gru")
    controller = wb.Controller("teaching")
    controller.temperature = 0.0
    with pytest.raises(ValueError, match="temperature must be a finite number > 0, got 0.0"):
        controller.sample()
    controller.temperature, controller.tanh_constant = 1.0, float("nan")
    with pytest.raises(ValueError, match="tanh_constant must be None or a finite number >= 0"):
        controller.sample()


def test_reinforce_pure_functions():
    assert reinforce.shaped_reward(0.5, 2.0, 0.1) == pytest.approx(0.7)
    assert reinforce.update_baseline(None, 0.3, 0.99) == 0.3
    assert reinforce.update_baseline(0.5, 1.0, 0.9) == pytest.approx(0.55)
    log_p = torch.tensor(-2.0, requires_grad=True)
    loss = reinforce.policy_loss(log_p, 0.25)
    loss.backward()
    assert loss.item() == pytest.approx(0.5) and log_p.grad.item() == pytest.approx(-0.25)
    p = torch.tensor([0.4, 0.4])
    assert reinforce.skip_penalty(p, [2, 3], 0.4).item() == pytest.approx(0.0, abs=1e-7)
    q = torch.tensor([0.8])
    kl = 0.8 * math.log(0.8 / 0.4) + 0.2 * math.log(0.2 / 0.6)
    assert reinforce.skip_penalty(q, [2], 0.4).item() == pytest.approx(kl, rel=1e-5)
    assert reinforce.skip_penalty(torch.zeros(0), [], 0.4).item() == 0.0
    with pytest.raises(ValueError, match="one layer per skip decision: got 2 probabilities and 1 layers"):
        reinforce.skip_penalty(p, [2], 0.4)
    with pytest.raises(ValueError, match="skip_weight > 0 needs skip_layers"):
        reinforce.policy_loss(log_p, 0.1, p, 0.4, 0.8)
    with pytest.raises(ValueError, match="baseline decay must be in"):
        reinforce.update_baseline(0.0, 1.0, 1.5)


def _kl(p: float, rho: float) -> float:
    return p * math.log(p / rho) + (1 - p) * math.log((1 - p) / (1 - rho))


def test_skip_penalty_sums_within_a_layer_and_averages_over_layers():
    """ENAS general_controller.py: KL summed over a layer's skip decisions, then the mean over layers."""
    probs = torch.tensor([0.5, 0.9, 0.2, 0.4, 0.6, 0.7])  # layer 2: one decision, layer 3: two, layer 4: three
    layers = [2, 3, 3, 4, 4, 4]
    by_hand = (_kl(0.5, 0.4) + (_kl(0.9, 0.4) + _kl(0.2, 0.4)) + (_kl(0.4, 0.4) + _kl(0.6, 0.4) + _kl(0.7, 0.4))) / 3
    # = (0.020411 + (0.550661 + 0.091516) + (0 + 0.081093 + 0.183787)) / 3 = 0.927468 / 3 = 0.309156
    assert reinforce.skip_penalty(probs, layers, 0.4).item() == pytest.approx(by_hand, rel=1e-5)
    assert by_hand == pytest.approx(0.309156, abs=1e-6)
    assert by_hand != pytest.approx(sum(_kl(float(p), 0.4) for p in probs) / 6, rel=1e-3)  # not the plain mean
    # 12 layers, every skip probability 0.8: 66 decisions in 11 layers, so 66/11 = 6 times the plain mean
    twelve = wb.spaces.get("enas-macro")
    layers = [d.node for d in twelve.decisions if d.kind == "skip"]
    penalty = reinforce.skip_penalty(torch.full((66,), 0.8), layers, 0.4).item()
    assert len(layers) == 66 and len(set(layers)) == 11
    assert penalty == pytest.approx(6 * _kl(0.8, 0.4), rel=1e-5) and penalty == pytest.approx(2.008772, abs=1e-5)


@pytest.mark.parametrize("kind", ["lstm", "independent"])
def test_skip_probability_spans_what_the_official_logits_allow(kind, monkeypatch):
    """Logits [-a, a], then C * tanh: p(skip) = sigmoid(2 C tanh(a / T)), 1 / (1 + e^-3) = 0.952574 at C = 1.5."""
    space = wb.spaces.get("enas-macro", num_layers=3)
    controller = wb.Controller(space, kind=kind, tanh_constant=1.5, temperature=1.0, seed=0)
    hi, lo = 1 / (1 + math.exp(-3.0)), 1 / (1 + math.exp(3.0))
    assert (hi, lo) == (pytest.approx(0.952574, abs=1e-6), pytest.approx(0.047426, abs=1e-6))
    for sign, expected in ((1.0, hi), (-1.0, lo)):
        if kind == "lstm":  # attention scores far from 0 (the scores' own values depend on the LSTM's state)

            def scores(backend, keys, h, sign=sign):
                return torch.full((len(keys),), sign * 1e4)

            monkeypatch.setattr(wb.controller_math.TorchMath, "attention", scores)
        else:
            with torch.no_grad():
                for d, p in zip(space.decisions, controller.logits):
                    if d.kind == "skip":
                        p.fill_(sign * 100.0)
        s = controller.sample(torch.Generator().manual_seed(0))
        assert s.skip_probs.tolist() == pytest.approx([expected] * 3, abs=1e-6)
    controller = wb.Controller(space, kind="independent", tanh_constant=None, temperature=2.0)
    with torch.no_grad():
        controller.logits[2].fill_(1.0)  # layer2.skip0
    p = controller.distributions(space.make([0] * 6))[2]
    assert p[1].item() == pytest.approx(1 / (1 + math.exp(-2 * 1.0 / 2.0)), abs=1e-6)  # no tanh: sigmoid(2a/T)
