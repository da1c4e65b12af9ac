"""Casts that frameworks perform inside a computation, and what they do to its precision.

TF1 losses reduce float64 losses in float32 and cast back; Keras loss classes compute in
float32 whatever the input. `framework_cast` performs such casts, records them for
`tracking_precision` (a float64 result reduced in float32 is only float32-accurate, and
comparisons must know it), and under `exact_arithmetic` keeps float64, because while
differentiating numerically float32 rounding would swamp the finite difference while the
cast changes rounding only, not the derivative.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Iterable, Iterator, Optional

import numpy as np

_EXACT_ARITHMETIC = contextvars.ContextVar("exact_arithmetic", default=False)
_LOWERED_TO: contextvars.ContextVar[Optional[list[np.dtype]]] = contextvars.ContextVar("lowered_to", default=None)


@contextlib.contextmanager
def exact_arithmetic() -> Iterator[None]:
    token = _EXACT_ARITHMETIC.set(True)
    try:
        yield
    finally:
        _EXACT_ARITHMETIC.reset(token)


@contextlib.contextmanager
def tracking_precision() -> Iterator[list[np.dtype]]:
    """Collects the float dtypes that framework casts lowered values to inside the block."""
    lowered: list[np.dtype] = []
    token = _LOWERED_TO.set(lowered)
    try:
        yield lowered
    finally:
        _LOWERED_TO.reset(token)


def framework_cast(x: object, dtype: object) -> np.ndarray:
    """A cast the framework performs internally; always a new array, as a new tensor is."""
    x, dtype = np.asarray(x), np.dtype(dtype)
    lowering = x.dtype.kind == "f" and dtype.kind == "f" and dtype.itemsize < x.dtype.itemsize
    lowered = _LOWERED_TO.get()
    if lowering and lowered is not None:
        lowered.append(dtype)
    if lowering and _EXACT_ARITHMETIC.get():
        return np.array(x)
    return np.array(x, dtype=dtype)


def least_precise(dtypes: Iterable[np.dtype]) -> np.dtype:
    """The float dtype with the largest epsilon (float64 if none is a float)."""
    floats = [np.dtype(dtype) for dtype in dtypes if np.dtype(dtype).kind == "f"]
    return max(floats, key=lambda dtype: np.finfo(dtype).eps, default=np.dtype(np.float64))
