"""The views in front of a class: sized for a 2 x 2 dashboard at 1280 x 720, a selection every view
highlights, clicks that map back to a block or node, and why a block did not change."""

from __future__ import annotations

import re

import pytest
from frames import frame_of

import workbench as wb
from workbench.viz import arch as va
from workbench.viz import heatmap as vh
from workbench.viz import policy as vp

TEACH = wb.spaces.get("teaching")
T_ARCH = TEACH.parse("node1=relu(stem) node2=tanh(node1) node3=tanh(node1) node4=sigmoid(node2)")
MACRO = wb.spaces.get("enas-macro", num_layers=4, channels=8)
M_ARCH = MACRO.parse("layer1=conv3x3 layer2=maxpool3x3+skip(0) layer3=sep5x5 layer4=avgpool3x3+skip(0,2)")
PANELS = (165, 205, 250, 290, 300)  # the dashboard cells: JupyterLab at 1280 x 720 (165, 205), Voila and larger


@pytest.fixture(scope="module", params=["teaching", "enas-macro"])
def trainer(request, mnist1d, digits_image):
    space, data = (TEACH, mnist1d) if request.param == "teaching" else (MACRO, digits_image)
    config = wb.TrainerConfig.for_space(space, batch_size=32, controller_aggregate=2, reward_batch_size=32)
    return wb.Trainer(space, data=data, config=config, seed=0)


def font_sizes(node, path=""):
    """(path, size) of every explicit font size in a figure's JSON, hover labels excepted."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "hoverlabel":
                continue
            if k.endswith("font") and isinstance(v, dict) and "size" in v:
                sizes = v["size"] if isinstance(v["size"], (list, tuple)) else [v["size"]]
                yield from ((f"{path}.{k}", s) for s in sizes)
            yield from font_sizes(v, f"{path}.{k}")
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from font_sizes(v, f"{path}[{i}]")


def visible_width(text: str) -> int:
    """Columns `text` takes on screen (markup dropped, a CJK character two)."""
    plain = re.sub(r"<[^>]*>", "", text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in plain)


def test_every_view_at_dashboard_size_has_no_text_under_14px(trainer):
    for phase in ("before any step", "after a few steps"):
        if phase != "before any step":
            for _ in range(3):
                trainer.shared_step()
            trainer.controller_step()
        for lang in ("en", "zh"):
            frame = frame_of(trainer, lang, selected="node2" if trainer.space.kind == "teaching" else "layer3")
            for view in wb.viz.views():
                for height in PANELS:
                    fig = view.figure(frame, height)
                    where = f"{trainer.space.name} {phase} {lang}: {view.name} at {height} px"
                    small = [(p, s) for p, s in font_sizes(fig.to_plotly_json()) if s < 14]
                    assert not small, f"{where}: text under 14 px: {small[:5]}"
                    assert fig.layout.height == height, where
                    assert visible_width(fig.layout.title.text) <= 60, f"{where}: title too long for 630 px"
                    assert not (fig.layout.title.subtitle.text or ""), f"{where}: no room for a subtitle"
                    legend = fig.layout.legend  # below the plot: y < 0 of the plot, or in the bottom margin
                    below = (
                        (legend.y or 0) * height < (fig.layout.margin.b or 0) - 20  # its 20 px row fits there
                        if legend.yref == "container"
                        else (legend.y or 1) < 0
                    )
                    legend_inside = fig.layout.showlegend is not False and not below
                    assert not legend_inside, f"{where}: a legend over the data"
                    assert fig.layout.margin.t <= 60 and fig.layout.margin.l <= 20, where


def test_a_short_training_panel_gives_its_legend_room_to_the_plots(trainer):
    trainer.shared_step()
    trainer.controller_step()
    history = trainer.history
    roomy, short = wb.viz.plot_training(history, height=232), wb.viz.plot_training(history, height=165)
    assert roomy.layout.showlegend is not False and roomy.layout.margin.b == 52  # Voila at 1280 x 720
    assert short.layout.showlegend is False and short.layout.margin.b == 8  # JupyterLab: it wrapped over the plots
    assert short.layout.title.text == "" and short.layout.margin.t == 30 and roomy.layout.title.text
    assert (short.layout.yaxis.nticks, short.layout.yaxis2.nticks) == (3, 3)


def test_stand_alone_figures_keep_their_page_size():
    fig = wb.viz.plot_arch(TEACH, T_ARCH)
    assert fig.layout.height == 680 and fig.layout.showlegend is not False and fig.layout.title.subtitle.text
    assert len(wb.viz.plot_update_heatmap(wb.UpdateCounts(TEACH.block_names()), TEACH).data) == 2
    assert wb.viz.plot_training(wb.History()).layout.height == 720
    with pytest.raises(ValueError, match="height=99"):
        wb.viz.plot_arch(TEACH, T_ARCH, height=99)


# ---- a selection every view highlights ---------------------------------------------------------
def test_selecting_a_block_highlights_exactly_its_edge_chip_cell_and_decisions():
    info = va._get_arch_info(TEACH, T_ARCH, selected="node3<-1/tanh")
    assert info.selected_edges == {("node1", "node3", "op")}
    assert [(c.node, c.op) for c in info.chips if c.selected] == [("node3", "tanh")]  # node3 reads node1
    assert not any(n.selected for n in info.nodes)
    other = va._get_arch_info(TEACH, T_ARCH, selected="node3<-0/tanh")  # a candidate edge the child skips
    assert other.selected_edges == {("stem", "node3", "op")} and not any(c.selected for c in other.chips)
    fig = va.plot_arch(TEACH, T_ARCH, selected="node3<-1/tanh")
    band = fig.data[0]
    edge = next(e for e in info.edges if e.selected)
    assert [x for x in band.x if x is not None] == list(edge.xs)  # the highlighter runs along that edge
    macro = va._get_arch_info(MACRO, M_ARCH, selected="layer3/sep5x5")
    assert macro.selected_edges == {("layer2", "layer3", "op")}
    assert [(c.node, c.op) for c in macro.chips if c.selected] == [("layer3", "sep5x5")]

    counts = wb.UpdateCounts(TEACH.block_names())
    heat = vh._get_update_info(counts, TEACH, selected="node3<-1/tanh")
    assert heat.selected == ((heat.rows.index("node3 ← node1"), TEACH.ops.index("tanh")),)
    fig = vh.plot_update_heatmap(counts, TEACH, selected="node3<-1/tanh")
    outlines = [(s.xref, s.x0, s.y0) for s in fig.layout.shapes if s.line.color == "#000000"]
    r, c = heat.selected[0]
    assert outlines == [("x", c - 0.5, r - 0.5), ("x2", c - 0.5, r - 0.5)]  # that cell, in both panels

    policy = vp._get_policy_info(TEACH, T_ARCH, wb.Controller(TEACH).distributions(T_ARCH), selected="node3<-1/tanh")
    assert [policy.decisions[k] for k in policy.selected] == ["node3.input", "node3.op"]


def test_selecting_a_node_highlights_it_everywhere():
    info = va._get_arch_info(TEACH, T_ARCH, selected="node2")
    assert [n.name for n in info.nodes if n.selected] == ["node2"] and not info.selected_edges
    heat = vh._get_update_info(wb.UpdateCounts(TEACH.block_names()), TEACH, selected="node2")
    assert {heat.rows[r] for r, _ in heat.selected} == {"node2 ← stem", "node2 ← node1"}
    fig = wb.viz.plot_policy(wb.Controller(TEACH), selected="node2")
    assert [t for t in fig.layout.yaxis.ticktext if "▶" in t] == ["<b>▶ node2.input</b>", "<b>▶ node2.op</b>"]
    report = wb.viz.collapse_report(wb.History())
    assert wb.viz.plot_collapse(report, selected="node2").layout.title.text  # nothing to emphasise yet
    with pytest.raises(ValueError, match="'node9' is neither a weight block nor a node of space 'teaching'"):
        va._get_arch_info(TEACH, T_ARCH, selected="node9")


def test_every_clickable_point_names_its_block_or_node():
    names = set(TEACH.block_names()) | set(TEACH.supernet_graph().nodes)
    fig = va.plot_arch(TEACH, T_ARCH, wb.UpdateCounts(TEACH.block_names()))
    for trace in fig.data:
        if trace.name in ("edges", "nodes", "candidate ops"):
            assert len(trace.customdata) == len(trace.x) and set(trace.customdata) <= names, trace.name
    chips = next(t for t in fig.data if t.name == "candidate ops")
    assert "node3<-1/tanh" in chips.customdata and "node3" in chips.customdata  # identity: its node
    heat = vh.plot_update_heatmap(wb.UpdateCounts(TEACH.block_names()), TEACH)
    cells = {c for row in heat.data[0].customdata for c in row}
    assert cells <= names and "node4<-3/sigmoid" in cells
    bars = wb.viz.plot_policy(wb.Controller(TEACH)).data
    assert {c for t in bars for c in (t.customdata or ())} == {"node1", "node2", "node3", "node4"}
    for space, arch in ((TEACH, T_ARCH), (MACRO, M_ARCH)):  # a click on a node reaches the node, not an edge
        info = va._get_arch_info(space, arch)
        assert not {e.mid for e in info.edges} & {(n.x, n.y) for n in info.nodes}


# ---- the labels on the arch view: visible, not hover-only ----------------------------------------
def test_each_candidate_op_shows_its_name_and_update_count():
    net = wb.Supernet(TEACH, (40,), 10)
    counts = wb.UpdateCounts(net.block_names)
    for _ in range(3):
        counts.record(net.blocks_for(T_ARCH), net.blocks_for(T_ARCH))
    for height in (None, 290):
        fig = va.plot_arch(TEACH, T_ARCH, counts, height=height)
        chips = next(t for t in fig.data if t.name == "candidate ops")
        labels = dict(zip(chips.customdata, chips.text))
        assert labels["node2<-1/tanh"] == "tanh 3" and labels["node2<-1/relu"] == "relu 0"
        rects = [s for s in fig.layout.shapes if s.type == "rect"]
        fills = {s.fillcolor for s in rects}
        assert len(rects) == len(chips.x) and len(fills) > 2  # filled by count
    fig = va.plot_arch(MACRO, M_ARCH, height=290)
    assert "max3x3" in " ".join(next(t for t in fig.data if t.name == "candidate ops").text)  # fits 630 px


# ---- why a block did not change ---------------------------------------------------------------
def test_why_unchanged_names_the_childs_other_choice():
    why = wb.viz.why_unchanged
    assert why(TEACH, T_ARCH, "node3<-0/tanh") == (
        "not on the path of node3=tanh(node1): node3 took its input from node1, not stem"
    )
    assert why(TEACH, T_ARCH, "node3<-1/relu") == "not on the path of node3=tanh(node1): node3 applied tanh, not relu"
    assert why(TEACH, T_ARCH, "node2<-0/relu").startswith("not on the path of node2=tanh(node1): node2 took its")
    assert why(TEACH, T_ARCH, "node3<-1/tanh").startswith("on the path of node3=tanh(node1)")
    assert why(TEACH, T_ARCH, "stem") == "every child uses stem: every ω step trains it"
    sampled = TEACH.parse("node1=relu(stem) node2=tanh(node1) node3=relu(stem) node4=sigmoid(node2)")
    assert why(TEACH, T_ARCH, "node3<-0/relu", shown=sampled).startswith("the last ω step trained another child")
    assert (
        why(TEACH, T_ARCH, "node3<-0/tanh", "zh") == "不在 node3=tanh(node1) 的路径上：node3 的输入是 node1，不是 stem"
    )
    assert (
        why(MACRO, M_ARCH, "layer3/conv3x3") == "not on the path of layer3=sep5x5: layer3 applied sep5x5, not conv3x3"
    )
    with pytest.raises(ValueError, match="'node9<-0/relu' is not a weight block of space 'teaching'"):
        why(TEACH, T_ARCH, "node9<-0/relu")


def test_why_unchanged_on_a_real_step(trainer):
    record = trainer.shared_step()
    for block in trainer.space.block_names():
        why = wb.viz.why_unchanged(trainer.space, record.arch, block)
        if block in record.updated:
            assert why.startswith(("on the path of", "every child uses", "this child reads")), (block, why)
        else:
            assert why.startswith(("not on the path of", "no layer after")), (block, why)
    frame = frame_of(trainer)
    heat = wb.viz.views()[[v.name for v in wb.viz.views()].index("heatmap")].figure(frame)
    info = vh._get_update_info(trainer.update_counts, trainer.space, history=trainer.history, arch=record.arch)
    for r, row in enumerate(info.blocks):
        for c, block in enumerate(row):
            if block is None:
                continue
            hover = heat.data[0].hovertext[r][c].replace("<br>", " ")
            if block in record.changed:
                assert "last ω step: updated" in hover
            else:
                reason = wb.viz.why_unchanged(trainer.space, record.arch, block)
                assert "last ω step: unchanged: " in hover and reason.split(":")[0] in hover


# ---- the app's live views: sized per view, redrawn for another language ---------------------------
def test_live_views_take_heights_and_redraw_in_another_language(trainer):
    from workbench.app.views import LiveViews

    trainer.shared_step()
    views = LiveViews(frame_of(trainer), heights={"arch": 300, "heatmap": 290})
    assert views.heights["arch"] == 300 and views.heights["policy"] is None
    assert views.figures["arch"]["layout"]["height"] == 300 and views.figures["heatmap"]["layout"]["height"] == 290
    before = views.widgets["arch"].figure_json
    views.update(frame_of(trainer, "zh", selected="node2" if trainer.space.kind == "teaching" else "layer2"))
    assert views.widgets["arch"].figure_json != before
    assert views.figures["arch"]["layout"]["title"]["text"].startswith("超网络中的子模型")
    assert views.figures["arch"]["data"][1]["name"] == "候选，不在这个子模型中"
    with pytest.raises(ValueError, match=r"heights for unknown views \['arc'\]; registered: arch, heatmap"):
        LiveViews(frame_of(trainer), heights={"arc": 300})


def test_projector_gives_a_figure_of_ones_own_the_workbench_look():
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]), layout=dict(title="mine"))
    assert wb.viz.projector(fig) is fig  # chains, as update_layout does
    assert (fig.layout.font.size, fig.layout.title.font.size) == (16, 20)
    assert fig.layout.template.layout.plot_bgcolor == "white"
