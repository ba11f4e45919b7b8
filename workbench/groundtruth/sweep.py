"""A ground-truth sweep: stand-alone training of many (arch, seed) tasks, in parallel, resumable.

Owns: the task plan (every architecture with the first seed, the later seeds on a random subset),
the results file (JSON lines: one header naming the space, data and settings, then one line per
finished task, appended as tasks finish, so a killed sweep loses at most the tasks in flight and
a torn last line is dropped on resume), and the two backends: `local` (worker processes on this
machine, or this process when there is one worker) and `ray` (tasks on an existing Ray cluster
whose workers can import workbench). Must not: print (progress goes through tqdm, which the
caller can switch off) or parse flags.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import torch

from .. import data as data_mod
from .. import spaces
from ..atomic import fsync_dir
from ..digest import data_sha256
from .standalone import Settings, StandaloneResult, train_standalone

FORMAT = "enas-workbench-groundtruth"
VERSION = 1
BACKENDS = ("local", "ray")
Task = tuple[str, int]  # (arch as its string, seed)


class SweepError(ValueError):
    """A results file that belongs to another sweep, or cannot be read."""


# ---- the plan -----------------------------------------------------------------------------
def plan(
    space, seeds: Iterable[int] = (0,), repeat: int | None = None, archs: int | None = None, draw_seed: int = 0
) -> list[Task]:
    """The tasks of a sweep: each architecture (or `archs` of them drawn at random) with the first
    seed, then the later seeds on `repeat` of those drawn at random (default: all of them)."""
    space = spaces.resolve(space)
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise ValueError(f"seeds must be distinct integers >= 0, at least one; got {seeds}")
    every = [space.format(a) for a in space.enumerate()]
    gen = torch.Generator().manual_seed(int(draw_seed))
    for name, n in (("archs", archs), ("repeat", repeat)):
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < (1 if name == "archs" else 0)):
            raise ValueError(f"{name}={n!r} must be an integer >= {1 if name == 'archs' else 0}")
    if archs is not None:
        if archs > len(every):
            raise ValueError(f"archs={archs} but space {space.name!r} has only {len(every)} architectures")
        every = [every[i] for i in sorted(torch.randperm(len(every), generator=gen)[:archs].tolist())]
    again = every
    if repeat is not None:
        if repeat > len(every):
            raise ValueError(f"repeat={repeat} but the sweep has only {len(every)} architectures")
        again = [every[i] for i in sorted(torch.randperm(len(every), generator=gen)[:repeat].tolist())]
    return [(a, seeds[0]) for a in every] + [(a, s) for s in seeds[1:] for a in again]


# ---- the results file ---------------------------------------------------------------------
def header(space, dataset: data_mod.Dataset, settings: Settings) -> dict:
    space = spaces.resolve(space)
    return {
        "format": FORMAT,
        "version": VERSION,
        "space": space.name,
        "data": dataset.name,
        "data_sha256": data_sha256(dataset),
        "settings": settings.to_dict(),
    }


def read_results(path: str | os.PathLike, repair: bool = False) -> tuple[dict | None, list[dict]]:
    """(header, finished results) of a results file; a torn or duplicated line is skipped (and,
    with `repair`, a torn last line is cut off so appends start on a clean line)."""
    path = Path(path)
    if not path.exists():
        return None, []
    raw = path.read_bytes()
    lines, good_end, head, rows, seen = raw.split(b"\n"), 0, None, [], set()
    pos = 0
    for i, line in enumerate(lines):
        end = pos + len(line) + 1
        complete = i < len(lines) - 1  # the last piece has no newline after it
        if complete and line.strip():
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                obj = None
            if head is None:
                if not (isinstance(obj, dict) and obj.get("format") == FORMAT):
                    raise SweepError(
                        f"{path} is not a ground-truth results file (its first line is not a {FORMAT} header)"
                    )
                head = obj
            elif isinstance(obj, dict) and {"arch", "seed"} <= set(obj):
                key = (obj["arch"], obj["seed"])
                if key not in seen:
                    seen.add(key)
                    rows.append(obj)
            good_end = end
        elif complete:
            good_end = end
        pos = end
    if repair and good_end < len(raw):
        with open(path, "r+b") as f:
            f.truncate(good_end)
            f.flush()
            os.fsync(f.fileno())
    return head, rows


class ResultsFile:
    """Append-only JSON lines: a header, then one finished task per line."""

    def __init__(self, path: str | os.PathLike, head: dict, force: bool = False):
        self.path = Path(path)
        stored, self.rows = read_results(self.path, repair=True)
        if stored is not None and stored != head and not force:
            diff = sorted(k for k in set(stored) | set(head) if stored.get(k) != head.get(k))
            raise SweepError(
                f"{self.path} holds a sweep with different {', '.join(diff)}; "
                "use another --out, or --force to start it over"
            )
        if stored is None or stored != head:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            from ..atomic import atomic_write

            atomic_write(self.path, (json.dumps(head) + "\n").encode())
            self.rows = []
        self.done = {(r["arch"], r["seed"]) for r in self.rows}
        self._f = open(self.path, "ab")  # noqa: SIM115 - held open for appends until close()

    def append(self, result: StandaloneResult) -> None:
        key = (result.arch, result.seed)
        if key in self.done:
            return
        self._f.write((json.dumps(result.to_dict()) + "\n").encode())  # one write: a kill tears at most this line
        self._f.flush()
        os.fsync(self._f.fileno())
        self.done.add(key)
        self.rows.append(result.to_dict())

    def close(self) -> None:
        self._f.close()
        fsync_dir(self.path.parent)

    def __enter__(self) -> ResultsFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---- running tasks ------------------------------------------------------------------------
def _worker_init() -> None:
    torch.set_num_threads(1)


def _task(space_name: str, arch: str, seed: int, settings: dict) -> dict:
    """One task, run in a worker: everything it needs travels as plain values."""
    space = spaces.resolve(space_name)
    dataset = data_mod.for_space(space)  # cached per process by data.py
    return train_standalone(space, arch, dataset, seed, Settings.from_dict(settings)).to_dict()


def _run_local(space_name: str, tasks: list[Task], settings: dict, workers: int) -> Iterator[dict]:
    if workers == 1:  # in this process: no start-up cost, the same results
        for arch, seed in tasks:
            yield _task(space_name, arch, seed, settings)
        return
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters: no forked torch thread pools
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init)
    todo, running = iter(tasks), set()
    try:
        while True:
            while len(running) < 2 * workers:
                nxt = next(todo, None)
                if nxt is None:
                    break
                running.add(pool.submit(_task, space_name, nxt[0], nxt[1], settings))
            if not running:
                return
            finished, running = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                yield fut.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _run_ray(space_name: str, tasks: list[Task], settings: dict, address: str | None) -> Iterator[dict]:
    import ray

    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, log_to_driver=False, include_dashboard=False)
    try:
        remote = ray.remote(num_cpus=1)(_task)
        width = max(1, int(ray.cluster_resources().get("CPU", 1)))
        todo, running = iter(tasks), []
        while True:
            while len(running) < 2 * width:
                nxt = next(todo, None)
                if nxt is None:
                    break
                running.append(remote.remote(space_name, nxt[0], nxt[1], settings))
            if not running:
                return
            finished, running = ray.wait(running, num_returns=1)
            for ref in finished:
                yield ray.get(ref)
    finally:
        if started_here:
            ray.shutdown()


def run_sweep(
    space,
    tasks: list[Task],
    out: str | os.PathLike,
    settings: Settings | None = None,
    backend: str = "local",
    workers: int | None = None,
    address: str | None = None,
    progress: bool = True,
    force: bool = False,
) -> list[dict]:
    """Run the tasks not yet in `out`, appending each result as it finishes; return all results."""
    from tqdm.auto import tqdm

    space = spaces.resolve(space)
    settings = settings or Settings()
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r} is not valid; choose one of {', '.join(BACKENDS)}")
    workers = workers or os.cpu_count() or 1
    with ResultsFile(out, header(space, data_mod.for_space(space), settings), force=force) as results:
        todo = [t for t in tasks if t not in results.done]
        bar = tqdm(
            total=len(tasks),
            initial=len(tasks) - len(todo),
            disable=not progress,
            unit="child",
            desc=f"ground truth {space.name}",
            smoothing=0.05,
        )
        try:
            if todo:
                stream = (
                    _run_local(space.name, todo, settings.to_dict(), workers)
                    if backend == "local"
                    else _run_ray(space.name, todo, settings.to_dict(), address)
                )
                for row in stream:
                    results.append(StandaloneResult(**row))
                    bar.update(1)
        finally:
            bar.close()
        wanted = set(tasks)
        return [r for r in results.rows if (r["arch"], r["seed"]) in wanted]
