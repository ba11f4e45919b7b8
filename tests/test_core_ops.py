"""Macro ops: each block has the weights of ENAS's released layout, counted by hand; reductions and head."""

from __future__ import annotations

import pytest
import torch

import workbench as wb
from workbench import ops


def n_weights(module) -> int:
    return sum(p.numel() for p in module.parameters())


# C = 16 channels. Convolutions carry no bias; each BatchNorm has a scale and a shift (2C = 32).
#   conv k x k   1x1 conv C·C + BN 2C + k x k conv k²·C·C + BN 2C
#   sep k x k    1x1 conv C·C + BN 2C + depthwise k²·C + pointwise C·C + BN 2C
#   pool         1x1 conv C·C + BN 2C (the pool itself has no weights)
OFFICIAL = {
    "conv3x3": 256 + 32 + 9 * 256 + 32,  # 2624
    "conv5x5": 256 + 32 + 25 * 256 + 32,  # 6720
    "sep3x3": 256 + 32 + 9 * 16 + 256 + 32,  # 720
    "sep5x5": 256 + 32 + 25 * 16 + 256 + 32,  # 976
    "maxpool3x3": 256 + 32,  # 288
    "avgpool3x3": 256 + 32,  # 288
}


@pytest.mark.parametrize("op", list(ops.MACRO_OPS))
def test_each_macro_op_has_the_official_weights(op):
    assert OFFICIAL == {
        "conv3x3": 2624,
        "conv5x5": 6720,
        "sep3x3": 720,
        "sep5x5": 976,
        "maxpool3x3": 288,
        "avgpool3x3": 288,
    }
    block = ops.build(ops.MACRO_OPS, op, 16)
    assert n_weights(block) == OFFICIAL[op]
    x = torch.randn(2, 16, 8, 8)
    assert block(x).shape == x.shape and (block(x) >= 0).all()  # channel-preserving, ends in a ReLU (or pools one)


def test_the_fixed_macro_blocks_have_the_official_weights():
    assert n_weights(ops.stem(3, 16)) == 9 * 3 * 16 + 32 == 464  # 3x3 conv from RGB + BN
    assert n_weights(ops.sum_norm(16)) == 32  # the BN after a layer's sum
    assert n_weights(ops.FactorizedReduction(16)) == 2 * (16 * 8) + 32 == 288  # two 1x1 convs to C/2, BN
    assert n_weights(ops.Head(16, 10)) == 16 * 10 == 160  # the linear layer has no bias, as in ENAS
    space = wb.spaces.get("enas-macro")  # 12 layers, 16 channels, 32x32x3: every block of the supernet
    net = wb.Supernet(space, (3, 32, 32), 10)
    per_layer = sum(OFFICIAL.values())  # 11616
    reductions = (5 + 9) * 288  # after layer 4: stem + 4 layers; after layer 8: stem + 8 layers
    assert n_weights(net) == 464 + 12 * per_layer + 11 * 32 + reductions + 160 == 144_400


def test_factorized_reduction_reads_both_pixel_grids():
    red = ops.FactorizedReduction(4)
    with torch.no_grad():
        red.path1.weight.zero_()
        red.path2.weight.zero_()
        red.path1.weight[0, 0] = 1.0  # path 1, channel 0: input channel 0 at even rows and columns
        red.path2.weight[0, 0] = 1.0  # path 2, channel 0 (output channel 2): at odd rows and columns
    red.eval()  # BN with its initial running averages: the identity up to eps
    x = torch.arange(36.0).reshape(1, 1, 6, 6).repeat(1, 4, 1, 1)
    y = red(x)  # (1, 4, 3, 3)
    assert y.shape == (1, 4, 3, 3)
    assert torch.allclose(y[0, 0], x[0, 0, ::2, ::2], atol=1e-3)
    assert torch.allclose(y[0, 2], x[0, 0, 1::2, 1::2], atol=1e-3)
    odd = red(torch.ones(1, 4, 5, 5))  # odd sizes: ceil(5 / 2) = 3; path 2's last row and column are padding
    assert odd.shape == (1, 4, 3, 3) and odd[0, 2, 2, 2].abs() < 1e-3 and odd[0, 2, 1, 1] > 0.99


def test_head_drops_only_while_training_reproducibly():
    torch.manual_seed(0)
    a = ops.Head(8, 3)
    torch.manual_seed(0)
    b = ops.Head(8, 3)
    x = torch.randn(64, 8, 2, 2)
    a.train(), b.train()
    out_a, out_b = a(x), b(x)
    assert torch.equal(out_a, out_b) and int(a.drop_calls) == 1  # same seed, same masks
    a.eval()
    plain = a(x)
    assert not torch.equal(out_a, plain)  # training mode dropped features
    a.train()
    with torch.no_grad():
        assert torch.equal(a(x), plain)  # no autograd: a measurement, nothing dropped
    assert int(a.drop_calls) == 1
    before = torch.get_rng_state()
    a(x)
    assert torch.equal(torch.get_rng_state(), before)  # masks never come from the global generator
    with pytest.raises(ValueError, match="dropout must be in"):
        ops.Head(8, 3, dropout=1.0)


def test_pool_and_reduction_refusals():
    with pytest.raises(ValueError, match="unknown op 'maxpool'; valid ops: conv3x3"):
        ops.build(ops.MACRO_OPS, "maxpool", 8)
    with pytest.raises(ValueError, match="channels=1 is too few"):
        wb.spaces.get("enas-macro", num_layers=3, channels=1)
    with pytest.raises(ValueError, match="op 'maxpool3x3' has weights or is unknown"):
        ops.apply_free("maxpool3x3", torch.zeros(1))
