"""wb.data.text: a local PTB-style word corpus, read from small files the test writes, and MNIST-1D as a sequence."""

from __future__ import annotations

import pytest
import torch

import workbench as wb


def _write(folder, prefix="", **splits):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in splits.items():
        (folder / f"{prefix}{name}.txt").write_text(text, encoding="utf-8")
    return folder


PTB = {
    "train": " the cat sat on the mat \n the dog sat <unk> \n",
    "valid": " the cat ran \n",
    "test": " a dog sat \n",
}


def test_words_lines_vocab_and_ids(tmp_path):
    corpus = wb.data.text(_write(tmp_path / "ptb", prefix="ptb.", **PTB))
    # train: the x3, <eos> x2, sat x2, then once each, alphabetically: <unk> cat dog mat on
    assert corpus.vocab == ("the", "<eos>", "sat", "<unk>", "cat", "dog", "mat", "on")
    assert corpus.vocab_size == 8
    assert corpus.words(corpus.train) == [
        "the",
        "cat",
        "sat",
        "on",
        "the",
        "mat",
        "<eos>",
        "the",
        "dog",
        "sat",
        "<unk>",
        "<eos>",
    ]
    assert corpus.words(corpus.valid) == ["the", "cat", "<unk>", "<eos>"]  # "ran" is not in train's vocabulary
    assert corpus.words(corpus.test) == ["<unk>", "dog", "sat", "<eos>"]
    assert corpus.train.dtype == torch.long and corpus.train.tolist()[:3] == [0, 4, 2]
    assert corpus.name == "ptb" and "vocab=8" in repr(corpus)


def test_windows_pair_each_run_of_words_with_the_next(tmp_path):
    corpus = wb.data.text(_write(tmp_path / "c", **PTB))  # plain train.txt, valid.txt, test.txt work too
    X, y = corpus.windows("train", 3)
    assert X.shape == (12 - 3, 3) and y.shape == (9,)
    assert corpus.words(X[0]) == ["the", "cat", "sat"] and corpus.words([y[0]]) == ["on"]
    assert corpus.words(X[-1]) == ["dog", "sat", "<unk>"] and corpus.words([y[-1]]) == ["<eos>"]
    with pytest.raises(ValueError, match="the valid split has 4 words, too few for windows of 4 steps"):
        corpus.windows("valid", 4)
    with pytest.raises(ValueError, match="unknown split 'val'; valid: train, valid, test"):
        corpus.split("val")
    with pytest.raises(ValueError, match=r"word id 8 is out of range: the vocabulary has ids 0..7"):
        corpus.words([8])


def test_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no corpus folder at"):
        wb.data.text(tmp_path / "missing")
    partial = _write(tmp_path / "partial", train="a b\n", valid="a\n")
    with pytest.raises(FileNotFoundError, match=r"no test file in .*partial: expected test.txt or ptb.test.txt"):
        wb.data.text(partial)
    no_unk = _write(tmp_path / "nounk", train="a b\n", valid="a\nb c\n", test="a\n")
    with pytest.raises(ValueError, match=r"valid.txt line 2: word 'c' is not in the vocabulary of .*train.txt"):
        wb.data.text(no_unk)
    empty = _write(tmp_path / "empty", train="\n\n", valid="a\n", test="a\n")
    with pytest.raises(ValueError, match="holds no words: the vocabulary is built from it"):
        wb.data.text(empty)
    (tmp_path / "latin").mkdir()
    _write(tmp_path / "latin", train="a\n", valid="a\n")
    (tmp_path / "latin" / "test.txt").write_bytes(b"caf\xe9\n")
    with pytest.raises(ValueError, match="test.txt is not UTF-8 text"):
        wb.data.text(tmp_path / "latin")


def test_mnist1d_as_a_sequence(mnist1d):
    seq = wb.data.mnist1d(view="sequence")
    assert seq.name == "mnist1d-sequence" and seq.input_shape == (40, 1)
    for split in ("train", "val", "test"):
        assert torch.equal(seq.split(split)[0][..., 0], mnist1d.split(split)[0])
        assert torch.equal(seq.split(split)[1], mnist1d.split(split)[1])
    with pytest.raises(ValueError, match="unknown view 'image'; valid: flat, sequence"):
        wb.data.mnist1d(view="image")
