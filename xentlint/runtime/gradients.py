"""Gradients by central finite differences in float64.

One method serves every model and every composed expression (a contract's `original`
may chain softmax, a clip and a loss), so no model needs a hand-written derivative.
The step is absolute (1e-5): the functions here bend on the scale of one logit unit,
whatever the logits' magnitude, so the truncation error stays near 1e-11 and the
rounding error near 1e-16 * |f| / 1e-5. Casts to float32 that frameworks perform
internally are skipped while differentiating (`precision.exact_arithmetic`).

An output entry that is the same infinity on both sides contributes nothing, where
autograd usually gives NaN for it (and for whatever depends on it).

Limits, by construction: at a kink (a clip bound, torch's -100 log clamp) the result is
the average of the one-sided slopes, where a framework's autograd picks one side or, for
torch's `binary_cross_entropy`, uses its own formula (p - y) / max(p(1 - p), 1e-12).
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from xentlint.runtime.precision import exact_arithmetic

STEP = 1e-5


def numerical_gradient(
    function: Callable[[np.ndarray], object], x: np.ndarray, cotangent: Optional[np.ndarray] = None
) -> np.ndarray:
    """d/dx of sum(cotangent * function(x)) (a vector-Jacobian product); cotangent defaults to ones."""
    x = np.array(x, dtype=np.float64)
    gradient = np.empty_like(x)
    flat_x, flat_gradient = x.reshape(-1), gradient.reshape(-1)
    with exact_arithmetic(), np.errstate(all="ignore"):
        for index in range(flat_x.size):
            centre = flat_x[index]
            flat_x[index] = centre + STEP
            above = np.asarray(function(x), dtype=np.float64)
            upper = flat_x[index]
            flat_x[index] = centre - STEP
            below = np.asarray(function(x), dtype=np.float64)
            lower = flat_x[index]
            flat_x[index] = centre
            weights = np.ones_like(above) if cotangent is None else cotangent
            # An output that stays at the same infinity did not change: contributes 0, not NaN.
            change = np.where(above == below, 0.0, above - below)
            # Divide by the step actually taken: centre +- STEP rounds when |centre| is large.
            flat_gradient[index] = np.sum(weights * change) / (upper - lower)
    return gradient


def gradient_of(
    function: Callable[..., object],
    *args: object,
    wrt: int = 0,
    cotangent: Optional[np.ndarray] = None,
    **kwargs: object,
) -> np.ndarray:
    """Gradient of a model w.r.t. its positional argument `wrt`, e.g. the logits of a loss."""
    arguments = list(args)

    def at(value: np.ndarray) -> object:
        arguments[wrt] = value
        return function(*arguments, **kwargs)

    return numerical_gradient(at, np.asarray(args[wrt]), cotangent)
