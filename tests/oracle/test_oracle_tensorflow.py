"""The NumPy stand-ins against real TensorFlow and Keras 3: tf.nn, tf.compat.v1.losses,
keras.losses (functions and classes, incl. focal losses and Keras' cached-logits recovery),
keras.ops and the Keras 2 era tf.keras.backend."""

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
    raises,
    standin_gradient,
    standin_value,
    standin_value_and_precision,
    value_cases,
)

pytestmark = pytest.mark.oracle

ORACLES = [
    *oracles(
        "onehot",
        "tf.nn.softmax(z)",
        "tf.nn.softmax(z, axis=0)",
        "tf.nn.log_softmax(z)",
        "tf.math.log(tf.nn.softmax(z))",
        "tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)",
        "tf.compat.v1.losses.softmax_cross_entropy(y, z)",
        "tf.compat.v1.losses.softmax_cross_entropy(y, z, weights=2.0, label_smoothing=0.1)",
        "tf.compat.v1.losses.softmax_cross_entropy(y, z, reduction=tf.compat.v1.losses.Reduction.NONE)",
        "tf.compat.v1.losses.softmax_cross_entropy(y, z, weights=3.0, reduction=tf.compat.v1.losses.Reduction.MEAN)",
        "tf.compat.v1.losses.softmax_cross_entropy(y, z, reduction=tf.compat.v1.losses.Reduction.SUM)",
        "keras.losses.categorical_crossentropy(y, z, from_logits=True)",
        "keras.losses.categorical_crossentropy(y, z, from_logits=True, label_smoothing=0.1)",
        "keras.losses.categorical_crossentropy(y, tf.nn.softmax(z))",
        "keras.losses.categorical_crossentropy(y, tf.nn.softmax(z), from_logits=True)",
        "keras.losses.categorical_crossentropy(y, tf.sigmoid(z), label_smoothing=0.2)",
        "keras.losses.categorical_crossentropy(y, keras.activations.softmax(z))",
        "keras.losses.categorical_crossentropy(y, keras.activations.sigmoid(z))",
        "keras.losses.categorical_crossentropy(y, keras.ops.softmax(z), from_logits=True)",
        "keras.losses.CategoricalCrossentropy(from_logits=True)(y, z)",
        "keras.losses.CategoricalCrossentropy()(y, keras.ops.softmax(z))",
        "keras.losses.CategoricalCrossentropy(reduction='sum', label_smoothing=0.2)(y, tf.sigmoid(z))",
        "keras.losses.CategoricalCrossentropy(reduction=None)(y, tf.nn.softmax(z))",
        "keras.losses.CategoricalCrossentropy(from_logits=True)(y, z, sample_weight=y[:, 0] + 0.5)",
        "keras.losses.CategoricalCrossentropy(reduction='mean_with_sample_weight')(y, tf.nn.softmax(z), y[:, 1] + 2)",
        "keras.losses.categorical_focal_crossentropy(y, z, from_logits=True)",
        "keras.losses.CategoricalFocalCrossentropy(alpha=0.5, gamma=1.0)(y, tf.nn.softmax(z))",
        "keras.ops.categorical_crossentropy(y, keras.ops.softmax(z))",
        "tf.keras.backend.categorical_crossentropy(y, tf.keras.backend.softmax(z))",
        "tf.keras.backend.categorical_crossentropy(y, z, from_logits=True)",
        "keras.losses.categorical_crossentropy(y, tf.keras.backend.softmax(z))",
    ),
    # TF back-propagates softmax(z) - labels, the derivative only when the labels sum to 1
    # along the class axis; one-hot rows read along axis 0 do not: values only.
    *oracles(
        "onehot",
        "tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z, axis=0)",
        "keras.losses.categorical_crossentropy(y, z, from_logits=True, axis=0)",
        gradient_regimes=(),
    ),
    *oracles(
        "sparse",
        "tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z)",
        "tf.compat.v1.losses.sparse_softmax_cross_entropy(y, z)",
        "tf.compat.v1.losses.sparse_softmax_cross_entropy(tf.reshape(y, [-1, 1]), z, weights=0.5)",
        "keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True)",
        "keras.losses.sparse_categorical_crossentropy(y, tf.nn.softmax(z))",
        "keras.losses.sparse_categorical_crossentropy(y, keras.activations.softmax(z))",
        "keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, z)",
        "keras.losses.SparseCategoricalCrossentropy()(tf.reshape(y, [-1, 1]), tf.nn.softmax(z))",
        "tf.keras.backend.sparse_categorical_crossentropy(y, tf.nn.softmax(z))",
        "keras.losses.categorical_crossentropy(tf.one_hot(y, z.shape[-1]), z, from_logits=True)",
    ),
    *oracles("sparse", "tf.cast(tf.argmax(z, axis=-1), tf.int32)", "tf.argmax(z)", gradient_regimes=()),
    *oracles(
        "binary",
        "tf.sigmoid(z)",
        "tf.math.log_sigmoid(z)",
        "tf.math.log(tf.sigmoid(z))",
        "tf.math.log(1 - tf.sigmoid(z))",
        "tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z)",
        "tf.nn.weighted_cross_entropy_with_logits(labels=y, logits=z, pos_weight=3.0)",
        "tf.compat.v1.losses.sigmoid_cross_entropy(y, z)",
        "tf.compat.v1.losses.sigmoid_cross_entropy(y, z, label_smoothing=0.1)",
        "tf.compat.v1.losses.sigmoid_cross_entropy(y, z, weights=2.0, reduction='weighted_sum_over_batch_size')",
        "tf.compat.v1.losses.log_loss(y, tf.sigmoid(z))",
        # Losses and math that XL501/XL502's renames carry over.
        "tf.compat.v1.losses.absolute_difference(y, z)",
        "tf.compat.v1.losses.hinge_loss(y, z, weights=2.0)",
        "tf.compat.v1.losses.huber_loss(y, z, delta=0.5, reduction=tf.compat.v1.losses.Reduction.NONE)",
        "tf.math.log1p(tf.exp(-tf.abs(z)))",
        "tf.math.squared_difference(y, z)",
        "keras.losses.binary_crossentropy(y, z, from_logits=True)",
        "keras.losses.binary_crossentropy(y, z, from_logits=True, label_smoothing=0.1, axis=0)",
        "keras.losses.binary_crossentropy(y, tf.sigmoid(z))",
        "keras.losses.binary_crossentropy(y, keras.activations.sigmoid(z))",
        "keras.losses.BinaryCrossentropy(label_smoothing=0.1)(y, tf.sigmoid(z))",
        "keras.losses.BinaryCrossentropy(from_logits=True, reduction='sum')(y, z)",
        "keras.losses.binary_focal_crossentropy(y, z, from_logits=True)",
        "keras.losses.binary_focal_crossentropy(y, tf.sigmoid(z), apply_class_balancing=True)",
        "keras.losses.binary_focal_crossentropy(y, keras.activations.sigmoid(z), gamma=1.5)",
        "keras.losses.BinaryFocalCrossentropy(gamma=3.0, from_logits=True, label_smoothing=0.1)(y, z)",
        "keras.ops.binary_crossentropy(y, tf.sigmoid(z))",
        "tf.keras.backend.binary_crossentropy(y, tf.sigmoid(z))",
        "tf.keras.backend.binary_crossentropy(y, z, from_logits=True)",
    ),
    *oracles(
        "probs_onehot",
        "keras.losses.categorical_crossentropy(y, p)",
        "keras.losses.CategoricalCrossentropy()(y, p)",
        "keras.losses.categorical_focal_crossentropy(y, p)",
        "keras.losses.sparse_categorical_crossentropy(tf.argmax(y, axis=-1), p)",
        "tf.keras.backend.categorical_crossentropy(y, p)",
        "tf.keras.backend.sparse_categorical_crossentropy(tf.argmax(y, axis=-1), p)",
    ),
    *oracles(
        "probs_binary",
        "keras.losses.binary_crossentropy(y, p)",
        "keras.losses.BinaryCrossentropy()(y, p)",
        "keras.losses.binary_focal_crossentropy(y, p, apply_class_balancing=True)",
        "tf.keras.backend.binary_crossentropy(y, p)",
        "tf.compat.v1.losses.log_loss(y, p)",
        "tf.compat.v1.losses.log_loss(y, p, epsilon=1e-3, reduction=tf.compat.v1.losses.Reduction.NONE)",
    ),
]

# (expression, input kind): both TensorFlow and the stand-ins must raise.
RAISING = [
    ("tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y + 10, logits=z)", "sparse"),
    ("tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)", "sparse"),
    ("tf.nn.sigmoid_cross_entropy_with_logits(labels=y[:, :1], logits=z)", "binary"),
    ("keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True)", "onehot"),
    ("keras.losses.categorical_crossentropy(y, z, from_logits=True)", "sparse"),
    ("keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True, axis=0)", "sparse"),
]


def _tensors(tf: object, inputs: dict[str, np.ndarray]) -> dict[str, object]:
    return {name: tf.constant(value) for name, value in inputs.items()}


@pytest.mark.parametrize("oracle, regime, dtype", value_cases(ORACLES))
def test_value(oracle: Oracle, regime: str, dtype: str, tensorflow_modules: dict[str, object]) -> None:
    inputs = make_inputs(oracle.kind, regime, dtype)
    expected = framework_value(
        oracle.expression, tensorflow_modules, _tensors(tensorflow_modules["tf"], inputs)
    ).numpy()
    actual, precision = standin_value_and_precision(oracle.expression, inputs)
    assert_values_match(actual, expected, inputs, precision)


@pytest.mark.parametrize("oracle, regime", gradient_cases(ORACLES))
def test_gradient(oracle: Oracle, regime: str, tensorflow_modules: dict[str, object]) -> None:
    tf = tensorflow_modules["tf"]
    inputs = make_inputs(oracle.kind, regime, "float64")
    tensors = _tensors(tf, inputs)
    with tf.GradientTape() as tape:
        tape.watch(tensors[oracle.wrt])
        output = framework_value(oracle.expression, tensorflow_modules, tensors)
    weights = cotangent(tuple(output.shape))
    expected = tape.gradient(output, tensors[oracle.wrt], output_gradients=tf.constant(weights, output.dtype))
    expected = np.zeros(inputs[oracle.wrt].shape) if expected is None else expected.numpy()
    actual = standin_gradient(oracle.expression, inputs, oracle.wrt, weights)
    assert_gradients_match(actual, expected, output.numpy())


@pytest.mark.parametrize("expression, kind", RAISING)
def test_both_raise(expression: str, kind: str, tensorflow_modules: dict[str, object]) -> None:
    inputs = make_inputs(kind, "random", "float32")
    assert raises(lambda: framework_value(expression, tensorflow_modules, _tensors(tensorflow_modules["tf"], inputs)))
    assert raises(lambda: standin_value(expression, inputs))


def test_keras_epsilon(tensorflow_modules: dict[str, object]) -> None:
    from xentlint.runtime import reference_losses

    assert tensorflow_modules["keras"].backend.epsilon() == reference_losses.KERAS_EPSILON
