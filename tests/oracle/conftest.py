"""Frameworks for the oracle tests, imported once per session.

A missing TensorFlow, Keras, PyTorch, JAX or optax skips their tests, except in CI (CI=true)
where it fails them (see `oracle_support.import_framework`).
"""

from __future__ import annotations

import os
import warnings

import pytest
from oracle_support import import_framework

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def tensorflow_modules() -> dict[str, object]:
    """The names the expressions use, bound to TensorFlow and Keras 3."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tf = import_framework("tensorflow")
        keras = import_framework("keras")
    return {"tf": tf, "keras": keras, "K": tf.keras.backend}


@pytest.fixture(scope="session")
def torch_modules() -> dict[str, object]:
    torch = import_framework("torch")
    return {"torch": torch, "F": torch.nn.functional, "nn": torch.nn}
