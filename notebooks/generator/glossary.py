"""The glossary at the end of every notebook: one table of terms, in English and Chinese.

    glossary.cell(["supernet", "child"])            # the English markdown cell (an M with key "glossary")
    glossary.markdown(["supernet", "child"], "zh")  # the same table in Chinese, for the twin's translation

Owns: each term's name and one-line meaning in both languages, and the two-column table a notebook
shows (term, with the other language's name beside it; meaning). Must not: hold a lesson's cells.
"""

from __future__ import annotations

from collections.abc import Sequence

from .cells import M

# key: (English term, Chinese term, English meaning, Chinese meaning)
# fmt: off
TERMS: dict[str, tuple[str, str, str, str]] = {
    "supernet": (
        "supernet", "超网络",
        "the one network that holds the weights of every candidate op; every child is a path through it",
        "一张网装下所有候选操作的权重，每个子模型都是其中的一条路径"
        "（不是 hypernetwork：那是生成另一个网络权重的网络，中文有时也叫“超网络”）",
    ),
    "child": (
        "child (architecture)", "子模型（子结构）",
        "one answer to every decision of the search space: a path through the supernet",
        "对搜索空间每个决定各给出一个答案：超网络里的一条路径",
    ),
    "shared_weights": (
        "shared weights ω", "共享权重 ω",
        "the supernet's parameters; every sampled child reuses them",
        "超网络的参数，每个被采样的子模型都复用它们",
    ),
    "weight_block": (
        "weight block", "权重块",
        "the weights of one (node, input, op) of the teaching space (or one layer's op in the macro space)",
        "教学空间里一个（节点，输入，操作）组合的权重（宏空间里是某一层某个操作的权重）",
    ),
    "controller": (
        "controller θ", "控制器 θ",
        "the policy P(m; θ), an LSTM, that samples a child decision by decision",
        "策略 P(m; θ)，一个 LSTM，逐个决定地采样子模型",
    ),
    "omega_step": (
        "ω step (phase 1)", "ω 更新（阶段 1）",
        "θ frozen: one child, one training minibatch, one optimizer step of the weights it uses",
        "冻结 θ：一个子模型、一个训练小批量、对它用到的权重做一次优化器更新",
    ),
    "theta_step": (
        "θ step (phase 2)", "θ 更新（阶段 2）",
        "ω frozen: K children scored on validation data, one REINFORCE step of the controller",
        "冻结 ω：在验证数据上给 K 个子模型打分，对控制器做一次 REINFORCE 更新",
    ),
    "reward": (
        "reward R", "奖励 R",
        "a child's accuracy on a validation minibatch (plus the small entropy bonus)",
        "子模型在一个验证小批量上的准确率（再加一点熵奖励）",
    ),
    "baseline": (
        "baseline b (EMA)", "基线 b（指数滑动平均，EMA）",
        "an exponential moving average of past rewards: b ← γ b + (1 − γ) R",
        "过去奖励的指数滑动平均：b ← γ b + (1 − γ) R",
    ),
    "advantage": (
        "advantage R − b", "优势 R − b",
        "how much better than usual a child scored; its sign decides whether it becomes more likely",
        "子模型比平常好多少；它的符号决定这个子模型的概率变大还是变小",
    ),
    "reinforce": (
        "REINFORCE", "REINFORCE（策略梯度）",
        "the gradient estimate E[(R − b) ∇ log P(m; θ)], from the log-derivative trick",
        "由对数导数技巧得到的梯度估计 E[(R − b) ∇ log P(m; θ)]",
    ),
    "entropy": (
        "entropy H", "熵 H",
        "how spread out the policy is, in nats; the reward's bonus sums each decision's entropy along the sampled "
        "path: an estimate of the joint entropy",
        "策略有多分散（单位 nat）；加进奖励的是沿采样路径各决定的熵之和，是联合熵的一个估计",
    ),
    "collapse": (
        "controller collapse", "控制器坍缩",
        "the policy converging early onto a few children, before the shared weights can tell them apart",
        "策略过早地收敛到少数几个子模型上，而共享权重此时还分不清它们的好坏",
    ),
    "tanh_constant": (
        "tanh constant C, temperature T", "tanh 常数 C、温度 T",
        "logits become C·tanh(ℓ / T): no probability can exceed a bound set by C",
        "logit 变成 C·tanh(ℓ / T)：任何概率都不能超过由 C 决定的上限",
    ),
    "unused_weights": (
        "frozen / TF-style unused weights", "未用权重：冻结 / TF 风格",
        "frozen: blocks off the path get no gradient and stay; TF-style: zero gradients, so momentum "
        "and weight decay move every weight (as in ENAS's TensorFlow code)",
        "冻结：路径之外的块没有梯度，保持不变；TF 风格：梯度为零，动量和权重衰减照样移动每个权重"
        "（ENAS 的 TensorFlow 代码就是这样）",
    ),
    "sampler": (
        "sampler: controller / uniform / fair", "采样器：控制器 / 均匀 / 公平",
        "who picks the children of an ω step; fair (FairNAS) trains a group that uses every op of every node "
        "once: equal shares per op at every step, per weight block only on average",
        "由谁挑选 ω 更新的子模型；公平采样（FairNAS）每步训练一组子模型，每个节点的每个操作恰好用一次："
        "每一步按操作均等，按权重块只是平均均等",
    ),
    "standalone": (
        "stand-alone training", "单独训练",
        "a child trained from fresh weights on its own: the ground truth the shared weights are judged by",
        "子模型从全新权重开始独自训练：评判共享权重的基准（真值）",
    ),
    "proxy": (
        "proxy", "代理指标",
        "a cheap stand-in for the truth, here a child's accuracy with the shared weights",
        "代替真值的廉价估计，这里指子模型用共享权重得到的准确率",
    ),
    "kendall": (
        "Kendall τ (tau-b)", "肯德尔 τ（tau-b）",
        "rank agreement from pairs (ties corrected); (1 + τ)/2 ≈ the chance a random pair is ordered right",
        "按成对比较得到的排名一致性（已校正并列）；(1 + τ)/2 ≈ 随机一对排序正确的概率",
    ),
    "seed_agreement": (
        "seed-to-seed agreement", "种子间一致性",
        "τ between two stand-alone seeds: noise in the truth itself; a lower bound on what a noiseless proxy "
        "could reach against one seed, not a ceiling",
        "两个单独训练种子之间的 τ：真值自身的噪声；是无噪声代理指标对照一个种子所能达到水平的下界，而不是上限",
    ),
    "skip": (
        "skip connection, skip penalty", "跳跃连接、跳跃惩罚",
        "an extra input from an earlier layer; ENAS adds to the controller's loss the KL between each skip's "
        "probability and a target rate, summed within a layer and averaged over layers",
        "来自更早层的额外输入；ENAS 在控制器的损失里加上每个跳跃概率与目标比例之间的 KL 散度，"
        "在层内求和，再对各层取平均",
    ),
    "batchnorm": (
        "BatchNorm batch statistics", "BatchNorm 批统计量",
        "scoring a child normalises each batch with its own statistics (bn=\"batch\"), as ENAS does",
        "给子模型打分时，每个批次用它自己的统计量归一化（bn=\"batch\"），与 ENAS 相同",
    ),
}
# fmt: on

_HEAD = {
    "en": "## Glossary\n\n| term | 中文 | meaning |\n|---|---|---|",
    "zh": "## 术语表\n\n| 术语 | English | 含义 |\n|---|---|---|",
}


def markdown(keys: Sequence[str], lang: str = "en") -> str:
    """The glossary table of the terms `keys`, in `lang` ("en" or "zh"), with the other language's name."""
    unknown = [k for k in keys if k not in TERMS]
    if unknown:
        raise ValueError(f"unknown glossary terms {unknown}; valid: {', '.join(TERMS)}")
    if lang not in _HEAD:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(_HEAD)}")
    rows = []
    for k in keys:
        en, zh, en_meaning, zh_meaning = TERMS[k]
        rows.append(f"| **{en}** | {zh} | {en_meaning} |" if lang == "en" else f"| **{zh}** | {en} | {zh_meaning} |")
    return "\n".join([_HEAD[lang], *rows])


def cell(keys: Sequence[str]) -> M:
    """The English glossary cell (key "glossary"); its twin translates it with markdown(keys, "zh")."""
    return M(markdown(keys, "en"), key="glossary")
