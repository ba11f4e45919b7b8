"""The alternation by epochs: each epoch `steps_per_epoch` ω steps, then `controller_steps` θ steps.

Owns: the trainer's place in the current epoch as the schedule sees it (`epoch`, `epoch_step`),
the progress bar, stopping early (`max_seconds`) and turning a diverged step into a SkippedRecord
(`on_nan="skip"`). It drives a Trainer through its public steps only. Must not: compute a step
itself (the Trainer does) or touch files.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from .errors import DivergenceError
from .history import History, SkippedRecord


def run(
    trainer,
    epochs: int = 1,
    on_step: Callable | None = None,
    progress: bool = True,
    max_seconds: float | None = None,
    on_nan: str = "raise",
) -> History:
    """Alternate for `epochs` more epochs: each `steps_per_epoch` ω steps, then `controller_steps` θ steps.

    The trainer keeps its place in the current epoch (`epoch_step`), so a run stopped mid-epoch
    (by `max_seconds`, an error in `on_step`, or a restored checkpoint) goes on where it stopped:
    the first of the `epochs` is then the rest of the unfinished one. `on_step(record)` is called
    after every step. `max_seconds` stops early, between steps. `on_nan="skip"` turns a step that
    raises DivergenceError (nothing applied) into a SkippedRecord instead of stopping the run.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if max_seconds is not None and not (math.isfinite(max_seconds) and max_seconds > 0):
        raise ValueError(f"max_seconds must be a finite number > 0, got {max_seconds!r}")
    if on_nan not in ("raise", "skip"):
        raise ValueError(f"on_nan={on_nan!r} is not valid; choose one of raise, skip")
    target = trainer.epoch + epochs
    bar = None
    if progress:
        from tqdm.auto import tqdm

        per_epoch = trainer.steps_per_epoch + trainer.config.controller_steps
        bar = tqdm(
            total=max(epochs * per_epoch - trainer.epoch_step, 0), desc=f"ENAS {trainer.space.name}", unit="step"
        )
    start = time.perf_counter()
    try:
        while trainer.epoch < target:
            if max_seconds is not None and time.perf_counter() - start >= max_seconds:
                return trainer.history
            phase = "shared" if trainer.epoch_step < trainer.steps_per_epoch else "controller"
            t0 = time.perf_counter()
            try:
                record = trainer.shared_step() if phase == "shared" else trainer.controller_step()
            except DivergenceError as e:
                if on_nan == "raise":
                    raise
                trainer.step += 1
                record = SkippedRecord(trainer.step, trainer.epoch, phase, str(e), time.perf_counter() - t0)
                trainer.history.append(record)
            trainer.epoch_step += 1  # before on_step: a checkpoint written there sees a consistent place
            if trainer.epoch_step >= trainer.steps_per_epoch + trainer.controller_steps_in_epoch():
                trainer.epoch, trainer.epoch_step = trainer.epoch + 1, 0
            if on_step is not None:
                on_step(record)
            if bar is not None:
                bar.update(1)
                if record.phase != "skipped":
                    key, value = ("loss", record.loss) if record.phase == "shared" else ("reward", record.reward)
                    bar.set_postfix({key: f"{value:.3f}"}, refresh=False)
    finally:
        if bar is not None:
            bar.close()
    return trainer.history
