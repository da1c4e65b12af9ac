"""JAX (jax.nn), optax and SciPy (scipy.special) spellings of the models.

Not modelled: JAX's default float32 canonicalisation (without jax_enable_x64, float64
inputs are computed in float32); these stand-ins keep the input dtype.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from xentlint.runtime import reference_losses
from xentlint.runtime.errors import NotModelled


def _unsupported_where(where: object) -> None:
    if where is not None:
        raise NotModelled("the `where` argument")


def softmax(x: object, axis: Optional[int] = -1, where: object = None, initial: object = None) -> np.ndarray:
    _unsupported_where(where)
    return reference_losses.softmax(x, axis)


def log_softmax(x: object, axis: Optional[int] = -1, where: object = None, initial: object = None) -> np.ndarray:
    _unsupported_where(where)
    return reference_losses.log_softmax(x, axis)


def one_hot(x: object, num_classes: int, dtype: object = np.float32, axis: int = -1) -> np.ndarray:
    return np.moveaxis(reference_losses.one_hot(x, num_classes, dtype), -1, axis)


def softmax_cross_entropy(logits: object, labels: object, axis: int = -1, where: object = None) -> np.ndarray:
    _unsupported_where(where)
    return reference_losses.softmax_cross_entropy_with_logits(labels, logits, axis)


def softmax_cross_entropy_with_integer_labels(
    logits: object, labels: object, axis: int = -1, where: object = None
) -> np.ndarray:
    _unsupported_where(where)
    return reference_losses.optax_softmax_cross_entropy_with_integer_labels(logits, labels, axis)


def smooth_labels(labels: object, alpha: float) -> np.ndarray:
    labels = reference_losses.floating(labels)
    return (1 - alpha) * labels + alpha / labels.shape[-1]


def scipy_softmax(x: object, axis: Optional[int] = None) -> np.ndarray:
    """scipy.special.softmax: axis=None means over all elements."""
    return reference_losses.softmax(x, axis)


def scipy_log_softmax(x: object, axis: Optional[int] = None) -> np.ndarray:
    return reference_losses.log_softmax(x, axis)


def scipy_logsumexp(
    a: object, axis: Optional[int] = None, b: object = None, keepdims: bool = False, return_sign: bool = False
) -> np.ndarray:
    if b is not None or return_sign:
        raise NotModelled("logsumexp with b or return_sign")
    return reference_losses.logsumexp(a, axis, keepdims)
