"""Notebook 02 in Chinese: the translation of nb02_collapse's and nb02_remedies's markdown and «name» strings.

Regenerate (from the repository root):  python -m notebooks.generator

Owns: the Chinese text of section 1 of notebook 02, and `ZH`, the whole translation (with
nb02_remedies_zh's). Must not: hold code; every key must match a cell (cells.build checks both ways).
"""

from __future__ import annotations

from . import nb02_remedies_zh
from .cells import Translation

MARKDOWN = {
    "intro": r"""
# 故意让控制器坍缩

当策略 $P(m;\theta)$ 在共享权重还远不能区分子模型好坏的时候，就把几乎全部概率押在一个子模型（或一小类子模型）上，
我们就说控制器**坍缩**了，即控制器坍缩（controller collapse）：策略过早地收敛到少数几个子模型上。从此 ENAS 不再搜索：
每次 ω 更新采样的都是同一个子模型，于是只有它的权重得到训练，于是它得分更高，于是它被采样得更多。

在这个笔记本里，我们故意弄坏一个控制器，从三个视图观察坍缩，然后把 ENAS 的补救措施一个一个加回去。文中每个数字都由
单元计算得出。在笔记本电脑的 CPU 上大约一分钟。
""",
    "recipe": r"""
配方：控制器学习率是 ENAS 的 50 倍，不加熵奖励，也不用 tanh 常数（第 2 节会讲它们各自的作用）。其余都保持教学空间的
默认值。

## 1. 看着它坍缩

**预测：** 下面这次运行一共做 60 次 θ 更新。策略的熵一开始接近最大值（均匀策略）。要经过多少次 θ 更新，它会丢掉一半：
5 次、20 次、50 次，还是永远不会？
""",
    "policy_history": r"""
**策略随时间的变化。** 每一行是某个决定的一个选项，每一列是一次 θ 更新；颜色表示沿控制器最偏爱的子模型、这个选项的
概率。健康的策略会在很长时间里保持斑驳；正在坍缩的策略会变成几条实线，下面的熵那几行也会变暗。这一个是哪一种？
""",
    "heatmap": r"""
**共享权重。** 如果几乎每次 ω 更新采样的都是同一个子模型，那就只有它的权重块得到训练：热力图上少数几格发烫，
超网络的其余部分停在原地。
""",
    "report": r"""
**坍缩报告**汇总了最近 50 个被采样子模型的证据：策略保留了最大熵的多少、采样到了多少个不同的子模型、出现最多的那个
占多大比例，以及 `identity` 操作的占比（一条不带权重的捷径，训练起来很便宜）。每项检查都有警告和警报两道阈值；
只要有一项报警，结论就是 *collapsed*（已坍缩）。
下面表格里的结论列用的是这三个英文代码：healthy（健康）、warning（警告）、collapsed（已坍缩）。
""",
    "adam": r"""
**坍缩到廉价子模型是自然规律吗？** 在这个空间里，坍缩常常落在 identity 很多的子模型上（笔记本 03 会展示共享权重
把它们抬高了多少），而这在一定程度上是*教学空间*的性质，而非 ENAS 的性质：`identity` 没有权重，全由 identity 组成的子
模型只经过 stem 和 classifier，而这两块每次 ω 更新都会训练；另外每个（节点，输入，操作）都有自己的权重，
所以一个带权重操作的块只能分到很少的训练步。在 ENAS 的循环单元（RNN cell）里，权重矩阵属于（节点，输入）这一*对*，
激活函数（tanh、ReLU、identity 或 sigmoid）在它之后才作用：不论选哪种激活，训练的都是同一个矩阵，identity 也不是
免费的（工作台也提供这个空间：`wb.spaces.get("recurrent")`）。这次运行最偏爱的子模型是否 identity 居多，
上面的单元已经告诉你了。

### 为什么这么快？Adam 与步长

ENAS 用 Adam 训练 θ，$\beta_1 = 0$，$\beta_2 = 0.999$，$\epsilon = 10^{-3}$。当 $\beta_1 = 0$ 时，一步是
$\Delta\theta = -\alpha\, g_t / (\sqrt{\hat v_t} + \epsilon)$，其中 $\hat v_t$ 是此前梯度平方的滑动平均
（经过偏差校正）。在**第一步**，$\hat v_1 = g_1^2$，所以不论优势多大，每个参数都移动大约一个学习率 $\alpha$。
此后 $\hat v_t$ 记得之前的梯度：只有当前梯度和最近的梯度一样大时，一步才约等于 $\alpha$。

**预测：** 一个参数先连续五步得到梯度 1，再连续五步得到 0.01。第六步的步长和第一步相比有多大？
""",
    "adam_answer": r"""
<details><summary><b>答案</b>（点击展开）</summary>

小得多，表中写得很清楚：“不论优势多大，Adam 都让每个参数移动大约一个学习率”只在**第一步**成立。之后，一步等于当前
梯度除以此前梯度平方的平均值的平方根，而这个平均值遗忘得很慢（$\beta_2 = 0.999$：大约记得一千步），所以大梯度之后
的小优势只带来小步长。让配方坍缩得这么快的，其实是 50 倍于 ENAS 的学习率、没有东西限制 logit（没有 tanh 常数），
以及本笔记本开头说的反馈循环：最受偏爱的子模型的块得到训练，于是它得分更高，于是它被采样得更多。
</details>

**自测。** 坍缩后最受偏爱的子模型在共享权重上得分很高。它是一个好的子模型吗？

<details><summary><b>答案</b>（点击展开）</summary>

单凭共享权重无法判断：它在大多数 ω 更新里都被训练，而它的对手没有，所以它的分数被它分到的训练量抬高了。
只有单独训练才能下结论（笔记本 03 会把两者放在一起比较）。
</details>
""",
}

STRINGS = {
    "threads": "这里的网络很小：单线程最快",
    "seed": "改一改再从头运行：哪些结论还成立？",
    "recipe": "让控制器坍缩的配方",
    "search": "用坍缩配方新建一个训练器，再叠加 `changes`，运行 `epochs` 个 epoch",
    "off": '"关"',
    "col_enas": '"ENAS 默认值"',
    "col_recipe": '"坍缩配方"',
    "h_max": "均匀策略的熵，单位 nat",
    "collapse_story": r"""
    f"{EPOCHS} 个 epoch：{len(broken.history.shared())} 次 ω 更新、{len(steps)} 次 θ 更新。"
    f"被采样子模型的熵一开始是 {steps[0].entropy:.2f} nats（最大值是 {h_max:.2f}），"
    + (f"在第 {half} 次 θ 更新（共 {len(steps)} 次）时降到了一半以下。" if half
       else "始终没有降到一半以下。")
    + f"控制器现在最偏爱的子模型：`{broken.controller.most_likely()}`。"
""",
    "heat_story": r"""
    (f"最受偏爱的子模型的 {len(fav_blocks)} 个操作块，拿到了整次运行中所有操作块更新的 "
     f"**{fav_updates / max(all_updates, 1):.0%}**（它们只占操作块的 {len(fav_blocks) / len(op_blocks):.0%}）。"
     if fav_blocks else
     "最受偏爱的子模型全由 identity 组成：它没有操作块，所以在它上面的 ω 更新只训练 stem 和 classifier。")
    + f"从未被更新过的操作块：{len(op_blocks)} 个中的 {cold} 个。"
""",
    "verdict_line": r"""
    f"结论：**{report.verdict_text}**。" + "；".join(report.reasons) + "。"
    f"最受偏爱的子模型有 {n_identity} 个 `identity` 操作（共 {space.num_nodes} 个节点）；"
    f"在最近采样的子模型中，`identity` 占全部操作的 {report.identity_skip_rate:.0%}。"
""",
    "adam_steps": "按 ENAS 的设置，Adam 每一步的步长，以学习率为单位",
    "adam_story": r"""
    "| 步 | " + " | ".join(str(i) for i in range(1, len(grads) + 1)) + " |\n"
    + "|---" * (len(grads) + 1) + "|\n"
    + "| 梯度 | " + " | ".join(f"{g:g}" for g in grads) + " |\n"
    + "| 步长 / 学习率 | " + " | ".join(f"{s:.3f}" for s in sizes) + " |\n\n"
    + f"第一个梯度为 1 时，参数移动 {sizes[0]:.2f} 倍学习率；如果第一个梯度单独是 0.01，"
    f"它会移动 {small_first:.2f} 倍。但在五个为 1 的梯度之后，梯度 0.01 只让参数移动 {sizes[5]:.3f} 倍，"
    f"五步之后也只有 {sizes[-1]:.3f} 倍。"
""",
}

ZH = Translation(
    markdown={**MARKDOWN, **nb02_remedies_zh.MARKDOWN},
    strings={**STRINGS, **nb02_remedies_zh.STRINGS},
)
