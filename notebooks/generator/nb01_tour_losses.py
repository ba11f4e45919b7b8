"""Notebook 01, section 4: the two losses, the REINFORCE derivation and one gradient by hand; English cells.

Regenerate (from the repository root):  python -m notebooks.generator
Part of nb01_tour.CELLS; translated by nb01_tour_zh.

Owns: section 4 of notebook 01 (markdown in English, code with «name» strings).
Must not: compute anything a library function should, or quote a number a code cell does not print.
"""

from __future__ import annotations

from .cells import C, M

# fmt: off
CELLS = [
    M(r"""
## 4. The two losses

**Phase 1: the shared weights ω, with θ frozen.** The controller samples a child $m$. On a training minibatch
$\{(x_b, y_b)\}_{b=1}^{B}$ the loss is the mean cross-entropy

$$L_{\text{shared}}(\omega) \;=\; \frac{1}{B}\sum_{b=1}^{B} \mathrm{CE}\big(f(x_b;\,\omega_m),\; y_b\big),$$

and one SGD step moves only $\omega_m$, the blocks on $m$'s path. The other blocks are not in the computation at
all, so they get no gradient (`.grad` stays `None`), and PyTorch's optimizers skip a parameter without a
gradient: no momentum, no weight decay. That is a choice, not a law: ENAS's TensorFlow code gives them zero
gradients instead, and then they move (exercise 3 below).
""", key="losses"),
    C(r"""
r = trainer.shared_step(loss_after=True)  # «loss_after»
display(Markdown(
«shared_step»))
""", loss_after="also measure the minibatch loss after the step",
      shared_step=r"""
    f"One ω step on `{r.arch}` with a minibatch of {trainer.config.batch_size}: "
    f"$L_{{shared}}$ went from **{r.loss:.3f}** to **{r.loss_after:.3f}** on that minibatch; "
    f"**{len(r.updated)} of {len(net.block_names)}** weight blocks got a gradient: "
    f"{', '.join(r.updated)}."
"""),
    M(r"""
**Phase 2: the controller θ, with ω frozen.** The controller is a policy $P(m;\theta)$ over children. It wants
children with a high reward $R(m)$, the child's accuracy on validation data:

$$J(\theta) \;=\; \mathbb{E}_{m\sim P(m;\theta)}\big[R(m)\big] \;=\; \sum_m P(m;\theta)\,R(m),
\qquad L_{\text{controller}}(\theta) = -J(\theta).$$

$R$ comes out of a sampled network and a validation batch: it has no derivative with respect to θ. Only the
probabilities depend on θ, and that is enough.

### Where REINFORCE comes from

**The log-derivative trick.** Since $\nabla_\theta P = P\,\nabla_\theta \log P$,

$$\nabla_\theta J \;=\; \sum_m R(m)\,\nabla_\theta P(m;\theta)
\;=\; \sum_m P(m;\theta)\,R(m)\,\nabla_\theta \log P(m;\theta)
\;=\; \mathbb{E}_{m\sim P}\big[R(m)\,\nabla_\theta \log P(m;\theta)\big].$$

An expectation can be estimated by sampling: $K$ children $m_1,\dots,m_K$ give
$\frac{1}{K}\sum_k R(m_k)\,\nabla_\theta \log P(m_k;\theta)$, and no derivative of $R$ is needed.

**A baseline adds no bias.** For any $b$ that does not depend on the sampled child,

$$\mathbb{E}_{m\sim P}\big[b\,\nabla_\theta \log P(m;\theta)\big] \;=\; b\sum_m \nabla_\theta P(m;\theta)
\;=\; b\,\nabla_\theta \sum_m P(m;\theta) \;=\; b\,\nabla_\theta 1 \;=\; 0 .$$

So $\mathbb{E}[(R-b)\nabla\log P] = \mathbb{E}[R\,\nabla\log P]$: the same gradient on average, but much less
noise. With rewards around 0.3, every term $R\,\nabla\log P$ would push *up* whatever was sampled and only the
differences between the pushes would carry information; $R - b$ centres them. The trainer's baseline is an
exponential moving average (EMA) of the rewards that came *before* the child it is compared with, so it does not
depend on that child. Minimising

$$L \;=\; -\frac{1}{K}\sum_{k=1}^{K}\big(R(m_k)-b\big)\log P(m_k;\theta),
\qquad b \leftarrow \gamma\, b + (1-\gamma)\, R,$$

gives exactly this gradient estimate; `wb.reinforce.policy_loss` builds one term of it. A child that beats the
baseline ($R-b>0$, a positive *advantage*) becomes more likely; one that falls short becomes less likely.

### Exercise 1: one gradient by hand

One decision with two options, logits $\ell = (\ell_1, \ell_2)$ and $p = \mathrm{softmax}(\ell)$. For the
sampled option $a$, $\partial \log p_a / \partial \ell_j = \mathbb{1}[j=a] - p_j$, so

$$\frac{\partial}{\partial \ell_j}\Big(-(R-b)\log p_a\Big) \;=\; -(R-b)\,\big(\mathbb{1}[j=a]-p_j\big).$$

`node2.input` has two options, `stem` and `node1`. A controller whose logits are all 0 (so $p = (0.5, 0.5)$)
samples `node1`; the child's reward is $R = 0.62$ and the baseline $b = 0.50$. **Compute the gradient with
respect to the two logits by hand**, and say which way one gradient-descent step moves $p(\texttt{node1})$. Then
run the cell: it asks PyTorch.
""", key="phase2"),
    C(r"""
R_HAND, B_HAND = 0.62, 0.50
toy = wb.Controller(space, kind="independent", tanh_constant=None)  # «toy»
picked = space.parse("node1=relu(stem) node2=relu(node1) node3=relu(stem) node4=relu(stem)")
toy.zero_grad()
wb.reinforce.policy_loss(toy.log_prob(picked), R_HAND - B_HAND).backward()
k = [d.name for d in space.decisions].index("node2.input")
g_stem, g_node1 = toy.logits[k].grad.tolist()
display(Markdown(
«by_hand»))
""", toy="one logit vector per decision, all 0: a uniform policy; no tanh, so the logits are the raw parameters",
      by_hand=r"""
    f"PyTorch: $\\partial L / \\partial \\ell_{{stem}} = {g_stem:+.3f}$, "
    f"$\\partial L / \\partial \\ell_{{node1}} = {g_node1:+.3f}$."
"""),
    M(r"""
<details><summary><b>Answer</b> (click)</summary>

$R - b = 0.12$ and $a = $ `node1`, so $\partial L/\partial \ell = -0.12\,\big((0, 1) - (0.5, 0.5)\big) = (+0.06,\
-0.06)$ for (`stem`, `node1`), as PyTorch says. Gradient descent subtracts the gradient: $\ell_{node1}$ goes up,
$\ell_{stem}$ down, so $p(\texttt{node1})$ rises. With $R < b$ both signs flip and the sampled option becomes
less likely. The gradient of the two logits sums to zero: adding the same number to both would not change $p$.
The real controller also puts the tanh constant in between, $C\tanh(\ell)$, which multiplies this gradient by
$C(1-\tanh^2\ell)$; and its Adam optimizer rescales steps (notebook 02).
</details>

Back to the real controller. Here is one sampled child and its term of the loss:
""", key="by_hand_answer"),
    C(r"""
s = trainer.controller.sample(torch.Generator().manual_seed(SEED))
R, b = trainer.evaluate(s.arch), trainer.baseline
term = wb.reinforce.policy_loss(s.log_prob, R - b).item()
display(Markdown(
«policy_term»))
""", policy_term=r"""
    f"The controller sampled `{s.arch}` with probability "
    f"$P = {s.log_prob.exp().item():.1e}$ ($\\log P = {s.log_prob.item():.2f}$). "
    f"Its reward (validation accuracy) is $R = {R:.3f}$ and the baseline $b = {b:.3f}$, "
    f"so the advantage is $R-b = {R - b:+.3f}$ and its loss term $-(R-b)\\log P = {term:.3f}$. "
    f"A gradient step on that term makes this child **{'more' if R > b else 'less'}** likely."
"""),
    M(r"""
The trainer does exactly this, with $K$ children per θ step, each scored on a validation minibatch. It also adds
a small entropy bonus to each reward: the entropy of the policy's decisions along the child's sampled path
(notebook 02 says why, and why it can only re-weight the samples). One θ step:
""", key="theta_step"),
    C(r"""
c = trainer.controller_step()
display(Markdown(
«controller_step»))
""", controller_step=r"""
    f"{len(c.archs)} children, mean reward **{c.reward:.3f}**, baseline **{c.baseline:.3f}**, "
    f"mean advantage **{c.advantage:+.3f}**, policy entropy {c.entropy:.2f} nats."
"""),
    M(r"""
**Self-check.** (1) If every sampled child's reward equalled the baseline, how far would a θ step move θ?
(2) Why can't we back-propagate through $R$ instead?

<details><summary><b>Answer</b> (click)</summary>

(1) Nowhere: every advantage is 0, so every term of the loss is 0 (the macro space's skip penalty aside).
Without the baseline, the same rewards would push up every sampled child alike. (2) $R$ is an accuracy, a count
of correct argmax decisions of a network the controller does not run: the controller only picks discrete choices, and a
discrete sample has no gradient with respect to the probabilities that produced it. The log-derivative trick
moves the derivative onto $\log P$, which does have one.
</details>
""", key="losses_check"),
]
# fmt: on
