"""Data: offline MNIST-1D and digits, fixed splits, and the caller's random state left alone."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import workbench as wb
from workbench import data as data_mod


def test_mnist1d_generation_leaves_global_random_state_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("ENAS_WORKBENCH_CACHE", str(tmp_path))
    data_mod._mnist1d_arrays.cache_clear()
    random.seed(1)
    np.random.seed(1)
    expected = (random.random(), np.random.rand())
    random.seed(1)
    np.random.seed(1)
    d = wb.data.mnist1d(num_samples=500, seed=3)  # generates: make_dataset reseeds the globals
    assert (random.random(), np.random.rand()) == expected
    assert len(list(tmp_path.glob("mnist1d-*.npz"))) == 1  # cached on disk for the next kernel
    data_mod._mnist1d_arrays.cache_clear()
    again = wb.data.mnist1d(num_samples=500, seed=3)  # read back from the disk cache
    assert torch.equal(again.train[0], d.train[0]) and torch.equal(again.test[1], d.test[1])
    data_mod._mnist1d_arrays.cache_clear()


def test_mnist1d_default_splits(mnist1d):
    assert mnist1d.input_shape == (40,) and mnist1d.num_classes == 10
    assert [len(mnist1d.split(s)[1]) for s in ("train", "val", "test")] == [3000, 1000, 1000]
    assert mnist1d.train[0].dtype == torch.float32 and mnist1d.train[1].dtype == torch.int64
    assert set(mnist1d.train[1].tolist()) == set(range(10))


def test_a_damaged_cache_file_is_regenerated(tmp_path, monkeypatch):
    monkeypatch.setenv("ENAS_WORKBENCH_CACHE", str(tmp_path))
    data_mod._mnist1d_arrays.cache_clear()
    wb.data.mnist1d(num_samples=200, seed=1)
    (path,) = tmp_path.glob("mnist1d-*.npz")
    path.write_bytes(b"not a zip file")
    data_mod._mnist1d_arrays.cache_clear()
    assert len(wb.data.mnist1d(num_samples=200, seed=1).train[1]) == 120
    data_mod._mnist1d_arrays.cache_clear()


def test_digits_views():
    flat, image = wb.data.digits("flat"), wb.data.digits("image")
    assert flat.input_shape == (64,) and image.input_shape == (1, 8, 8)
    assert [len(flat.split(s)[1]) for s in ("train", "val", "test")] == [1078, 359, 360]
    assert torch.equal(flat.train[0].reshape(-1, 1, 8, 8), image.train[0])
    assert float(flat.train[0].max()) == 1.0 and float(flat.train[0].min()) == 0.0
    with pytest.raises(ValueError, match="unknown view 'rgb'; valid: flat, image"):
        wb.data.digits("rgb")


def test_from_tensors_validates():
    X, y = torch.randn(20, 5), torch.arange(20) % 3
    d = wb.data.from_tensors((X, y), (X, y))
    assert d.num_classes == 3 and d.input_shape == (5,) and torch.equal(d.test[0], X)
    with pytest.raises(ValueError, match=r"train has X of shape \(20, 5\) and y of shape \(19,\)"):
        wb.data.from_tensors((X, y[:19]), (X, y))
    with pytest.raises(ValueError, match="labels must be a 1-D integer tensor"):
        wb.data.from_tensors((X, y.float()), (X, y))
    with pytest.raises(ValueError, match="differ in shape"):
        wb.data.from_tensors((X, y), (torch.randn(20, 4), y))
    with pytest.raises(ValueError, match="NaN or infinite"):
        wb.data.from_tensors((X.clone().fill_(float("nan")), y), (X, y))
    with pytest.raises(ValueError, match="num_classes=2 but labels go up to 2"):
        wb.data.from_tensors((X, y), (X, y), num_classes=2)


def test_trainer_builds_the_supernet_for_its_data():
    X, y = torch.randn(64, 12), torch.arange(64) % 4
    trainer = wb.Trainer("teaching(num_nodes=2)", data=wb.data.from_tensors((X, y), (X, y)))
    assert trainer.supernet.input_shape == (12,) and trainer.supernet.num_classes == 4
    assert trainer.shared_step().loss > 0
