"""Notebook 05, the ENAS micro (cell) space on 8x8 handwritten digits: its cells, in English, one code source for both.

Regenerate (from the repository root):  python -m notebooks.generator
Writes 05_enas_micro.ipynb and, with nb05_micro_zh's translation, its Chinese twin.

Owns: the lesson's markdown (English) and code cells; the English value of each «name».
Must not: compute anything a library function should (it belongs in workbench/), or quote a number
in prose that a code cell does not print.
"""

from __future__ import annotations

from . import glossary
from .cells import C, M

# fmt: off
CELLS = [
    M(r"""
# The ENAS micro space: searching a cell

The ENAS paper's best CIFAR-10 result does not search a whole network but one small **cell**, a normal cell and a
reduction cell, and stacks copies of them: the **micro space** (section 2.4). Here we run it on scikit-learn's 8×8
handwritten digits (10 classes) with the paper's 5-node cell, a 5-cell stack and 8 channels instead of 20. On the
way: what a cell is, how many there are (and why the paper's count differs from ours), a short search with the
policy and the weight-update views, and the child it derives. About a minute and a half on a laptop CPU.
""", key="intro"),
    C(r"""
import pandas as pd
import plotly.express as px
import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # «threads»
SEED = 0  # «seed»
COLORS = list(wb.viz.OKABE_ITO.values())  # «colors»


data = wb.data.digits("image")  # «digits»
X, y = data.split("train")
display(Markdown(«data_story»))
""", threads="the networks here are tiny: one CPU thread is the fastest",
      seed="change it and run everything again: which conclusions survive?",
      colors="colour-blind safe, one colour per group",
      digits="8x8 grey images, fixed train / val / test splits, as in notebook 04",
      data_story=r"""
f"{len(y):,} training images of shape {tuple(X.shape[1:])} (channels, height, width), "
                 f"{data.num_classes} classes."
"""),
    M(r"""
## 1. A cell of B nodes

A cell reads two inputs: `in0`, the output of the cell two back, and `in1`, the previous cell's. Each of its $B$
nodes makes **four decisions**: two inputs $x$ and $y$ (each among `in0`, `in1` and the earlier nodes) and an op
for each of them, out of five: 3×3 or 5×5 separable convolution, 3×3 average or max pool, identity. The node's
output is the sum of its two branches. The outputs no node reads (the **loose ends**) are concatenated and mapped
back to the cell's channels by a 1×1 convolution. The controller picks **one normal cell and one reduction cell**;
the network repeats them, and a reduction cell doubles the channels and halves the resolution.

**Predict:** in a random child, how many of the normal cell's outputs will be loose ends?
""", key="cell"),
    C(r"""
space = wb.spaces.get("enas-micro")  # «space»
arch = space.random(torch.Generator().manual_seed(SEED))
stack = " ".join("R" if kind == "reduce" else "N" for _, kind, *_ in space.plan)
loose = {cell: [space.label(j) for j in space.loose_ends(arch, cell)] for cell in ("normal", "reduce")}
display(Markdown(«cell_story»))
wb.viz.plot_arch(space, arch, lang="«lang»")
""", space="B = 5 nodes as in the paper; 3 + 2 cell layers and 8 channels to fit a CPU",
      cell_story=r"""
f"{space.num_nodes} nodes × 4 decisions × 2 cells = **{len(space.decisions)} decisions**. "
                 f"The stack: `{stack}` (N normal, R reduction), channels from {space.channels}. "
                 f"This child's loose ends: normal cell {', '.join(loose['normal'])}; "
                 f"reduction cell {', '.join(loose['reduce'])}."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

It varies from child to child: the line above counts this one's. Node $B$ is always a loose end (no node comes
after it), and so is any input or node that no later node happened to pick; with $B$ nodes making $2B$ picks
among $B + 2$ outputs, a few are usually left over.
</details>

## 2. How big is the space?

Node $i$ has $i + 1$ candidate inputs (`in0`, `in1`, nodes $1..i-1$) and 5 ops for each of its two branches:
$\big(5(i+1)\big)^2$ choices. One cell has $\prod_{i=1}^{B} \big(5(i+1)\big)^2 = \big((B+1)!\big)^2\,5^{2B}$, and
the two cells together

$$|\mathcal{A}_B| \;=\; \big((B+1)!\big)^4\cdot 5^{4B}.$$

The paper prints $(5\,(B-2)!)^4$ with its $B = 7$, which counts the two cell inputs as nodes: our 5 nodes plus
those 2. That expression does not count what the controller chooses.

### Exercise 1: a 2-node cell by hand

How many normal cells are there with $B = 2$? Compute it, then run the cell.
""", key="size"),
    C(r"""
def sci(n, digits=1):
    # «sci»
    if n < 1e5:
        return f"{n:,}"
    mantissa, exponent = f"{n:.{digits}e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


sizes = {B: wb.spaces.get("enas-micro", num_nodes=B) for B in range(1, 6)}
SIZE_COL, PUBLISHED_COL = «size_columns»
display(Markdown(
    «size_head»
    + "\n".join(f"| {B} | ${sci(s.size())}$ | ${sci(s.published_size())}$ |"
                for B, s in sizes.items())
    + "\n\n" + «size_story»))
""", sci=r"n for LaTeX: 1,728 or 1.6 \times 10^{29}", size_columns='("children (both cells)", "the paper\'s count")',
      size_head=r"""
f"| nodes $B$ | {SIZE_COL} | {PUBLISHED_COL} |\n|---|---|---|\n"
""",
      size_story=r"""
f"With $B = 2$ both cells together: {sizes[2].size():,}, the square of one cell's count. At the paper's cell "
    f"($B = 5$ here): ${sci(space.size())}$ children, against the published ${sci(space.published_size())}$."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Node 1: 2 inputs × 5 ops for each branch, $10^2 = 100$. Node 2: 3 inputs × 5 ops, $15^2 = 225$. One cell:
$100 \cdot 225 = 22{,}500$, and the table's $B = 2$ row is that squared (a normal and a reduction cell).
</details>

## 3. A short search

ENAS's micro search changes two things in the controller: its logits are divided by a **temperature** of 5 and
squashed by a **tanh constant** of 1.1 (op logits by 1.1 / 2.5), which keeps the early policy flat. The
workbench's defaults for this space (`wb.TrainerConfig.for_space`) take those, with a smaller minibatch and fewer
θ steps per epoch to fit the digits and a CPU. **Predict:** after a few epochs, will the policy be far from
uniform?
""", key="search"),
    C(r"""
EPOCHS = 4
config = wb.TrainerConfig.for_space(space)
trainer = wb.Trainer(space, data=data, config=config, seed=SEED)
trainer.run(epochs=EPOCHS, progress=False)
records = trainer.history.controller()
uniform_entropy = sum(torch.log(torch.tensor(float(len(d.options)))).item() for d in space.decisions)
display(Markdown(«config_story»))
""", config_story=r"""
f"Temperature {config.temperature:g}, tanh constant {config.tanh_constant:g}, minibatch {config.batch_size}: "
                 f"{len(trainer.history.shared())} ω steps and {len(records)} θ steps in {EPOCHS} epochs. "
                 f"The policy's entropy went from {records[0].entropy:.2f} to **{records[-1].entropy:.2f}** nats; "
                 f"a uniform policy has {uniform_entropy:.2f}."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Not far: the line above compares the entropy with a uniform policy's. With the logits divided by 5, the
controller needs many θ steps to commit; ENAS ran 150 epochs of them.
</details>

The policy along its most likely child, and what one more θ step changes:
""", key="policy"),
    C(r"""
favourite = trainer.controller.most_likely()
before = trainer.controller.distributions(favourite)
trainer.controller_step()
wb.viz.plot_policy(trainer.controller, favourite, previous=before, lang="«lang»")
"""),
    M(r"""
Which weights the ω steps trained: every branch owns its separable-convolution weights per (cell layer, node,
branch, input, op), so the supernet holds many blocks and each child trains only a few of them.
""", key="heatmap"),
    C(r"""
wb.viz.plot_update_heatmap(trainer.update_counts, space, history=trainer.history, lang="«lang»")
"""),
    M(r"""
## 4. Derive a child

ENAS ends the search by sampling children from the policy, scoring each with the shared weights on one
validation minibatch and keeping the best. We also score 20 of the policy's children and 20 uniformly random
children on the whole validation split.
""", key="derive"),
    C(r"""
derived = trainer.derive(n=20)  # «derive»
gen = torch.Generator().manual_seed(SEED + 1)
uniform = [space.random(gen) for _ in range(20)]
FROM, ACC = «pick_columns»
POLICY, RANDOM = «pick_groups»
scores = pd.DataFrame([{FROM: who, ACC: trainer.evaluate(a)}
                       for who, archs in ((POLICY, derived.archs), (RANDOM, uniform)) for a in archs])
means = scores.groupby(FROM)[ACC].mean()
display(Markdown(«pick_story»))
wb.viz.plot_arch(space, derived.arch, update_counts=trainer.update_counts, controller=trainer.controller,
                 lang="«lang»")
""", derive="the best of 20 children of the policy, each scored on the same validation minibatch",
      pick_columns='("from", "shared val acc")', pick_groups='("policy", "random")',
      pick_story=r"""
f"Mean accuracy with the shared weights on the whole validation split: **{means[POLICY]:.3f}** for the "
                 f"policy's children, **{means[RANDOM]:.3f}** for random ones. The derived child scored "
                 f"{derived.accuracy:.3f} on its minibatch of {derived.batch_size} and "
                 f"{trainer.evaluate(derived.arch):.3f} on the whole split:"
"""),
    M(r"""
**Self-check.** Two children have the same normal cell but different reduction cells. Which weights do they
share?

<details><summary><b>Answer</b> (click)</summary>

The stem, the classifier and, in every normal cell layer, the blocks of the (node, branch, input, op) choices
both made; in the reduction cell layers only the choices they happen to have in common. The blocks are keyed by
the cell layer too, so the same choice in two layers has two sets of weights.
</details>

## Exercises

1. Run with `temperature=1.0` in `for_space(space, temperature=1.0)`: how fast does the entropy fall now?
2. Set `num_nodes=2`: how many decisions, how many children, and does the derived child beat random ones by more?
3. Count the weight blocks of the supernet (`len(wb.Supernet(space, data.input_shape, 10).block_parameters())`)
   and of one child (`len(space.blocks_for(arch))`): what share of ω does one ω step train?

<details><summary><b>Answers</b> (click)</summary>

1. Faster: without the division by 5, the same θ steps move the probabilities further. Compare the entropy line of
   section 3.
2. $5 \cdot 4 \cdot 2 = 40$ decisions become $2 \cdot 4 \cdot 2 = 16$, and the table gives the count for $B = 2$.
   A smaller space is easier to learn in a few epochs; whether the margin grows, the section 4 line tells.
3. A child uses one block per branch of each cell layer plus the cell outputs, a small share of the supernet: most
   blocks wait many ω steps for their next update, which the heatmap shows.
</details>

## Summary

* The micro space searches a normal and a reduction cell of $B$ nodes, each node two (input, op) branches summed:
  $\big((B+1)!\big)^4\cdot 5^{4B}$ children; the paper's $(5\,(B-2)!)^4$ counts something else.
* ENAS's micro controller divides its logits by a temperature of 5 and uses a tanh constant of 1.1: a flat
  policy that commits slowly.
* The derived child is the best of the policy's samples on one minibatch with the shared weights: a proxy, to be
  trained alone before it is trusted (notebook 04).
""", key="summary"),
    glossary.cell(["supernet", "child", "controller", "weight_block", "tanh_constant", "entropy", "proxy"]),
]
# fmt: on
