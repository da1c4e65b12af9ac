"""Shared harness of the oracle tests: the same expression string is evaluated once with the
NumPy stand-ins and once with the real framework modules, on the same inputs.

Input kinds: "onehot" (logits z, one-hot y), "sparse" (logits z, integer y), "binary"
(logits z, 0/1 y), "probs_onehot" / "probs_binary" (probabilities p and labels y).
Regimes: "random", "extreme" (logits spread up to 1e3; probabilities exactly 0 and 1) and
"batch1". Gradients are compared in float64, against the stand-ins' central differences;
for probability inputs only away from 0 and 1, where the clips and clamps have kinks.
"""

from __future__ import annotations

import importlib
import os
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Optional

import numpy as np
import pytest

from xentlint.runtime import standins
from xentlint.runtime.comparison import gradient_tolerance
from xentlint.runtime.gradients import numerical_gradient
from xentlint.runtime.precision import least_precise, tracking_precision
from xentlint.runtime.tensor import to_tensor

REGIMES = ("random", "extreme", "batch1")
DTYPES = ("float32", "float64")
CLASSES = 3
ULPS = 64


def import_framework(name: str) -> ModuleType:
    """A missing framework skips its tests, except in CI (CI=true), where the oracle must run."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{name} must be installed for the oracle tests in CI: {error}")
        pytest.skip(f"{name} is not installed")


@dataclass(frozen=True)
class Oracle:
    expression: str
    kind: str
    # Regimes whose gradients are compared (probabilities: not at exact 0 and 1).
    gradient_regimes: tuple[str, ...] = REGIMES

    @property
    def wrt(self) -> str:
        return "p" if self.kind.startswith("probs") else "z"

    def __str__(self) -> str:
        return self.expression


def oracles(kind: str, *expressions: str, gradient_regimes: Optional[tuple[str, ...]] = None) -> list[Oracle]:
    if gradient_regimes is None:
        gradient_regimes = ("random", "batch1") if kind.startswith("probs") else REGIMES
    return [Oracle(expression, kind, gradient_regimes) for expression in expressions]


def value_cases(oracles: list[Oracle]) -> list[object]:
    return [
        pytest.param(oracle, regime, dtype, id=f"{oracle}-{regime}-{dtype}")
        for oracle in oracles
        for regime in REGIMES
        for dtype in DTYPES
    ]


def gradient_cases(oracles: list[Oracle]) -> list[object]:
    return [
        pytest.param(oracle, regime, id=f"{oracle}-{regime}")
        for oracle in oracles
        for regime in oracle.gradient_regimes
    ]


def _logits(rng: np.random.Generator, shape: tuple[int, int], regime: str) -> np.ndarray:
    if regime == "extreme":
        return rng.choice([-1.0, 0.0, 1.0], shape) * rng.uniform(900, 1000, shape) + rng.normal(0, 1, shape)
    return rng.normal(0, 3, shape)


def _probabilities(rng: np.random.Generator, shape: tuple[int, int], regime: str) -> np.ndarray:
    probabilities = rng.uniform(0.02, 0.98, shape)  # rows deliberately not normalised
    if regime == "extreme":
        exact = rng.choice([0.0, 1.0], shape)
        probabilities = np.where(rng.random(shape) < 0.6, exact, probabilities)
    return probabilities


def make_inputs(kind: str, regime: str, dtype: str, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    batch = 1 if regime == "batch1" else 4
    shape = (batch, CLASSES)
    sparse = rng.integers(0, CLASSES, batch)
    labels = {
        "onehot": np.eye(CLASSES)[sparse],
        "probs_onehot": np.eye(CLASSES)[sparse],
        "sparse": sparse,
        "binary": rng.integers(0, 2, shape).astype(np.float64),
        "probs_binary": rng.integers(0, 2, shape).astype(np.float64),
    }[kind]
    labels = labels.astype(dtype) if labels.dtype.kind == "f" else labels
    if kind.startswith("probs"):
        return {"y": labels, "p": _probabilities(rng, shape, regime).astype(dtype)}
    return {"y": labels, "z": _logits(rng, shape, regime).astype(dtype)}


def cotangent(shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(1).uniform(0.5, 1.5, shape)


def _quietly_evaluate(expression: str, environment: dict[str, object]) -> object:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return eval(expression, environment)


def standin_value(expression: str, inputs: dict[str, np.ndarray]) -> np.ndarray:
    environment = {**standins.namespace(), **{name: to_tensor(np.array(value)) for name, value in inputs.items()}}
    return np.asarray(_quietly_evaluate(expression, environment))


def standin_value_and_precision(expression: str, inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, np.dtype]:
    """The value, and the least precise float dtype it went through (TF1 losses reduce in float32)."""
    with tracking_precision() as lowered:
        value = standin_value(expression, inputs)
    return value, least_precise([*lowered, value.dtype])


def standin_gradient(expression: str, inputs: dict[str, np.ndarray], wrt: str, weights: np.ndarray) -> np.ndarray:
    return numerical_gradient(lambda point: standin_value(expression, {**inputs, wrt: point}), inputs[wrt], weights)


def raises(call: Callable[[], object]) -> bool:
    """Whether the call raises; frameworks differ in which exception type they use."""
    try:
        call()
    except Exception:
        return True
    return False


def framework_value(expression: str, modules: dict[str, object], tensors: dict[str, object]) -> object:
    return _quietly_evaluate(expression, {**modules, **tensors})


def assert_values_match(
    actual: np.ndarray, expected: np.ndarray, inputs: dict[str, np.ndarray], precision: np.dtype
) -> None:
    assert actual.dtype == expected.dtype, f"dtype {actual.dtype}, the framework gives {expected.dtype}"
    assert actual.shape == expected.shape, f"shape {actual.shape}, the framework gives {expected.shape}"
    epsilon = ULPS * float(np.finfo(precision).eps) if expected.dtype.kind == "f" else 0.0
    scale = max([1.0] + [float(np.max(np.abs(value))) for value in inputs.values() if value.dtype.kind == "f"])
    np.testing.assert_allclose(actual, expected, rtol=epsilon, atol=epsilon * scale, equal_nan=True)


def assert_gradients_match(actual: np.ndarray, expected: np.ndarray, value: np.ndarray) -> None:
    """Compared where the framework's gradient is finite (autograd makes NaN of whatever
    touches an infinite output). Float32 internals (Keras loss classes, TF1 reductions)
    leave the framework's own gradient accurate to ~1e-7 relative only: hence 1e-5."""
    finite = np.isfinite(expected)
    scale = float(np.max(np.abs(expected[finite]), initial=1.0))
    atol = gradient_tolerance(value).atol + 1e-5 * scale
    np.testing.assert_allclose(actual[finite], expected[finite], rtol=1e-5, atol=atol)
