"""PyTorch spellings: torch.nn.functional (`F`), torch.nn modules (`nn`), tensor constructors.

torch.softmax, torch.log, torch.sum... are the `Tensor` methods themselves (see `tensor`).
The legacy `size_average`/`reduce` arguments map to `reduction` as torch does.
"""

from __future__ import annotations

import inspect
from typing import Callable, Optional

import numpy as np

from xentlint.runtime import reference_losses
from xentlint.runtime.signatures import bind_options, options_signature
from xentlint.runtime.tensor import Tensor, to_tensor

IGNORE_INDEX = reference_losses.TORCH_IGNORE_INDEX


def _softmax_dim(input: object, dim: Optional[int]) -> int:
    """Without `dim`, torch picks one from the rank (and warns): XL601."""
    return reference_losses.torch_implicit_softmax_dim(np.ndim(input)) if dim is None else dim


def _reduction(size_average: Optional[bool], reduce: Optional[bool], reduction: str) -> str:
    if size_average is not None or reduce is not None:
        return reference_losses.torch_legacy_reduction(size_average, reduce)
    return reduction


def softmax(input: object, dim: Optional[int] = None, _stacklevel: int = 3, dtype: object = None) -> np.ndarray:
    return reference_losses.softmax(input, _softmax_dim(input, dim))


def log_softmax(input: object, dim: Optional[int] = None, _stacklevel: int = 3, dtype: object = None) -> np.ndarray:
    return reference_losses.log_softmax(input, _softmax_dim(input, dim))


def softmin(input: object, dim: Optional[int] = None, _stacklevel: int = 3, dtype: object = None) -> np.ndarray:
    return reference_losses.softmax(-reference_losses.floating(input), _softmax_dim(input, dim))


def logsigmoid(input: object) -> np.ndarray:
    return reference_losses.log_sigmoid(input)


def cross_entropy(
    input: object,
    target: object,
    weight: object = None,
    size_average: Optional[bool] = None,
    ignore_index: int = IGNORE_INDEX,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    return reference_losses.torch_cross_entropy(
        input, target, weight, ignore_index, _reduction(size_average, reduce, reduction), label_smoothing
    )


def nll_loss(
    input: object,
    target: object,
    weight: object = None,
    size_average: Optional[bool] = None,
    ignore_index: int = IGNORE_INDEX,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> np.ndarray:
    return reference_losses.torch_nll_loss(input, target, weight, ignore_index, _reduction(size_average, reduce, reduction))


def binary_cross_entropy(
    input: object,
    target: object,
    weight: object = None,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> np.ndarray:
    return reference_losses.torch_binary_cross_entropy(input, target, weight, _reduction(size_average, reduce, reduction))


def binary_cross_entropy_with_logits(
    input: object,
    target: object,
    weight: object = None,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    pos_weight: object = None,
) -> np.ndarray:
    return reference_losses.torch_binary_cross_entropy_with_logits(
        input, target, weight, _reduction(size_average, reduce, reduction), pos_weight
    )


def mse_loss(
    input: object, target: object, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
    reduction: str = "mean", weight: object = None,
) -> np.ndarray:
    return reference_losses.torch_mse_loss(input, target, _reduction(size_average, reduce, reduction))


def l1_loss(
    input: object, target: object, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> np.ndarray:
    return reference_losses.torch_l1_loss(input, target, _reduction(size_average, reduce, reduction))


def smooth_l1_loss(
    input: object, target: object, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
    reduction: str = "mean", beta: float = 1.0,
) -> np.ndarray:
    return reference_losses.torch_smooth_l1_loss(input, target, _reduction(size_average, reduce, reduction), beta)


def kl_div(
    input: object, target: object, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
    reduction: str = "mean", log_target: bool = False,
) -> np.ndarray:
    return reference_losses.torch_kl_div(input, target, _reduction(size_average, reduce, reduction), log_target)


def ctc_loss(
    log_probs: object,
    targets: object,
    input_lengths: object,
    target_lengths: object,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> np.ndarray:
    return reference_losses.torch_ctc_loss(
        log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity
    )


# Constructors: Python floats become float32, as torch's default dtype.


def _default_dtype(array: np.ndarray, dtype: object) -> np.ndarray:
    if dtype is not None:
        return array.astype(dtype)
    return array.astype(np.float32) if array.dtype == np.float64 else array


def tensor(data: object, dtype: object = None, device: object = None, requires_grad: bool = False) -> np.ndarray:
    return _default_dtype(np.array(data), dtype)


def _shape(size: tuple[object, ...]) -> tuple[int, ...]:
    """torch.ones(2, 3) and torch.ones((2, 3)) alike."""
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


def ones(*size: object, dtype: object = None, device: object = None, requires_grad: bool = False) -> np.ndarray:
    return np.ones(_shape(size), dtype=dtype or np.float32)


def zeros(*size: object, dtype: object = None, device: object = None, requires_grad: bool = False) -> np.ndarray:
    return np.zeros(_shape(size), dtype=dtype or np.float32)


def arange(
    start: float,
    end: Optional[float] = None,
    step: float = 1,
    dtype: object = None,
    device: object = None,
    requires_grad: bool = False,
) -> np.ndarray:
    array = np.arange(start, step=step) if end is None else np.arange(start, end, step)
    return _default_dtype(array, dtype)


# torch.nn modules: constructed with the function's options, then called on tensors.


class Module:
    function: Callable[..., np.ndarray]
    tensor_arguments: int
    signature: inspect.Signature  # the function's options: the constructor's parameters

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.options = bind_options(self.signature, args, kwargs)

    def __call__(self, *tensors: object) -> Tensor:
        if len(tensors) != self.tensor_arguments:
            raise TypeError(f"{type(self).__name__}.forward takes {self.tensor_arguments} tensor(s)")
        return to_tensor(type(self).function(*tensors, **self.options))


def module_class(name: str, function: Callable[..., np.ndarray], tensor_arguments: int) -> type:
    members = {"function": staticmethod(function), "tensor_arguments": tensor_arguments}
    return type(name, (Module,), {**members, "signature": options_signature(function, tensor_arguments)})


MODULES = {
    "CrossEntropyLoss": module_class("CrossEntropyLoss", cross_entropy, 2),
    "NLLLoss": module_class("NLLLoss", nll_loss, 2),
    "BCELoss": module_class("BCELoss", binary_cross_entropy, 2),
    "BCEWithLogitsLoss": module_class("BCEWithLogitsLoss", binary_cross_entropy_with_logits, 2),
    "KLDivLoss": module_class("KLDivLoss", kl_div, 2),
    "CTCLoss": module_class("CTCLoss", ctc_loss, 4),
    "MSELoss": module_class("MSELoss", mse_loss, 2),
    "L1Loss": module_class("L1Loss", l1_loss, 2),
    "SmoothL1Loss": module_class("SmoothL1Loss", smooth_l1_loss, 2),
    "Softmax": module_class("Softmax", softmax, 1),
    "LogSoftmax": module_class("LogSoftmax", log_softmax, 1),
    "Softmin": module_class("Softmin", softmin, 1),
    "Sigmoid": module_class("Sigmoid", Tensor.sigmoid, 1),
    "LogSigmoid": module_class("LogSigmoid", logsigmoid, 1),
}
