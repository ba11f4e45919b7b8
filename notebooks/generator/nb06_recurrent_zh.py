"""Notebook 06 in Chinese: the translation of nb06_recurrent's markdown cells and «name» strings, no code.

Regenerate (from the repository root):  python -m notebooks.generator

Owns: the Chinese text of notebook 06. Must not: hold code; every key must match a cell of nb06_recurrent
(cells.build checks both ways).
"""

from __future__ import annotations

from . import glossary
from .cells import Translation

MARKDOWN = {
    "intro": r"""
# ENAS 循环单元

ENAS 最早搜索的是一个用于语言建模的循环单元（论文第 2.1 节）：每个时间步，单元读入输入 $x_t$ 和上一步的状态 $h_{t-1}$，
控制器决定单元的各个节点怎样连接、每个节点用哪种激活函数。这里的序列是 MNIST-1D，每个样本读作 40 步、每步一个数，
在最后一步之后分类。一路上会看到：这个单元；每个（节点、输入）对一个权重矩阵、由所有激活函数共享（以及这为什么关系到
笔记本 02 的坍缩）；一次简短的搜索、策略，以及导出的单元。在笔记本电脑的 CPU 上大约一分钟。
""",
    "cell": r"""
## 1. 这个单元

节点 0 把两个输入混合起来：$[a, c] = [x_t, h_{t-1}]\,W_0$，再做一次**高速公路**（highway）更新
$s_0 = h_{t-1} + \sigma(c)\,(\tanh(a) - h_{t-1})$。每个被搜索的节点 $i = 1..N$ 选**一个更早的节点** $j$ 和
**一种激活函数** $f$（tanh、ReLU、恒等、sigmoid 之一），从 $s_j$ 出发做同样的一步：$[a, c] = s_j W_{i,j}$，
$s_i = s_j + \sigma(c)\,(f(a) - s_j)$。没有被其他节点读取的节点取平均，得到 $h_t$。节点 $i$ 有 $i$ 个输入和 4 种激活
函数，所以一共有 $\prod_i 4i = 4^N\,N!$ 个单元。

### 练习 1

工作台的 $N = 4$ 时有多少个单元？论文的 $N = 12$ 时呢？
""",
    "pairs": r"""
<details><summary><b>答案</b>（点击展开）</summary>

$4^4 \cdot 4! = 256 \cdot 24 = 6{,}144$，与打印的一致。$N = 12$ 时：$4^{12}\cdot 12!$，约 $8.0\times10^{15}$；论文说
“大约 $10^{15}$”。
</details>

## 2. 每个（节点、输入）对一个矩阵

权重 $W_{i,j}$ 属于（节点 $i$、输入 $j$）这个**对**：无论控制器给节点 $i$ 选哪种激活函数，乘的都是同一个矩阵。笔记本
00-03 的教学空间大小相同、激活函数也是这四种，但在那里每个（节点、输入、激活函数）都有**自己的**权重，恒等映射则没有
权重。

**预测：** $N = 4$ 时，两个超网络各有多少个权重块？
""",
    "search": r"""
<details><summary><b>答案</b>（点击展开）</summary>

表里数出来了：循环单元里每个对一个权重块，再加上节点 0 和分类器；教学空间里每个对三个（ReLU、tanh 和 sigmoid；恒等
映射没有权重），再加上 stem 和输出头。
</details>

这为什么重要：在教学空间里，一种激活函数的权重只有在它被采样时才会训练。早期，恒等映射根本不需要训练，满是恒等映射的
子模型得分不错；控制器就更多地采样它，其他激活函数的权重越落越远，策略**坍缩**到恒等映射上（笔记本 02）。在这里，每次
经过一个对的 ω 更新，训练的都是四种激活函数共同读取的那一个矩阵，所以没有哪种激活函数会因为被采样得少而落后。搜索后的
热力图显示了这一点：权重块是一个个对，而不是（对、激活函数）。

## 3. 一次简短的搜索

工作台对这个空间的默认值（`wb.TrainerConfig.for_space`）：ω 用 Adam、恒定学习率；控制器学习率用 5e-3 而不是 ENAS 的
1e-3，因为子模型之间的奖励只差几个百分点（benchmarks/controller_learns.py --space recurrent）。
**预测：** 策略的子模型会胜过随机子模型吗？
""",
    "derive": r"""
## 4. 导出一个单元

和笔记本 04、05 一样：策略的 20 个子模型中在一个验证小批量上最好的那个；以及在整个验证集上，策略的 20 个子模型与 20 个
随机子模型的对比。
""",
    "summary": r"""
**自测。** 在一个子模型里节点 3 用 tanh 读节点 1，在另一个子模型里用 ReLU。两个子模型共享节点 3 的权重吗？
在教学空间里呢？

<details><summary><b>答案</b>（点击展开）</summary>

这里共享：两者都用（节点 3、节点 1）这个对的矩阵。在教学空间里不共享：tanh 和 ReLU 在这个对上各有自己的权重块。
</details>

## 练习

1. 用 `controller_lr=1e-3`（ENAS 的值）运行搜索：8 个 epoch 里熵下降了多少？
2. 设 `num_nodes=2`：有多少个单元？策略相对随机单元的领先变大了吗？
3. 导出的单元用得最多的是哪种激活函数？换一个 `SEED` 再运行：还是同一种吗？

<details><summary><b>答案</b>（点击展开）</summary>

1. 更少：Adam 的步长与学习率成正比，所以 logit 只移动大约五分之一；基准测试在这个学习率下看到的策略几乎一直是均匀的。
2. $4^2 \cdot 2! = 32$ 个单元；小空间需要的 θ 更新更少，和第 4 节那一行比较。
3. 导出单元的文本里写着。一个种子、8 个 epoch 说明不了多少：如果换了种子答案就变，那就是噪声。
</details>

## 小结

* ENAS 的循环单元：节点 0 混合 $x_t$ 和 $h_{t-1}$，每个节点选一个更早的节点和一种激活函数做一次高速公路更新，悬空端取
  平均得到 $h_t$：共 $4^N N!$ 个单元。
* 权重属于（节点、输入）对，由所有激活函数共享：被采样得少的激活函数不会落后；教学空间则不同，恒等映射的先发优势会让
  策略坍缩。
* 导出的单元是代理指标挑出来的；单独训练之后再信任它。
""",
    "glossary": glossary.markdown(
        ["supernet", "child", "controller", "weight_block", "collapse", "entropy", "proxy"], "zh"
    ),
}

STRINGS = {
    "threads": "这里的网络很小：单线程最快",
    "seed": "改一改再从头运行：哪些结论还成立？",
    "colors": "对色盲友好，每组一种颜色",
    "projector": "工作台的样式：投影仪上也看得清的大字号，白色背景",
    "mnist1d": "MNIST-1D，每个样本是一个序列：（步数，每步的特征数）",
    "data_story": r"""
f"{len(y):,} 条训练序列，每条 {X.shape[1]} 步、每步 {X.shape[2]} 个数，"
                 f"{data.num_classes} 个类别。前三条："
""",
    "sequence_columns": '("时间步 t", "x_t", "标签")',
    "space": "N = 4 个节点、宽度 32：小到 CPU 也能跑",
    "cell_story": r"""
f"$N = {space.num_nodes}$：**{space.size():,}** 个单元；论文的 $N = {paper.num_nodes}$："
                 f"**{paper.size():.1e}** 个。超网络中的一个随机单元 `{arch}`："
""",
    "flat": "同样的样本，展平后的形式，教学空间就这样读取",
    "this_space": '"recurrent"',
    "teaching_space": '"teaching"',
    "block_columns": '("权重块数", "（节点 2、节点 1）这个对的权重块", "子模型数")',
    "config_story": r"""
f"ω：{config.shared_optimizer}，学习率 {config.shared_lr:g}；θ：学习率 {config.controller_lr:g}。"
                 f"{EPOCHS} 个 epoch 里 {len(trainer.history.shared())} 次 ω 更新、{len(records)} 次 θ 更新；"
                 f"策略的熵从 {records[0].entropy:.2f} 变为 **{records[-1].entropy:.2f}** nats。"
""",
    "derive": "策略采样的 20 个子模型中最好的一个，每个都在同一个验证小批量上打分",
    "pick_columns": '("来源", "共享权重验证准确率")',
    "pick_groups": '("策略", "随机")',
    "strip_title": '"策略采样的 20 个单元与 20 个随机单元：共享权重下的准确率"',
    "pick_story": r"""
f"共享权重下的平均准确率：策略的单元 **{means[POLICY]:.3f}**，随机单元 "
                 f"**{means[RANDOM]:.3f}**。导出的单元 `{derived.arch}` 在整个验证集上得分 "
                 f"{trainer.evaluate(derived.arch):.3f}。"
""",
}

ZH = Translation(markdown=MARKDOWN, strings=STRINGS)
