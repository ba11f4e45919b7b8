"""Views on real runs: a collapsed and a healthy controller get different verdicts; every figure on both spaces."""

import re
import subprocess
import sys

import pytest
import torch

import workbench as wb
from workbench.viz import _style as st

COLLAPSING = dict(controller_lr=0.5, entropy_weight=0.0, tanh_constant=None)


@pytest.fixture
def one_thread():
    """Tiny networks run fastest on one thread, and a loaded 2-core machine is not oversubscribed."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def short_run(space, dataset, epochs, **changes):
    config = wb.TrainerConfig.for_space(space, **changes)
    trainer = wb.Trainer(space, data=dataset, config=config, seed=0)
    trainer.run(epochs=epochs, progress=False)
    return trainer


def test_collapsed_and_healthy_runs_get_different_verdicts(one_thread):
    space, digits = wb.spaces.get("teaching"), wb.data.digits("flat")
    small = dict(batch_size=128, controller_steps=25, controller_aggregate=5)  # 9 ω + 25 θ steps an epoch
    collapsed = wb.viz.collapse_report(short_run(space, digits, 3, **small, **COLLAPSING).history)
    healthy = wb.viz.collapse_report(short_run(space, digits, 3, **small).history)
    assert collapsed.verdict == "collapsed", collapsed.reasons
    assert healthy.verdict == "healthy", healthy.reasons
    assert any(c.status == "alarm" for c in collapsed.checks)
    assert healthy.mean_entropy_fraction > 0.9 and healthy.distinct > 40
    assert "COLLAPSED" in wb.viz.plot_collapse(collapsed).layout.title.text
    assert "HEALTHY" in wb.viz.plot_collapse(healthy).layout.title.text


@pytest.mark.parametrize(
    "space, dataset",
    [
        (wb.spaces.get("teaching"), lambda: wb.data.digits("flat")),
        (wb.spaces.get("enas-macro", num_layers=4), lambda: wb.data.digits("image")),
    ],
)
def test_every_figure_on_both_spaces(one_thread, space, dataset):
    trainer = wb.Trainer(
        space,
        data=dataset(),
        seed=0,
        config=wb.TrainerConfig.for_space(
            space, batch_size=32, controller_aggregate=2, reward_batch_size=32, unused_weights="tf-style"
        ),
    )
    figures = []
    for _ in range(2):  # the trace structure must not change as the run goes on
        for _ in range(3):
            trainer.shared_step()
        arch = trainer.controller.most_likely()
        before = trainer.controller.distributions(arch)
        trainer.controller_step()
        report = wb.viz.collapse_report(trainer.history, min_samples=1)
        figures.append(
            [
                wb.viz.plot_arch(space, trainer.history.shared()[-1].arch, trainer.update_counts, trainer.controller),
                wb.viz.plot_policy(trainer.controller, arch, previous=before),
                wb.viz.plot_policy_history(trainer.history),
                wb.viz.plot_update_heatmap(trainer.update_counts, space),
                wb.viz.plot_update_heatmap(trainer.update_counts, space, normalize=True),
                wb.viz.plot_training(trainer.history),
                wb.viz.plot_collapse(report),
            ]
        )
    for first, later in zip(*figures):
        assert [(t.type, t.name) for t in first.data] == [(t.type, t.name) for t in later.data]
        assert later.layout.uirevision and later.layout.title.text and later.layout.font.size >= 14
    heat = figures[1][3]
    assert heat.layout.shapes, "unused_weights='tf-style' moves unused weights: the heatmap must outline them"
    assert [list(r) for r in heat.data[1].z][0][0] is not None


def test_one_colour_per_op_colour_blind_safe():
    safe = set(st.OKABE_ITO.values())
    for space in (wb.spaces.get("teaching"), wb.spaces.get("enas-macro")):
        colours = [wb.viz.op_color(op) for op in space.ops]
        assert set(colours) <= safe and len(set(colours)) == len(colours)
        assert st.OKABE_ITO["yellow"] not in colours  # invisible on a white projector screen


def test_import_workbench_does_not_import_plotly():
    code = (
        "import sys, workbench as wb; assert 'plotly' not in sys.modules, 'plotly imported'; "
        "wb.viz.plot_arch; assert 'plotly' in sys.modules; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


@pytest.mark.slow
def test_gallery_writes_standalone_html(one_thread, tmp_path):
    from workbench.viz import gallery

    paths = gallery.write_gallery(tmp_path, epochs=1)
    names = {p.name for p in paths}
    assert "index.html" in names and "teaching-arch.html" in names and "macro-collapse.html" in names
    assert "tf-style-unused-weights-updates.html" in names
    page = (tmp_path / "teaching-training.html").read_text(encoding="utf-8")
    assert "plotly.js v" in page and not re.search(r"<script[^>]*\bsrc=", page)  # inlined: works offline
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{p.name}"' in index for p in paths if p.suffix == ".html" and p.name != "index.html")
