"""Notebook 03 in Chinese: the translation of nb03_fidelity's markdown and «name» strings, no code.

Regenerate (from the repository root):  python -m notebooks.generator

Owns: the Chinese text of sections 1-3 of notebook 03, and `ZH`, the whole translation (with
nb03_search_zh's). Must not: hold code; every key must match a cell (cells.build checks both ways).
"""

from __future__ import annotations

from . import nb03_search_zh
from .cells import Translation

MARKDOWN = {
    "intro": r"""
# 排名可信度：共享权重说的是真话吗？

ENAS 从不单独训练子模型。它用共享权重读出每个子模型的好坏，并相信由此得到的*排名*。这个排名对吗？通常没人能检验，
因为那意味着要把每个子模型都从头训练一遍。对教学空间，工作台恰好附带了这份数据：**每个子模型都单独训练过**。所以在
这里我们可以逐个比较：共享权重在哪里抬高了一个子模型、在哪里冤枉了它；ω 更新时子模型的采样方式是否重要；以及在同样
的计算量下，ENAS 能否胜过朴素的随机搜索。在笔记本电脑的 CPU 上大约两分钟。
""",
    "run": r"""
## 1. 共享权重与真值对比

我们像笔记本 01 那样运行 ENAS，然后用共享权重给**每一个**子模型打分：每个子模型在验证集上做一次前向计算。训练过程中，
每个 epoch 之后我们还测一次共享权重给 1000 个随机子模型排名的好坏（第 2 节解释这个指标）。单算训练所用的 CPU 时间
会被记下来：第 4 节给其他采样器同样多的时间。
""",
    "tau": r"""
如果共享权重如实地给子模型排名，这团点应该从左下往右上升。是这样吗？颜色（4 个节点中有几个选了 `identity`）暗示了
为什么不是（第 3 节）。

## 2. 肯德尔 τ，以及该拿它和什么比

肯德尔 τ 逐对比较两个排名。在所有 $n_0 = \binom{n}{2}$ 对子模型中，数出两个排名顺序相同的对数（一致对，$n_c$）和
顺序相反的对数（不一致对，$n_d$）。没有并列时，$\tau_a = (n_c - n_d)/n_0 \in [-1, 1]$。共享权重下的准确率有很多
**并列**（在 1000 个验证样本上，准确率最多只有 1001 种取值），所以工作台和 SciPy 一样，计算经过并列校正的 **τ-b**：

$$\tau_b = \frac{n_c - n_d}{\sqrt{(n_0 - n_1)\,(n_0 - n_2)}},\qquad n_1 = \sum_i \binom{t_i}{2},\quad
n_2 = \sum_j \binom{u_j}{2},$$

其中 $t_i$（$u_j$）是第一个（第二个）排名中各组并列值的大小。$\tau = 1$：顺序相同；$\tau = 0$：毫无关系；
$\tau = -1$：完全颠倒。更直观的读法：随机抽两个子模型，共享权重给它们排的先后与真值一致的概率约为 $(1 + \tau)/2$。

### 练习 1：猜一猜 τ

运行下面的单元之前：你预计这次运行的共享权重准确率与单独训练的真值之间的 τ 是多少？把它写进 `MY_GUESS`。
""",
    "ceiling": r"""
**该拿 τ 和什么比。** 真值本身也有噪声：换一个种子训练同一个子模型，它的准确率就会变。表里有一部分子模型训练了第二个
种子，两个种子之间的 τ 衡量的就是这份噪声。它**不是**任何代理指标都无法超越的上限：它比较的是两个都带噪声的测量。
一个没有噪声的代理指标（每个子模型的期望准确率）与一个带噪声的种子比较，一致性会更高：如果两个种子的相关系数是 $r$，
每个种子与无噪声值的相关系数约为 $\sqrt{r}$。所以种子间一致性是一个完美代理指标对照我们这份带噪声真值所能达到的
*下界*。
""",
    "flatter": r"""
<details><summary><b>答案</b>（练习 1）</summary>

如果你猜高了，你并不孤单：共享权重看上去就像一个训练好的网络，于是人们以为它的排名也该像样。上面的单元给出了这次
运行的 τ；教师指南列出了我们在三个种子上测到的范围。重要的不是这个数字本身，而是拿它和什么比：抛硬币（$\tau = 0$）、
同一次运行在各 epoch 之间的摆动，以及真值自身的种子间一致性（无噪声的代理指标可以超过它）。
</details>

## 3. 谁被抬高，谁被冤枉

上面的 `wb.fidelity.rank_shifts` 给每个子模型排了两次名：按共享权重准确率，和按单独训练准确率（第 1 名最好）。共享
权重排得比它应得的高出很多的子模型是**被抬高**的；排得低很多的是**被冤枉**的（`places_gained` = 真实排名 − 共享
排名）。按 4 个节点中选了 `identity` 的个数分组，各组的平均值：
""",
    "why_identity": r"""
如果表里 identity 居多的子模型确实被抬高了，原因何在？
`identity` 没有权重。由 identity 组成的子模型只经过 `stem` 和 `classifier`，而这两个块在**每一次** ω 更新
中都会被训练，不管采样到的是哪个子模型。一串非线性操作则需要的块各自只分到很少的 ω 更新（光是节点 4 就有 12 个带
权重的候选），所以在共享权重上它训练不足，而单独训练时它很可能名列前茅。共享权重衡量的，既是子模型本身有多好，
也是*它的块得到了多少训练*。这在一定程度上是教学空间的性质（identity 不带权重，每个（节点，输入，操作）各有一份
权重），笔记本 02 讲过这一点。

**自测。** 一个与真值的 τ = 0.3 的代理指标，能用来挑出最好的那一个子模型吗？

<details><summary><b>答案</b>（点击展开）</summary>

单靠它很难：τ 平等地对待每一对，而其中大多数对都是两个平庸的子模型；挑出最好的子模型只取决于排名的顶端。要看
前 k 名的重合度，以及代理指标最偏爱的子模型真实地站在哪里（百分位、遗憾值），报告里正是这样做的。
</details>
""",
}

STRINGS = {
    "threads": "这里的网络很小：单线程最快",
    "seed": "改一改再从头运行：哪些结论还成立？",
    "colors": "对色盲友好，每组一种颜色",
    "table": "每次单独训练一行",
    "truth": "每个子模型的测试准确率，对它的各个种子取平均",
    "projector": "工作台的样式：投影仪上也看得清的大字号，白色背景",
    "run_for": "一直训练，直到本进程在它上面花掉 `cpu_seconds` 的 CPU 时间：不论机器多忙，计算量都相同",
    "table_story": r"""
    f"**{truth.size:,} 个子模型**在 MNIST-1D 上单独训练，每个用 Adam 训练 {recipe['epochs']} 个 epoch"
    f"（学习率 {recipe['lr']:g}，批大小 {recipe['batch_size']}）：总共 {hours:.1f} 个 CPU 小时。种子："
    + "，".join(f"{n:,} 个子模型用种子 {s}" for s, n in seeds.items())
    + f"。单独训练的测试准确率从 {truth.min():.3f} 到 {truth.max():.3f}"
    f"（中位数 {truth.median():.3f}）。最好的子模型：`{truth.idxmax()}`。"
""",
    "hist_x": '"单独训练的测试准确率"',
    "hist_title": '"教学空间的每个子模型，单独训练"',
    "shared": "每个子模型，用共享权重",
    "shifts": "每个子模型的两种准确率和两种排名",
    "x_label": '"单独训练准确率"',
    "y_label": '"共享权重准确率"',
    "colour_label": '"identity 操作数"',
    "scatter_title": 'f"{len(shifts):,} 个子模型：训练 {EPOCHS} 个 epoch 后的共享权重与真值对比"',
    "guess": "把你对 τ 的猜测写在这里，例如 0.3，然后运行下面的单元",
    "no_guess": '"你没有写下猜测。"',
    "your_guess": 'f"你猜的是 {MY_GUESS}：相差 {rep.kendall_tau - MY_GUESS:+.3f}。"',
    "tau_story": r"""
    guess + f"在 {rep.n:,} 个子模型上，共享权重达到 **τ = {rep.kendall_tau:.3f}**"
    f"（斯皮尔曼 ρ = {rep.spearman_rho:.3f}）：随机一对子模型的先后与真值一致的概率约为 "
    f"**{(1 + rep.kendall_tau) / 2:.0%}**（50% 就是抛硬币）。{shared.size:,} 个共享权重准确率只有 "
    f"{shared.nunique():,} 种不同取值，所以要用 τ-b。在真实的前 10 / 100 / 500 名中，共享权重把 "
    + " / ".join(f"{share:.0%}" for share in rep.top_k.values())
    + f" 排进了自己的前 10 / 100 / 500 名。共享权重评价最高的子模型 `{picked['arch']}`，真实排名是 "
    f"{picked['of']:,} 个中的第 {picked['rank']:,} 名（好于 {picked['percentile']:.0f}% 的子模型；"
    f"比最好的低 {picked['regret']:.3f}）。"
""",
    "pearson": "两个单独训练种子之间的皮尔逊相关系数",
    "reach": "在正态噪声下，相关系数 √r 对应的肯德尔 τ（Greiner 关系）",
    "ceiling_story": r"""
        f"同样的 {ceiling['n']:,} 个子模型，两个单独训练种子之间的 τ = {ceiling['kendall_tau']:.3f}"
        f"（一对子模型先后一致的概率为 {(1 + ceiling['kendall_tau']) / 2:.0%}），相关系数 r = {r:.3f}。"
        f"无噪声的代理指标与一个种子的相关系数约为 √r = {math.sqrt(r):.3f}，在正态噪声下相当于 "
        f"τ ≈ {reach_tau:.3f}。共享权重的 τ = {rep.kendall_tau:.3f}，"
        + ("高于" if rep.kendall_tau > ceiling["kendall_tau"] else "低于")
        + "种子间一致性。"
""",
    "one_seed": '"表里只有一个种子，所以这里无法衡量真值的噪声。"',
    "epoch_label": '"epoch"',
    "tau_label": '"肯德尔 τ（1000 个随机子模型）"',
    "tau_title": '"共享权重给子模型排名的好坏，逐个 epoch"',
    "seed_line": '"种子间一致性"',
    "swing_story": r"""
    f"各 epoch 之间，τ 在 {min(tau_by_epoch):.3f} 和 {max(tau_by_epoch):.3f} 之间摆动："
    f"共享权重的某一个快照是个嘈杂的裁判。下面两次运行之间小于 {swing:.2f} 的 τ 差异，"
    f"可能只是这种噪声。"
""",
    "flatter_story": r"""
    f"有 {most} 个 identity 操作的子模型，在共享权重上平均**上升 {gained[most]:+,.0f} 名**"
    f"（单独训练时平均 {true_acc[most]:.3f}）；有 {least} 个的子模型平均**下降 {-gained[least]:,.0f} 名**"
    f"（单独训练时平均 {true_acc[least]:.3f}）。被抬高最多和被冤枉最多的子模型"
    f"（两种准确率都相同的子模型只列一次）："
""",
}

ZH = Translation(
    markdown={**MARKDOWN, **nb03_search_zh.MARKDOWN},
    strings={**STRINGS, **nb03_search_zh.STRINGS},
)
