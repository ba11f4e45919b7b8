"""wb.viz skips: the shortcut share (skip connections, identity ops) per θ step, its recent mean and
its figure, on hand-made records with known answers and on a few real θ steps of the macro space."""

import math

import pytest

import workbench as wb
from workbench.viz import skips as vs

MACRO = wb.spaces.get("enas-macro", num_layers=3, channels=8)  # skip decisions: layer2.skip1, layer3.skip1/2
NO_SKIP = MACRO.make((0, 0, 0, 0, 0, 0))
ALL_SKIPS = MACRO.make((0, 0, 1, 0, 1, 1))
ONE_SKIP = MACRO.make((0, 0, 0, 0, 1, 0))
TEACH = wb.spaces.get("teaching", num_nodes=2)
RELUS = TEACH.parse("node1=relu(stem) node2=relu(stem)")
HALF = TEACH.parse("node1=identity(stem) node2=tanh(node1)")


def theta(step, epoch, archs):  # skip_rate=-1: the figure must count the archs, not copy this field
    return wb.ControllerRecord(
        step=step,
        epoch=epoch,
        arch=archs[0],
        archs=tuple(archs),
        accuracy=0.5,
        reward=0.5,
        baseline=0.5,
        advantage=0.0,
        log_prob=-2.0,
        entropy=1.0,
        skip_rate=-1.0,
        policy=(),
        seconds=0.01,
    )


def shared(step, arch):
    return wb.SharedRecord(
        step=step,
        epoch=0,
        arch=arch,
        loss=2.0,
        loss_after=1.9,
        accuracy=0.5,
        updated=("stem",),
        changed=("stem",),
        seconds=0.01,
    )


def macro_history():
    return wb.History(
        [
            shared(1, NO_SKIP),
            theta(2, 0, [NO_SKIP, ALL_SKIPS]),  # 3 of 6 skip decisions: 0.5
            theta(3, 0, [ALL_SKIPS] * 3),  # 1.0
            shared(4, NO_SKIP),
            theta(5, 1, [ONE_SKIP, NO_SKIP, NO_SKIP]),  # 1 of 9
        ]
    )


def test_shortcut_share_counts_skips_or_identity_ops():
    assert vs.shortcut_share(MACRO, [NO_SKIP, ALL_SKIPS, ONE_SKIP]) == ("skip connections", pytest.approx(4 / 9))
    assert vs.shortcut_share(MACRO, [ALL_SKIPS]) == ("skip connections", 1.0)
    assert vs.shortcut_share(TEACH, [RELUS, HALF, HALF]) == ("identity ops", pytest.approx(2 / 6))
    assert vs.shortcut_share("teaching(num_nodes=2)", []) == ("identity ops", 0.0)
    with pytest.raises(ValueError):
        vs.shortcut_share(TEACH, [NO_SKIP])  # an arch of another space


def test_data_layer_per_theta_step_exact():
    info = vs._get_skip_rate_info({"a": macro_history(), "b": wb.History([theta(7, 2, [NO_SKIP])])}, target=0.4)
    assert info.label == "skip connections" and info.target == 0.4
    a, b = info.runs
    assert a.name == "a" and a.theta_steps == (1, 2, 3) and a.steps == (2, 3, 5) and a.epochs == (0, 0, 1)
    assert a.rates == pytest.approx((0.5, 1.0, 1 / 9))
    assert b.theta_steps == (1,) and b.steps == (7,) and b.rates == (0.0,)
    teach = vs._get_skip_rate_info(wb.History([theta(1, 0, [RELUS, HALF])]))
    assert teach.label == "identity ops" and teach.runs[0].name == "" and teach.runs[0].rates == (0.25,)
    with pytest.raises(ValueError, match="different shortcuts"):
        vs._get_skip_rate_info({"macro": macro_history(), "teaching": [theta(1, 0, [RELUS])]})
    with pytest.raises(ValueError, match="target"):
        vs._get_skip_rate_info(macro_history(), target=1.5)
    with pytest.raises(TypeError, match="History"):
        vs._get_skip_rate_info(42)


def test_mean_skip_rate_over_the_last_k_theta_steps():
    h = macro_history()
    assert vs.mean_skip_rate(h) == pytest.approx((0.5 + 1.0 + 1 / 9) / 3)
    assert vs.mean_skip_rate(h, last_k=2) == pytest.approx((1.0 + 1 / 9) / 2)
    assert vs.mean_skip_rate(h, last_k=1) == pytest.approx(1 / 9)
    assert vs.mean_skip_rate(h, last_k=50) == vs.mean_skip_rate(h)  # fewer steps than k: their mean
    assert math.isnan(vs.mean_skip_rate(wb.History([shared(1, NO_SKIP)])))
    with pytest.raises(ValueError, match="last_k"):
        vs.mean_skip_rate(h, last_k=0)


def test_figure_one_line_per_run_and_the_target():
    fig = wb.viz.plot_skip_rate(
        {"λ = 0.8": macro_history(), "λ = 0": wb.History([theta(2, 0, [ALL_SKIPS])])}, target=0.4, title="my title"
    )
    assert fig.layout.title.text == "my title"
    assert [t.name for t in fig.data] == ["λ = 0.8", "λ = 0"]
    assert list(fig.data[0].x) == [1, 2, 3] and list(fig.data[0].y) == pytest.approx([0.5, 1.0, 1 / 9])
    assert list(fig.data[1].y) == [1.0] and fig.data[0].line.color != fig.data[1].line.color
    assert list(fig.data[0].marker.size) == [0, 0, 0] and list(fig.data[1].marker.size) == [6]  # one θ step: a dot
    assert [s.y0 for s in fig.layout.shapes] == [0.4]  # the target line
    assert fig.layout.yaxis.title.text == "share of skip connections"
    single = wb.viz.plot_skip_rate(wb.History([theta(1, 0, [RELUS, HALF])]))
    assert single.layout.title.text == "Share of identity ops among the sampled children"
    assert single.data[0].showlegend is False and not single.layout.shapes


def test_empty_figure_keeps_its_title():
    fig = wb.viz.plot_skip_rate(wb.History([shared(1, NO_SKIP)]), target=0.4, title="skips")
    assert fig.layout.title.text == "skips" and "no θ step yet" in fig.layout.annotations[0].text
    assert not fig.layout.shapes and list(fig.data[0].y) == []
    assert wb.viz.plot_skip_rate({}).layout.title.text == "Share of shortcuts among the sampled children"


def test_real_theta_steps_match_the_trainers_own_skip_rate(digits_image):
    config = wb.TrainerConfig.for_space(MACRO, controller_aggregate=5, batch_size=64)
    trainer = wb.Trainer(MACRO, data=digits_image, config=config, seed=0)
    for _ in range(3):
        trainer.controller_step()
    records = trainer.history.controller()
    rates = vs._get_skip_rate_info(trainer.history).runs[0].rates
    assert len(rates) == 3 and rates == pytest.approx([r.skip_rate for r in records])
    assert vs.mean_skip_rate(trainer.history, last_k=2) == pytest.approx(sum(r.skip_rate for r in records[-2:]) / 2)
