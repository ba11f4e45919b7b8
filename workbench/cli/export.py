"""`workbench export DIR --out PAGE.html`: a run folder as one self-contained, serverless web page.

Owns: the subcommand's flags and turning the export's refusals into usage errors. Must not: build
the page (workbench/export does).
"""

from __future__ import annotations

from pathlib import Path

from .errors import EXIT_OK, UsageError
from .flags import positive_int


def add_parser(sub):
    """Register `export` on the command line's subparsers."""
    p = sub.add_parser(
        "export",
        help="write a run as one self-contained HTML page (plotly embedded, no server, works offline)",
        description="Replay the run in the app, headless, and write what it shows at every step as one HTML page.",
    )
    p.add_argument("run", metavar="DIR", help="a run folder (workbench search --out DIR)")
    p.add_argument("--out", type=Path, default=None, help="the page to write (default: DIR's name + .html)")
    p.add_argument("--lang", default="en", help="the page's language: en or zh")
    p.add_argument("--max-steps", type=positive_int, default=None, help="keep at most this many steps (thinned)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=export)
    return p


def export(args) -> int:
    """Write the page; print where it is and how big."""
    from ..export import ExportError, export_run

    if args.lang not in ("en", "zh"):
        raise UsageError(f"--lang {args.lang!r} is not valid; choose one of en, zh")
    if not (Path(args.run) / "config.json").is_file():
        raise UsageError(f"{args.run} holds no run (no config.json); make one with `workbench search --out DIR`")
    try:
        done = export_run(args.run, args.out, lang=args.lang, max_steps=args.max_steps, progress=not args.quiet)
    except ExportError as e:
        raise UsageError(str(e)) from None
    kept = f"{done.steps} of {done.total + 1} steps" + (" (thinned)" if done.steps < done.total + 1 else "")
    print(f"wrote {done.path}: {done.bytes / 2**20:.1f} MB, {kept}")
    return EXIT_OK
