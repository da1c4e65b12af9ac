"""Generated inputs, and the runtime's promise to import NumPy only."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from xentlint.contract import Input
from xentlint.runtime import reference_losses
from xentlint.runtime.inputs import LOSS_ARGUMENT_KINDS, generate_cases


def test_cases_cover_dtypes_batch_sizes_widths_and_regimes() -> None:
    cases = generate_cases({"z": Input.LOGITS, "y": Input.SPARSE_LABELS})
    assert len(cases) == 36
    assert {case.dtype for case in cases} == {np.float32, np.float64}
    assert {case.batch for case in cases} == {1, 4}
    assert {case.width for case in cases} == {2, 3, 10}
    assert {case.regime for case in cases} == {"random", "wide", "extreme"}
    assert all(
        case.values["z"].dtype == case.dtype and case.values["z"].shape == (case.batch, case.width) for case in cases
    )


def test_binary_only_contracts_include_one_output_unit() -> None:
    cases = generate_cases({"z": Input.BINARY_LOGITS, "y": Input.BINARY_LABELS})
    assert {case.width for case in cases} == {1, 3, 10}


def test_extreme_logits_saturate_to_exact_probabilities() -> None:
    for case in generate_cases({"z": Input.BINARY_LOGITS}):
        if case.regime == "extreme" and case.batch == 4:
            probabilities = reference_losses.sigmoid(case.values["z"])
            assert np.any(probabilities == 0.0) or np.any(probabilities == 1.0)
            assert np.max(np.abs(case.values["z"])) <= 1010


def test_sparse_and_one_hot_labels_agree() -> None:
    for case in generate_cases({"z": Input.LOGITS, "s": Input.SPARSE_LABELS, "o": Input.ONE_HOT_LABELS}):
        assert case.values["s"].dtype == np.int64
        np.testing.assert_array_equal(np.argmax(case.values["o"], axis=1), case.values["s"])


def test_loss_arguments_take_every_kind_in_turn() -> None:
    kinds = {case.kinds["a"] for case in generate_cases({"a": Input.LOSS_ARGUMENTS})}
    assert kinds == set(LOSS_ARGUMENT_KINDS)


def test_cases_are_reproducible_from_the_seed() -> None:
    first, second = generate_cases({"z": Input.LOGITS}, seed=7), generate_cases({"z": Input.LOGITS}, seed=7)
    assert all(np.array_equal(a.values["z"], b.values["z"]) for a, b in zip(first, second))
    assert not np.array_equal(first[0].values["z"], generate_cases({"z": Input.LOGITS}, seed=8)[0].values["z"])


def test_runtime_imports_numpy_only() -> None:
    program = (
        "import sys\n"
        "from xentlint.runtime import run_contract\n"
        "from xentlint.registry import all_rules\n"
        "assert all(run_contract(rule.contract).held for rule in all_rules() if rule.contract)\n"
        "print(sorted({'tensorflow', 'keras', 'torch', 'jax', 'optax', 'scipy'} & set(sys.modules)))\n"
    )
    output = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
