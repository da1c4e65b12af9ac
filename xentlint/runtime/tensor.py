"""An ndarray that also answers to the tensor methods found in framework code.

`z.softmax(1)`, `p.log()`, `loss.sum()`, `y.long()` evaluate as torch would. The torch
namespace of the stand-ins uses these same methods as its functions (`torch.softmax(z, 1)`
is `Tensor.softmax(z, 1)`), as torch generates both from one declaration.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np

from xentlint.runtime import reference_losses
from xentlint.runtime.errors import MissingStandIn

Axis = Optional[Union[int, Sequence[int]]]


def _axis(axis: Axis) -> Optional[Union[int, tuple[int, ...]]]:
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


class Tensor(np.ndarray):
    # Keras caches the logits on the outputs of its own softmax/sigmoid and its losses use
    # them instead of the probabilities. Never inherited: any derived value is a new tensor.
    keras_logits: Optional[np.ndarray] = None

    def __array_finalize__(self, obj: object) -> None:
        self.keras_logits = None

    def __getattr__(self, name: str) -> object:
        """Only called for names neither ndarray nor this class defines: a method without a model."""
        if name.startswith("_"):
            raise AttributeError(name)
        raise MissingStandIn(f"no NumPy model for the tensor method .{name}()")

    # NumPy calls these methods too (np.sum(t, axis=1) is t.sum(axis=1, ...)), so each one
    # takes numpy's keywords as well as torch's.
    def sum(
        self,
        dim: Axis = None,
        keepdim: bool = False,
        dtype: object = None,
        *,
        axis: Axis = None,
        keepdims: Optional[bool] = None,
        **numpy_kwargs: object,
    ) -> Tensor:
        axis = dim if axis is None else axis
        keepdims = keepdim if keepdims is None else keepdims
        return to_tensor(np.ndarray.sum(self, axis=_axis(axis), dtype=dtype, keepdims=keepdims, **numpy_kwargs))

    def mean(
        self,
        dim: Axis = None,
        keepdim: bool = False,
        dtype: object = None,
        *,
        axis: Axis = None,
        keepdims: Optional[bool] = None,
        **numpy_kwargs: object,
    ) -> Tensor:
        axis = dim if axis is None else axis
        keepdims = keepdim if keepdims is None else keepdims
        return to_tensor(np.ndarray.mean(self, axis=_axis(axis), dtype=dtype, keepdims=keepdims, **numpy_kwargs))

    def argmax(
        self,
        dim: Optional[int] = None,
        keepdim: bool = False,
        *,
        axis: Optional[int] = None,
        keepdims: Optional[bool] = None,
        **numpy_kwargs: object,
    ) -> Tensor:
        axis = dim if axis is None else axis
        keepdims = keepdim if keepdims is None else keepdims
        return to_tensor(np.ndarray.argmax(self, axis=axis, keepdims=keepdims, **numpy_kwargs).astype(np.int64))

    def softmax(self, dim: int, dtype: object = None) -> Tensor:
        return to_tensor(reference_losses.softmax(self, dim))

    def log_softmax(self, dim: int, dtype: object = None) -> Tensor:
        return to_tensor(reference_losses.log_softmax(self, dim))

    def sigmoid(self) -> Tensor:
        return to_tensor(reference_losses.sigmoid(self))

    def log(self) -> Tensor:
        return to_tensor(reference_losses.log(self))

    def exp(self) -> Tensor:
        return to_tensor(np.exp(reference_losses.floating(self)))

    def clamp(self, min: Optional[float] = None, max: Optional[float] = None) -> Tensor:
        return to_tensor(np.clip(self, min, max))

    def gather(self, dim: int, index: np.ndarray) -> Tensor:
        return to_tensor(np.take_along_axis(np.asarray(self), np.asarray(index), axis=dim))

    def unsqueeze(self, dim: int) -> Tensor:
        return to_tensor(np.expand_dims(self, dim))

    def long(self) -> Tensor:
        return to_tensor(self.astype(np.int64))

    def float(self) -> Tensor:
        return to_tensor(self.astype(np.float32))

    def double(self) -> Tensor:
        return to_tensor(self.astype(np.float64))

    def numpy(self) -> np.ndarray:
        return np.asarray(self)

    def detach(self) -> Tensor:
        return self


def to_tensor(value: object) -> object:
    """Arrays and numbers as Tensor (sharing memory); anything else unchanged."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (np.ndarray, np.generic, bool, int, float)):
        return np.asarray(value).view(Tensor)
    return value
