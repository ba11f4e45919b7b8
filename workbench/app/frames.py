"""Which step of a run the views show: the viz Frame of a live or a replayed run after any step.

Owns: deriving a Frame from a run's records (the records up to a step, less the skipped ones; the
update counts then; the policy after the last θ step and the one before it; the child to highlight
and the policy's greedy child; the language and the selected block), and reading a controller's
policy as plain floats. Must not: train, draw, or touch widgets.
"""

from __future__ import annotations

from ..arch import Arch
from ..history import History
from ..spaces import Space
from ..tracking import UpdateCounts
from ..trainer import Trainer
from ..viz.view import Distributions, Frame

OMEGA_STEP = ("arch", "arch_policy", "counts", "history")  # the Frame fields an ω step changes: θ did not move
SAMPLED = ("arch", "arch_policy", "policy", "policy_arch", "previous")  # ... a sampled child: no record, no count


def frame_at(
    history: History,
    step: int,
    space: Space,
    blocks: tuple[str, ...],
    initial_policy: Distributions,
    live: Trainer | None = None,
    arch: Arch | None = None,
    policy: Distributions | None = None,
    lang: str = "en",
    selected: str | None = None,
) -> Frame:
    """The run of `history` as it was after `step`.

    `blocks`: the space's weight blocks; `initial_policy`: θ before the first step. `live`: the trainer
    when `step` is its latest step (its own update counts, and its controller's probabilities along
    the highlighted child for the hover text). `arch` / `policy` override the highlighted child and
    the policy's bars (a sampled child, drawn without a "before" panel). `lang`: the language the views
    draw in; `selected`: the weight block or node every view highlights (None: nothing picked).
    """
    records = History([r for r in history.upto(step) if r.phase != "skipped"])
    thetas = [r.policy for r in records if r.phase == "controller"]
    now = thetas[-1] if thetas else initial_policy
    previous = (thetas[-2] if len(thetas) > 1 else initial_policy) if thetas else None
    if policy is not None:
        now, previous = policy, None
    greedy = space.greedy(now)
    counts = live.update_counts if live is not None else UpdateCounts.from_records(blocks, records)
    shown = arch or (records[-1].arch if len(records) else greedy)
    return Frame(
        space,
        shown,
        counts,
        records,
        now,
        arch or greedy,
        previous,
        live.controller.policy_along(shown) if live is not None else None,
        lang=lang,
        selected=selected,
    )
