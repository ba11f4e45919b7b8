"""How the command line ends: its exit codes, the error that refuses bad input, the one-line report.

Owns: EXIT_* (0 done; 1 failed; 2 bad input, refused before any work; 3 diverged; 130 interrupted),
`UsageError`, and `report`, which prints an error as the one line `workbench: error: ...`.
Must not: parse arguments or do any work.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DIVERGED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """Bad input, refused before any work: the message is the one line the user sees."""


def report(message: str) -> None:
    """Print `message` as the command line's one error line, on stderr."""
    print(f"workbench: error: {message}", file=sys.stderr)
