"""plot_update_heatmap: cells equal hand-made counts; gradient and change differ visibly; shares."""

import pytest

import workbench as wb
from workbench.viz import heatmap as vh

SMALL = wb.spaces.get("teaching", num_nodes=2)
OPS = ("relu", "tanh", "sigmoid")
BLOCKS = ("stem", *[f"node1<-0/{o}" for o in OPS], *[f"node2<-{j}/{o}" for j in (0, 1) for o in OPS], "classifier")


def hand_counts() -> wb.UpdateCounts:
    counts = wb.UpdateCounts(BLOCKS)
    counts.record(("stem", "node1<-0/relu", "classifier"), ("stem", "node1<-0/relu", "classifier"))
    # the optimizer also moved node1<-0/relu, which got no gradient in this step
    counts.record(
        ("stem", "node1<-0/tanh", "node2<-1/sigmoid", "classifier"),
        ("stem", "node1<-0/relu", "node1<-0/tanh", "node2<-1/sigmoid", "classifier"),
    )
    return counts


def test_data_layer_exact_values():
    info = vh._get_update_info(hand_counts(), SMALL)
    assert info.rows == ("node1", "node2 ← stem", "node2 ← node1")
    assert info.columns == ("relu", "tanh", "sigmoid", "identity")
    assert info.blocks[2] == ("node2<-1/relu", "node2<-1/tanh", "node2<-1/sigmoid", None)
    assert info.grad == ((1, 1, 0, None), (0, 0, 0, None), (0, 0, 1, None))
    assert info.changed == ((2, 1, 0, None), (0, 0, 0, None), (0, 0, 1, None))
    assert info.mismatches == ((0, 0),)
    assert info.fixed == (("stem", 2, 2), ("classifier", 2, 2))
    assert info.uniform == ((0.25, 0.25, 0.25, None), (0.125, 0.125, 0.125, None), (0.125, 0.125, 0.125, None))
    shares = vh._get_update_info(hand_counts(), SMALL, normalize=True)
    assert shares.values("grad")[0] == (0.5, 0.5, 0.0, None)
    assert shares.values("changed")[0] == (1.0, 0.5, 0.0, None)


def test_figure_cells_equal_the_counts():
    fig = vh.plot_update_heatmap(hand_counts(), SMALL)
    grad, changed = fig.data
    assert [list(r) for r in grad.z] == [[1, 1, 0, None], [0, 0, 0, None], [0, 0, 1, None]]
    assert [list(r) for r in changed.z] == [[2, 1, 0, None], [0, 0, 0, None], [0, 0, 1, None]]
    assert list(grad.text[0]) == ["1", "1", "0", "no weights"]
    assert list(grad.y) == ["node1", "node2 ← stem", "node2 ← node1"]
    outlined = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [(s.xref, s.x0, s.y0) for s in outlined] == [("x2", -0.5, -0.5)]  # the relu cell of node1, right panel
    assert "moved without a gradient" in grad.hovertext[0][0]
    assert "1 blocks changed in steps without a gradient" in fig.layout.title.subtitle.text
    assert fig.layout.coloraxis.cmax == 2
    bar = fig.layout.coloraxis.colorbar  # counts: whole-number ticks (0.5 steps would print "0 1 1 2 2")
    assert (bar.tick0, bar.dtick, bar.tickformat) == (0, 1, "d")
    many = wb.UpdateCounts(BLOCKS)
    for _ in range(37):
        many.record(("stem",), ("stem",))
    assert vh.plot_update_heatmap(many, SMALL).layout.coloraxis.colorbar.dtick == 10  # 0, 10, 20, 30 of 37
    shares = vh.plot_update_heatmap(hand_counts(), SMALL, normalize=True)
    assert list(shares.data[1].z[0]) == [1.0, 0.5, 0.0, None] and shares.data[1].text[0][0] == "100%"
    assert shares.layout.coloraxis.cmax == 1


def test_macro_rows_are_layers():
    macro = wb.spaces.get("enas-macro", num_layers=2)
    net = wb.Supernet(macro, (1, 8, 8), 10)
    counts = wb.UpdateCounts(net.block_names)
    arch = macro.parse("layer1=sep3x3 layer2=maxpool3x3+skip(0)")
    counts.record(net.blocks_for(arch), net.blocks_for(arch))
    info = vh._get_update_info(counts, macro)
    assert info.rows == ("layer1", "layer2") and info.columns == macro.ops
    assert info.grad == ((0, 0, 1, 0, 0, 0), (0, 0, 0, 0, 1, 0))  # a pool branch starts with a 1x1 conv
    assert info.uniform[0][0] == pytest.approx(1 / 6)


def test_empty_counts_keep_the_title():
    fig = vh.plot_update_heatmap(wb.UpdateCounts(BLOCKS), SMALL)
    assert fig.layout.title.text.startswith("How often was each shared weight block updated?")
    assert any("No ω steps yet" in a.text for a in fig.layout.annotations)
    assert len(fig.data) == 2


def test_bad_inputs():
    with pytest.raises(TypeError, match="UpdateCounts"):
        vh.plot_update_heatmap({"stem": 1}, SMALL)
    with pytest.raises(ValueError, match="lacks weight blocks"):
        vh.plot_update_heatmap(hand_counts(), wb.spaces.get("teaching"))
    with pytest.raises(TypeError, match="normalize"):
        vh.plot_update_heatmap(hand_counts(), SMALL, normalize="yes")


def test_a_panel_too_short_for_its_rows_shows_colour_without_counts():
    space = wb.spaces.get("teaching")  # 10 rows
    net = wb.Supernet(space, wb.data.for_space(space).input_shape, 10)
    counts = wb.UpdateCounts(net.block_names)
    arch = space.parse("node1=relu(stem) node2=tanh(node1) node3=relu(node2) node4=tanh(stem)")
    counts.record(net.blocks_for(arch), net.blocks_for(arch))

    def texts(height):
        return {t for row in vh.plot_update_heatmap(counts, space, height=height).data[0].text for t in row}

    assert texts(270) == {"0", "1", "–"}  # Voila at 1280 x 720: about 21 px a row
    assert texts(205) == {"", "–"}  # JupyterLab at 1280 x 720: about 14 px a row, counts would overlap
    assert texts(None) == {"0", "1", "no weights"}  # a page-sized figure
