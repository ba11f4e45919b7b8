"""The viz Frame of a trainer's latest step, for the tests that draw views from a live trainer."""

from __future__ import annotations

from workbench.viz import Frame


def frame_of(trainer, lang: str = "en", selected: str | None = None) -> Frame:
    """The latest child (else the greedy one), the policy now and, after a θ step, the policy before it
    (here: the same, read from the controller), and the probabilities along the child."""
    policy = trainer.controller.policy_along  # distributions(arch) as plain floats
    greedy = trainer.controller.most_likely()
    arch = trainer.history[-1].arch if len(trainer.history) else greedy
    previous = policy(greedy) if len(trainer.history.controller()) else None
    return Frame(
        trainer.space,
        arch,
        trainer.update_counts,
        trainer.history,
        policy(greedy),
        greedy,
        previous,
        policy(arch),
        lang=lang,
        selected=selected,
    )
