"""`workbench import FILE`: another tool's log read as our History, and its collapse report.

    workbench import children.csv                  # one row per sampled child (importers.py)
    workbench import enas/stdout --format enas-stdout --last-k 30

Owns: the subcommand's flags and what it prints: what was read (θ and ω steps, children, the
space), the collapse report's verdict, its reasons, diagnosis and remedy. Must not: write
anything, or parse the formats itself (importers.py does).
"""

from __future__ import annotations

from .errors import EXIT_OK, UsageError
from .flags import positive_int

DESCRIPTION = """\
Read another tool's log into an ENAS Workbench History and print its collapse report. Formats:
  csv, jsonl    one row per sampled child: step, arch (a decision list such as "0 3 1 2"), reward,
                log_prob, entropy, and optionally phase, epoch, baseline, accuracy, advantage,
                grad_norm, policy
  enas-stdout   the training stdout of the official ENAS release: its ctrl_step lines and the
                architectures it prints after each controller phase, with their val_acc
Decision lists that are not one of our spaces get a generic space, its decisions named from the
file; a malformed line is refused with its line number (exit code 2)."""


def add_parser(sub):
    """Register `import` on the command line's subparsers."""
    from ..importers import FORMATS

    p = sub.add_parser("import", help="read another tool's log and print its collapse report", description=DESCRIPTION)
    p.add_argument("file", metavar="FILE", help="the log: a .csv or .jsonl table, or ENAS's stdout")
    p.add_argument(
        "--format", choices=FORMATS, help="the log's format (default: by its suffix: .csv, .jsonl, else enas-stdout)"
    )
    p.add_argument(
        "--options",
        type=positive_int,
        metavar="N",
        help="options of every generic decision (default: the largest choice seen + 1)",
    )
    p.add_argument(
        "--last-k", type=positive_int, default=50, metavar="K", help="sampled children the report looks at (default 50)"
    )
    p.set_defaults(func=import_log)
    return p


def import_log(args) -> int:
    """Read `args.file` and print what it holds and its collapse report."""
    from .. import importers
    from ..viz import collapse_report

    try:
        history = importers.read(args.file, format=args.format, options=args.options)
    except OSError as e:
        raise UsageError(f"{args.file} cannot be read: {e}") from None
    except ValueError as e:
        raise UsageError(str(e)) from None
    theta = history.controller()
    children = sum(len(r.archs) for r in theta)
    space = theta[0].arch.space if theta else "none"
    print(f"imported {args.file}: {len(theta)} θ steps ({children} sampled children), {len(history.shared())} ω steps")
    print(f"  space: {space}")
    report = collapse_report(history, last_k=args.last_k)
    print(report.verdict_text)
    for line in (*report.reasons, *getattr(report, "diagnosis", ())):
        print(f"  {line}")
    if getattr(report, "remedy", ""):
        print(f"  remedy: {report.remedy}")
    return EXIT_OK
