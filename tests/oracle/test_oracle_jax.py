"""The NumPy stand-ins against real JAX and optax (required in CI, like TensorFlow and torch).

float64 is enabled in JAX so that both dtypes are computed as given; the stand-ins do
not model JAX's default float32 canonicalisation.
"""

from __future__ import annotations

import numpy as np
import pytest
from oracle_support import (
    Oracle,
    assert_gradients_match,
    assert_values_match,
    cotangent,
    framework_value,
    gradient_cases,
    import_framework,
    make_inputs,
    oracles,
    standin_gradient,
    standin_value_and_precision,
    value_cases,
)

pytestmark = pytest.mark.oracle

ORACLES = [
    *oracles(
        "onehot",
        "jax.nn.softmax(z)",
        "jax.nn.log_softmax(z, axis=0)",
        "jnp.log(jax.nn.softmax(z))",
        "optax.softmax_cross_entropy(z, y)",
        "optax.softmax_cross_entropy(z, optax.smooth_labels(y, 0.1))",
        "optax.losses.softmax_cross_entropy(z, y)",
    ),
    # XL303's formula: where a probability is exactly 0 JAX's softmax gradient stays finite, while
    # differences of log(0) do not, so gradients are compared away from it.
    *oracles("onehot", "-jnp.sum(y * jnp.log(jax.nn.softmax(z)), axis=-1)", gradient_regimes=("random", "batch1")),
    *oracles(
        "sparse",
        "optax.softmax_cross_entropy_with_integer_labels(z, y)",
        "jax.nn.one_hot(y, z.shape[-1], dtype=z.dtype)",
    ),
    *oracles(
        "binary",
        "jax.nn.sigmoid(z)",
        "jax.nn.log_sigmoid(z)",
        "optax.sigmoid_binary_cross_entropy(z, y)",
    ),
]


@pytest.fixture(scope="module")
def jax_modules() -> dict[str, object]:
    jax = import_framework("jax")
    optax = import_framework("optax")
    jax.config.update("jax_enable_x64", True)
    return {"jax": jax, "jnp": jax.numpy, "optax": optax}


@pytest.mark.parametrize("oracle, regime, dtype", value_cases(ORACLES))
def test_value(oracle: Oracle, regime: str, dtype: str, jax_modules: dict[str, object]) -> None:
    inputs = make_inputs(oracle.kind, regime, dtype)
    arrays = {name: jax_modules["jnp"].asarray(value) for name, value in inputs.items()}
    expected = np.asarray(framework_value(oracle.expression, jax_modules, arrays))
    actual, precision = standin_value_and_precision(oracle.expression, inputs)
    assert_values_match(actual, expected, inputs, precision)


@pytest.mark.parametrize("oracle, regime", gradient_cases(ORACLES))
def test_gradient(oracle: Oracle, regime: str, jax_modules: dict[str, object]) -> None:
    jax, jnp = jax_modules["jax"], jax_modules["jnp"]
    inputs = make_inputs(oracle.kind, regime, "float64")
    arrays = {name: jnp.asarray(value) for name, value in inputs.items()}

    def evaluate(prediction: object) -> object:
        return framework_value(oracle.expression, jax_modules, {**arrays, oracle.wrt: prediction})

    output, pullback = jax.vjp(evaluate, arrays[oracle.wrt])
    weights = cotangent(tuple(output.shape))
    (expected,) = pullback(jnp.asarray(weights, output.dtype))
    actual = standin_gradient(oracle.expression, inputs, oracle.wrt, weights)
    assert_gradients_match(actual, np.asarray(expected), np.asarray(output))
