"""Notebook 03, ranking fidelity (shared weights against stand-alone ground truth): its cells, in English.

Regenerate (from the repository root):  python -m notebooks.generator
Writes 03_ranking_fidelity.ipynb and, with nb03_fidelity_zh's translation, its Chinese twin.

Owns: sections 1-3 of the lesson (every child scored against the truth, Kendall τ-b and what seed-to-seed
agreement does and does not bound, who the shared weights flatter) and `CELLS`, the whole notebook: these,
then nb03_search's sections 4-5 (samplers at equal compute; ENAS against random search without sharing).
Must not: compute anything a library function should (it belongs in workbench/), or quote a number
in prose that a code cell does not print.
"""

from __future__ import annotations

from . import nb03_search
from .cells import C, M

# fmt: off
PART1 = [
    M(r"""
# Ranking fidelity: do the shared weights tell the truth?

ENAS never trains a child alone. It reads each child's quality off the shared weights and trusts the *ranking*
that comes out. Is that ranking right? Usually nobody can check, because that would mean training every child
from scratch. For the teaching space the workbench ships exactly that: **every child trained alone**. So here we
can compare, child by child, ask where the shared weights flatter a child or do it wrong, whether the way
children are sampled for ω steps matters, and whether ENAS beats plain random search at the same compute.
About two minutes on a laptop CPU.
""", key="intro"),
    C(r"""
import math
import time

import pandas as pd
import plotly.express as px
import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # «threads»
SEED = 0  # «seed»
COLORS = list(wb.viz.OKABE_ITO.values())  # «colors»
space = wb.spaces.get("teaching")
table = wb.groundtruth.load("teaching-mnist1d")  # «table»
how = wb.groundtruth.settings("teaching-mnist1d")
truth = wb.fidelity.truth(table)  # «truth»


projector = wb.viz.projector  # «projector»


def run_for(trainer, cpu_seconds):
    # «run_for»
    start = time.process_time()
    while (left := cpu_seconds - (time.process_time() - start)) > 0:
        trainer.run(epochs=1, progress=False, max_seconds=left)
    return time.process_time() - start


recipe = how["settings"]
hours = sum(how["child_seconds_by_seed"].values()) / 3600
seeds = table["seed"].value_counts()
display(Markdown(
«table_story»))
projector(px.histogram(truth, nbins=40, height=320, labels={"value": «hist_x»}, title=«hist_title»,
                       color_discrete_sequence=COLORS)).update_layout(showlegend=False)
""", threads="the networks here are tiny: one CPU thread is the fastest",
      seed="change it and run everything again: which conclusions survive?",
      colors="colour-blind safe, one colour per group",
      table="one row per stand-alone training",
      truth="test accuracy per child, mean over its seeds",
      projector="the workbench's look: large fonts for a projector, white background",
      run_for="train until this process has spent `cpu_seconds` of CPU time on it: equal compute, whatever the load",
      table_story=r"""
    f"**{truth.size:,} children** trained alone on MNIST-1D, each for {recipe['epochs']} epochs "
    f"of Adam (learning rate {recipe['lr']:g}, batch {recipe['batch_size']}): {hours:.1f} CPU-hours "
    f"in all. Seeds: " + ", ".join(f"{n:,} children with seed {s}" for s, n in seeds.items())
    + f". Stand-alone test accuracy runs from {truth.min():.3f} to {truth.max():.3f} "
    f"(median {truth.median():.3f}). The best child: `{truth.idxmax()}`."
""", hist_x='"stand-alone test accuracy"', hist_title='"Every child of the teaching space, trained alone"'),
    M(r"""
## 1. Shared weights against the truth

We run ENAS as in notebook 01, then score **every** child with the shared weights: one forward pass each on the
validation split. While it trains we also measure, after every epoch, how well the shared weights rank 1000
random children (section 2 explains the measure). The CPU time of the training alone is kept: section 4 gives
the other samplers exactly as much.
""", key="run"),
    C(r"""
EPOCHS = 10
trainer = wb.Trainer("teaching", seed=SEED)
cpu = {"controller": 0.0}
tau_by_epoch = []
for epoch in range(EPOCHS):
    start = time.process_time()
    trainer.run(epochs=1, progress=False)
    cpu["controller"] += time.process_time() - start
    tau_by_epoch.append(wb.fidelity.report(trainer, table, sample=1000).kendall_tau)

shared = wb.fidelity.shared_accuracies(trainer)  # «shared»
shifts = wb.fidelity.rank_shifts(shared, truth, space)  # «shifts»
points = shifts.reset_index().astype({"identity_ops": str})
projector(px.scatter(
    points, x="true_accuracy", y="shared_accuracy", color="identity_ops", hover_name="arch", opacity=0.5,
    height=480, color_discrete_sequence=COLORS, category_orders={"identity_ops": list("01234")},
    labels={"true_accuracy": «x_label», "shared_accuracy": «y_label», "identity_ops": «colour_label»},
    title=«scatter_title»))
""", shared="every child, with the shared weights", shifts="both accuracies and ranks, per child",
      x_label='"stand-alone accuracy"', y_label='"shared-weight accuracy"', colour_label='"identity ops"',
      scatter_title='f"{len(shifts):,} children: shared weights after {EPOCHS} epochs against the truth"'),
    M(r"""
If the shared weights ranked children truthfully, the cloud would rise from left to right. Does it? The colours
(how many of the 4 nodes chose `identity`) hint at why not (section 3).

## 2. Kendall τ, and what to compare it with

Kendall's τ compares two rankings pair by pair. Of all $n_0 = \binom{n}{2}$ pairs of children, count the pairs the
two rankings put in the same order (concordant, $n_c$) and in opposite order (discordant, $n_d$). Without ties,
$\tau_a = (n_c - n_d)/n_0 \in [-1, 1]$. Shared-weight accuracies have many **ties** (on 1000 validation examples
an accuracy takes at most 1001 values), so the workbench, like SciPy, computes the tie-corrected **τ-b**:

$$\tau_b = \frac{n_c - n_d}{\sqrt{(n_0 - n_1)\,(n_0 - n_2)}},\qquad n_1 = \sum_i \binom{t_i}{2},\quad
n_2 = \sum_j \binom{u_j}{2},$$

where $t_i$ ($u_j$) are the sizes of the groups of tied values in the first (second) ranking. $\tau = 1$: the
same order; $\tau = 0$: no relation; $\tau = -1$: reversed. A more tangible reading: of two children drawn at
random, the shared weights order them as the truth does with probability about $(1 + \tau)/2$.

### Exercise 1: guess τ

Before you run the next cells: what τ do you expect between the shared-weight accuracies of this run and the
stand-alone truth? Write it into `MY_GUESS`.
""", key="tau"),
    C(r"""
MY_GUESS = None  # «guess»
""", guess="write your guess for τ here, e.g. 0.3, then run the next cells"),
    C(r"""
rep = wb.fidelity.report(trainer, table)
picked = rep.picked
ties = shared.size - shared.nunique()
guess = «no_guess» if MY_GUESS is None else «your_guess»
display(Markdown(
«tau_story»))
""", no_guess='"You did not write a guess. "',
      your_guess='f"Your guess was {MY_GUESS}: off by {rep.kendall_tau - MY_GUESS:+.3f}. "',
      tau_story=r"""
    guess + f"Over {rep.n:,} children the shared weights reach **τ = {rep.kendall_tau:.3f}** "
    f"(Spearman ρ = {rep.spearman_rho:.3f}): a random pair is ordered like the truth with probability "
    f"about **{(1 + rep.kendall_tau) / 2:.0%}** (50% is a coin toss). The {shared.size:,} shared-weight "
    f"accuracies take only {shared.nunique():,} distinct values, hence τ-b. Of the true top 10 / 100 / 500 "
    f"children, the shared weights put " + " / ".join(f"{share:.0%}" for share in rep.top_k.values())
    + f" in their own top 10 / 100 / 500. The child the shared weights rate best, `{picked['arch']}`, is "
    f"truly #{picked['rank']:,} of {picked['of']:,} (better than {picked['percentile']:.0f}% of the "
    f"children; {picked['regret']:.3f} below the best)."
"""),
    M(r"""
**What to compare τ with.** The truth is noisy too: train the same child with another seed and its accuracy
moves. The table holds a second seed for some children, and the τ between the two seeds measures that noise.
It is **not** a ceiling that no proxy can beat: it compares two noisy measurements with each other. A
noiseless proxy (each child's expected accuracy) compared with one noisy seed would agree better: if the two
seeds correlate with $r$, each correlates with the noiseless value about $\sqrt{r}$. So seed-to-seed agreement is
a *lower bound* on what a perfect proxy could reach against our noisy truth.
""", key="ceiling"),
    C(r"""
ceiling = rep.noise_ceiling
if ceiling:
    pair = table.pivot_table(index="arch", columns="seed", values="test_accuracy").dropna()
    r = pair.corr().iloc[0, 1]  # «pearson»
    reach_tau = 2 / math.pi * math.asin(math.sqrt(r))  # «reach»
    display(Markdown(
«ceiling_story»))
else:
    display(Markdown(«one_seed»))
""", pearson="Pearson correlation between the two stand-alone seeds",
      reach="Kendall τ of correlation √r, for normal noise (Greiner's relation)",
      ceiling_story=r"""
        f"Two stand-alone seeds of the same {ceiling['n']:,} children agree with τ = "
        f"{ceiling['kendall_tau']:.3f} (a pair ordered alike with probability "
        f"{(1 + ceiling['kendall_tau']) / 2:.0%}) and correlate with r = {r:.3f}. A noiseless proxy would "
        f"correlate with one seed about √r = {math.sqrt(r):.3f}, which is τ ≈ {reach_tau:.3f} for normal "
        f"noise. The shared weights' τ = {rep.kendall_tau:.3f} is "
        + ("above" if rep.kendall_tau > ceiling["kendall_tau"] else "below")
        + " the seed-to-seed agreement."
""", one_seed='"The table has one seed, so the noise of the truth cannot be measured here."'),
    C(r"""
fig = px.line(x=list(range(1, EPOCHS + 1)), y=tau_by_epoch, markers=True, height=340,
              color_discrete_sequence=COLORS, labels={"x": «epoch_label», "y": «tau_label»},
              title=«tau_title»)
if ceiling:
    fig.add_hline(y=ceiling["kendall_tau"], line_dash="dot", annotation_text=«seed_line»)
projector(fig)
""", epoch_label='"epoch"', tau_label='"Kendall τ (1000 random children)"',
      tau_title='"How well the shared weights rank children, epoch by epoch"',
      seed_line='"seed-to-seed agreement"'),
    C(r"""
swing = max(tau_by_epoch) - min(tau_by_epoch)
display(Markdown(
«swing_story»))
""", swing_story=r"""
    f"Epoch to epoch τ moves between {min(tau_by_epoch):.3f} and {max(tau_by_epoch):.3f}: "
    f"a single snapshot of the shared weights is a noisy judge. Differences in τ smaller than "
    f"{swing:.2f} between two runs below may be nothing but that noise."
"""),
    M(r"""
<details><summary><b>Answer</b> (exercise 1)</summary>

If you guessed high, you are not alone: the shared weights look like a trained network, so one expects them
to rank like one. The cells above give this run's τ; the teacher's guide lists the range we measured over three seeds.
What matters is less the number than what it is compared with: coin tossing ($\tau = 0$), the epoch-to-epoch
swing of the same run, and the seed-to-seed agreement of the truth, which a noiseless proxy could exceed.
</details>

## 3. Who gets flattered, who gets wronged

`wb.fidelity.rank_shifts` above ranked every child twice, by its shared-weight accuracy and by its stand-alone
accuracy (rank 1 = best). A child the shared weights rank far higher than it deserves is **flattered**; one they
rank far lower is **wronged** (`places_gained` = true rank − shared rank). The means per group, by how many of
the 4 nodes chose `identity`:
""", key="flatter"),
    C(r"""
groups = wb.fidelity.rank_shift_groups(shifts, by="identity_ops")
groups.style.format({"shared_accuracy": "{:.3f}", "true_accuracy": "{:.3f}", "places_gained": "{:+,.0f}"})
"""),
    C(r"""
gained, true_acc = groups["places_gained"], groups["true_accuracy"]
most, least = gained.idxmax(), gained.idxmin()
display(Markdown(
«flatter_story»))
wb.fidelity.most_misranked(shifts, n=3)
""", flatter_story=r"""
    f"Children with {most} identity ops gain on average **{gained[most]:+,.0f} places** on the "
    f"shared weights (stand-alone they average {true_acc[most]:.3f}); children with {least} "
    f"lose **{-gained[least]:,.0f} places** (stand-alone they average {true_acc[least]:.3f}). "
    f"The most flattered and the most wronged children (children with the same two accuracies "
    f"shown once):"
"""),
    M(r"""
Why would identity-heavy children be flattered, where the table shows it? `identity` has no weights. A child built
from identities runs through `stem` and `classifier` only, and
those two blocks are trained at **every** ω step, whichever child is sampled. A chain of nonlinear ops instead
needs blocks that each get a small share of the ω steps (node 4 alone has 12 weighted candidates), so on the
shared weights it is under-trained, while trained alone it may well be among the best. The shared weights
measure *how much training a child's blocks got* as much as how good the child is. This is partly a property of
the teaching space (weight-free identity, separate weights per (node, input, op)), as notebook 02 says.

**Self-check.** A proxy with τ = 0.3 against the truth: is it useful for picking the single best child?

<details><summary><b>Answer</b> (click)</summary>

Hardly by itself: τ counts every pair equally, most of them between mediocre children, while picking the best
depends on the top of the ranking only. Look at the top-k overlap and at where the proxy's favourite truly
stands (percentile, regret), as the report does.
</details>
""", key="why_identity"),
]

CELLS = PART1 + nb03_search.CELLS
# fmt: on
