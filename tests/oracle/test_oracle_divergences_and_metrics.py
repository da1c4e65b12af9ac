"""The NumPy models behind XL205, XL801 and XL802 against the real frameworks: torch's `kl_div`
(reductions, `log_target`, probabilities and swapped arguments) and `ctc_loss` (forward value:
padded and concatenated targets, reductions, impossible alignments, probabilities and logits
as input), optax's `kl_divergence`, Keras's binary accuracy, AUC, precision and recall on
logits and probabilities, and the per-example weighted cross-entropy of XL802's fix."""

from __future__ import annotations

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
    standin_gradient,
    standin_value,
    standin_value_and_precision,
    value_cases,
)

pytestmark = pytest.mark.oracle

TEACHER = "F.softmax(z * 0.5 + 1, dim=1)"

TORCH_ORACLES = [
    *oracles(
        "onehot",
        "F.kl_div(F.log_softmax(z, dim=1), y, reduction='batchmean')",
        f"F.kl_div(F.log_softmax(z, dim=1), {TEACHER})",
        f"F.kl_div(F.log_softmax(z, dim=1), {TEACHER}, reduction='sum')",
        f"F.kl_div(F.softmax(z, dim=1), {TEACHER}, reduction='batchmean')",
        "F.kl_div(F.log_softmax(z, dim=1), F.log_softmax(z * 0.5, dim=1), reduction='none', log_target=True)",
        "nn.KLDivLoss(reduction='batchmean')(F.log_softmax(z, dim=1), y)",
        "nn.KLDivLoss(reduction='sum', log_target=True)(F.log_softmax(z, dim=1), F.log_softmax(z * 0.5, dim=1))",
    ),
]
# The swapped form is NaN in both; no gradient to compare.
TORCH_VALUE_ONLY = oracles("onehot", "F.kl_div(F.softmax(z, dim=1), F.log_softmax(z, dim=1))")

WEIGHTS = "tf.constant([1.0, 2.0, 5.0], dtype=z.dtype)"
KERAS_ORACLES = [
    *oracles(
        "binary",
        "keras.metrics.binary_accuracy(y, z)",
        "keras.metrics.binary_accuracy(y, z, threshold=0.0)",
        "keras.metrics.BinaryAccuracy()(y, z)",
        "keras.metrics.BinaryAccuracy(threshold=0.0)(y, z)",
        "keras.metrics.BinaryAccuracy()(y, tf.sigmoid(z))",
        "keras.metrics.AUC()(y, z)",
        "keras.metrics.AUC(from_logits=True)(y, z)",
        "keras.metrics.AUC()(y, tf.sigmoid(z))",
        "keras.metrics.AUC(num_thresholds=50)(y, tf.sigmoid(z))",
        "keras.metrics.Precision()(y, z)",
        "keras.metrics.Precision(thresholds=0.0)(y, z)",
        "keras.metrics.Recall()(y, tf.sigmoid(z))",
        "keras.metrics.Recall(thresholds=0.0)(y, z)",
    ),
    *oracles("probs_binary", "keras.metrics.AUC()(y, p)", "keras.metrics.BinaryAccuracy()(y, p)"),
]
WEIGHTED_ORACLES = [
    *oracles(
        "onehot",
        f"tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z * {WEIGHTS})",
        f"tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z) * tf.reduce_sum(y * {WEIGHTS}, axis=-1)",
    ),
    # The sparse form of XL802's fix picks each example's weight with tf.gather.
    *oracles("sparse", f"tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z) * tf.gather({WEIGHTS}, y)"),
]


def _torch_tensors(torch: object, inputs: dict[str, np.ndarray], wrt: str = "") -> dict[str, object]:
    return {name: torch.tensor(value, requires_grad=name == wrt) for name, value in inputs.items()}


@pytest.mark.parametrize("oracle, regime, dtype", value_cases(TORCH_ORACLES + TORCH_VALUE_ONLY))
def test_torch_value(oracle: Oracle, regime: str, dtype: str, torch_modules: dict[str, object]) -> None:
    inputs = make_inputs(oracle.kind, regime, dtype)
    tensors = _torch_tensors(torch_modules["torch"], inputs)
    expected = framework_value(oracle.expression, torch_modules, tensors).numpy()
    actual, precision = standin_value_and_precision(oracle.expression, inputs)
    assert_values_match(actual, expected, inputs, precision)


@pytest.mark.parametrize("oracle, regime", gradient_cases(TORCH_ORACLES))
def test_torch_gradient(oracle: Oracle, regime: str, torch_modules: dict[str, object]) -> None:
    torch = torch_modules["torch"]
    inputs = make_inputs(oracle.kind, regime, "float64")
    tensors = _torch_tensors(torch, inputs, wrt=oracle.wrt)
    output = framework_value(oracle.expression, torch_modules, tensors)
    weights = cotangent(tuple(output.shape))
    output.backward(torch.tensor(weights))
    expected = tensors[oracle.wrt].grad.numpy()
    actual = standin_gradient(oracle.expression, inputs, oracle.wrt, weights)
    assert_gradients_match(actual, expected, output.detach().numpy())


# ---------------------------------------------------------------- CTC (forward value)
FRAMES, BATCH, CLASSES, TARGET = 9, 3, 5, 4
CTC_CASES = [
    "F.ctc_loss(x.log_softmax(2), targets, input_lengths, target_lengths)",
    "F.ctc_loss(x.log_softmax(2), targets, input_lengths, target_lengths, reduction='sum')",
    "F.ctc_loss(x.log_softmax(2), targets, input_lengths, target_lengths, blank=4, reduction='none')",
    "F.ctc_loss(x.log_softmax(2), flat_targets, input_lengths, target_lengths, reduction='none')",
    "F.ctc_loss(x.log_softmax(2), targets, short_lengths, target_lengths, reduction='none')",
    "F.ctc_loss(x.log_softmax(2), targets, short_lengths, target_lengths, zero_infinity=True)",
    "nn.CTCLoss(zero_infinity=True)(x.log_softmax(2), targets, input_lengths, target_lengths)",
    "F.ctc_loss(x.softmax(2), targets, input_lengths, target_lengths, reduction='none')",
    "F.ctc_loss(x, targets, input_lengths, target_lengths, reduction='none')",
]


def _ctc_inputs(dtype: str, regime: str, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    scale = 30.0 if regime == "wide" else 3.0
    target_lengths = np.array([TARGET, 2, 3])
    targets = rng.integers(1, CLASSES - 1, (BATCH, TARGET))
    targets[0, 1] = targets[0, 0]  # a repeated label needs a blank between its two frames
    flat = np.concatenate([targets[example, :length] for example, length in enumerate(target_lengths)])
    return {
        "x": rng.normal(0, scale, (FRAMES, BATCH, CLASSES)).astype(dtype),
        "targets": targets,
        "flat_targets": flat,
        "input_lengths": np.array([FRAMES, FRAMES - 2, 6]),
        "short_lengths": np.array([FRAMES, 1, 6]),  # example 1 cannot emit its 2 labels in 1 frame
        "target_lengths": target_lengths,
    }


@pytest.mark.parametrize("expression", CTC_CASES)
@pytest.mark.parametrize("regime", ["random", "wide"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_ctc_value(expression: str, regime: str, dtype: str, torch_modules: dict[str, object]) -> None:
    torch = torch_modules["torch"]
    inputs = _ctc_inputs(dtype, regime)
    expected = framework_value(expression, torch_modules, {k: torch.tensor(v) for k, v in inputs.items()}).numpy()
    actual = standin_value(expression, inputs)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=2e-5 if dtype == "float32" else 1e-10, atol=1e-5)


# ---------------------------------------------------------------- Keras metrics, weighted cross-entropy
@pytest.mark.parametrize("oracle, regime, dtype", value_cases(KERAS_ORACLES + WEIGHTED_ORACLES))
def test_tensorflow_value(oracle: Oracle, regime: str, dtype: str, tensorflow_modules: dict[str, object]) -> None:
    tf = tensorflow_modules["tf"]
    inputs = make_inputs(oracle.kind, regime, dtype)
    tensors = {name: tf.constant(value) for name, value in inputs.items()}
    expected = np.asarray(framework_value(oracle.expression, tensorflow_modules, tensors))
    actual, precision = standin_value_and_precision(oracle.expression, inputs)
    assert_values_match(actual, expected, inputs, precision)


@pytest.mark.parametrize("oracle, regime", gradient_cases(WEIGHTED_ORACLES))
def test_weighted_cross_entropy_gradient(oracle: Oracle, regime: str, tensorflow_modules: dict[str, object]) -> None:
    tf = tensorflow_modules["tf"]
    inputs = make_inputs(oracle.kind, regime, "float64")
    tensors = {name: tf.constant(value) for name, value in inputs.items()}
    with tf.GradientTape() as tape:
        tape.watch(tensors[oracle.wrt])
        output = framework_value(oracle.expression, tensorflow_modules, tensors)
    weights = cotangent(tuple(output.shape))
    expected = tape.gradient(output, tensors[oracle.wrt], output_gradients=tf.constant(weights)).numpy()
    actual = standin_gradient(oracle.expression, inputs, oracle.wrt, weights)
    assert_gradients_match(actual, expected, output.numpy())


# ---------------------------------------------------------------- optax
OPTAX_ORACLES = oracles(
    "onehot",
    "optax.kl_divergence(jax.nn.log_softmax(z), y)",
    "optax.kl_divergence(jax.nn.log_softmax(z), jax.nn.softmax(z * 0.5 + 1))",
    "optax.kl_divergence(jax.nn.softmax(z), jax.nn.softmax(z * 0.5 + 1))",
)


@pytest.fixture(scope="module")
def jax_modules() -> dict[str, object]:
    jax = pytest.importorskip("jax")
    optax = pytest.importorskip("optax")
    jax.config.update("jax_enable_x64", True)
    return {"jax": jax, "jnp": jax.numpy, "optax": optax}


@pytest.mark.parametrize("oracle, regime, dtype", value_cases(OPTAX_ORACLES))
def test_optax_value(oracle: Oracle, regime: str, dtype: str, jax_modules: dict[str, object]) -> None:
    inputs = make_inputs(oracle.kind, regime, dtype)
    arrays = {name: jax_modules["jnp"].asarray(value) for name, value in inputs.items()}
    expected = np.asarray(framework_value(oracle.expression, jax_modules, arrays))
    actual, precision = standin_value_and_precision(oracle.expression, inputs)
    assert_values_match(actual, expected, inputs, precision)
