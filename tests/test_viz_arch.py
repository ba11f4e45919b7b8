"""plot_arch: the child's edges are the highlighted ones, nodes never move, hovers carry counts and probabilities."""

import pytest
import torch

import workbench as wb
from workbench.viz import _style as st
from workbench.viz import arch as va

TEACH = wb.spaces.get("teaching")
MACRO = wb.spaces.get("enas-macro", num_layers=4)
T_ARCH = TEACH.parse("node1=relu(stem) node2=tanh(node1) node3=identity(stem) node4=sigmoid(node2)")
M_ARCH = MACRO.parse("layer1=conv3x3 layer2=maxpool3x3+skip(0) layer3=sep5x5 layer4=avgpool3x3+skip(0,2)")


def expected_child_edges(space, arch):
    """The child's edges, derived from the arch itself (not from the code under test)."""
    if space.kind == "teaching":
        src = lambda j: "stem" if j == 0 else f"node{j}"  # noqa: E731
        edges = {("input", "stem", "plain")} | {(src(j), f"node{i}", "op") for i, j, _ in space.nodes(arch)}
        return edges | {(f"node{i}", "output", "plain") for i in space.loose_ends(arch)}
    edges = {("input", "stem", "plain"), (f"layer{space.num_layers}", "output", "plain")}
    node = lambda j: "stem" if j == 0 else f"layer{j}"  # noqa: E731 - skip source 0 is the stem
    for i, _, skips in space.layers(arch):
        edges.add((node(i - 1), f"layer{i}", "op"))
        edges |= {(node(j), f"layer{i}", "skip") for j in skips}
    return edges


def counts_for(space, archs):
    net = wb.Supernet(space, (40,) if space.input_kind == "flat" else (1, 8, 8), 10)
    counts = wb.UpdateCounts(net.block_names)
    for a in archs:
        counts.record(net.blocks_for(a), net.blocks_for(a))
    return counts


def segments(trace):
    """(first point, last point) of each None-separated polyline of a lines trace."""
    out, xs, ys = [], [], []
    for x, y in zip(list(trace.x) + [None], list(trace.y) + [None]):
        if x is None:
            if xs:
                out.append(((round(xs[0], 6), round(ys[0], 6)), (round(xs[-1], 6), round(ys[-1], 6))))
            xs, ys = [], []
        else:
            xs.append(x), ys.append(y)
    return out


@pytest.mark.parametrize("space, arch", [(TEACH, T_ARCH), (MACRO, M_ARCH)])
def test_highlighted_edges_are_the_childs(space, arch):
    info = va._get_arch_info(space, arch)
    assert info.child_edges == expected_child_edges(space, arch)
    assert {(u, v) for u, v, _ in info.child_edges} == set(space.graph(arch).edges())
    # every candidate edge of the supernet is drawn: the others faint
    assert {(e.src, e.dst) for e in info.edges} == set(space.supernet_graph().edges())
    fig = va.plot_arch(space, arch)
    at = {(round(n.x, 6), round(n.y, 6)): n.name for n in info.nodes}
    drawn = set()
    for trace in fig.data[2 : 4 + len(space.ops)]:  # trace 0: the selection's highlighter band
        kind = "plain" if trace.name.startswith("in this child") else "skip" if trace.name.startswith("skip") else "op"
        for a, b in segments(trace):
            drawn.add((at[a], at[b], kind))
            if kind == "op":
                edge = next(e for e in info.edges if (e.src, e.dst, e.kind) == (at[a], at[b], "op"))
                assert edge.op == trace.name  # an op edge is drawn in its op's trace, in its op's colour
                assert trace.line.color == st.OP_COLORS[trace.name]
    assert drawn == expected_child_edges(space, arch)
    assert len(segments(fig.data[1])) == len(info.edges) - len(info.child_edges)


def test_ops_on_the_nodes_and_chips():
    info = va._get_arch_info(TEACH, T_ARCH)
    ops = {n.name: n.op for n in info.nodes if n.searched}
    assert ops == {"node1": "relu", "node2": "tanh", "node3": "identity", "node4": "sigmoid"}
    assert {c.node: c.op for c in info.chips if c.chosen} == ops
    assert len(info.chips) == 4 * 4
    assert next(c for c in info.chips if c.node == "node2" and c.op == "relu").block == "node2<-1/relu"
    assert next(c for c in info.chips if c.node == "node3" and c.op == "identity").block is None
    fig = va.plot_arch(TEACH, T_ARCH)
    nodes = next(t for t in fig.data if t.name == "nodes")
    assert "tanh" in nodes.text[[n.name for n in info.nodes].index("node2")]


def test_layout_is_stable_across_children():
    g = torch.Generator().manual_seed(0)
    for space in (TEACH, MACRO):
        figs = [va.plot_arch(space, space.random(g)) for _ in range(3)]
        infos = [va._get_arch_info(space, space.random(g)) for _ in range(3)]
        assert len({tuple((n.name, n.x, n.y) for n in i.nodes) for i in infos}) == 1
        assert len({tuple((e.src, e.dst, e.kind, e.xs, e.ys) for e in i.edges) for i in infos}) == 1
        assert len({tuple((t.type, t.name) for t in f.data) for f in figs}) == 1
        assert all(f.layout.uirevision == f"arch:{space.name}" for f in figs)


def test_hover_shows_block_count_and_probability():
    g = torch.Generator().manual_seed(1)
    archs = [T_ARCH] * 3 + [TEACH.random(g) for _ in range(5)]
    counts = counts_for(TEACH, archs)
    ctrl = wb.Controller(TEACH, seed=3)
    dists = ctrl.distributions(T_ARCH)
    info = va._get_arch_info(TEACH, T_ARCH, counts, dists)  # the data layer takes distributions, no controller
    edge = next(e for e in info.edges if (e.src, e.dst, e.kind) == ("node1", "node2", "op"))
    assert edge.block == "node2<-1/tanh"
    names = [d.name for d in TEACH.decisions]
    p_input = float(dists[names.index("node2.input")][1])
    p_op = float(dists[names.index("node2.op")][TEACH.ops.index("tanh")])
    assert "node2&lt;-1/tanh" not in edge.hover  # plain text, not escaped twice
    assert f"<b>node2<-1/tanh</b>: gradient in {counts.grad['node2<-1/tanh']} of {len(archs)} ω steps" in edge.hover
    assert f"P(node2.input = node1) = {st.percent(p_input)}" in edge.hover
    assert f"P(node2.op = tanh) = {st.percent(p_op)}" in edge.hover
    chip = next(c for c in info.chips if c.node == "node4" and c.op == "relu")
    assert chip.prob == pytest.approx(float(dists[names.index("node4.op")][0]))
    assert chip.grad == counts.grad["node4<-2/relu"] and not chip.chosen
    hovers = next(t for t in va.plot_arch(TEACH, T_ARCH, counts, ctrl).data if t.name == "edges").hovertext
    assert edge.hover in hovers


def test_macro_skips_and_probabilities():
    ctrl = wb.Controller(MACRO, seed=0)
    info = va._get_arch_info(MACRO, M_ARCH, counts_for(MACRO, [M_ARCH]), ctrl.distributions(M_ARCH))
    skip = next(e for e in info.edges if (e.src, e.dst, e.kind) == ("stem", "layer2", "skip"))
    assert skip.in_child and skip.block is None
    k = [d.name for d in MACRO.decisions].index("layer2.skip0")
    assert f"P(layer2.skip0 = yes) = {st.percent(float(ctrl.distributions(M_ARCH)[k][1]))}" in skip.hover
    chain = next(e for e in info.edges if (e.src, e.dst, e.kind) == ("layer2", "layer3", "op"))
    assert chain.op == "sep5x5" and chain.block == "layer3/sep5x5" and "gradient in 1 of 1" in chain.hover
    assert not next(e for e in info.edges if (e.src, e.dst, e.kind) == ("layer1", "layer4", "skip")).in_child


def test_bad_inputs_name_the_value():
    with pytest.raises(ValueError, match="enas-macro"):
        va.plot_arch(TEACH, M_ARCH)
    with pytest.raises(TypeError, match="Arch"):
        va.plot_arch(TEACH, str(T_ARCH))
    with pytest.raises(TypeError, match="search space"):
        va.plot_arch(42, T_ARCH)
    with pytest.raises(ValueError, match="policy over space"):
        va.plot_arch(TEACH, T_ARCH, controller=wb.Controller(MACRO))
    with pytest.raises(TypeError, match="UpdateCounts"):
        va.plot_arch(TEACH, T_ARCH, update_counts={"stem": 1})
    with pytest.raises(ValueError, match="lacks weight blocks"):
        va.plot_arch(TEACH, T_ARCH, update_counts=counts_for(MACRO, []))
    assert va.plot_arch("teaching", T_ARCH).layout.title.text.startswith("The sampled child")


def node_labels(space, arch, height):
    fig = wb.viz.plot_arch(space, arch, height=height)
    return next(
        list(t.text) for t in fig.data if t.text is not None and t.customdata is not None and "stem" in t.customdata
    )


def test_a_crowded_panel_labels_nodes_by_number_where_the_label_fits():
    assert node_labels(TEACH, T_ARCH, 300)[:3] == ["<b>input</b>", "<b>stem</b>", "<b>node1</b>"]  # Voila's panel
    assert node_labels(TEACH, T_ARCH, 201) == ["in", "0", "1", "2", "3", "4", "out"]  # JupyterLab's: numbers
    macro = wb.spaces.get("enas-macro")  # 12 layers on one panel
    assert node_labels(macro, wb.Controller(macro).most_likely(), 201)[-3:] == ["11", "12", "out"]
    micro = wb.spaces.get("enas-micro")  # two cells of 14 px nodes: no label fits, the hover names each node
    labels = node_labels(micro, wb.Controller(micro).most_likely(), 201)
    assert len(labels) > 30 and set(labels) == {""}
