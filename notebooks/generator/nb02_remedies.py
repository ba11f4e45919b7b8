"""Notebook 02, sections 2-3: the ENAS remedies one at a time, the skip penalty, exercises and summary; English.

Regenerate (from the repository root):  python -m notebooks.generator
Part of nb02_collapse.CELLS; translated by nb02_collapse_zh.

Owns: sections 2-3 of notebook 02 and its closing cells (markdown in English, code with «name» strings).
Must not: compute anything a library function should, or quote a number a code cell does not print.
"""

from __future__ import annotations

from . import glossary
from .cells import C, M

# fmt: off
CELLS = [
    M(r"""
## 2. The remedies, one at a time

Each row of the table below is a fresh run with the same seed: the collapse recipe with **one** change. The last
two rows put the learning rate back, then all of ENAS's defaults together.

* **Entropy bonus** (ENAS adds it to the reward): $R'(m) = R(m) + \beta\,\mathcal{H}(m)$. Here $\mathcal{H}(m)$
  is the entropy of each decision's distribution along the *sampled path* $m$, summed over the decisions: a
  one-sample estimate of the policy's joint entropy (its mean over samples is exactly the joint entropy).
  Because it is added to the reward, it reaches θ only through $(R'-b)\,\nabla\log P(m)$: it **re-weights**
  the samples, pushing children drawn along uncertain paths up a little more, and never pulls on the entropy
  itself (a regulariser $\beta\,\nabla\mathcal{H}$ would).
* **Tanh constant and temperature**: each logit $\ell$ becomes $C\tanh(\ell / T)$ before the softmax. The
  logits can then never leave $[-C, C]$, so with $k$ options no probability can exceed
  $\dfrac{e^{C}}{e^{C} + (k-1)\,e^{-C}}$; a temperature $T > 1$ also slows the logits down.
* **Baseline decay** $\gamma$ in $b \leftarrow \gamma b + (1-\gamma)R$: how far back the baseline (an
  exponential moving average, EMA) remembers. While the shared weights improve, rewards climb and a long-memory
  baseline lags behind them, so most advantages $R-b$ come out positive and most sampled children are
  reinforced, good or not.
""", key="remedies"),
    C(r"""
C_TANH = 1.5
bound = {k: math.exp(C_TANH) / (math.exp(C_TANH) + (k - 1) * math.exp(-C_TANH)) for k in (2, 3, 4)}
bonus = enas.entropy_weight * h_max
first_rewards = [child.reward for child in steps[0].children]  # «first_rewards»
spread = max(first_rewards) - min(first_rewards)
display(Markdown(
«bounds»))
""", bounds=r"""
    f"With $C = {C_TANH}$ no option can get more than "
    + ", ".join(f"**{p:.0%}** ({k} options)" for k, p in bound.items()) + ". "
    f"ENAS's entropy bonus, β = {enas.entropy_weight:g}, adds at most {bonus:.4f} to a reward "
    f"(at the maximum entropy, {h_max:.2f} nats), while the rewards of the recipe's first θ step spread over "
    f"{spread:.3f}" + (": the bonus is tiny beside them." if bonus < spread / 10 else ".")
""", first_rewards="the rewards of the collapse recipe's first θ step, one per child"),
    M(r"""
**Predict:** which **single** change, added to the collapse recipe, keeps the controller from collapsing? And
with the slow baseline (γ = 0.999), will the share of θ steps with a positive mean advantage go up or down?
""", key="predict_table"),
    C(r"""
VERDICT, KEPT, DISTINCT, TOP, IDENT, POSITIVE, ACC = «columns»


def summary(trainer, n=20):
    # «summary»
    rep = wb.viz.collapse_report(trainer.history, lang="«lang»")
    steps = trainer.history.controller()
    gen = torch.Generator().manual_seed(0)  # «same_draws»
    sampled = [trainer.evaluate(trainer.controller.sample(gen).arch) for _ in range(n)]
    return {VERDICT: rep.verdict, KEPT: rep.mean_entropy_fraction, DISTINCT: rep.distinct,
            TOP: rep.top_share, IDENT: rep.identity_skip_rate,
            POSITIVE: sum(r.advantage > 0 for r in steps) / len(steps), ACC: sum(sampled) / n}


CHANGES = {
    «row_recipe»: None,
    «row_bonus»: dict(entropy_weight=0.05),
    «row_tanh»: dict(tanh_constant=C_TANH),
    «row_temperature»: dict(temperature=5.0, tanh_constant=C_TANH),
    «row_fast_baseline»: dict(baseline_decay=0.9),
    «row_slow_baseline»: dict(baseline_decay=0.999),
    «row_lr»: dict(controller_lr=enas.controller_lr),
    «row_enas»: {k: getattr(enas, k) for k in RECIPE},
}
runs = {name: broken if change is None else search(**change) for name, change in CHANGES.items()}
table = pd.DataFrame({name: summary(t) for name, t in runs.items()}).T
shares = [KEPT, TOP, IDENT, POSITIVE]
table.style.format({c: "{:.0%}" for c in shares} | {ACC: "{:.3f}"})
""", columns=r"""
(
    "verdict", "entropy kept", "distinct children (of 50)", "top child's share", "identity share",
    "θ steps with R > b", "acc. of sampled children",
)
""", summary=("the collapse report's evidence, the share of θ steps with a positive mean advantage, "
              "and the shared-weight accuracy of n children sampled from the policy"),
      same_draws="the same draws for every run",
      row_recipe='"collapse recipe"', row_bonus='"+ entropy bonus β = 0.05"',
      row_tanh='f"+ tanh constant C = {C_TANH}"', row_temperature='f"+ temperature T = 5, C = {C_TANH}"',
      row_fast_baseline='"baseline decay γ = 0.9 (not 0.99)"',
      row_slow_baseline='"baseline decay γ = 0.999 (slow)"',
      row_lr='f"controller lr {enas.controller_lr:g} (ENAS)"', row_enas='"all ENAS defaults"'),
    C(r"""
row = table.to_dict("index")
names = list(CHANGES)
recipe, bonus_row, quick_b, slow_b = (row[n] for n in names[:2] + names[4:6])
lr_only, enas_row = row[names[-2]], row[names[-1]]
single = names[1:6]
best = max(single, key=lambda n: row[n][KEPT])
saved = [f"**{n}** ({row[n][VERDICT]})" for n in single if row[n][VERDICT] != "collapsed"]
flatter = «flatter» if recipe[ACC] > enas_row[ACC] else «no_flatter»
display(Markdown(«remedies_story»))
""", flatter=r"""
("A collapsed controller *looks* better: its few children got all the training, and "
           "shared weights flatter the children that were trained most.")
""", no_flatter='"Here the collapse did not even pay off on the shared weights."',
      remedies_story=r"""
f'''
* Of the single changes, **{best}** kept the most entropy: {row[best][KEPT]:.0%} of the maximum, against
  {recipe[KEPT]:.0%} for the recipe. Single changes that avoided the *collapsed* verdict:
  {", ".join(saved) if saved else "**none**"}.
* The entropy bonus kept {bonus_row[KEPT]:.0%} (verdict: {bonus_row[VERDICT]}): it only re-weights which samples
  are pushed up or down, and at this learning rate every push is large.
* The baseline decay changes what the controller hears: the mean advantage was positive in
  {recipe[POSITIVE]:.0%} of the θ steps with γ = 0.99, {quick_b[POSITIVE]:.0%} with γ = 0.9 and
  {slow_b[POSITIVE]:.0%} with γ = 0.999. Verdicts: **{quick_b[VERDICT]}** (0.9), **{slow_b[VERDICT]}** (0.999).
* With ENAS's learning rate alone the verdict is **{lr_only[VERDICT]}**; with all its defaults
  **{enas_row[VERDICT]}** ({enas_row[KEPT]:.0%} of the entropy kept).
* Mind the last column: the collapse recipe's sampled children score **{recipe[ACC]:.3f}** on the shared weights,
  the ENAS defaults' **{enas_row[ACC]:.3f}**. {flatter}
'''
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

The text above the answer is computed from this run; read it against your prediction. What usually holds: the
tanh constant is the strongest single brake, because it bounds every probability no matter how large the
logits grow; an entropy bonus added to the reward cannot hold back a learning rate 50 times too large, because
it only re-weights the samples; and the learning rate itself is the main culprit. A slow baseline lags further
behind climbing rewards, so more advantages come out positive and more children are reinforced whatever they
are; a fast one tracks the rewards and centres the advantages.
</details>

## 3. The skip penalty (ENAS macro space)

In the ENAS macro CNN each layer also decides, for every earlier output except its own input, whether to add a
**skip connection** from it. Skips make short, easy-to-train paths; if the shared weights reward them early, a
controller can pile them up.
ENAS
adds a penalty to the controller's loss: the KL divergence between the skip probability $q$ of each skip decision
and a target rate $\rho$, summed over the skip decisions of a layer and averaged over the layers,

$$L_{\text{controller}} \mathrel{+}= \lambda\;\frac{1}{|\text{layers}|}\sum_{\text{layers}}\;
\sum_{\text{skips of the layer}}\mathrm{KL}\big(\mathrm{Bern}(q)\,\|\,\mathrm{Bern}(\rho)\big),
\qquad \rho = 0.4,\ \lambda = 0.8 .$$

Two short runs on a 4-layer macro space (8×8 handwritten digits), a controller learning rate of 0.01, with and
without the penalty (notebook 04 explores this space properly). **Predict:** without the penalty, will the
share of skips end above or below the target of 40%?
""", key="skips"),
    C(r"""
macro = wb.spaces.get("enas-macro", num_layers=4)
fast = dict(batch_size=64, controller_steps=10, controller_aggregate=5, controller_lr=0.01,
            entropy_weight=enas.entropy_weight, tanh_constant=enas.tanh_constant)
skips = {«skip_run»: search(macro, skip_weight=w, **fast) for w in (0.8, 0.0)}
wb.viz.plot_skip_rate({name: t.history for name, t in skips.items()}, target=wb.TrainerConfig().skip_target,
                      title=«skip_title», lang="«lang»")
""", skip_run='f"skip penalty λ = {w}"',
      skip_title='"Share of skip connections among the sampled children"'),
    C(r"""
rate = {name: wb.viz.mean_skip_rate(t.history, last_k=5) for name, t in skips.items()}
verdict = {name: wb.viz.collapse_report(t.history, lang="«lang»").verdict_text for name, t in skips.items()}
display(Markdown(
«skip_story»))
""", skip_story=r"""
    "Skip rate over the last 5 θ steps: "
    + "; ".join(f"**{n}**: {rate[n]:.0%} (collapse check: {verdict[n]})" for n in skips)
    + f". The target is {wb.TrainerConfig().skip_target:.0%}."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Compare your guess with the line above. The penalty pulls the skip probabilities towards the target, so with
it the rate should stay near 40%; without it the rate is free to follow the rewards, and early on skips often
pay (short paths train fast), so it tends to climb. Two short runs on one seed are thin evidence: change `SEED`
and look again.
</details>

## Exercises

1. **Seeds.** Change `SEED` in the first cell and run everything again: which conclusions survive another seed?
2. **A fair chance for the entropy bonus.** Try `entropy_weight=0.5` with `controller_lr=0.005` in `search(...)`:
   does the bonus now keep the policy spread out?
3. **Live, in the app.** Watch the policy lock in with the collapse recipe (the app's *Collapse recipe*
   scenario, or the code below in a new cell; the *debug* preset shows the knobs). Once the alarm rings, turn
   the tanh constant back on (1.5): what happens to the policy bars at once, and what does not recover?

   ```python
   config = wb.TrainerConfig.for_space("teaching", **RECIPE)
   wb.app.Workbench(wb.Trainer("teaching", config=config), preset="debug")
   ```

<details><summary><b>Answers</b> (click)</summary>

1. The verdicts for the recipe and for ENAS's defaults usually survive; the exact shares, which single remedy
   wins, and the skip rates move from seed to seed (the teacher's guide lists the ranges we measured).
2. It helps more, because a smaller learning rate makes each push smaller, while a bonus of 0.5 × several nats
   is now comparable with the rewards themselves; it still only re-weights samples, so it slows the collapse
   rather than forbidding it.
3. The bars drop at once to the tanh bound (at most 87% for 4 options): huge logits become $C\tanh(\ell)
   \approx \pm C$. Two things do not recover: the supernet, whose favourite blocks got most of the training and
   still flatter the favourite; and the controller's learning, since a saturated tanh has a gradient near 0,
   so the policy stays stuck near the bound.
</details>

## Summary

* Collapse is a feedback loop: the favourite is sampled, so its blocks are trained, so it scores better.
* Adam moves every parameter by about the learning rate only at its first step; afterwards the step follows the
  gradient relative to its recent size. A large learning rate and uncapped logits make the collapse fast.
* The entropy bonus is the entropy along the sampled path, added to the reward: it only re-weights samples. The
  tanh constant bounds every probability. A slow baseline lags climbing rewards and reinforces almost everything.
* Identity-heavy collapse is partly this space's doing: weight-free identity, separate weights per
  (node, input, op). ENAS's recurrent cell shares one matrix per (node, input).
""", key="summary"),
    glossary.cell(["collapse", "controller", "reward", "baseline", "advantage", "entropy", "tanh_constant",
                   "skip", "weight_block"]),
    M(r"""
**Next:** `03_ranking_fidelity.ipynb`: do the shared weights rank children the way stand-alone training does?
""", key="next"),
]
# fmt: on
