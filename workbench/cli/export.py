"""`workbench export DIR`: a run folder as one self-contained web page that replays it, offline.

    workbench export runs/first --out first.html
    workbench export runs/macro --out macro.html --lang zh --max-steps 200

Owns: the subcommand's flags, turning a refused value into a UsageError (exit 2) and the line it
prints. Must not: build the page (workbench.export does) or write anything but --out.
"""

from __future__ import annotations

from .errors import EXIT_OK, UsageError
from .flags import positive_int

HELP = """\
Write a run folder as ONE self-contained HTML file that replays it as the app shows it: every view,
the narration, the step counter and a History slider with play/pause and step buttons. plotly.js and
the data are inside the file: it needs no server, no Python and no internet (a USB stick, file://,
an e-mail attachment, a course website). Any number of students can open it at once.

examples:
  workbench export runs/first --out first.html
  workbench export runs/first --out first.zh.html --lang zh
  workbench export runs/macro --out macro.html --max-steps 200   # the first, last and evenly spaced steps"""


def add_parser(sub):
    """Register `export` on the command line's subparsers."""
    import argparse

    p = sub.add_parser(
        "export",
        help="a run folder as one self-contained web page (offline replay)",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("run", metavar="DIR", help="a run folder written by `workbench search`")
    p.add_argument("--out", metavar="FILE", help="the HTML file to write (default: DIR's name + .html, here)")
    p.add_argument("--lang", default="en", metavar="LANG", help="the page's language, as the app's: en or zh")
    p.add_argument(
        "--max-steps",
        type=positive_int,
        metavar="N",
        help="keep at most N steps of a long run: the first, the last and evenly spaced between (default all)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar and no closing line")
    p.set_defaults(func=export)
    return p


def export(args) -> int:
    """Write the page; print where, how big and how many steps."""
    from ..app.text import LANGS
    from ..export import ExportError
    from ..export.folder import export_run

    if args.lang not in LANGS:
        raise UsageError(f"--lang {args.lang!r} is not valid; choose one of {', '.join(LANGS)}")
    if args.max_steps is not None and args.max_steps < 2:
        raise UsageError(f"--max-steps {args.max_steps} is too small: a page keeps at least the first and last step")
    try:
        done = export_run(args.run, args.out, lang=args.lang, max_steps=args.max_steps, progress=not args.quiet)
    except ExportError as e:
        raise UsageError(str(e)) from None
    if not args.quiet:
        kept = f"{done.steps} of {done.total + 1} steps" if done.steps < done.total + 1 else f"{done.steps} steps"
        print(f"wrote {done.path} ({done.bytes / 2**20:.2f} MiB, {kept}); open it in any browser, no server needed")
    return EXIT_OK
