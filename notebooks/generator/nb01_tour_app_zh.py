"""Notebook 01, section 5, in Chinese: the translation of nb01_tour_app's markdown and «name» strings, no code.

Regenerate (from the repository root):  python -m notebooks.generator
Merged into nb01_tour_zh.ZH.

Owns: the Chinese text of section 5 of notebook 01, its summary and glossary. Must not: hold code.
"""

from __future__ import annotations

from . import glossary

MARKDOWN = {
    "app": r"""
## 5. 亲手一步步来

这个应用把交替训练放到了按钮上：**更新 ω**（阶段 1）、**更新 θ**（阶段 2）、**交替一轮**（一个 epoch 的 ω 更新，
再做 θ 更新）、**播放**/**暂停**和**重置**。各个视图：超网络中的子模型、权重更新热力图、控制器的概率、训练曲线，
以及坍缩检查。它从一个全新的超网络和控制器开始。

*提示：* 在应用上点右键，选择 **Create New View for Cell Output**（为单元输出创建新视图），做下面的练习时它就一直
在眼前。
""",
    "ex2": r"""
### 练习 2：哪些块会动？

点击**更新 ω** 五次（或运行下一个单元，效果相同）。先**预测**：哪些权重块会一直没动过？为什么？然后看*权重更
新* 热力图。
""",
    "ex3": r"""
<details><summary><b>答案</b>（点击展开）</summary>

采样到的子模型都没有用到的那些（节点，输入，操作）权重块。一次 ω 更新只沿一个子模型的路径计算
$L_{\text{shared}}$；路径之外的块不参与计算，所以 PyTorch 让它的梯度保持为 `None`（连 0 都不是），而 PyTorch 的
优化器会跳过梯度为 `None` 的参数：动量和权重衰减也碰不到它。这就是它们在这里*一位不差*保持原样的原因；这是本实现的
性质，而不是权重共享的性质（见下一个练习）。`stem` 和 `classifier` 在每条路径上，所以每一步都会训练它们。
`identity` 这一列本来就没有权重。
</details>

### 练习 3：TF 风格地更新未用到的权重

ENAS 的 TensorFlow 代码会为**每一个**共享权重计算梯度：子模型没用到的块，梯度为零。它的优化器随后对这些零梯度
照样施加动量，还对*所有*权重加 L2 惩罚，所以每一步都会移动每一个权重。`TrainerConfig(unused_weights="tf-style")` 在
这里做同样的事（应用的场景菜单里也有这一项）。**预测：** 五次 ω 更新之后，热力图的*梯度*面板里哪些格子会亮？
*数值变化*面板里呢？
""",
    "ex4": r"""
<details><summary><b>答案</b>（点击展开）</summary>

*梯度*面板和以前一样：只有采样路径上的块得到了真正的梯度。*数值变化*面板则从第一步起，**每一个**带权重的格子都亮了。
有两样东西会移动没有子模型用到的块：权重衰减在它的零梯度上加上 $\lambda w$，所以每一步每个权重都缩小一点；
动量则让一个块在最后一次被用到之后还会继续动上好几步，因为它的速度每步只衰减到 0.9 倍。每一次移动都比一次真正的
梯度更新小得多，但几千步下来，很少被采样的操作的权重会慢慢向零漂移。所以“未被采样的权重保持不变”只对本工作台的
默认设置（`"frozen"`）成立，原因是 PyTorch 会跳过梯度为 `None` 的参数；对 ENAS 自己的代码并不成立。
</details>

### 练习 4：一次 θ 更新

点击**更新 θ** 一次（或运行下一个单元）。**预测：** *控制器*视图里哪些概率会动？往哪个方向？和视图上方解说中的
优势符号对照一下。
""",
    "ex5": r"""
<details><summary><b>答案</b>（点击展开）</summary>

优势为正的子模型，它们的选择概率变大；优势为负的，概率变小。平均优势告诉你这一步里哪一类占了上风。这么早的时候
超网络几乎还没训练，奖励多半离随机猜测（十个类别是 0.1）不远，变化也会很小、很嘈杂，这是正常的。这一
步里 ω 完全没有变化。
</details>

### 练习 5：采样不是训练

点击几次**采样子模型**。步数计数器动了吗？有权重改变吗？然后点击**交替一轮**三次（或运行下一个单元），看看
*坍缩检查*：控制器健康吗？
""",
    "summary": r"""
<details><summary><b>答案</b>（点击展开）</summary>

采样只是从 $P(m;\theta)$ 中抽一个子模型：没有损失、没有梯度、没有更新，所以什么都不变，计数器也不动。如果检查结果是
*healthy*（健康），说明策略保留了大部分不确定性（熵）：在 ENAS 的默认设置下，控制器学得很慢。如果出现警告，看看是
哪一项检查触发的。笔记本 02 会故意把控制器弄坏，让你看看真正的控制器坍缩（controller collapse）是什么样子。
</details>

## 小结

* 超网络为每个（节点，输入，操作）准备一个权重块；子模型是一条路径，只用到路径上的块。
* 超网络上的一次 ω 更新，开销与这个子模型自己的一步差不多：ENAS 的节省在于一次训练摊到了所有子模型身上。这之所以
  行得通，是因为子模型共用权重块；但只部分行得通（在一个子模型里训练出的块，换到另一个子模型里效果打折扣）。
* 路径之外的块之所以完全不变，只是因为 PyTorch 会跳过没有梯度的参数；ENAS 的 TensorFlow 代码
  （`unused_weights="tf-style"`）会通过动量和权重衰减移动每一个权重。
* REINFORCE：$\nabla J = \mathbb{E}[R\,\nabla\log P]$（对数导数技巧）；由于 $\mathbb{E}[\nabla\log P] = 0$，
  基线不引入偏差，却能大大降低噪声。
""",
    "glossary": glossary.markdown(
        [
            "supernet",
            "child",
            "shared_weights",
            "weight_block",
            "controller",
            "omega_step",
            "theta_step",
            "reward",
            "baseline",
            "advantage",
            "reinforce",
            "entropy",
            "unused_weights",
            "proxy",
        ],
        "zh",
    ),
    "next": r"""
**下一步：** `02_controller_collapse.zh.ipynb` 让控制器坍缩，再把它修好。
""",
}

STRINGS = {
    "never_updated": r"""
    f"做了 {counts.steps} 次 ω 更新后，"
    f"**{len(counts.blocks)} 个权重块中有 {len(never)} 个**从未得到梯度，"
    f"而 `stem` 和 `classifier` 在 {counts.steps} 步中有 {counts.grad['stem']} 步得到梯度。"
    f"从未得到梯度、值却变了的块：{len(moved_anyway)} 个。"
""",
    "tf_style": r"""
    f"TF 风格，{tf_counts.steps} 次 ω 更新之后：{len(with_grad)} 个块得到过梯度，"
    f"{len(no_grad)} 个从未得到，然而这 {len(no_grad)} 个里有 "
    f"**{sum(tf_counts.changed[b] > 0 for b in no_grad)} 个**的值变了。它们每个权重最多移动了 "
    f"{max(moved[b] for b in no_grad):.1e}，而得到梯度的块最多移动了 {max(moved[b] for b in with_grad):.1e}。"
""",
    "theta_said": r"""
f"第 {c.step} 步（θ）：平均奖励 {c.reward:.3f}，基线 {c.baseline:.3f}，"
                 f"平均优势 **{c.advantage:+.3f}**。"
""",
    "collapse_says": r"""
f"{len(app.trainer.history)} 步之后，坍缩检查的结论是 **{report.verdict_text}**："
""",
    "reason_sep": '"；"',
    "full_stop": '"。"',
}
