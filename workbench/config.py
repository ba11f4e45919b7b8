"""TrainerConfig: every knob of the alternating ENAS search, validated on construction.

Defaults follow the ENAS release scripts (which differ from the paper's prose). Spaces may tune
them (`TrainerConfig.for_space`); the teaching space does, so its lessons show within a minute.

Owns: the knobs, their defaults, their meaning (each field's metadata "help", which the command
line shows as its flag's help), their validation, and the per-space overrides with their reasons.
Must not: import from runs, cli, viz, app or groundtruth, or read arguments or files.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from .scoring import BN_MODES, DEFAULT_BN, RANK_BN_MODES, RANK_METRICS

SHARED_OPTIMIZERS = ("sgd", "adam")
SAMPLERS = ("controller", "uniform", "fair")
UNUSED_WEIGHTS = ("frozen", "tf-style")
SHARED_LR_SCHEDULES = ("constant", "cosine")  # lr_schedule.py
CONTROLLER_KINDS = ("lstm", "independent")
WARMUP_SAMPLERS = ("uniform", "fair")  # who picks the children of the ω warm-up (phases.py)
_LEGACY_BN = {"train": "batch", "eval": "running"}  # reward_bn_mode's values in runs logged before 0.2
_LEGACY_UNUSED = {"none": "frozen", "zero": "tf-style"}  # unused_grads, before it became unused_weights
_LR_MAX = 1e30  # far beyond any useful rate, and clear of float32 overflow in the optimizers


@dataclass(frozen=True)
class TrainerConfig:
    """Configuration of a Trainer; every field is checked when the config is made."""

    # Each field's "help" is its meaning: the line a reader sees here and the CLI shows for its flag.
    # ---- phase 1: shared weights ω (θ frozen) ----
    shared_optimizer: str = field(
        default="sgd", metadata={"help": '"sgd": Nesterov momentum 0.9 + weight decay; or "adam"'}
    )
    shared_lr: float = field(
        default=0.05,
        metadata={"help": "learning rate of ω (ENAS child_lr_max); the cosine schedule starts each cycle at it"},
    )
    shared_lr_schedule: str = field(
        default="cosine",
        metadata={
            "help": '"cosine": per epoch from shared_lr down to shared_lr_min, restarting after shared_lr_t0, then '
            '×shared_lr_t_mul longer cycles (ENAS child_lr_cosine; lr_schedule.py); "constant": shared_lr throughout'
        },
    )
    shared_lr_min: float = field(
        default=5e-4, metadata={"help": "cosine schedule: the rate at the end of a cycle (ENAS child_lr_min)"}
    )
    shared_lr_t0: int = field(
        default=10, metadata={"help": "cosine schedule: epochs in the first cycle (ENAS child_lr_T_0)"}
    )
    shared_lr_t_mul: int = field(
        default=2, metadata={"help": "cosine schedule: each cycle is this many times longer (ENAS child_lr_T_mul)"}
    )
    shared_momentum: float = field(
        default=0.9, metadata={"help": "momentum of the sgd shared optimizer (Nesterov when > 0)"}
    )
    shared_weight_decay: float = field(
        default=1e-4, metadata={"help": "weight decay of ω, applied only to the blocks the child used"}
    )
    grad_clip: float = field(
        default=5.0, metadata={"help": "max global grad norm of a child's step (ENAS child_grad_bound); 0 = off"}
    )
    batch_size: int = field(default=128, metadata={"help": "training minibatch of one ω step"})
    unused_weights: str = field(
        default="frozen",
        metadata={
            "help": '"frozen": blocks the child did not use get no gradient and stay as they are; "tf-style": they '
            "get zero gradients, as in ENAS's TensorFlow code, so momentum and weight decay move every weight"
        },
    )
    # ---- phase 2: controller θ (ω frozen) ----
    controller_kind: str = field(
        default="lstm", metadata={"help": '"lstm" (ENAS) or "independent" (one categorical per decision)'}
    )
    controller_hidden: int = field(default=64, metadata={"help": "LSTM hidden size (ENAS lstm_size 64)"})
    controller_lr: float = field(
        default=1e-3, metadata={"help": "learning rate of θ: Adam, betas (0, 0.999), eps 1e-3 as in ENAS"}
    )
    controller_steps: int = field(default=50, metadata={"help": "θ steps per epoch (ENAS controller_train_steps)"})
    controller_aggregate: int = field(
        default=20, metadata={"help": "children sampled per θ step (ENAS controller_num_aggregate)"}
    )
    reward_batch_size: int = field(default=128, metadata={"help": "validation minibatch that scores one child"})
    entropy_weight: float = field(default=1e-4, metadata={"help": "reward += entropy_weight * entropy of the sample"})
    baseline_decay: float = field(default=0.99, metadata={"help": "b <- decay * b + (1 - decay) * R"})
    tanh_constant: float | None = field(
        default=1.5, metadata={"help": "logits -> C * tanh(logits / T); None or 0 = off"}
    )
    temperature: float = field(
        default=1.0, metadata={"help": "T: the controller's logits are divided by it before the tanh; 1 = off"}
    )
    skip_target: float = field(default=0.4, metadata={"help": "enas-macro: target share of skip connections"})
    skip_weight: float = field(
        default=0.8, metadata={"help": "enas-macro: weight of KL(skip rate || target) in the loss"}
    )
    # ---- both ----
    sampler: str = field(
        default="controller",
        metadata={
            "help": 'who picks the child of an ω step: "controller", "uniform", or "fair" ("fair": FairNAS-style, '
            "each ω step one update from a group covering every option; see Trainer.fair_group)"
        },
    )
    reward_bn_mode: str = field(
        default=DEFAULT_BN,
        metadata={"help": 'BatchNorm while scoring rewards: "batch" statistics or "running" (scoring.py)'},
    )
    # ---- remedies for weight sharing's ranking (issue 16); the defaults leave every run as it was ----
    warmup_steps: int = field(
        default=0,
        metadata={
            "help": "ω warm-up: the first N ω steps of run() draw their children with warmup_sampler, and no θ step "
            "runs until they are done (an epoch whose ω steps end inside the warm-up skips its θ steps); 0 = off"
        },
    )
    warmup_sampler: str = field(
        default="uniform",
        metadata={"help": 'who picks the children of the ω warm-up: "uniform" or "fair" (see sampler)'},
    )
    entropy_weight_start: float | None = field(
        default=None,
        metadata={
            "help": "entropy schedule: the entropy weight at epoch 0, moving linearly to entropy_weight at epoch "
            "entropy_schedule_epochs and staying there (a large start keeps the policy near uniform early); "
            "None = entropy_weight throughout"
        },
    )
    entropy_schedule_epochs: int = field(
        default=10, metadata={"help": "entropy schedule: epochs from entropy_weight_start to entropy_weight"}
    )
    rank_metric: str = field(
        default="accuracy",
        metadata={
            "help": 'how wb.fidelity ranks children with the shared weights after a search: "accuracy" on the '
            'whole split, or "loss" (lower mean cross-entropy ranks higher; fewer ties, less noise)'
        },
    )
    rank_bn: str = field(
        default=DEFAULT_BN,
        metadata={
            "help": 'BatchNorm when wb.fidelity ranks children: "batch", "running", or "recalibrated" (each '
            "child's running averages reset and re-estimated on recalibration_batches training minibatches, "
            "then used; scoring.py)"
        },
    )
    recalibration_batches: int = field(
        default=4, metadata={"help": 'rank_bn "recalibrated": training minibatches (of batch_size) per child'}
    )

    def __post_init__(self) -> None:
        choices = {
            "shared_optimizer": SHARED_OPTIMIZERS,
            "sampler": SAMPLERS,
            "reward_bn_mode": BN_MODES,
            "unused_weights": UNUSED_WEIGHTS,
            "controller_kind": CONTROLLER_KINDS,
            "shared_lr_schedule": SHARED_LR_SCHEDULES,
            "warmup_sampler": WARMUP_SAMPLERS,
            "rank_metric": RANK_METRICS,
            "rank_bn": RANK_BN_MODES,
        }
        for name, valid in choices.items():
            if getattr(self, name) not in valid:
                raise ValueError(f"{name}={getattr(self, name)!r} is not valid; choose one of {', '.join(valid)}")
        for name in (
            "batch_size",
            "controller_steps",
            "controller_aggregate",
            "reward_batch_size",
            "controller_hidden",
            "shared_lr_t0",
            "shared_lr_t_mul",
            "warmup_steps",
            "entropy_schedule_epochs",
            "recalibration_batches",
        ):
            v = getattr(self, name)
            zero_ok = name in ("controller_steps", "warmup_steps")
            if isinstance(v, bool) or not isinstance(v, int) or v < (0 if zero_ok else 1):
                raise ValueError(f"{name}={v!r} must be a positive integer" + (" (or 0)" if zero_ok else ""))
        ranges = {  # name: (low, high, low inclusive); learning rates stay inside float32
            "shared_lr": (0.0, _LR_MAX, False),
            "shared_lr_min": (0.0, _LR_MAX, True),
            "controller_lr": (0.0, _LR_MAX, True),
            "shared_momentum": (0.0, 1.0, True),
            "shared_weight_decay": (0.0, math.inf, True),
            "grad_clip": (0.0, math.inf, True),
            "entropy_weight": (0.0, math.inf, True),
            "baseline_decay": (0.0, 1.0, True),
            "temperature": (0.0, math.inf, False),
            "skip_target": (0.0, 1.0, False),
            "skip_weight": (0.0, math.inf, True),
        }
        for name, (lo, hi, inclusive) in ranges.items():
            v = getattr(self, name)
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            ok = ok and (v >= lo if inclusive else v > lo) and v <= hi
            if not ok:
                bound = f"{'>=' if inclusive else '>'} {lo:g}" + (f" and <= {hi:g}" if hi != math.inf else "")
                raise ValueError(f"{name}={v!r} must be a finite number {bound}")
        if self.shared_lr_schedule == "cosine" and self.shared_lr_min > self.shared_lr:
            raise ValueError(
                f"shared_lr_min={self.shared_lr_min!r} must be <= shared_lr={self.shared_lr!r} with the cosine "
                'schedule (it anneals from shared_lr down to shared_lr_min); or use shared_lr_schedule="constant"'
            )
        w = self.entropy_weight_start
        number = isinstance(w, (int, float)) and not isinstance(w, bool)
        if w is not None and not (number and math.isfinite(w) and w >= 0):
            raise ValueError(f"entropy_weight_start={w!r} must be None or a finite number >= 0")
        c = self.tanh_constant
        number = isinstance(c, (int, float)) and not isinstance(c, bool)
        if c is not None and not (number and math.isfinite(c) and c >= 0):
            raise ValueError(f"tanh_constant={c!r} must be None or a finite number >= 0")

    def replace(self, **changes) -> TrainerConfig:
        """A copy with `changes` applied (validated); unknown field names are refused."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"unknown TrainerConfig field(s) {sorted(unknown)}; valid: {', '.join(field_names())}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainerConfig:
        """The config of `to_dict()`; also reads runs logged before 0.2 renamed two fields' values, and
        runs logged before the cosine schedule existed (they trained ω at a constant rate)."""
        data = dict(data)
        data.setdefault("shared_lr_schedule", "constant")
        if data.get("reward_bn_mode") in _LEGACY_BN:
            data["reward_bn_mode"] = _LEGACY_BN[data["reward_bn_mode"]]
        if "unused_grads" in data:  # renamed: what it does, not "the classic bug" (it is ENAS's own behaviour)
            data["unused_weights"] = _LEGACY_UNUSED.get(data.pop("unused_grads"), "?")
        return cls().replace(**data)

    @classmethod
    def for_space(cls, space, **changes) -> TrainerConfig:
        """The defaults for `space` (its tuned values over ENAS's), then `changes`."""
        kind = getattr(space, "kind", str(space).split("(")[0])
        return cls().replace(**{**SPACE_DEFAULTS.get(kind, {}), **changes})


def field_names() -> list[str]:
    return [f.name for f in dataclasses.fields(TrainerConfig)]


# Changes to the ENAS defaults per space, and why (README "Defaults").
SPACE_DEFAULTS: dict[str, dict] = {
    "teaching": {
        "batch_size": 64,  # 3000 MNIST-1D examples: 47 ω steps an epoch, so θ gets steps early
        "shared_lr": 0.05,
        # a constant rate: the lessons run 1-12 epochs, where a 10-epoch cosine cycle would decide how far ω
        # moves in each, and their measured figures (README, notebooks 01-03) were taken at a constant rate
        "shared_lr_schedule": "constant",
        "controller_steps": 10,  # an epoch here is 47 ω steps, not ENAS's 390
        "controller_aggregate": 10,
        "reward_batch_size": 256,  # ten classes: a larger batch makes each reward less noisy
    },
    "enas-macro": {},
    "enas-micro": {
        "tanh_constant": 1.10,  # the official micro search's controller_tanh_constant (cifar10_micro_search.sh)
        "temperature": 5.0,  # and its controller_temperature: logits / 5 before the tanh, a flatter early policy
        "batch_size": 64,  # 1,000-odd 8x8 digits: about 20 ω steps an epoch, so θ gets steps early
        "controller_steps": 10,  # an epoch here is about 20 ω steps, not ENAS's 390
        "controller_aggregate": 10,
    },
    "recurrent": {
        # ω: Adam at a constant rate; SGD at ENAS's 0.05 barely moves this cell in a few CPU minutes
        # (benchmarks/controller_learns.py --space recurrent)
        "shared_optimizer": "adam",
        "shared_lr": 0.01,
        "shared_lr_schedule": "constant",
        "batch_size": 64,  # 3000 MNIST-1D sequences: 47 ω steps an epoch
        "controller_steps": 20,  # an epoch is 47 ω steps here, not ENAS's 390
        "controller_aggregate": 10,
        # the children's rewards differ by a few points here: at ENAS's 1e-3 the policy barely leaves uniform in
        # 150 CPU seconds (entropy 8.63 of 8.72); 5e-3 is the benchmark's rate
        "controller_lr": 0.005,
        "reward_batch_size": 256,  # ten classes: a larger batch makes each reward less noisy
    },
}
