"""Notebook 01 in Chinese: the translation of nb01_tour's markdown cells and «name» strings, no code.

Regenerate (from the repository root):  python -m notebooks.generator
The code cells of 01_weight_sharing_tour.zh.ipynb are nb01_tour's, with these strings put in.

Owns: the Chinese text of notebook 01 (markdown by cell key; printed sentences and comments by name).
Must not: hold code; every key must match a cell of nb01_tour (cells.build checks both ways).
"""

from __future__ import annotations

from .cells import Translation

MARKDOWN = {
    "intro": r"""
# 权重共享之旅

ENAS（Pham 等，2018）搜索网络结构的办法是：只训练**一个**大网络——*超网络*，让每个候选结构都借用它的权重。
本笔记本分五小步讲清这个想法：超网络、子模型、共享为什么省时间、两个损失函数，最后在一个小应用里亲手一步步执行搜索。

用 **Shift+Enter** 从上到下依次运行各单元；整个笔记本在笔记本电脑的 CPU 上大约一分钟跑完。
""",
    "supernet": r"""
## 1. 超网络：所有候选一次到位

*教学搜索空间*是一个用于 **MNIST-1D**（长度为 40 的一维信号，10 个类别）的小单元。`stem` 层把输入映射为 32 个特征；
之后 4 个节点各做两个决定：**读哪个前面的节点**（stem 或更早的节点），以及**用哪个操作**：`relu`、`tanh`、`sigmoid`
（一个线性层再接对应的激活函数）或 `identity`（没有权重）。
没有被别的节点读取的节点取平均后送入线性分类器 `classifier`。
""",
    "blocks": r"""
超网络为任何子模型可能用到的**每一个**（节点，输入，操作）组合都准备了一个权重块，而且同时存在。
下面的热力图每个格子就是一个权重块（行：节点及其读取的输入；列：操作）。现在每格都是 0：还没有训练过。
""",
    "child": r"""
## 2. 子模型：超网络里的一条路径

*子模型*对每个决定各给出一个答案，它的文字形式读起来就像网络本身
。图中**灰色是整个超网络**：每条弧线是某个节点读取输入的一种可能，
每个节点下方的四个小方块是它的候选操作。**彩色路径就是这个子模型**。
""",
    "child_copy": r"""
子模型只用到它路径上的权重块。`net.child(arch)` 把恰好这些权重复
制成一个独立的网络；它和沿这条路径运行的超网络计算的是同一个函数。
""",
    "count": r"""
一共有多少个子模型？节点 $i$ 可以从 $i$ 个地方读取输入（ste
m 或节点 $1,\dots,i-1$），并从 $|\mathcal{O}|$ 个操作中选一个，
所以 $N$ 个节点时

$$|\mathcal{A}| \;=\; \prod_{i=1}^{N} i\,|\mathcal{O}| \;=\; N!\,|\mathcal{O}|^{N}.$$
""",
    "sharing": r"""
## 3. 共享为什么省时间

ENAS 背后的算术：想公平地比较 **1000 个结构**，就要把每一个都
训练一遍，也就是 **1000 次训练**。ENAS 只训练**一个**超网络，
之后用共享权重读出一个子模型的好坏：只需一次前向计算，不用训练
。下面在这个搜索空间上、用相同的轮数（epoch）把两者都量一量。
""",
    "proxy": r"""
代价是：用共享权重读出的分数只是子模型单独训练后准确率的一个*代理指标*。这个代理有多可靠，是笔记本 03 的主题。
""",
    "losses": r"""
## 4. 两个损失函数

**阶段 1：冻结 θ，训练共享权重 ω。** 控制器采样一个子模型 $m$
。在训练小批量 $\{(x_b, y_b)\}_{b=1}^{B}$ 上，损失是平均交叉熵

$$L_{\text{shared}}(\omega) \;=\; \frac{1}{B}\sum_{b=1}^{B} \mathrm{CE}\big(f(x_b;\,\omega_m),\; y_b\big),$$

一次 SGD 更新只移动 $\omega_m$，即 $m$ 路径上的权重块。其余的块根本不在计算图里，因此没有梯度，保持原样、一位不差。
""",
    "phase2": r"""
**阶段 2：冻结 ω，训练控制器 θ。** 控制器是子模型上的一个策略 $P(m;\the
ta)$。它想要奖励 $R(m)$ 高的子模型，奖励就是子模型在验证数据上的准确率：

$$L_{\text{controller}}(\theta) \;=\; -\,\mathbb{E}_{m\sim P(m;\theta)}\big[R(m)\big].$$

$R$ 来自一个采样出来的网络，无法对 θ 求导。REINFORCE（策略梯度）用 $K$ 个采样的子模型 $m_1,\dots,m_K$ 估计梯度：

$$\nabla_\theta L_{\text{controller}} \;\approx\; -\frac{1}{K}\sum_{k=1}^{K}\big(R(m_k)-b\big)\,
\nabla_\theta \log P(m_k;\theta),
\qquad b \leftarrow \gamma\, b + (1-\gamma)\, R .$$

基线 $b$ 是过去奖励的滑动平均。超过基线的子模型（$R-b>0$，*优势*为正）概率变大；不及基线的，概率变小。
""",
    "theta_step": r"""
训练器做的正是这件事：每次 θ 更新采样 $K$ 个子模型，每个在一个验证小批
量上打分，奖励里再加一点熵奖励（笔记本 02 会讲为什么）。做一次 θ 更新：
""",
    "app": r"""
## 5. 亲手一步步来

这个应用把交替训练放到了按钮上：**更新 ω**（阶段 1）、**更新 θ*
*（阶段 2）、**交替一轮**（一个 epoch 的 ω 更新，再做 θ 更新）、
**播放**/**暂停**和**重置**。各个视图：超网络中的子模型、权重更新热力图、控制器的概率、训练曲线，以及坍缩检查。
它从一个全新的超网络和控制器开始。

*提示：* 在应用上点右键，选择 **Create New View for Cell Out
put**（为单元输出创建新视图），做下面的练习时它就一直在眼前。
""",
    "ex1": r"""
### 练习 1

点击**更新 ω** 五次（或运行下一个单元，效果相同）。看*权重更新*热力图：哪些权重块从来没动过？为什么？
""",
    "ex1_answer": r"""
<details><summary><b>答案</b>（点击展开）</summary>

采样到的子模型都没有用到的那些（节点，输入，操作）权重块。一次 ω 更新只沿一个子模型的路径计算 $L_{\text{shared}}$；
路径之外的块不参与计算，所以它的梯度根本不存在（连 0 都不是），优化器会跳过它：动量和权重衰减也动不了它。
`stem` 和 `classifier` 在每条路径上，所以每一步都会训练它们。`identity` 这一列本来就没有权重。
</details>
""",
    "ex2": r"""
### 练习 2

点击**更新 θ** 一次（或运行下一个单元）。在*控制器*视图里，哪
些概率动了？往哪个方向？和视图上方解说中的优势符号对照一下。
""",
    "ex2_answer": r"""
<details><summary><b>答案</b>（点击展开）</summary>

优势为正的子模型，它们的选择概率变大；优势为负的，概率变小。平均优势告诉你这一步里哪一类占了上风。
这么早的时候超网络几乎还没训练，奖励接近随机猜测（十个类别是 0.1），所以变化很小、很嘈杂，这是正常的。
这一步里 ω 完全没有变化。
</details>
""",
    "ex3": r"""
### 练习 3

点击几次**采样子模型**。步数计数器动了吗？有权重改变吗？然后点击**交替一轮**三次（或运行下一个单元），
看看*坍缩检查*：控制器健康吗？
""",
    "ex3_answer": r"""
<details><summary><b>答案</b>（点击展开）</summary>

采样只是从 $P(m;\theta)$ 中抽一个子模型：没有损失、没有梯度、没有更新，所以什么都不变，计数器也不动。
在 ENAS 的默认设置下，控制器学得很慢，并在很长时间里保留大部分不确定性（熵）；"""  # one line, split for width
    r"""笔记本 02 会故意把它弄坏，让你看看坍缩是什么样子。
</details>

**下一步：** `02_controller_collapse.ipynb` 让控制器坍缩，再把它修好。
""",
}

STRINGS = {
    "threads": "这里的网络很小：单线程最快",
    "trainer_parts": "MNIST-1D 数据、超网络、ENAS 控制器",
    "supernet_size": r"""
    f"超网络共有 **{len(net.block_names)} 个权重块**，合计 **{n_params:,} 个参数**："
    f"stem、classifier，以及每个（节点，输入，带权重的操作）各一个块。"
""",
    "choice_indices": '"选择的下标："',
    "list_sep": '"、"',
    "child_uses": r"""
    f"这个子模型用到 **{len(net.block_names)} 个权重块中的 {len(used)} 个**"
    f"（{n_params:,} 个参数中的 {child_params:,} 个）：{blocks}。"
    f"在全部 {len(y):,} 个验证样本上，独立副本和超网络路径的输出完全相同：**{same}**。"
""",
    "space_size": r"""
    f"这里 $N = {N}$，$|\\mathcal{{O}}| = {n_ops}$：${product} = {space.size():,}$ 个子模型，"
    f"全部共享同样的 {n_params:,} 个参数。"
""",
    "fresh_supernet": "一个全新的超网络：单独训练一个子模型一个 epoch",
    "one_child_step": "只在这个子模型上做一次 ω 更新",
    "one_child_alone": "一个子模型单独训练 EPOCHS 个 epoch",
    "enas_run": "ENAS：ω 与 θ 交替，EPOCHS 个 epoch",
    "score_children": "用共享权重给 1000 个子模型打分",
    "timing_table": r"""
f'''
| | 本机 CPU |
|---|---|
| 单独训练**一个**子模型 {EPOCHS} 个 epoch（实测一个 epoch，×{EPOCHS}） | {t_child:.1f} 秒 |
| 单独训练 **1000** 个子模型 | {1000 * t_child / 60:.0f} 分钟 |
| 单独训练**全部 {space.size():,}** 个子模型 | {space.size() * t_child / 3600:.1f} 小时 |
| ENAS：训练超网络（和控制器）{EPOCHS} 个 epoch | {t_search:.1f} 秒 |
| ENAS：用共享权重给 1000 个子模型打分 | {t_score:.1f} 秒 |

整个 ENAS 搜索的花费约等于单独训练 **{(t_search + t_score) / t_child:.1f} 个子模型**：\
比 1000 次独立训练少 **{1000 * t_child / (t_search + t_score):.0f} 倍**。

'''
""",
    "loss_after": "同时测出这一步之后同一小批量上的损失",
    "shared_step": r"""
    f"在 `{r.arch}` 上用 {trainer.config.batch_size} 个样本的小批量做一次 ω 更新："
    f"这个小批量上的 $L_{{shared}}$ 从 **{r.loss:.3f}** 降到 **{r.loss_after:.3f}**；"
    f"**{len(net.block_names)} 个权重块中只有 {len(r.updated)} 个**得到梯度："
    f"{', '.join(r.updated)}。"
""",
    "policy_term": r"""
    f"控制器以概率 $P = {s.log_prob.exp().item():.1e}$"
    f"（$\\log P = {s.log_prob.item():.2f}$）采样到 `{s.arch}`。"
    f"它的奖励（验证准确率）$R = {R:.3f}$，基线 $b = {b:.3f}$，"
    f"所以优势 $R-b = {R - b:+.3f}$，损失项 $-(R-b)\\log P = {term:.3f}$。"
    f"对这一项做一次梯度下降，会让这个子模型的概率**{'变大' if R > b else '变小'}**。"
""",
    "controller_step": r"""
    f"{len(c.archs)} 个子模型，平均奖励 **{c.reward:.3f}**，基线 **{c.baseline:.3f}**，"
    f"平均优势 **{c.advantage:+.3f}**，策略熵 {c.entropy:.2f} nats。"
""",
    "never_updated": r"""
    f"做了 {counts.steps} 次 ω 更新后，"
    f"**{len(counts.blocks)} 个权重块中有 {len(never)} 个**从未得到梯度，"
    f"而 `stem` 和 `classifier` 在 {counts.steps} 步中有 {counts.grad['stem']} 步得到梯度。"
    f"从未得到梯度、值却变了的块：{len(moved_anyway)} 个。"
""",
    "theta_said": r"""
f"第 {c.step} 步（θ）：平均奖励 {c.reward:.3f}，基线 {c.baseline:.3f}，"
                 f"平均优势 **{c.advantage:+.3f}**。"
""",
    "collapse_says": r"""
f"{len(app.trainer.history)} 步之后，坍缩检查的结论是 **{report.verdict}**："
""",
    "reason_sep": '"；"',
    "full_stop": '"。"',
}

ZH = Translation(markdown=MARKDOWN, strings=STRINGS)
