"""Notebook 03, sections 4-5, in Chinese: the translation of nb03_search's markdown and «name» strings, no code.

Regenerate (from the repository root):  python -m notebooks.generator
Merged into nb03_fidelity_zh.ZH.

Owns: the Chinese text of sections 4-5 of notebook 03, its exercises, summary and glossary. Must not: hold code.
"""

from __future__ import annotations

from . import glossary

MARKDOWN = {
    "samplers": r"""
## 4. 控制器、均匀还是公平采样：计算量相同时

哪些子模型得到 ω 更新，由**采样器**决定：

* **控制器**（ENAS）：策略偏爱的子模型，于是它喜欢的块得到更多训练，也就显得更好：一个反馈循环（笔记本 02）。
* **均匀**：每个子模型概率相同；每个块*平均而言*分到应得的份额。
* **公平**（FairNAS）：每次 ω 更新训练一组 4 个子模型，它们合起来恰好把**每个节点的每个操作各用一次**，再用它们的
  平均梯度更新。所以每一步每个操作分到的份额都相同。但一个权重块是一个（节点，输入，操作）三元组，而输入仍是随机
  抽取的，所以按*块*来算，份额也只是平均相同，和均匀采样一样。代价是：每次 ω 更新要做 4 次前向和反向计算。

公平的比较要给每个采样器**相同的计算量**，而不是相同的 epoch 数：一个公平采样的 epoch 大约抵得上四个均匀采样
的 epoch。这里每个采样器都得到第 1 节控制器那次运行所用的 CPU 时间（均匀和公平采样不做 θ 更新：反正也没人用）。

**预测：** 计算量相同时，哪个采样器给子模型排名排得最好？
""",
    "random_search": r"""
<details><summary><b>答案</b>（点击展开）</summary>

看表格：答案属于这一次运行。相信一个赢家之前，先检查两件事：差距是否大于 τ 在各 epoch 之间的摆动（如果不大于，
它可能只是噪声）；换一个 `SEED` 它还成立吗？公平采样每一步要付出四次计算，所以计算量相同时，它的 ω 更新次数大约只有
四分之一；均衡和数量孰轻孰重，正是这张表要测量的。
</details>

## 5. ENAS 对阵不共享权重的随机搜索

对一个搜索方法来说，真正的问题是：在相同的计算量下，它能否找到比最简单的替代方案更好的子模型？随机搜索用表里的配方
**单独**训练随机抽取的子模型，直到预算用完，留下验证准确率最高的那个。ENAS 把超网络训练同样的 CPU 时间，然后从策略中
采样 100 个子模型，用共享权重在验证数据上打分，挑出最好的一个（ENAS 论文的最后一步）。两者挑出的子模型都按表里单独
训练的**测试**准确率来评判。

为了让笔记本保持简短，预算很小：**每次搜索 10 个 CPU 秒**，三个种子（README 引
用的 `benchmarks/search_efficiency.py` 用 5 个种子，预算是把每个子模型都单独训练一遍所需计算量的 0.1%，
按前向计算次数计）。随机搜索直接从表里回放：
表里的每一行*就是*这样的单独训练，所以每抽到一个子模型，
就按这里做一次这样的训练所需的 CPU 时间计费（下面先实测一个子模型）。

**预测：** 哪种搜索挑出的子模型更好？三个种子里有几个？
""",
    "summary": r"""
<details><summary><b>答案</b>（点击展开）</summary>

上面那一行就是这次运行的答案。三个种子、10 秒预算，证据很单薄：挑出的子模型的百分位随种子变化很大。README 里更大的
基准测试（5 个种子，预算是把每个子模型都单独训练一遍的 0.1%）发现，在这个空间上不共享权重的随机搜索挑出的子模型
比 ENAS 更好；原因多半就是本笔记本展示的那些：τ 很低，identity 居多的子模型被抬高，控制器把训练集中在它偏爱的子模型上。
</details>

## 练习

1. **种子。** 改掉第一个单元里的 `SEED`，从头再运行一遍：哪些结论依然成立？
2. **训练更久。** 设 `EPOCHS = 30`（大约三倍时间）：τ 会上升吗？种子间一致性仍然高于它吗？
3. **测试集。** 在 `wb.fidelity.shared_accuracies` 里用 `split="test"` 打分：图景会变吗？
4. **让均匀采样也参赛。** 在第 5 节加第三种搜索：用 `sampler="uniform", controller_steps=0` 训练，再从 100 个均匀
   采样的子模型中挑最好的。

<details><summary><b>答案</b>（点击展开）</summary>

1. 通常站得住的是：τ 很低、identity 居多的子模型被抬高、单次挑选很嘈杂；哪个采样器胜出、哪种搜索赢得比赛，
   则随种子而变（教师指南列出了我们测到的范围）。
2. 不一定：在 README 的基准测试里，τ 并没有随预算稳定上升（公平采样的 τ 先升后降）。把逐 epoch 曲线和种子间
   一致性那条线对照着看，就知道这次运行里训练更久有什么效果。
3. 多半变化不大：验证集和测试集都是来自同一分布的 1000 个样本，而共享权重的偏差（哪些块得到了训练）与数据划分无关。
4. 复制 `enas_search`，用 `wb.TrainerConfig.for_space(space, sampler="uniform", controller_steps=0)` 构建训练器，
   用 `space.random(gen)` 抽取候选池。在 README 的基准测试里，均匀采样的排名比控制器略差，挑出的子模型也
   更靠后；在各种权重共享方法中，公平采样最好。
</details>

## 小结

* τ-b 是按成对比较、经过并列校正的排名一致性；$(1+\tau)/2$ 大致是随机一对子模型排序正确的概率。
* 种子间一致性衡量的是真值的噪声；它是无噪声代理指标所能达到水平的下界（相关系数约为 $\sqrt{r}$），而不是上限。
* 共享权重抬高那些块得到大量训练的子模型（这里是 identity 居多的），冤枉其余的子模型。
* 比较采样器和搜索方法时，要在相同的计算量下（公平采样每步要四次计算）、用多个种子，并且和不共享权重的随机搜索比。
""",
    "glossary": glossary.markdown(
        ["standalone", "proxy", "kendall", "seed_agreement", "sampler", "shared_weights", "child"], "zh"
    ),
    "next": r"""
**下一步：** `04_enas_macro.zh.ipynb`：手写数字上的 ENAS 宏 CNN 空间。
""",
}

STRINGS = {
    "columns": r"""
(
    "肯德尔 τ", "斯皮尔曼 ρ", "找到的真实前 100 名", "所选子模型的百分位", "所选子模型的遗憾值", "ω 更新次数",
    "子模型计算次数", "CPU 秒",
)
""",
    "sampler_story": r"""
    f"这里 τ 最高的是 **{best}**（{comparison.loc[best, TAU]:.3f}）；三个采样器相差 {gap:.3f}，"
    + ("小于上面测到的 τ 在各 epoch 之间的摆动：就这些证据而言，它们分不出高下。" if gap < swing else
       f"大于上面 τ 在各 epoch 之间的摆动（{swing:.3f}）。")
    + f"计算量相同时，公平采样做了 {comparison.loc['fair', STEPS]:,.0f} 次 ω 更新，"
    f"均匀采样做了 {comparison.loc['uniform', STEPS]:,.0f} 次。"
""",
    "probe": "真正做一次单独训练",
    "per_second": "表里记录的每一秒，相当于这里多少 CPU 秒",
    "probe_story": r"""
    f"在这里单独训练一个子模型：验证准确率 {probe.val_accuracy:.3f}，表里是 "
    f"{seed0.loc[probe_arch, 'val_accuracy']:.3f}（同样的训练"
    + ("，一位不差" if probe.val_accuracy == seed0.loc[probe_arch, "val_accuracy"] else
       f"；差了 {abs(probe.val_accuracy - seed0.loc[probe_arch, 'val_accuracy']) * 1000:.0f} 个样本（共 1000 个），"
       "因为这台机器的 CPU 内核与制表的机器舍入不同")
    + f"）。它用了 {per_second * seed0.loc[probe_arch, 'seconds']:.2f} 个 CPU 秒。照这个速度，把每个子模型都单独"
    f"训练一遍要 {full_space / 60:.0f} 个 CPU 分钟；一次搜索的预算是它的 {BUDGET / full_space:.2%}。"
""",
    "enas_search": "ENAS 训练 BUDGET 个 CPU 秒，再从策略采样 CANDIDATES 个子模型，用共享权重挑最好的",
    "random_search": "随机子模型单独训练（从表里回放），直到 BUDGET 用完；按验证准确率挑最好的",
    "search_columns": r"""
("方法", "所选子模型", "所选子模型的百分位", "所选子模型的测试准确率", "CPU 秒", "训练的子模型数 / 更新次数")
""",
    "race": "用一个种子跑两种搜索；每行结果放进 `rows`（每个种子一个单元，让每个单元都短一些）",
    "enas_name": '"ENAS"',
    "random_name": '"随机搜索（不共享权重）"',
    "search_story": r"""
    f"每次搜索 {BUDGET:g} 个 CPU 秒时，ENAS 挑出的子模型在 **{len(SEEDS)} 个种子中的 {wins} 个**里胜过随机搜索。"
    f"所选子模型百分位的中位数：ENAS {enas_pct.median():.1f}，随机搜索 {random_pct.median():.1f}"
    f"（100 = 最好的子模型；进入前 10% 的次数：{int((enas_pct >= 90).sum())} 和 {int((random_pct >= 90).sum())}）。"
""",
}
