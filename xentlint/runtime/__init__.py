"""The NumPy runtime checker: evaluates rule contracts with NumPy models of the frameworks.

Imports NumPy only; TensorFlow, Keras, PyTorch and JAX are never imported here.
"""

from __future__ import annotations

from xentlint.runtime.checker import (
    ContractResult,
    format_table,
    run_all,
    run_contract,
    verify_expressions,
)

__all__ = ["ContractResult", "format_table", "run_all", "run_contract", "verify_expressions"]
