"""`workbench derive DIR`: the child a run ends with, picked as ENAS picks it, from its checkpoint.

    workbench derive runs/NAME                  # the best of 10 children of the final policy
    workbench derive runs/NAME --children 50 --batch-size 500

Owns: the subcommand's flags and what it prints: every sampled child with its accuracy on the one
validation minibatch (`Trainer.derive`), the pick marked, and the pick's accuracy on the whole
validation and test splits. Must not: write anything (the run folder is left as it is) or train.
"""

from __future__ import annotations

from ..checkpoint import CheckpointError
from ..runs import load_trainer
from .errors import EXIT_OK, UsageError
from .flags import positive_int

DESCRIPTION = """\
Sample children from the final policy of a run (its checkpoint), score each on one validation
minibatch with the shared weights, and print them with the best marked: ENAS's derive step. The
children and the minibatch come from the run's own named stream "derive", so the same checkpoint
always derives the same child, and the run folder is not changed."""


def add_parser(sub):
    """Register `derive` on the command line's subparsers."""
    p = sub.add_parser(
        "derive", help="the child a run ends with: the best of N from its final policy", description=DESCRIPTION
    )
    p.add_argument("run", metavar="DIR", help="a run folder (or its checkpoint.pt)")
    p.add_argument(
        "--children",
        type=positive_int,
        default=10,
        metavar="N",
        help="children to sample from the policy (default 10, as ENAS prints)",
    )
    p.add_argument(
        "--batch-size",
        type=positive_int,
        metavar="N",
        help="examples in the validation minibatch (default: the run's reward_batch_size)",
    )
    p.set_defaults(func=derive)
    return p


def derive(args) -> int:
    """Print the derive step of the run in `args.run`."""
    try:
        trainer = load_trainer(args.run)
    except (CheckpointError, ValueError, OSError) as e:
        raise UsageError(f"{args.run} cannot be read: {e}") from None
    d = trainer.derive(n=args.children, batch_size=args.batch_size)
    print(
        f"{args.run}: {trainer.space.name}, step {trainer.step}; {len(d.archs)} children of the policy, "
        f"each on the same {d.batch_size} validation examples:"
    )
    width, best = len(str(len(d.archs))), d.accuracies.index(d.accuracy)  # the pick: the first best score
    for k, (arch, acc) in enumerate(zip(d.archs, d.accuracies)):
        print(f" {'*' if k == best else ' '}{k + 1:>{width}}  {acc:.3f}  {arch}")
    val, test = trainer.evaluate(d.arch, "val"), trainer.evaluate(d.arch, "test")
    print(f"derived child: {d.arch} (val {val:.3f}, test {test:.3f}, on the whole splits)")
    return EXIT_OK
