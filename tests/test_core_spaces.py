"""Search spaces: exact sizes, enumeration, parsing, validation and graphs."""

from __future__ import annotations

import math

import pytest
import torch

import workbench as wb


def test_registry_lists_every_space():
    assert wb.spaces.names() == ["teaching", "enas-macro", "recurrent", "enas-micro"]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_teaching_size_matches_enumeration_and_closed_form(n):
    space = wb.spaces.get("teaching", num_nodes=n)
    archs = list(space.enumerate())
    assert len(archs) == len(set(archs)) == space.size() == math.factorial(n) * 4**n
    assert wb.spaces.get("teaching").size() == 4 * 8 * 12 * 16 == 6144


@pytest.mark.parametrize("layers", [1, 2, 3, 4])
def test_macro_size_matches_enumeration(layers):
    space = wb.spaces.get("enas-macro", num_layers=layers)
    archs = list(space.enumerate())
    assert len(archs) == len(set(archs)) == space.size() == 6**layers * 2 ** (layers * (layers - 1) // 2)


def test_macro_size_closed_form_at_paper_scale():
    n = wb.spaces.get("enas-macro").size()
    assert isinstance(n, int) and n == 6**12 * 2**66
    assert 1.6e29 < n < 1.61e29


def test_enumerate_refuses_huge_spaces():
    with pytest.raises(ValueError, match="160,618,186,625,454,535,808,756,219,904 architectures"):
        wb.spaces.get("enas-macro").enumerate()


@pytest.mark.parametrize(
    "name", ["teaching", "teaching(num_nodes=6,width=8)", "enas-macro", "enas-macro(num_layers=5)"]
)
def test_parse_inverts_str(name):
    space = wb.spaces.get(name)
    gen = torch.Generator().manual_seed(0)
    for _ in range(50):
        arch = space.random(gen)
        assert space.parse(str(arch)) == arch
        assert hash(space.parse(str(arch))) == hash(arch)


def test_str_is_readable():
    space = wb.spaces.get("teaching")
    arch = space.make([0, 0, 1, 1, 0, 3, 2, 2])
    assert str(arch) == "node1=relu(stem) node2=tanh(node1) node3=identity(stem) node4=sigmoid(node2)"
    macro = wb.spaces.get("enas-macro", num_layers=3)
    arch = macro.make([0, 4, 1, 5, 1, 0])  # layer2: op, skip from the stem; layer3: op, stem, layer1
    assert str(arch) == "layer1=conv3x3 layer2=maxpool3x3+skip(0) layer3=avgpool3x3+skip(0)"
    assert [d.name for d in macro.decisions] == [
        "layer1.op",
        "layer2.op",
        "layer2.skip0",
        "layer3.op",
        "layer3.skip0",
        "layer3.skip1",
    ]


def test_space_name_carries_its_options():
    space = wb.spaces.get("teaching", num_nodes=3)
    assert space.name == "teaching(num_nodes=3)"
    assert wb.spaces.get("teaching(num_nodes=3)") is space
    assert wb.spaces.get("teaching", num_nodes=4, width=32).name == "teaching"


def test_arch_is_an_immutable_hashable_value():
    a, b = wb.Arch("teaching", (0, 1)), wb.Arch("teaching", [0, 1])
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    with pytest.raises(AttributeError):
        a.choices = (1, 1)  # type: ignore[misc]


def test_bad_archs_are_refused_with_the_bad_value():
    space = wb.spaces.get("teaching", num_nodes=2)
    with pytest.raises(ValueError, match=r"has 3 choices; space 'teaching\(num_nodes=2\)' has 4 decisions"):
        space.check(wb.Arch(space.name, (0, 0, 0)))
    with pytest.raises(ValueError, match=r"choice 2 for decision 'node2.input' is out of range: valid are 0..1"):
        space.make([0, 0, 2, 0])
    with pytest.raises(ValueError, match=r"belongs to space 'teaching', not to 'teaching\(num_nodes=2\)'"):
        space.check(wb.spaces.get("teaching").make([0] * 8))
    with pytest.raises(TypeError, match="expected an Arch"):
        space.check("node1=relu(stem)")
    with pytest.raises(TypeError, match="must hold ints"):
        wb.Arch("teaching", ("a",))


def test_bad_text_is_refused():
    space = wb.spaces.get("teaching", num_nodes=2)
    with pytest.raises(ValueError, match="'swish' is not an option of 'node1.op'"):
        space.parse("node1=swish(stem) node2=relu(node1)")
    with pytest.raises(ValueError, match="expected 2 tokens"):
        space.parse("node1=relu(stem)")
    with pytest.raises(ValueError, match="'node2' is not an option of 'node2.input'"):
        space.parse("node1=relu(stem) node2=relu(node2)")
    macro = wb.spaces.get("enas-macro", num_layers=3)
    with pytest.raises(ValueError, match=r"layer2 cannot skip from layer\(s\) \[1\] .* sources are 0 \(the stem\)$"):
        macro.parse("layer1=conv3x3 layer2=conv3x3+skip(1) layer3=conv3x3")  # layer1 is layer2's input already
    with pytest.raises(ValueError, match=r"layer1 cannot skip .* valid sources are none"):
        macro.parse("layer1=conv3x3+skip(0) layer2=conv3x3 layer3=conv3x3")
    with pytest.raises(ValueError, match=r"layer3 cannot skip from layer\(s\) \[2, 3\] .* 0 \(the stem\) to 1"):
        macro.parse("layer1=conv3x3 layer2=conv3x3 layer3=conv3x3+skip(0,2,3)")


def test_bad_space_names_and_options():
    with pytest.raises(ValueError, match="unknown search space 'darts'; valid: teaching, enas-macro"):
        wb.spaces.get("darts")
    with pytest.raises(ValueError, match="unknown option 'layers' for space 'teaching'; valid: num_nodes, width"):
        wb.spaces.get("teaching", layers=3)
    with pytest.raises(ValueError, match="num_nodes=0"):
        wb.spaces.get("teaching", num_nodes=0)
    with pytest.raises(ValueError, match="num_layers=2.5"):
        wb.spaces.get("enas-macro", num_layers=2.5)


def test_teaching_graphs():
    space = wb.spaces.get("teaching")
    arch = space.parse("node1=relu(stem) node2=tanh(node1) node3=identity(stem) node4=sigmoid(node2)")
    g = space.graph(arch)
    assert set(g.edges) == {
        ("input", "stem"),
        ("stem", "node1"),
        ("node1", "node2"),
        ("stem", "node3"),
        ("node2", "node4"),
        ("node3", "output"),
        ("node4", "output"),
    }
    assert g.nodes["node2"]["op"] == "tanh"
    assert g.edges["node1", "node2"]["block"] == "node2<-1/tanh"
    assert g.edges["stem", "node3"]["block"] is None  # identity has no weights
    sg = space.supernet_graph()
    assert set(g.nodes) == set(sg.nodes)
    assert set(g.edges) <= set(sg.edges)
    assert sum(1 for u, v in sg.edges if v.startswith("node")) == 1 + 2 + 3 + 4
    assert sg.edges["node1", "node3"]["blocks"] == ("node3<-1/relu", "node3<-1/tanh", "node3<-1/sigmoid", None)


def test_macro_skip_sources_are_the_official_ones():
    """ENAS's layer i (1-based) may skip from prev_layers[0..i-2]: the stem (0) and layers 1..i-2, not its input."""
    space = wb.spaces.get("enas-macro", num_layers=5)
    sources = {i: [d.source for d in space.decisions if d.kind == "skip" and d.node == i] for i in range(1, 6)}
    assert sources == {1: [], 2: [0], 3: [0, 1], 4: [0, 1, 2], 5: [0, 1, 2, 3]}
    assert space.reduce_after == (1, 2)  # pool_distance = 5 // 3 = 1: after layer_ids 0 and 1
    assert wb.spaces.get("enas-macro").reduce_after == (4, 8)
    assert wb.spaces.get("enas-macro", num_layers=8).reduce_after == (2, 4)  # 2 * (8 // 3), not 2 * 8 // 3
    assert wb.spaces.get("enas-macro", num_layers=2).reduce_after == ()


def test_macro_reductions_only_for_outputs_read_later():
    space = wb.spaces.get("enas-macro", num_layers=6)  # reductions after layers 2 and 4
    plain = space.parse(" ".join(f"layer{i}=conv3x3" for i in range(1, 7)))
    assert space.reductions(plain) == [(2, 2), (4, 4)]  # a chain: only each layer's own input
    arch = space.parse(
        "layer1=conv3x3 layer2=conv3x3 layer3=conv3x3+skip(0) layer4=sep3x3 layer5=conv5x5+skip(1) "
        "layer6=avgpool3x3+skip(0,4)"
    )
    # the stem is read by layer6 and layer1 by layer5: both reduced twice; layer4 is read by layer6 too;
    # layer2 and layer4 are the inputs of layers 3 and 5; layer3 is read only by layer4, before any reduction
    assert space.reductions(arch) == [(2, 0), (2, 1), (2, 2), (4, 0), (4, 1), (4, 4)]
    assert space.blocks_for(arch) == (
        "stem",
        "layer1/conv3x3",
        "layer2/conv3x3",
        "layer2/bn",
        "layer3/conv3x3",
        "layer3/bn",
        "layer4/sep3x3",
        "layer4/bn",
        "layer5/conv5x5",
        "layer5/bn",
        "layer6/avgpool3x3",
        "layer6/bn",
        "reduce2/stem",
        "reduce2/layer1",
        "reduce2/layer2",
        "reduce4/stem",
        "reduce4/layer1",
        "reduce4/layer4",
        "classifier",
    )


def test_macro_graphs():
    space = wb.spaces.get("enas-macro", num_layers=4)
    arch = space.parse("layer1=conv3x3 layer2=maxpool3x3+skip(0) layer3=sep5x5+skip(0) layer4=avgpool3x3+skip(0,2)")
    g = space.graph(arch)
    assert g.edges["stem", "layer2"]["kind"] == "skip" and g.edges["stem", "layer3"]["skip"] is True
    assert g.edges["layer2", "layer4"]["kind"] == "skip"
    assert all(not d["skip"] for _, _, d in g.edges(data=True) if d["kind"] == "chain")  # never from the input
    assert ("layer1", "layer4") not in g.edges and ("layer1", "layer3") not in g.edges
    assert g.edges["layer2", "layer3"]["block"] == "layer3/sep5x5" and g.nodes["layer3"]["bn"] == "layer3/bn"
    assert g.nodes["layer1"]["bn"] is None and g.nodes["layer1"]["reductions"] == ("reduce1/stem", "reduce1/layer1")
    assert g.nodes["layer2"]["reductions"] == ("reduce2/stem", "reduce2/layer2")
    sg = space.supernet_graph()
    assert set(g.nodes) == set(sg.nodes) and set(g.edges) <= set(sg.edges)
    assert sum(1 for _, _, k in sg.edges(data="kind") if k == "skip") == 1 + 2 + 3  # one per skip decision
    assert sg.edges["layer1", "layer2"]["blocks"] == tuple(f"layer2/{op}" for op in space.ops)
    assert sg.nodes["layer2"]["reductions"] == ("reduce2/stem", "reduce2/layer1", "reduce2/layer2")
    net_blocks = set(space.block_names())
    drawn = {b for _, _, bs in sg.edges(data="blocks") for b in bs}
    drawn |= {b for _, d in sg.nodes(data=True) for b in (d.get("bn"), *d.get("reductions", ())) if b}
    assert drawn == net_blocks  # every weight block has its place in the picture
