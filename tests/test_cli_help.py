"""The flags' help comes from TrainerConfig's field metadata: every field has a help line, and
`workbench search --help` shows it with the default and each space's own default."""

from __future__ import annotations

import dataclasses

import pytest

from workbench.cli import main
from workbench.config import SPACE_DEFAULTS, TrainerConfig


def _search_help(capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(["search", "--help"])
    assert exit_.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines to the terminal's width


def test_every_config_field_has_help():
    for f in dataclasses.fields(TrainerConfig):
        text = f.metadata.get("help")
        assert isinstance(text, str) and text.strip() and text != f.name, f.name


def test_search_help_shows_each_fields_help_and_defaults(capsys):
    text = _search_help(capsys)
    assert (
        "--controller-lr X learning rate of θ: Adam, betas (0, 0.999), eps 1e-3 as in ENAS "
        "(default 0.001; recurrent: 0.005)" in text
    )
    assert (
        "--controller-steps N θ steps per epoch (ENAS controller_train_steps) "
        "(default 50; teaching: 10, enas-micro: 10, recurrent: 20)" in text
    )
    for f in dataclasses.fields(TrainerConfig):
        assert "--" + f.name.replace("_", "-") in text, f.name
        assert " ".join(f.metadata["help"].split()) in text, f.name
        for space, defaults in SPACE_DEFAULTS.items():
            if f.name in defaults and defaults[f.name] != f.default:
                assert f"{space}: {defaults[f.name]}" in text, (f.name, space)
