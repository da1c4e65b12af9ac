"""Keras spellings: keras.losses / keras.ops / keras.activations (Keras 3, TensorFlow backend)
and the Keras 2 era tf.keras.backend functions (`K.*`).

Keras 3 caches the logits on the outputs of keras.ops/activations softmax and sigmoid
(`_keras_logits`), and its cross-entropies use them instead of the probabilities, whatever
`from_logits` says and whichever of the two activations produced them. Loss classes convert
both arguments to their dtype (float32 by default) first; a float64 prediction is cast,
which yields a new tensor without the cache. Both behaviours are modelled here.
"""

from __future__ import annotations

import inspect
from typing import Callable, Optional

import numpy as np

from xentlint.runtime import reference_losses
from xentlint.runtime.errors import FrameworkError, NotModelled
from xentlint.runtime.precision import framework_cast
from xentlint.runtime.signatures import bind_options, options_signature
from xentlint.runtime.tensor import Tensor, to_tensor

FLOATX = np.float32


def _with_cached_logits(probabilities: np.ndarray, logits: object) -> Tensor:
    output = to_tensor(probabilities)
    output.keras_logits = np.asarray(logits)
    return output


def _recover_logits(y_pred: object, from_logits: bool) -> tuple[object, bool]:
    """keras.src.backend.tensorflow.nn._get_logits, for eager tensors."""
    cached = getattr(y_pred, "keras_logits", None)
    return (cached, True) if cached is not None else (y_pred, from_logits)


# keras.ops / keras.activations -----------------------------------------------------------


def softmax(x: object, axis: Optional[int] = -1) -> Tensor:
    return _with_cached_logits(reference_losses.softmax(x, axis), x)


def sigmoid(x: object) -> Tensor:
    return _with_cached_logits(reference_losses.sigmoid(x), x)


def log_softmax(x: object, axis: int = -1) -> np.ndarray:
    return reference_losses.log_softmax(x, axis)


def reduce_sum(x: object, axis: object = None, keepdims: bool = False) -> np.ndarray:
    return np.sum(np.asarray(x), axis=axis, keepdims=keepdims)


def reduce_mean(x: object, axis: object = None, keepdims: bool = False) -> np.ndarray:
    return np.mean(np.asarray(x), axis=axis, keepdims=keepdims)


def clip(x: object, x_min: float, x_max: float) -> np.ndarray:
    return np.clip(np.asarray(x), x_min, x_max)


def one_hot(x: object, num_classes: int, axis: int = -1, dtype: object = None, sparse: bool = False) -> np.ndarray:
    return np.moveaxis(reference_losses.one_hot(x, num_classes, dtype or FLOATX), -1, axis)


def argmax(x: object, axis: Optional[int] = None, keepdims: bool = False) -> np.ndarray:
    return np.argmax(np.asarray(x), axis=axis, keepdims=keepdims)


def cast(x: object, dtype: object) -> np.ndarray:
    return np.asarray(x).astype(dtype)


def epsilon() -> float:
    return reference_losses.KERAS_EPSILON


def to_categorical(x: object, num_classes: Optional[int] = None) -> np.ndarray:
    labels = np.asarray(x).astype(np.int64)
    count = int(labels.max()) + 1 if num_classes is None else num_classes
    return np.eye(count)[labels]  # float64, as Keras returns it


def ops_categorical_crossentropy(
    target: object, output: object, from_logits: bool = False, axis: int = -1
) -> np.ndarray:
    output, from_logits = _recover_logits(output, from_logits)
    return reference_losses.keras_backend_categorical_crossentropy(target, output, from_logits, axis)


def ops_sparse_categorical_crossentropy(
    target: object, output: object, from_logits: bool = False, axis: int = -1
) -> np.ndarray:
    output, from_logits = _recover_logits(output, from_logits)
    return reference_losses.keras_backend_sparse_categorical_crossentropy(target, output, from_logits, axis)


def ops_binary_crossentropy(target: object, output: object, from_logits: bool = False) -> np.ndarray:
    output, from_logits = _recover_logits(output, from_logits)
    return reference_losses.keras_backend_binary_crossentropy(target, output, from_logits)


# keras.losses functions ------------------------------------------------------------------


def categorical_crossentropy(
    y_true: object, y_pred: object, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> np.ndarray:
    y_pred, from_logits = _recover_logits(y_pred, from_logits)
    return reference_losses.keras_categorical_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis)


def sparse_categorical_crossentropy(
    y_true: object, y_pred: object, from_logits: bool = False, ignore_class: Optional[int] = None, axis: int = -1
) -> np.ndarray:
    if ignore_class is not None:
        raise NotModelled("sparse_categorical_crossentropy with ignore_class")
    y_pred, from_logits = _recover_logits(y_pred, from_logits)
    return reference_losses.keras_sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis)


def binary_crossentropy(
    y_true: object, y_pred: object, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> np.ndarray:
    y_pred, from_logits = _recover_logits(y_pred, from_logits)
    return reference_losses.keras_binary_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis)


def binary_focal_crossentropy(
    y_true: object,
    y_pred: object,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    return reference_losses.keras_binary_focal_crossentropy(
        y_true,
        y_pred,
        apply_class_balancing,
        alpha,
        gamma,
        from_logits,
        label_smoothing,
        axis,
        recovered_logits=getattr(y_pred, "keras_logits", None),
    )


# keras.losses classes --------------------------------------------------------------------


def _convert(value: object, dtype: object) -> object:
    """ops.convert_to_tensor(value, dtype): the same tensor if the dtype matches, else a cast copy."""
    if np.asarray(value).dtype == dtype:
        return value
    return to_tensor(framework_cast(value, dtype))


def _same_rank(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """keras.src.losses.loss.squeeze_or_expand_to_same_rank."""
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        if y_true.ndim == 1:
            return np.expand_dims(y_true, -1), y_pred
        return y_true, np.squeeze(y_pred, -1)
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        if y_pred.ndim == 1:
            return y_true, np.expand_dims(y_pred, -1)
        return np.squeeze(y_true, -1), y_pred
    return y_true, y_pred


class KerasLoss:
    """keras.losses.Loss built on a loss function: convert, match ranks, compute, reduce."""

    function: Callable[..., np.ndarray]
    signature: inspect.Signature  # the function's options, then reduction, name and dtype

    def __init__(self, *args: object, **kwargs: object) -> None:
        options = bind_options(self.signature, args, kwargs)
        self.reduction = options.pop("reduction")
        self.dtype = np.dtype(options.pop("dtype") or FLOATX)
        del options["name"]
        self.options = options

    def __call__(self, y_true: object, y_pred: object, sample_weight: object = None) -> Tensor:
        y_pred = _convert(y_pred, self.dtype)
        y_true, y_pred = _same_rank(np.asarray(_convert(y_true, self.dtype)), y_pred)
        losses = type(self).function(y_true, y_pred, **self.options)
        return to_tensor(reference_losses.keras_reduce(losses, self.reduction, sample_weight))


_LOSS_OPTIONS = {"reduction": "sum_over_batch_size", "name": None, "dtype": None}


def loss_class(name: str, function: Callable[..., np.ndarray]) -> type:
    signature = options_signature(function, 2, _LOSS_OPTIONS)
    return type(name, (KerasLoss,), {"function": staticmethod(function), "signature": signature})


LOSS_FUNCTIONS = {
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy,
    "binary_focal_crossentropy": binary_focal_crossentropy,
    "categorical_focal_crossentropy": reference_losses.keras_categorical_focal_crossentropy,
}


def _class_name(function_name: str) -> str:
    """categorical_crossentropy -> CategoricalCrossentropy."""
    return "".join(part.capitalize() for part in function_name.split("_"))


LOSS_CLASSES = {_class_name(name): loss_class(_class_name(name), function) for name, function in LOSS_FUNCTIONS.items()}


# tf.keras.backend (Keras 2 era functions, kept by keras._legacy.backend) -----------------------


def legacy_softmax(x: object, axis: int = -1) -> Tensor:
    if np.ndim(x) <= 1:
        raise FrameworkError("Cannot apply softmax to a tensor that is 1D.")
    return softmax(x, axis)


def legacy_clip(x: object, min_value: float, max_value: float) -> np.ndarray:
    return clip(x, min_value, max_value)


def legacy_one_hot(indices: object, num_classes: int) -> np.ndarray:
    return reference_losses.one_hot(indices, num_classes, FLOATX)


def legacy_argmax(x: object, axis: int = -1) -> np.ndarray:
    return argmax(x, axis)


def legacy_sparse_categorical_crossentropy(
    target: object, output: object, from_logits: bool = False, axis: int = -1, ignore_class: Optional[int] = None
) -> np.ndarray:
    if ignore_class is not None:
        raise NotModelled("sparse_categorical_crossentropy with ignore_class")
    return reference_losses.keras_legacy_sparse_categorical_crossentropy(target, output, from_logits, axis)
