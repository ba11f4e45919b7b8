"""Notebook 00 in Chinese: the translation of nb00_first_steps's markdown cells and «name» strings, no code.

Regenerate (from the repository root):  python -m notebooks.generator

Owns: the Chinese text of notebook 00. Must not: hold code; every key must match a cell of
nb00_first_steps (cells.build checks both ways).
"""

from __future__ import annotations

from . import glossary
from .cells import Translation

MARKDOWN = {
    "intro": r"""
# 第一步：手动完成一轮 ENAS 交替训练

ENAS 轮流训练两样东西。**阶段 1** 冻结控制器 $\theta$，训练它采样出的那一个子模型（child）所用的共享权重
$\omega$。**阶段 2** 冻结 $\omega$，把 $\theta$ 往得分高的子模型方向推。用 **Shift+Enter** 逐个运行单元；
整个笔记本几秒钟就能跑完。

这些笔记本的用法：遇到**预测**，先写下你的答案，*再*运行下一个单元；每节末尾的**自测**有一两个问题。
所有答案都折叠在“点击展开”里：先自己想，再打开看。
""",
    "decisions": r"""
一个子模型就是对每个决定各做一次选择：每个节点选一个输入和一个操作。`str(arch)` 读起来就像网络本身。
""",
    "phase1": r"""
## 阶段 1：三次 $\omega$ 更新（冻结 $\theta$）

每一步从控制器采样一个子模型，在一个训练小批量上计算
$L_{shared} = \frac{1}{B}\sum_b \mathrm{CE}(f(x_b;\omega_{child}), y_b)$，然后更新 $\omega$。
只有这个子模型用到的权重块会得到梯度。

**预测：** stem 和 classifier 在每个子模型的路径上；4 个节点各自使用 `relu`、`tanh` 或 `sigmoid`
（各有自己的权重），或者 `identity`（没有权重）。一次 ω 更新最多能更新几个权重块？最少几个？
""",
    "phase2": r"""
<details><summary><b>答案</b>（点击展开）</summary>

最多 6 个：没有节点选 `identity` 时，是 stem、classifier 再加每个节点一个块。最少 2 个：全
由 identity 组成的子模型只经过 stem 和 classifier。上面每一行都列出了这一步更新的块。
</details>

## 阶段 2：一次 $\theta$ 更新（冻结 $\omega$）

控制器采样若干子模型，每个子模型的奖励 $R$ 是它在一个验证小批量上的准确率。REINFORCE 最小化
$-(R - b)\log P(m;\theta)$，其中 $b$ 是过去奖励的滑动平均（基线）。

**预测：** 现在还没有见过任何奖励，所以第一个子模型之前没有基线。训练器用第一个奖励来初始化基线。
第一个子模型的优势 $R - b$ 是多少？它对 θ 的推动有多大？
""",
    "records": r"""
<details><summary><b>答案</b>（点击展开）</summary>

恰好是 0：基线就*从*第一个奖励开始，所以第一个子模型的优势是 $R - R = 0$，它那一项 $-(R-b)\log P$
不产生任何梯度。从第二个子模型起，基线才有过去的奖励可以比较。
</details>

每一步都留下一条记录，整理成表格：
""",
    "counts": r"""
再看每个共享权重块到目前为止被更新了几次：左图数的是让这个块得到梯度的 ω 更新次数，右图数的是让它的值
发生变化的次数（每行是一个节点及其输入，每列是一个操作）。
""",
    "summary": r"""
## 自测

1. θ 更新改变了共享权重吗？ω 更新改变了 θ 吗？
2. 每次 ω 更新后，被训练的那个小批量上的损失都下降了。这能证明子模型变好了吗？

<details><summary><b>答案</b>（点击展开）</summary>

1. 都没有：每个阶段都冻结另一方的参数。θ 更新期间，上面的更新计数没有变化；ω 更新也从不碰控制器。
2. 不能：在 64 个样本的一个小批量上走一步，可能只是拟合了这个小批量，对别的样本未必有用。
   子模型是否变好，要在验证数据上衡量（θ 更新里的奖励），最终还要和单独训练的子模型比较（笔记本 03）。
</details>

## 小结

* 一次 ω 更新：采样一个子模型，取一个小批量，对它路径上的权重块做一次优化器更新；别的都不动（PyTorch 会跳过
  没有梯度的权重；ENAS 的 TensorFlow 代码连它们也会移动，见笔记本 01 练习 3）。
* 一次 θ 更新：在验证小批量上给 K 个子模型打分，再做一次 REINFORCE 更新，推向高于基线的子模型；
  第一个奖励用来初始化基线。
* 每一步都留下一条不可变的记录（`trainer.history`），并更新每个块的计数（`update_counts`）。
""",
    "glossary": glossary.markdown(
        ["supernet", "child", "weight_block", "omega_step", "theta_step", "reward", "baseline", "advantage"], "zh"
    ),
    "next": r"""
## 下一步

* `01_weight_sharing_tour.zh.ipynb`：画出超网络，共享为什么省时间，两个损失函数，以及交互应用。
* `02_controller_collapse.zh.ipynb`：控制器坍缩到一个廉价的子模型上，以及 ENAS 的补救办法。
* `workbench.ipynb`：单独的交互应用（投影仪上用：`make classroom`）。
""",
}

STRINGS = {
    "threads": "这里的网络很小：单线程最快",
    "seed": "改一改再从头运行：哪些数字会变？",
    "trainer_parts": "MNIST-1D、一个 4 节点的 DAG 单元、ENAS 的 LSTM 控制器",
    "loss_after": "同时测出这一步之后同一小批量上的损失",
    "step_line": r"""
f"   损失 {r.loss:.3f} -> {r.loss_after:.3f}；更新了 {n_blocks} 个权重块中的 {len(r.updated)} 个："
          f"{', '.join(r.updated)}"
""",
    "theta_line": r"""
f"第 {c.step} 步：{len(c.archs)} 个子模型，平均奖励 {c.reward:.3f}，"
      f"基线 {c.baseline:.3f}，平均优势 {c.advantage:+.3f}"
""",
    "first_line": r"""
f"第一个子模型：奖励 {first.reward:.3f}，优势 {first.advantage:+.3f}"
""",
    "counts_line": r"""
f"{counts.steps} 次 ω 更新之后，{len(counts.blocks)} 个权重块中有 {touched} 个得到过梯度；"
                 f"`stem` 和 `classifier` 每一步都得到梯度（{counts.grad['stem']} 次）。"
""",
}

ZH = Translation(markdown=MARKDOWN, strings=STRINGS)
