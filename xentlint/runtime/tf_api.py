"""TensorFlow spellings (tf.*, tf.nn.*, tf.compat.v1.losses.*, tf.contrib.losses.*) of the models.

Each function has the real signature, so keyword and positional calls bind as in
TensorFlow, and delegates to `reference_losses`. `standins` decides under which names they appear.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from xentlint.runtime import reference_losses
from xentlint.runtime.errors import FrameworkError, NotModelled

TF1_DEFAULT_REDUCTION = reference_losses.TF1_SUM_BY_NONZERO_WEIGHTS


def _last_axis_if_none(axis: Optional[int]) -> int:
    return -1 if axis is None else axis


def softmax(logits: object, axis: Optional[int] = None, name: object = None) -> np.ndarray:
    return reference_losses.softmax(logits, _last_axis_if_none(axis))


def log_softmax(logits: object, axis: Optional[int] = None, name: object = None) -> np.ndarray:
    return reference_losses.log_softmax(logits, _last_axis_if_none(axis))


def sigmoid(x: object, name: object = None) -> np.ndarray:
    return reference_losses.sigmoid(x)


def log_sigmoid(x: object, name: object = None) -> np.ndarray:
    return reference_losses.log_sigmoid(x)


def log(x: object, name: object = None) -> np.ndarray:
    return reference_losses.log(x)


def exp(x: object, name: object = None) -> np.ndarray:
    return np.exp(reference_losses.floating(x))


def _axes(axis: object) -> object:
    return tuple(axis) if isinstance(axis, list) else axis


def reduce_sum(input_tensor: object, axis: object = None, keepdims: bool = False, name: object = None) -> np.ndarray:
    return np.sum(np.asarray(input_tensor), axis=_axes(axis), keepdims=keepdims)


def reduce_mean(input_tensor: object, axis: object = None, keepdims: bool = False, name: object = None) -> np.ndarray:
    return np.mean(np.asarray(input_tensor), axis=_axes(axis), keepdims=keepdims)


def gather(params: object, indices: object, validate_indices: object = None, axis: object = None,
           batch_dims: int = 0, name: object = None) -> np.ndarray:
    """tf.gather: the entries of `params` at `indices` along `axis` (the first by default)."""
    if batch_dims:
        raise NotModelled("tf.gather with batch_dims has no NumPy model")
    return np.take(np.asarray(params), np.asarray(indices), axis=0 if axis is None else int(axis))


def clip_by_value(t: object, clip_value_min: object, clip_value_max: object, name: object = None) -> np.ndarray:
    return np.clip(np.asarray(t), clip_value_min, clip_value_max)


def one_hot(
    indices: object,
    depth: int,
    on_value: object = None,
    off_value: object = None,
    axis: Optional[int] = None,
    dtype: object = np.float32,
    name: object = None,
) -> np.ndarray:
    encoded = reference_losses.one_hot(indices, depth, dtype)
    if on_value is not None or off_value is not None:
        on = 1 if on_value is None else on_value
        off = 0 if off_value is None else off_value
        encoded = np.where(encoded == 1, on, off).astype(dtype)
    return encoded if axis in (None, -1) else np.moveaxis(encoded, -1, axis)


def argmax(
    input: object, axis: Optional[int] = None, output_type: object = np.int64, name: object = None
) -> np.ndarray:
    return np.argmax(np.asarray(input), axis=0 if axis is None else axis).astype(output_type)  # TF's default axis is 0


def cast(x: object, dtype: object, name: object = None) -> np.ndarray:
    return np.asarray(x).astype(dtype)


def constant(value: object, dtype: object = None, shape: object = None, name: object = None) -> np.ndarray:
    array = np.asarray(value, dtype=dtype)
    if dtype is None and array.dtype == np.float64:
        array = array.astype(np.float32)  # Python floats become float32 tensors
    return array if shape is None else np.broadcast_to(array, shape).copy()


def convert_to_tensor(value: object, dtype: object = None, dtype_hint: object = None, name: object = None) -> object:
    return value if dtype is None else np.asarray(value).astype(dtype)


def eye(
    num_rows: int,
    num_columns: Optional[int] = None,
    batch_shape: object = None,
    dtype: object = np.float32,
    name: object = None,
) -> np.ndarray:
    return np.eye(num_rows, num_columns, dtype=dtype)


def zeros(shape: object, dtype: object = np.float32, name: object = None) -> np.ndarray:
    return np.zeros(shape, dtype=dtype)


def ones(shape: object, dtype: object = np.float32, name: object = None) -> np.ndarray:
    return np.ones(shape, dtype=dtype)


def reshape(tensor: object, shape: object, name: object = None) -> np.ndarray:
    return np.reshape(np.asarray(tensor), shape)


def softmax_cross_entropy_with_logits(
    labels: object, logits: object, axis: int = -1, name: object = None
) -> np.ndarray:
    return reference_losses.softmax_cross_entropy_with_logits(labels, logits, axis)


def softmax_cross_entropy_with_logits_v2(
    labels: object, logits: object, axis: Optional[int] = None, name: object = None, dim: Optional[int] = None
) -> np.ndarray:
    return reference_losses.softmax_cross_entropy_with_logits(labels, logits, _last_axis_if_none(dim if axis is None else axis))


def _require_keywords(sentinel: object, function: str) -> None:
    if sentinel is not None:
        raise FrameworkError(f"Only call `{function}` with named arguments (labels=..., logits=..., ...)")


def softmax_cross_entropy_with_logits_tf1(
    _sentinel: object = None,
    labels: object = None,
    logits: object = None,
    dim: int = -1,
    name: object = None,
    axis: Optional[int] = None,
) -> np.ndarray:
    """tf.compat.v1.nn.softmax_cross_entropy_with_logits: a positional call raises."""
    _require_keywords(_sentinel, "softmax_cross_entropy_with_logits")
    return reference_losses.softmax_cross_entropy_with_logits(labels, logits, dim if axis is None else axis)


def sparse_softmax_cross_entropy_with_logits(
    labels: object = None, logits: object = None, name: object = None
) -> np.ndarray:
    return reference_losses.sparse_softmax_cross_entropy_with_logits(labels, logits)


def sigmoid_cross_entropy_with_logits(labels: object = None, logits: object = None, name: object = None) -> np.ndarray:
    return reference_losses.sigmoid_cross_entropy_with_logits(labels, logits)


def weighted_cross_entropy_with_logits(
    labels: object, logits: object, pos_weight: object, name: object = None
) -> np.ndarray:
    return reference_losses.weighted_cross_entropy_with_logits(labels, logits, pos_weight)


def sampled_softmax_loss(
    weights: object,
    biases: object,
    labels: object,
    inputs: object,
    num_sampled: int,
    num_classes: int,
    num_true: int = 1,
    sampled_values: object = None,
    remove_accidental_hits: bool = True,
    seed: Optional[int] = None,
    name: object = None,
) -> np.ndarray:
    if sampled_values is not None:
        raise NotModelled("sampled_softmax_loss with sampled_values")
    return reference_losses.sampled_softmax_loss(
        weights, biases, labels, inputs, int(num_sampled), int(num_classes), num_true, remove_accidental_hits, seed
    )


# tf.compat.v1.losses (also TF1's tf.losses) -----------------------------------------------


def compute_weighted_loss(
    losses: object,
    weights: object = 1.0,
    scope: object = None,
    loss_collection: object = None,
    reduction: str = TF1_DEFAULT_REDUCTION,
) -> np.ndarray:
    return reference_losses.compute_weighted_loss(losses, weights, reduction)


def tf1_softmax_cross_entropy(
    onehot_labels: object,
    logits: object,
    weights: object = 1.0,
    label_smoothing: float = 0,
    scope: object = None,
    loss_collection: object = None,
    reduction: str = TF1_DEFAULT_REDUCTION,
) -> np.ndarray:
    return reference_losses.tf1_softmax_cross_entropy(onehot_labels, logits, weights, label_smoothing, reduction)


def tf1_sparse_softmax_cross_entropy(
    labels: object,
    logits: object,
    weights: object = 1.0,
    scope: object = None,
    loss_collection: object = None,
    reduction: str = TF1_DEFAULT_REDUCTION,
) -> np.ndarray:
    return reference_losses.tf1_sparse_softmax_cross_entropy(labels, logits, weights, reduction)


def tf1_sigmoid_cross_entropy(
    multi_class_labels: object,
    logits: object,
    weights: object = 1.0,
    label_smoothing: float = 0,
    scope: object = None,
    loss_collection: object = None,
    reduction: str = TF1_DEFAULT_REDUCTION,
) -> np.ndarray:
    return reference_losses.tf1_sigmoid_cross_entropy(multi_class_labels, logits, weights, label_smoothing, reduction)


def tf1_log_loss(
    labels: object,
    predictions: object,
    weights: object = 1.0,
    epsilon: float = reference_losses.TF1_LOG_LOSS_EPSILON,
    scope: object = None,
    loss_collection: object = None,
    reduction: str = TF1_DEFAULT_REDUCTION,
) -> np.ndarray:
    return reference_losses.tf1_log_loss(labels, predictions, weights, epsilon, reduction)


def tf1_absolute_difference(
    labels: object, predictions: object, weights: object = 1.0, scope: object = None,
    loss_collection: object = None, reduction: str = TF1_DEFAULT_REDUCTION,
) -> np.ndarray:
    return reference_losses.tf1_absolute_difference(labels, predictions, weights, reduction)


def tf1_hinge_loss(
    labels: object, logits: object, weights: object = 1.0, scope: object = None,
    loss_collection: object = None, reduction: str = TF1_DEFAULT_REDUCTION,
) -> np.ndarray:
    return reference_losses.tf1_hinge_loss(labels, logits, weights, reduction)


def tf1_huber_loss(
    labels: object, predictions: object, weights: object = 1.0, delta: float = 1.0, scope: object = None,
    loss_collection: object = None, reduction: str = TF1_DEFAULT_REDUCTION,
) -> np.ndarray:
    return reference_losses.tf1_huber_loss(labels, predictions, weights, delta, reduction)


# tf.contrib.losses: same computations, predictions first (TF 1.0 order) ----------------------


def contrib_absolute_difference(
    predictions: object, labels: object = None, weights: object = 1.0, scope: object = None
) -> np.ndarray:
    return reference_losses.tf1_absolute_difference(labels, predictions, weights)


def contrib_hinge_loss(logits: object, labels: object = None, scope: object = None) -> np.ndarray:
    """TF 1.x contrib: unreduced, one loss per element."""
    return reference_losses.tf1_hinge_loss(labels, logits, 1.0, reference_losses.TF1_NONE)


def contrib_softmax_cross_entropy(
    logits: object, onehot_labels: object, weights: object = 1.0, label_smoothing: float = 0, scope: object = None
) -> np.ndarray:
    return reference_losses.tf1_softmax_cross_entropy(onehot_labels, logits, weights, label_smoothing)


def contrib_sparse_softmax_cross_entropy(
    logits: object, labels: object, weights: object = 1.0, scope: object = None
) -> np.ndarray:
    return reference_losses.tf1_sparse_softmax_cross_entropy(labels, logits, weights)


def contrib_sigmoid_cross_entropy(
    logits: object, multi_class_labels: object, weights: object = 1.0, label_smoothing: float = 0, scope: object = None
) -> np.ndarray:
    return reference_losses.tf1_sigmoid_cross_entropy(multi_class_labels, logits, weights, label_smoothing)


def contrib_log_loss(
    predictions: object,
    labels: object = None,
    weights: object = 1.0,
    epsilon: float = reference_losses.TF1_LOG_LOSS_EPSILON,
    scope: object = None,
) -> np.ndarray:
    return reference_losses.tf1_log_loss(labels, predictions, weights, epsilon)


def contrib_compute_weighted_loss(losses: object, weights: object = 1.0, scope: object = None) -> np.ndarray:
    return reference_losses.compute_weighted_loss(losses, weights)


# Elementwise math of TF 1 (`tf.log1p`, `tf.squared_difference`) and tf.math.


def log1p(x: object, name: object = None) -> np.ndarray:
    return np.log1p(reference_losses.floating(x))


def abs(x: object, name: object = None) -> np.ndarray:  # noqa: A001 - TensorFlow's name
    return np.abs(np.asarray(x))


def squared_difference(x: object, y: object, name: object = None) -> np.ndarray:
    return np.square(np.asarray(x) - np.asarray(y))


# tf.contrib.nn (TF 1.x): the nn losses with the logits first, positionally.


def deprecated_flipped_softmax_cross_entropy_with_logits(
    logits: object, labels: object, dim: int = -1, name: object = None
) -> np.ndarray:
    return reference_losses.softmax_cross_entropy_with_logits(labels, logits, dim)


def deprecated_flipped_sparse_softmax_cross_entropy_with_logits(
    logits: object, labels: object, name: object = None
) -> np.ndarray:
    return reference_losses.sparse_softmax_cross_entropy_with_logits(labels, logits)


def deprecated_flipped_sigmoid_cross_entropy_with_logits(
    logits: object, targets: object, name: object = None
) -> np.ndarray:
    return reference_losses.sigmoid_cross_entropy_with_logits(targets, logits)
