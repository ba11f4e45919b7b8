"""Notebook 04 in Chinese: the translation of nb04_macro's markdown cells and «name» strings, no code.

Regenerate (from the repository root):  python -m notebooks.generator

Owns: the Chinese text of notebook 04. Must not: hold code; every key must match a cell of nb04_macro
(cells.build checks both ways).
"""

from __future__ import annotations

from . import glossary
from .cells import Translation

MARKDOWN = {
    "intro": r"""
# 手写数字上的 ENAS 宏空间

ENAS 论文逐层搜索一整个卷积网络：这就是**宏空间**。这里我们在真实的手写数字上运行它（scikit-learn 自带的 8×8 图像，
10 个类别），规模小到笔记本电脑的 CPU 也能跑：一个 6 层、8 个通道的网络，而不是论文里 CIFAR-10 上的 12 层。一路上
会看到：六种操作、跳跃连接以及约束它们的惩罚项、搜索空间增长得有多快、控制器的跳跃比例随时间的变化，以及它挑出的子
模型和随机子模型的对比。在笔记本电脑的 CPU 上大约一分半钟。
""",
    "ops": r"""
## 1. 六种操作与跳跃连接

第 $i$ 层接收第 $i-1$ 层的输出，并应用**六种分支**之一，每种分支都以一个 1×1 卷积开头（再接 BatchNorm 和 ReLU）：
3×3 或 5×5 卷积、3×3 或 5×5 深度可分离卷积（更便宜：每个通道一个 $k\times k$ 滤波器，再做 1×1 混合），或者 3×3 最大
池化或平均池化。然后，对**除它自己的输入之外的每一个更早的输出**（stem，记作第 0 层，以及第 $1,\dots,i-2$ 层），
它决定是否把这个输出作为一条**跳跃连接**加进来；从第 2 层起，分支的输出与选中的跳跃连接相加，再做批归一化。在第
$\lfloor L/3\rfloor$ 层和第 $2\lfloor L/3\rfloor$ 层之后，一个分解式降采样（factorized reduction）把分辨率减半。
所以第 $i$ 层要做 $1 + (i-1)$ 个决定：一个操作，$i-1$ 个跳跃。这正是 ENAS 公开的搜索代码里的分支结构。

**预测：** 第 1 层里哪种分支的权重最多？是 3×3 卷积的几倍？
""",
    "size": r"""
<details><summary><b>答案</b>（点击展开）</summary>

5×5 卷积。有 $C$ 个通道时，每种分支都以一个 1×1 卷积开头（$C^2$ 个权重）；一个 $k\times k$ 卷积再加 $k^2C^2$ 个，
所以是 $(1+25)\,C^2$ 对 3×3 的 $(1+9)\,C^2$：大约 2.6 倍（两者还各有 $4C$ 个 BatchNorm 参数；表里是精确的数目）。
可分离卷积在开头的 1×1 卷积之外，逐通道滤波器只需 $k^2 C$ 个权重，再加 1×1 混合的 $C^2$ 个；池化分支只有它的 1×1 卷积。
</details>

## 2. 搜索空间有多大？

$L$ 层中的每一层从 6 种操作中选一种，第 $i$ 层还有 $i-1$ 个跳跃决定，每个是“有”或“没有”：一共
$\sum_i (i-1) = \binom{L}{2} = L(L-1)/2$ 个，所以

$$|\mathcal{A}_L| \;=\; 6^{L}\cdot 2^{L(L-1)/2}.$$
""",
    "penalty": r"""
## 3. 有跳跃惩罚与没有跳跃惩罚的搜索

跳跃连接在网络中构成短路径，训练得快：如果早期共享权重奖励它们，控制器就可能越堆越多。ENAS 在控
制器的损失里加了一个惩罚：
每个跳跃决定的跳跃概率 $q$ 与目标比例 $\rho$ 之间的 KL 散度，在一层的跳跃决定内求和，再对各层取平均：

$$L_{\text{controller}} \mathrel{+}= \lambda\;\frac{1}{|\text{layers}|}\sum_{\text{layers}}\;
\sum_{\text{skips of the layer}}\mathrm{KL}\big(\mathrm{Bern}(q)\,\|\,\mathrm{Bern}(\rho)\big),\qquad
\mathrm{KL}\big(\mathrm{Bern}(q)\,\|\,\mathrm{Bern}(\rho)\big) = q\log\frac{q}{\rho} + (1-q)\log\frac{1-q}{1-\rho}.$$

### 练习 1：手算一个 KL

一个跳跃决定，$q = 0.8$，目标 $\rho = 0.4$：算出它的 KL 项（用自然对数），再运行下面的单元，让工作台来验算。
""",
    "runs": r"""
<details><summary><b>答案</b>（点击展开）</summary>

$0.8\ln(0.8/0.4) + 0.2\ln(0.2/0.6) = 0.8 \cdot 0.693 - 0.2 \cdot 1.099 \approx 0.555 - 0.220 = 0.335$ nats。KL 只在
$q = \rho$ 时为 0，向两边都会增大，所以惩罚会把跳跃概率从上方*和*下方都拉向目标。
</details>

同样的搜索跑两遍：一遍用 ENAS 的 $\lambda$，一遍 $\lambda = 0$。为了适合 CPU，规模比 ENAS 小：小批量 32，
每个 epoch 10 次 θ 更新、每次 5 个子模型，ω 和 θ 的学习率也更大。**预测：** 有惩罚和没有惩罚时，
跳跃比例最后各停在哪里？
""",
    "policy": r"""
<details><summary><b>答案</b>（点击展开）</summary>

上面那一行给出了这次运行的数字。有惩罚时，比例被拉向目标；没有惩罚时，比例跟着共享权重的奖励走，而早期这往往意味着
更多的跳跃连接。一个种子、12 个 epoch，证据很少：改一改 `SEED` 再比较。
</details>

控制器（有惩罚的那次）沿它最可能的子模型的策略，以及再做一次 θ 更新会改变什么：
""",
    "pick": r"""
## 4. 它挑出的子模型与随机子模型对比

ENAS 这样结束搜索：从训练好的策略中采样子模型，用共享权重在一个验证小批量上给每个打分，留下最好的那个，再从头训练它。
`trainer.derive(n=20)` 正是这样做的：从策略中采样 20 个子模型，全部在同一个小批量上打分。我们还在整个验证集上给这 20 个
子模型和 20 个均匀随机的子模型打分。

关于 BatchNorm 的一个细节：超网络的滑动平均统计量混合了到目前为止训练过的每个子模型的统计量。所以奖励
和 `trainer.evaluate` 默认都用每个批次自己的统计量来归一化（`bn="batch"`）；
`trainer.evaluate(arch, bn="running")` 则会改用滑动平均统计量。
""",
    "truth": r"""
## 5. 真相：单独训练它们

共享权重准确率只是一个代理指标。真正的检验是把每个子模型**从头**训练（用它自己的全新权重、Adam、固定的 epoch 数），
并在搜索从未见过的**测试**集上衡量。我们对 ENAS 挑出的子模型、最好的随机子模型，以及另外两个随机子模型这样做。
**预测：** ENAS 挑出的子模型还会排第一吗？
""",
    "summary": r"""
<details><summary><b>答案</b>（点击展开）</summary>

上面那一行说明了它在这次运行中排第几。四个子模型、一个种子，不足以证明 ENAS 挑得好：一个子模型可能在这里凭运气取胜，
换一个 `SEED` 就输了。笔记本 03 在一个更小空间的全部子模型上、在相同计算量下与随机搜索对比，认真地做了这件事。
</details>

**自测。** 为什么用 `bn="running"` 给共享权重上的子模型打分是错的，给单独训练的子模型打分却是对的？

<details><summary><b>答案</b>（点击展开）</summary>

超网络的滑动平均统计量是在到目前为止训练过的每个子模型的激活上累积出来的，所以它描述不了其中任何一个；用每个批次
自己的统计量归一化，每个子模型用的就是它自己激活的统计量。单独训练的子模型只在它自己的激活上累积滑动平均，
这份统计量描述的正是它自己。
</details>

## 练习

1. 设 `num_layers=12`（论文的深度）、`EPOCHS = 2`：现在一个 epoch 要多久？为什么？
2. 用 `skip_target=0.1` 运行搜索：控制器怎么处理跳跃连接？挑出的子模型变了吗？
3. 比较 `controller_lr=1e-3`（ENAS 的值）与这里用的 3e-3：12 个 epoch 里策略移动了多远？

<details><summary><b>答案</b>（点击展开）</summary>

1. 久得多：子模型的层数翻倍，每层要加的跳跃输入更多，控制器每次采样要做 78 个决定而不是 21 个；超网络里
   有 12 层 × 6 种分支。在 `run` 前后用 `time.perf_counter()` 计时。
2. 惩罚现在把跳跃概率拉向 10%，所以采样到的子模型跳跃连接很少，挑出的多半是一条朴素的链；它单独训练后是否更好，
   只有第 5 节能回答。
3. Adam 的步长与学习率成正比，所以用 1e-3 时，同样多的步数里 logit 只移动大约三分之一：策略会更接近均匀，
   它的子模型也更像随机子模型。用 `wb.viz.plot_policy` 和第 4 节的散点图检验。
</details>

## 小结

* 宏空间每层选一个操作，每对层选是否跳跃：共 $6^L\cdot 2^{L(L-1)/2}$ 个子模型。
* 跳跃惩罚是每个跳跃概率与目标值之间的 KL 散度，在层内求和、对各层取平均；它从两侧把跳跃比例拉向目标。
* 子模型在共享权重上用 BatchNorm 的批统计量打分；挑出的子模型要单独训练，才能知道它究竟值多少。
""",
    "glossary": glossary.markdown(
        ["supernet", "child", "controller", "skip", "batchnorm", "standalone", "proxy"], "zh"
    ),
}

STRINGS = {
    "threads": "这里的网络很小：单线程最快",
    "seed": "改一改再从头运行：哪些结论还成立？",
    "colors": "对色盲友好，每组一种颜色",
    "projector": "工作台的样式：投影仪上也看得清的大字号，白色背景",
    "digits": "8x8 灰度图像，固定的训练 / 验证 / 测试划分",
    "data_story": r"""
f"{len(y):,} 张训练图像、{n_val:,} 张验证图像和 {n_test:,} 张测试图像，"
                 f"形状为 {tuple(X.shape[1:])}（通道、高、宽）。前十张："
""",
    "label": '"标签"',
    "weights_col": '"第 1 层的权重数"',
    "layers_story": r"""
f"$L = {space.num_layers}$ 层时：{space.num_layers} 个操作决定和 "
                 f"{n_skip} 个跳跃决定。超网络中的一个随机子模型"
                 f"（虚线：它的跳跃连接）："
""",
    "sci": r"把 n 写成 LaTeX：1,728 或 1.6 \times 10^{29}",
    "years": "每秒给一百万个子模型打分",
    "layers_head": '"| 层数 $L$ | "',
    "children_head": '"| 子模型数 | "',
    "size_story": r"""
    f"在论文的 $L = 12$ 时：共有 **${sci(sizes[12])}$** 个子模型。即使每秒给一百万个打分，"
    f"全部试一遍也要 ${sci(years)}$ 年，约为宇宙年龄的 ${sci(years / 1.38e10, 0)}$ 倍。"
    f"我们这个 {space.num_layers} 层的空间有 {space.size():,} 个。"
""",
    "kl_story": 'f"`wb.reinforce.skip_kl`：KL(Bern(0.8) ‖ Bern(0.4)) = **{kl:.3f}** nats。"',
    "config_story": r"""
    f"小批量 {config.batch_size}：每个 epoch {trainer.steps_per_epoch} 次 ω 更新，共 {EPOCHS} 个 epoch。"
    f"跳跃目标 $\\rho = {config.skip_target}$，ENAS 的权重 $\\lambda = {config.skip_weight}$。"
    + (f"ω 的学习率采用 ENAS 的余弦调度：在 {config.shared_lr_t0} 个 epoch 内从 {config.shared_lr:g} 降到 "
       f"{config.shared_lr_min:g}，然后重新开始。"
       if config.shared_lr_schedule == "cosine" else f"ω 的学习率：{config.shared_lr:g}，保持不变。")
""",
    "skip_title": '"每次 θ 更新采样的子模型中跳跃连接所占的比例"',
    "skip_story": r"""
    f"第一次 θ 更新采样到 {first:.0%} 的跳跃连接。最近 10 次 θ 更新："
    f"有惩罚（λ = {config.skip_weight}）时 **{late[config.skip_weight]:.0%}**，"
    f"没有惩罚时 **{late[0.0]:.0%}**。目标是 {config.skip_target:.0%}。"
""",
    "pick_columns": '("来源", "结构", "共享权重验证准确率")',
    "pick_groups": '("策略", "随机")',
    "strip_title": '"策略采样的 20 个子模型与 20 个随机子模型：共享权重下的准确率"',
    "derive": "策略采样的 20 个子模型中最好的一个，每个都在同一个验证小批量上打分",
    "pick_story": r"""
    f"在整个验证集上，共享权重下的平均准确率：策略的子模型 **{means[POLICY]:.3f}**，随机子模型 "
    f"**{means[RANDOM]:.3f}**。ENAS 挑出的子模型是策略那 20 个中在一个 {derived.batch_size} 样本的小批量上最好的"
    f"（在那里得分 {derived.accuracy:.3f}），它在整个验证集上得分 {trainer.evaluate(pick):.3f}：`{pick}`。"
    f"最好的随机子模型得分 {best.loc[RANDOM, ACC]:.3f}。"
""",
    "contender_names": '("ENAS 挑出的", "最好的随机子模型", "随机 #1", "随机 #2")',
    "truth_columns": '("共享权重验证准确率", "单独训练测试准确率", "参数量", "训练秒数", "结构")',
    "truth_story": r"""
    f"单独训练后，{PICK}子模型的测试准确率为 **{alone[PICK].test_accuracy:.3f}**，"
    f"在 {len(ranked)} 个中**排第 {ranked.index(PICK) + 1}**："
    + "，".join(f"{n} {alone[n].test_accuracy:.3f}" for n in ranked)
    + f"。单独训练时，这四个的差距在 {spread_alone:.3f} 以内；用共享权重时，"
      f"同样四个的差距达到 {spread_shared:.3f}"
    + ("：共享权重夸大了差异。" if spread_shared > spread_alone else "。")
    + "共享权重给子模型*排名*有多可靠，是笔记本 03 的主题。"
""",
}

ZH = Translation(markdown=MARKDOWN, strings=STRINGS)
