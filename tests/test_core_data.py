"""Data: offline MNIST-1D and digits, fixed splits, and the caller's random state left alone."""

from __future__ import annotations

import os
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


# ---- CIFAR-10, from a local copy of the official python archive ---------------------------------
def _cifar_batch(n: int, seed: int) -> dict:
    """A batch as the official files hold it: a dict with bytes keys, b"data" (n, 3072) uint8, b"labels"."""
    rng = np.random.default_rng(seed)
    return {
        b"batch_label": b"training batch",
        b"labels": [int(v) for v in rng.integers(0, 10, n)],
        b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
        b"filenames": [f"img{seed}_{k}.png".encode() for k in range(n)],
    }


def _write_cifar(folder, n: int = 4) -> dict:
    import pickle

    inner = folder / "cifar-10-batches-py"
    inner.mkdir(parents=True)
    batches = {name: _cifar_batch(n, k) for k, name in enumerate(data_mod.CIFAR10_FILES)}
    for name, batch in batches.items():
        (inner / name).write_bytes(pickle.dumps(batch, protocol=2))
    (inner / "batches.meta").write_bytes(pickle.dumps({b"label_names": [b"airplane"]}, protocol=2))
    return batches


def test_cifar10_reads_the_folder_and_the_archive_alike(tmp_path):
    import tarfile

    batches = _write_cifar(tmp_path)
    with tarfile.open(tmp_path / "cifar-10-python.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    d = wb.data.cifar10(tmp_path / "cifar-10-batches-py", val_fraction=0.25)
    assert d.name == "cifar10" and d.input_shape == (3, 32, 32) and d.num_classes == 10
    assert [len(d.split(s)[1]) for s in ("train", "val", "test")] == [15, 5, 4]  # 20 training images, last 5 val
    train = np.concatenate([batches[f"data_batch_{k}"][b"data"] for k in range(1, 6)])[:15]
    pixels = train.reshape(15, 3, 32, 32).astype(np.float32) / 255.0
    mean, std = pixels.mean(axis=(0, 2, 3), keepdims=True), pixels.std(axis=(0, 2, 3), keepdims=True)
    assert np.allclose(d.train[0].numpy(), (pixels - mean) / std, atol=1e-5)  # standardised per channel
    test_pixels = batches["test_batch"][b"data"].reshape(4, 3, 32, 32) / 255.0
    assert np.allclose(d.test[0].numpy(), (test_pixels - mean) / std, atol=1e-5)  # with the training statistics
    assert d.test[1].tolist() == batches["test_batch"][b"labels"]
    labels = [v for k in range(1, 6) for v in batches[f"data_batch_{k}"][b"labels"]]
    assert d.train[1].tolist() == labels[:15] and d.val[1].tolist() == labels[15:]  # ENAS: the last ones
    for where in (tmp_path / "cifar-10-python.tar.gz", tmp_path):  # the archive, or a folder holding it
        other = wb.data.cifar10(where, val_fraction=0.25)
        assert all(torch.equal(a, b) for s in ("train", "val", "test") for a, b in zip(d.split(s), other.split(s)))


def test_cifar10_refuses_missing_and_garbled_files(tmp_path):
    import pickle

    with pytest.raises(FileNotFoundError, match="no CIFAR-10 at .*nope: expected cifar-10-python.tar.gz"):
        wb.data.cifar10(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="nothing is downloaded"):
        wb.data.cifar10(tmp_path)
    _write_cifar(tmp_path)
    inner = tmp_path / "cifar-10-batches-py"
    (inner / "test_batch").unlink()
    with pytest.raises(ValueError, match="lacks test_batch; expected"):
        wb.data.cifar10(inner)
    (inner / "test_batch").write_bytes(b"\x80\x02garbage")
    with pytest.raises(ValueError, match=r"test_batch is not a CIFAR-10 python batch \(UnpicklingError"):
        wb.data.cifar10(inner)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    (inner / "test_batch").write_bytes(pickle.dumps({b"data": Evil()}, protocol=2))
    with pytest.raises(ValueError, match=r"it asks for (posix|nt)\.system, which a CIFAR-10 batch never holds"):
        wb.data.cifar10(inner)
    bad = _cifar_batch(3, 0)
    bad[b"data"] = bad[b"data"][:, :100]
    (inner / "test_batch").write_bytes(pickle.dumps(bad, protocol=2))
    with pytest.raises(ValueError, match=r"does not hold a CIFAR-10 batch; expected .* \(N, 3072\) uint8"):
        wb.data.cifar10(inner)
    (tmp_path / "broken.tar.gz").write_bytes(b"not gzip")
    with pytest.raises(ValueError, match="broken.tar.gz is not a readable archive"):
        wb.data.cifar10(tmp_path / "broken.tar.gz")
