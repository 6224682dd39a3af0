from __future__ import annotations

import pytest
import torch
from torch import nn

import utils


def test_mlp_shapes_and_parameter_count():
    model = utils.MLP(784, [256, 128], 10)
    assert isinstance(model.layers, nn.ModuleList)
    assert model(torch.randn(5, 1, 28, 28)).shape == (5, 10)
    assert utils.count_parameters(model) == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10 == 235_146


def test_mlp_layer_order_with_options():
    model = utils.MLP(4, [8], 2, activation=nn.Tanh, dropout=0.5, batch_norm=True)
    kinds = [type(layer) for layer in model.layers]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.Tanh, nn.Dropout, nn.Linear]


def test_mlp_returns_logits_not_probabilities():
    torch.manual_seed(0)
    out = utils.MLP(784, [32], 10)(torch.randn(8, 784))
    assert not torch.allclose(out.sum(dim=1), torch.ones(8))


def test_mlp_rejects_wrong_input_size():
    with pytest.raises(ValueError, match="expects 784 features"):
        utils.MLP(784, [16], 10)(torch.randn(2, 3, 32, 32))


def test_mlp_rejects_bad_dropout():
    with pytest.raises(ValueError, match="dropout"):
        utils.MLP(4, [4], 2, dropout=1.0)


@pytest.mark.parametrize("scheme", utils.models.INIT_SCHEMES)
def test_init_weights_zeroes_biases(scheme):
    model = utils.init_weights(utils.MLP(784, [256], 10), scheme)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert all(torch.count_nonzero(m.bias) == 0 for m in linears)


def test_kaiming_scale():
    torch.manual_seed(0)
    layer = utils.init_weights(utils.MLP(1000, [500], 10), "kaiming").layers[0]
    assert abs(layer.weight.std().item() - (2 / 1000) ** 0.5) < 2e-3


def test_orthogonal_rows():
    layer = utils.init_weights(utils.MLP(64, [32], 2), "orthogonal").layers[0]
    torch.testing.assert_close(layer.weight @ layer.weight.T, torch.eye(32), atol=1e-5, rtol=0)


def test_init_weights_unknown_scheme():
    with pytest.raises(ValueError, match="kaiming, xavier, orthogonal"):
        utils.init_weights(utils.MLP(4, [4], 2), "he")
