"""The core's own exception: a step that diverged and was not applied.

Owns: DivergenceError, which the trainer raises and the loop (and the CLI, with exit code 3)
catches. Must not: import anything of the workbench.
"""


class DivergenceError(FloatingPointError):
    """A loss or reward became NaN or infinite; the step was not applied."""
