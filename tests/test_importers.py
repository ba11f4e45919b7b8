"""Other tools' logs as our History: generic CSV/JSONL tables and the official ENAS release's stdout,
written here by the tests in those formats; the generic space they need; malformed lines named by
number; and the collapse report and policy views on what was imported."""

from __future__ import annotations

import json
import math

import pytest

import workbench as wb
from workbench import importers
from workbench.history import History, record_from_dict, record_to_dict
from workbench.spaces import generic


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


# ---- the generic space ----------------------------------------------------------------------
def test_a_generic_space_is_named_whole_and_rebuilt_from_its_name():
    space = generic.make(["layer1.op", "layer2.op", "layer2.skip0"], [6, 6, 2], ["op", "op", "skip"])
    assert space.name == "generic(layer1.op=6,layer2.op=6,layer2.skip0=2:skip)"
    assert wb.spaces.get(space.name) is space and space.size() == 72
    arch = space.parse("[3, 1, 0]")
    assert arch == space.parse("3 1 0") == space.parse("3,1,0") and str(arch) == "3 1 0"
    assert space.labels(arch) == {"layer1.op": "3", "layer2.op": "1", "layer2.skip0": "no"}
    with pytest.raises(ValueError, match=r"choice 6 for decision 'layer1.op' is out of range: valid are 0..5"):
        space.parse("6 0 0")
    with pytest.raises(ValueError, match="expected 3 integers"):
        space.parse("a b c")
    with pytest.raises(ValueError, match="skip decision 's' has 2 options"):
        generic.make(["s"], [3], ["skip"])
    with pytest.raises(ValueError, match="is given twice"):
        generic.make(["a", "a"], [2, 2])
    with pytest.raises(ValueError, match="not a decision"):
        wb.spaces.get("generic(a=2,b)")
    with pytest.raises(ValueError, match="cannot be trained"):
        space.make_blocks((4,), 2)


# ---- tables ---------------------------------------------------------------------------------
CSV = """step,phase,arch,reward,log_prob,entropy,baseline
1,controller,0 3 1 2,0.5,-3.0,4.0,0.45
1,controller,1 3 0 2,0.4,-2.5,4.1,0.45
2,controller,"[1, 3, 1, 2]",0.6,-2.0,3.9,0.5
2,controller,1 3 1 2,0.7,-1.5,3.8,0.5
"""


def test_a_csv_table_becomes_theta_steps_with_their_children(tmp_path):
    history = importers.read(_write(tmp_path, "run.csv", CSV))
    assert [r.step for r in history] == [1, 2] and all(r.phase == "controller" for r in history)
    space = wb.spaces.get(history[0].arch.space)
    assert space.name == "generic(d1=2,d2=4,d3=2,d4=3)"  # options: the largest choice seen + 1
    first, second = history
    assert [c.reward for c in first.children] == [0.5, 0.4] and first.reward == pytest.approx(0.45)
    assert first.baseline == 0.45 and second.baseline == 0.5
    # advantage: reward minus the baseline before the step (the first step: its own logged baseline)
    assert [c.advantage for c in first.children] == pytest.approx([0.05, -0.05])
    assert [c.advantage for c in second.children] == pytest.approx([0.15, 0.25])
    assert second.log_prob == pytest.approx(-1.75) and second.entropy == pytest.approx(3.85)
    # the policy, estimated from the last children sampled: here all four
    assert second.policy[0] == (0.25, 0.75) and second.policy[2] == (0.25, 0.75) and second.policy[1] == (0, 0, 0, 1)


def test_without_a_baseline_column_the_trainers_moving_average_is_used(tmp_path):
    text = "step,arch,reward,log_prob,entropy\n1,0 1,0.5,-1,1\n2,1 1,0.7,-1,1\n"
    first, second = importers.read_table(_write(tmp_path, "b.csv", text), baseline_decay=0.5)
    assert first.baseline == 0.5 and first.advantage == 0.0  # the first reward starts it
    assert second.advantage == pytest.approx(0.2) and second.baseline == pytest.approx(0.6)


def test_arch_columns_name_the_decisions_and_options_can_be_given(tmp_path):
    text = "step,arch.node1.op,arch.node2.op,reward,log_prob,entropy\n1,0,2,0.5,-1,1\n1,1,2,0.4,-1,1\n"
    (record,) = importers.read_table(_write(tmp_path, "named.csv", text), options=4)
    space = wb.spaces.get(record.arch.space)
    assert [d.name for d in space.decisions] == ["node1.op", "node2.op"] and space.size() == 16
    assert record.archs == (space.make([0, 2]), space.make([1, 2]))


def test_a_jsonl_table_with_shared_steps_named_decisions_and_a_policy(tmp_path):
    rows = [
        {"step": 1, "phase": "shared", "arch": {"a": 0, "b": 1}, "loss": 2.3, "accuracy": 0.1},
        {"step": 2, "arch": {"a": 1, "b": 1}, "reward": 0.3, "log_prob": -1.2, "entropy": 1.3, "epoch": 0,
         "policy": [[0.4, 0.6], [0.1, 0.9]], "grad_norm": 0.25},
        {"step": 3, "arch": {"a": 1, "b": 0}, "reward": 0.4, "log_prob": -1.0, "entropy": 1.2, "epoch": 1},
    ]  # fmt: skip
    path = _write(tmp_path, "run.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    history = importers.read(path)
    shared, a, b = history
    assert shared.phase == "shared" and shared.loss == 2.3 and shared.accuracy == 0.1
    assert a.policy == ((0.4, 0.6), (0.1, 0.9)) and b.policy == ((0.0, 1.0), (0.5, 0.5))  # given, then estimated
    assert b.epoch == 1 and [d.name for d in wb.spaces.get(a.arch.space).decisions] == ["a", "b"]
    if hasattr(a, "grad_norm"):
        assert a.grad_norm == 0.25
    again = History(record_from_dict(json.loads(json.dumps(record_to_dict(r)))) for r in history)
    assert list(again) == list(history)  # the generic space's name carries it through a log line


@pytest.mark.parametrize(
    "text, expected",
    [
        ("step,arch,reward,log_prob,entropy\n1,0 1,0.5,-1,1\n2,0 1,lots,-1,1\n", "line 3: reward 'lots'"),
        ("step,arch,reward,log_prob\n1,0 1,0.5,-1\n", "line 2: missing entropy"),
        ("step,arch,reward,log_prob,entropy\n1,0 1,0.5,-1,1\n2,0 1 1,0.5,-1,1\n", "line 3: arch has 3 decisions"),
        ("step,arch,reward,log_prob,entropy\n2,0 1,0.5,-1,1\n1,0 1,0.5,-1,1\n", "line 3: step 1 comes after step 2"),
        ("step,arch,reward,log_prob,entropy\n1,0 -1,0.5,-1,1\n", "line 2: arch: a decision must be an integer >= 0"),
        ("step,arch,reward,log_prob,entropy\n1.5,0 1,0.5,-1,1\n", "line 2: step '1.5' must be an integer"),
        ("step,phase,arch,loss\n1,omega,0 1,2.0\n", "line 2: phase 'omega' is not valid"),
        ("step,arch,reward,log_prob,entropy\n1,0 1,0.5,-1,1,9\n", "line 2: more values than the header"),
    ],
)
def test_malformed_tables_name_the_line(tmp_path, text, expected):
    with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace(")", r"\)")) as e:
        importers.read(_write(tmp_path, "bad.csv", text))
    assert "bad.csv" in str(e.value)


def test_malformed_jsonl_and_too_few_options_are_refused(tmp_path):
    path = _write(
        tmp_path, "bad.jsonl", '{"step": 1, "arch": [0, 1], "reward": 1, "log_prob": 0, "entropy": 0}\n{oops\n'
    )
    with pytest.raises(ValueError, match=r"bad.jsonl line 2 is not JSON"):
        importers.read(path)
    path = _write(tmp_path, "ok.csv", "step,arch,reward,log_prob,entropy\n1,0 3,0.5,-1,1\n")
    with pytest.raises(ValueError, match=r"decision 2 takes choice 3 .* but options says 2"):
        importers.read_table(path, options=2)


# ---- the ENAS release's stdout ---------------------------------------------------------------
def _block(arcs, header="Here are 10 architectures") -> str:
    out = [header]
    for lines, acc in arcs:
        out += [*lines, f"val_acc={acc:<6.4f}", "-" * 80]
    return "\n".join(out) + "\n"


def _ctrl(step, ent, bl, gn=0.3456, mins=1.0) -> str:  # as the release formats it
    line = f"ctrl_step={step:<6d} loss={0.123:<7.3f} ent={ent:<5.2f} lr={0.001:<6.4f} |g|={gn:<8.4f}"
    return line + f" acc={0.125:<6.4f} bl={bl:<5.2f} mins={mins:<.2f}\n"


def _shared(epoch, step) -> str:
    line = f"epoch={epoch:<6d}ch_step={step:<6d} loss={2.302585:<8.6f} lr={0.05:<8.4f} |g|={0.1234:<8.4f}"
    return line + f" tr_acc={4:<3d}/{32:>3d} mins={0.12:<10.2f}\n"


MACRO = (
    "-" * 80
    + "\nLogging to outputs/stdout\n"
    + _shared(0, 50)
    + "Epoch 1: Training controller\n"
    + _ctrl(1, 6.54, 0.12, mins=0.5)
    + _block([(["[1]", "[3 0]", "[0 1 0]"], 0.125), (["[5]", "[2 1]", "[4 0 1]"], 0.0625)])
    + "Epoch 1: Eval\nvalid_accuracy: 0.1100\n"
    + _shared(1, 100)
    + "Epoch 2: Training controller\n"
    + _ctrl(51, 6.01, 0.15, gn=0.5, mins=1.5)
    + _block([(["[1]", "[3 0]", "[0 1 0]"], 0.25)])
)


def test_enas_macro_stdout_becomes_enas_macro_children(tmp_path):
    history = importers.read(_write(tmp_path, "stdout", MACRO))
    assert [r.step for r in history] == [1, 51] and [r.epoch for r in history] == [1, 2]
    first, second = history
    assert first.arch.space == "enas-macro(num_layers=3)"
    assert str(first.archs[0]) == "layer1=sep3x3 layer2=sep5x5 layer3=conv3x3+skip(0)"  # ENAS branch ids 1, 3, 0
    assert str(first.archs[1]) == "layer1=maxpool3x3 layer2=conv5x5+skip(0) layer3=avgpool3x3+skip(1)"
    assert [c.accuracy for c in first.children] == [0.125, 0.0625] == [c.reward for c in first.children]
    assert first.baseline == 0.12 and first.entropy == 6.54
    assert first.advantage == pytest.approx((0.125 + 0.0625) / 2 - 0.12)
    assert math.isnan(first.log_prob)  # the release does not print it
    assert first.skip_rate == pytest.approx((1 / 3 + 2 / 3) / 2)
    assert second.seconds == pytest.approx(60.0)  # mins 0.5 -> 1.5
    if hasattr(second, "grad_norm"):
        assert second.grad_norm == 0.5
    assert second.policy[0][wb.spaces.get(second.arch.space).ops.index("sep3x3")] == pytest.approx(2 / 3)
    generic_history = importers.read_enas_stdout(tmp_path / "stdout", space="generic")
    names = [d.name for d in wb.spaces.get(generic_history[0].arch.space).decisions]
    assert names == ["layer1.op", "layer2.op", "layer2.skip0", "layer3.op", "layer3.skip0", "layer3.skip1"]
    assert generic_history[0].archs[0].choices == (1, 3, 0, 0, 1, 0)  # ENAS's own ids


def test_enas_micro_stdout_names_cells_nodes_and_branches(tmp_path):
    normal, reduce = "[0 1 1 4 2 0 0 3]", "[1 0 0 2 1 1 2 4]"  # two nodes: input, op, input, op each
    wrapped = ["[0 1 1 0 0 2", " 2 1]"]  # numpy wraps long arrays over lines
    text = _ctrl(7, 3.2, 0.4) + _block([([normal, reduce], 0.5), ([*wrapped, reduce], 0.75)])
    (record,) = importers.read(_write(tmp_path, "micro.log", text), format="enas-stdout")
    space = wb.spaces.get(record.arch.space)
    assert [d.name for d in space.decisions[:4]] == [
        "normal.node1.x.input",
        "normal.node1.x.op",
        "normal.node1.y.input",
        "normal.node1.y.op",
    ]
    assert [len(d.options) for d in space.decisions[:8]] == [2, 5, 2, 5, 3, 5, 3, 5]  # node k reads k + 1 inputs
    assert record.archs[1].choices[:8] == (0, 1, 1, 0, 0, 2, 2, 1)
    assert [d.kind for d in space.decisions[:2]] == ["input", "op"]


def test_controller_lines_of_forks_that_print_fewer_fields_or_an_epoch_first(tmp_path):
    variant = "epoch=1   ch_step=50    loss=2.345 ent=10.23 lr=0.0010 |g|=0.3456 acc=0.1250 bl=0.12 mins=1.23\n"
    fewer = "ctrl_step=80     loss=0.5   ent=9.50  acc=0.2500 bl=0.20\n"  # no lr, |g| or mins
    text = variant + _block([(["[1]", "[3 0]"], 0.25)]) + fewer + _block([(["[2]", "[3 1]"], 0.5)])
    first, second = importers.read(_write(tmp_path, "stdout", text))
    assert (first.step, first.entropy, first.baseline, first.epoch) == (50, 10.23, 0.12, 1)
    assert (second.step, second.entropy, second.baseline, second.seconds) == (80, 9.5, 0.2, 0.0)
    if hasattr(first, "grad_norm"):
        assert first.grad_norm == 0.3456 and second.grad_norm is None


C, HEAD = _ctrl(1, 1.0, 0.1), "Here are 10 architectures\n"


@pytest.mark.parametrize(
    "text, expected",
    [
        (_ctrl(1, 1.0, 0.1).replace(" bl=0.10 ", " "), "line 1: a ctrl_step line lacks bl"),
        (_ctrl(1, 1.0, 0.1).replace("ent=1.00", "ent=nan"), "line 1: ent='nan' is not a finite number"),
        (_ctrl(1, 1.0, 0.1).replace("ctrl_step=1 ", "ctrl_step=1.5 "), "line 1: ctrl_step='1.5' must be an integer"),
        (_block([(["[1]"], 0.5)]), "line 1: architectures printed with no ctrl_step line"),
        (C + HEAD + "[1]\n[2 0]\nEpoch 2: Eval\n", "line 5: architecture printed without"),
        (C + HEAD + "[1 x]\nval_acc=0.5\n", "line 3: expected integers"),
        (C + HEAD + "[1 2\nval_acc=0.5\n", "line 3: an architecture's array is not closed"),
        (C + _block([(["[1]"], 0.5), (["[1]", "[2 0]"], 0.5)]), "line 6: this architecture's arrays"),
        (C + _block([(["[1]"], 0.5)]) + C + _block([(["[1]"], 0.5)]), "line 6: ctrl_step=1 does not come after"),
        (C + _block([(["[7]"], 0.5)]), "line 3: an op id is beyond ENAS's six branches"),
        ("just some text\n", "holds no printed architectures"),
    ],
)
def test_malformed_enas_stdout_names_the_line(tmp_path, text, expected):
    with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace("|", r"\|")):
        importers.read_enas_stdout(_write(tmp_path, "stdout", text))


# ---- the collapse report and the policy views on imported runs --------------------------------
def _collapsing_csv(tmp_path):
    lines = ["step,arch,reward,log_prob,entropy,baseline"]
    for step in range(1, 31):
        for k in range(2):
            arch = f"{(step + k) % 4} {(step * 3 + k) % 3} {k}" if step <= 10 else "2 1 0"  # then one child only
            lines.append(f"{step},{arch},{0.3 + 0.001 * step},{-0.1 if step > 10 else -3.0},{1.0},0.3")
    return _write(tmp_path, "collapse.csv", "\n".join(lines) + "\n")


def test_collapse_report_runs_on_an_imported_history(tmp_path):
    history = importers.read(_collapsing_csv(tmp_path))
    assert len(history) == 30 and all(len(r.children) == 2 for r in history)
    report = wb.viz.collapse_report(history, last_k=20)
    assert report.space == history[0].arch.space and report.samples == 20
    assert report.top_arch == wb.spaces.get(report.space).parse("2 1 0") and report.top_share == 1.0
    assert report.verdict in wb.viz.collapse.VERDICTS and report.verdict != "healthy"
    healthy = importers.read(_write(tmp_path, "mixed.csv", "\n".join(
        ["step,arch,reward,log_prob,entropy"]
        + [f"{s},{s % 4} {(s // 4) % 3} {(s // 12) % 2},0.3,-3,1" for s in range(1, 41)]
    ) + "\n"))  # fmt: skip
    assert wb.viz.collapse_report(healthy, last_k=40).top_share < 0.1


def test_policy_views_draw_an_imported_history(tmp_path):
    history = importers.read(_collapsing_csv(tmp_path))
    figure = wb.viz.plot_policy_history(history)
    assert len(figure.data) >= 2
    enas = importers.read(_write(tmp_path, "stdout", MACRO))
    assert len(wb.viz.plot_policy_history(enas).data) >= 2
    assert len(wb.viz.plot_training(enas).data) >= 1


def test_workbench_import_prints_the_collapse_report_and_refuses_bad_lines(tmp_path, capsys):
    from workbench.cli import EXIT_OK, EXIT_USAGE, main

    assert main(["import", str(_collapsing_csv(tmp_path)), "--last-k", "20"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "30 θ steps (60 sampled children), 0 ω steps" in out and "space: generic(d1=4,d2=2,d3=2)" in out
    assert "20 of the last 20 samples" in out
    bad = _write(tmp_path, "stdout", _ctrl(1, 1.0, 0.1) + "Here are 10 architectures\n[1 x]\nval_acc=0.5\n")
    assert main(["import", str(bad), "--format", "enas-stdout"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("workbench: error: ") and "stdout line 3: expected integers" in err
