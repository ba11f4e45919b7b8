"""Notebook 01, a tour of weight sharing: its cells, in English, with one code source for both twins.

Regenerate (from the repository root):  python -m notebooks.generator
Writes 01_weight_sharing_tour.ipynb from these cells and 01_weight_sharing_tour.zh.ipynb from the
same cells with nb01_tour_zh's translation of the markdown and of every «name» string.

Owns: the lesson's markdown (English) and code cells; the English value of each «name».
Must not: compute anything a library function should (it belongs in workbench/), or quote a number
in prose that a code cell does not print.
"""

from __future__ import annotations

from .cells import C, M

# the cells are laid out as the notebook reads, each code cell followed by its English strings
# fmt: off
CELLS = [
    M(r"""
# A tour of weight sharing

ENAS (Pham et al., 2018) searches for a good network architecture by training **one** big network, the
*supernet*, and letting every candidate architecture borrow its weights. This notebook builds the idea up
in five short steps: the supernet, a child, why sharing saves time, the two losses, and then an app in
which you step through the search yourself.

Run the cells from top to bottom with **Shift+Enter**; the whole notebook takes about a minute on a laptop CPU.
""", key="intro"),
    C(r"""
import time

import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # «threads»
trainer = wb.Trainer("teaching", seed=0)  # «trainer_parts»
space, net = trainer.space, trainer.supernet
space
""", threads="the networks here are tiny: one CPU thread is the fastest",
      trainer_parts="MNIST-1D data, the supernet, the ENAS controller"),
    M(r"""
## 1. The supernet: every candidate at once

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
wb.viz.plot_update_heatmap(trainer.update_counts, space)
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
wb.viz.plot_arch(space, arch)
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
    f"Here $N = {N}$ and $|\\mathcal{{O}}| = {n_ops}$: ${product} = {space.size():,}$ "
    f"children, all sharing the same {n_params:,} parameters."
"""),
    M(r"""
## 3. Why sharing saves time

The arithmetic behind ENAS: to compare **1000 architectures** honestly you train each of them, so **1000
trainings**. ENAS trains **one** supernet instead, and afterwards a child's quality is read off with the shared
weights: one forward pass, no training. Let's measure both on this space, with the same number of epochs.
""", key="sharing"),
    C(r"""
EPOCHS = 8

solo = wb.Trainer("teaching", seed=1)  # «fresh_supernet»
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

The whole ENAS search cost about as much as training
**{(t_search + t_score) / t_child:.1f} children** alone:
**{1000 * t_child / (t_search + t_score):.0f}×** less than 1000 separate trainings.
'''
"""),
    M(r"""
The catch: a score read off shared weights is only a *proxy* for the accuracy the child would reach if trained
alone. How good a proxy it is, is the subject of notebook 03.
""", key="proxy"),
    M(r"""
## 4. The two losses

**Phase 1: the shared weights ω, with θ frozen.** The controller samples a child $m$. On a training minibatch
$\{(x_b, y_b)\}_{b=1}^{B}$ the loss is the mean cross-entropy

$$L_{\text{shared}}(\omega) \;=\; \frac{1}{B}\sum_{b=1}^{B} \mathrm{CE}\big(f(x_b;\,\omega_m),\; y_b\big),$$

and one SGD step moves only $\omega_m$, the blocks on $m$'s path. The other blocks are not in the computation at
all, so they get no gradient and stay exactly as they were.
""", key="losses"),
    C(r"""
r = trainer.shared_step(loss_after=True)  # «loss_after»
display(Markdown(
«shared_step»))
""", loss_after="also measure the minibatch loss after the step",
      shared_step=r"""
    f"One ω step on `{r.arch}` with a minibatch of {trainer.config.batch_size}: "
    f"$L_{{shared}}$ went from **{r.loss:.3f}** to **{r.loss_after:.3f}** on that minibatch; "
    f"**{len(r.updated)} of {len(net.block_names)}** weight blocks got a gradient: "
    f"{', '.join(r.updated)}."
"""),
    M(r"""
**Phase 2: the controller θ, with ω frozen.** The controller is a policy $P(m;\theta)$ over children. It wants
children with a high reward $R(m)$, the child's accuracy on validation data:

$$L_{\text{controller}}(\theta) \;=\; -\,\mathbb{E}_{m\sim P(m;\theta)}\big[R(m)\big].$$

$R$ comes out of a sampled network, so it cannot be differentiated with respect to θ. REINFORCE estimates the
gradient from $K$ sampled children $m_1,\dots,m_K$:

$$\nabla_\theta L_{\text{controller}} \;\approx\; -\frac{1}{K}\sum_{k=1}^{K}\big(R(m_k)-b\big)\,
\nabla_\theta \log P(m_k;\theta),
\qquad b \leftarrow \gamma\, b + (1-\gamma)\, R .$$

The baseline $b$ is a moving average of past rewards. A child that beats it ($R-b>0$, a positive *advantage*)
becomes more likely; one that falls short becomes less likely.
""", key="phase2"),
    C(r"""
s = trainer.controller.sample(torch.Generator().manual_seed(0))
R, b = trainer.evaluate(s.arch), trainer.baseline
term = wb.reinforce.policy_loss(s.log_prob, R - b).item()
display(Markdown(
«policy_term»))
""", policy_term=r"""
    f"The controller sampled `{s.arch}` with probability "
    f"$P = {s.log_prob.exp().item():.1e}$ ($\\log P = {s.log_prob.item():.2f}$). "
    f"Its reward (validation accuracy) is $R = {R:.3f}$ and the baseline $b = {b:.3f}$, "
    f"so the advantage is $R-b = {R - b:+.3f}$ and its loss term $-(R-b)\\log P = {term:.3f}$. "
    f"A gradient step on that term makes this child **{'more' if R > b else 'less'}** likely."
"""),
    M(r"""
The trainer does exactly this, with $K$ children per θ step, each scored on a validation minibatch, plus a small
entropy bonus in the reward (notebook 02 shows why). One θ step:
""", key="theta_step"),
    C(r"""
c = trainer.controller_step()
display(Markdown(
«controller_step»))
""", controller_step=r"""
    f"{len(c.archs)} children, mean reward **{c.reward:.3f}**, baseline **{c.baseline:.3f}**, "
    f"mean advantage **{c.advantage:+.3f}**, policy entropy {c.entropy:.2f} nats."
"""),
    M(r"""
## 5. Step through it yourself

The app puts the alternation under buttons: **Step ω** (phase 1), **Step θ** (phase 2), **Alternate** (an
epoch of ω steps, then the θ steps), **Play**/**Pause** and **Reset**. Its views: the child inside the
supernet, the weight-update heatmap, the controller's probabilities, the curves, and a collapse check. It starts
from a fresh supernet and controller.

*Tip:* right-click the app and choose **Create New View for Cell Output** to keep it in sight while you work
through the exercises below.
""", key="app"),
    C(r"""
app = wb.app.Workbench(wb.Trainer("teaching", seed=0), preset="classroom", lang="«lang»")
app
"""),
    M(r"""
### Exercise 1

Press **Step ω** five times (or run the next cell: it does the same). Look at the *weight updates* heatmap.
Which weight blocks never moved, and why?
""", key="ex1"),
    C(r"""
for _ in range(5):
    app.step_shared()
"""),
    C(r"""
counts = app.trainer.update_counts
never = [b for b in counts.blocks if counts.grad[b] == 0]
moved_anyway = [b for b in never if counts.changed[b] > 0]
display(Markdown(
«never_updated»))
""", never_updated=r"""
    f"After {counts.steps} ω steps, **{len(never)} of {len(counts.blocks)}** weight blocks "
    f"never got a gradient, while `stem` and `classifier` got one in "
    f"{counts.grad['stem']} of the {counts.steps} steps. Blocks that changed value without "
    f"ever getting a gradient: {len(moved_anyway)}."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

The blocks of every (node, input, op) that none of the sampled children used. An ω step computes
$L_{\text{shared}}$ along one child's path only; a block off the path is not part of that computation, so its
gradient does not exist (not even zero) and the optimizer skips it: momentum and weight decay cannot move it
either. `stem` and `classifier` lie on every path, so every step trains them. The `identity` column has no
weights at all.
</details>
""", key="ex1_answer"),
    M(r"""
### Exercise 2

Press **Step θ** once (or run the next cell). In the *controller* view, which probabilities moved, and in
which direction? Compare with the sign of the advantage in the narration above the views.
""", key="ex2"),
    C(r"""
c = app.step_controller()
display(Markdown(«theta_said»))
""", theta_said=r"""
f"θ step (step {c.step} of the run): mean reward {c.reward:.3f}, "
                 f"baseline {c.baseline:.3f}, mean advantage **{c.advantage:+.3f}**."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Children with a positive advantage had their choices made more likely, children with a negative one less
likely; the mean advantage tells you which kind dominated this step. This early the supernet is barely
trained, so rewards are close to chance (0.1 for ten classes) and the changes are small and noisy: that is
expected. The ω weights did not change at all in this step.
</details>
""", key="ex2_answer"),
    M(r"""
### Exercise 3

Press **Sample child** a few times. Does the step counter move? Does any weight change? Then press
**Alternate** three times (or run the next cell) and read the *collapse check*: is the controller healthy?
""", key="ex3"),
    C(r"""
for _ in range(3):
    app.alternate()
report = wb.viz.collapse_report(app.trainer.history)
display(Markdown(«collapse_says» + «reason_sep».join(report.reasons) + «full_stop»))
""", collapse_says=r"""
f"After {len(app.trainer.history)} steps the collapse check says "
                 f"**{report.verdict}**: "
""",
      reason_sep='"; "',
      full_stop='"."'),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Sampling only draws a child from $P(m;\theta)$: no loss, no gradient, no step, so nothing changes and the counter
stays. With ENAS's defaults the controller learns slowly and keeps most of its uncertainty (its entropy) for a
long time; notebook 02 breaks it on purpose to show what collapse looks like.
</details>

**Next:** `02_controller_collapse.ipynb` makes a controller collapse and repairs it.
""", key="ex3_answer"),
]
# fmt: on
