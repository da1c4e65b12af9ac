"""Keras metric spellings: `keras.metrics.binary_accuracy` and the metric classes that threshold
binary predictions (`BinaryAccuracy`, `AUC`, `Precision`, `Recall`).

A metric object called on `(y_true, y_pred)` updates its state with the batch and returns its
result, as Keras's `Metric.__call__` does; the state here is that one batch. Options other
than the modelled ones (curves, several thresholds, top-k, multi-label) are not modelled.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from xentlint.runtime import reference_metrics
from xentlint.runtime.errors import NotModelled
from xentlint.runtime.tensor import Tensor, to_tensor


def binary_accuracy(y_true: object, y_pred: object, threshold: float = 0.5) -> np.ndarray:
    return reference_metrics.keras_binary_accuracy(y_true, y_pred, threshold)


def _refuse(**unmodelled: object) -> None:
    given = [name for name, value in unmodelled.items() if value]
    if given:
        raise NotModelled(f"the metric options {', '.join(given)} have no NumPy model")


class BinaryAccuracy:
    def __init__(self, name: str = "binary_accuracy", dtype: object = None, threshold: float = 0.5) -> None:
        self.threshold = threshold

    def __call__(self, y_true: object, y_pred: object, sample_weight: object = None) -> Tensor:
        _refuse(sample_weight=sample_weight is not None)
        return to_tensor(np.mean(binary_accuracy(y_true, y_pred, self.threshold)))


class AUC:
    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name: Optional[str] = None, dtype: object = None, thresholds: object = None,
                 multi_label: bool = False, num_labels: Optional[int] = None, label_weights: object = None,
                 from_logits: bool = False) -> None:
        _refuse(curve=curve != "ROC", summation_method=summation_method != "interpolation",
                thresholds=thresholds is not None, multi_label=multi_label, label_weights=label_weights is not None)
        self.num_thresholds = num_thresholds
        self.from_logits = from_logits

    def __call__(self, y_true: object, y_pred: object, sample_weight: object = None) -> Tensor:
        _refuse(sample_weight=sample_weight is not None)
        return to_tensor(reference_metrics.keras_auc(y_true, y_pred, self.num_thresholds, self.from_logits))


class _AtThreshold:
    """Precision and Recall at one threshold (0.5 when `thresholds` is None)."""

    def __init__(self, thresholds: object = None, top_k: Optional[int] = None, class_id: Optional[int] = None,
                 name: Optional[str] = None, dtype: object = None) -> None:
        _refuse(several_thresholds=isinstance(thresholds, (list, tuple)), top_k=top_k is not None,
                class_id=class_id is not None)
        self.threshold = 0.5 if thresholds is None else float(thresholds)  # type: ignore[arg-type]

    def __call__(self, y_true: object, y_pred: object, sample_weight: object = None) -> Tensor:
        _refuse(sample_weight=sample_weight is not None)
        return to_tensor(self.compute(y_true, y_pred))

    def compute(self, y_true: object, y_pred: object) -> np.ndarray:
        raise NotImplementedError


class Precision(_AtThreshold):
    def compute(self, y_true: object, y_pred: object) -> np.ndarray:
        return reference_metrics.keras_precision(y_true, y_pred, self.threshold)


class Recall(_AtThreshold):
    def compute(self, y_true: object, y_pred: object) -> np.ndarray:
        return reference_metrics.keras_recall(y_true, y_pred, self.threshold)


METRICS = {
    "binary_accuracy": binary_accuracy,
    "BinaryAccuracy": BinaryAccuracy,
    "AUC": AUC,
    "Precision": Precision,
    "Recall": Recall,
}
