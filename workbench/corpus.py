"""A local PTB-style word corpus as word ids (`wb.data.text(path)`), read, never downloaded.

Owns: `Corpus` (vocabulary and the train / valid / test id tensors, next-word windows) and `text`.
Must not: know about spaces or models.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch

TEXT_SPLITS = ("train", "valid", "test")
EOS, UNK = "<eos>", "<unk>"


@dataclass(frozen=True)
class Corpus:
    """A word corpus as ids: `vocab[i]` is word i; train, valid and test are 1-D long tensors of ids.

    Each line of a file is its words (split on whitespace) then `<eos>`. The vocabulary is built
    from the training file alone, the most frequent word first (ties: alphabetical)."""

    name: str
    vocab: tuple[str, ...]
    train: torch.Tensor
    valid: torch.Tensor
    test: torch.Tensor

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def split(self, name: str) -> torch.Tensor:
        if name not in TEXT_SPLITS:
            raise ValueError(f"unknown split {name!r}; valid: {', '.join(TEXT_SPLITS)}")
        return getattr(self, name)

    def words(self, ids) -> list[str]:
        """The words of `ids` (any iterable of ints in 0..vocab_size-1)."""
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.vocab):
                raise ValueError(f"word id {i} is out of range: the vocabulary has ids 0..{len(self.vocab) - 1}")
            out.append(self.vocab[i])
        return out

    def windows(self, split: str, steps: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Next-word examples of `split`: every run of `steps` ids (N, steps), each with the id after it (N,)."""
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(f"steps must be a positive int, got {steps!r}")
        ids = self.split(split)
        if len(ids) <= steps:
            raise ValueError(
                f"the {split} split has {len(ids)} words, too few for windows of {steps} steps and a target"
            )
        return ids.unfold(0, steps, 1)[:-1].contiguous(), ids[steps:].clone()

    def __repr__(self) -> str:
        sizes = ", ".join(f"{s}={len(self.split(s)):,}" for s in TEXT_SPLITS)
        return f"Corpus({self.name!r}, vocab={len(self.vocab):,}, words: {sizes})"


def _text_file(folder: Path, split: str) -> Path:
    for name in (f"{split}.txt", f"ptb.{split}.txt"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(
        f"no {split} file in {folder}: expected {split}.txt or ptb.{split}.txt "
        f"(a folder holding train, valid and test; nothing is downloaded)"
    )


def _text_lines(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not UTF-8 text ({e})") from None
    return [line.split() + [EOS] for line in text.splitlines()]


def text(path: str | os.PathLike) -> Corpus:
    """A local PTB-style word corpus: `path` is a folder with train.txt, valid.txt and test.txt (or
    ptb.train.txt, ptb.valid.txt, ptb.test.txt). Words are split on whitespace and every line ends
    with `<eos>`. The vocabulary comes from the training file; a word of valid or test that it lacks
    becomes `<unk>` if the vocabulary has `<unk>` (PTB does), else it is refused with its file and
    line. Nothing is downloaded."""
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"no corpus folder at {folder}: expected a folder with train.txt, valid.txt, test.txt")
    files = {s: _text_file(folder, s) for s in TEXT_SPLITS}
    lines = {s: _text_lines(files[s]) for s in TEXT_SPLITS}
    counts: dict[str, int] = {}
    for line in lines["train"]:
        for w in line:
            counts[w] = counts.get(w, 0) + 1
    if len(counts) <= 1:  # only <eos>, or an empty file
        raise ValueError(f"{files['train']} holds no words: the vocabulary is built from it")
    vocab = tuple(sorted(counts, key=lambda w: (-counts[w], w)))
    index = {w: i for i, w in enumerate(vocab)}
    splits = {}
    for s in TEXT_SPLITS:
        ids = []
        for number, line in enumerate(lines[s], start=1):
            for w in line:
                if w in index:
                    ids.append(index[w])
                elif UNK in index:
                    ids.append(index[UNK])
                else:
                    raise ValueError(
                        f"{files[s]} line {number}: word {w!r} is not in the vocabulary of {files['train']}, "
                        f"which has no {UNK} to stand for it"
                    )
        if not ids:
            raise ValueError(f"{files[s]} holds no lines")
        splits[s] = torch.tensor(ids, dtype=torch.long)
    return Corpus(folder.name or str(folder), vocab, splits["train"], splits["valid"], splits["test"])
