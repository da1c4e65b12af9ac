"""NumPy models of the Keras binary metrics that threshold predictions (keras.src.metrics, Keras 3.15):
float32 state, strict `>` thresholds, as the framework computes them."""
from __future__ import annotations

import numpy as np

from xentlint.runtime.reference_losses import KERAS_EPSILON, sigmoid

KERAS_METRIC_DTYPE = np.float32


def keras_binary_accuracy(y_true: object, y_pred: object, threshold: float = 0.5) -> np.ndarray:
    """keras.metrics.binary_accuracy: per element, 1.0 where `(y_pred > threshold)` equals the label."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    predicted = (y_pred > np.asarray(threshold, dtype=y_pred.dtype)).astype(y_true.dtype)
    return (y_true == predicted).astype(KERAS_METRIC_DTYPE)


def _confusion(y_true: object, y_pred: object, thresholds: np.ndarray) -> tuple[np.ndarray, ...]:
    """True/false positives/negatives at each threshold over every element, in float32."""
    predictions = np.asarray(y_pred).astype(KERAS_METRIC_DTYPE).reshape(1, -1)
    positive = np.asarray(y_true).astype(bool).reshape(1, -1)
    above = predictions > thresholds.astype(KERAS_METRIC_DTYPE).reshape(-1, 1)
    count = lambda mask: np.sum(mask, axis=1).astype(KERAS_METRIC_DTYPE)  # noqa: E731
    return count(positive & above), count(~positive & above), count(~positive & ~above), count(positive & ~above)


def _divide_no_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, a.dtype.type(0), a / b)


def keras_auc(y_true: object, y_pred: object, num_thresholds: int = 200, from_logits: bool = False) -> np.ndarray:
    """keras.metrics.AUC (ROC curve, trapezoidal "interpolation") on one batch. Its evenly spaced
    thresholds take the bucketing path, which clips the scores to [0, 1] first: logits given as
    probabilities all land at 0 or 1."""
    thresholds = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    thresholds = np.array([0.0 - KERAS_EPSILON, *thresholds, 1.0 + KERAS_EPSILON])
    scores = np.clip(sigmoid(np.asarray(y_pred)) if from_logits else np.asarray(y_pred), 0, 1)
    true_positives, false_positives, true_negatives, false_negatives = _confusion(y_true, scores, thresholds)
    recall = _divide_no_nan(true_positives, true_positives + false_negatives)
    fp_rate = _divide_no_nan(false_positives, false_positives + true_negatives)
    heights = (recall[:-1] + recall[1:]) / KERAS_METRIC_DTYPE(2)
    return np.sum((fp_rate[:-1] - fp_rate[1:]) * heights)


def keras_precision(y_true: object, y_pred: object, threshold: float = 0.5) -> np.ndarray:
    true_positives, false_positives, _, _ = _confusion(y_true, y_pred, np.array([threshold]))
    return _divide_no_nan(true_positives, true_positives + false_positives)[0]


def keras_recall(y_true: object, y_pred: object, threshold: float = 0.5) -> np.ndarray:
    true_positives, _, _, false_negatives = _confusion(y_true, y_pred, np.array([threshold]))
    return _divide_no_nan(true_positives, true_positives + false_negatives)[0]
