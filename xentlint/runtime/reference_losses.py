"""NumPy models of the framework functions xentlint reasons about.

Each model mirrors what the framework really computes, quirks included, as measured
against the installed frameworks by `tests/oracle`: Keras clips probabilities to
[1e-7, 1 - 1e-7] (and normalises categorical predictions by their sum first), torch's
`binary_cross_entropy` clamps its logs at -100, torch's class-weighted mean divides by
the sum of the picked weights, TF1 losses reduce in float32, and so on.

Models compute in the dtype of the prediction (float32 stays float32, so saturation and
clipping happen where the framework's do) and raise `FrameworkError` where the framework
would raise. They take and return plain arrays; `standins` gives them framework spellings.
Gradients are taken numerically, see `gradients`.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from xentlint.runtime.errors import FrameworkError
from xentlint.runtime.precision import framework_cast

KERAS_EPSILON = 1e-7  # keras.backend.epsilon()
TORCH_LOG_CLAMP = -100.0  # torch binary_cross_entropy clamps log(p) and log(1 - p) here
TF1_LOG_LOSS_EPSILON = 1e-7  # tf.compat.v1.losses.log_loss adds this inside the logs
TORCH_IGNORE_INDEX = -100

# tf.compat.v1.losses.Reduction values.
TF1_NONE = "none"
TF1_SUM = "weighted_sum"
TF1_SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
TF1_MEAN = "weighted_mean"
TF1_SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
TF1_REDUCTIONS = (TF1_NONE, TF1_SUM, TF1_SUM_OVER_BATCH_SIZE, TF1_MEAN, TF1_SUM_BY_NONZERO_WEIGHTS)


def floating(x: object) -> np.ndarray:
    """A prediction as a float array; integers and Python numbers become float32 as in TF/torch."""
    array = np.asarray(x)
    return array if array.dtype.kind == "f" else array.astype(np.float32)


def _like(labels: object, prediction: np.ndarray) -> np.ndarray:
    return np.asarray(labels).astype(prediction.dtype)


def _same_shape(a: np.ndarray, b: np.ndarray, what: str) -> None:
    if a.shape != b.shape:
        raise FrameworkError(f"{what}: shapes {a.shape} and {b.shape} differ")


def _integer_labels(labels: object, what: str) -> np.ndarray:
    array = np.asarray(labels)
    if array.dtype.kind not in "iu":
        raise FrameworkError(f"{what}: labels must be integers, got {array.dtype}")
    return array


def _pick(values: np.ndarray, indices: np.ndarray, axis: int) -> np.ndarray:
    """values[..., indices, ...] along `axis`, one index per position of the other axes."""
    return np.squeeze(np.take_along_axis(values, np.expand_dims(indices, axis), axis=axis), axis)


# Activations -------------------------------------------------------------------------


def logsumexp(x: object, axis: Optional[int] = -1, keepdims: bool = False) -> np.ndarray:
    x = floating(x)
    peak = np.max(x, axis=axis, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0)
    result = np.log(np.sum(np.exp(x - peak), axis=axis, keepdims=True)) + peak
    return result if keepdims else np.squeeze(result, axis=axis)


def softmax(x: object, axis: Optional[int] = -1) -> np.ndarray:
    x = floating(x)
    exps = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return exps / np.sum(exps, axis=axis, keepdims=True)


def log_softmax(x: object, axis: Optional[int] = -1) -> np.ndarray:
    x = floating(x)
    return x - logsumexp(x, axis=axis, keepdims=True)


def sigmoid(x: object) -> np.ndarray:
    x = floating(x)
    exp_neg_abs = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + exp_neg_abs), exp_neg_abs / (1 + exp_neg_abs))


def softplus(x: object) -> np.ndarray:
    x = floating(x)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def log_sigmoid(x: object) -> np.ndarray:
    return -softplus(-floating(x))


def log(x: object) -> np.ndarray:
    return np.log(floating(x))


def torch_implicit_softmax_dim(ndim: int) -> int:
    """The dim torch picks when F.softmax & co. get none (torch.nn.functional._get_softmax_dim)."""
    return 0 if ndim in (0, 1, 3) else 1


# TensorFlow tf.nn ------------------------------------------------------------------------


def softmax_cross_entropy_with_logits(labels: object, logits: object, axis: int = -1) -> np.ndarray:
    """tf.nn.softmax_cross_entropy_with_logits; labels broadcast against logits as the kernel does."""
    logits = floating(logits)
    labels = _like(labels, logits)
    try:
        labels = np.broadcast_to(labels, logits.shape)
    except ValueError as error:
        raise FrameworkError(f"labels {labels.shape} do not broadcast to logits {logits.shape}") from error
    return -np.sum(labels * log_softmax(logits, axis), axis=axis)


def sparse_softmax_cross_entropy_with_logits(labels: object, logits: object) -> np.ndarray:
    logits = floating(logits)
    labels = _integer_labels(labels, "sparse_softmax_cross_entropy_with_logits")
    if labels.shape != logits.shape[:-1]:
        raise FrameworkError(
            f"labels {labels.shape} must have the shape of logits {logits.shape} without its last axis"
        )
    classes = logits.shape[-1]
    if np.any((labels < 0) | (labels >= classes)):
        raise FrameworkError(f"a label is outside the valid range [0, {classes})")
    return -_pick(log_softmax(logits), labels, axis=-1)


def _sigmoid_cross_entropy(labels: np.ndarray, logits: np.ndarray) -> np.ndarray:
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


def sigmoid_cross_entropy_with_logits(labels: object, logits: object) -> np.ndarray:
    logits = floating(logits)
    labels = _like(labels, logits)
    _same_shape(labels, logits, "sigmoid_cross_entropy_with_logits")
    return _sigmoid_cross_entropy(labels, logits)


def weighted_cross_entropy_with_logits(labels: object, logits: object, pos_weight: object) -> np.ndarray:
    logits = floating(logits)
    labels = _like(labels, logits)
    _same_shape(labels, logits, "weighted_cross_entropy_with_logits")
    log_weight = 1 + (np.asarray(pos_weight, logits.dtype) - 1) * labels
    return (1 - labels) * logits + log_weight * softplus(-logits)


def sampled_softmax_loss(
    weights: object,
    biases: object,
    labels: object,
    inputs: object,
    num_sampled: int,
    num_classes: int,
    num_true: int = 1,
    remove_accidental_hits: bool = True,
    seed: Optional[int] = None,
) -> np.ndarray:
    """tf.nn.sampled_softmax_loss with a uniform sampler of unique classes.

    TF samples from a log-uniform distribution by default; any sampler shows the same
    thing: the loss is estimated from the true class and a sample, not all classes. With
    uniform sampling the log-expected-count correction is a constant and cancels.
    """
    inputs = floating(inputs)
    all_logits = inputs @ np.asarray(weights, inputs.dtype).T + np.asarray(biases, inputs.dtype)
    labels = np.asarray(labels).reshape(len(inputs), num_true)
    sampled = np.random.default_rng(seed or 0).choice(num_classes, size=num_sampled, replace=False)
    true_logits = np.take_along_axis(all_logits, labels, axis=1)
    sampled_logits = all_logits[:, sampled]
    if remove_accidental_hits:
        hits = (labels[:, :, None] == sampled[None, None, :]).any(axis=1)
        sampled_logits = np.where(hits, np.finfo(inputs.dtype).min, sampled_logits)
    logits = np.concatenate([true_logits, sampled_logits], axis=1)
    targets = np.concatenate([np.full_like(true_logits, 1 / num_true), np.zeros_like(sampled_logits)], axis=1)
    return softmax_cross_entropy_with_logits(targets, logits)


# TensorFlow 1 tf.compat.v1.losses (tf.contrib.losses is the same with other argument names) ---


def _num_present(losses: np.ndarray, weights: np.ndarray) -> float:
    return float(np.count_nonzero(np.broadcast_to(weights != 0, losses.shape)))


def compute_weighted_loss(
    losses: object, weights: object = 1.0, reduction: str = TF1_SUM_BY_NONZERO_WEIGHTS
) -> np.ndarray:
    """tf.compat.v1.losses.compute_weighted_loss: reduces in float32, returns the input dtype."""
    if reduction not in TF1_REDUCTIONS:
        raise FrameworkError(f"invalid reduction {reduction!r}")
    losses = np.asarray(losses)
    input_dtype = losses.dtype
    losses32 = framework_cast(losses, np.float32)
    weights32 = framework_cast(np.asarray(weights), np.float32)
    weighted = losses32 * weights32
    if reduction == TF1_NONE:
        return framework_cast(weighted, input_dtype)
    divisors = {
        TF1_SUM: 1.0,
        TF1_MEAN: float(np.sum(np.ones_like(losses32) * weights32)),
        TF1_SUM_BY_NONZERO_WEIGHTS: _num_present(losses32, weights32),
        TF1_SUM_OVER_BATCH_SIZE: float(losses32.size),
    }
    divisor = divisors[reduction]
    total = np.sum(weighted)
    loss = total / weighted.dtype.type(divisor) if divisor else np.zeros_like(total)  # div_no_nan
    return framework_cast(loss, input_dtype)


def tf1_softmax_cross_entropy(
    onehot_labels: object,
    logits: object,
    weights: object = 1.0,
    label_smoothing: float = 0.0,
    reduction: str = TF1_SUM_BY_NONZERO_WEIGHTS,
) -> np.ndarray:
    logits = floating(logits)
    labels = _like(onehot_labels, logits)
    _same_shape(labels, logits, "softmax_cross_entropy")
    if label_smoothing > 0:
        labels = labels * (1 - label_smoothing) + label_smoothing / labels.shape[-1]
    return compute_weighted_loss(softmax_cross_entropy_with_logits(labels, logits), weights, reduction)


def tf1_sparse_softmax_cross_entropy(
    labels: object, logits: object, weights: object = 1.0, reduction: str = TF1_SUM_BY_NONZERO_WEIGHTS
) -> np.ndarray:
    logits = floating(logits)
    labels = np.asarray(labels)
    if labels.ndim == logits.ndim and labels.shape[-1] == 1:  # remove_squeezable_dimensions
        labels = labels[..., 0]
    return compute_weighted_loss(sparse_softmax_cross_entropy_with_logits(labels, logits), weights, reduction)


def tf1_sigmoid_cross_entropy(
    multi_class_labels: object,
    logits: object,
    weights: object = 1.0,
    label_smoothing: float = 0.0,
    reduction: str = TF1_SUM_BY_NONZERO_WEIGHTS,
) -> np.ndarray:
    logits = floating(logits)
    labels = _like(multi_class_labels, logits)
    if label_smoothing > 0:
        labels = labels * (1 - label_smoothing) + 0.5 * label_smoothing
    return compute_weighted_loss(sigmoid_cross_entropy_with_logits(labels, logits), weights, reduction)


def tf1_log_loss(
    labels: object,
    predictions: object,
    weights: object = 1.0,
    epsilon: float = TF1_LOG_LOSS_EPSILON,
    reduction: str = TF1_SUM_BY_NONZERO_WEIGHTS,
) -> np.ndarray:
    """tf.compat.v1.losses.log_loss: casts to float32 and adds epsilon inside the logs."""
    predictions = framework_cast(predictions, np.float32)
    labels = framework_cast(labels, predictions.dtype)
    _same_shape(labels, predictions, "log_loss")
    losses = -labels * np.log(predictions + epsilon) - (1 - labels) * np.log(1 - predictions + epsilon)
    return compute_weighted_loss(losses, weights, reduction)


# Keras 3 (TensorFlow backend) keras.losses / keras.ops ----------------------------------


def _keras_clip(probabilities: np.ndarray) -> np.ndarray:
    return np.clip(probabilities, KERAS_EPSILON, 1 - KERAS_EPSILON)


def keras_backend_categorical_crossentropy(
    target: object, output: object, from_logits: bool = False, axis: int = -1
) -> np.ndarray:
    """keras.ops.categorical_crossentropy on logits already recovered (see standins)."""
    output = floating(output)
    target = _like(target, output)
    _same_shape(target, output, "categorical_crossentropy")
    if from_logits:
        return softmax_cross_entropy_with_logits(target, output, axis)
    probabilities = _keras_clip(output / np.sum(output, axis=axis, keepdims=True))
    return -np.sum(target * np.log(probabilities), axis=axis)


def keras_backend_sparse_categorical_crossentropy(
    target: object, output: object, from_logits: bool = False, axis: int = -1
) -> np.ndarray:
    output = floating(output)
    if axis not in (-1, output.ndim - 1):
        raise FrameworkError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    target = np.asarray(target).astype(np.int64)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target[..., 0]
    if target.shape != output.shape[:-1]:
        raise FrameworkError(
            f"target {target.shape} must have the shape of output {output.shape} without its last axis"
        )
    # From probabilities: clipped logs used as logits, so no division by the sum here.
    logits = output if from_logits else np.log(_keras_clip(output))
    return sparse_softmax_cross_entropy_with_logits(target, logits)


def keras_backend_binary_crossentropy(target: object, output: object, from_logits: bool = False) -> np.ndarray:
    output = floating(output)
    target = _like(target, output)
    _same_shape(target, output, "binary_crossentropy")
    if from_logits:
        return _sigmoid_cross_entropy(target, output)
    probabilities = _keras_clip(output)
    return -(target * np.log(probabilities) + (1 - target) * np.log(1 - probabilities))


def _smooth_categorical(y_true: np.ndarray, label_smoothing: float) -> np.ndarray:
    return y_true * (1 - label_smoothing) + label_smoothing / y_true.shape[-1] if label_smoothing else y_true


def _smooth_binary(y_true: np.ndarray, label_smoothing: float) -> np.ndarray:
    return y_true * (1 - label_smoothing) + 0.5 * label_smoothing if label_smoothing else y_true


def keras_categorical_crossentropy(
    y_true: object, y_pred: object, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> np.ndarray:
    y_pred = floating(y_pred)
    y_true = _smooth_categorical(_like(y_true, y_pred), label_smoothing)  # smooths over the LAST axis
    return keras_backend_categorical_crossentropy(y_true, y_pred, from_logits, axis)


def keras_sparse_categorical_crossentropy(
    y_true: object, y_pred: object, from_logits: bool = False, axis: int = -1
) -> np.ndarray:
    y_true, y_pred = np.asarray(y_true), floating(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = np.squeeze(y_true, axis=axis)
    return keras_backend_sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis)


def keras_binary_crossentropy(
    y_true: object, y_pred: object, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> np.ndarray:
    y_pred = floating(y_pred)
    y_true = _smooth_binary(_like(y_true, y_pred), label_smoothing)
    return np.mean(keras_backend_binary_crossentropy(y_true, y_pred, from_logits), axis=axis)


def keras_binary_focal_crossentropy(
    y_true: object,
    y_pred: object,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
    recovered_logits: Optional[np.ndarray] = None,
) -> np.ndarray:
    """`recovered_logits`: the logits Keras finds cached on a keras sigmoid output.

    With from_logits=True Keras applies its own keras.ops.sigmoid, which caches the
    logits, so the cross-entropy part is computed from logits while the focal factor
    uses the probabilities.
    """
    y_pred = floating(y_pred)
    y_true = _smooth_binary(_like(y_true, y_pred), label_smoothing)
    logits = y_pred if from_logits else recovered_logits
    probabilities = sigmoid(y_pred) if from_logits else y_pred
    if logits is None:
        bce = keras_backend_binary_crossentropy(y_true, probabilities)
    else:
        bce = keras_backend_binary_crossentropy(y_true, logits, from_logits=True)
    p_t = y_true * probabilities + (1 - y_true) * (1 - probabilities)
    focal_bce = np.power(1 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return np.mean(focal_bce, axis=axis)


def keras_categorical_focal_crossentropy(
    y_true: object,
    y_pred: object,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    """Always from clipped probabilities: the division by the sum drops any cached logits."""
    y_pred = floating(y_pred)
    y_true = _smooth_categorical(_like(y_true, y_pred), label_smoothing)
    if from_logits:
        y_pred = softmax(y_pred, axis)
    probabilities = _keras_clip(y_pred / np.sum(y_pred, axis=axis, keepdims=True))
    focal = alpha * np.power(1 - probabilities, gamma) * (-y_true * np.log(probabilities))
    return np.sum(focal, axis=axis)


# Keras 2 era tf.keras.backend (keras._legacy.backend): no logits recovery ------------------


def keras_legacy_sparse_categorical_crossentropy(
    target: object, output: object, from_logits: bool = False, axis: int = -1
) -> np.ndarray:
    output = np.moveaxis(floating(output), axis, -1)
    return keras_backend_sparse_categorical_crossentropy(target, output, from_logits)


def keras_legacy_binary_crossentropy(target: object, output: object, from_logits: bool = False) -> np.ndarray:
    """Clips AND adds epsilon inside the logs, unlike Keras 3."""
    output = floating(output)
    target = _like(target, output)
    if from_logits:
        return sigmoid_cross_entropy_with_logits(target, output)
    probabilities = _keras_clip(output)
    return -(target * np.log(probabilities + KERAS_EPSILON) + (1 - target) * np.log(1 - probabilities + KERAS_EPSILON))


def keras_reduce(losses: np.ndarray, reduction: Optional[str], sample_weight: object = None) -> np.ndarray:
    """keras.losses.Loss reduction; "sum_over_batch_size" divides by the number of loss values."""
    allowed = (None, "none", "sum", "sum_over_batch_size", "mean", "mean_with_sample_weight")
    if reduction not in allowed:
        raise FrameworkError(f"Invalid value for argument `reduction`: {reduction!r}")
    losses = np.asarray(losses)
    if sample_weight is not None:
        losses = losses * np.asarray(sample_weight, losses.dtype).reshape(losses.shape[:1] + (1,) * (losses.ndim - 1))
    if reduction in (None, "none") or losses.ndim == 0:
        return losses
    total = np.sum(losses)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = np.sum(np.asarray(sample_weight, losses.dtype))
    else:
        divisor = losses.dtype.type(losses.size)
    return total / divisor if divisor else np.zeros_like(total)


# PyTorch torch.nn.functional ----------------------------------------------------------


def torch_legacy_reduction(size_average: Optional[bool], reduce: Optional[bool]) -> str:
    """torch.nn._reduction.legacy_get_string: size_average/reduce to `reduction`."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def torch_reduce(losses: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return losses
    if reduction == "sum":
        return np.sum(losses)
    if reduction == "mean":
        return np.mean(losses)
    raise FrameworkError(f"{reduction} is not a valid value for reduction")


def _torch_class_axis(input: np.ndarray) -> int:
    return 0 if input.ndim == 1 else 1


def _torch_class_weights(weight: object, classes: int, like: np.ndarray, axis: int) -> np.ndarray:
    """`weight` shaped to broadcast along the class axis (ones when absent)."""
    if weight is None:
        weight = np.ones(classes)
    weight = np.asarray(weight, like.dtype)
    if weight.shape != (classes,):
        raise FrameworkError(f"weight must have {classes} elements, got shape {weight.shape}")
    shape = [1] * like.ndim
    shape[axis] = classes
    return weight.reshape(shape)


def _torch_class_targets(input: np.ndarray, target: object, ignore_index: int) -> np.ndarray:
    target = np.asarray(target)
    if target.dtype not in (np.int64, np.uint8):
        raise FrameworkError(f"expected target dtype to be Long or Byte, but got {target.dtype}")
    axis = _torch_class_axis(input)
    expected = input.shape[:axis] + input.shape[axis + 1 :]
    if target.shape != expected:
        raise FrameworkError(f"expected target of shape {expected}, got {target.shape}")
    classes = input.shape[axis]
    if np.any(((target < 0) | (target >= classes)) & (target != ignore_index)):
        raise FrameworkError("Target is out of bounds.")
    return target


def _torch_nll_terms(
    log_probs: np.ndarray, target: object, weight: object, ignore_index: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-position losses -w[y] * log_probs[y], the picked weights w[y] (0 where ignored), the kept mask."""
    target = _torch_class_targets(log_probs, target, ignore_index)
    axis = _torch_class_axis(log_probs)
    kept = target != ignore_index
    safe_target = np.where(kept, target, 0)
    class_weights = _torch_class_weights(weight, log_probs.shape[axis], log_probs, axis)
    picked_weights = np.where(kept, _pick(np.broadcast_to(class_weights, log_probs.shape), safe_target, axis), 0)
    return -picked_weights * _pick(log_probs, safe_target, axis), picked_weights, kept


def _torch_weighted_reduce(losses: np.ndarray, picked_weights: np.ndarray, reduction: str) -> np.ndarray:
    """With class indices, torch's mean divides by the sum of the picked weights, not the count."""
    if reduction == "mean":
        return np.sum(losses) / np.sum(picked_weights)
    return torch_reduce(losses, reduction)


def torch_nll_loss(
    input: object,
    target: object,
    weight: object = None,
    ignore_index: int = TORCH_IGNORE_INDEX,
    reduction: str = "mean",
) -> np.ndarray:
    input = floating(input)
    if np.asarray(target).dtype.kind == "f":
        raise FrameworkError("nll_loss expects class indices, not probabilities")
    losses, picked_weights, _ = _torch_nll_terms(input, target, weight, ignore_index)
    return _torch_weighted_reduce(losses, picked_weights, reduction)


def torch_cross_entropy(
    input: object,
    target: object,
    weight: object = None,
    ignore_index: int = TORCH_IGNORE_INDEX,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """F.cross_entropy for class-index targets and for class-probability (float) targets."""
    input = floating(input)
    axis = _torch_class_axis(input)
    classes = input.shape[axis]
    log_probs = log_softmax(input, axis)
    class_weights = _torch_class_weights(weight, classes, input, axis)
    target = np.asarray(target)
    if target.dtype.kind in "iub" and target.shape == input.shape:
        # torch reads a target of the input's shape as class probabilities, which must be floats.
        raise FrameworkError("Expected floating point type for target with class probabilities, got Long")
    if target.dtype.kind == "f":
        _same_shape(target, input, "cross_entropy with class probabilities")
        probabilities = target.astype(input.dtype) * (1 - label_smoothing) + label_smoothing / classes
        losses = -np.sum(log_probs * probabilities * class_weights, axis=axis)
        if reduction == "mean":  # divides by the number of samples, whatever the weights
            return np.sum(losses) / losses.dtype.type(input.size // classes)
        return torch_reduce(losses, reduction)
    losses, picked_weights, kept = _torch_nll_terms(log_probs, target, weight, ignore_index)
    nll = _torch_weighted_reduce(losses, picked_weights, reduction)
    if not label_smoothing:
        return nll
    smooth = np.where(kept, -np.sum(log_probs * class_weights, axis=axis), 0)
    smooth = _torch_weighted_reduce(smooth, picked_weights, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / classes)


def torch_binary_cross_entropy(
    input: object, target: object, weight: object = None, reduction: str = "mean"
) -> np.ndarray:
    """Logs clamped at -100; inputs outside [0, 1] (or NaN) raise as on CPU."""
    input = floating(input)
    target = _like(target, input)
    _same_shape(target, input, "binary_cross_entropy")
    if not np.all((input >= 0) & (input <= 1)):
        raise FrameworkError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):  # log(0) = -inf is what the clamp is for
        log_p = np.maximum(np.log(input), TORCH_LOG_CLAMP)
        log_not_p = np.maximum(np.log(1 - input), TORCH_LOG_CLAMP)
    losses = -(target * log_p + (1 - target) * log_not_p)
    if weight is not None:
        losses = losses * np.asarray(weight, input.dtype)
    return torch_reduce(losses, reduction)


def torch_binary_cross_entropy_with_logits(
    input: object, target: object, weight: object = None, reduction: str = "mean", pos_weight: object = None
) -> np.ndarray:
    input = floating(input)
    target = _like(target, input)
    _same_shape(target, input, "binary_cross_entropy_with_logits")
    log_weight = 1 if pos_weight is None else 1 + (np.asarray(pos_weight, input.dtype) - 1) * target
    losses = (1 - target) * input + log_weight * softplus(-input)
    if weight is not None:
        losses = losses * np.asarray(weight, input.dtype)
    return torch_reduce(losses, reduction)


def torch_one_hot(tensor: object, num_classes: int = -1) -> np.ndarray:
    indices = _integer_labels(tensor, "one_hot")
    if num_classes == -1:
        num_classes = int(indices.max()) + 1 if indices.size else 0
    if np.any((indices < 0) | (indices >= num_classes)):
        raise FrameworkError("Class values must be non-negative and smaller than num_classes.")
    return np.eye(num_classes, dtype=np.int64)[indices]


def one_hot(indices: object, depth: int, dtype: np.dtype = np.float32) -> np.ndarray:
    """tf.one_hot / jax.nn.one_hot: out-of-range indices give rows of zeros."""
    indices = np.asarray(indices).astype(np.int64)
    return (indices[..., None] == np.arange(depth)).astype(dtype)


# optax ------------------------------------------------------------------------------------


def optax_softmax_cross_entropy_with_integer_labels(logits: object, labels: object, axis: int = -1) -> np.ndarray:
    """Out-of-range labels give NaN (JAX gathers out of bounds fill with NaN)."""
    logits = np.moveaxis(floating(logits), axis, -1)
    labels = _integer_labels(labels, "softmax_cross_entropy_with_integer_labels")
    in_range = (labels >= 0) & (labels < logits.shape[-1])
    label_logits = np.where(in_range, _pick(logits, np.where(in_range, labels, 0), -1), np.nan)
    return logsumexp(logits, axis=-1) - label_logits


def optax_sigmoid_binary_cross_entropy(logits: object, labels: object) -> np.ndarray:
    logits = floating(logits)
    return _sigmoid_cross_entropy(_like(labels, logits), logits)


# Losses that take log-probabilities: KL divergence and CTC ------------------------------------


def _xlogx(x: np.ndarray) -> np.ndarray:
    """x * log(x) with 0 at 0 (torch.xlogy(x, x)); NaN for x < 0, as the log of a negative number."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, x.dtype.type(0), x * np.log(x))


def torch_kl_div(input: object, target: object, reduction: str = "mean", log_target: bool = False) -> np.ndarray:
    """F.kl_div: `target * (log(target) - input)` per element; `input` is read as log-probabilities.
    "batchmean" sums and divides by the batch size (the first axis)."""
    input = floating(input)
    target = _like(target, input)
    if log_target:
        losses = np.exp(target) * (target - input)
    else:
        losses = _xlogx(target) - target * input
    if reduction == "batchmean":
        return np.sum(losses) / losses.dtype.type(input.shape[0]) if input.ndim else np.sum(losses)
    return torch_reduce(losses, reduction)


def optax_kl_divergence(log_predictions: object, targets: object, axis: Optional[int] = -1) -> np.ndarray:
    """optax.kl_divergence: `targets * (log(targets) - log_predictions)` summed over `axis`, 0 where targets is 0."""
    log_predictions = floating(log_predictions)
    targets = _like(targets, log_predictions)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(targets == 0, targets.dtype.type(0), np.log(targets))
    return np.sum(targets * (logs - log_predictions), axis=axis)


def _ctc_negative_log_likelihood(log_probs: np.ndarray, labels: np.ndarray, frames: int, blank: int) -> np.ndarray:
    """-log p(labels | log_probs[:frames]) by the CTC forward recursion over the blank-extended labels."""
    extended = np.full(2 * len(labels) + 1, blank)
    extended[1::2] = labels
    minus_inf = log_probs.dtype.type(-np.inf)
    alpha = np.full(len(extended), minus_inf, dtype=log_probs.dtype)
    if frames == 0:
        return np.array(np.inf if len(labels) else 0, dtype=log_probs.dtype)
    alpha[0] = log_probs[0, blank]
    if len(labels):
        alpha[1] = log_probs[0, extended[1]]
    # A label can follow the one two places back when a blank separates two different labels.
    skips = np.zeros(len(extended), dtype=bool)
    skips[2:] = (extended[2:] != blank) & (extended[2:] != extended[:-2])
    for frame in range(1, frames):
        previous = alpha
        candidates = [previous, np.concatenate(([minus_inf], previous[:-1])),
                      np.where(skips, np.concatenate(([minus_inf, minus_inf], previous[:-2])), minus_inf)]
        alpha = logsumexp(np.stack(candidates), axis=0) + log_probs[frame, extended]
    return -logsumexp(alpha[-2:] if len(labels) else alpha[-1:], axis=0)


def torch_ctc_loss(
    log_probs: object,
    targets: object,
    input_lengths: object,
    target_lengths: object,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> np.ndarray:
    """F.ctc_loss on (T, N, C) log-probabilities with padded (N, S) or concatenated targets; "mean" divides
    each loss by its target length (at least 1) before the batch mean."""
    log_probs = floating(log_probs)
    if log_probs.ndim == 2:  # unbatched (T, C)
        log_probs = log_probs[:, None, :]
        input_lengths, target_lengths = np.reshape(input_lengths, 1), np.reshape(target_lengths, 1)
        targets = np.reshape(targets, (1, -1))
    targets = np.asarray(targets)
    input_lengths, target_lengths = np.asarray(input_lengths), np.asarray(target_lengths)
    starts = np.concatenate(([0], np.cumsum(target_lengths)[:-1]))
    losses = []
    for example in range(log_probs.shape[1]):
        length = int(target_lengths[example])
        start = starts[example]
        labels = targets[example, :length] if targets.ndim == 2 else targets[start:start + length]
        frames = int(input_lengths[example])
        losses.append(_ctc_negative_log_likelihood(log_probs[:, example, :], labels, frames, blank))
    per_example = np.array(losses, dtype=log_probs.dtype)
    if zero_infinity:
        per_example = np.where(np.isinf(per_example), per_example.dtype.type(0), per_example)
    if reduction == "mean":
        return np.mean(per_example / np.maximum(target_lengths, 1).astype(per_example.dtype))
    return torch_reduce(per_example, reduction)


# Regression and margin losses that renames (XL501-XL503) carry over ---------------------------


def tf1_absolute_difference(
    labels: object, predictions: object, weights: object = 1.0, reduction: str = TF1_SUM_BY_NONZERO_WEIGHTS
) -> np.ndarray:
    predictions = framework_cast(predictions, np.float32)
    labels = framework_cast(labels, np.float32)
    _same_shape(labels, predictions, "absolute_difference")
    return compute_weighted_loss(np.abs(predictions - labels), weights, reduction)


def tf1_hinge_loss(
    labels: object, logits: object, weights: object = 1.0, reduction: str = TF1_SUM_BY_NONZERO_WEIGHTS
) -> np.ndarray:
    """Labels in {0, 1} become {-1, 1}: max(0, 1 - y * logits)."""
    logits = framework_cast(logits, np.float32)
    labels = framework_cast(labels, np.float32)
    _same_shape(labels, logits, "hinge_loss")
    return compute_weighted_loss(np.maximum(0.0, 1.0 - (2.0 * labels - 1.0) * logits), weights, reduction)


def tf1_huber_loss(
    labels: object,
    predictions: object,
    weights: object = 1.0,
    delta: float = 1.0,
    reduction: str = TF1_SUM_BY_NONZERO_WEIGHTS,
) -> np.ndarray:
    predictions = framework_cast(predictions, np.float32)
    labels = framework_cast(labels, np.float32)
    _same_shape(labels, predictions, "huber_loss")
    error = np.abs(predictions - labels)
    quadratic = np.minimum(error, delta)
    return compute_weighted_loss(0.5 * quadratic**2 + delta * (error - quadratic), weights, reduction)


def torch_mse_loss(input: object, target: object, reduction: str = "mean") -> np.ndarray:
    input = floating(input)
    target = np.asarray(target)
    _same_shape(target, input, "mse_loss")
    return torch_reduce(np.square(input - target.astype(input.dtype)), reduction)


def torch_l1_loss(input: object, target: object, reduction: str = "mean") -> np.ndarray:
    input = floating(input)
    target = np.asarray(target)
    _same_shape(target, input, "l1_loss")
    return torch_reduce(np.abs(input - target.astype(input.dtype)), reduction)


def torch_smooth_l1_loss(input: object, target: object, reduction: str = "mean", beta: float = 1.0) -> np.ndarray:
    input = floating(input)
    target = np.asarray(target)
    _same_shape(target, input, "smooth_l1_loss")
    error = np.abs(input - target.astype(input.dtype))
    losses = error - 0.5 * beta if beta == 0 else np.where(error < beta, 0.5 * error**2 / beta, error - 0.5 * beta)
    return torch_reduce(losses, reduction)
