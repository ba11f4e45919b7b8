"""Notebook 01, section 5: the app, exercises 2-5 (TF-style updates of unused weights among them), the summary
and the glossary; English cells.

Regenerate (from the repository root):  python -m notebooks.generator
Part of nb01_tour.CELLS; translated by nb01_tour_app_zh.

Owns: section 5 of notebook 01 and its closing cells (markdown in English, code with «name» strings).
Must not: compute anything a library function should, or quote a number a code cell does not print.
"""

from __future__ import annotations

from . import glossary
from .cells import C, M

# fmt: off
CELLS = [
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
app = wb.app.Workbench(wb.Trainer("teaching", seed=SEED), preset="classroom", lang="«lang»")
app
"""),
    M(r"""
### Exercise 2: which blocks move?

Press **Step ω** five times (or run the next cell: it does the same). **Predict** first: which weight blocks
will never have moved, and why? Then look at the *weight updates* heatmap.
""", key="ex2"),
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
$L_{\text{shared}}$ along one child's path only; a block off the path is not part of that computation, so
PyTorch leaves its gradient at `None` (not even zero), and PyTorch's optimizers skip a parameter whose gradient
is `None`: momentum and weight decay do not touch it either. That is why they stay *bit for bit* the same here,
and it is a property of this implementation, not of weight sharing (next exercise). `stem` and `classifier` lie
on every path, so every step trains them. The `identity` column has no weights at all.
</details>

### Exercise 3: TF-style updates of unused weights

ENAS's TensorFlow code computes a gradient for **every** shared weight: zero for the blocks the child did not
use. Its optimizer then applies momentum to those zeros, and it adds an L2 penalty over *all* the weights, so
every weight moves at every step. `TrainerConfig(unused_weights="tf-style")` does the same here (the app's
scenario menu has it too). **Predict:** after five ω steps, which cells light up in the heatmap's *gradient*
panel, and which in its *changed value* panel?
""", key="ex3"),
    C(r"""
tf_config = wb.TrainerConfig.for_space(space, unused_weights="tf-style")
tf = wb.Trainer(space, config=tf_config, seed=SEED)
blocks0 = {b: [p.detach().clone() for _, p in ps] for b, ps in tf.supernet.block_parameters().items()}
for _ in range(5):
    tf.shared_step()
tf_counts = tf.update_counts
moved = {b: max((p - p0).abs().max().item() for (_, p), p0 in zip(ps, blocks0[b]))
         for b, ps in tf.supernet.block_parameters().items()}
no_grad = [b for b in tf_counts.blocks if tf_counts.grad[b] == 0]
with_grad = [b for b in tf_counts.blocks if tf_counts.grad[b] > 0]
display(Markdown(
«tf_style»))
wb.viz.plot_update_heatmap(tf_counts, space, lang="«lang»")
""", tf_style=r"""
    f"TF-style, after {tf_counts.steps} ω steps: {len(with_grad)} blocks got a gradient, "
    f"{len(no_grad)} never did, and yet **{sum(tf_counts.changed[b] > 0 for b in no_grad)} of those "
    f"{len(no_grad)}** changed value. They moved by at most {max(moved[b] for b in no_grad):.1e} per "
    f"weight, the blocks with a gradient by up to {max(moved[b] for b in with_grad):.1e}."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

The *gradient* panel looks as before: only the blocks on the sampled paths got a real gradient. The *changed
value* panel lights up in **every** weighted cell, from the first step on. Two things move a block that no
child used: weight decay adds $\lambda w$ to its zero gradient, so every weight shrinks a little at every step;
and momentum keeps moving a block for several steps after it was last used, since its velocity decays only by
0.9 per step. Each move is tiny compared with a real gradient step, but over thousands of steps the weights of
rarely sampled ops drift towards zero. So "unsampled weights stay unchanged" is true of this workbench's
default (`"frozen"`) because PyTorch skips parameters whose gradient is `None`; it is not true of ENAS's own
code.
</details>

### Exercise 4: one θ step

Press **Step θ** once (or run the next cell). **Predict:** which probabilities in the *controller* view will
move, and in which direction? Compare with the sign of the advantage in the narration above the views.
""", key="ex4"),
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
trained, so expect rewards not far from chance (0.1 for ten classes) and small, noisy changes. The ω weights did not
change at all in this step.
</details>

### Exercise 5: sampling is not training

Press **Sample child** a few times. Does the step counter move? Does any weight change? Then press
**Alternate** three times (or run the next cell) and read the *collapse check*: is the controller healthy?
""", key="ex5"),
    C(r"""
for _ in range(3):
    app.alternate()
report = wb.viz.collapse_report(app.trainer.history, lang="«lang»")
display(Markdown(«collapse_says» + «reason_sep».join(report.reasons) + «full_stop»))
""", collapse_says=r"""
f"After {len(app.trainer.history)} steps the collapse check says "
                 f"**{report.verdict_text}**: "
""",
      reason_sep='"; "',
      full_stop='"."'),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Sampling only draws a child from $P(m;\theta)$: no loss, no gradient, no step, so nothing changes and the counter
stays. If the check says *healthy*, the policy has kept most of its uncertainty (its entropy): with ENAS's
defaults the controller learns slowly. If it warns, read which check fired. Notebook 02 breaks the controller
on purpose to show what a real collapse looks like.
</details>

## Summary

* A supernet holds a weight block per (node, input, op); a child is one path and uses only the blocks on it.
* One ω step on the supernet costs about what the child's own step costs: the saving of ENAS is one training run
  amortised over every child, which works because children share blocks, and only partly (a block trained in
  one child transfers imperfectly to another).
* Blocks off the path stay exactly as they were only because PyTorch skips parameters without a gradient;
  ENAS's TensorFlow code (`unused_weights="tf-style"`) moves every weight through momentum and weight decay.
* REINFORCE: $\nabla J = \mathbb{E}[R\,\nabla\log P]$ (the log-derivative trick); a baseline leaves it
  unbiased because $\mathbb{E}[\nabla\log P] = 0$, and makes it far less noisy.
""", key="summary"),
    glossary.cell(["supernet", "child", "shared_weights", "weight_block", "controller", "omega_step", "theta_step",
                   "reward", "baseline", "advantage", "reinforce", "entropy", "unused_weights", "proxy"]),
    M(r"""
**Next:** `02_controller_collapse.ipynb` makes a controller collapse and repairs it.
""", key="next"),
]
# fmt: on
