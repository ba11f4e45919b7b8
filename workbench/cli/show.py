"""`workbench show DIR`: where a run folder stands: its config, its checkpoint (verified), its log, its summary,
its kept checkpoints and the run it was forked from.

Owns: the subcommand's flag and what it prints. Must not: write anything, or repair a damaged
run (it reports it, exit code 1).
"""

from __future__ import annotations

from ..checkpoint import CheckpointError
from ..runs import RunFolder
from .errors import EXIT_FAILED, EXIT_OK
from .plan import read_run


def add_parser(sub):
    """Register `show` on the command line's subparsers."""
    p = sub.add_parser(
        "show",
        help="where a run folder stands: config, checkpoint (verified), log, summary",
        description="Print where a run stands; exit code 1 if its checkpoint or log is damaged.",
    )
    p.add_argument("run", metavar="DIR", help="a run folder")
    p.set_defaults(func=show)
    return p


def show(args) -> int:
    """Print where the run in `args.run` stands; EXIT_FAILED if its checkpoint or log is damaged."""
    folder = RunFolder(args.run)
    run = read_run(folder, str(folder.path))
    print(f"run {folder.path}: {run['space_name']}, seed {run['seed']}, {run['epochs']} epoch(s) planned")
    print(f"  reproduce: {run.get('command', '?')}")
    ok = True
    checkpoint = None
    try:
        checkpoint = folder.read_checkpoint()
        if checkpoint is None:
            print("  checkpoint: none yet")
        else:
            t = checkpoint["trainer"]
            print(f"  checkpoint: step {t['step']}, epoch {t['epoch']} (+{t['epoch_step']} steps), checksum verified")
            folder.check_log(checkpoint)
    except CheckpointError as e:
        print(f"  damaged: {e}")
        ok = False
    kept = folder.kept_steps()
    if kept:
        print(f"  kept checkpoints: steps {', '.join(map(str, kept))} (fork with --from-step)")
    if run.get("forked_from"):
        fork = run["forked_from"]
        changes = ", ".join(f"{k}={v}" for k, v in fork.get("changes", {}).items()) or "no changes"
        print(f"  forked from {fork.get('run')} at step {fork.get('step')} ({changes})")
    summary = folder.read_summary()
    if summary and summary.get("steps") == (checkpoint or {}).get("trainer", {}).get("step"):
        likely, best, derived = summary["most_likely"], summary["best_sampled"], summary.get("derived")
        if derived:  # summaries written before the derive step have none
            print(f"  finished: derived child {derived['arch']} (val {derived['val_accuracy']:.3f})")
            print(f"            most likely child {likely['arch']} (val {likely['val_accuracy']:.3f})")
        else:
            print(f"  finished: most likely child {likely['arch']} (val {likely['val_accuracy']:.3f})")
        if best:
            print(f"            best sampled child {best['arch']} (val {best['val_accuracy']:.3f})")
    elif ok:
        print(f"  not finished; go on with: workbench search --resume {folder.path}")
    return EXIT_OK if ok else EXIT_FAILED
