"""Notebook 02, controller collapse on purpose and the ENAS remedies one at a time: its cells, in English.

Regenerate (from the repository root):  python -m notebooks.generator
Writes 02_controller_collapse.ipynb and, with nb02_collapse_zh's translation, its Chinese twin.

Owns: section 1 of the lesson (a collapse watched in three views, why Adam makes it fast, how much of it is
the teaching space's doing) and `CELLS`, the whole notebook: these, then nb02_remedies's sections 2-3.
Must not: compute anything a library function should (it belongs in workbench/), or quote a number
in prose that a code cell does not print.
"""

from __future__ import annotations

from . import nb02_remedies
from .cells import C, M

# fmt: off
PART1 = [
    M(r"""
# Controller collapse, on purpose

A controller has **collapsed** when its policy $P(m;\theta)$ puts nearly all its probability on one child (or
one family of children) long before the shared weights can tell the children apart. From then on ENAS stops
searching: the same child is sampled at every ω step, so only its weights are trained, so it scores better,
so it is sampled even more.

In this notebook we break a controller on purpose, watch the collapse in three views, and then put back ENAS's
remedies one at a time. Every number in the text is measured by the cells. About a minute on a laptop CPU.
""", key="intro"),
    C(r"""
import math

import pandas as pd
import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # «threads»
SEED = 0  # «seed»
EPOCHS = 6
space = wb.spaces.get("teaching")
RECIPE = dict(controller_lr=0.05, entropy_weight=0.0, tanh_constant=None)  # «recipe»


def search(space=space, epochs=EPOCHS, seed=SEED, **changes):
    # «search»
    config = wb.TrainerConfig.for_space(space, **{**RECIPE, **changes})
    trainer = wb.Trainer(space, config=config, seed=seed)
    trainer.run(epochs=epochs, progress=False)
    return trainer


enas = wb.TrainerConfig.for_space(space)
shown = lambda v: «off» if v is None else f"{v:g}"  # noqa: E731
pd.DataFrame({«col_enas»: {k: shown(getattr(enas, k)) for k in RECIPE},
              «col_recipe»: {k: shown(v) for k, v in RECIPE.items()}})
""", threads="the networks here are tiny: one CPU thread is the fastest",
      seed="change it and run everything again: which conclusions survive?",
      recipe="the recipe for a collapse",
      search="a fresh trainer with the collapse recipe, then `changes` on top, run for `epochs`",
      off='"off"', col_enas='"ENAS default"', col_recipe='"collapse recipe"'),
    M(r"""
The recipe: a controller learning rate 50 times ENAS's, no entropy bonus and no tanh constant (section 2 says
what each of those does). Everything else stays at the teaching defaults.

## 1. Watch it collapse

**Predict:** the run below makes 60 θ steps. The policy's entropy starts near its maximum (a uniform policy).
After how many θ steps will it have lost half of it: 5, 20, 50, or never?
""", key="recipe"),
    C(r"""
broken = search()
steps = broken.history.controller()
h_max = sum(math.log(len(d.options)) for d in space.decisions)  # «h_max»
half = next((i for i, r in enumerate(steps, start=1) if r.entropy < h_max / 2), None)
report = wb.viz.collapse_report(broken.history, lang="«lang»")
display(Markdown(
«collapse_story»))
""", h_max="a uniform policy's entropy, in nats",
      collapse_story=r"""
    f"{EPOCHS} epochs: {len(broken.history.shared())} ω steps and {len(steps)} θ steps. "
    f"The sampled children's entropy started at {steps[0].entropy:.2f} nats "
    f"(the maximum is {h_max:.2f}) and "
    + (f"fell below half of it at θ step {half} of {len(steps)}. " if half
       else "never fell below half of it. ")
    + f"The controller's favourite now: `{broken.controller.most_likely()}`."
"""),
    M(r"""
**The policy over time.** Each row is one option of one decision, each column one θ step; the colour is the
option's probability along the controller's favourite child. A healthy policy stays mottled for a long time; a
collapsing one turns into a few solid lines, and the entropy rows below go dark. Which one is this?
""", key="policy_history"),
    C(r"""
wb.viz.plot_policy_history(broken.history, lang="«lang»")
"""),
    M(r"""
**The shared weights.** If one child is sampled at nearly every ω step, only its weight blocks are trained: a
few cells of the heatmap run hot while the rest of the supernet stays where it was.
""", key="heatmap"),
    C(r"""
counts = broken.update_counts
op_blocks = [b for b in counts.blocks if b not in ("stem", "classifier")]
favourite = broken.controller.most_likely()
fav_blocks = [b for b in broken.supernet.blocks_for(favourite) if b in op_blocks]
fav_updates = sum(counts.grad[b] for b in fav_blocks)
all_updates = sum(counts.grad[b] for b in op_blocks)
cold = sum(counts.grad[b] == 0 for b in op_blocks)
display(Markdown(
«heat_story»))
wb.viz.plot_update_heatmap(counts, space, lang="«lang»")
""", heat_story=r"""
    (f"The {len(fav_blocks)} op blocks of the favourite child received "
     f"**{fav_updates / max(all_updates, 1):.0%}** of all the op-block updates of the run "
     f"({len(fav_blocks) / len(op_blocks):.0%} of the op blocks). " if fav_blocks else
     "The favourite is made of identities: it has no op block, so an ω step on it trains the stem and the "
     "classifier only. ")
    + f"Op blocks never updated at all: {cold} of {len(op_blocks)}."
"""),
    M(r"""
**The collapse report** sums up the evidence over the last 50 sampled children: how much of its maximum entropy
the policy keeps, how many different children it sampled, how often the most frequent one came up, and the
share of `identity` ops (a weight-free shortcut, cheap to train). Each check has a warning and an alarm
threshold; one alarm makes the verdict *collapsed*.
""", key="report"),
    C(r"""
n_identity = wb.fidelity.identity_ops(favourite)
display(Markdown(
«verdict_line»))
wb.viz.plot_collapse(report)
""", verdict_line=r"""
    f"Verdict: **{report.verdict_text}**. " + "; ".join(report.reasons) + ". "
    f"The favourite has {n_identity} `identity` ops of {space.num_nodes}; among the last sampled "
    f"children, {report.identity_skip_rate:.0%} of the ops were `identity`."
"""),
    M(r"""
**Is collapsing onto cheap children a law of nature?** In this space a collapse often lands on identity-heavy
children (notebook 03 shows how much the shared weights flatter them), and that is partly a property of the
*teaching space*, not of ENAS: `identity` has no weights, so a child made of identities runs through the stem
and the classifier alone, which every ω step trains; and every (node, input, op) has weights of its own, so the
block of a weighted op gets only a small share of the steps. In ENAS's recurrent cell the weight matrix belongs
to the (node, input) *pair* and the activation (tanh, ReLU, identity or sigmoid) is applied after it: every
choice of activation trains the same matrix, and identity is not free (the workbench has that space too:
`wb.spaces.get("recurrent")`). Whether this run's favourite is
identity-heavy, the cell above says.

### Why so fast? Adam and the size of a step

ENAS trains θ with Adam, $\beta_1 = 0$, $\beta_2 = 0.999$, $\epsilon = 10^{-3}$. With $\beta_1 = 0$ a step is
$\Delta\theta = -\alpha\, g_t / (\sqrt{\hat v_t} + \epsilon)$, where $\hat v_t$ is a (bias-corrected) running
mean of the squared gradients so far. At the **first** step $\hat v_1 = g_1^2$, so every parameter moves by about
the learning rate $\alpha$, whatever the size of the advantage. After that, $\hat v_t$ remembers the earlier
gradients: a step is about $\alpha$ only while the current gradient is as large as the recent ones.

**Predict:** a parameter gets the gradient 1 for five steps, then 0.01 for five steps. How big is the sixth step,
compared with the first?
""", key="adam"),
    C(r"""
def adam_steps(grads, lr=1.0):
    # «adam_steps»
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([p], lr=lr, betas=(0.0, 0.999), eps=1e-3)
    sizes = []
    for g in grads:
        before = p.item()
        p.grad = torch.tensor([g])
        opt.step()
        sizes.append(abs(p.item() - before) / lr)
    return sizes


grads = [1.0] * 5 + [0.01] * 5
sizes = adam_steps(grads)
small_first = adam_steps([0.01])[0]
display(Markdown(
«adam_story»))
""", adam_steps="the size of each Adam step (ENAS's settings), in units of the learning rate",
      adam_story=r"""
    "| step | " + " | ".join(str(i) for i in range(1, len(grads) + 1)) + " |\n"
    + "|---" * (len(grads) + 1) + "|\n"
    + "| gradient | " + " | ".join(f"{g:g}" for g in grads) + " |\n"
    + "| step size / lr | " + " | ".join(f"{s:.3f}" for s in sizes) + " |\n\n"
    + f"A first gradient of 1 moves the parameter {sizes[0]:.2f}× the learning rate; a first gradient "
    f"of 0.01 alone would move it {small_first:.2f}×. But after five gradients of 1, a gradient of "
    f"0.01 moves it only {sizes[5]:.3f}×, and {sizes[-1]:.3f}× five steps later."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Much smaller, as the table shows: "Adam moves every parameter by about the learning rate regardless of the
advantage" holds only for the **first** step. Later, a step is the current gradient divided by the root of a
slowly forgetting average of the earlier squared gradients ($\beta_2 = 0.999$: a memory of about a thousand
steps), so small advantages after large ones give small steps. What makes the recipe collapse fast is rather
the learning rate, 50 times ENAS's, with nothing to cap the logits (no tanh constant), and the feedback loop
at the top of this notebook: the favourite's blocks get the training, so it scores better, so it is sampled
more.
</details>

**Self-check.** The collapsed favourite scores well on the shared weights. Is it a good child?

<details><summary><b>Answer</b> (click)</summary>

We cannot tell from the shared weights: it was trained in most ω steps, while its rivals were not, so its score
is inflated by its share of the training. Only stand-alone training decides (notebook 03 compares both).
</details>
""", key="adam_answer"),
]

CELLS = PART1 + nb02_remedies.CELLS
# fmt: on
