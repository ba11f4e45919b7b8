"""Notebook 04, the ENAS macro CNN space on 8x8 handwritten digits: its cells, in English, one code source for both.

Regenerate (from the repository root):  python -m notebooks.generator
Writes 04_enas_macro.ipynb and, with nb04_macro_zh's translation, its Chinese twin.

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
# The ENAS macro space on handwritten digits

The ENAS paper searches a whole convolutional network, layer by layer: the **macro space**. Here we run it on
real handwritten digits (scikit-learn's 8×8 images, 10 classes), small enough for a laptop CPU: a 6-layer network
with 8 channels instead of the paper's 12 layers on CIFAR-10. On the way: the six ops, skip connections and the
penalty that keeps them in check, how fast the space grows, the controller's skip rate over time, and the child
it picks against random children. About a minute and a half on a laptop CPU.
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


data = wb.data.digits("image")  # «digits»
X, y = data.split("train")
n_val, n_test = len(data.split("val")[1]), len(data.split("test")[1])
display(Markdown(«data_story»))
fig = px.imshow(X[:10, 0], facet_col=0, color_continuous_scale="gray_r", height=190)
for i, a in enumerate(fig.layout.annotations):
    a.text = «label» + f" {int(y[i])}"
projector(fig).update_layout(margin=dict(l=0, r=0, t=40, b=0))
fig.update_xaxes(visible=False).update_yaxes(visible=False).update_coloraxes(showscale=False)
""", threads="the networks here are tiny: one CPU thread is the fastest",
      seed="change it and run everything again: which conclusions survive?",
      colors="colour-blind safe, one colour per group",
      projector="the workbench's look: large fonts for a projector, white background",
      digits="8x8 grey images, fixed train / val / test splits",
      data_story=r"""
f"{len(y):,} training, {n_val:,} validation and {n_test:,} test images "
                 f"of shape {tuple(X.shape[1:])} (channels, height, width). The first ten:"
""", label='"label"'),
    M(r"""
## 1. Six ops and the skip connections

Layer $i$ takes the output of layer $i-1$ and applies one of **six branches**, each starting with a 1×1
convolution (then BatchNorm and ReLU): a 3×3 or 5×5 convolution, a 3×3 or 5×5 depthwise-separable convolution
(cheaper: one $k\times k$ filter per channel, then a 1×1 mix), or a 3×3 max or average pool. Then, for **every
earlier output except its own input** (the stem, called layer 0, and layers $1,\dots,i-2$), it decides whether to
add that output as a **skip connection**; from layer 2 on, the branch output and the chosen skips are summed and
batch-normalised. After layers $\lfloor L/3\rfloor$ and $2\lfloor L/3\rfloor$ a factorized reduction halves the
resolution. So layer $i$ makes $1 + (i-1)$ decisions: one op and $i-1$ skips. This is the branch layout of ENAS's
released search code.

**Predict:** which branch has the most weights in layer 1, and how many times as many as the 3×3 convolution?
""", key="ops"),
    C(r"""
space = wb.spaces.get("enas-macro", num_layers=6, channels=8)
net = wb.Supernet(space, data.input_shape, data.num_classes)
size = {b: sum(p.numel() for _, p in ps) for b, ps in net.block_parameters().items()}
pd.DataFrame({op: {«weights_col»: size.get(f"layer1/{op}", 0)} for op in space.ops}).T
""", weights_col='"weights in layer 1"'),
    C(r"""
n_skip = sum(d.kind == "skip" for d in space.decisions)
arch = space.random(torch.Generator().manual_seed(SEED))
display(Markdown(«layers_story»))
wb.viz.plot_arch(space, arch, lang="«lang»")
""", layers_story=r"""
f"With $L = {space.num_layers}$ layers: {space.num_layers} op decisions and "
                 f"{n_skip} skip decisions. A random child inside the supernet "
                 f"(dotted: its skip connections):"
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

The 5×5 convolution. With $C$ channels every branch starts with a 1×1 convolution ($C^2$ weights); a $k\times k$
convolution adds $k^2C^2$, so $(1+25)\,C^2$ against $(1+9)\,C^2$ for 3×3: about 2.6 times as many (both also have
$4C$ BatchNorm parameters; the table has the exact counts). A separable convolution needs, after its leading
1×1, only $k^2 C$ for its depthwise filters plus $C^2$ for the 1×1 mix; a pool has nothing but its 1×1
convolution.
</details>

## 2. How big is the space?

Each of the $L$ layers picks one of 6 ops, and layer $i$ has $i-1$ skip decisions, yes or no:
$\sum_i (i-1) = \binom{L}{2} = L(L-1)/2$ in all, so

$$|\mathcal{A}_L| \;=\; 6^{L}\cdot 2^{L(L-1)/2}.$$
""", key="size"),
    C(r"""
def sci(n, digits=1):
    # «sci»
    if n < 1e5:
        return f"{n:,}"
    mantissa, exponent = f"{n:.{digits}e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


sizes = {L: wb.spaces.get("enas-macro", num_layers=L).size() for L in range(1, 13)}
years = sizes[12] / 1e6 / (3600 * 24 * 365.25)  # «years»
header = «layers_head» + " | ".join(str(L) for L in sizes) + " |"
rule = "|---" * (len(sizes) + 1) + "|"
cells = «children_head» + " | ".join(f"${sci(n)}$" for n in sizes.values()) + " |"
display(Markdown(f"{header}\n{rule}\n{cells}\n\n" + «size_story»))
""", sci=r"n for LaTeX: 1,728 or 1.6 \times 10^{29}", years="at a million children a second",
      layers_head='"| layers $L$ | "', children_head='"| children | "',
      size_story=r"""
    f"At the paper's $L = 12$: **${sci(sizes[12])}$** children. Scoring a million of them "
    f"per second, trying them all would take ${sci(years)}$ years, about "
    f"${sci(years / 1.38e10, 0)}$ times the age of the universe. "
    f"Our {space.num_layers}-layer space has {space.size():,}."
"""),
    M(r"""
## 3. Search, with and without the skip penalty

Skip connections make short paths through the network, which train fast: if the shared weights reward them
early on, a controller can pile them up. ENAS adds a penalty to the controller's loss, the KL divergence between the
skip probability $q$ of each skip decision and a target rate $\rho$, summed over a layer's skip decisions and
averaged over the layers:

$$L_{\text{controller}} \mathrel{+}= \lambda\;\frac{1}{|\text{layers}|}\sum_{\text{layers}}\;
\sum_{\text{skips of the layer}}\mathrm{KL}\big(\mathrm{Bern}(q)\,\|\,\mathrm{Bern}(\rho)\big),\qquad
\mathrm{KL}\big(\mathrm{Bern}(q)\,\|\,\mathrm{Bern}(\rho)\big) = q\log\frac{q}{\rho} + (1-q)\log\frac{1-q}{1-\rho}.$$

### Exercise 1: one KL by hand

A skip decision with $q = 0.8$ and the target $\rho = 0.4$: compute its KL term (natural logarithms), then run
the cell, which asks the workbench.
""", key="penalty"),
    C(r"""
kl = wb.reinforce.skip_kl(torch.tensor([0.8]), 0.4).item()
display(Markdown(«kl_story»))
""", kl_story='f"`wb.reinforce.skip_kl`: KL(Bern(0.8) ‖ Bern(0.4)) = **{kl:.3f}** nats."'),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

$0.8\ln(0.8/0.4) + 0.2\ln(0.2/0.6) = 0.8 \cdot 0.693 - 0.2 \cdot 1.099 \approx 0.555 - 0.220 = 0.335$ nats. The KL
is 0 only at $q = \rho$ and grows on both sides, so the penalty pulls a skip probability towards the target from
above *and* from below.
</details>

We run the same search twice, with ENAS's $\lambda$ and with $\lambda = 0$. Smaller than ENAS to fit a CPU: a
minibatch of 32, 10 θ steps of 5 children each per epoch, and faster learning rates for
ω and θ. **Predict:** where will the skip rate end, with and without the penalty?
""", key="runs"),
    C(r"""
EPOCHS = 12
config = wb.TrainerConfig.for_space(space, batch_size=32, controller_steps=10,
                                    controller_aggregate=5, controller_lr=3e-3, shared_lr=0.1)
runs = {}
for weight in (config.skip_weight, 0.0):
    run_config = config.replace(skip_weight=weight)
    runs[weight] = wb.Trainer(space, data=data, config=run_config, seed=SEED)
    runs[weight].run(epochs=EPOCHS)
trainer = runs[config.skip_weight]
display(Markdown(
«config_story»))
""", config_story=r"""
    f"A minibatch of {config.batch_size}: {trainer.steps_per_epoch} ω steps an epoch, {EPOCHS} epochs. "
    f"Skip target $\\rho = {config.skip_target}$, ENAS's weight $\\lambda = {config.skip_weight}$. "
    + (f"ω's learning rate follows ENAS's cosine schedule: from {config.shared_lr:g} down to "
       f"{config.shared_lr_min:g} over {config.shared_lr_t0} epochs, then a restart."
       if config.shared_lr_schedule == "cosine" else f"ω's learning rate: {config.shared_lr:g}, constant.")
"""),
    C(r"""
wb.viz.plot_skip_rate({f"λ = {w}": t.history for w, t in runs.items()}, target=config.skip_target,
                      title=«skip_title», lang="«lang»")
""", skip_title='"Share of skip connections among the children sampled at each θ step"'),
    C(r"""
late = {w: wb.viz.mean_skip_rate(t.history, last_k=10) for w, t in runs.items()}
first = trainer.history.controller()[0].skip_rate
display(Markdown(
«skip_story»))
""", skip_story=r"""
    f"The first θ step sampled {first:.0%} skips. Over the last 10 θ steps: "
    f"**{late[config.skip_weight]:.0%}** with the penalty "
    f"(λ = {config.skip_weight}), **{late[0.0]:.0%}** without it. "
    f"The target is {config.skip_target:.0%}."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

The line above gives this run's numbers. With the penalty the rate is pulled towards the target; without it the
rate follows what the shared weights reward, which early on often means more skips. One seed and 12 epochs are
little evidence: change `SEED` and compare.
</details>

The controller's policy (with the penalty) along its most likely child, and what one more θ step changes:
""", key="policy"),
    C(r"""
favourite = trainer.controller.most_likely()
before = trainer.controller.distributions(favourite)
trainer.controller_step()
wb.viz.plot_policy(trainer.controller, favourite, previous=before, lang="«lang»")
"""),
    M(r"""
## 4. The child it picks, against random children

ENAS ends its search like this: sample children from the trained policy, score each with the shared weights on
a validation minibatch, keep the best, and train it from scratch. `trainer.derive(n=20)` does exactly that with 20
children of the policy, all scored on the same minibatch. We also score those 20 and 20 uniformly random children
on the whole validation split.

One detail, BatchNorm: a supernet's running averages mix the statistics of every child trained so far. So the
rewards and `trainer.evaluate` both normalise each batch with its own statistics by default (`bn="batch"`);
`trainer.evaluate(arch, bn="running")` would use the running averages instead.
""", key="pick"),
    C(r"""
derived = trainer.derive(n=20)  # «derive»
pick = derived.arch
gen = torch.Generator().manual_seed(SEED + 1)
uniform = [space.random(gen) for _ in range(20)]
FROM, ARCH, ACC = «pick_columns»
POLICY, RANDOM = «pick_groups»
scores = pd.DataFrame([{FROM: who, ARCH: str(a), ACC: trainer.evaluate(a)}
                       for who, archs in ((POLICY, derived.archs), (RANDOM, uniform)) for a in archs])
projector(px.strip(scores, x=FROM, y=ACC, color=FROM, hover_data=[ARCH], height=380,
                   color_discrete_sequence=COLORS, title=«strip_title»)).update_layout(showlegend=False)
""", derive="the best of 20 children of the policy, each scored on the same validation minibatch",
      pick_columns='("from", "arch", "shared val acc")', pick_groups='("policy", "random")',
      strip_title='"20 children from the policy, 20 random ones: accuracy with the shared weights"'),
    C(r"""
means = scores.groupby(FROM)[ACC].mean()
best = scores.loc[scores.groupby(FROM)[ACC].idxmax()].set_index(FROM)
display(Markdown(
«pick_story»))
""", pick_story=r"""
    f"Mean accuracy with the shared weights on the whole validation split: **{means[POLICY]:.3f}** for the "
    f"policy's children, **{means[RANDOM]:.3f}** for random ones. ENAS's pick, the best of the policy's 20 "
    f"on one minibatch of {derived.batch_size} ({derived.accuracy:.3f} there), scores "
    f"{trainer.evaluate(pick):.3f} on the whole split: `{pick}`. The best random child scores "
    f"{best.loc[RANDOM, ACC]:.3f}."
"""),
    M(r"""
## 5. The truth: train them alone

Shared-weight accuracy is a proxy. The real test is to train each child **from scratch** (its own fresh weights,
Adam, a fixed number of epochs) and measure it on the **test** split, which the search never saw. We do that for
ENAS's pick, the best random child, and two more random ones. **Predict:** will ENAS's pick still come first?
""", key="truth"),
    C(r"""
PICK, BEST_RANDOM, RANDOM_1, RANDOM_2 = «contender_names»
contenders = {PICK: pick, BEST_RANDOM: space.parse(best.loc[RANDOM, ARCH]),
              RANDOM_1: uniform[0], RANDOM_2: uniform[1]}
alone = {name: wb.groundtruth.train_standalone(space, a, data=data, seed=SEED)
         for name, a in contenders.items()}
shared = {name: trainer.evaluate(a) for name, a in contenders.items()}
SHARED_COL, TEST_COL, PARAMS_COL, SECONDS_COL, ARCH_COL = «truth_columns»
pd.DataFrame({name: {SHARED_COL: round(shared[name], 3), TEST_COL: round(r.test_accuracy, 3),
                     PARAMS_COL: r.params, SECONDS_COL: round(r.seconds, 1), ARCH_COL: r.arch}
              for name, r in alone.items()}).T
""", contender_names='("ENAS\'s pick", "best random", "random #1", "random #2")',
      truth_columns='("shared val acc", "stand-alone test acc", "parameters", "seconds to train", "arch")'),
    C(r"""
ranked = sorted(alone, key=lambda n: -alone[n].test_accuracy)
alone_acc = [r.test_accuracy for r in alone.values()]
spread_alone = max(alone_acc) - min(alone_acc)
spread_shared = max(shared.values()) - min(shared.values())
display(Markdown(
«truth_story»))
""", truth_story=r"""
    f"Trained alone, {PICK} reaches **{alone[PICK].test_accuracy:.3f}** test accuracy and "
    f"finishes **#{ranked.index(PICK) + 1} of {len(ranked)}**: "
    + ", ".join(f"{n} {alone[n].test_accuracy:.3f}" for n in ranked)
    + f". Trained alone, the four lie within {spread_alone:.3f} of each other; with the shared "
      f"weights the same four spread over {spread_shared:.3f}"
    + (": the shared weights exaggerate the differences. " if spread_shared > spread_alone
       else ". ")
    + "How faithfully shared weights *rank* children is the subject of notebook 03."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

The line above says where it finished in this run. Four children and one seed cannot establish that ENAS picks
well: a pick can win here by luck, and lose with another `SEED`. Notebook 03 does the comparison properly, over
every child of a smaller space and against random search at equal compute.
</details>

**Self-check.** Why would `bn="running"` be the wrong way to score a child with the shared weights, but the
right way to score a child trained alone?

<details><summary><b>Answer</b> (click)</summary>

A supernet's running averages were accumulated over the activations of every child trained so far, so they
describe none of them; normalising each batch with its own statistics gives each child the statistics of its own
activations. A child trained alone accumulated running averages of its own activations only, which describe it.
</details>

## Exercises

1. Set `num_layers=12` (the paper's depth) and `EPOCHS = 2`: how long does an epoch take now, and why?
2. Run the search with `skip_target=0.1`: what does the controller do with the skips, and does the pick change?
3. Compare `controller_lr=1e-3` (ENAS's) with the 3e-3 used here: how far does the policy move in 12 epochs?

<details><summary><b>Answers</b> (click)</summary>

1. Much longer: a child has twice the layers, the layers have more skip inputs to add, and the controller makes
   78 decisions instead of 21 per sample; the supernet holds 12 layers × 6 branches. Time it with
   `time.perf_counter()` around `run`.
2. The penalty now pulls the skip probabilities towards 10%, so the sampled children have few skips, and the
   pick is a mostly plain chain; whether it is better trained alone, only section 5 can tell.
3. Adam's steps scale with the learning rate, so with 1e-3 the logits move about a third as far in the same
   steps: expect the policy to stay closer to uniform and its children to look more like random ones. Check
   with `wb.viz.plot_policy` and the section 4 strip plot.
</details>

## Summary

* The macro space picks an op per layer and a skip per pair of layers: $6^L\cdot 2^{L(L-1)/2}$ children.
* The skip penalty is a KL between each skip's probability and a target, summed over a layer and averaged
  over layers; it pulls the skip rate towards the target from both sides.
* Children are scored with BatchNorm batch statistics on the shared weights; a pick must be trained alone to
  know what it is worth.
""", key="summary"),
    glossary.cell(["supernet", "child", "controller", "skip", "batchnorm", "standalone", "proxy"]),
]
# fmt: on
