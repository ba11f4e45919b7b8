"""How much the notebooks' key numbers move from seed to seed: the ranges quoted in docs/teaching-guide.md.

    python -m notebooks.generator.variation                   # every English notebook, SEED = 0, 1, 2
    python -m notebooks.generator.variation --only 03 --seeds 0 1 2 3

Each English notebook is executed once per seed, with its first cell's `SEED = 0` changed to that seed (in
memory: the committed notebook is not touched), and one extra cell at the end prints the notebook's key numbers
as JSON (`METRICS`: an expression over the notebook's own variables). Prints, per notebook, every seed's numbers
and each number's range. Slow: the whole set takes about three runs of every notebook.

Owns: which numbers of each notebook are key (`METRICS`) and running the seeds. Must not: hold lesson content
or change a committed notebook.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile

import nbformat
from nbformat.v4 import new_code_cell

from . import HERE, LESSONS

_SEED = re.compile(r"^SEED = 0\b", re.MULTILINE)
_MARK = "WB-VARIATION "

# lesson -> a Python expression, evaluated at the end of the notebook, whose value is a flat dict of numbers
METRICS = {
    "00": "{'mean reward of the first θ step': c.reward, 'blocks with a gradient after 3 ω steps': touched}",
    "01": """{
        'ENAS speed-up over 1000 trainings': 1000 * t_child / (t_search + t_score),
        'supernet step / own step (bare)': t_bare / t_alone,
        'every-path step / one step': t_every / t_bare,
        'never-sampled children, shared weights': acc_never,
        'never-sampled children, fresh weights': acc_fresh,
        'sampled children': acc_sampled,
        'lab: 0 op blocks shared': by_shared.get(0, float('nan')),
        'lab: 4 op blocks shared': by_shared.get(4, float('nan')),
        'lab: the 6 trained children': acc_taught,
        'lab: share of the way from chance': gain,
        'TF-style: blocks without a gradient that moved': sum(tf_counts.changed[b] > 0 for b in no_grad),
        'app after 3 alternations: healthy': report.verdict == 'healthy',
    }""",
    "02": """{
        'recipe: θ step where entropy halves': half or float('nan'),
        'recipe: favourite blocks share of op updates': fav_updates / max(all_updates, 1),
        'recipe: identity ops of the favourite': n_identity,
        **{f'{name}: collapsed': row[name][VERDICT] == 'collapsed' for name in names},
        **{f'{name}: entropy kept': row[name][KEPT] for name in names},
        **{f'{name}: θ steps with R > b': row[name][POSITIVE] for name in names},
        **{f'{name}: acc. of sampled children': row[name][ACC] for name in names},
        **{f'skip rate, {name}': value for name, value in rate.items()},
    }""",
    "03": """{
        'Kendall τ, controller, every child': rep.kendall_tau,
        'Spearman ρ, controller': rep.spearman_rho,
        'pair ordered right, (1 + τ)/2': (1 + rep.kendall_tau) / 2,
        'percentile of the shared weights\\' favourite': rep.picked['percentile'],
        'τ by epoch, lowest': min(tau_by_epoch),
        'τ by epoch, highest': max(tau_by_epoch),
        'seed-to-seed τ': ceiling['kendall_tau'] if ceiling else float('nan'),
        'noiseless proxy τ (estimate)': reach_tau if ceiling else float('nan'),
        **{f'τ at equal compute, {name}': value for name, value in comparison[TAU].items()},
        **{f'ω steps at equal compute, {name}': value for name, value in comparison[STEPS].items()},
        'identity-heavy children: places gained': float(gained.max()),
        'race: ENAS wins of 3': wins,
        'race: ENAS median percentile': enas_pct.median(),
        'race: random search median percentile': random_pct.median(),
    }""",
    "04": """{
        'skip rate, first θ step': first,
        'skip rate, last 10, with penalty': late[config.skip_weight],
        'skip rate, last 10, no penalty': late[0.0],
        'shared acc, policy children': means[POLICY],
        'shared acc, random children': means[RANDOM],
        'stand-alone test acc, ENAS pick': alone[PICK].test_accuracy,
        'rank of the ENAS pick of 4': ranked.index(PICK) + 1,
        'spread alone': spread_alone,
        'spread shared': spread_shared,
    }""",
}


def run(lesson: str, seed: int, timeout: int = 600) -> dict:
    """Execute lesson `lesson`'s English notebook with SEED = `seed`; its key numbers."""
    from nbclient import NotebookClient

    name = LESSONS[lesson][0]
    nb = nbformat.read(HERE / name, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and _SEED.search(c.source))
    cell.source = _SEED.sub(f"SEED = {seed}", cell.source, count=1)
    probe = f"import json as _json\nprint({_MARK!r} + _json.dumps({METRICS[lesson]}, default=float))"
    nb.cells.append(new_code_cell(probe))
    with tempfile.TemporaryDirectory() as work:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": work}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    return json.loads(text.split(_MARK, 1)[1])


def ranges(by_seed: dict[int, dict]) -> dict:
    """Per key number: (lowest, highest) over the seeds (booleans: how many seeds were True)."""
    keys = next(iter(by_seed.values())).keys()
    out = {}
    for k in keys:
        values = [v[k] for v in by_seed.values() if k in v]
        if all(isinstance(v, bool) for v in values):
            out[k] = f"{sum(values)} of {len(values)}"
        else:
            out[k] = [round(min(values), 4), round(max(values), 4)]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="The notebooks' key numbers over several seeds.")
    ap.add_argument("--only", nargs="+", choices=sorted(LESSONS), help="lessons (default: all)")
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = ap.parse_args(argv)
    report = {}
    for lesson in args.only or sorted(LESSONS):
        by_seed = {}
        for seed in args.seeds:
            by_seed[seed] = run(lesson, seed)
            print(f"{lesson} seed {seed}: done", file=sys.stderr, flush=True)
        report[lesson] = {"by_seed": by_seed, "range": ranges(by_seed)}
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
