"""When two results count as equal.

Values: relative and absolute tolerance of 64 machine epsilons of the least precise dtype
involved; the absolute part scales with the largest input, because a float32 log-softmax
of logits near 1e3 is only exact to ~1e-4. Non-finite entries must match exactly.
Gradients (float64 central differences): relative 1e-6, absolute covering the rounding of
the differenced function values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from xentlint.runtime.evaluation import Evaluation
from xentlint.runtime.gradients import STEP
from xentlint.runtime.inputs import Case

ULPS = 64


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float

    def close(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.abs(a - b) <= self.atol + self.rtol * np.maximum(np.abs(a), np.abs(b))


def value_tolerance(case: Case, *precisions: np.dtype) -> Tolerance:
    """For results computed in `precisions` (see Evaluation.precision) from the case's inputs."""
    epsilon = ULPS * max(float(np.finfo(precision).eps) for precision in precisions)
    scale = max(
        [1.0]
        + [float(np.max(np.abs(value))) for value in case.values.values() if value.dtype.kind == "f" and value.size]
    )
    return Tolerance(rtol=epsilon, atol=epsilon * scale)


def gradient_tolerance(*values: np.ndarray) -> Tolerance:
    magnitude = max([1.0] + [1.5 * float(np.sum(np.abs(value[np.isfinite(value)]))) for value in values])
    return Tolerance(rtol=1e-6, atol=1e-7 + 16 * float(np.finfo(np.float64).eps) * magnitude / STEP)


def finite_deviation(a: np.ndarray, b: np.ndarray) -> float:
    """Largest |a - b| where both are finite (0 if nowhere)."""
    if a.shape != b.shape:
        return float("inf")
    both = np.isfinite(a) & np.isfinite(b)
    return float(np.max(np.abs(a[both].astype(np.float64) - b[both]), initial=0.0))


def arrays_match(a: np.ndarray, b: np.ndarray, tolerance: Tolerance) -> bool:
    """Same shape, same non-finite entries, finite entries within tolerance."""
    if a.shape != b.shape:
        return False
    a, b = a.astype(np.float64), b.astype(np.float64)
    finite_a, finite_b = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(finite_a, finite_b):
        return False
    non_finite = ~finite_a
    if not np.array_equal(a[non_finite], b[non_finite], equal_nan=True):
        return False
    return bool(np.all(tolerance.close(a[finite_a], b[finite_a])))


def behaviour_difference(first: Evaluation, second: Evaluation, case: Case, names: tuple[str, str]) -> Optional[str]:
    """None when both raise, or both give matching values (and gradients where both have one)."""
    if first.raised or second.raised:
        if first.raised and second.raised:
            return None
        name, evaluation = (names[0], first) if first.raised else (names[1], second)
        return f"the {name} raises {evaluation.error}"
    if first.value.shape != second.value.shape:
        return f"shapes differ: {first.value.shape} and {second.value.shape}"
    if not arrays_match(first.value, second.value, value_tolerance(case, first.precision, second.precision)):
        return f"values differ by {finite_deviation(first.value, second.value):.3g}" + _non_finite_note(
            first.value, second.value, names
        )
    if first.gradient is not None and second.gradient is not None:
        if not arrays_match(first.gradient, second.gradient, gradient_tolerance(first.value, second.value)):
            return f"gradients differ by {finite_deviation(first.gradient, second.gradient):.3g}"
    return None


def _non_finite_note(a: np.ndarray, b: np.ndarray, names: tuple[str, str]) -> str:
    notes = [f"the {name} is not finite" for name, value in zip(names, (a, b)) if not np.all(np.isfinite(value))]
    return f" ({'; '.join(notes)})" if notes else ""


def equal_where_finite(a: np.ndarray, b: np.ndarray, tolerance: Tolerance) -> bool:
    """Entries finite in both agree, either directly or as probabilities exp(a) vs exp(b).

    The second test accepts log-probabilities the original computed from a rounded
    probability: log(1 - sigmoid(16)) in float32 is off by 0.06 because 1 - sigmoid(16)
    is off by one ulp of 1.0, and log(p) of a subnormal p keeps only a few bits.
    """
    if a.shape != b.shape:
        return False
    a, b = a.astype(np.float64), b.astype(np.float64)
    both = np.isfinite(a) & np.isfinite(b)
    a, b = a[both], b[both]
    with np.errstate(all="ignore"):
        as_probabilities = np.abs(np.exp(a) - np.exp(b)) <= tolerance.rtol
    return bool(np.all(tolerance.close(a, b) | as_probabilities))
