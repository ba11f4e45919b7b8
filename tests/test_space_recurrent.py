"""The recurrent cell space: exact size, text form, the cell's math, the supernet oracle, a proper
policy over it, reproducible runs, learning on MNIST-1D as a sequence, and the views (its partial updates:
test_core_supernet.py, with every kind of space)."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from frames import frame_of

import workbench as wb
from workbench.viz import heatmap as vh

SPACE = wb.spaces.get("recurrent", num_nodes=3, width=8)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_size_matches_enumeration_and_closed_form(n):
    space = wb.spaces.get("recurrent", num_nodes=n)
    archs = list(space.enumerate())
    assert len(archs) == len(set(archs)) == space.size() == 4**n * math.factorial(n)


def test_size_at_the_papers_setting():
    """Paper §2.1: 4^N × N! cells, N = 12, "approximately 10^15" (the exact count is 8.0e15)."""
    n = wb.spaces.get("recurrent", num_nodes=12).size()
    assert isinstance(n, int) and n == 4**12 * math.factorial(12) == 8_036_313_307_545_600
    assert 1e15 < n < 1e16


def test_decisions_text_form_and_refusals():
    space = wb.spaces.get("recurrent")
    assert space.ops == ("tanh", "relu", "identity", "sigmoid")  # the paper's order
    assert [d.name for d in space.decisions[:4]] == ["node1.input", "node1.op", "node2.input", "node2.op"]
    assert space.decisions[0].options == ("xh",) and space.decisions[4].options == ("xh", "node1", "node2")
    arch = space.make([0, 0, 0, 1, 1, 2, 2, 3])
    assert str(arch) == "node1=tanh(xh) node2=relu(xh) node3=identity(node1) node4=sigmoid(node2)"
    assert space.loose_ends(arch) == [3, 4]
    gen = torch.Generator().manual_seed(0)
    for name in ("recurrent", "recurrent(num_nodes=7,width=4)"):
        s = wb.spaces.get(name)
        for _ in range(30):
            a = s.random(gen)
            assert s.parse(str(a)) == a
    with pytest.raises(ValueError, match=r"'node5' is not an option of 'node3.input'.*valid: xh, node1, node2"):
        space.parse("node1=tanh(xh) node2=relu(xh) node3=tanh(node5) node4=relu(xh)")
    with pytest.raises(ValueError, match="'gelu' is not an option of 'node1.op'"):
        space.parse("node1=gelu(xh) node2=relu(xh) node3=tanh(xh) node4=relu(xh)")
    with pytest.raises(ValueError, match="expected 4 tokens"):
        space.parse("node1=tanh(xh)")
    with pytest.raises(ValueError, match=r"takes sequence inputs shaped \(steps, features\) per example, got \(40,\)"):
        wb.Supernet(space, (40,), 10)


def test_the_cell_computes_the_highway_steps_by_hand():
    space = wb.spaces.get("recurrent", num_nodes=2, width=3)
    net = wb.Supernet(space, (2, 1), 4, seed=1)
    arch = space.parse("node1=relu(xh) node2=sigmoid(xh)")  # both read node 0: both are loose ends
    x = torch.randn(5, 2, 1)
    b = net.blocks
    assert torch.equal(b["node1<-0"].bias[3:], torch.full((3,), -2.0))  # the gate's bias starts mostly closed
    h = torch.zeros(5, 3)
    for t in range(2):
        a0, c0 = b["node0"](torch.cat([x[:, t], h], 1)).chunk(2, 1)
        s0 = h + torch.sigmoid(c0) * (torch.tanh(a0) - h)
        a1, c1 = (s0 @ b["node1<-0"].weight.T + b["node1<-0"].bias).chunk(2, 1)
        s1 = s0 + torch.sigmoid(c1) * (torch.relu(a1) - s0)
        a2, c2 = (s0 @ b["node2<-0"].weight.T + b["node2<-0"].bias).chunk(2, 1)
        s2 = s0 + torch.sigmoid(c2) * (torch.sigmoid(a2) - s0)
        h = (s1 + s2) / 2
    expected = h @ b["classifier"].weight.T + b["classifier"].bias
    assert torch.allclose(net(x, arch), expected, atol=1e-6)


def test_one_matrix_per_pair_shared_by_the_activations():
    net = wb.Supernet(SPACE, (4, 1), 3)
    assert net.block_names == ("node0", "node1<-0", "node2<-0", "node2<-1", "node3<-0", "node3<-1", "node3<-2",
                               "classifier")  # fmt: skip
    a = SPACE.parse("node1=tanh(xh) node2=relu(node1) node3=identity(node1)")
    b = SPACE.parse("node1=sigmoid(xh) node2=identity(node1) node3=tanh(node1)")
    assert net.blocks_for(a) == net.blocks_for(b) == ("node0", "node1<-0", "node2<-1", "node3<-1", "classifier")
    x = torch.randn(2, 4, 1)
    assert not torch.allclose(net(x, a), net(x, b))  # same weights, other activations: another function


def test_child_equals_supernet_path_and_parameters_are_exact(short_seq):
    net = wb.Supernet(SPACE, short_seq.input_shape, 10, seed=3)
    x = short_seq.val[0][:16]
    gen = torch.Generator().manual_seed(1)
    for _ in range(10):
        arch = SPACE.random(gen)
        child = net.child(arch)
        assert torch.equal(child(x), net(x, arch))
        assert {n for n, _ in child.named_parameters()} == set(net.parameters_for(arch))


@pytest.mark.parametrize("kind", ["lstm", "independent"])
def test_probabilities_over_a_tiny_space_sum_to_one(kind):
    space = wb.spaces.get("recurrent", num_nodes=3)
    controller = wb.Controller(space, kind=kind, seed=0)

    def total() -> float:
        with torch.no_grad():
            return sum(math.exp(controller.log_prob(a).item()) for a in space.enumerate())

    assert total() == pytest.approx(1.0, abs=1e-5)
    opt = torch.optim.Adam(controller.parameters(), lr=0.1)
    gen = torch.Generator().manual_seed(0)
    for _ in range(5):
        s = controller.sample(gen)
        opt.zero_grad()
        (-(sum(s.arch.choices) / len(s.arch.choices) - 0.5) * s.log_prob).backward()
        opt.step()
    assert max(float(p.max()) for p in controller.distributions(controller.most_likely())) > 0.4  # it moved
    assert total() == pytest.approx(1.0, abs=1e-5)


def test_same_seed_same_run(short_seq):
    def run(seed):
        config = wb.TrainerConfig.for_space(SPACE, batch_size=64, controller_aggregate=3, reward_batch_size=64)
        t = wb.Trainer(SPACE, data=short_seq, config=config, seed=seed)
        for _ in range(3):
            t.shared_step()
        t.controller_step()
        t.shared_step()
        return t

    a, b, c = run(5), run(5), run(6)
    strip = lambda t: [dataclasses.replace(r, seconds=0.0) for r in t.history]  # noqa: E731
    assert strip(a) == strip(b)
    sa, sb = a.supernet.state_dict(), b.supernet.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert [r.arch for r in c.history] != [r.arch for r in a.history]


def test_trains_on_mnist1d_as_a_40_step_sequence():
    """The default data: 40 steps of one feature; two epochs of ω (94 steps) beat chance (10%) clearly."""
    space = wb.spaces.get("recurrent")
    assert wb.data.for_space(space).name == "mnist1d-sequence"
    data = wb.data.mnist1d(view="sequence")
    assert data.input_shape == (40, 1)
    assert torch.equal(data.train[0][:, :, 0], wb.data.mnist1d().train[0])  # the same numbers, read in order
    config = wb.TrainerConfig.for_space(
        space, batch_size=64, controller_steps=0, shared_optimizer="adam", shared_lr=0.01, shared_lr_schedule="constant"
    )
    trainer = wb.Trainer(space, data=data, config=config, seed=0)
    arch = space.parse("node1=tanh(xh) node2=relu(node1) node3=identity(node1) node4=tanh(node3)")
    before = trainer.evaluate(arch)
    for _ in range(2 * trainer.steps_per_epoch):
        trainer.shared_step(arch)
    after = trainer.evaluate(arch)
    assert after > max(0.2, before + 0.08), (before, after)


def test_every_view_draws_a_recurrent_run(short_seq):
    config = wb.TrainerConfig.for_space(SPACE, batch_size=32, controller_aggregate=2, reward_batch_size=32)
    trainer = wb.Trainer(SPACE, data=short_seq, config=config, seed=0)
    for _ in range(3):
        trainer.shared_step()
    trainer.controller_step()
    trainer.shared_step()
    arch = trainer.history[-1].arch
    frame = frame_of(trainer)
    for view in wb.viz.views():
        for height in (None, 300):
            assert len(view.figure(frame, height).data) > 0, view.name
    for selected in ("node2<-1", "node3"):
        assert wb.viz.plot_arch(SPACE, arch, trainer.update_counts, trainer.controller, selected=selected).data
    assert wb.viz.plot_update_heatmap(trainer.update_counts, SPACE, normalize=True).data
    heat = vh._get_update_info(trainer.update_counts, SPACE)
    row = heat.rows.index("node3 ← node1")
    assert heat.blocks[row] == ("node3<-1",) * 4  # one block under all four activations
    assert heat.uniform[row] == pytest.approx((1 / 3,) * 4)  # a uniform sampler trains it when node3 reads node1
    assert wb.viz.plot_policy(trainer.controller).data
    assert wb.viz.plot_policy_history(trainer.history).data
    assert wb.viz.plot_training(trainer.history).data
    assert wb.viz.plot_collapse(wb.viz.collapse_report(trainer.history)).data
    assert wb.viz.plot_skip_rate(trainer.history) is not None
    unused = next(b for b in SPACE.block_names() if b not in SPACE.blocks_for(trainer.history[-1].arch))
    assert "not on the path" in wb.viz.why_unchanged(SPACE, trainer.history[-1].arch, unused)
