"""The scipy.special stand-ins against real SciPy (values; SciPy has no gradients)."""

from __future__ import annotations

import numpy as np
import pytest
from oracle_support import (
    DTYPES,
    REGIMES,
    assert_values_match,
    framework_value,
    make_inputs,
    standin_value_and_precision,
)

pytestmark = pytest.mark.oracle

EXPRESSIONS = [
    "scipy.special.softmax(z)",
    "scipy.special.softmax(z, axis=1)",
    "scipy.special.log_softmax(z, axis=0)",
    "scipy.special.expit(z)",
    "scipy.special.logsumexp(z, axis=1)",
    "np.log(scipy.special.softmax(z, axis=1))",
]


@pytest.fixture(scope="module")
def scipy_modules() -> dict[str, object]:
    scipy = pytest.importorskip("scipy")
    pytest.importorskip("scipy.special")
    return {"scipy": scipy, "np": np}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_value(expression: str, regime: str, dtype: str, scipy_modules: dict[str, object]) -> None:
    inputs = make_inputs("onehot", regime, dtype)
    expected = np.asarray(framework_value(expression, scipy_modules, inputs))
    actual, precision = standin_value_and_precision(expression, inputs)
    assert_values_match(actual, expected, inputs, precision)
