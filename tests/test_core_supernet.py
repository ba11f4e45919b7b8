"""Supernet: the oracle (child == supernet path), exact parameter usage, and partial updates."""

from __future__ import annotations

import pytest
import torch

import workbench as wb


def _net_and_batch(space, data):
    net = wb.Supernet(space, data.input_shape, data.num_classes, seed=3)
    return net, data.val[0][:32]


KINDS = {  # a small space of each kind, data of its kind, ω steps for the partial-update test, a block every child uses
    "teaching": ("teaching", "mnist1d", 12, "stem"),
    "macro": ("enas-macro(num_layers=4,channels=8)", "digits_image", 12, "stem"),
    "micro": ("enas-micro(channels=4,num_layers=1,num_nodes=2)", "small_digits", 8, "stem"),
    "recurrent": ("recurrent(num_nodes=3,width=8)", "short_seq", 10, "node0"),
}


@pytest.mark.parametrize("which", KINDS)
def test_parameters_for_is_exactly_what_gets_a_gradient(which, request):
    text, data, _, _ = KINDS[which]
    space, data = wb.spaces.get(text), request.getfixturevalue(data)
    net, x = _net_and_batch(space, data)
    gen = torch.Generator().manual_seed(2)
    for _ in range(10):
        arch = space.random(gen)
        net.zero_grad(set_to_none=True)
        net(x, arch).square().sum().backward()
        with_grad = {n for n, p in net.named_parameters() if p.grad is not None}
        assert with_grad == set(net.parameters_for(arch))
        assert 0 < len(with_grad) < len(list(net.parameters()))


@pytest.mark.parametrize("which", ["teaching", "macro"])
def test_child_equals_supernet_path(which, mnist1d, digits_image, small_macro):
    space, data = (wb.spaces.get("teaching"), mnist1d) if which == "teaching" else (small_macro, digits_image)
    net, x = _net_and_batch(space, data)
    net.train()
    gen = torch.Generator().manual_seed(1)
    for _ in range(3):  # move BatchNorm running stats away from their initial values
        net(data.train[0][:64], space.random(gen))
    net.eval()
    for _ in range(10):
        arch = space.random(gen)
        child = net.child(arch).eval()
        assert torch.equal(child(x), net(x, arch))
        child_params = {n for n, _ in child.named_parameters()}
        assert child_params == set(net.parameters_for(arch))


def test_block_names_are_stable_and_readable(mnist1d):
    net = wb.Supernet("teaching", mnist1d.input_shape, 10)
    assert net.block_names[0] == "stem" and net.block_names[-1] == "classifier"
    assert "node3<-1/tanh" in net.block_names and "node1<-0/relu" in net.block_names
    assert len(net.block_names) == 2 + 3 * (1 + 2 + 3 + 4)
    arch = net.space.parse("node1=relu(stem) node2=identity(node1) node3=tanh(node1) node4=sigmoid(stem)")
    assert net.blocks_for(arch) == ("stem", "node1<-0/relu", "node3<-1/tanh", "node4<-0/sigmoid", "classifier")


def test_same_seed_same_weights_and_global_rng_untouched(mnist1d):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    a = wb.Supernet("teaching", mnist1d.input_shape, 10, seed=5)
    assert torch.equal(torch.rand(3), expected)  # construction did not consume the global RNG
    b = wb.Supernet("teaching", mnist1d.input_shape, 10, seed=5)
    c = wb.Supernet("teaching", mnist1d.input_shape, 10, seed=6)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)


def test_wrong_input_shape_is_refused(mnist1d, small_macro):
    net = wb.Supernet("teaching", mnist1d.input_shape, 10)
    arch = net.space.make([0] * 8)
    with pytest.raises(ValueError, match=r"input batch has shape \(4, 64\); .* takes \(batch, 40\)"):
        net(torch.zeros(4, 64), arch)
    with pytest.raises(ValueError, match=r"takes flat inputs shaped \(features,\) per example, got \(1, 8, 8\)"):
        wb.Supernet("teaching", (1, 8, 8), 10)
    with pytest.raises(ValueError, match=r"takes image inputs shaped \(channels, height, width\)"):
        wb.Supernet(small_macro, (64,), 10)
    with pytest.raises(ValueError, match="num_classes must be an int >= 2"):
        wb.Supernet("teaching", (40,), 1)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("which", KINDS)
def test_omega_step_changes_only_the_childs_parameters(optimizer, which, request):
    """The claim the workbench teaches, in every kind of space: every parameter the child did not use
    stays bit-for-bit the same, also after earlier steps on other children gave those parameters
    momentum or Adam state, and every parameter it used moves."""
    text, data, steps, everyone = KINDS[which]
    space = wb.spaces.get(text)
    config = wb.TrainerConfig.for_space(
        space, shared_optimizer=optimizer, sampler="uniform", shared_weight_decay=1e-2, batch_size=32
    )
    trainer = wb.Trainer(space, data=request.getfixturevalue(data), config=config, seed=0)
    net = trainer.supernet
    for i in range(steps):
        before = {n: p.detach().clone() for n, p in net.named_parameters()}
        record = trainer.shared_step()
        used = set(net.parameters_for(record.arch))
        for name, p in net.named_parameters():
            if name not in used:
                assert torch.equal(p, before[name]), f"{name} changed although {record.arch} does not use it"
            else:
                assert not torch.equal(p, before[name]), f"{name} did not move although {record.arch} uses it"
        assert set(record.updated) == set(net.blocks_for(record.arch)) == set(record.changed)
        if i > 0:  # some unused parameter carries optimizer state from an earlier child
            state = trainer.shared_optimizer.state
            assert any(len(state[p]) for n, p in net.named_parameters() if n not in used)
    counts = trainer.update_counts
    assert counts.steps == steps and counts.grad == counts.changed
    records = trainer.history.shared()
    assert counts.grad == {b: sum(b in r.updated for r in records) for b in counts.grad}
    assert counts.grad[everyone] == counts.grad["classifier"] == steps


def test_zero_filled_gradients_move_unused_weights(mnist1d):
    """TF-style updates (ENAS's own): zero grads instead of none let momentum move unused blocks."""
    config = wb.TrainerConfig.for_space("teaching", unused_weights="tf-style", sampler="uniform")
    trainer = wb.Trainer("teaching", data=mnist1d, config=config, seed=0)
    trainer.shared_step()
    record = trainer.shared_step()
    assert set(record.updated) == set(trainer.supernet.blocks_for(record.arch))
    assert set(record.changed) > set(record.updated)  # weight decay and momentum moved unused blocks
    assert trainer.update_counts.changed["node4<-3/relu"] >= 1
