"""Notebook 04, the ENAS macro CNN space on 8x8 handwritten digits: its cells.

Regenerate (from the repository root):  python -m notebooks.generator

Owns: the lesson's markdown and code cells (English only: no twin, so no «name» strings).
Must not: compute anything a library function should (it belongs in workbench/), or quote a number
in prose that a code cell does not print.
"""

from __future__ import annotations

from .cells import C, M

CELLS = [
    M(r"""
# The ENAS macro space on handwritten digits

The ENAS paper searches a whole convolutional network, layer by layer: the **macro space**. Here we run it on
real handwritten digits (scikit-learn's 8×8 images, 10 classes), small enough for a laptop CPU: a 6-layer network
with 8 channels instead of the paper's 12 layers on CIFAR-10. On the way: the six ops, skip connections and the
penalty that keeps them in check, how fast the space grows, the controller's skip rate over time, and the child
it picks against random children. About a minute and a half on a laptop CPU.
"""),
    C(r"""
import pandas as pd
import plotly.express as px
import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # the networks here are tiny: one CPU thread is the fastest
data = wb.data.digits("image")  # 8x8 grey images, fixed train / val / test splits
X, y = data.split("train")
n_val, n_test = len(data.split("val")[1]), len(data.split("test")[1])
display(Markdown(f"{len(y):,} training, {n_val:,} validation and {n_test:,} test images "
                 f"of shape {tuple(X.shape[1:])} (channels, height, width). The first ten:"))
fig = px.imshow(X[:10, 0], facet_col=0, color_continuous_scale="gray_r", height=160)
fig.update_layout(margin=dict(l=0, r=0, t=30, b=0))

for i, a in enumerate(fig.layout.annotations):
    a.text = f"label {int(y[i])}"
fig.update_xaxes(visible=False).update_yaxes(visible=False).update_coloraxes(showscale=False)
"""),
    M(r"""
## 1. Six ops and the skip connections

Layer $i$ takes the output of layer $i-1$ and applies one of **six ops**: a 3×3 or 5×5 convolution, a 3×3 or 5×5
depthwise-separable convolution (cheaper: one filter per channel, then a 1×1 mix), or a 3×3 max or average pool
(no weights). Then, for **every earlier layer** $j < i$, it decides whether to add $j$'s output as a **skip
connection**; the op's output and the chosen skips are averaged. The resolution halves after layers $L/3$ and
$2L/3$. So layer $i$ makes $1 + (i-1)$ decisions.
"""),
    C(r"""
space = wb.spaces.get("enas-macro", num_layers=6, channels=8)
net = wb.Supernet(space, data.input_shape, data.num_classes)
size = {b: sum(p.numel() for _, p in ps) for b, ps in net.block_parameters().items()}
pd.DataFrame({op: {"weights in layer 1": size.get(f"layer1/{op}", 0)} for op in space.ops}).T
"""),
    C(r"""
n_skip = sum(d.kind == "skip" for d in space.decisions)
arch = space.random(torch.Generator().manual_seed(0))
display(Markdown(f"With $L = {space.num_layers}$ layers: {space.num_layers} op decisions and "
                 f"{n_skip} skip decisions. A random child inside the supernet "
                 f"(dotted: its skip connections):"))
wb.viz.plot_arch(space, arch)
"""),
    M(r"""
## 2. How big is the space?

Each of the $L$ layers picks one of 6 ops, and each of the $\binom{L}{2} = L(L-1)/2$ pairs of layers has a skip
or not:

$$|\mathcal{A}_L| \;=\; 6^{L}\cdot 2^{L(L-1)/2}.$$
"""),
    C(r"""
def sci(n, digits=1):
    # n for LaTeX: 1,728 or 1.6 \times 10^{29}
    if n < 1e5:
        return f"{n:,}"
    mantissa, exponent = f"{n:.{digits}e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


sizes = {L: wb.spaces.get("enas-macro", num_layers=L).size() for L in range(1, 13)}
years = sizes[12] / 1e6 / (3600 * 24 * 365.25)  # at a million children a second
header = "| layers $L$ | " + " | ".join(str(L) for L in sizes) + " |"
rule = "|---" * (len(sizes) + 1) + "|"
cells = "| children | " + " | ".join(f"${sci(n)}$" for n in sizes.values()) + " |"
display(Markdown(
    f"{header}\n{rule}\n{cells}\n\n"
    f"At the paper's $L = 12$: **${sci(sizes[12])}$** children. Scoring a million of them "
    f"per second, trying them all would take ${sci(years)}$ years, about "
    f"${sci(years / 1.38e10, 0)}$ times the age of the universe. "
    f"Our {space.num_layers}-layer space has {space.size():,}."))
"""),
    M(r"""
## 3. Search, with and without the skip penalty

Skip connections make short paths through the network, which train fast: early on, the shared weights reward
them, and a controller piles them up. ENAS adds a penalty to the controller's loss, the KL divergence between the
skip probability $q$ of each skip decision and a target rate $\rho$:

$$L_{\text{controller}} \mathrel{+}= \lambda\;
\overline{\mathrm{KL}\big(\mathrm{Bern}(q)\,\|\,\mathrm{Bern}(\rho)\big)}.$$

We run the same search twice, with ENAS's $\lambda$ and with $\lambda = 0$. Smaller than ENAS to fit a CPU: a
minibatch of 32 (34 ω steps an epoch), 10 θ steps of 5 children each per epoch, and faster learning rates for
ω and θ.
"""),
    C(r"""
EPOCHS = 12
config = wb.TrainerConfig.for_space(space, batch_size=32, controller_steps=10,
                                    controller_aggregate=5, controller_lr=3e-3, shared_lr=0.1)
display(Markdown(f"Skip target $\\rho = {config.skip_target}$, "
                 f"ENAS's weight $\\lambda = {config.skip_weight}$."))
runs = {}
for weight in (config.skip_weight, 0.0):
    run_config = config.replace(skip_weight=weight)
    runs[weight] = wb.Trainer(space, data=data, config=run_config, seed=0)
    runs[weight].run(epochs=EPOCHS)
trainer = runs[config.skip_weight]
"""),
    C(r"""
wb.viz.plot_skip_rate({f"λ = {w}": t.history for w, t in runs.items()}, target=config.skip_target,
                      title="Share of skip connections among the children sampled at each θ step")
"""),
    C(r"""
late = {w: wb.viz.mean_skip_rate(t.history, last_k=10) for w, t in runs.items()}
first = trainer.history.controller()[0].skip_rate
display(Markdown(
    f"The first θ step sampled {first:.0%} skips. Over the last 10 θ steps: "
    f"**{late[config.skip_weight]:.0%}** with the penalty "
    f"(λ = {config.skip_weight}), **{late[0.0]:.0%}** without it. "
    f"The target is {config.skip_target:.0%}."))
"""),
    M(r"""
The controller's policy (with the penalty) along its most likely child, and what one more θ step changes:
"""),
    C(r"""
favourite = trainer.controller.most_likely()
before = trainer.controller.distributions(favourite)
trainer.controller_step()
wb.viz.plot_policy(trainer.controller, favourite, previous=before)
"""),
    M(r"""
## 4. The child it picks, against random children

ENAS ends its search like this: sample children from the trained policy, score each with the shared weights on
validation data, keep the best, and train it from scratch. We do the same with 20 children from the policy, and
score 20 uniformly random children the same way.

One detail, BatchNorm: a supernet's running averages mix the statistics of every child trained so far. So the
rewards and `trainer.evaluate` both normalise each batch with its own statistics by default (`bn="batch"`);
`trainer.evaluate(arch, bn="running")` would use the running averages instead.
"""),
    C(r"""
gen = torch.Generator().manual_seed(1)
policy = [trainer.controller.sample(gen).arch for _ in range(20)]
uniform = [space.random(gen) for _ in range(20)]
scores = pd.DataFrame([{"from": who, "arch": str(a), "shared val acc": trainer.evaluate(a)}
                       for who, archs in (("policy", policy), ("random", uniform))
                       for a in archs])
px.strip(scores, x="from", y="shared val acc", hover_data=["arch"], height=380,
         title="20 children from the policy, 20 random ones: accuracy with the shared weights")
"""),
    C(r"""
means = scores.groupby("from")["shared val acc"].mean()
best = scores.loc[scores.groupby("from")["shared val acc"].idxmax()].set_index("from")
pick = space.parse(best.loc["policy", "arch"])
display(Markdown(
    f"Mean accuracy with the shared weights: **{means['policy']:.3f}** for the policy's "
    f"children, **{means['random']:.3f}** for random ones. ENAS's pick (the best of the "
    f"policy's 20) scores {best.loc['policy', 'shared val acc']:.3f}: `{pick}`. "
    f"The best random child scores {best.loc['random', 'shared val acc']:.3f}."))
"""),
    M(r"""
## 5. The truth: train them alone

Shared-weight accuracy is a proxy. The real test is to train each child **from scratch** (its own fresh weights,
Adam, a fixed number of epochs) and measure it on the **test** split, which the search never saw. We do that for
ENAS's pick, the best random child, and two more random ones.
"""),
    C(r"""
PICK = "ENAS's pick"
contenders = {PICK: pick, "best random": space.parse(best.loc["random", "arch"]),
              "random #1": uniform[0], "random #2": uniform[1]}
alone = {name: wb.groundtruth.train_standalone(space, a, data=data, seed=0)
         for name, a in contenders.items()}
shared = {name: trainer.evaluate(a) for name, a in contenders.items()}
pd.DataFrame({name: {"shared val acc": round(shared[name], 3),
                     "stand-alone test acc": round(r.test_accuracy, 3),
                     "parameters": r.params, "seconds to train": round(r.seconds, 1),
                     "arch": r.arch}
              for name, r in alone.items()}).T
"""),
    C(r"""
ranked = sorted(alone, key=lambda n: -alone[n].test_accuracy)
alone_acc = [r.test_accuracy for r in alone.values()]
spread_alone = max(alone_acc) - min(alone_acc)
spread_shared = max(shared.values()) - min(shared.values())
display(Markdown(
    f"Trained alone, {PICK} reaches **{alone[PICK].test_accuracy:.3f}** test accuracy and "
    f"finishes **#{ranked.index(PICK) + 1} of {len(ranked)}**: "
    + ", ".join(f"{n} {alone[n].test_accuracy:.3f}" for n in ranked)
    + f". Trained alone, the four lie within {spread_alone:.3f} of each other; with the shared "
      f"weights the same four spread over {spread_shared:.3f}"
    + (": the shared weights exaggerate the differences. " if spread_shared > spread_alone
       else ". ")
    + "How faithfully shared weights *rank* children is the subject of notebook 03."))
"""),
    M(r"""
## Try it

* Set `num_layers=12` (the paper's depth) and `EPOCHS = 2`: how long does an epoch take now, and why?
* Run the search with `skip_target=0.1`: what does the controller do with the skips, and does the pick change?
* Compare `controller_lr=1e-3` (ENAS's) with the 3e-3 used here: how far does the policy move in 12 epochs?
"""),
]
