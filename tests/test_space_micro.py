"""The ENAS micro (cell) space: counting, text form, the stack, the oracle, the cell controller,
seeded runs, a short search on digits, and every view on a micro run (its partial updates:
test_core_supernet.py, with every kind of space)."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from frames import frame_of

import workbench as wb
from workbench import reinforce

TINY = "enas-micro(channels=4,num_layers=1,num_nodes=1)"  # 10,000 architectures: the one that enumerates
SMALL = "enas-micro(channels=4,num_layers=1,num_nodes=2)"  # three cells (reduce, reduce, normal), two nodes


def test_registered_with_the_official_ops_and_defaults():
    space = wb.spaces.get("enas-micro")
    assert "enas-micro" in wb.spaces.names()
    assert space.ops == ("sep3x3", "sep5x5", "avgpool3x3", "maxpool3x3", "identity")  # ENAS's op ids 0..4
    assert (space.num_nodes, space.num_layers, space.channels) == (5, 3, 8)
    assert len(space.decisions) == 2 * 5 * 4
    first = space.decisions[:4]
    assert [d.name for d in first] == [
        "normal.node1.x.input",
        "normal.node1.y.input",
        "normal.node1.x.op",
        "normal.node1.y.op",
    ]
    assert first[0].options == ("in0", "in1") and first[0].cell == "normal"
    assert space.decisions[-4].options == ("in0", "in1", "node1", "node2", "node3", "node4")
    assert space.decisions[-1].cell == "reduce" and space.decisions[-1].node == 20


def test_size_is_exact_enumerated_at_one_node_and_the_papers_count_is_its_formula():
    tiny = wb.spaces.get(TINY)
    archs = list(tiny.enumerate())
    assert tiny.size() == len(set(archs)) == (2 * 5) ** 4 == 10_000
    for b in range(1, 7):
        space = wb.spaces.get("enas-micro", num_nodes=b)
        assert space.size() == math.prod(len(d.options) for d in space.decisions)
        per_cell = math.prod((5 * (i + 1)) ** 2 for i in range(1, b + 1))  # two (input, op) branches per node
        assert space.size() == per_cell**2
    paper = wb.spaces.get("enas-micro", num_nodes=5)  # the paper's B = 7 counts the two cell inputs
    assert paper.published_size() == (5 * math.factorial(5)) ** 4 == 129_600_000_000  # "1.3 x 10^11"
    assert paper.size() == 720**4 * 5**20 == 25_628_906_250_000_000_000_000_000  # what the controller picks from


def test_text_form_round_trips_and_bad_text_names_the_problem():
    space = wb.spaces.get("enas-micro", num_nodes=3)
    gen = torch.Generator().manual_seed(0)
    for _ in range(50):
        arch = space.random(gen)
        assert space.parse(str(arch)) == arch
    arch = space.parse(
        "normal.node1.x=sep3x3(in1) normal.node1.y=identity(in0) normal.node2.x=avgpool3x3(node1) "
        "normal.node2.y=sep5x5(in1) normal.node3.x=maxpool3x3(node2) normal.node3.y=sep3x3(node1) "
        "reduce.node1.x=sep5x5(in0) reduce.node1.y=sep5x5(in0) reduce.node2.x=identity(in0) "
        "reduce.node2.y=maxpool3x3(node1) reduce.node3.x=avgpool3x3(in0) reduce.node3.y=identity(node2)"
    )
    assert str(arch).split()[:2] == ["normal.node1.x=sep3x3(in1)", "normal.node1.y=identity(in0)"]
    assert arch.choices[:4] == (1, 0, 0, 4)  # x input, y input, x op, y op
    assert space.cells(arch)["normal"][1] == (2, (2, "avgpool3x3"), (1, "sep5x5"))
    assert space.loose_ends(arch, "normal") == [3 + 1]  # only node3 is read by nobody
    assert space.loose_ends(arch, "reduce") == [1, 4]  # in1 and node3: a cell input can be a loose end
    with pytest.raises(ValueError, match="expected 12 tokens"):
        space.parse("normal.node1.x=sep3x3(in1) normal.node1.y=identity(in0)")
    bad = str(arch).replace("normal.node1.x=sep3x3(in1)", "normal.node1.x=sep3x3(node1)")
    with pytest.raises(ValueError, match=r"'node1' is not an option of 'normal.node1.x.input'.*valid: in0, in1"):
        space.parse(bad)
    with pytest.raises(ValueError, match=r"expected 'reduce.node1.x=OP\(INPUT\)'"):
        space.parse(str(arch).replace("reduce.node1", "normal.node1"))
    with pytest.raises(ValueError, match=r"expected 'normal.node2.y=OP\(INPUT\)'"):
        space.parse(str(arch).replace("normal.node2.y", "normal.node2.x"))


def test_stack_follows_the_official_layout():
    plan = wb.spaces.get("enas-micro", num_layers=6, channels=20).plan  # the paper's search network
    assert [p[1] for p in plan] == ["normal"] * 2 + ["reduce"] + ["normal"] * 2 + ["reduce"] + ["normal"] * 2
    assert [p[2] for p in plan] == [20, 20, 40, 40, 40, 80, 80, 80]  # channels double at each reduction
    assert [p[3] for p in plan] == ["conv", "conv", "reduce", None, None, "reduce", None, None]
    assert [p[5] for p in plan] == [0, 0, 20, 0, 0, 40, 0, 0]  # the factorized reduction before a reduce cell
    space = wb.spaces.get("enas-micro")
    net = wb.Supernet(space, (1, 8, 8), 10)
    arch = space.random(torch.Generator().manual_seed(0))
    x = torch.randn(3, 1, 8, 8)
    assert net(x, arch).shape == (3, 10)
    head = net.blocks["classifier"].linear
    assert head.in_features == 32  # 8 -> 16 -> 32 channels, 8x8 -> 4x4 -> 2x2
    names = net.block_names
    assert names[0] == "stem" and names[-1] == "classifier"
    assert "cell0/node2/y<-node1/sep5x5" in names and "cell0/node1/x<-in1/maxpool3x3" not in names
    per_cell = 2 * 2 * sum(i + 1 for i in range(1, 6))  # branches x (inputs of each node) x two sep convs
    assert sum(n.startswith("cell0/node") for n in names) == per_cell == 80


def test_child_equals_supernet_path(digits_image):
    space = wb.spaces.get(SMALL)
    net = wb.Supernet(space, digits_image.input_shape, digits_image.num_classes, seed=3)
    x = digits_image.val[0][:16]
    gen = torch.Generator().manual_seed(1)
    net.train()
    for _ in range(3):  # move BatchNorm running stats away from their initial values
        net(digits_image.train[0][:32], space.random(gen))
    net.eval()
    for _ in range(8):
        arch = space.random(gen)
        child = net.child(arch).eval()
        assert torch.equal(child(x), net(x, arch))
        assert {n for n, _ in child.named_parameters()} == set(net.parameters_for(arch))


def _theta_steps(controller, space, steps=5):
    opt = torch.optim.Adam(controller.parameters(), lr=0.1)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        s = controller.sample(gen)
        reward = sum(s.arch.choices) / len(s.arch.choices)
        opt.zero_grad()
        reinforce.policy_loss(s.log_prob, reward - 1.0, s.skip_probs, 0.4, 0.0).backward()
        opt.step()


@pytest.mark.parametrize("kind", ["lstm", "independent"])
def test_probabilities_sum_to_one(kind):
    """Sum of exp(log_prob) over the normal cells (the reduction cell fixed) and over the reduction cells
    (the normal cell fixed): with the chain rule that is the sum over all 10,000, in 300 walks."""
    space = wb.spaces.get(TINY)
    controller = wb.Controller(space, kind=kind, seed=0)
    _theta_steps(controller, space)
    archs = list(space.enumerate())
    with torch.no_grad():
        normal_mass = {}
        for a in archs[::100]:  # every normal cell once (the first four choices), reduce cell all zeros
            dists = controller.distributions(a)
            normal_mass[a.choices[:4]] = math.prod(float(d[c]) for d, c in zip(dists[:4], a.choices[:4]))
        assert len(normal_mass) == 100
        assert sum(normal_mass.values()) == pytest.approx(1.0, abs=1e-5)
        assert max(normal_mass.values()) > 5 * min(normal_mass.values())  # the policy moved away from uniform
        for start in (0, 4_300, 9_900):  # three normal cells: their 100 reduction cells
            block = archs[start : start + 100]
            assert len({a.choices[:4] for a in block}) == 1
            total = sum(math.exp(controller.log_prob(a).item()) for a in block)
            assert total == pytest.approx(normal_mass[block[0].choices[:4]], rel=1e-4)


def test_cell_walk_is_the_official_sampler():
    space = wb.spaces.get("enas-micro", num_nodes=3)
    controller = wb.Controller(space, seed=1)
    assert controller.cells and controller.op_tanh_reduce == 2.5
    calls = []
    controller.lstm.register_forward_hook(lambda *_: calls.append(1))
    gen = torch.Generator().manual_seed(4)
    s = controller.sample(gen)
    assert len(calls) == 2 * (2 + 3 * 5)  # per cell: 2 input anchors; per node 2 inputs, 2 ops, 1 anchor step
    dists = controller.distributions(s.arch)
    expected = sum(math.log(d[c]) for d, c in zip(dists, s.arch.choices))
    assert s.log_prob.item() == pytest.approx(expected, abs=1e-5)
    assert controller.log_prob(s.arch).item() == pytest.approx(expected, abs=1e-5)
    ops = [d for d, dec in zip(dists, space.decisions) if dec.kind == "op"]
    bound = math.exp(1.5 / 2.5) / (math.exp(1.5 / 2.5) + 4 * math.exp(-1.5 / 2.5))
    assert all(float(p.max()) <= bound + 1e-6 for p in ops)  # op logits squashed by C / op_tanh_reduce
    assert [len(d) for d in dists] == [len(d.options) for d in space.decisions]
    s.log_prob.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in controller.parameters())
    again = [controller.sample(torch.Generator().manual_seed(4)).arch for _ in range(2)]
    assert again == [s.arch, s.arch]
    assert len({controller.sample(gen).arch for _ in range(10)}) == 10
    assert wb.Controller(space, seed=1, op_tanh_reduce=1.0).op_tanh_reduce == 1.0
    with pytest.raises(ValueError, match="op_tanh_reduce must be None or a finite number > 0, got 0"):
        wb.Controller(space, op_tanh_reduce=0)


def _small_trainer(data, seed=0, **changes):
    space = wb.spaces.get(SMALL)
    config = wb.TrainerConfig.for_space(
        space, batch_size=64, controller_aggregate=2, controller_steps=2, reward_batch_size=64, **changes
    )
    return wb.Trainer(space, data=data, config=config, seed=seed)


def test_same_seed_same_run(small_digits):
    def steps(trainer):
        for _ in range(3):
            trainer.shared_step()
        trainer.controller_step()
        trainer.shared_step()
        return [dataclasses.replace(r, seconds=0.0) for r in trainer.history]

    a, b, c = (_small_trainer(small_digits, seed=s) for s in (7, 7, 8))
    ra, rb, rc = steps(a), steps(b), steps(c)
    assert ra == rb
    sa, sb = a.supernet.state_dict(), b.supernet.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert [r.arch for r in rc] != [r.arch for r in ra]


def test_a_short_search_on_digits_runs_and_a_child_learns(small_digits):
    trainer = _small_trainer(small_digits, shared_lr_schedule="constant")
    trainer.run(epochs=2, progress=False)
    assert len(trainer.history.shared()) == 2 * 4 and len(trainer.history.controller()) == 2 * 2
    assert all(0.0 <= r.accuracy <= 1.0 and math.isfinite(r.loss) for r in trainer.history.shared())
    arch = trainer.space.random(torch.Generator().manual_seed(0))
    before = trainer.evaluate(arch)
    for _ in range(24):  # 24 ω steps on one child of 8x8 digits: far above chance (0.1)
        trainer.shared_step(arch)
    after = trainer.evaluate(arch)
    assert after > max(0.5, before + 0.3), (before, after)


def test_graphs_name_real_blocks():
    space = wb.spaces.get("enas-micro", num_nodes=3)
    blocks = set(space.block_names())
    sg = space.supernet_graph()
    branch_nodes = [n for n in sg.nodes if "ops" in sg.nodes[n]]
    assert len(branch_nodes) == 2 * 3 * 2 and branch_nodes[0] == "normal.node1.x"
    assert set(sg.predecessors("reduce.node3.y")) == {"reduce.in0", "reduce.in1", "reduce.node1", "reduce.node2"}
    drawn = {b for _, _, bs in sg.edges(data="blocks") for b in bs if b} | {b for _, b in sg.nodes(data="bn") if b}
    first = [f"cell{space.layers_of(c)[0]}/" for c in ("normal", "reduce")]  # each cell kind's first layer
    assert drawn <= blocks and {b for b in blocks if b.startswith(tuple(first))} <= drawn
    arch = space.random(torch.Generator().manual_seed(3))
    g = space.graph(arch)
    assert {b for _, _, b in g.edges(data="block") if b} <= set(space.blocks_for(arch))
    assert sorted(j for j, _ in g.in_edges("normal.out")) == sorted(
        f"normal.{space.label(j)}" for j in space.loose_ends(arch, "normal")
    )


def test_every_view_draws_a_micro_run(small_digits):
    trainer = _small_trainer(small_digits)
    space = trainer.space
    for _ in range(3):
        trainer.shared_step()
    trainer.controller_step()
    trainer.shared_step()
    arch = trainer.history[-1].arch
    frame = frame_of(trainer)
    for view in wb.viz.views():
        for height in (None, 300):
            assert len(view.figure(frame, height).data) > 0, view.name
    block = next(b for b in space.block_names() if "/node1/y<-in1/sep3x3" in b)  # the first normal layer's
    for selected in (block, "normal.node2.x", "reduce.out"):
        assert wb.viz.plot_arch(space, arch, trainer.update_counts, trainer.controller, selected=selected).data
    assert wb.viz.plot_update_heatmap(trainer.update_counts, space, normalize=True).data
    assert wb.viz.plot_policy(trainer.controller).data
    assert wb.viz.plot_policy_history(trainer.history).data
    assert wb.viz.plot_training(trainer.history).data
    assert wb.viz.plot_collapse(wb.viz.collapse_report(trainer.history)).data
    assert wb.viz.plot_skip_rate(trainer.history) is not None
    first = f"cell{space.layers_of('normal')[0]}/"
    unused = next(b for b in space.block_names() if b.startswith(first) and b not in space.blocks_for(arch))
    assert "not on the path" in wb.viz.why_unchanged(space, arch, unused)
