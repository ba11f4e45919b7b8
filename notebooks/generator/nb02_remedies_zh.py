"""Notebook 02, sections 2-3, in Chinese: the translation of nb02_remedies's markdown and «name» strings, no code.

Regenerate (from the repository root):  python -m notebooks.generator
Merged into nb02_collapse_zh.ZH.

Owns: the Chinese text of sections 2-3 of notebook 02, its exercises, summary and glossary. Must not: hold code.
"""

from __future__ import annotations

from . import glossary

MARKDOWN = {
    "remedies": r"""
## 2. 补救措施，一次一个

下表每一行都是用同一个种子重新跑的一次：坍缩配方加上**一处**改动。最后两行先把学习率改回来，再把 ENAS 的默认值全部
恢复。

* **熵奖励**（ENAS 把它加在奖励上）：$R'(m) = R(m) + \beta\,\mathcal{H}(m)$。这里的 $\mathcal{H}(m)$ 是沿*采样路径*
  $m$、每个决定的概率分布的熵，对所有决定求和：它是策略联合熵的单样本估计（对样本取平均恰好就是联合熵）。
  因为它是加在奖励上的，所以它只能通过 $(R'-b)\,\nabla\log P(m)$ 影响 θ：它只是**重新加权**这些样本，把沿不确定
  路径抽到的子模型多推高一点，而从不直接作用于熵本身（正则项 $\beta\,\nabla\mathcal{H}$ 才会）。
* **tanh 常数和温度**：每个 logit $\ell$ 在 softmax 之前变成 $C\tanh(\ell / T)$。这样 logit 永远离不开 $[-C, C]$，
  所以有 $k$ 个选项时，任何概率都不会超过 $\dfrac{e^{C}}{e^{C} + (k-1)\,e^{-C}}$；温度 $T > 1$ 还会
  让 logit 变化得更慢。
* **基线衰减** $b \leftarrow \gamma b + (1-\gamma)R$ 中的 $\gamma$：基线（一个指数滑动平均，EMA）能记多久以前的
  奖励。共享权重不断变好时，奖励一路上升，记性长的基线跟不上，于是大多数优势 $R-b$ 都是正的，大多数被采样的
  子模型不论好坏都会被强化。
""",
    "predict_table": r"""
**预测：** 在坍缩配方上只加**一处**改动，哪一处能让控制器不坍缩？用慢基线（γ = 0.999）时，平均优势为正的 θ 更新
所占比例会升高还是降低？
""",
    "skips": r"""
<details><summary><b>答案</b>（点击展开）</summary>

表格上方的文字是由这次运行计算出来的，拿它和你的预测对照。通常成立的是：tanh 常数是最强的单项刹车，因为不
论 logit 变得多大，它都给每个概率设了上限；加在奖励上的熵奖励拦不住大了 50 倍的学习率，因为它只是重新加权样本；而学
习率本身才是罪魁祸首。慢基线更跟不上上升的奖励，所以更多的优势是正的，更多的子模型不论好坏都被强化；快基线紧跟奖励，
让优势围绕零分布。
</details>

## 3. 跳跃惩罚（ENAS 宏空间）

在 ENAS 的宏 CNN 里，每一层还要对除它自己的输入之外的每个更早的输出决定：要不要从那里加一条**跳跃连接**。
跳跃连接构成短而容易训练的路径；如果早期共享权重奖励它们，
控制器就可能越堆越多。ENAS 在控制器的损失里加了一个惩罚：每个跳跃决定的跳跃概率 $q$ 与目标比例 $\rho$ 之间的 KL 散度，
在同一层内求和，再对各层取平均：

$$L_{\text{controller}} \mathrel{+}= \lambda\;\frac{1}{|\text{layers}|}\sum_{\text{layers}}\;
\sum_{\text{skips of the layer}}\mathrm{KL}\big(\mathrm{Bern}(q)\,\|\,\mathrm{Bern}(\rho)\big),
\qquad \rho = 0.4,\ \lambda = 0.8 .$$

在一个 4 层的宏空间上（8×8 手写数字）做两次短运行，控制器学习率 0.01，一次有惩罚、一次没有（笔记本 04 会认真探索
这个空间）。**预测：** 没有惩罚时，跳跃连接的比例最后会高于还是低于 40% 的目标？
""",
    "summary": r"""
<details><summary><b>答案</b>（点击展开）</summary>

拿你的猜测和上面那一行比一比。惩罚把跳跃概率拉向目标值，所以有惩罚时比例应该停在 40% 附近；没有惩罚时，比例可以
自由地跟着奖励走，而在早期跳跃连接往往划算（短路径训练得快），所以它倾向于上升。一个种子上的两次短运行，证据很单薄：
改一改 `SEED` 再看看。
</details>

## 练习

1. **种子。** 改掉第一个单元里的 `SEED`，从头再运行一遍：哪些结论在另一个种子下依然成立？
2. **给熵奖励一个公平的机会。** 在 `search(...)` 里试试 `entropy_weight=0.5` 配合 `controller_lr=0.005`：
   现在熵奖励能让策略保持分散吗？
3. **在应用里实时观察。** 用坍缩配方看着策略锁死（应用场景菜单里的*坍缩配方*，或在新单元里运行下面的代码；
   *debug* 预设会显示各个旋钮）。警报响起后，把 tanh 常数重新打开（1.5）：策略的柱状图立刻发生了什么？
   哪些东西恢复不了？

   ```python
   config = wb.TrainerConfig.for_space("teaching", **RECIPE)
   wb.app.Workbench(wb.Trainer("teaching", config=config), preset="debug", lang="zh")
   ```

<details><summary><b>答案</b>（点击展开）</summary>

1. 配方和 ENAS 默认值的结论通常都站得住；具体的比例、哪一项单独补救胜出、跳跃比例，则随种子而变（教师指南列出了
   我们实测的范围）。
2. 效果更好，因为更小的学习率让每一次推动更小，而 0.5 × 几个 nat 的奖励现在已经能和奖励本身相比；但它仍然只是
   重新加权样本，所以它能减缓坍缩，却不能禁止坍缩。
3. 柱子立刻降到 tanh 上限（4 个选项时最多 87%）：巨大的 logit 变成 $C\tanh(\ell) \approx \pm C$。有两样东西恢复
   不了：一是超网络，最受偏爱的子模型的块拿走了大部分训练，共享权重仍然抬高它；二是控制器的学习，饱和
   的 tanh 梯度接近 0，所以策略会卡在上限附近。
</details>

## 小结

* 坍缩是一个反馈循环：最受偏爱的子模型被采样，于是它的块被训练，于是它得分更高。
* Adam 只在第一步让每个参数移动约一个学习率；之后步长取决于梯度相对于它最近大小的比例。大学习率加上不受限制
  的 logit，让坍缩来得很快。
* 熵奖励是沿采样路径的熵，加在奖励上：它只重新加权样本。tanh 常数给每个概率设了上限。慢基线跟不上上升的奖励，
  几乎什么都会被强化。
* 坍缩到 identity 居多的子模型，部分是这个空间造成的：identity 没有权重，每个（节点，输入，操作）各有一份权重。
  ENAS 的循环单元里，每个（节点，输入）共用一个矩阵。
""",
    "glossary": glossary.markdown(
        [
            "collapse",
            "controller",
            "reward",
            "baseline",
            "advantage",
            "entropy",
            "tanh_constant",
            "skip",
            "weight_block",
        ],
        "zh",
    ),
    "next": r"""
**下一步：** `03_ranking_fidelity.zh.ipynb`：共享权重给子模型的排名，和单独训练的排名一致吗？
""",
}

STRINGS = {
    "bounds": r"""
    f"当 $C = {C_TANH}$ 时，任何选项的概率都不会超过 "
    + "，".join(f"**{p:.0%}**（{k} 个选项）" for k, p in bound.items()) + "。"
    f"ENAS 的熵奖励 β = {enas.entropy_weight:g}，给一个奖励最多加 {bonus:.4f}"
    f"（在最大熵 {h_max:.2f} nats 时），而坍缩配方第一次 θ 更新里各子模型的奖励相差 {spread:.3f}"
    + ("：相比之下，熵奖励微不足道。" if bonus < spread / 10 else "。")
""",
    "first_rewards": "坍缩配方第一次 θ 更新的奖励，每个子模型一个",
    "columns": r"""
(
    "结论", "保留的熵", "不同子模型数（50 个中）", "最常见子模型占比", "identity 占比",
    "R > b 的 θ 更新占比", "采样子模型的准确率",
)
""",
    "summary": "坍缩报告的证据、平均优势为正的 θ 更新所占比例，以及从策略采样的 n 个子模型在共享权重上的准确率",
    "same_draws": "每次运行用同样的抽样",
    "row_recipe": '"坍缩配方"',
    "row_bonus": '"+ 熵奖励 β = 0.05"',
    "row_tanh": 'f"+ tanh 常数 C = {C_TANH}"',
    "row_temperature": 'f"+ 温度 T = 5，C = {C_TANH}"',
    "row_fast_baseline": '"基线衰减 γ = 0.9（而非 0.99）"',
    "row_slow_baseline": '"基线衰减 γ = 0.999（慢）"',
    "row_lr": 'f"控制器学习率 {enas.controller_lr:g}（ENAS）"',
    "row_enas": '"全部 ENAS 默认值"',
    "flatter": r"""
("坍缩的控制器*看起来*更好：它那几个子模型拿走了全部训练，"
           "而共享权重会抬高训练得最多的子模型。")
""",
    "no_flatter": '"这一次，坍缩在共享权重上甚至都没有占到便宜。"',
    "remedies_story": r"""
f'''
* 单项改动中，**{best}** 保留的熵最多：最大值的 {row[best][KEPT]:.0%}，而配方本身只有 {recipe[KEPT]:.0%}。\
避免了 *collapsed* 结论的单项改动：{"、".join(saved) if saved else "**没有**"}。
* 熵奖励保留了 {bonus_row[KEPT]:.0%}（结论：{bonus_row[VERDICT]}）：它只是重新加权哪些样本被推高或压低，\
而在这个学习率下，每一次推动都很大。
* 基线衰减改变了控制器听到的信号：平均优势为正的 θ 更新，γ = 0.99 时占 {recipe[POSITIVE]:.0%}，\
γ = 0.9 时占 {quick_b[POSITIVE]:.0%}，γ = 0.999 时占 {slow_b[POSITIVE]:.0%}。\
结论：**{quick_b[VERDICT]}**（0.9），**{slow_b[VERDICT]}**（0.999）。
* 只恢复 ENAS 的学习率，结论是 **{lr_only[VERDICT]}**；恢复全部默认值，结论是 **{enas_row[VERDICT]}**\
（保留了 {enas_row[KEPT]:.0%} 的熵）。
* 注意最后一列：坍缩配方采样到的子模型在共享权重上得分 **{recipe[ACC]:.3f}**，\
ENAS 默认值的则是 **{enas_row[ACC]:.3f}**。{flatter}
'''
""",
    "skip_run": 'f"跳跃惩罚 λ = {w}"',
    "skip_title": '"被采样子模型中跳跃连接所占的比例"',
    "skip_story": r"""
    "最近 5 次 θ 更新的跳跃比例："
    + "；".join(f"**{n}**：{rate[n]:.0%}（坍缩检查：{verdict[n]}）" for n in skips)
    + f"。目标是 {wb.TrainerConfig().skip_target:.0%}。"
""",
}
