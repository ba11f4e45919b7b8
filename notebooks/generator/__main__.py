"""`python -m notebooks.generator` (from the repository root): write notebooks 00-04 and their Chinese twins,
without outputs.

Owns: the command line of the generator. Must not: hold lesson content.
"""

from __future__ import annotations

import sys

from . import HERE, build_all
from .cells import write


def main() -> None:
    for name, nb in build_all().items():
        print(write(nb, HERE / name), file=sys.stderr)


if __name__ == "__main__":
    main()
