"""Notebook 02, controller collapse on purpose and the ENAS remedies one at a time: its cells.

Regenerate (from the repository root):  python -m notebooks.generator

Owns: the lesson's markdown and code cells (English only: no twin, so no «name» strings).
Must not: compute anything a library function should (it belongs in workbench/), or quote a number
in prose that a code cell does not print.
"""

from __future__ import annotations

from .cells import C, M

CELLS = [
    M(r"""
# Controller collapse, on purpose

A controller has **collapsed** when its policy $P(m;\theta)$ puts nearly all its probability on one child (or
one family of children) long before the shared weights can tell the children apart. From then on ENAS stops
searching: the same child is sampled at every ω step, so only its weights are trained, so it scores better,
so it is sampled even more.

In this notebook we break a controller on purpose, watch the collapse in three views, and then put back ENAS's
remedies one at a time. Every number in the text is measured by the cells. About a minute on a laptop CPU.
"""),
    C(r"""
import math

import pandas as pd
import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # the networks here are tiny: one CPU thread is the fastest
EPOCHS, SEED = 6, 0
space = wb.spaces.get("teaching")
# the recipe for a collapse:
RECIPE = dict(controller_lr=0.05, entropy_weight=0.0, tanh_constant=None)


def search(space=space, epochs=EPOCHS, seed=SEED, **changes):
    # a fresh trainer with the collapse recipe, then `changes` on top, run for `epochs`
    config = wb.TrainerConfig.for_space(space, **{**RECIPE, **changes})
    trainer = wb.Trainer(space, config=config, seed=seed)
    trainer.run(epochs=epochs, progress=False)
    return trainer


enas = wb.TrainerConfig.for_space(space)
shown = lambda v: "off" if v is None else f"{v:g}"  # noqa: E731
pd.DataFrame({"ENAS default": {k: shown(getattr(enas, k)) for k in RECIPE},
              "collapse recipe": {k: shown(v) for k, v in RECIPE.items()}})
"""),
    M(r"""
The recipe: a controller learning rate 50 times ENAS's, no entropy bonus and no tanh constant (section 2 says
what each of those does). Everything else stays at the teaching defaults.

## 1. Watch it collapse
"""),
    C(r"""
broken = search()
steps = broken.history.controller()
h_max = sum(math.log(len(d.options)) for d in space.decisions)  # uniform policy, in nats
half = next((i for i, r in enumerate(steps, start=1) if r.entropy < h_max / 2), None)
report = wb.viz.collapse_report(broken.history)
display(Markdown(
    f"{EPOCHS} epochs: {len(broken.history.shared())} ω steps and {len(steps)} θ steps. "
    f"The sampled children's entropy started at {steps[0].entropy:.2f} nats "
    f"(the maximum is {h_max:.2f}) and "
    + (f"fell below half of it at θ step {half} of {len(steps)}. " if half
       else "never fell below half of it. ")
    + f"The controller's favourite now: `{broken.controller.most_likely()}`."))
"""),
    M(r"""
**The policy over time.** Each row is one option of one decision, each column one θ step; the colour is the
option's probability along the controller's favourite child. A healthy policy stays mottled for a long time;
this one turns into a few solid lines, and the entropy rows below go dark.
"""),
    C(r"""
wb.viz.plot_policy_history(broken.history)
"""),
    M(r"""
**The shared weights.** Once one child is sampled at every ω step, only its weight blocks are trained: one
column of the heatmap runs hot while the rest of the supernet freezes where it was.
"""),
    C(r"""
counts = broken.update_counts
op_blocks = [b for b in counts.blocks if b not in ("stem", "classifier")]
favourite = broken.supernet.blocks_for(broken.controller.most_likely())
fav_blocks = [b for b in favourite if b in op_blocks]
fav_updates = sum(counts.grad[b] for b in fav_blocks)
all_updates = sum(counts.grad[b] for b in op_blocks)
cold = sum(counts.grad[b] == 0 for b in op_blocks)
display(Markdown(
    f"The {len(fav_blocks)} op blocks of the favourite child received "
    f"**{fav_updates / max(all_updates, 1):.0%}** of all the op-block updates of the run. "
    f"Op blocks never updated at all: {cold} of {len(op_blocks)}."))
wb.viz.plot_update_heatmap(counts, space)
"""),
    M(r"""
**The collapse report** sums up the evidence over the last 50 sampled children: how much of its maximum entropy
the policy keeps, how many different children it sampled, how often the most frequent one came up, and the
share of `identity` ops (a weight-free shortcut, cheap to train). Each check has a warning and an alarm
threshold; one alarm makes the verdict *collapsed*.
"""),
    C(r"""
display(Markdown(f"Verdict: **{report.verdict}**. " + "; ".join(report.reasons) + "."))
wb.viz.plot_collapse(report)
"""),
    M(r"""
**Why so fast?** ENAS trains θ with Adam, $\beta_1 = 0$. Adam divides each gradient by its running
root-mean-square, so every θ step moves every parameter by about the learning rate *whatever the size of the
advantage*. Noisy advantages (rewards on a 256-example minibatch, from shared weights that barely work yet) are
enough to pick a direction, and at 50 times ENAS's rate a handful of steps push one option's logit far above
the others. Then the loop described at the top takes over.


## 2. The remedies, one at a time

Each row below is a fresh run with the same seed: the collapse recipe with **one** change. The last two rows put
the learning rate back, then all of ENAS's defaults together.

* **Entropy bonus** (ENAS adds it to the reward): $R'(m) = R(m) + \beta\,\mathcal{H}\big(P(\cdot;\theta)\big)$,
  so spread-out policies earn a little more.
* **Tanh constant and temperature**: each logit $\ell$ becomes $C\tanh(\ell / T)$ before the softmax. The
  logits can then never leave $[-C, C]$, so with $k$ options no probability can exceed
  $\dfrac{e^{C}}{e^{C} + (k-1)\,e^{-C}}$; a temperature $T > 1$ also slows the logits down.
* **Baseline decay** $\gamma$ in $b \leftarrow \gamma b + (1-\gamma)R$: how far back the baseline remembers.
  While the shared weights improve, rewards climb and a long-memory baseline lags behind them, so most
  advantages $R-b$ come out positive and most sampled children are reinforced, good or not.
"""),
    C(r"""
C_TANH = 1.5
bound = {k: math.exp(C_TANH) / (math.exp(C_TANH) + (k - 1) * math.exp(-C_TANH))
         for k in (2, 3, 4)}
display(Markdown(f"With $C = {C_TANH}$ no option can get more than "
                 + ", ".join(f"**{p:.0%}** ({k} options)" for k, p in bound.items()) + "."))
"""),
    C(r"""
def summary(trainer, n=20):
    # the collapse report's evidence, the share of θ steps with a positive mean advantage,
    # and the shared-weight accuracy of n children sampled from the policy
    rep = wb.viz.collapse_report(trainer.history)
    steps = trainer.history.controller()
    gen = torch.Generator().manual_seed(0)  # the same draws for every run
    sampled = [trainer.evaluate(trainer.controller.sample(gen).arch) for _ in range(n)]
    return {"verdict": rep.verdict,
            "entropy kept": rep.mean_entropy_fraction,
            "distinct children (of 50)": rep.distinct,
            "top child's share": rep.top_share,
            "identity share": rep.identity_skip_rate,
            "θ steps with R > b": sum(r.advantage > 0 for r in steps) / len(steps),
            "acc. of sampled children": sum(sampled) / n}


CHANGES = {
    "collapse recipe": None,
    "+ entropy bonus β = 0.05": dict(entropy_weight=0.05),
    f"+ tanh constant C = {C_TANH}": dict(tanh_constant=C_TANH),
    f"+ temperature T = 5, C = {C_TANH}": dict(temperature=5.0, tanh_constant=C_TANH),
    "baseline decay γ = 0.9 (not 0.99)": dict(baseline_decay=0.9),
    f"controller lr {enas.controller_lr:g} (ENAS)": dict(controller_lr=enas.controller_lr),
    "all ENAS defaults": {k: getattr(enas, k) for k in RECIPE},
}
runs = {name: broken if change is None else search(**change)
        for name, change in CHANGES.items()}
table = pd.DataFrame({name: summary(t) for name, t in runs.items()}).T
shares = [c for c in table.columns if "share" in c or c in ("entropy kept", "θ steps with R > b")]
table.style.format({c: "{:.0%}" for c in shares} | {"acc. of sampled children": "{:.3f}"})
"""),
    C(r"""
row = table.to_dict("index")
names = list(CHANGES)
recipe, bonus, decay = row[names[0]], row[names[1]], row[names[4]]
lr_only, enas_row = row[names[-2]], row[names[-1]]
single = names[1:5]
best = max(single, key=lambda n: row[n]["entropy kept"])
saved = [f"**{n}** ({row[n]['verdict']})" for n in single if row[n]["verdict"] != "collapsed"]
acc = "acc. of sampled children"
flatter = ("A collapsed controller *looks* better: its few children got all the training, and "
           "shared weights flatter the children that were trained most."
           if recipe[acc] > enas_row[acc] else
           "Here the collapse did not even pay off on the shared weights.")
display(Markdown(f'''
* Of the single changes, **{best}** kept the most entropy: {row[best]["entropy kept"]:.0%} of the
  maximum, against {recipe["entropy kept"]:.0%} for the recipe. Single changes that avoided the
  *collapsed* verdict: {", ".join(saved) if saved else "**none**"}.
* The entropy bonus kept {bonus["entropy kept"]:.0%} (verdict: {bonus["verdict"]}). Added to the
  reward, it only re-weights which samples are pushed up or down; Adam still moves θ by about the
  learning rate per step.
* The baseline decay changes what the controller hears: with γ = 0.99 the mean advantage was
  positive in {recipe["θ steps with R > b"]:.0%} of the θ steps, with γ = 0.9 in
  {decay["θ steps with R > b"]:.0%}. Verdict with γ = 0.9: **{decay["verdict"]}**.
* With ENAS's learning rate alone the verdict is **{lr_only["verdict"]}**; with all its defaults
  **{enas_row["verdict"]}** ({enas_row["entropy kept"]:.0%} of the entropy kept).
* Mind the last column: the collapse recipe's sampled children score **{recipe[acc]:.3f}** on the
  shared weights, the ENAS defaults' **{enas_row[acc]:.3f}**. {flatter}
'''))
"""),
    M(r"""
## 3. The skip penalty (ENAS macro space)

In the ENAS macro CNN each layer also decides, for every earlier layer, whether to add a **skip connection**
from it. Skips make short, easy-to-train paths, and a controller tends to pile them up. ENAS adds a penalty to
the controller's loss: the KL divergence between the skip probability $q$ of each skip decision and a target
rate $\rho$,

$$L_{\text{controller}} \mathrel{+}= \lambda\;\overline{\mathrm{KL}\big(\mathrm{Bern}(q)\,\|\,\mathrm{Bern}(\rho)\big)},
\qquad \rho = 0.4,\ \lambda = 0.8 .$$

Two short runs on a 4-layer macro space (8×8 handwritten digits), a controller learning rate of 0.01, with and
without the penalty (notebook 04 explores this space properly):
"""),
    C(r"""
macro = wb.spaces.get("enas-macro", num_layers=4)
fast = dict(batch_size=64, controller_steps=10, controller_aggregate=5, controller_lr=0.01,
            entropy_weight=enas.entropy_weight, tanh_constant=enas.tanh_constant)
skips = {f"skip penalty λ = {w}": search(macro, skip_weight=w, **fast) for w in (0.8, 0.0)}
wb.viz.plot_skip_rate({name: t.history for name, t in skips.items()}, target=wb.TrainerConfig().skip_target,
                      title="Share of skip connections among the sampled children")
"""),
    C(r"""
rate = {name: wb.viz.mean_skip_rate(t.history, last_k=5) for name, t in skips.items()}
verdict = {name: wb.viz.collapse_report(t.history).verdict for name, t in skips.items()}
display(Markdown(
    "Skip rate over the last 5 θ steps: "
    + "; ".join(f"**{n}**: {rate[n]:.0%} (collapse check: {verdict[n]})" for n in skips)
    + f". The target is {wb.TrainerConfig().skip_target:.0%}."))
"""),
    M(r"""
## Try it

* Change `SEED` in the first cell and run everything again: which conclusions survive another seed?
* Give the entropy bonus a fair chance: try `entropy_weight=0.5` with `controller_lr=0.005`.
* Watch the policy lock in, live, in the app with the collapse recipe (the *debug* preset shows the knobs; turn
  the tanh constant back on mid-run and see what happens):

  ```python
  config = wb.TrainerConfig.for_space("teaching", **RECIPE)
  wb.app.Workbench(wb.Trainer("teaching", config=config), preset="debug")
  ```

**Next:** `03_ranking_fidelity.ipynb`: do the shared weights rank children the way stand-alone training does?
"""),
]
