"""plot_policy: the bars are controller.distributions(arch); the right panel is what a θ step changed."""

import pytest
import torch

import workbench as wb
from workbench.viz import _style as st
from workbench.viz import policy as vp

TEACH = wb.spaces.get("teaching")
MACRO = wb.spaces.get("enas-macro", num_layers=4)


def bars(fig, label, panel):
    """The bar trace of option `label` in panel 1 (probabilities) or 2 (changes)."""
    traces = [t for t in fig.data if t.name == label]
    return traces[panel - 1]


@pytest.mark.parametrize("space", [TEACH, MACRO])
def test_bars_equal_the_distributions(space):
    ctrl = wb.Controller(space, seed=4)
    arch = space.random(torch.Generator().manual_seed(2))
    dists = ctrl.distributions(arch)
    fig = vp.plot_policy(ctrl, arch)
    for k, d in enumerate(space.decisions):
        for j, option in enumerate(d.options):
            t = bars(fig, option, 1)
            at = list(t.y).index(d.name)
            assert t.x[at] == pytest.approx(float(dists[k][j]), abs=1e-12)
    shown = sum(len(t.x) for t in fig.data[: len(fig.data) // 2])
    assert shown == sum(len(d.options) for d in space.decisions)
    assert all(len(t.x) == 0 for t in fig.data[len(fig.data) // 2 :])  # no previous: the change panel is empty


def test_default_arch_is_the_most_likely_child():
    ctrl = wb.Controller(TEACH, seed=1)
    greedy = ctrl.most_likely()
    fig = vp.plot_policy(ctrl)
    assert f"its most likely child: {greedy}" in fig.layout.title.subtitle.text
    assert (
        fig.to_plotly_json()
        == vp.plot_policy(ctrl, greedy)
        .update_layout(title_subtitle_text=fig.layout.title.subtitle.text)
        .to_plotly_json()
    )


def test_the_data_layer_needs_no_controller():
    """What the policy view draws is a space and distributions: a replayed run has no controller."""
    policy = ((1.0,), (0.7, 0.1, 0.1, 0.1), (0.5, 0.5), (0.25,) * 4)
    small = wb.spaces.get("teaching", num_nodes=2)
    arch = small.greedy(policy)
    assert str(arch) == "node1=relu(stem) node2=relu(stem)"
    info = vp._get_policy_info(small, arch, policy, previous=policy)
    assert info.probs == policy and info.deltas[1] == (0.0,) * 4 and not info.greedy
    with pytest.raises(ValueError, match="has 3 vectors; space .* has 4 decisions"):
        vp._get_policy_info(small, arch, policy[:3])


def test_change_panel_shows_what_the_step_moved():
    ctrl = wb.Controller(MACRO, seed=0)
    arch = ctrl.most_likely()
    before = ctrl.distributions(arch)
    opt = torch.optim.SGD(ctrl.parameters(), lr=0.5)
    (-ctrl.log_prob(arch)).backward()
    opt.step()
    after = ctrl.distributions(arch)
    info = vp._get_policy_info(MACRO, arch, after, previous=before)
    fig = vp.plot_policy(ctrl, arch, previous=before)
    k = [d.name for d in MACRO.decisions].index("layer3.op")
    j = MACRO.ops.index(MACRO.labels(arch)["layer3.op"])
    delta = float(after[k][j] - before[k][j])
    assert delta > 0  # REINFORCE with a positive signal raises the chosen option
    assert info.deltas[k][j] == pytest.approx(delta, abs=1e-7)
    t = bars(fig, MACRO.ops[j], 2)
    assert t.x[list(t.y).index("layer3.op")] == pytest.approx(100 * delta, abs=1e-5)
    assert sum(info.deltas[k]) == pytest.approx(0.0, abs=1e-6)  # mass moves between options of one decision


def test_trace_structure_and_colours_are_stable():
    ctrl = wb.Controller(TEACH)
    g = torch.Generator().manual_seed(0)
    figs = [vp.plot_policy(ctrl, TEACH.random(g)) for _ in range(3)] + [vp.plot_policy(ctrl)]
    assert len({tuple((t.type, t.name) for t in f.data) for f in figs}) == 1
    labels = ["relu", "tanh", "sigmoid", "identity", "stem", "node1", "node2", "node3"]
    assert [t.name for t in figs[0].data[:8]] == labels
    for op in TEACH.ops:
        assert {t.marker.color for t in figs[0].data if t.name == op} == {st.OP_COLORS[op]}
    assert figs[0].layout.uirevision == "policy:teaching"


def test_bad_inputs():
    ctrl = wb.Controller(TEACH)
    arch = ctrl.most_likely()
    with pytest.raises(TypeError, match="Controller"):
        vp.plot_policy("lstm")
    with pytest.raises(ValueError, match="enas-macro"):
        vp.plot_policy(ctrl, wb.Controller(MACRO).most_likely())
    with pytest.raises(ValueError, match="7 vectors"):
        vp.plot_policy(ctrl, arch, previous=ctrl.distributions(arch)[:7])
    with pytest.raises(ValueError, match="node2.op"):
        vp.plot_policy(ctrl, arch, previous=[[1.0], [0.25] * 4, [0.5, 0.5], [0.5, 0.5]] + [[0.25] * 4] * 4)
    with pytest.raises(TypeError, match="probability vector"):
        vp.plot_policy(ctrl, arch, previous=3)
