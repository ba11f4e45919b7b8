"""The gallery: every figure of a few short runs, as standalone HTML files that work offline.

    python -m workbench.viz.gallery gallery/ [--epochs 3] [--png]

Owns: the short runs (teaching, enas-macro with 4 layers, a collapsed controller, the
`unused_weights="tf-style"` updates, a uniform sampler), the live views of the teaching run as the
app's dashboard panels (630 x 290 px, in Chinese, a block selected), and writing each figure
(plotly.js inlined) plus an index.html. Must not: be imported by the library; it is a script
(`make gallery` runs it).
"""

from __future__ import annotations

import argparse
import html
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

from .. import data, spaces
from ..config import TrainerConfig
from ..trainer import Trainer
from . import (
    Frame,
    collapse_report,
    plot_arch,
    plot_collapse,
    plot_policy,
    plot_policy_history,
    plot_training,
    plot_update_heatmap,
    views,
)
from . import _style as st

COLLAPSING = dict(controller_lr=0.5, entropy_weight=0.0, tanh_constant=None)  # the recipe for collapse


def _trainer(space, dataset=None, seed: int = 0, **changes) -> Trainer:
    return Trainer(space, data=dataset, config=TrainerConfig.for_space(space, **changes), seed=seed)


def _step_with_previous(trainer: Trainer):
    """One more θ step; returns the policy figure showing what that step changed."""
    arch = trainer.controller.most_likely()
    before = trainer.controller.distributions(arch)
    trainer.controller_step()
    return plot_policy(trainer.controller, arch, previous=before)


def _panels(trainer: Trainer, lang: str, selected: str) -> list[tuple[str, str, object]]:
    """Every live view of `trainer`'s run as a dashboard panel, 630 x 290 px, as the classroom app shows it."""
    policy = trainer.controller.policy_along
    greedy, arch = trainer.controller.most_likely(), trainer.history.shared()[-1].arch
    frame = Frame(
        trainer.space,
        arch,
        trainer.update_counts,
        trainer.history,
        policy(greedy),
        greedy,
        None,
        policy(arch),
        lang=lang,
        selected=selected,
    )
    out = []
    for view in views():
        fig = view.figure(frame, 290)
        fig.layout.width = st.PANEL_WIDTH
        out.append((f"panel-{lang}-{view.name}", f"the app's {view.name} view as a dashboard panel ({lang})", fig))
    return out


def figures(epochs: int = 3) -> list[tuple[str, str, object]]:
    """(file stem, description, figure) for every figure of the short runs."""
    out = []
    teaching = spaces.get("teaching")
    macro = spaces.get("enas-macro", num_layers=4)
    runs = (
        (
            "teaching",
            "teaching space, MNIST-1D, ENAS defaults tuned for the classroom",
            _trainer(teaching, controller_steps=10, controller_aggregate=10),
        ),
        (
            "macro",
            "enas-macro with 4 layers on 8x8 digits",
            _trainer(macro, data.digits("image"), batch_size=64, controller_steps=10, controller_aggregate=5),
        ),
        (
            "collapsed",
            "teaching space with controller_lr=0.5, entropy_weight=0, tanh_constant=None: a collapse",
            _trainer(teaching, controller_steps=25, controller_aggregate=5, **COLLAPSING),
        ),
    )
    for name, what, tr in runs:
        tr.run(epochs=epochs, progress=False)
        policy_fig = _step_with_previous(tr)
        arch = tr.history.shared()[-1].arch
        out += [
            (
                f"{name}-arch",
                f"{what}: the last ω step's child inside the supernet",
                plot_arch(tr.space, arch, tr.update_counts, tr.controller),
            ),
            (f"{name}-policy", f"{what}: the policy now, and what the last θ step changed", policy_fig),
            (f"{name}-policy-history", f"{what}: the policy after every θ step", plot_policy_history(tr.history)),
            (
                f"{name}-updates",
                f"{what}: update counts of the shared weights",
                plot_update_heatmap(tr.update_counts, tr.space),
            ),
            (f"{name}-training", f"{what}: training curves", plot_training(tr.history)),
            (f"{name}-collapse", f"{what}: collapse check", plot_collapse(collapse_report(tr.history))),
        ]
        if name == "teaching":
            out += _panels(tr, "zh", "node3<-1/tanh") + _panels(tr, "en", "node2")
    zero = _trainer(teaching, unused_weights="tf-style")
    uniform = _trainer(teaching, sampler="uniform")
    for _ in range(40):
        zero.shared_step()
        uniform.shared_step()
    out += [
        (
            "tf-style-unused-weights-updates",
            "unused_weights='tf-style' (ENAS's TF code): momentum and weight decay move unused weights",
            plot_update_heatmap(zero.update_counts, teaching),
        ),
        (
            "uniform-sampler-updates-normalized",
            "a uniform sampler: shares of ω steps, to compare with the controller",
            plot_update_heatmap(uniform.update_counts, teaching, normalize=True),
        ),
        (
            "teaching-updates-normalized",
            "the controller as sampler: shares of ω steps",
            plot_update_heatmap(runs[0][2].update_counts, teaching, normalize=True),
        ),
    ]
    return out


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a gallery is for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_gallery(outdir: str | Path, epochs: int = 3, png: bool = False) -> list[Path]:
    """Write every figure as `outdir/NAME.html` (and NAME.png with `png`), plus index.html; return the paths."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written, items = [], []
    for stem, what, fig in figures(epochs):
        path = outdir / f"{stem}.html"
        _write_atomic(path, fig.to_html(include_plotlyjs=True, full_html=True, config={"responsive": True}))
        written.append(path)
        items.append(f'<li><a href="{path.name}">{html.escape(stem)}</a>: {html.escape(what)}</li>')
        if png:
            if st.is_compact(fig.layout.height):
                fig.write_image(outdir / f"{stem}.png", width=st.PANEL_WIDTH, height=fig.layout.height)
            else:
                fig.write_image(outdir / f"{stem}.png", width=1280, height=max(720, int(fig.layout.height or 720)))
            written.append(outdir / f"{stem}.png")
    index = outdir / "index.html"
    _write_atomic(
        index,
        "<!doctype html><meta charset='utf-8'><title>ENAS Workbench gallery</title>"
        "<h1>ENAS Workbench gallery</h1><ul>" + "\n".join(items) + "</ul>",
    )
    return [index, *written]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.viz.gallery", description=__doc__.splitlines()[0])
    parser.add_argument("outdir", help="folder for the HTML files (created if missing)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs of each short run (default 3)")
    parser.add_argument("--png", action="store_true", help="also write PNGs at 1280 px (needs kaleido and Chrome)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    torch.set_num_threads(1)  # these networks are tiny: one thread is fastest and never oversubscribes
    start = time.perf_counter()
    paths = write_gallery(args.outdir, args.epochs, args.png)
    print(f"wrote {len(paths)} files to {args.outdir}/ in {time.perf_counter() - start:.0f} s; open {paths[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
