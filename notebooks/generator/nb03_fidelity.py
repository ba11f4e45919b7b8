"""Notebook 03, ranking fidelity (shared weights against stand-alone ground truth): its cells.

Regenerate (from the repository root):  python -m notebooks.generator

Owns: the lesson's markdown and code cells (English only: no twin, so no «name» strings).
Must not: compute anything a library function should (it belongs in workbench/), or quote a number
in prose that a code cell does not print.
"""

from __future__ import annotations

from .cells import C, M

CELLS = [
    M(r"""
# Ranking fidelity: do the shared weights tell the truth?

ENAS never trains a child alone. It reads each child's quality off the shared weights and trusts the *ranking*
that comes out. Is that ranking right? Usually nobody can check, because that would mean training every child
from scratch. For the teaching space the workbench ships exactly that: **every child trained alone**. So here we
can compare, child by child, and ask where the shared weights flatter a child or do it wrong, and whether the
way children are sampled for ω steps matters. About a minute and a half on a laptop CPU.
"""),
    C(r"""
import time

import pandas as pd
import plotly.express as px
import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # the networks here are tiny: one CPU thread is the fastest
space = wb.spaces.get("teaching")
table = wb.groundtruth.load("teaching-mnist1d")  # one row per stand-alone training
how = wb.groundtruth.settings("teaching-mnist1d")
truth = wb.fidelity.truth(table)  # test accuracy per child, mean over its seeds
recipe = how["settings"]
hours = sum(how["child_seconds_by_seed"].values()) / 3600
seeds = table["seed"].value_counts()
display(Markdown(
    f"**{truth.size:,} children** trained alone on MNIST-1D, each for {recipe['epochs']} epochs "
    f"of Adam (learning rate {recipe['lr']:g}, batch {recipe['batch_size']}): {hours:.1f} CPU-hours "
    f"in all. Seeds: " + ", ".join(f"{n:,} children with seed {s}" for s, n in seeds.items())
    + f". Stand-alone test accuracy runs from {truth.min():.3f} to {truth.max():.3f} "
    f"(median {truth.median():.3f}). The best child: `{truth.idxmax()}`."))

px.histogram(truth, nbins=40, height=320, labels={"value": "stand-alone test accuracy"},
             title="Every child of the teaching space, trained alone").update_layout(showlegend=False)
"""),
    M(r"""
## 1. Shared weights against the truth

We run ENAS as in notebook 01, then score **every** child with the shared weights: one forward pass each on the
validation split. While it trains we also measure, after every epoch, how well the shared weights rank 1000
random children (section 2 explains the measure).
"""),
    C(r"""
EPOCHS = 10
trainer = wb.Trainer("teaching", seed=0)
start = time.perf_counter()
tau_by_epoch = []
for epoch in range(EPOCHS):
    trainer.run(epochs=1, progress=False)
    tau_by_epoch.append(wb.fidelity.report(trainer, table, sample=1000).kendall_tau)
seconds = {"controller": time.perf_counter() - start}

shared = wb.fidelity.shared_accuracies(trainer)  # every child, with the shared weights
shifts = wb.fidelity.rank_shifts(shared, truth, space)  # both accuracies and ranks, per child
px.scatter(shifts.reset_index(), x="true_accuracy", y="shared_accuracy", color="identity_ops",
           hover_name="arch", opacity=0.5, height=480,
           labels={"true_accuracy": "stand-alone accuracy", "shared_accuracy": "shared-weight accuracy",
                   "identity_ops": "identity ops"},
           title=f"{len(shifts):,} children: shared weights after {EPOCHS} epochs against the truth")
"""),
    M(r"""
If the shared weights ranked children truthfully, the cloud would rise from left to right. It does not, much:
the colours already hint at why (section 3).

## 2. Kendall τ against the noise ceiling

Kendall's τ compares two rankings pair by pair. Of all $\binom{n}{2}$ pairs of children, count the pairs the two
rankings put in the same order (concordant, $n_c$) and in opposite order (discordant, $n_d$):

$$\tau = \frac{n_c - n_d}{\binom{n}{2}} \in [-1, 1].$$

$\tau = 1$: the same order; $\tau = 0$: no relation; $\tau = -1$: reversed. The truth is noisy too: train the
same child with another seed and its accuracy moves. The τ between two stand-alone seeds of the same children is
the **noise ceiling**: no proxy can be expected to beat it by much.
"""),
    C(r"""
rep = wb.fidelity.report(trainer, table)
ceiling = rep.noise_ceiling
picked = rep.picked
display(Markdown(
    f"Over {rep.n:,} children the shared weights reach **τ = {rep.kendall_tau:.3f}** "
    f"(Spearman ρ = {rep.spearman_rho:.3f}). "
    + (f"Two stand-alone seeds of the same {ceiling['n']:,} children agree with "
       f"**τ = {ceiling['kendall_tau']:.3f}**: that is the ceiling. " if ceiling else
       "The table has one seed, so there is no noise ceiling to compare with. ")
    + "Of the true top 10 / 100 / 500 children, the shared weights put "
    + " / ".join(f"{share:.0%}" for share in rep.top_k.values()) + " in their own top 10 / 100 / 500. "
    f"The child the shared weights rate best, `{picked['arch']}`, is truly "
    f"#{picked['rank']:,} of {picked['of']:,} (better than {picked['percentile']:.0f}% of the children; "
    f"{picked['regret']:.3f} below the best)."))
"""),
    C(r"""
fig = px.line(x=list(range(1, EPOCHS + 1)), y=tau_by_epoch, markers=True, height=340,
              labels={"x": "epoch", "y": "Kendall τ (1000 random children)"},
              title="How well the shared weights rank children, epoch by epoch")
if ceiling:
    fig.add_hline(y=ceiling["kendall_tau"], line_dash="dot", annotation_text="noise ceiling")
fig
"""),
    C(r"""
display(Markdown(
    f"Epoch to epoch τ moves between {min(tau_by_epoch):.3f} and {max(tau_by_epoch):.3f}: "
    f"a single snapshot of the shared weights is a noisy judge. Differences in τ smaller than "
    f"{max(tau_by_epoch) - min(tau_by_epoch):.2f} between two runs below may be nothing but that noise."))
"""),
    M(r"""
## 3. Who gets flattered, who gets wronged

`wb.fidelity.rank_shifts` above ranked every child twice, by its shared-weight accuracy and by its stand-alone
accuracy (rank 1 = best). A child the shared weights rank far higher than it deserves is **flattered**; one they
rank far lower is **wronged** (`places_gained` = true rank − shared rank). The means per group, by how many of
the 4 nodes chose `identity`:
"""),
    C(r"""
groups = wb.fidelity.rank_shift_groups(shifts, by="identity_ops")
groups.style.format({"shared_accuracy": "{:.3f}", "true_accuracy": "{:.3f}", "places_gained": "{:+,.0f}"})
"""),
    C(r"""
gained, true_acc = groups["places_gained"], groups["true_accuracy"]
most, least = gained.idxmax(), gained.idxmin()
display(Markdown(
    f"Children with {most} identity ops gain on average **{gained[most]:+,.0f} places** on the "
    f"shared weights (stand-alone they average {true_acc[most]:.3f}); children with {least} "
    f"lose **{-gained[least]:,.0f} places** (stand-alone they average {true_acc[least]:.3f}). "
    f"The most flattered and the most wronged children (children with the same two accuracies "
    f"shown once):"))
wb.fidelity.most_misranked(shifts, n=3)
"""),
    M(r"""
Why? `identity` has no weights. A child built from identities runs through `stem` and `classifier` only, and
those two blocks are trained at **every** ω step, whichever child is sampled. A chain of nonlinear ops instead
needs blocks that each get a small share of the ω steps (node 4 alone has 12 weighted candidates), so on the
shared weights it is under-trained, while trained alone it is often the best. The shared weights measure *how
much training a child's blocks got* as much as how good the child is.

## 4. Controller, uniform or fair sampling?

Which children get ω steps is up to the **sampler**:

* **controller** (ENAS): the policy's favourites, so the blocks it likes get more training, which makes them
  look better: a feedback loop (notebook 02).
* **uniform**: every child equally likely; every block gets its share *on average*.
* **fair** (FairNAS): each ω step trains a group of children that together use **every op exactly once** and
  applies their mean gradient; equal shares at every step, not just on average, at the price of one forward and
  backward pass per group member.

Same seed, same epochs, each scored on every child:
"""),
    C(r"""
reports = {"controller": rep}
for sampler in ("uniform", "fair"):
    config = wb.TrainerConfig.for_space(space, sampler=sampler)
    other = wb.Trainer(space, config=config, seed=0)
    start = time.perf_counter()
    other.run(epochs=EPOCHS, progress=False)
    seconds[sampler] = time.perf_counter() - start
    reports[sampler] = wb.fidelity.report(other, table)
comparison = pd.DataFrame({
    name: {"Kendall τ": r.kendall_tau, "Spearman ρ": r.spearman_rho,
           "true top 100 found": r.top_k.get(100), "pick's percentile": r.picked["percentile"],
           "pick's regret": r.picked["regret"], "training seconds": seconds[name]}
    for name, r in reports.items()}).T
comparison.style.format({"Kendall τ": "{:.3f}", "Spearman ρ": "{:.3f}", "true top 100 found": "{:.0%}",
                         "pick's percentile": "{:.0f}", "pick's regret": "{:.3f}",
                         "training seconds": "{:.1f}"})
"""),
    C(r"""
best = comparison["Kendall τ"].idxmax()
gap = comparison["Kendall τ"].max() - comparison["Kendall τ"].min()
noise = max(tau_by_epoch) - min(tau_by_epoch)
display(Markdown(
    f"The highest τ here: **{best}** ({comparison.loc[best, 'Kendall τ']:.3f}); the three samplers "
    f"span {gap:.3f}, "
    + ("less than the epoch-to-epoch swing of τ measured above: on this evidence they are "
       "indistinguishable. " if gap < noise else
       f"more than the epoch-to-epoch swing of τ above ({noise:.3f}). ")
    + (f"Against the noise ceiling ({ceiling['kendall_tau']:.3f}), every sampler leaves most of the "
       f"ranking to chance." if ceiling and comparison["Kendall τ"].max() < ceiling["kendall_tau"] / 2
       else "")))
"""),
    M(r"""
## Try it

* Set `EPOCHS = 30` (about three times longer): does τ climb towards the ceiling?
* Score with `split="test"` in `wb.fidelity.shared_accuracies`: does the picture change?
* Change `seed=0` to `seed=1` for all three trainers: which conclusions survive?
"""),
]
