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


@pytest.fixture(scope="session")
def small_digits():
    """Digits as 8x8 images, 256 to train on and 128 to validate: a micro stack in seconds."""
    data = wb.data.digits("image")
    return wb.data.from_tensors(
        (data.train[0][:256], data.train[1][:256]),
        (data.val[0][:128], data.val[1][:128]),
        name="digits-small",
        num_classes=data.num_classes,
    )


@pytest.fixture(scope="session")
def short_seq():
    """MNIST-1D read as a sequence, cut to its first 8 steps: the same kind of data, fast."""
    d = wb.data.mnist1d(view="sequence")
    return wb.data.from_tensors(*[(X[:, :8], y) for X, y in (d.train, d.val, d.test)], name="mnist1d-seq8")


def pytest_report_header(config):
    cache = os.environ.get("ENAS_WORKBENCH_CACHE", "(default)")
    return f"torch {torch.__version__}, threads {torch.get_num_threads()}, cache {cache}"
