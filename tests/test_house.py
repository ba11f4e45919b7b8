"""The house rules that keep the package changeable: the core imports nothing above it, no import
cycle but arch <-> spaces, one scorer whose BatchNorm modes do what the README says."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import torch

import workbench as wb
from workbench import scoring

PACKAGE = Path(wb.__file__).parent
CORE = (
    "arch",
    "spaces",
    "ops",
    "supernet",
    "controller",
    "controller_math",
    "samplers",
    "reinforce",
    "config",
    "trainer",
    "tracking",
    "history",
    "data",
    "scoring",
    "seeds",
    "atomic",
    "digest",
    "batches",
    "undo",
    "loop",
    "errors",
    "version",
)
ABOVE_THE_CORE = ("runs", "cli", "checkpoint", "viz", "app", "groundtruth", "fidelity")
# str(arch) asks the space registry for its format: the one cycle we keep (README "Layout")
ALLOWED_CYCLES = [
    {
        "workbench.arch",
        "workbench.spaces",
        "workbench.spaces.base",
        "workbench.spaces.generic",
        "workbench.spaces.macro",
        "workbench.spaces.micro",
        "workbench.spaces.one_input",
        "workbench.spaces.recurrent",
        "workbench.spaces.teaching",
    }
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["workbench", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """module -> the workbench modules it imports anywhere in its body (late imports included)."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                root = ".".join(base + ([node.module] if node.module else []))
                targets = [f"{root}.{a.name}" if f"{root}.{a.name}" in modules else root for a in node.names]
            for t in targets:
                while t and t not in modules:  # `import workbench.viz.arch.x` -> the module that holds it
                    t = t.rpartition(".")[0]
                if t and t != name and t.startswith("workbench"):
                    graph[name].add(t)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in graph:
        if v not in index:
            visit(v)
    return out


def _is_core(module: str) -> bool:
    return any(module == f"workbench.{c}" or module.startswith(f"workbench.{c}.") for c in CORE)


def _reach(graph, start):
    seen, todo = set(), [start]
    while todo:
        for w in graph[todo.pop()]:
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen


def test_the_graph_sees_real_imports():
    graph = import_graph()
    assert "workbench.scoring" in graph["workbench.trainer"]
    assert "workbench.spaces" in graph["workbench.arch"]  # a late import inside a method counts too
    assert "workbench.trainer" in graph["workbench.runs"]


def test_the_core_imports_nothing_above_it():
    graph = import_graph()
    core = [m for m in graph if _is_core(m)]
    assert len(core) >= len(CORE)
    bad = {
        m: sorted(
            t
            for t in _reach(graph, m)
            if any(t == f"workbench.{a}" or t.startswith(f"workbench.{a}.") for a in ABOVE_THE_CORE)
        )
        for m in core
    }
    assert not {m: t for m, t in bad.items() if t}, bad


def test_no_import_cycle_but_arch_and_spaces():
    cycles = _cycles(import_graph())
    assert all(any(c <= allowed for allowed in ALLOWED_CYCLES) for c in cycles), cycles


def test_no_private_name_is_imported_across_modules():
    """A package may keep private modules for itself (`from . import _style`), but no module takes
    another's private function, class or constant."""
    modules, offenders = _modules(), []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("workbench")):
                own_module = node.level == 1 and not node.module
                offenders += [
                    f"{name}: {a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                    and not a.name.endswith("__")
                    and not (own_module and f"{package}.{a.name}" in modules)
                ]
    assert not offenders, offenders


# ---- one scorer, explicit BatchNorm -------------------------------------------------------------
@pytest.fixture
def trained(small_macro, digits_image):
    """A small macro supernet (it has BatchNorm) after a few ω steps."""
    cfg = wb.TrainerConfig.for_space(small_macro, batch_size=32, controller_aggregate=3, reward_batch_size=64)
    trainer = wb.Trainer(small_macro, data=digits_image, config=cfg, seed=0)
    for _ in range(6):
        trainer.shared_step()
    return trainer


def test_scorer_modes_use_batch_or_running_statistics(trained):
    net, space = trained.supernet, trained.space
    arch = space.random(torch.Generator().manual_seed(5))
    X, y = trained.data.split("val")
    before = {k: v.clone() for k, v in net.state_dict().items()}
    net.train()
    with torch.no_grad():
        expected_batch = (net(X, arch).argmax(-1) == y).float().mean().item()
    net.load_state_dict(before)  # the plain forward above moved the running averages: put them back
    net.eval()
    with torch.no_grad():
        expected_running = (net(X, arch).argmax(-1) == y).float().mean().item()
    net.train()
    assert scoring.accuracy(net, arch, X, y, bn="batch") == expected_batch
    assert scoring.accuracy(net, arch, X, y, bn="running") == expected_running
    assert expected_batch != expected_running  # after a few steps the two statistics disagree on this split
    assert net.training  # the mode it had
    after = net.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # running averages untouched by scoring


def test_scorer_refuses_an_unknown_mode(trained):
    X, y = trained.data.split("val")
    with pytest.raises(ValueError, match="choose one of batch, running"):
        scoring.accuracy(trained.supernet, trained.space.random(torch.Generator()), X, y, bn="eval")


def test_evaluate_and_rewards_use_the_documented_modes(trained, monkeypatch):
    assert scoring.DEFAULT_BN == "batch" and trained.config.reward_bn_mode == "batch"
    arch = trained.space.random(torch.Generator().manual_seed(1))
    X, y = trained.data.split("val")
    assert trained.evaluate(arch) == scoring.accuracy(trained.supernet, arch, X, y, bn="batch")
    assert trained.evaluate(arch, bn="running") == scoring.accuracy(trained.supernet, arch, X, y, bn="running")
    modes, scored = [], []  # a θ step scores its K children under one mode switch, in the configured mode
    real_mode, real_accuracy = scoring.scoring_mode, scoring.accuracy_in_mode
    monkeypatch.setattr(scoring, "scoring_mode", lambda module, bn: modes.append(bn) or real_mode(module, bn))
    monkeypatch.setattr(
        scoring, "accuracy_in_mode", lambda *a: scored.append(a[0].training) or real_accuracy(*a)
    )  # the mode the supernet is in when each child is scored
    trained.controller_step()
    trained.configure(reward_bn_mode="running")
    trained.controller_step()
    n = trained.config.controller_aggregate
    assert modes == ["batch", "running"] and scored == [True] * n + [False] * n


def test_old_configs_read_the_renamed_modes():
    assert wb.TrainerConfig.from_dict({"reward_bn_mode": "train"}).reward_bn_mode == "batch"
    assert wb.TrainerConfig.from_dict({"reward_bn_mode": "eval"}).reward_bn_mode == "running"
    with pytest.raises(ValueError, match="reward_bn_mode='train' is not valid"):
        wb.TrainerConfig(reward_bn_mode="train")


# ---- one record per sampled child ----------------------------------------------------------------
def test_theta_record_keeps_every_child(trained):
    record = trained.controller_step()
    n = trained.config.controller_aggregate
    assert len(record.children) == n and tuple(c.arch for c in record.children) == record.archs
    assert record.reward == pytest.approx(sum(c.reward for c in record.children) / n)
    assert record.advantage == pytest.approx(sum(c.advantage for c in record.children) / n)
    assert all(0.0 <= c.accuracy <= 1.0 and c.log_prob < 0 for c in record.children)
    assert record.children[0].advantage == 0.0  # the first reward starts the baseline
    back = wb.record_from_dict(wb.record_to_dict(record))
    assert back == record


def test_theta_records_logged_before_children_still_read(trained):
    row = wb.record_to_dict(trained.controller_step())
    del row["children"]
    assert wb.record_from_dict(row).children == ()


# ---- named random streams --------------------------------------------------------------------------
def test_named_streams_reproduce_the_trainer_and_refuse_unknown_names():
    trainer = wb.Trainer("teaching", seed=4)
    assert torch.equal(trainer.child_gen.get_state(), wb.seeds.generator(4, "children").get_state())
    a = wb.Controller.for_run(trainer.space, trainer.config, 4)
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), trainer.controller.state_dict().values()))
    with pytest.raises(ValueError, match="unknown random stream 'kids'; valid: supernet, controller"):
        wb.seeds.derive(4, "kids")


def test_old_configs_read_the_renamed_unused_weights():
    assert wb.TrainerConfig.from_dict({"unused_grads": "zero"}).unused_weights == "tf-style"
    assert wb.TrainerConfig.from_dict({"unused_grads": "none"}).unused_weights == "frozen"
    with pytest.raises(ValueError, match="unused_weights='bogus' is not valid; choose one of frozen, tf-style"):
        wb.TrainerConfig(unused_weights="bogus")
