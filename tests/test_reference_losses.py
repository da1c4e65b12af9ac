"""Framework-free checks of the NumPy models, the numerical gradients and the Tensor type
(the oracle tests hold the same models to the real frameworks)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from xentlint.runtime import reference_losses
from xentlint.runtime.errors import FrameworkError, MissingStandIn
from xentlint.runtime.gradients import gradient_of, numerical_gradient
from xentlint.runtime.keras_api import softmax as keras_softmax
from xentlint.runtime.precision import (
    exact_arithmetic,
    framework_cast,
    tracking_precision,
)
from xentlint.runtime.tensor import Tensor, to_tensor

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(0, 3, (4, 5))
ONE_HOT = np.eye(5)[[0, 3, 4, 1]]
BINARY = RNG.integers(0, 2, (4, 5)).astype(np.float64)


def test_gradient_of_softmax_cross_entropy_is_softmax_minus_labels() -> None:
    gradient = gradient_of(reference_losses.softmax_cross_entropy_with_logits, ONE_HOT, LOGITS, wrt=1)
    np.testing.assert_allclose(gradient, reference_losses.softmax(LOGITS) - ONE_HOT, atol=1e-8)


def test_gradient_of_sigmoid_cross_entropy_is_sigmoid_minus_labels() -> None:
    gradient = gradient_of(reference_losses.sigmoid_cross_entropy_with_logits, BINARY, LOGITS, wrt=1)
    np.testing.assert_allclose(gradient, reference_losses.sigmoid(LOGITS) - BINARY, atol=1e-8)


def test_numerical_gradient_takes_a_cotangent_and_ignores_unchanged_infinities() -> None:
    weights = RNG.uniform(0.5, 1.5, 3)
    np.testing.assert_allclose(
        numerical_gradient(lambda x: x**2, np.array([1.0, -2.0, 3.0]), weights),
        2 * np.array([1.0, -2.0, 3.0]) * weights,
        rtol=1e-8,
    )
    np.testing.assert_array_equal(
        numerical_gradient(lambda x: np.log(np.array([0.0, 1.0])) * x[0], np.array([2.0])), [0.0]
    )


def test_stable_activations_at_extremes() -> None:
    for dtype in (np.float32, np.float64):
        z = np.array([-1e3, 0.0, 1e3], dtype)
        assert reference_losses.sigmoid(z).tolist() == [0.0, 0.5, 1.0]
        np.testing.assert_allclose(reference_losses.log_sigmoid(z), [-1e3, -np.log(2), 0.0])
        assert reference_losses.log_softmax(z).dtype == dtype
        np.testing.assert_allclose(reference_losses.log_softmax(z), [-2e3, -1e3, 0.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_keras_clips_probabilities_at_epsilon(dtype: type) -> None:
    clipped_zero = -np.log(dtype(reference_losses.KERAS_EPSILON))
    loss = reference_losses.keras_binary_crossentropy(np.array([[1.0]], dtype), np.array([[0.0]], dtype))
    assert loss.dtype == dtype and loss[0] == pytest.approx(clipped_zero, rel=1e-6)
    # Categorical predictions are normalised by their sum before clipping.
    doubled = reference_losses.keras_categorical_crossentropy(ONE_HOT.astype(dtype), 2 * reference_losses.softmax(LOGITS).astype(dtype))
    np.testing.assert_allclose(doubled, reference_losses.softmax_cross_entropy_with_logits(ONE_HOT, LOGITS), rtol=1e-5)


def test_torch_binary_cross_entropy_clamps_logs_and_rejects_logits() -> None:
    assert reference_losses.torch_binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0]), reduction="sum") == 200.0
    with pytest.raises(FrameworkError):
        reference_losses.torch_binary_cross_entropy(np.array([1.5]), np.array([1.0]))


def test_torch_class_weighted_mean_divides_by_the_picked_weights() -> None:
    labels, weight = np.array([0, 3, 4, 1]), np.arange(1.0, 6.0)
    per_sample = reference_losses.torch_cross_entropy(LOGITS, labels, weight=weight, reduction="none")
    expected = np.sum(per_sample) / np.sum(weight[labels])
    assert reference_losses.torch_cross_entropy(LOGITS, labels, weight=weight) == pytest.approx(expected)
    ignored = reference_losses.torch_cross_entropy(LOGITS, labels, ignore_index=3, reduction="none")
    assert ignored[1] == 0.0


@pytest.mark.parametrize("size_average, reduce", list(itertools.product((None, True, False), repeat=2)))
def test_legacy_reduction_mapping(size_average: object, reduce: object) -> None:
    expected = "none" if reduce is False else ("sum" if size_average is False else "mean")
    assert reference_losses.torch_legacy_reduction(size_average, reduce) == expected


def test_torch_implicit_softmax_dim() -> None:
    assert [reference_losses.torch_implicit_softmax_dim(ndim) for ndim in range(5)] == [0, 0, 1, 0, 1]


def test_tf1_losses_reduce_by_nonzero_weights_in_float32() -> None:
    losses = np.array([1.0, 2.0, 3.0, 4.0])
    assert reference_losses.compute_weighted_loss(losses) == 2.5
    assert reference_losses.compute_weighted_loss(losses, weights=np.array([1.0, 0.0, 1.0, 0.0])) == 2.0
    with tracking_precision() as lowered:
        result = reference_losses.tf1_log_loss(np.array([1.0]), np.array([0.0]))
    assert result.dtype == np.float32 and np.float32 in lowered
    assert result == pytest.approx(-np.log(reference_losses.TF1_LOG_LOSS_EPSILON), rel=1e-6)


def test_exact_arithmetic_keeps_float64_through_framework_casts() -> None:
    value = np.array([1 / 3])
    assert framework_cast(value, np.float32).dtype == np.float32
    with exact_arithmetic():
        assert framework_cast(value, np.float32)[0] == 1 / 3


def test_sparse_labels_out_of_range_raise_like_tensorflow() -> None:
    with pytest.raises(FrameworkError):
        reference_losses.sparse_softmax_cross_entropy_with_logits(np.array([0, 5, 1, 1]), LOGITS)


def test_tensor_answers_torch_and_numpy_spellings() -> None:
    t = to_tensor(LOGITS)
    np.testing.assert_allclose(t.softmax(1).log(), reference_losses.log_softmax(LOGITS, 1))
    assert t.sum(1, keepdim=True).shape == (4, 1) == np.sum(t, axis=1, keepdims=True).shape
    assert isinstance(t.sum(), Tensor) and t.mean() == pytest.approx(LOGITS.mean())
    assert t.argmax(1).dtype == np.int64 and np.argmax(t, axis=1, keepdims=True).shape == (4, 1)
    assert t.float().dtype == np.float32 and to_tensor(np.array([1.7])).long().tolist() == [1]
    with pytest.raises(MissingStandIn):
        t.log1p()
    assert not hasattr(t, "view_as_complex")


def test_keras_logits_cache_is_not_inherited() -> None:
    probabilities = keras_softmax(LOGITS)
    assert probabilities.keras_logits is not None
    assert (probabilities * 1).keras_logits is None and probabilities[:2].keras_logits is None
