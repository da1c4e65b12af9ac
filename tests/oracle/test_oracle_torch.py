"""The NumPy stand-ins against real PyTorch: torch.nn.functional, torch.nn modules, tensor
methods, class weights, ignore_index, label smoothing, pos_weight, the -100 log clamp of
binary_cross_entropy and the legacy size_average/reduce arguments."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from oracle_support import (
    Oracle,
    assert_gradients_match,
    assert_values_match,
    cotangent,
    framework_value,
    gradient_cases,
    make_inputs,
    oracles,
    raises,
    standin_gradient,
    standin_value,
    standin_value_and_precision,
    value_cases,
)

from xentlint.runtime import reference_losses

pytestmark = pytest.mark.oracle

WEIGHT = "torch.arange(1, z.shape[1] + 1, dtype=z.dtype)"

ORACLES = [
    *oracles(
        "onehot",
        "F.softmax(z, dim=1)",
        "F.softmax(z)",
        "F.log_softmax(z, dim=0)",
        "F.softmin(z, dim=1)",
        "torch.log_softmax(z, 1)",
        "torch.log(F.softmax(z, dim=1))",
        "z.softmax(1).log()",
        "z.log_softmax(-1).sum(1)",
        "nn.Softmax(dim=1)(z)",
        "nn.LogSoftmax(dim=1)(z)",
        "nn.Softmax()(z[0])",
        "F.cross_entropy(z, y)",
        "F.cross_entropy(z, y, label_smoothing=0.2, reduction='sum')",
        f"F.cross_entropy(z, y, weight={WEIGHT})",
        f"F.cross_entropy(z, y, weight={WEIGHT}, label_smoothing=0.1, reduction='none')",
        "F.cross_entropy(z[0], y[0])",
    ),
    *oracles(
        "sparse",
        "F.cross_entropy(z, y)",
        "nn.CrossEntropyLoss(reduction='none')(z, y)",
        f"F.cross_entropy(z, y, weight={WEIGHT})",
        "F.cross_entropy(z, y, label_smoothing=0.1)",
        f"F.cross_entropy(z, y, weight={WEIGHT}, label_smoothing=0.3)",
        f"F.cross_entropy(z, y, weight={WEIGHT}, label_smoothing=0.3, reduction='sum')",
        "F.cross_entropy(z, y, ignore_index=0)",
        f"nn.CrossEntropyLoss(weight={WEIGHT}, ignore_index=1, label_smoothing=0.2)(z, y)",
        "nn.CrossEntropyLoss(size_average=False)(z, y)",
        "nn.CrossEntropyLoss(reduce=False)(z, y)",
        "nn.CrossEntropyLoss(size_average=True, reduce=True)(z, y)",
        "F.cross_entropy(z, y, size_average=False, reduce=True)",
        "F.nll_loss(F.log_softmax(z, dim=1), y)",
        f"nn.NLLLoss(weight={WEIGHT})(F.log_softmax(z, 1), y)",
        "nn.NLLLoss(reduction='sum', ignore_index=2)(z.log_softmax(1), y)",
        "F.nll_loss(F.softmax(z, dim=1), y)",
        "F.nll_loss(z, y, reduction='none')",
    ),
    # XL303's fix of integer one-hot labels (`F.one_hot`): cast to float, a probability target.
    *oracles("sparse", "F.cross_entropy(z, F.one_hot(y, z.shape[1]).float())"),
    *oracles("sparse", "F.one_hot(y, z.shape[1])", "z.argmax(1)", "torch.argmax(z, dim=1)", gradient_regimes=()),
    *oracles(
        "binary",
        "torch.sigmoid(z)",
        "z.sigmoid()",
        "F.logsigmoid(z)",
        "nn.Sigmoid()(z)",
        "torch.log(torch.sigmoid(z))",
        "F.binary_cross_entropy_with_logits(z, y)",
        "F.binary_cross_entropy_with_logits(z, y, pos_weight=torch.ones(z.shape[1], dtype=z.dtype) * 3)",
        "nn.BCEWithLogitsLoss(reduction='sum', weight=torch.ones(z.shape[1], dtype=z.dtype) / 2)(z, y)",
        "nn.BCEWithLogitsLoss(reduce=False, pos_weight=torch.tensor([0.5, 2.0, 4.0], dtype=z.dtype))(z, y)",
        "F.binary_cross_entropy(torch.sigmoid(z), y)",
        "nn.BCELoss(reduction='none')(torch.sigmoid(z), y)",
        "F.binary_cross_entropy(torch.sigmoid(z), y, size_average=False)",
        # Regression and divergence losses that XL503's renames carry over.
        "F.mse_loss(z, y)",
        "nn.MSELoss(reduce=False)(z, y)",
        "F.l1_loss(z, y, reduction='sum')",
        "F.smooth_l1_loss(z, y, size_average=None, reduce=False)",
        "nn.SmoothL1Loss(beta=0.5)(z, y)",
        "F.kl_div(F.log_softmax(z, dim=1), F.softmax(z * 0.5, dim=1), reduction='batchmean')",
        "F.kl_div(F.log_softmax(z, dim=1), F.softmax(z * 0.5, dim=1), size_average=False)",
    ),
    *oracles(
        "probs_binary",
        "F.binary_cross_entropy(p, y)",
        "F.binary_cross_entropy(p, y, reduction='none')",
        "nn.BCELoss(weight=torch.tensor([1.0, 2.0, 3.0], dtype=p.dtype))(p, y)",
        "torch.log(p)",
        "torch.sum(p, 1)",
        "p.mean()",
        "torch.clamp(p, 0.1, 0.9)",
    ),
]

# (expression, input kind): both PyTorch and the stand-ins must raise.
RAISING = [
    ("F.cross_entropy(z, y + 10)", "sparse"),
    ("F.cross_entropy(z, y[:1])", "sparse"),
    ("F.binary_cross_entropy(z, y)", "binary"),
    ("F.nll_loss(F.log_softmax(z, dim=1), y)", "onehot"),
    ("F.cross_entropy(z, y, reduction='average')", "sparse"),
    ("F.one_hot(y - 1, 3)", "sparse"),
    ("torch.softmax(z)", "onehot"),
    ("z.softmax()", "onehot"),
    # Integer one-hot rows of the input's shape are read as probabilities, which must be floats.
    ("F.cross_entropy(z, F.one_hot(y, z.shape[1]))", "sparse"),
]


def _tensors(torch: object, inputs: dict[str, np.ndarray], wrt: str = "") -> dict[str, object]:
    return {name: torch.tensor(value, requires_grad=name == wrt) for name, value in inputs.items()}


@pytest.mark.parametrize("oracle, regime, dtype", value_cases(ORACLES))
def test_value(oracle: Oracle, regime: str, dtype: str, torch_modules: dict[str, object]) -> None:
    inputs = make_inputs(oracle.kind, regime, dtype)
    expected = framework_value(oracle.expression, torch_modules, _tensors(torch_modules["torch"], inputs)).numpy()
    actual, precision = standin_value_and_precision(oracle.expression, inputs)
    assert_values_match(actual, expected, inputs, precision)


@pytest.mark.parametrize("oracle, regime", gradient_cases(ORACLES))
def test_gradient(oracle: Oracle, regime: str, torch_modules: dict[str, object]) -> None:
    torch = torch_modules["torch"]
    inputs = make_inputs(oracle.kind, regime, "float64")
    tensors = _tensors(torch, inputs, wrt=oracle.wrt)
    output = framework_value(oracle.expression, torch_modules, tensors)
    weights = cotangent(tuple(output.shape))
    output.backward(torch.tensor(weights))
    grad = tensors[oracle.wrt].grad
    expected = np.zeros(inputs[oracle.wrt].shape) if grad is None else grad.numpy()
    actual = standin_gradient(oracle.expression, inputs, oracle.wrt, weights)
    assert_gradients_match(actual, expected, output.detach().numpy())


@pytest.mark.parametrize("expression, kind", RAISING)
def test_both_raise(expression: str, kind: str, torch_modules: dict[str, object]) -> None:
    inputs = make_inputs(kind, "random", "float32")
    assert raises(lambda: framework_value(expression, torch_modules, _tensors(torch_modules["torch"], inputs)))
    assert raises(lambda: standin_value(expression, inputs))


@pytest.mark.parametrize("size_average, reduce", list(itertools.product((None, True, False), repeat=2)))
def test_legacy_reduction_mapping(size_average: object, reduce: object, torch_modules: dict[str, object]) -> None:
    from torch.nn import _reduction

    expected = _reduction.legacy_get_string(size_average, reduce, emit_warning=False)
    assert reference_losses.torch_legacy_reduction(size_average, reduce) == expected


def test_binary_cross_entropy_log_clamp(torch_modules: dict[str, object]) -> None:
    torch = torch_modules["torch"]
    probabilities, targets = np.array([0.0, 1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 1.0])
    expected = torch.nn.functional.binary_cross_entropy(
        torch.tensor(probabilities), torch.tensor(targets), reduction="none"
    ).numpy()
    np.testing.assert_array_equal(expected, [-reference_losses.TORCH_LOG_CLAMP, -reference_losses.TORCH_LOG_CLAMP, 0.0, 0.0])
    np.testing.assert_array_equal(reference_losses.torch_binary_cross_entropy(probabilities, targets, reduction="none"), expected)


def test_fixed_integer_one_hot_code_runs_in_torch(tmp_path, torch_modules: dict[str, object]) -> None:
    """XL303's fix of `F.one_hot` labels, applied by `xentlint fix`, runs in torch and keeps the value."""
    from xentlint.engine import fix_source
    from xentlint.registry import default_codes

    source = ("import torch\nimport torch.nn.functional as F\n\n\ndef loss_fn(z, y):\n"
              "    y_onehot = F.one_hot(y, 10)\n"
              "    return -(y_onehot * torch.log(torch.softmax(z, dim=1))).sum(dim=1).mean()\n")
    fixed = fix_source(source, "m.py", default_codes(), unsafe=False).source
    assert "F.cross_entropy(z, y_onehot.float())" in fixed
    torch = torch_modules["torch"]
    original_namespace: dict[str, object] = {}
    fixed_namespace: dict[str, object] = {}
    exec(compile(source, "original.py", "exec"), original_namespace)
    exec(compile(fixed, "fixed.py", "exec"), fixed_namespace)
    z = torch.randn(8, 10, dtype=torch.float64)
    y = torch.randint(0, 10, (8,))
    expected = original_namespace["loss_fn"](z, y)
    actual = fixed_namespace["loss_fn"](z, y)
    assert torch.allclose(actual, expected)
