"""Notebook 00, first steps: one ENAS alternation by hand; its cells, in English, one code source for both twins.

Regenerate (from the repository root):  python -m notebooks.generator
Writes 00_first_steps.ipynb from these cells and 00_first_steps.zh.ipynb from the same cells with
nb00_first_steps_zh's translation.

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
# First steps: one ENAS alternation by hand

ENAS trains two things in turn. **Phase 1** freezes the controller $\theta$ and trains the shared weights
$\omega$ of the one child it samples. **Phase 2** freezes $\omega$ and moves $\theta$ towards children that score
well. Run each cell with **Shift+Enter**; the whole notebook takes a few seconds.

How these notebooks work: a **Predict** prompt asks you to commit to an answer *before* you run the next cell;
a **Self-check** at the end of a section asks a question or two. Every answer is hidden behind a
*click to open* line: try first, then look.
""", key="intro"),
    C(r"""
import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # «threads»
SEED = 0  # «seed»
trainer = wb.Trainer("teaching", seed=SEED)  # «trainer_parts»
space = trainer.space
print(space)
print(trainer.data)
""", threads="the networks here are tiny: one CPU thread is the fastest",
      seed="change it and run everything again: which numbers move?",
      trainer_parts="MNIST-1D, a 4-node DAG cell, the ENAS LSTM controller"),
    M(r"""
A child is one choice per decision: for each node, an input and an op. `str(arch)` reads like the network.
""", key="decisions"),
    C(r"""
for d in space.decisions:
    print(f"{d.name:12} {' | '.join(d.options)}")
"""),
    M(r"""
## Phase 1: three $\omega$ steps ($\theta$ frozen)

Each step samples a child from the controller, computes
$L_{shared} = \frac{1}{B}\sum_b \mathrm{CE}(f(x_b;\omega_{child}), y_b)$ on one training minibatch and steps
$\omega$. Only the weight blocks that child uses get a gradient.

**Predict:** the stem and the classifier are on every child's path, and each of the 4 nodes applies `relu`,
`tanh` or `sigmoid` (each with its own weights) or `identity` (no weights). How many weight blocks can one
ω step update, at most and at least?
""", key="phase1"),
    C(r"""
n_blocks = len(trainer.supernet.block_names)
for _ in range(3):
    r = trainer.shared_step(loss_after=True)  # «loss_after»
    print(f"step {r.step}: {r.arch}")
    print(«step_line»)
""", loss_after="also measure the minibatch loss after the step",
      step_line=r"""
f"   loss {r.loss:.3f} -> {r.loss_after:.3f}; updated {len(r.updated)} of {n_blocks} "
          f"weight blocks: {', '.join(r.updated)}"
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

At most 6: the stem, the classifier and one block per node, when no node picks `identity`. At least 2: a child
made of identities runs through the stem and the classifier only. Each line above names the blocks its step
updated.
</details>

## Phase 2: one $\theta$ step ($\omega$ frozen)

The controller samples children; each one's reward $R$ is its accuracy on a validation minibatch. REINFORCE
minimises $-(R - b)\log P(m;\theta)$, where $b$ is a moving average of past rewards (the baseline).

**Predict:** no reward has been seen yet, so there is no baseline before the first child. The trainer starts the
baseline at the first reward. What is the first child's advantage $R - b$, and how much does it push θ?
""", key="phase2"),
    C(r"""
c = trainer.controller_step()
first = c.children[0]
print(«theta_line»)
print(«first_line»)
""", theta_line=r"""
f"step {c.step}: {len(c.archs)} children, mean reward {c.reward:.3f}, "
      f"baseline {c.baseline:.3f}, mean advantage {c.advantage:+.3f}"
""", first_line=r"""
f"first child: reward {first.reward:.3f}, advantage {first.advantage:+.3f}"
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Exactly 0: the baseline starts *at* the first reward, so the first child's advantage is $R - R = 0$ and its
term $-(R-b)\log P$ contributes no gradient. From the second child on, the baseline has a past to compare
with.
</details>

Every step left a record; as a table:
""", key="records"),
    C(r"""
trainer.history.to_frame()[["phase", "arch", "loss", "loss_after", "reward", "baseline", "advantage"]]
"""),
    M(r"""
And how often each shared weight block has been updated so far: the left panel counts the ω steps that gave a
block a gradient, the right one those that changed its value (one row per node and input, one column per op).
""", key="counts"),
    C(r"""
counts = trainer.update_counts
touched = sum(counts.grad[b] > 0 for b in counts.blocks)
display(Markdown(«counts_line»))
wb.viz.plot_update_heatmap(counts, space, lang="«lang»")
""", counts_line=r"""
f"After {counts.steps} ω steps, {touched} of {len(counts.blocks)} weight blocks have had a "
                 f"gradient; `stem` and `classifier` had one in every step ({counts.grad['stem']})."
"""),
    M(r"""
## Self-check

1. Did the θ step change any shared weight? Did the ω steps change θ?
2. The loss went down on the minibatch each ω step trained on. Does that prove the child got better?

<details><summary><b>Answers</b> (click)</summary>

1. No and no: each phase freezes the other's parameters. The update counts above did not move during the θ
   step, and an ω step never touches the controller.
2. No: one step on one minibatch of 64 examples can fit that minibatch and not the others. Whether children
   improve is measured on validation data (the rewards of a θ step) and, in the end, against children trained
   alone (notebook 03).
</details>

## Summary

* An ω step: sample a child, one minibatch, one optimizer step of the blocks on the child's path;
  nothing else (PyTorch skips weights without a gradient; ENAS's TensorFlow code moves them too: notebook 01,
  exercise 3).
* A θ step: score K children on validation minibatches, then one REINFORCE step towards those above the
  baseline; the first reward starts the baseline.
* Every step leaves a frozen record (`trainer.history`) and updates the per-block counts (`update_counts`).
""", key="summary"),
    glossary.cell(["supernet", "child", "weight_block", "omega_step", "theta_step", "reward", "baseline",
                   "advantage"]),
    M(r"""
## Next

* `01_weight_sharing_tour.ipynb`: the supernet drawn, why sharing saves time, the two losses, and the app.
* `02_controller_collapse.ipynb`: a controller that collapses onto one cheap child, and the ENAS remedies.
* `workbench.ipynb`: the app alone (for a projector: `make classroom`).
""", key="next"),
]
# fmt: on
