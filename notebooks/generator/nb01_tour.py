"""Notebook 01, a tour of weight sharing: its cells, in English, with one code source for both twins.

Regenerate (from the repository root):  python -m notebooks.generator
Writes 01_weight_sharing_tour.ipynb from these cells and 01_weight_sharing_tour.zh.ipynb from the
same cells with nb01_tour_zh's translation of the markdown and of every «name» string.

Owns: sections 1-3 of the lesson (the supernet, a child, what sharing saves, and the article's two claims
about it, measured), and `CELLS`, the whole notebook: these, then nb01_tour_losses's section 4 and
nb01_tour_app's section 5 with the summary.
Must not: compute anything a library function should (it belongs in workbench/), or quote a number
in prose that a code cell does not print.
"""

from __future__ import annotations

from . import nb01_tour_app, nb01_tour_losses
from .cells import C, M

# the cells are laid out as the notebook reads, each code cell followed by its English strings
# fmt: off
PART1 = [
    M(r"""
# A tour of weight sharing

ENAS (Pham et al., 2018) searches for a good network architecture by training **one** big network, the
*supernet*, and letting every candidate architecture borrow its weights. This notebook builds the idea up
in five steps: the supernet, a child, what sharing saves (and where the saving really comes from), the two
losses with the REINFORCE derivation, and then an app in which you step through the search yourself.

Run the cells from top to bottom with **Shift+Enter**; the whole notebook takes under a minute on a laptop CPU.
**Predict** prompts ask you to commit to an answer before you run the next cell; every answer is behind a
*click* line.
""", key="intro"),
    C(r"""
import time

import pandas as pd
import plotly.express as px
import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # «threads»
SEED = 0  # «seed»
trainer = wb.Trainer("teaching", seed=SEED)  # «trainer_parts»
space, net = trainer.space, trainer.supernet
COLORS = list(wb.viz.OKABE_ITO.values())  # «colors»


projector = wb.viz.projector  # «projector»


space
""", threads="the networks here are tiny: one CPU thread is the fastest",
      seed="change it and run everything again: which conclusions survive?",
      trainer_parts="MNIST-1D data, the supernet, the ENAS controller",
      colors="colour-blind safe, one colour per count",
      projector="the workbench's look: large fonts for a projector, white background"),
    M(r"""
## 1. The supernet: one network that holds every candidate

The *teaching space* is a small cell for **MNIST-1D** (signals of 40 numbers, 10 classes). A `stem` layer maps
the input to 32 features. Then each of 4 nodes makes two decisions: **which earlier node to read** (the stem
or an earlier node), and **which op to apply**: `relu`, `tanh` or `sigmoid` (a linear layer followed by that
activation) or `identity` (no weights). The nodes nobody reads are averaged and fed to a linear `classifier`.
""", key="supernet"),
    C(r"""
for d in space.decisions:
    print(f"{d.name:12} {' | '.join(d.options)}")
"""),
    M(r"""
The supernet holds a weight block for **every** (node, input, op) that any child might use, all at the same
time. The heatmap below has one cell per weight block (rows: a node and the input it reads; columns: the op).
Every cell is 0: nothing has been trained yet.
""", key="blocks"),
    C(r"""
n_params = sum(p.numel() for p in net.parameters())
display(Markdown(
«supernet_size»))
wb.viz.plot_update_heatmap(trainer.update_counts, space, lang="«lang»")
""", supernet_size=r"""
    f"The supernet has **{len(net.block_names)} weight blocks** holding **{n_params:,} "
    f"parameters**: the stem, the classifier, and one block per node, input and weighted op."
"""),
    M(r"""
## 2. A child: one path through the supernet

A *child* answers every decision once. Its text form reads like the network it is. In the drawing, **grey is
the whole supernet**: every arc is one way a node could read its input, and the four small squares under each
node are its candidate ops. The **coloured path is the child**.
""", key="child"),
    C(r"""
arch = space.parse("node1=relu(stem) node2=tanh(node1) "
                   "node3=identity(stem) node4=sigmoid(node2)")
print(arch)
print(«choice_indices», arch.choices)
wb.viz.plot_arch(space, arch, lang="«lang»")
""", choice_indices='"choice indices:"'),
    M(r"""
The child uses only the weight blocks on its path. `net.child(arch)` copies exactly those into a stand-alone
network; it computes the same function as the supernet run along the path.
""", key="child_copy"),
    C(r"""
used = net.blocks_for(arch)
child = net.child(arch)
x, y = trainer.data.split("val")
same = torch.equal(child(x), net(x, arch))
child_params = sum(p.numel() for p in child.parameters())
blocks = «list_sep».join(f"`{b}`" for b in used)
display(Markdown(
«child_uses»))
""", list_sep='", "',
      child_uses=r"""
    f"This child uses **{len(used)} of {len(net.block_names)}** weight blocks "
    f"({child_params:,} of {n_params:,} parameters): {blocks}. On all {len(y):,} validation "
    f"examples the stand-alone copy and the supernet path give the same outputs: **{same}**."
"""),
    M(r"""
How many children are there? Node $i$ can read from $i$ places (the stem or nodes $1,\dots,i-1$) and apply one
of $|\mathcal{O}|$ ops, so with $N$ nodes

$$|\mathcal{A}| \;=\; \prod_{i=1}^{N} i\,|\mathcal{O}| \;=\; N!\,|\mathcal{O}|^{N}.$$
""", key="count"),
    C(r"""
N, n_ops = space.num_nodes, len(space.ops)
product = r" \cdot ".join(str(i * n_ops) for i in range(1, N + 1))
display(Markdown(
«space_size»))
""", space_size=r"""
    f"Here $N = {N}$ and $|\\mathcal{{O}}| = {n_ops}$: ${product}$ = {space.size():,} "
    f"children, all sharing the same {n_params:,} parameters."
"""),
    M(r"""
**Self-check.** How many children would the space have without `identity`? And how many weight blocks would
the supernet need with 5 nodes?

<details><summary><b>Answer</b> (click)</summary>

Without identity, $4!\cdot 3^4 = 1{,}944$ children. With 5 nodes, node $i$ has $i$ inputs and 3 weighted ops:
$3\,(1+2+3+4+5) = 45$ op blocks, plus the stem and the classifier, so 47 blocks, while the number of children
grows to $5!\cdot 4^5 = 122{,}880$: the blocks grow like $N^2$, the children like $N!\,4^N$.
</details>

## 3. Why sharing saves time

The arithmetic behind ENAS: to compare **1000 architectures** honestly you train each of them, so **1000
trainings**. ENAS trains **one** supernet instead, and afterwards a child's quality is read off with the shared
weights: one forward pass, no training. Let's measure both on this space, with the same number of epochs.
""", key="sharing"),
    C(r"""
EPOCHS = 8

solo = wb.Trainer("teaching", seed=SEED + 1)  # «fresh_supernet»
start = time.perf_counter()
for _ in range(solo.steps_per_epoch):
    solo.shared_step(arch)  # «one_child_step»
t_child = (time.perf_counter() - start) * EPOCHS  # «one_child_alone»

start = time.perf_counter()
trainer.run(epochs=EPOCHS, progress=False)  # «enas_run»
t_search = time.perf_counter() - start

children = [space.random(torch.Generator().manual_seed(i)) for i in range(1000)]
start = time.perf_counter()
shared_acc = [trainer.evaluate(a) for a in children]  # «score_children»
t_score = time.perf_counter() - start
""", fresh_supernet="a fresh supernet: train one child alone for one epoch",
      one_child_step="an ω step on this child only",
      one_child_alone="one child, trained alone for EPOCHS epochs",
      enas_run="ENAS: ω and θ in turn, EPOCHS epochs",
      score_children="1000 children, with the shared weights"),
    C(r"""
display(Markdown(«timing_table»))
""", timing_table=r"""
f'''
| | this CPU |
|---|---|
| train **one** child alone for {EPOCHS} epochs (one epoch timed, ×{EPOCHS}) | {t_child:.1f} s |
| train **1000** children alone | {1000 * t_child / 60:.0f} min |
| train **all {space.size():,}** children alone | {space.size() * t_child / 3600:.1f} h |
| ENAS: train the supernet (and the controller) for {EPOCHS} epochs | {t_search:.1f} s |
| ENAS: score 1000 children with the shared weights | {t_score:.1f} s |

The whole ENAS search cost about as much as training **{(t_search + t_score) / t_child:.1f} children** alone:
about **{1000 * t_child / (t_search + t_score):.0f}× faster** than 1000 separate trainings.
'''
"""),
    M(r"""
The catch: a score read off shared weights is only a *proxy* for the accuracy the child would reach if trained
alone. How good a proxy it is, is the subject of notebook 03.

### Where does the saving come from?

The ENAS article credits the saving to *incremental* weight updates: each ω step trains only the sampled child's
weights. Is such a step cheaper than training that child on its own? We time one ω step of the workbench
(with its bookkeeping), the same step bare (forward, backward, SGD on the supernet), the same child's step on
its own copy of the weights, and a step that trains **every** path at once.

**Predict:** is the supernet's step for one child faster than, about as fast as, or slower than the child's own
step? And a step over every path?
""", key="proxy"),
    C(r"""
probe = wb.Trainer("teaching", seed=SEED + 2)  # «probe»
X_train, y_train = probe.data.split("train")
xb, yb = X_train[:64], y_train[:64]
alone = probe.supernet.child(arch)  # «alone»
alone_opt = torch.optim.SGD(alone.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4)
paths = [space.random(torch.Generator().manual_seed(i)) for i in range(256)]
cross_entropy = torch.nn.functional.cross_entropy


def bare_step(model, optimizer, archs):
    # «bare_step»
    optimizer.zero_grad(set_to_none=True)
    for a in archs:
        out = model(xb) if a is None else model(xb, a)
        (cross_entropy(out, yb) / len(archs)).backward()
    optimizer.step()


def median_ms(step, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        step()
        times.append(1000 * (time.perf_counter() - t0))
    return sorted(times)[len(times) // 2]


ms = {
    «row_workbench»: median_ms(lambda: probe.shared_step(arch), 50),
    «row_bare»: median_ms(lambda: bare_step(probe.supernet, probe.shared_optimizer, [arch]), 50),
    «row_alone»: median_ms(lambda: bare_step(alone, alone_opt, [None]), 50),
    «row_every»: median_ms(lambda: bare_step(probe.supernet, probe.shared_optimizer, paths), 3)
    * space.size() / len(paths),
}
t_workbench, t_bare, t_alone, t_every = ms.values()
display(Markdown(«step_table»))
""", probe="a third trainer, only for timing",
      alone="the same child on its own copy of the weights, with its own SGD",
      bare_step="forward and backward through each child in `archs` (None: a stand-alone child), one update",
      row_workbench='"one ω step in the workbench (bookkeeping included)"',
      row_bare='"the same ω step, bare: forward, backward, SGD"',
      row_alone='"the same child alone, on its own copy of the weights"',
      row_every='f"one step through every path ({len(paths)} timed, ×{space.size() // len(paths)})"',
      step_table=r"""
"| step | ms |\n|---|---|\n" + "\n".join(f"| {k} | {v:,.2f} |" for k, v in ms.items())
"""),
    C(r"""
steps_run = len(trainer.history.shared())
op_blocks = [b for b in net.block_names if b not in ("stem", "classifier")]
per_block = sum(trainer.update_counts.grad[b] for b in op_blocks) / len(op_blocks)
ratio = t_bare / t_alone
display(Markdown(
«step_verdict»))
""", step_verdict=r"""
    (f"The supernet's step for one child costs **{ratio:.1f}×** the child's own step: "
     + ("about the same arithmetic, so no saving per step. " if 0.5 < ratio < 2 else
        ("more than the child's own step. " if ratio >= 2 else "less than the child's own step. "))
     + f"The workbench's bookkeeping (update counts, undo, the record) brings it to "
     f"{t_workbench / t_alone:.1f}×, and a step through every path would cost "
     f"**{t_every / t_bare:,.0f}×** as much. "
     f"So the incremental update does not make a step cheap; the saving is **amortisation**: the "
     f"{steps_run} ω steps of the run above were one training budget for all {space.size():,} children, "
     f"and since children share blocks, each op block got a gradient in {per_block:.0f} of those steps on "
     f"average, although the average child was sampled {steps_run / space.size():.2f} times.")
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Expect about as fast (the table shows this machine's ratio): a child's path through the supernet *is* the child, the
same matrices and the same arithmetic, so there is nothing to save within a step; the workbench's
bookkeeping even adds a little. A step over every path costs as many passes as there are children. The saving
of weight sharing is that one training run serves every child, because they share blocks: the cost of the
search is one supernet plus a forward pass per child scored, instead of a full training per child.
</details>

### Children that were never trained

The article also claims a *transfer-learning* property: children that were never sampled still score well,
because their blocks were trained as parts of other children. **Predict:** a child that the run above never
sampled: does it score near chance (0.1), near the children that were sampled, or in between?
""", key="amortise"),
    C(r"""
sampled = {r.arch for r in trainer.history.shared()}
pool = [space.random(torch.Generator().manual_seed(10_000 + i)) for i in range(600)]
never = [a for a in pool if a not in sampled][:300]
fresh = wb.Supernet(space, trainer.data.input_shape, trainer.data.num_classes, seed=SEED + 3)  # «fresh»
X_val, y_val = trainer.data.split("val")
mean = lambda values: sum(values) / len(values)  # noqa: E731
acc_never = mean([trainer.evaluate(a) for a in never])
acc_fresh = mean([wb.scoring.accuracy(fresh, a, X_val, y_val) for a in never])
acc_sampled = mean([trainer.evaluate(a) for a in list(sampled)[:300]])
display(Markdown(
«transfer»))
""", fresh="an untrained supernet: the same children with fresh weights",
      transfer=r"""
    f"{len(never)} random children that the run never sampled score **{acc_never:.3f}** on average with "
    f"the shared weights; with fresh weights the same children score {acc_fresh:.3f} (chance is 0.1), "
    f"and the {min(len(sampled), 300)} children the run did sample score {acc_sampled:.3f}."
"""),
    M(r"""
Where does that accuracy come from? An experiment: a fresh supernet trained on **only 6 children**, 100 ω
steps each. Then every other child without `identity` (each uses 4 op blocks) is scored with those weights,
grouped by how many of its 4 op blocks it shares with the 6 trained children; the rest of its blocks never got
a gradient and keep their random initial values.
""", key="transfer_setup"),
    C(r"""
lab = wb.Trainer("teaching", seed=SEED)  # «lab»
taught = [space.random(torch.Generator().manual_seed(20_000 + SEED + i)) for i in range(6)]
for step in range(600):
    lab.shared_step(taught[step % len(taught)])
trained = {b for b in lab.supernet.block_names if lab.update_counts.grad[b] > 0}
SHARED, ACC = «col_shared», «col_acc»
rows = []
for a in space.enumerate():
    op_used = [b for b in lab.supernet.blocks_for(a) if b not in ("stem", "classifier")]
    if len(op_used) == 4 and a not in taught:
        rows.append({SHARED: sum(b in trained for b in op_used), ACC: lab.evaluate(a)})
frame = pd.DataFrame(rows)
by_shared = frame.groupby(SHARED)[ACC].mean()
acc_taught = mean([lab.evaluate(a) for a in taught])
fig = px.box(frame.astype({SHARED: str}), x=SHARED, y=ACC, color=SHARED, points=False, height=420,
             category_orders={SHARED: [str(k) for k in sorted(by_shared.index)]},
             color_discrete_sequence=COLORS, title=«transfer_title»)
fig.add_hline(y=acc_taught, line_dash="dash", annotation_text=«taught_line»)
fig.add_hline(y=0.1, line_dash="dot", annotation_text=«chance_line»)
projector(fig).update_layout(showlegend=False)
""", lab="a fourth supernet, trained on 6 children only",
      col_shared='"op blocks shared with the 6 trained children"',
      col_acc='"shared-weight accuracy"',
      transfer_title='"Children never trained: accuracy by the blocks they share with trained ones"',
      taught_line='"the 6 trained children"',
      chance_line='"chance"'),
    C(r"""
low, high = by_shared.index.min(), by_shared.index.max()
gain = (by_shared[high] - 0.1) / (acc_taught - 0.1)
display(Markdown(
«transfer_verdict»))
""", transfer_verdict=r"""
    f"Children sharing {low} of their op blocks score {by_shared[low]:.3f}, those sharing all "
    f"{high} score **{by_shared[high]:.3f}**, the 6 trained children {acc_taught:.3f}. "
    + ("Every block shared adds a little: the transfer is real, " if by_shared.is_monotonic_increasing
       else "The trend is not steady from group to group: the transfer is noisy, ")
    + f"but a child built entirely from trained blocks gets only {gain:.0%} of the way from chance to the "
    f"trained children: a block trained after one input works less well after another."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Read the line above: if the never-sampled children score well above the same children with fresh weights
(which sit near chance) and not above the sampled ones, the answer is *in between*. The reason: every block on
a never-sampled child's path was trained as part of other children. But sharing a block is not the same as being
trained: a block learned what to do with the
outputs of the nodes it was trained after, and in a new child its input may come from another op. That is one
reason shared-weight scores are a noisy proxy (notebook 03).
</details>

**Self-check.** One ω step in a supernet with a million children: does it cost more than one step in this one?

<details><summary><b>Answer</b> (click)</summary>

Not by much: a step runs one child's path, whose cost depends on the child, not on how many other children
the supernet holds (the optimizer's loop over parameters grows with the supernet, though, which is part of
the bookkeeping above). What grows with the space is how thinly the same steps are spread over the children.
</details>
""", key="transfer_answer"),
]

CELLS = PART1 + nb01_tour_losses.CELLS + nb01_tour_app.CELLS
# fmt: on
