"""Notebook 05 in Chinese: the translation of nb05_micro's markdown cells and «name» strings, no code.

Regenerate (from the repository root):  python -m notebooks.generator

Owns: the Chinese text of notebook 05. Must not: hold code; every key must match a cell of nb05_micro
(cells.build checks both ways).
"""

from __future__ import annotations

from . import glossary
from .cells import Translation

MARKDOWN = {
    "intro": r"""
# ENAS 微空间：搜索一个单元

ENAS 论文在 CIFAR-10 上最好的结果不是搜索一整个网络，而是搜索一个小小的**单元**（cell）：一个普通单元和一个降采样单元，
再把它们的副本堆叠起来，这就是**微空间**（第 2.4 节）。这里我们在 scikit-learn 的 8×8 手写数字（10 个类别）上运行它，
用论文的 5 节点单元、5 个单元的堆叠和 8 个通道（论文是 20 个）。一路上会看到：单元是什么、一共有多少个（以及为什么论文
的计数和我们的不同）、一次简短的搜索及其策略视图和权重更新视图，以及最后导出的子模型。
在笔记本电脑的 CPU 上大约一分半钟。
""",
    "cell": r"""
## 1. 有 B 个节点的单元

一个单元读两个输入：`in0`，往前数第二个单元的输出；`in1`，前一个单元的输出。它的 $B$ 个节点每个做**四个决定**：两个输入
$x$ 和 $y$（各从 `in0`、`in1` 和更早的节点中选），以及各自的操作，共五种：3×3 或 5×5 可分离卷积、3×3 平均池化或最大
池化、恒等映射。节点的输出是两个分支之和。没有任何节点读取的输出（**悬空端**，loose ends）被拼接起来，再由一个 1×1 卷积
映射回单元的通道数。控制器挑选**一个普通单元和一个降采样单元**；网络重复使用它们，降采样单元把通道数加倍、分辨率减半。

**预测：** 在一个随机子模型里，普通单元的输出中有几个是悬空端？
""",
    "size": r"""
<details><summary><b>答案</b>（点击展开）</summary>

每个子模型都不一样：上面那一行数出了这个子模型的。节点 $B$ 总是悬空端（它后面没有节点），任何没被后面的节点选中的
输入或节点也是；$B$ 个节点在 $B + 2$ 个输出中做 $2B$ 次选择，通常会剩下几个。
</details>

## 2. 搜索空间有多大？

节点 $i$ 有 $i + 1$ 个候选输入（`in0`、`in1`、节点 $1..i-1$），它的两个分支各有 5 种操作：共 $\big(5(i+1)\big)^2$
种选择。一个单元有 $\prod_{i=1}^{B} \big(5(i+1)\big)^2 = \big((B+1)!\big)^2\,5^{2B}$ 种，两个单元合起来

$$|\mathcal{A}_B| \;=\; \big((B+1)!\big)^4\cdot 5^{4B}.$$

论文给出的是 $(5\,(B-2)!)^4$，其中 $B = 7$，把单元的两个输入也算作节点：我们的 5 个节点加上这 2 个。这个式子数的并不是
控制器所做的选择。

### 练习 1：手算一个 2 节点的单元

$B = 2$ 时有多少种普通单元？先算出来，再运行下面的单元。
""",
    "search": r"""
<details><summary><b>答案</b>（点击展开）</summary>

节点 1：2 个输入 × 5 种操作，两个分支各一次，$10^2 = 100$。节点 2：3 个输入 × 5 种操作，$15^2 = 225$。一个单元：
$100 \cdot 225 = 22{,}500$，表中 $B = 2$ 那一行正是它的平方（一个普通单元和一个降采样单元）。
</details>

## 3. 一次简短的搜索

ENAS 的微空间搜索改了控制器的两处：logit 先除以**温度** 5，再用**tanh 常数** 1.1 压缩（操作的 logit 用 1.1 / 2.5），
让早期的策略保持平坦。工作台对这个空间的默认值（`wb.TrainerConfig.for_space`）沿用了这两个值，另外用更小的小批量、每个
epoch 更少的 θ 更新，以适应手写数字数据和 CPU。**预测：** 几个 epoch 之后，策略会远离均匀分布吗？
""",
    "policy": r"""
<details><summary><b>答案</b>（点击展开）</summary>

不会太远：上面那一行把熵和均匀策略的熵做了比较。logit 除以 5 之后，控制器要很多次 θ 更新才会做出取舍；ENAS 跑了 150 个
epoch。
</details>

策略沿它最可能的子模型的样子，以及再做一次 θ 更新会改变什么：
""",
    "heatmap": r"""
ω 更新训练了哪些权重：每个分支按（单元层、节点、分支、输入、操作）各有自己的可分离卷积权重，所以超网络里有很多权重块，
每个子模型只训练其中很少一部分。
""",
    "derive": r"""
## 4. 导出一个子模型

ENAS 这样结束搜索：从策略中采样子模型，用共享权重在一个验证小批量上给每个打分，留下最好的那个。我们还在整个验证集上
给策略的 20 个子模型和 20 个均匀随机的子模型打分。
""",
    "summary": r"""
**自测。** 两个子模型的普通单元相同，降采样单元不同。它们共享哪些权重？

<details><summary><b>答案</b>（点击展开）</summary>

stem、分类器，以及每个普通单元层里两者共同做出的那些（节点、分支、输入、操作）选择的权重块；在降采样单元层里，只有它们
碰巧相同的那些选择。权重块也按单元层区分，所以同一个选择在两个层里有两套权重。
</details>

## 练习

1. 用 `for_space(space, temperature=1.0)` 把温度设为 1.0 再运行：现在熵下降得多快？
2. 设 `num_nodes=2`：有多少个决定、多少个子模型？导出的子模型比随机子模型领先得更多吗？
3. 数一数超网络的权重块（`len(wb.Supernet(space, data.input_shape, 10).block_parameters())`）和一个子模型的
   （`len(space.blocks_for(arch))`）：一次 ω 更新训练了 ω 的多大一部分？

<details><summary><b>答案</b>（点击展开）</summary>

1. 更快：不再除以 5，同样的 θ 更新会让概率移动得更远。和第 3 节那一行的熵比较。
2. $5 \cdot 4 \cdot 2 = 40$ 个决定变成 $2 \cdot 4 \cdot 2 = 16$ 个，子模型数见表中 $B = 2$ 那一行。小空间在几个 epoch
   内更容易学；领先是否变大，看第 4 节那一行。
3. 一个子模型在每个单元层里每个分支用一个权重块，再加上单元的输出，只占超网络的一小部分：大多数权重块要等很多次 ω 更新
   才轮到下一次，热力图显示了这一点。
</details>

## 小结

* 微空间搜索一个普通单元和一个降采样单元，各有 $B$ 个节点，每个节点是两个（输入、操作）分支之和：共
  $\big((B+1)!\big)^4\cdot 5^{4B}$ 个子模型；论文的 $(5\,(B-2)!)^4$ 数的是别的东西。
* ENAS 的微空间控制器把 logit 除以温度 5，tanh 常数用 1.1：策略平坦，做出取舍很慢。
* 导出的子模型是策略的样本中、在一个小批量上用共享权重得分最好的：只是代理指标，要单独训练后才能信任（笔记本 04）。
""",
    "glossary": glossary.markdown(
        ["supernet", "child", "controller", "weight_block", "tanh_constant", "entropy", "proxy"], "zh"
    ),
}

STRINGS = {
    "threads": "这里的网络很小：单线程最快",
    "seed": "改一改再从头运行：哪些结论还成立？",
    "colors": "对色盲友好，每组一种颜色",
    "digits": "8x8 灰度图像，固定的训练 / 验证 / 测试划分，与笔记本 04 相同",
    "data_story": r"""
f"{len(y):,} 张训练图像，形状为 {tuple(X.shape[1:])}（通道、高、宽），"
                 f"{data.num_classes} 个类别。"
""",
    "space": "与论文一样 B = 5 个节点；为适应 CPU，用 3 + 2 个单元层和 8 个通道",
    "cell_story": r"""
f"{space.num_nodes} 个节点 × 4 个决定 × 2 个单元 = **{len(space.decisions)} 个决定**。"
                 f"堆叠：`{stack}`（N 普通，R 降采样），通道数从 {space.channels} 开始。"
                 f"这个子模型的悬空端：普通单元 {', '.join(loose['normal'])}；"
                 f"降采样单元 {', '.join(loose['reduce'])}。"
""",
    "sci": r"把 n 写成 LaTeX：1,728 或 1.6 \times 10^{29}",
    "size_columns": '("子模型数（两个单元）", "论文的计数")',
    "size_head": r"""
f"| 节点数 $B$ | {SIZE_COL} | {PUBLISHED_COL} |\n|---|---|---|\n"
""",
    "size_story": r"""
f"$B = 2$ 时两个单元合起来：{sizes[2].size():,}，是一个单元数目的平方。在论文的单元"
    f"（这里 $B = 5$）：${sci(space.size())}$ 个子模型，而论文给出的是 ${sci(space.published_size())}$。"
""",
    "config_story": r"""
f"温度 {config.temperature:g}，tanh 常数 {config.tanh_constant:g}，小批量 {config.batch_size}："
                 f"{EPOCHS} 个 epoch 里 {len(trainer.history.shared())} 次 ω 更新、{len(records)} 次 θ 更新。"
                 f"策略的熵从 {records[0].entropy:.2f} 变为 **{records[-1].entropy:.2f}** nats；"
                 f"均匀策略的熵是 {uniform_entropy:.2f}。"
""",
    "derive": "策略采样的 20 个子模型中最好的一个，每个都在同一个验证小批量上打分",
    "pick_columns": '("来源", "共享权重验证准确率")',
    "pick_groups": '("策略", "随机")',
    "pick_story": r"""
f"在整个验证集上，共享权重下的平均准确率：策略的子模型 **{means[POLICY]:.3f}**，随机子模型 "
                 f"**{means[RANDOM]:.3f}**。导出的子模型在它那个 {derived.batch_size} 样本的小批量上得分 "
                 f"{derived.accuracy:.3f}，在整个验证集上得分 {trainer.evaluate(derived.arch):.3f}："
""",
}

ZH = Translation(markdown=MARKDOWN, strings=STRINGS)
