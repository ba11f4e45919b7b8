"""Writes the teaching notebooks 01-04 (without outputs) from the cells below: `python notebooks/_build.py`.

Each notebook is a list of cells; a cell is markdown or code, in English and (for 01) Chinese.
Edit the cells here, run this script, and commit the .ipynb files it writes. Numbers quoted in a
notebook's prose are printed by its code cells, never typed in here.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent


def M(en: str, zh: str | None = None) -> tuple:
    """A markdown cell (English, and Chinese where the notebook has a Chinese twin)."""
    return ("markdown", en.strip("\n"), (zh if zh is not None else en).strip("\n"))


def C(en: str, zh: str | None = None) -> tuple:
    """A code cell; `zh` when its printed sentences differ in the Chinese twin."""
    return ("code", en.strip("\n"), (zh if zh is not None else en).strip("\n"))


def _unwrap(text: str) -> str:
    """Join the hard-wrapped lines of plain Chinese paragraphs: Markdown would render each line
    break as a space, which Chinese text does not have. Formulas, lists and HTML stay as written."""
    paragraphs = []
    for p in text.split("\n\n"):
        lines = p.split("\n")
        plain = not any(line.lstrip().startswith(("$$", "<", "* ", "- ", "#", "|", "```")) for line in lines)
        paragraphs.append("".join(line.strip() for line in lines) if plain else p)
    return "\n\n".join(paragraphs)


def write(name: str, cells: list[tuple], lang: str = "en") -> Path:
    """Write `cells` in `lang` as notebooks/NAME, without outputs."""
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for kind, en, zh in cells:
        src = en if lang == "en" else _unwrap(zh) if kind == "markdown" else zh
        nb.cells.append(new_markdown_cell(src) if kind == "markdown" else new_code_cell(src))
    for i, cell in enumerate(nb.cells):  # stable ids: rebuilding an unchanged notebook changes nothing
        cell["id"] = f"c{i:02d}"
    path = HERE / name
    nbformat.write(nb, path)
    return path


# ---------------------------------------------------------------------------------------------
# 01: a tour of weight sharing (English and Chinese)
# ---------------------------------------------------------------------------------------------
NB01 = [
    M(r"""
# A tour of weight sharing

ENAS (Pham et al., 2018) searches for a good network architecture by training **one** big network, the
*supernet*, and letting every candidate architecture borrow its weights. This notebook builds the idea up
in five short steps: the supernet, a child, why sharing saves time, the two losses, and then an app in
which you step through the search yourself.

Run the cells from top to bottom with **Shift+Enter**; the whole notebook takes about a minute on a laptop CPU.
""", r"""
# 权重共享之旅

ENAS（Pham 等，2018）搜索网络结构的办法是：只训练**一个**大网络——*超网络*，让每个候选结构都借用它的权重。
本笔记本分五小步讲清这个想法：超网络、子模型、共享为什么省时间、两个损失函数，最后在一个小应用里亲手一步步执行搜索。

用 **Shift+Enter** 从上到下依次运行各单元；整个笔记本在笔记本电脑的 CPU 上大约一分钟跑完。
"""),
    C(r"""
import time

import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # the networks here are tiny: one CPU thread is the fastest
trainer = wb.Trainer("teaching", seed=0)  # MNIST-1D data, the supernet, the ENAS controller
space, net = trainer.space, trainer.supernet
space
""", r"""
import time

import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # 这里的网络很小：单线程最快
trainer = wb.Trainer("teaching", seed=0)  # MNIST-1D 数据、超网络、ENAS 控制器
space, net = trainer.space, trainer.supernet
space
"""),
    M(r"""
## 1. The supernet: every candidate at once

The *teaching space* is a small cell for **MNIST-1D** (signals of 40 numbers, 10 classes). A `stem` layer maps
the input to 32 features. Then each of 4 nodes makes two decisions: **which earlier node to read** (the stem
or an earlier node), and **which op to apply**: `relu`, `tanh` or `sigmoid` (a linear layer followed by that
activation) or `identity` (no weights). The nodes nobody reads are averaged and fed to a linear `classifier`.
""", r"""
## 1. 超网络：所有候选一次到位

*教学搜索空间*是一个用于 **MNIST-1D**（长度为 40 的一维信号，10 个类别）的小单元。`stem` 层把输入映射为 32 个特征；
之后 4 个节点各做两个决定：**读哪个前面的节点**（stem 或更早的节点），以及**用哪个操作**：`relu`、`tanh`、`sigmoid`
（一个线性层再接对应的激活函数）或 `identity`（没有权重）。没有被别的节点读取的节点取平均后送入线性分类器 `classifier`。
"""),
    C(r"""
for d in space.decisions:
    print(f"{d.name:12} {' | '.join(d.options)}")
"""),
    M(r"""
The supernet holds a weight block for **every** (node, input, op) that any child might use, all at the same
time. The heatmap below has one cell per weight block (rows: a node and the input it reads; columns: the op).
Every cell is 0: nothing has been trained yet.
""", r"""
超网络为任何子模型可能用到的**每一个**（节点，输入，操作）组合都准备了一个权重块，而且同时存在。
下面的热力图每个格子就是一个权重块（行：节点及其读取的输入；列：操作）。现在每格都是 0：还没有训练过。
"""),
    C(r"""
n_params = sum(p.numel() for p in net.parameters())
display(Markdown(
    f"The supernet has **{len(net.block_names)} weight blocks** holding **{n_params:,} "
    f"parameters**: the stem, the classifier, and one block per node, input and weighted op."))
wb.viz.plot_update_heatmap(trainer.update_counts, space)
""", r"""
n_params = sum(p.numel() for p in net.parameters())
display(Markdown(
    f"超网络共有 **{len(net.block_names)} 个权重块**，合计 **{n_params:,} 个参数**："
    f"stem、classifier，以及每个（节点，输入，带权重的操作）各一个块。"))
wb.viz.plot_update_heatmap(trainer.update_counts, space)
"""),
    M(r"""
## 2. A child: one path through the supernet

A *child* answers every decision once. Its text form reads like the network it is. In the drawing, **grey is
the whole supernet**: every arc is one way a node could read its input, and the four small squares under each
node are its candidate ops. The **coloured path is the child**.
""", r"""
## 2. 子模型：超网络里的一条路径

*子模型*对每个决定各给出一个答案，它的文字形式读起来就像网络本身。图中**灰色是整个超网络**：每条弧线是某个节点读取输入的一种可能，
每个节点下方的四个小方块是它的候选操作。**彩色路径就是这个子模型**。
"""),
    C(r"""
arch = space.parse("node1=relu(stem) node2=tanh(node1) "
                   "node3=identity(stem) node4=sigmoid(node2)")
print(arch)
print("choice indices:", arch.choices)
wb.viz.plot_arch(space, arch)
""", r"""
arch = space.parse("node1=relu(stem) node2=tanh(node1) "
                   "node3=identity(stem) node4=sigmoid(node2)")
print(arch)
print("选择的下标：", arch.choices)
wb.viz.plot_arch(space, arch)
"""),
    M(r"""
The child uses only the weight blocks on its path. `net.child(arch)` copies exactly those into a stand-alone
network; it computes the same function as the supernet run along the path.
""", r"""
子模型只用到它路径上的权重块。`net.child(arch)` 把恰好这些权重复制成一个独立的网络；它和沿这条路径运行的超网络计算的是同一个函数。
"""),
    C(r"""
used = net.blocks_for(arch)
child = net.child(arch)
x, y = trainer.data.split("val")
same = torch.equal(child(x), net(x, arch))
child_params = sum(p.numel() for p in child.parameters())
blocks = ", ".join(f"`{b}`" for b in used)
display(Markdown(
    f"This child uses **{len(used)} of {len(net.block_names)}** weight blocks "
    f"({child_params:,} of {n_params:,} parameters): {blocks}. On all {len(y):,} validation "
    f"examples the stand-alone copy and the supernet path give the same outputs: **{same}**."))
""", r"""
used = net.blocks_for(arch)
child = net.child(arch)
x, y = trainer.data.split("val")
same = torch.equal(child(x), net(x, arch))
child_params = sum(p.numel() for p in child.parameters())
blocks = "、".join(f"`{b}`" for b in used)
display(Markdown(
    f"这个子模型用到 **{len(net.block_names)} 个权重块中的 {len(used)} 个**"
    f"（{n_params:,} 个参数中的 {child_params:,} 个）：{blocks}。"
    f"在全部 {len(y):,} 个验证样本上，独立副本和超网络路径的输出完全相同：**{same}**。"))
"""),
    M(r"""
How many children are there? Node $i$ can read from $i$ places (the stem or nodes $1,\dots,i-1$) and apply one
of $|\mathcal{O}|$ ops, so with $N$ nodes

$$|\mathcal{A}| \;=\; \prod_{i=1}^{N} i\,|\mathcal{O}| \;=\; N!\,|\mathcal{O}|^{N}.$$
""", r"""
一共有多少个子模型？节点 $i$ 可以从 $i$ 个地方读取输入（stem 或节点 $1,\dots,i-1$），并从 $|\mathcal{O}|$ 个操作中选一个，
所以 $N$ 个节点时

$$|\mathcal{A}| \;=\; \prod_{i=1}^{N} i\,|\mathcal{O}| \;=\; N!\,|\mathcal{O}|^{N}.$$
"""),
    C(r"""
N, n_ops = space.num_nodes, len(space.ops)
product = r" \cdot ".join(str(i * n_ops) for i in range(1, N + 1))
display(Markdown(
    f"Here $N = {N}$ and $|\\mathcal{{O}}| = {n_ops}$: ${product} = {space.size():,}$ "
    f"children, all sharing the same {n_params:,} parameters."))
""", r"""
N, n_ops = space.num_nodes, len(space.ops)
product = r" \cdot ".join(str(i * n_ops) for i in range(1, N + 1))
display(Markdown(
    f"这里 $N = {N}$，$|\\mathcal{{O}}| = {n_ops}$：${product} = {space.size():,}$ 个子模型，"
    f"全部共享同样的 {n_params:,} 个参数。"))
"""),
    M(r"""
## 3. Why sharing saves time

The arithmetic behind ENAS: to compare **1000 architectures** honestly you train each of them, so **1000
trainings**. ENAS trains **one** supernet instead, and afterwards a child's quality is read off with the shared
weights: one forward pass, no training. Let's measure both on this space, with the same number of epochs.
""", r"""
## 3. 共享为什么省时间

ENAS 背后的算术：想公平地比较 **1000 个结构**，就要把每一个都训练一遍，也就是 **1000 次训练**。ENAS 只训练**一个**超网络，
之后用共享权重读出一个子模型的好坏：只需一次前向计算，不用训练。下面在这个搜索空间上、用相同的轮数（epoch）把两者都量一量。
"""),
    C(r"""
EPOCHS = 8

solo = wb.Trainer("teaching", seed=1)  # a fresh supernet: train one child alone for one epoch
start = time.perf_counter()
for _ in range(solo.steps_per_epoch):
    solo.shared_step(arch)  # an ω step on this child only
t_child = (time.perf_counter() - start) * EPOCHS  # one child, trained alone for EPOCHS epochs

start = time.perf_counter()
trainer.run(epochs=EPOCHS, progress=False)  # ENAS: ω and θ in turn, EPOCHS epochs
t_search = time.perf_counter() - start

children = [space.random(torch.Generator().manual_seed(i)) for i in range(1000)]
start = time.perf_counter()
shared_acc = [trainer.evaluate(a) for a in children]  # 1000 children, with the shared weights
t_score = time.perf_counter() - start
""", r"""
EPOCHS = 8

solo = wb.Trainer("teaching", seed=1)  # 一个全新的超网络：单独训练一个子模型一个 epoch
start = time.perf_counter()
for _ in range(solo.steps_per_epoch):
    solo.shared_step(arch)  # 只在这个子模型上做一次 ω 更新
t_child = (time.perf_counter() - start) * EPOCHS  # 一个子模型单独训练 EPOCHS 个 epoch

start = time.perf_counter()
trainer.run(epochs=EPOCHS, progress=False)  # ENAS：ω 与 θ 交替，EPOCHS 个 epoch
t_search = time.perf_counter() - start

children = [space.random(torch.Generator().manual_seed(i)) for i in range(1000)]
start = time.perf_counter()
shared_acc = [trainer.evaluate(a) for a in children]  # 用共享权重给 1000 个子模型打分
t_score = time.perf_counter() - start
"""),
    C(r"""
display(Markdown(f'''
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
'''))
""", r"""
display(Markdown(f'''
| | 本机 CPU |
|---|---|
| 单独训练**一个**子模型 {EPOCHS} 个 epoch（实测一个 epoch，×{EPOCHS}） | {t_child:.1f} 秒 |
| 单独训练 **1000** 个子模型 | {1000 * t_child / 60:.0f} 分钟 |
| 单独训练**全部 {space.size():,}** 个子模型 | {space.size() * t_child / 3600:.1f} 小时 |
| ENAS：训练超网络（和控制器）{EPOCHS} 个 epoch | {t_search:.1f} 秒 |
| ENAS：用共享权重给 1000 个子模型打分 | {t_score:.1f} 秒 |

整个 ENAS 搜索的花费约等于单独训练 **{(t_search + t_score) / t_child:.1f} 个子模型**：\
比 1000 次独立训练少 **{1000 * t_child / (t_search + t_score):.0f} 倍**。

'''))
"""),
    M(r"""
The catch: a score read off shared weights is only a *proxy* for the accuracy the child would reach if trained
alone. How good a proxy it is, is the subject of notebook 03.
""", r"""
代价是：用共享权重读出的分数只是子模型单独训练后准确率的一个*代理指标*。这个代理有多可靠，是笔记本 03 的主题。
"""),
    M(r"""
## 4. The two losses

**Phase 1: the shared weights ω, with θ frozen.** The controller samples a child $m$. On a training minibatch
$\{(x_b, y_b)\}_{b=1}^{B}$ the loss is the mean cross-entropy

$$L_{\text{shared}}(\omega) \;=\; \frac{1}{B}\sum_{b=1}^{B} \mathrm{CE}\big(f(x_b;\,\omega_m),\; y_b\big),$$

and one SGD step moves only $\omega_m$, the blocks on $m$'s path. The other blocks are not in the computation at
all, so they get no gradient and stay exactly as they were.
""", r"""
## 4. 两个损失函数

**阶段 1：冻结 θ，训练共享权重 ω。** 控制器采样一个子模型 $m$。在训练小批量 $\{(x_b, y_b)\}_{b=1}^{B}$ 上，损失是平均交叉熵

$$L_{\text{shared}}(\omega) \;=\; \frac{1}{B}\sum_{b=1}^{B} \mathrm{CE}\big(f(x_b;\,\omega_m),\; y_b\big),$$

一次 SGD 更新只移动 $\omega_m$，即 $m$ 路径上的权重块。其余的块根本不在计算图里，因此没有梯度，保持原样、一位不差。
"""),
    C(r"""
r = trainer.shared_step()
display(Markdown(
    f"One ω step on `{r.arch}` with a minibatch of {trainer.config.batch_size}: "
    f"$L_{{shared}}$ went from **{r.loss:.3f}** to **{r.loss_after:.3f}** on that minibatch; "
    f"**{len(r.updated)} of {len(net.block_names)}** weight blocks got a gradient: "
    f"{', '.join(r.updated)}."))
""", r"""
r = trainer.shared_step()
display(Markdown(
    f"在 `{r.arch}` 上用 {trainer.config.batch_size} 个样本的小批量做一次 ω 更新："
    f"这个小批量上的 $L_{{shared}}$ 从 **{r.loss:.3f}** 降到 **{r.loss_after:.3f}**；"
    f"**{len(net.block_names)} 个权重块中只有 {len(r.updated)} 个**得到梯度："
    f"{', '.join(r.updated)}。"))
"""),
    M(r"""
**Phase 2: the controller θ, with ω frozen.** The controller is a policy $P(m;\theta)$ over children. It wants
children with a high reward $R(m)$, the child's accuracy on validation data:

$$L_{\text{controller}}(\theta) \;=\; -\,\mathbb{E}_{m\sim P(m;\theta)}\big[R(m)\big].$$

$R$ comes out of a sampled network, so it cannot be differentiated with respect to θ. REINFORCE estimates the
gradient from $K$ sampled children $m_1,\dots,m_K$:

$$\nabla_\theta L_{\text{controller}} \;\approx\; -\frac{1}{K}\sum_{k=1}^{K}\big(R(m_k)-b\big)\,\nabla_\theta \log P(m_k;\theta),
\qquad b \leftarrow \gamma\, b + (1-\gamma)\, R .$$

The baseline $b$ is a moving average of past rewards. A child that beats it ($R-b>0$, a positive *advantage*)
becomes more likely; one that falls short becomes less likely.
""", r"""
**阶段 2：冻结 ω，训练控制器 θ。** 控制器是子模型上的一个策略 $P(m;\theta)$。它想要奖励 $R(m)$ 高的子模型，奖励就是子模型在验证数据上的准确率：

$$L_{\text{controller}}(\theta) \;=\; -\,\mathbb{E}_{m\sim P(m;\theta)}\big[R(m)\big].$$

$R$ 来自一个采样出来的网络，无法对 θ 求导。REINFORCE（策略梯度）用 $K$ 个采样的子模型 $m_1,\dots,m_K$ 估计梯度：

$$\nabla_\theta L_{\text{controller}} \;\approx\; -\frac{1}{K}\sum_{k=1}^{K}\big(R(m_k)-b\big)\,\nabla_\theta \log P(m_k;\theta),
\qquad b \leftarrow \gamma\, b + (1-\gamma)\, R .$$

基线 $b$ 是过去奖励的滑动平均。超过基线的子模型（$R-b>0$，*优势*为正）概率变大；不及基线的，概率变小。
"""),
    C(r"""
s = trainer.controller.sample(torch.Generator().manual_seed(0))
R, b = trainer.evaluate(s.arch), trainer.baseline
term = wb.reinforce.policy_loss(s.log_prob, R - b).item()
display(Markdown(
    f"The controller sampled `{s.arch}` with probability "
    f"$P = {s.log_prob.exp().item():.1e}$ ($\\log P = {s.log_prob.item():.2f}$). "
    f"Its reward (validation accuracy) is $R = {R:.3f}$ and the baseline $b = {b:.3f}$, "
    f"so the advantage is $R-b = {R - b:+.3f}$ and its loss term $-(R-b)\\log P = {term:.3f}$. "
    f"A gradient step on that term makes this child **{'more' if R > b else 'less'}** likely."))
""", r"""
s = trainer.controller.sample(torch.Generator().manual_seed(0))
R, b = trainer.evaluate(s.arch), trainer.baseline
term = wb.reinforce.policy_loss(s.log_prob, R - b).item()
display(Markdown(
    f"控制器以概率 $P = {s.log_prob.exp().item():.1e}$"
    f"（$\\log P = {s.log_prob.item():.2f}$）采样到 `{s.arch}`。"
    f"它的奖励（验证准确率）$R = {R:.3f}$，基线 $b = {b:.3f}$，"
    f"所以优势 $R-b = {R - b:+.3f}$，损失项 $-(R-b)\\log P = {term:.3f}$。"
    f"对这一项做一次梯度下降，会让这个子模型的概率**{'变大' if R > b else '变小'}**。"))
"""),
    M(r"""
The trainer does exactly this, with $K$ children per θ step, each scored on a validation minibatch, plus a small
entropy bonus in the reward (notebook 02 shows why). One θ step:
""", r"""
训练器做的正是这件事：每次 θ 更新采样 $K$ 个子模型，每个在一个验证小批量上打分，奖励里再加一点熵奖励（笔记本 02 会讲为什么）。做一次 θ 更新：
"""),
    C(r"""
c = trainer.controller_step()
display(Markdown(
    f"{len(c.archs)} children, mean reward **{c.reward:.3f}**, baseline **{c.baseline:.3f}**, "
    f"mean advantage **{c.advantage:+.3f}**, policy entropy {c.entropy:.2f} nats."))
""", r"""
c = trainer.controller_step()
display(Markdown(
    f"{len(c.archs)} 个子模型，平均奖励 **{c.reward:.3f}**，基线 **{c.baseline:.3f}**，"
    f"平均优势 **{c.advantage:+.3f}**，策略熵 {c.entropy:.2f} nats。"))
"""),
    M(r"""
## 5. Step through it yourself

The app puts the alternation under buttons: **Step ω** (phase 1), **Step θ** (phase 2), **Alternate** (an
epoch of ω steps, then the θ steps), **Play**/**Pause** and **Reset**. Its views: the child inside the
supernet, the weight-update heatmap, the controller's probabilities, the curves, and a collapse check. It starts
from a fresh supernet and controller.

*Tip:* right-click the app and choose **Create New View for Cell Output** to keep it in sight while you work
through the exercises below.
""", r"""
## 5. 亲手一步步来

这个应用把交替训练放到了按钮上：**更新 ω**（阶段 1）、**更新 θ**（阶段 2）、**交替一轮**（一个 epoch 的 ω 更新，再做 θ 更新）、
**播放**/**暂停**和**重置**。各个视图：超网络中的子模型、权重更新热力图、控制器的概率、训练曲线，以及坍缩检查。
它从一个全新的超网络和控制器开始。

*提示：* 在应用上点右键，选择 **Create New View for Cell Output**（为单元输出创建新视图），做下面的练习时它就一直在眼前。
"""),

    C(r"""
app = wb.app.Workbench(wb.Trainer("teaching", seed=0), preset="classroom", lang="en")
app
""", r"""
app = wb.app.Workbench(wb.Trainer("teaching", seed=0), preset="classroom", lang="zh")
app
"""),
    M(r"""
### Exercise 1

Press **Step ω** five times (or run the next cell: it does the same). Look at the *weight updates* heatmap.
Which weight blocks never moved, and why?
""", r"""
### 练习 1

点击**更新 ω** 五次（或运行下一个单元，效果相同）。看*权重更新*热力图：哪些权重块从来没动过？为什么？
"""),
    C(r"""
for _ in range(5):
    app.step_shared()
""", r"""
for _ in range(5):
    app.step_shared()
"""),
    C(r"""
counts = app.trainer.update_counts
never = [b for b in counts.blocks if counts.grad[b] == 0]
moved_anyway = [b for b in never if counts.changed[b] > 0]
display(Markdown(
    f"After {counts.steps} ω steps, **{len(never)} of {len(counts.blocks)}** weight blocks "
    f"never got a gradient, while `stem` and `classifier` got one in "
    f"{counts.grad['stem']} of the {counts.steps} steps. Blocks that changed value without "
    f"ever getting a gradient: {len(moved_anyway)}."))
""", r"""
counts = app.trainer.update_counts
never = [b for b in counts.blocks if counts.grad[b] == 0]
moved_anyway = [b for b in never if counts.changed[b] > 0]
display(Markdown(
    f"做了 {counts.steps} 次 ω 更新后，"
    f"**{len(counts.blocks)} 个权重块中有 {len(never)} 个**从未得到梯度，"
    f"而 `stem` 和 `classifier` 在 {counts.steps} 步中有 {counts.grad['stem']} 步得到梯度。"
    f"从未得到梯度、值却变了的块：{len(moved_anyway)} 个。"))

"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

The blocks of every (node, input, op) that none of the sampled children used. An ω step computes
$L_{\text{shared}}$ along one child's path only; a block off the path is not part of that computation, so its
gradient does not exist (not even zero) and the optimizer skips it: momentum and weight decay cannot move it
either. `stem` and `classifier` lie on every path, so every step trains them. The `identity` column has no
weights at all.
</details>
""", r"""
<details><summary><b>答案</b>（点击展开）</summary>

采样到的子模型都没有用到的那些（节点，输入，操作）权重块。一次 ω 更新只沿一个子模型的路径计算 $L_{\text{shared}}$；
路径之外的块不参与计算，所以它的梯度根本不存在（连 0 都不是），优化器会跳过它：动量和权重衰减也动不了它。
`stem` 和 `classifier` 在每条路径上，所以每一步都会训练它们。`identity` 这一列本来就没有权重。
</details>
"""),
    M(r"""
### Exercise 2

Press **Step θ** once (or run the next cell). In the *controller* view, which probabilities moved, and in
which direction? Compare with the sign of the advantage in the narration above the views.
""", r"""
### 练习 2

点击**更新 θ** 一次（或运行下一个单元）。在*控制器*视图里，哪些概率动了？往哪个方向？和视图上方解说中的优势符号对照一下。
"""),
    C(r"""
c = app.step_controller()
display(Markdown(f"θ step (step {c.step} of the run): mean reward {c.reward:.3f}, "
                 f"baseline {c.baseline:.3f}, mean advantage **{c.advantage:+.3f}**."))
""", r"""
c = app.step_controller()
display(Markdown(f"第 {c.step} 步（θ）：平均奖励 {c.reward:.3f}，基线 {c.baseline:.3f}，"
                 f"平均优势 **{c.advantage:+.3f}**。"))
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Children with a positive advantage had their choices made more likely, children with a negative one less
likely; the mean advantage tells you which kind dominated this step. This early the supernet is barely
trained, so rewards are close to chance (0.1 for ten classes) and the changes are small and noisy: that is
expected. The ω weights did not change at all in this step.
</details>
""", r"""
<details><summary><b>答案</b>（点击展开）</summary>

优势为正的子模型，它们的选择概率变大；优势为负的，概率变小。平均优势告诉你这一步里哪一类占了上风。
这么早的时候超网络几乎还没训练，奖励接近随机猜测（十个类别是 0.1），所以变化很小、很嘈杂，这是正常的。
这一步里 ω 完全没有变化。
</details>
"""),
    M(r"""
### Exercise 3

Press **Sample child** a few times. Does the step counter move? Does any weight change? Then press
**Alternate** three times (or run the next cell) and read the *collapse check*: is the controller healthy?
""", r"""
### 练习 3

点击几次**采样子模型**。步数计数器动了吗？有权重改变吗？然后点击**交替一轮**三次（或运行下一个单元），
看看*坍缩检查*：控制器健康吗？
"""),
    C(r"""
for _ in range(3):
    app.alternate()
report = wb.viz.collapse_report(app.trainer.history)
display(Markdown(f"After {len(app.trainer.history)} steps the collapse check says "
                 f"**{report.verdict}**: " + "; ".join(report.reasons) + "."))
""", r"""
for _ in range(3):
    app.alternate()
report = wb.viz.collapse_report(app.trainer.history)
display(Markdown(f"{len(app.trainer.history)} 步之后，坍缩检查的结论是 **{report.verdict}**："
                 + "；".join(report.reasons) + "。"))
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

Sampling only draws a child from $P(m;\theta)$: no loss, no gradient, no step, so nothing changes and the counter
stays. With ENAS's defaults the controller learns slowly and keeps most of its uncertainty (its entropy) for a
long time; notebook 02 breaks it on purpose to show what collapse looks like.
</details>

**Next:** `02_controller_collapse.ipynb` makes a controller collapse and repairs it.
""", r"""
<details><summary><b>答案</b>（点击展开）</summary>

采样只是从 $P(m;\theta)$ 中抽一个子模型：没有损失、没有梯度、没有更新，所以什么都不变，计数器也不动。
在 ENAS 的默认设置下，控制器学得很慢，并在很长时间里保留大部分不确定性（熵）；笔记本 02 会故意把它弄坏，让你看看坍缩是什么样子。
</details>

**下一步：** `02_controller_collapse.ipynb` 让控制器坍缩，再把它修好。
"""),
]

# ---------------------------------------------------------------------------------------------
# 02: controller collapse, on purpose, and the ENAS remedies one at a time
# ---------------------------------------------------------------------------------------------
NB02 = [
    M(r"""
# Controller collapse, on purpose

A controller has **collapsed** when its policy $P(m;\theta)$ puts nearly all its probability on one child (or
one family of children) long before the shared weights can tell the children apart. From then on ENAS stops
searching: the same child is sampled at every ω step, so only its weights are trained, so it scores better,
so it is sampled even more.

In this notebook we break a controller on purpose, watch the collapse in three views, and then put back ENAS's
remedies one at a time. Every number in the text is measured by the cells. About a minute on a laptop CPU.
"""),
    C(r"""
import math

import pandas as pd
import plotly.express as px
import torch
import workbench as wb
from IPython.display import Markdown, display

torch.set_num_threads(1)  # the networks here are tiny: one CPU thread is the fastest
EPOCHS, SEED = 6, 0
space = wb.spaces.get("teaching")
# the recipe for a collapse:
RECIPE = dict(controller_lr=0.05, entropy_weight=0.0, tanh_constant=None)


def search(space=space, epochs=EPOCHS, seed=SEED, **changes):
    # a fresh trainer with the collapse recipe, then `changes` on top, run for `epochs`
    config = wb.TrainerConfig.for_space(space, **{**RECIPE, **changes})
    trainer = wb.Trainer(space, config=config, seed=seed)
    trainer.run(epochs=epochs, progress=False)
    return trainer


enas = wb.TrainerConfig.for_space(space)
shown = lambda v: "off" if v is None else f"{v:g}"  # noqa: E731
pd.DataFrame({"ENAS default": {k: shown(getattr(enas, k)) for k in RECIPE},
              "collapse recipe": {k: shown(v) for k, v in RECIPE.items()}})
"""),
    M(r"""
The recipe: a controller learning rate 50 times ENAS's, no entropy bonus and no tanh constant (section 2 says
what each of those does). Everything else stays at the teaching defaults.

## 1. Watch it collapse
"""),
    C(r"""
broken = search()
steps = broken.history.controller()
h_max = sum(math.log(len(d.options)) for d in space.decisions)  # uniform policy, in nats
half = next((i for i, r in enumerate(steps, start=1) if r.entropy < h_max / 2), None)
report = wb.viz.collapse_report(broken.history)
display(Markdown(
    f"{EPOCHS} epochs: {len(broken.history.shared())} ω steps and {len(steps)} θ steps. "
    f"The sampled children's entropy started at {steps[0].entropy:.2f} nats "
    f"(the maximum is {h_max:.2f}) and "
    + (f"fell below half of it at θ step {half} of {len(steps)}. " if half
       else "never fell below half of it. ")
    + f"The controller's favourite now: `{broken.controller.most_likely()}`."))
"""),
    M(r"""
**The policy over time.** Each row is one option of one decision, each column one θ step; the colour is the
option's probability along the controller's favourite child. A healthy policy stays mottled for a long time;
this one turns into a few solid lines, and the entropy rows below go dark.
"""),
    C(r"""
wb.viz.plot_policy_history(broken.history)
"""),
    M(r"""
**The shared weights.** Once one child is sampled at every ω step, only its weight blocks are trained: one
column of the heatmap runs hot while the rest of the supernet freezes where it was.
"""),
    C(r"""
counts = broken.update_counts
op_blocks = [b for b in counts.blocks if b not in ("stem", "classifier")]
favourite = broken.supernet.blocks_for(broken.controller.most_likely())
fav_blocks = [b for b in favourite if b in op_blocks]
fav_updates = sum(counts.grad[b] for b in fav_blocks)
all_updates = sum(counts.grad[b] for b in op_blocks)
cold = sum(counts.grad[b] == 0 for b in op_blocks)
display(Markdown(
    f"The {len(fav_blocks)} op blocks of the favourite child received "
    f"**{fav_updates / max(all_updates, 1):.0%}** of all the op-block updates of the run. "
    f"Op blocks never updated at all: {cold} of {len(op_blocks)}."))
wb.viz.plot_update_heatmap(counts, space)
"""),
    M(r"""
**The collapse report** sums up the evidence over the last 50 sampled children: how much of its maximum entropy
the policy keeps, how many different children it sampled, how often the most frequent one came up, and the
share of `identity` ops (a weight-free shortcut, cheap to train). Each check has a warning and an alarm
threshold; one alarm makes the verdict *collapsed*.
"""),
    C(r"""
display(Markdown(f"Verdict: **{report.verdict}**. " + "; ".join(report.reasons) + "."))
wb.viz.plot_collapse(report)
"""),
    M(r"""
**Why so fast?** ENAS trains θ with Adam, $\beta_1 = 0$. Adam divides each gradient by its running
root-mean-square, so every θ step moves every parameter by about the learning rate *whatever the size of the
advantage*. Noisy advantages (rewards on a 256-example minibatch, from shared weights that barely work yet) are
enough to pick a direction, and at 50 times ENAS's rate a handful of steps push one option's logit far above
the others. Then the loop described at the top takes over.


## 2. The remedies, one at a time

Each row below is a fresh run with the same seed: the collapse recipe with **one** change. The last two rows put
the learning rate back, then all of ENAS's defaults together.

* **Entropy bonus** (ENAS adds it to the reward): $R'(m) = R(m) + \beta\,\mathcal{H}\big(P(\cdot;\theta)\big)$,
  so spread-out policies earn a little more.
* **Tanh constant and temperature**: each logit $\ell$ becomes $C\tanh(\ell / T)$ before the softmax. The
  logits can then never leave $[-C, C]$, so with $k$ options no probability can exceed
  $\dfrac{e^{C}}{e^{C} + (k-1)\,e^{-C}}$; a temperature $T > 1$ also slows the logits down.
* **Baseline decay** $\gamma$ in $b \leftarrow \gamma b + (1-\gamma)R$: how far back the baseline remembers.
  While the shared weights improve, rewards climb and a long-memory baseline lags behind them, so most
  advantages $R-b$ come out positive and most sampled children are reinforced, good or not.
"""),
    C(r"""
C_TANH = 1.5
bound = {k: math.exp(C_TANH) / (math.exp(C_TANH) + (k - 1) * math.exp(-C_TANH))
         for k in (2, 3, 4)}
display(Markdown(f"With $C = {C_TANH}$ no option can get more than "
                 + ", ".join(f"**{p:.0%}** ({k} options)" for k, p in bound.items()) + "."))
"""),
    C(r"""
def summary(trainer, n=20):
    # the collapse report's evidence, the share of θ steps with a positive mean advantage,
    # and the shared-weight accuracy of n children sampled from the policy
    rep = wb.viz.collapse_report(trainer.history)
    steps = trainer.history.controller()
    gen = torch.Generator().manual_seed(0)  # the same draws for every run
    sampled = [trainer.evaluate(trainer.controller.sample(gen).arch) for _ in range(n)]
    return {"verdict": rep.verdict,
            "entropy kept": rep.mean_entropy_fraction,
            "distinct children (of 50)": rep.distinct,
            "top child's share": rep.top_share,
            "identity share": rep.identity_skip_rate,
            "θ steps with R > b": sum(r.advantage > 0 for r in steps) / len(steps),
            "acc. of sampled children": sum(sampled) / n}


CHANGES = {
    "collapse recipe": None,
    "+ entropy bonus β = 0.05": dict(entropy_weight=0.05),
    f"+ tanh constant C = {C_TANH}": dict(tanh_constant=C_TANH),
    f"+ temperature T = 5, C = {C_TANH}": dict(temperature=5.0, tanh_constant=C_TANH),
    "baseline decay γ = 0.9 (not 0.99)": dict(baseline_decay=0.9),
    f"controller lr {enas.controller_lr:g} (ENAS)": dict(controller_lr=enas.controller_lr),
    "all ENAS defaults": {k: getattr(enas, k) for k in RECIPE},
}
runs = {name: broken if change is None else search(**change)
        for name, change in CHANGES.items()}
table = pd.DataFrame({name: summary(t) for name, t in runs.items()}).T
shares = [c for c in table.columns if "share" in c or c in ("entropy kept", "θ steps with R > b")]
table.style.format({c: "{:.0%}" for c in shares} | {"acc. of sampled children": "{:.3f}"})
"""),
    C(r"""
row = table.to_dict("index")
names = list(CHANGES)
recipe, bonus, decay = row[names[0]], row[names[1]], row[names[4]]
lr_only, enas_row = row[names[-2]], row[names[-1]]
single = names[1:5]
best = max(single, key=lambda n: row[n]["entropy kept"])
saved = [f"**{n}** ({row[n]['verdict']})" for n in single if row[n]["verdict"] != "collapsed"]
acc = "acc. of sampled children"
flatter = ("A collapsed controller *looks* better: its few children got all the training, and "
           "shared weights flatter the children that were trained most."
           if recipe[acc] > enas_row[acc] else
           "Here the collapse did not even pay off on the shared weights.")
display(Markdown(f'''
* Of the single changes, **{best}** kept the most entropy: {row[best]["entropy kept"]:.0%} of the
  maximum, against {recipe["entropy kept"]:.0%} for the recipe. Single changes that avoided the
  *collapsed* verdict: {", ".join(saved) if saved else "**none**"}.
* The entropy bonus kept {bonus["entropy kept"]:.0%} (verdict: {bonus["verdict"]}). Added to the
  reward, it only re-weights which samples are pushed up or down; Adam still moves θ by about the
  learning rate per step.
* The baseline decay changes what the controller hears: with γ = 0.99 the mean advantage was
  positive in {recipe["θ steps with R > b"]:.0%} of the θ steps, with γ = 0.9 in
  {decay["θ steps with R > b"]:.0%}. Verdict with γ = 0.9: **{decay["verdict"]}**.
* With ENAS's learning rate alone the verdict is **{lr_only["verdict"]}**; with all its defaults
  **{enas_row["verdict"]}** ({enas_row["entropy kept"]:.0%} of the entropy kept).
* Mind the last column: the collapse recipe's sampled children score **{recipe[acc]:.3f}** on the
  shared weights, the ENAS defaults' **{enas_row[acc]:.3f}**. {flatter}
'''))
"""),
    M(r"""
## 3. The skip penalty (ENAS macro space)

In the ENAS macro CNN each layer also decides, for every earlier layer, whether to add a **skip connection**
from it. Skips make short, easy-to-train paths, and a controller tends to pile them up. ENAS adds a penalty to
the controller's loss: the KL divergence between the skip probability $q$ of each skip decision and a target
rate $\rho$,

$$L_{\text{controller}} \mathrel{+}= \lambda\;\overline{\mathrm{KL}\big(\mathrm{Bern}(q)\,\|\,\mathrm{Bern}(\rho)\big)},
\qquad \rho = 0.4,\ \lambda = 0.8 .$$

Two short runs on a 4-layer macro space (8×8 handwritten digits), a controller learning rate of 0.01, with and
without the penalty (notebook 04 explores this space properly):
"""),
    C(r"""
macro = wb.spaces.get("enas-macro", num_layers=4)
fast = dict(batch_size=64, controller_steps=10, controller_aggregate=5, controller_lr=0.01,
            entropy_weight=enas.entropy_weight, tanh_constant=enas.tanh_constant)
skips = {f"skip penalty λ = {w}": search(macro, skip_weight=w, **fast) for w in (0.8, 0.0)}
frames = []
for name, t in skips.items():
    steps = t.history.controller().to_frame()  # one row per θ step
    frames.append(steps.assign(run=name, θ_step=range(1, len(steps) + 1)))
frame = pd.concat(frames)

fig = px.line(frame, x="θ_step", y="skip_rate", color="run", height=380,
              title="Share of skip connections among the sampled children",
              labels={"θ_step": "θ step", "skip_rate": "skip rate"})
fig.add_hline(y=wb.TrainerConfig().skip_target, line_dash="dot", annotation_text="target ρ")
"""),
    C(r"""
rate = {name: sum(r.skip_rate for r in t.history.controller()[-5:]) / 5
        for name, t in skips.items()}
verdict = {name: wb.viz.collapse_report(t.history).verdict for name, t in skips.items()}
display(Markdown(
    "Skip rate over the last 5 θ steps: "
    + "; ".join(f"**{n}**: {rate[n]:.0%} (collapse check: {verdict[n]})" for n in skips)
    + f". The target is {wb.TrainerConfig().skip_target:.0%}."))
"""),
    M(r"""
## Try it

* Change `SEED` in the first cell and run everything again: which conclusions survive another seed?
* Give the entropy bonus a fair chance: try `entropy_weight=0.5` with `controller_lr=0.005`.
* Watch the policy lock in, live, in the app with the collapse recipe (the *debug* preset shows the knobs; turn
  the tanh constant back on mid-run and see what happens):

  ```python
  config = wb.TrainerConfig.for_space("teaching", **RECIPE)
  wb.app.Workbench(wb.Trainer("teaching", config=config), preset="debug")
  ```

**Next:** `03_ranking_fidelity.ipynb`: do the shared weights rank children the way stand-alone training does?
"""),
]


# ---------------------------------------------------------------------------------------------
# 03: ranking fidelity: shared weights against stand-alone ground truth
# ---------------------------------------------------------------------------------------------
NB03 = [
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
frame = pd.DataFrame({"shared-weight accuracy": shared, "stand-alone accuracy": truth}).dropna()
frame["identity ops"] = [sum(op == "identity" for _, _, op in space.nodes(space.parse(a)))
                         for a in frame.index]
px.scatter(frame.reset_index(names="arch"), x="stand-alone accuracy", y="shared-weight accuracy",
           color="identity ops", hover_name="arch", opacity=0.5, height=480,
           title=f"{len(frame):,} children: shared weights after {EPOCHS} epochs against the truth")
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

Rank every child twice, by its shared-weight accuracy and by its stand-alone accuracy (rank 1 = best). A child
the shared weights rank far higher than it deserves is **flattered**; one they rank far lower is **wronged**.
Grouped by how many of the 4 nodes chose `identity`:
"""),
    C(r"""
frame["shared rank"] = frame["shared-weight accuracy"].rank(ascending=False, method="min")
frame["true rank"] = frame["stand-alone accuracy"].rank(ascending=False, method="min")
frame["places gained"] = frame["true rank"] - frame["shared rank"]  # > 0: flattered
groups = frame.groupby("identity ops").agg(**{
    "children": ("places gained", "size"),
    "mean shared-weight acc.": ("shared-weight accuracy", "mean"),
    "mean stand-alone acc.": ("stand-alone accuracy", "mean"),
    "mean places gained": ("places gained", "mean")})
groups.style.format({"mean shared-weight acc.": "{:.3f}", "mean stand-alone acc.": "{:.3f}",
                     "mean places gained": "{:+,.0f}"})
"""),
    C(r"""
gained, true_acc = groups["mean places gained"], groups["mean stand-alone acc."]
most, least = gained.idxmax(), gained.idxmin()
display(Markdown(
    f"Children with {most} identity ops gain on average **{gained[most]:+,.0f} places** on the "
    f"shared weights (stand-alone they average {true_acc[most]:.3f}); children with {least} "
    f"lose **{-gained[least]:,.0f} places** (stand-alone they average {true_acc[least]:.3f}). "
    f"The most flattered and the most wronged children (children with the same two accuracies "
    f"shown once):"))
cols = ["shared rank", "true rank", "shared-weight accuracy", "stand-alone accuracy"]
distinct = frame.drop_duplicates(["shared-weight accuracy", "stand-alone accuracy"])
distinct = distinct.astype({"shared rank": int, "true rank": int})
pd.concat({"flattered": distinct.nlargest(3, "places gained")[cols],
           "wronged": distinct.nsmallest(3, "places gained")[cols]})


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

# ---------------------------------------------------------------------------------------------
# 04: the ENAS macro CNN space on 8x8 handwritten digits
# ---------------------------------------------------------------------------------------------
NB04 = [
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

$$L_{\text{controller}} \mathrel{+}= \lambda\;\overline{\mathrm{KL}\big(\mathrm{Bern}(q)\,\|\,\mathrm{Bern}(\rho)\big)}.$$

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
frames = []
for w, t in runs.items():
    steps = t.history.controller().to_frame()  # one row per θ step
    frames.append(steps.assign(run=f"λ = {w}", θ_step=range(1, len(steps) + 1)))
frame = pd.concat(frames)
fig = px.line(frame, x="θ_step", y="skip_rate", color="run", height=380,
              title="Share of skip connections among the children sampled at each θ step",
              labels={"θ_step": "θ step", "skip_rate": "skip rate"})
fig.add_hline(y=config.skip_target, line_dash="dot", annotation_text="target ρ")
"""),
    C(r"""
def late_rate(t, k=10):
    # mean skip rate of the children sampled in the last k θ steps
    return sum(r.skip_rate for r in t.history.controller()[-k:]) / k


first = trainer.history.controller()[0].skip_rate
display(Markdown(
    f"The first θ step sampled {first:.0%} skips. Over the last 10 θ steps: "
    f"**{late_rate(runs[config.skip_weight]):.0%}** with the penalty "
    f"(λ = {config.skip_weight}), **{late_rate(runs[0.0]):.0%}** without it. "
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

One detail: `trainer.evaluate` runs BatchNorm on its running averages, which in a supernet mix the statistics of
every child; the rewards use each batch's own statistics instead. So we score a stand-alone copy of each child in
training mode, exactly as its reward was computed.
"""),
    C(r"""
def shared_accuracy(arch, split="val"):
    # accuracy with the shared weights, BatchNorm on the batch's own statistics (as in the
    # rewards); net.child() is a copy, so the supernet's running statistics stay as they were
    Xs, ys = data.split(split)
    child = trainer.supernet.child(arch).train()
    with torch.no_grad():
        return (child(Xs).argmax(-1) == ys).float().mean().item()


gen = torch.Generator().manual_seed(1)
policy = [trainer.controller.sample(gen).arch for _ in range(20)]
uniform = [space.random(gen) for _ in range(20)]
scores = pd.DataFrame([{"from": who, "arch": str(a), "shared val acc": shared_accuracy(a)}
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
shared = {name: shared_accuracy(a) for name, a in contenders.items()}
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


if __name__ == "__main__":
    written = [
        write("01_weight_sharing_tour.ipynb", NB01, "en"),
        write("01_weight_sharing_tour.zh.ipynb", NB01, "zh"),
        write("02_controller_collapse.ipynb", NB02),
        write("03_ranking_fidelity.ipynb", NB03),
        write("04_enas_macro.ipynb", NB04),
    ]
    print("\n".join(str(p) for p in written), file=sys.stderr)
