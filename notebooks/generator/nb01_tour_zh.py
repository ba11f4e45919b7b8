"""Notebook 01 in Chinese: the translation of nb01_tour's markdown cells and «name» strings, no code.

Regenerate (from the repository root):  python -m notebooks.generator
The code cells of 01_weight_sharing_tour.zh.ipynb are nb01_tour's, with these strings put in.

Owns: the Chinese text of sections 1-3 of notebook 01, and `ZH`, the whole translation (these, with
nb01_tour_losses_zh's and nb01_tour_app_zh's). Must not: hold code; every key must match a cell of
nb01_tour (cells.build checks both ways).
"""

from __future__ import annotations

from . import nb01_tour_app_zh, nb01_tour_losses_zh
from .cells import Translation

MARKDOWN = {
    "intro": r"""
# 权重共享之旅

ENAS（Pham 等，2018）搜索网络结构的办法是：只训练**一个**大网络，即*超网络*（supernet），让每个候选结构都借用
它的权重。注意，这里的“超网络”不是 hypernetwork（用一个网络去生成另一个网络权重的方法，中文有时也译作“超网络”），
而是把所有候选都装在一起的那一张网。每个候选结构叫作一个*子模型*（child）。

本笔记本分五步讲清这个想法：超网络、子模型、共享省下了什么（以及节省究竟从哪里来）、两个损失函数
和 REINFORCE 的推导，最后在一个小应用里亲手一步步执行搜索。

用 **Shift+Enter** 从上到下依次运行各单元；整个笔记本在笔记本电脑的 CPU 上不到一分钟就能跑完。遇到**预测**，
先写下你的答案再运行下一个单元；所有答案都折叠在“点击展开”里。
""",
    "supernet": r"""
## 1. 超网络：一张网装下所有候选

*教学搜索空间*是一个用于 **MNIST-1D**（长度为 40 的一维信号，10 个类别）的小单元。`stem` 层把输入映射为 32 个特征；
之后 4 个节点各做两个决定：**读哪个前面的节点**（stem 或更早的节点），以及**用哪个操作**：`relu`、`tanh`、
`sigmoid`（一个线性层再接对应的激活函数）或 `identity`（没有权重）。没有被别的节点读取的节点取平均后送入线性
分类器 `classifier`。
""",
    "blocks": r"""
超网络为任何子模型可能用到的**每一个**（节点，输入，操作）组合都准备了一个权重块，而且同时存在。
下面的热力图每个格子就是一个权重块（行：节点及其读取的输入；列：操作）。现在每格都是 0：还没有训练过。
""",
    "child": r"""
## 2. 子模型：超网络里的一条路径

*子模型*对每个决定各给出一个答案，它的文字形式读起来就像网络本身。图中**灰色是整个超网络**：每条弧线是某个节点
读取输入的一种可能，每个节点下方的四个小方块是它的候选操作。**彩色路径就是这个子模型**。
""",
    "child_copy": r"""
子模型只用到它路径上的权重块。`net.child(arch)` 把恰好这些权重复制成一个独立的网络；它和沿这条路径运行的超网络
计算的是同一个函数。
""",
    "count": r"""
一共有多少个子模型？节点 $i$ 可以从 $i$ 个地方读取输入（stem 或节点 $1,\dots,i-1$），并从 $|\mathcal{O}|$
个操作中选一个，所以 $N$ 个节点时

$$|\mathcal{A}| \;=\; \prod_{i=1}^{N} i\,|\mathcal{O}| \;=\; N!\,|\mathcal{O}|^{N}.$$
""",
    "sharing": r"""
**自测。** 如果去掉 `identity`，搜索空间里有多少个子模型？如果有 5 个节点，超网络需要多少个权重块？

<details><summary><b>答案</b>（点击展开）</summary>

去掉 identity 后有 $4!\cdot 3^4 = 1{,}944$ 个子模型。5 个节点时，节点 $i$ 有 $i$ 个输入、3 个带权重的操作：
$3\,(1+2+3+4+5) = 45$ 个操作块，再加 stem 和 classifier，共 47 个块；而子模型的个数增长到
$5!\cdot 4^5 = 122{,}880$ 个：权重块按 $N^2$ 增长，子模型按 $N!\,4^N$ 增长。
</details>

## 3. 共享为什么省时间

ENAS 背后的算术：想公平地比较 **1000 个结构**，就要把每一个都训练一遍，也就是 **1000 次训练**。ENAS 只训练
**一个**超网络，之后用共享权重读出一个子模型的好坏：只需一次前向计算，不用训练。下面在这个搜索空间上、用相同的
轮数（epoch）把两者都量一量。
""",
    "proxy": r"""
代价是：用共享权重读出的分数只是子模型单独训练后准确率的一个*代理指标*。这个代理有多可靠，是笔记本 03 的主题。

### 节省究竟从哪里来？

ENAS 的文章把节省归功于*增量式*的权重更新：每次 ω 更新只训练被采样子模型的权重。这样的一步比单独训练这个子模型
的一步更便宜吗？我们分别计时：工作台里的一次 ω 更新（含记录开销）；同一步去掉开销（超网络上的前向、反向和 SGD）；
同一个子模型在它自己那份权重副本上的一步；以及一次同时训练**所有**路径的一步。

**预测：** 超网络为一个子模型做的一步，比这个子模型自己的一步更快、差不多，还是更慢？训练所有路径的一步呢？
""",
    "amortise": r"""
<details><summary><b>答案</b>（点击展开）</summary>

应该差不多快（上表给出了本机实测的比值）：子模型在超网络里的路径*就是*这个子模型，同样的矩阵、同样的计算量，一步之内
没有什么可省的；工作台的记录开销还会多花一点。训练所有路径的一步，要做的前向和反向次数和子模型个数一样多。
权重共享真正省下的是：因为子模型之间共用权重块，一次训练就能服务所有子模型。搜索的代价是一个超网络，再加上给每个
打分的子模型做一次前向计算；而不是每个子模型各训练一遍。
</details>

### 从未被训练过的子模型

文章还声称有一种*迁移学习*性质：从未被采样过的子模型照样能得到不错的分数，因为它的权重块作为别的子模型的一部分
被训练过。**预测：** 上面那次搜索从未采样过的一个子模型，得分会接近随机猜测（0.1）、接近被采样过的子模型，
还是介于两者之间？
""",
    "transfer_setup": r"""
这份准确率从何而来？做个实验：一个全新的超网络，**只用 6 个子模型**训练，每个 100 次 ω 更新。然后用这份权重给
其余所有不含 `identity` 的子模型（每个用到 4 个操作块）打分，并按它的 4 个操作块里有几个与这 6 个被训练的子模型
共用来分组；其余的块从未得到梯度，仍是随机初始值。
""",
    "transfer_answer": r"""
<details><summary><b>答案</b>（点击展开）</summary>

看上面那一行：如果从未被采样的子模型用共享权重的得分明显高于它们用全新权重时的得分（那接近随机猜测），又不高于
被采样过的子模型，答案就是*介于两者之间*。原因是：从未被采样的子模型路径上的每个块，都作为别的子模型的一部分
被训练过。但共用一个块不等于被训练过：一个块学到的，
是如何处理它训练时前面那些节点的输出；到了新的子模型里，它的输入可能来自另一个操作。这正是共享权重的分数只是
一个嘈杂代理的原因之一（笔记本 03）。
</details>

**自测。** 在一个有一百万个子模型的超网络里做一次 ω 更新，比在这个超网络里做一次更贵吗？

<details><summary><b>答案</b>（点击展开）</summary>

贵不了多少：一步只运行一个子模型的路径，开销取决于这个子模型本身，而不是超网络里还装着多少别的子模型（不过优化器
仍要遍历全部参数的列表，这属于上面说的记录开销）。随搜索空间增长的，是同样多的训练步被摊到每个子模型上有多薄。
</details>
""",
}

STRINGS = {
    "threads": "这里的网络很小：单线程最快",
    "seed": "改一改再从头运行：哪些结论还成立？",
    "trainer_parts": "MNIST-1D 数据、超网络、ENAS 控制器",
    "colors": "对色盲友好，每个计数一种颜色",
    "projector": "工作台的样式：投影仪上也看得清的大字号，白色背景",
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
    f"这里 $N = {N}$，$|\\mathcal{{O}}| = {n_ops}$：${product}$ = {space.size():,} 个子模型，"
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
比 1000 次独立训练快约 **{1000 * t_child / (t_search + t_score):.0f} 倍**。
'''
""",
    "probe": "第三个训练器，只用来计时",
    "alone": "同一个子模型，用它自己的一份权重副本和自己的 SGD",
    "bare_step": "对 `archs` 中的每个子模型做前向和反向（None 表示独立子模型），再更新一次",
    "row_workbench": '"工作台里的一次 ω 更新（含记录开销）"',
    "row_bare": '"同一次 ω 更新，去掉开销：前向、反向、SGD"',
    "row_alone": '"同一个子模型单独训练，用它自己的权重副本"',
    "row_every": 'f"一次训练所有路径的更新（实测 {len(paths)} 条，×{space.size() // len(paths)}）"',
    "step_table": r"""
"| 一步 | 毫秒 |\n|---|---|\n" + "\n".join(f"| {k} | {v:,.2f} |" for k, v in ms.items())
""",
    "step_verdict": r"""
    (f"超网络为一个子模型做的一步，耗时是这个子模型自己一步的 **{ratio:.1f} 倍**："
     + ("计算量差不多，每一步并没有省。" if 0.5 < ratio < 2 else
        ("比它自己的一步更慢。" if ratio >= 2 else "比它自己的一步更快。"))
     + f"加上工作台的记录开销（更新计数、撤销、记录）是 {t_workbench / t_alone:.1f} 倍，"
     f"而一次训练所有路径的更新要贵 **{t_every / t_bare:,.0f} 倍**。"
     f"所以增量更新并没有让一步变便宜；节省来自**摊销**：上面那次搜索的 {steps_run} 次 ω 更新，"
     f"是全部 {space.size():,} 个子模型共用的一份训练预算。由于子模型共用权重块，"
     f"平均每个操作块在其中 {per_block:.0f} 步里得到了梯度，而平均每个子模型只被采样了 "
     f"{steps_run / space.size():.2f} 次。")
""",
    "fresh": "一个未经训练的超网络：同样的子模型，全新的权重",
    "transfer": r"""
    f"这次搜索从未采样过的 {len(never)} 个随机子模型，用共享权重平均得分 **{acc_never:.3f}**；"
    f"同样的子模型用全新权重得分 {acc_fresh:.3f}（随机猜测是 0.1）；"
    f"而被采样过的 {min(len(sampled), 300)} 个子模型得分 {acc_sampled:.3f}。"
""",
    "lab": "第四个超网络，只用 6 个子模型训练",
    "col_shared": '"与 6 个被训练子模型共用的操作块数"',
    "col_acc": '"共享权重下的准确率"',
    "transfer_title": '"从未训练过的子模型：按与被训练子模型共用的块数看准确率"',
    "taught_line": '"6 个被训练的子模型"',
    "chance_line": '"随机猜测"',
    "transfer_verdict": r"""
    f"共用 {low} 个操作块的子模型得分 {by_shared[low]:.3f}，共用全部 {high} 个的得分 **{by_shared[high]:.3f}**，"
    f"6 个被训练的子模型得分 {acc_taught:.3f}。"
    + ("每多共用一个块，分数就高一点：迁移确实存在，" if by_shared.is_monotonic_increasing
       else "各组之间的趋势并不平稳：迁移很嘈杂，")
    + f"但一个完全由被训练过的块拼成的子模型，从随机猜测到被训练子模型之间只走了 {gain:.0%}："
    f"一个块在某种输入之后训练出来，换到另一种输入之后就没那么好用了。"
""",
}

ZH = Translation(
    markdown={**MARKDOWN, **nb01_tour_losses_zh.MARKDOWN, **nb01_tour_app_zh.MARKDOWN},
    strings={**STRINGS, **nb01_tour_losses_zh.STRINGS, **nb01_tour_app_zh.STRINGS},
)
