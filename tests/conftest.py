"""Shared fixtures: small spaces and datasets that keep the suite fast on 2 CPU cores."""

from __future__ import annotations

import os

import pytest
import torch

import workbench as wb

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def digits_image():
    return wb.data.digits("image")


@pytest.fixture(scope="session")
def mnist1d():
    return wb.data.mnist1d()


@pytest.fixture
def small_macro():
    return wb.spaces.get("enas-macro", num_layers=4, channels=8)


def pytest_report_header(config):
    cache = os.environ.get("ENAS_WORKBENCH_CACHE", "(default)")
    return f"torch {torch.__version__}, threads {torch.get_num_threads()}, cache {cache}"
