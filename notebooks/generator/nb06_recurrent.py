"""Notebook 06, the ENAS recurrent cell on MNIST-1D read as a sequence: its cells, in English, one code source for both.

Regenerate (from the repository root):  python -m notebooks.generator
Writes 06_enas_recurrent.ipynb and, with nb06_recurrent_zh's translation, its Chinese twin.

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
# The ENAS recurrent cell

ENAS began with a recurrent cell for language modelling (section 2.1 of the paper): at every time step the cell
reads the input $x_t$ and the previous state $h_{t-1}$, and the controller decides how the cell's nodes connect
and which activation each applies. Here the sequence is MNIST-1D, each example read as 40 steps of one number,
classified after the last step. On the way: the cell, one weight matrix per (node, input) pair shared by all
activations (and why that matters for collapse, notebook 02), a short search, the policy, and the derived cell.
About a minute on a laptop CPU.
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


projector = wb.viz.projector  # «projector»


data = wb.data.mnist1d(view="sequence")  # «mnist1d»
X, y = data.split("train")
display(Markdown(«data_story»))
STEP, VALUE, LABEL = «sequence_columns»
first = pd.DataFrame([{STEP: t, VALUE: float(X[i, t, 0]), LABEL: str(int(y[i]))}
                      for i in range(3) for t in range(X.shape[1])])
projector(px.line(first, x=STEP, y=VALUE, color=LABEL, height=300, color_discrete_sequence=COLORS))
""", threads="the networks here are tiny: one CPU thread is the fastest",
      seed="change it and run everything again: which conclusions survive?",
      colors="colour-blind safe, one colour per group",
      projector="the workbench's look: large fonts for a projector, white background",
      mnist1d="MNIST-1D, each example a sequence: (steps, features per step)",
      data_story=r"""
f"{len(y):,} training sequences of {X.shape[1]} steps, {X.shape[2]} number per step, "
                 f"{data.num_classes} classes. The first three:"
""", sequence_columns='("step t", "x_t", "label")'),
    M(r"""
## 1. The cell

Node 0 mixes the two inputs: $[a, c] = [x_t, h_{t-1}]\,W_0$ and a **highway** step
$s_0 = h_{t-1} + \sigma(c)\,(\tanh(a) - h_{t-1})$. Each searched node $i = 1..N$ picks **one earlier node** $j$ and
**one activation** $f$ among tanh, ReLU, identity and sigmoid, and takes the same step from $s_j$:
$[a, c] = s_j W_{i,j}$, $s_i = s_j + \sigma(c)\,(f(a) - s_j)$. The nodes no other node reads are averaged into
$h_t$. Node $i$ has $i$ inputs and 4 activations, so there are $\prod_i 4i = 4^N\,N!$ cells.

### Exercise 1

How many cells are there with the workbench's $N = 4$, and with the paper's $N = 12$?
""", key="cell"),
    C(r"""
space = wb.spaces.get("recurrent")  # «space»
arch = space.random(torch.Generator().manual_seed(SEED))
paper = wb.spaces.get("recurrent", num_nodes=12)
display(Markdown(«cell_story»))
wb.viz.plot_arch(space, arch, lang="«lang»")
""", space="N = 4 nodes of width 32: small enough for a CPU",
      cell_story=r"""
f"$N = {space.num_nodes}$: **{space.size():,}** cells; the paper's $N = {paper.num_nodes}$: "
                 f"**{paper.size():.1e}**. A random cell, `{arch}`, inside the supernet:"
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

$4^4 \cdot 4! = 256 \cdot 24 = 6{,}144$, as printed. At $N = 12$: $4^{12}\cdot 12!$, about $8.0\times10^{15}$; the
paper says "approximately $10^{15}$".
</details>

## 2. One matrix per (node, input) pair

The weights $W_{i,j}$ belong to the **pair** (node $i$, input $j$): whichever activation the controller picks for
node $i$, it multiplies the same matrix. The teaching space of notebooks 00-03 has the same size and the same four
activations, but there every (node, input, activation) has **its own** weights, and identity has none.

**Predict:** with $N = 4$, how many weight blocks does each supernet have?
""", key="pairs"),
    C(r"""
teaching = wb.spaces.get("teaching")
flat = wb.data.mnist1d()  # «flat»
supernets = {«this_space»: (space, data), «teaching_space»: (teaching, flat)}
blocks = {name: wb.Supernet(s, d.input_shape, d.num_classes).block_parameters() for name, (s, d) in supernets.items()}
BLOCKS_COL, PAIR_COL, CHILDREN_COL = «block_columns»
pair = {name: ", ".join(n for n in b if n.startswith("node2<-1")) for name, b in blocks.items()}
pd.DataFrame({name: {BLOCKS_COL: len(blocks[name]), PAIR_COL: pair[name], CHILDREN_COL: f"{s.size():,}"}
              for name, (s, _) in supernets.items()}).T
""", flat="the same examples, flat, as the teaching space reads them",
      this_space='"recurrent"', teaching_space='"teaching"',
      block_columns='("weight blocks", "the blocks of the pair (node 2, node 1)", "children")'),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

The table counts them: in the recurrent cell, one block per pair plus node 0 and the classifier; in the teaching
space three per pair (ReLU, tanh and sigmoid; identity has no weights) plus the stem and the head.
</details>

Why it matters: in the teaching space an activation's weights train only when that activation is sampled. Early
on, identity needs no training at all and a child full of identities scores well; the controller samples it
more, the other activations' weights fall behind, and the policy **collapses** onto identity (notebook 02). Here,
every ω step through a pair trains the one matrix that all four activations read, so no activation falls behind
from being sampled less. The heatmap after the search shows it: the blocks are pairs, not (pair, activation).

## 3. A short search

The workbench's defaults for this space (`wb.TrainerConfig.for_space`): Adam for ω at a constant rate, and a
controller learning rate of 5e-3 instead of ENAS's 1e-3, because the children's rewards differ by a few points
only (benchmarks/controller_learns.py --space recurrent). **Predict:** will the policy's children beat random ones?
""", key="search"),
    C(r"""
EPOCHS = 8
config = wb.TrainerConfig.for_space(space)
trainer = wb.Trainer(space, data=data, config=config, seed=SEED)
trainer.run(epochs=EPOCHS, progress=False)
records = trainer.history.controller()
display(Markdown(«config_story»))
wb.viz.plot_update_heatmap(trainer.update_counts, space, history=trainer.history, lang="«lang»")
""", config_story=r"""
f"ω: {config.shared_optimizer} at {config.shared_lr:g}; θ: learning rate {config.controller_lr:g}. "
                 f"{len(trainer.history.shared())} ω steps and {len(records)} θ steps in {EPOCHS} epochs; "
                 f"the policy's entropy went from {records[0].entropy:.2f} to **{records[-1].entropy:.2f}** nats."
"""),
    C(r"""
favourite = trainer.controller.most_likely()
before = trainer.controller.distributions(favourite)
trainer.controller_step()
wb.viz.plot_policy(trainer.controller, favourite, previous=before, lang="«lang»")
"""),
    M(r"""
## 4. Derive a cell

As in notebooks 04 and 05: the best of 20 of the policy's children on one validation minibatch, and 20 of the
policy's children against 20 random ones on the whole validation split.
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
projector(px.strip(scores, x=FROM, y=ACC, color=FROM, height=360, color_discrete_sequence=COLORS,
                   title=«strip_title»)).update_layout(showlegend=False)
""", derive="the best of 20 children of the policy, each scored on the same validation minibatch",
      pick_columns='("from", "shared val acc")', pick_groups='("policy", "random")',
      strip_title='"20 cells from the policy, 20 random ones: accuracy with the shared weights"',
      pick_story=r"""
f"Mean accuracy with the shared weights: **{means[POLICY]:.3f}** for the policy's cells, "
                 f"**{means[RANDOM]:.3f}** for random ones. The derived cell, `{derived.arch}`, scores "
                 f"{trainer.evaluate(derived.arch):.3f} on the whole validation split."
"""),
    M(r"""
**Self-check.** Node 3 reads node 1 with tanh in one child and with ReLU in another. Do the two children share
node 3's weights? And in the teaching space?

<details><summary><b>Answer</b> (click)</summary>

Here yes: both use the matrix of the pair (node 3, node 1). In the teaching space no: tanh and ReLU each have
their own block for that pair.
</details>

## Exercises

1. Run the search with `controller_lr=1e-3` (ENAS's): how far does the entropy fall in 8 epochs?
2. Set `num_nodes=2`: how many cells, and does the policy's margin over random cells grow?
3. Which activation does the derived cell use most? Run with another `SEED`: the same one?

<details><summary><b>Answers</b> (click)</summary>

1. Less: Adam's steps scale with the learning rate, so the logits move about a fifth as far; the benchmark saw a
   policy that stayed almost uniform at that rate.
2. $4^2 \cdot 2! = 32$ cells; a small space is learnt in fewer θ steps, compare the section 4 line.
3. The derived cell's text says it. One seed and 8 epochs decide little: if the answer changes with the seed, it
   was noise.
</details>

## Summary

* ENAS's recurrent cell: node 0 mixes $x_t$ and $h_{t-1}$, each node picks an earlier node and an activation for a
  highway step, the loose ends are averaged into $h_t$: $4^N N!$ cells.
* The weights belong to the (node, input) pair and are shared by all activations: an activation sampled less
  does not fall behind, unlike the teaching space, where identity's head start can collapse the policy.
* The derived cell is a proxy's pick; train it alone before you trust it.
""", key="summary"),
    glossary.cell(["supernet", "child", "controller", "weight_block", "collapse", "entropy", "proxy"]),
]
# fmt: on
