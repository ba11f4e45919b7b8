"""Every registered space goes through the whole workbench: `workbench search` into a run folder, then
`show`, `derive` and `export` on it; the app steps ω and θ and draws every view with no error (issue 14).
Tiny options per space keep the file fast on 2 CPU cores."""

from __future__ import annotations

import pytest

import workbench as wb
from workbench.cli import EXIT_OK, main

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# the smallest instance of each space that still has every kind of decision it has at full size
TINY_OPTIONS = {
    "teaching": {"num_nodes": 2},
    "enas-macro": {"num_layers": 3, "channels": 4},
    "enas-micro": {"num_nodes": 2, "num_layers": 3, "channels": 4},
    "recurrent": {"num_nodes": 2, "width": 8},
}
TINY_CONFIG = {"batch_size": 256, "controller_steps": 2, "controller_aggregate": 2}


def test_every_registered_space_is_covered():
    assert sorted(wb.spaces.names()) == sorted(TINY_OPTIONS)


def _flags(options: dict) -> list[str]:
    return [part for k, v in options.items() for part in ("--" + k.replace("_", "-"), str(v))]


@pytest.mark.parametrize("kind", sorted(TINY_OPTIONS))
def test_search_show_derive_export(kind, tmp_path, capsys):
    folder = tmp_path / "run"
    search = ["search", "--space", kind, *_flags(TINY_OPTIONS[kind]), *_flags(TINY_CONFIG), "--epochs", "1"]
    assert main([*search, "--quiet", "--out", str(folder)]) == EXIT_OK
    assert (folder / "summary.json").exists()
    capsys.readouterr()
    assert main(["show", str(folder)]) == EXIT_OK
    assert kind in capsys.readouterr().out
    assert main(["derive", str(folder), "--children", "3", "--batch-size", "64"]) == EXIT_OK
    derived = capsys.readouterr().out
    space = wb.spaces.get(kind, **TINY_OPTIONS[kind])
    pick = wb.load_trainer(folder).derive(n=3, batch_size=64).arch
    assert str(space.parse(str(pick))) in derived, derived  # the child it prints is a child of the space
    page = tmp_path / "run.html"
    assert main(["export", str(folder), "--out", str(page), "--quiet"]) == EXIT_OK
    html = page.read_text(encoding="utf-8")
    assert len(html) > 10_000 and "<html" in html.lower()


@pytest.mark.parametrize("kind", sorted(TINY_OPTIONS))
def test_the_app_steps_and_draws_every_view(kind):
    space = wb.spaces.get(kind, **TINY_OPTIONS[kind])
    config = wb.TrainerConfig.for_space(space, **TINY_CONFIG)
    trainer = wb.Trainer(space, data=wb.data.for_space(space), config=config, seed=0)
    app = wb.app.Workbench(trainer, preset="debug")
    app.shared_button.click()
    app.controller_button.click()
    assert app.message.value == ""
    assert len(trainer.history.shared()) == 1 and len(trainer.history.controller()) == 1
    names = [v.name for v in wb.viz.views()]
    tabs = wb.app.dashboard.tab_views(names)
    for name in getattr(app.views, "hidden", ()):  # a view in a closed tab is drawn when its tab opens
        app.tabs.selected_index = tabs.index(name)
    assert app.message.value == ""
    assert set(app.views.figures) == set(names)
    for name in names:
        assert app.views.figures[name]["data"], f"{kind}: view {name!r} draws nothing"
