"""`python -m workbench ...`: the command line (see cli/__init__.py)."""

from .cli import main

raise SystemExit(main())
