"""Notebook 01, section 4, in Chinese: the translation of nb01_tour_losses's markdown and «name» strings, no code.

Regenerate (from the repository root):  python -m notebooks.generator
Merged into nb01_tour_zh.ZH.

Owns: the Chinese text of section 4 of notebook 01. Must not: hold code.
"""

from __future__ import annotations

MARKDOWN = {
    "losses": r"""
## 4. 两个损失函数

**阶段 1：冻结 θ，训练共享权重 ω。** 控制器采样一个子模型 $m$。在训练小批量 $\{(x_b, y_b)\}_{b=1}^{B}$ 上，
损失是平均交叉熵

$$L_{\text{shared}}(\omega) \;=\; \frac{1}{B}\sum_{b=1}^{B} \mathrm{CE}\big(f(x_b;\,\omega_m),\; y_b\big),$$

一次 SGD 更新只移动 $\omega_m$，即 $m$ 路径上的权重块。其余的块根本不在计算图里，所以没有梯度（`.grad` 仍
是 `None`），而 PyTorch 的优化器会跳过没有梯度的参数：既没有动量，也没有权重衰减。这是一种实现上的选择，不是必然：
ENAS 的 TensorFlow 代码给这些块的是零梯度，于是它们也会动（见下面的练习 3）。
""",
    "phase2": r"""
**阶段 2：冻结 ω，训练控制器 θ。** 控制器是子模型上的一个策略 $P(m;\theta)$。它想要奖励 $R(m)$ 高的子模型，
奖励就是子模型在验证数据上的准确率：

$$J(\theta) \;=\; \mathbb{E}_{m\sim P(m;\theta)}\big[R(m)\big] \;=\; \sum_m P(m;\theta)\,R(m),
\qquad L_{\text{controller}}(\theta) = -J(\theta).$$

$R$ 来自一个采样出来的网络和一个验证批次，它对 θ 没有导数。只有概率依赖于 θ，而这就够了。

### REINFORCE 从哪里来

**对数导数技巧。** 因为 $\nabla_\theta P = P\,\nabla_\theta \log P$，

$$\nabla_\theta J \;=\; \sum_m R(m)\,\nabla_\theta P(m;\theta)
\;=\; \sum_m P(m;\theta)\,R(m)\,\nabla_\theta \log P(m;\theta)
\;=\; \mathbb{E}_{m\sim P}\big[R(m)\,\nabla_\theta \log P(m;\theta)\big].$$

期望可以用采样来估计：$K$ 个子模型 $m_1,\dots,m_K$ 给出 $\frac{1}{K}\sum_k R(m_k)\,\nabla_\theta \log P(m_k;\theta)$，
完全不需要 $R$ 的导数。

**基线不引入偏差。** 对任何不依赖于被采样子模型的 $b$，

$$\mathbb{E}_{m\sim P}\big[b\,\nabla_\theta \log P(m;\theta)\big] \;=\; b\sum_m \nabla_\theta P(m;\theta)
\;=\; b\,\nabla_\theta \sum_m P(m;\theta) \;=\; b\,\nabla_\theta 1 \;=\; 0 .$$

所以 $\mathbb{E}[(R-b)\nabla\log P] = \mathbb{E}[R\,\nabla\log P]$：平均而言梯度不变，噪声却小得多。奖励
在 0.3 左右时，每一项 $R\,\nabla\log P$ 都会把被采样的子模型往*上*推，只有各次推动之间的差别才携带信息；$R - b$
把它们移到零附近。训练器的基线是此前奖励的指数滑动平均（EMA），只用到与之比较的那个子模型*之前*的奖励，
因此不依赖于这个子模型。最小化

$$L \;=\; -\frac{1}{K}\sum_{k=1}^{K}\big(R(m_k)-b\big)\log P(m_k;\theta),
\qquad b \leftarrow \gamma\, b + (1-\gamma)\, R,$$

得到的正是这个梯度估计；`wb.reinforce.policy_loss` 构造其中的一项。超过基线的子模型（$R-b>0$，*优势*为正）
概率变大；不及基线的，概率变小。

### 练习 1：手算一个梯度

一个有两个选项的决定，logit 为 $\ell = (\ell_1, \ell_2)$，$p = \mathrm{softmax}(\ell)$。对被采样的选项 $a$，
$\partial \log p_a / \partial \ell_j = \mathbb{1}[j=a] - p_j$，所以

$$\frac{\partial}{\partial \ell_j}\Big(-(R-b)\log p_a\Big) \;=\; -(R-b)\,\big(\mathbb{1}[j=a]-p_j\big).$$

`node2.input` 有两个选项：`stem` 和 `node1`。一个所有 logit 都为 0 的控制器（所以 $p = (0.5, 0.5)$）采样
到 `node1`；这个子模型的奖励 $R = 0.62$，基线 $b = 0.50$。**先手算对两个 logit 的梯度**，并说出一次梯度下降会让
$p(\texttt{node1})$ 往哪个方向变。然后运行下面的单元，让 PyTorch 来验算。
""",
    "by_hand_answer": r"""
<details><summary><b>答案</b>（点击展开）</summary>

$R - b = 0.12$，$a = $ `node1`，所以 $\partial L/\partial \ell = -0.12\,\big((0, 1) - (0.5, 0.5)\big) = (+0.06,\
-0.06)$，依次对应（`stem`，`node1`），与 PyTorch 的结果一致。梯度下降减去梯度：$\ell_{node1}$ 变大，
$\ell_{stem}$ 变小，所以 $p(\texttt{node1})$ 上升。如果 $R < b$，两个符号都反过来，被采样的选项概率变小。
两个 logit 的梯度之和为零：给两个 logit 加上同一个数并不改变 $p$。真正的控制器在中间还有 tanh 常数
$C\tanh(\ell)$，它把这个梯度乘上 $C(1-\tanh^2\ell)$；而它的 Adam 优化器还会重新缩放步长（笔记本 02）。
</details>

回到真正的控制器。下面是一个采样到的子模型和它在损失里的那一项：
""",
    "theta_step": r"""
训练器做的正是这件事：每次 θ 更新采样 $K$ 个子模型，每个在一个验证小批量上打分。它还在每个奖励上加一点熵奖励：
策略沿这个子模型的采样路径、各个决定的熵之和（笔记本 02 会讲为什么要加，以及为什么它只能重新加权这些样本）。
做一次 θ 更新：
""",
    "losses_check": r"""
**自测。**（1）如果每个被采样子模型的奖励都恰好等于基线，一次 θ 更新会让 θ 移动多少？
（2）为什么不能直接对 $R$ 做反向传播？

<details><summary><b>答案</b>（点击展开）</summary>

（1）完全不动：每个优势都是 0，损失的每一项都是 0（宏空间的跳跃惩罚除外）。没有基线的话，同样的奖励会把每个被采样的
子模型一视同仁地往上推。（2）$R$ 是准确率，数的是一个控制器并不运行的网络做对了多少次 argmax 判断：控制器只做
离散的选择，而离散的样本对产生它的概率没有梯度。对数导数技巧把导数转移到了 $\log P$ 上，而 $\log P$ 是有梯度的。
</details>
""",
}

STRINGS = {
    "loss_after": "同时测出这一步之后同一小批量上的损失",
    "shared_step": r"""
    f"在 `{r.arch}` 上用 {trainer.config.batch_size} 个样本的小批量做一次 ω 更新："
    f"这个小批量上的 $L_{{shared}}$ 从 **{r.loss:.3f}** 变为 **{r.loss_after:.3f}**；"
    f"**{len(net.block_names)} 个权重块中只有 {len(r.updated)} 个**得到梯度："
    f"{', '.join(r.updated)}。"
""",
    "toy": "每个决定一个 logit 向量，全为 0：均匀策略；不用 tanh，logit 就是原始参数",
    "by_hand": r"""
    f"PyTorch：$\\partial L / \\partial \\ell_{{stem}} = {g_stem:+.3f}$，"
    f"$\\partial L / \\partial \\ell_{{node1}} = {g_node1:+.3f}$。"
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
}
