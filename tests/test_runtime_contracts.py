"""Every rule's contract holds, and every one of them fails when the fix is wrong: a
contract that cannot fail is a defect. Also the entry points used by `xentlint verify` and
`xentlint fix --verify`."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from xentlint.contract import Contract, Harm, Input, Relation
from xentlint.registry import all_rules
from xentlint.runtime import format_table, run_all, run_contract, verify_expressions

# The contracts the rules declare next to their detectors.
CONTRACTS = {rule.code: rule.contract for rule in all_rules() if rule.contract is not None}
CODES = sorted(CONTRACTS)


def counterexample(code: str) -> str:
    """The rule's plausible but wrong fix, or for a rule without a fix a harmless original."""
    declared = CONTRACTS[code].counterexample
    assert declared is not None, f"{code}'s contract declares no counterexample"
    return declared


def with_wrong_expression(contract: Contract, expression: str) -> Contract:
    if contract.relation is Relation.SHOWS_HARM:
        return dataclasses.replace(contract, original=expression)
    return dataclasses.replace(contract, fixed=expression)


def test_every_rule_has_a_contract_with_a_counterexample() -> None:
    without = [rule.code for rule in all_rules() if rule.contract is None and rule.default_enabled]
    assert without == []
    assert all(counterexample(code) for code in CODES)


@pytest.mark.parametrize("code", CODES)
def test_example_contract_holds(code: str) -> None:
    result = run_contract(CONTRACTS[code])
    assert result.verifiable, result.summary
    assert result.held, result.summary
    assert result.inputs_tried >= 36
    assert result.relation is CONTRACTS[code].relation


@pytest.mark.parametrize("code", CODES)
def test_deliberately_wrong_expression_fails(code: str) -> None:
    result = run_contract(with_wrong_expression(CONTRACTS[code], counterexample(code)))
    assert result.verifiable, result.summary
    assert not result.held, result.summary
    assert result.failures


# A rename's original behaves as its fix by definition, so renames are left out here.
@pytest.mark.parametrize(
    "code",
    [
        code
        for code in CODES
        if CONTRACTS[code].relation in (Relation.MATCHES_REFERENCE, Relation.EQUAL_WHERE_FINITE)
    ],
)
def test_original_as_fix_fails(code: str) -> None:
    contract = CONTRACTS[code]
    result = run_contract(dataclasses.replace(contract, fixed=contract.original))
    assert not result.held, result.summary


@pytest.mark.parametrize(
    "code", [code for code in CODES if CONTRACTS[code].relation is Relation.MATCHES_REFERENCE]
)
def test_original_that_already_matches_the_reference_fails(code: str) -> None:
    contract = CONTRACTS[code]
    result = run_contract(dataclasses.replace(contract, original=contract.fixed))
    assert not result.held
    assert "cannot fail" in result.summary


def test_double_softmax_reports_how_far_off_the_original_is() -> None:
    result = run_contract(CONTRACTS["XL101"])
    assert result.original_deviation > 100  # extreme logits: the true loss is ~1e3, the double softmax's ~1
    assert result.gradient_ratio < 0.5
    assert "smaller" in result.summary


def test_results_are_reproducible() -> None:
    assert run_contract(CONTRACTS["XL104"], seed=3) == run_contract(CONTRACTS["XL104"], seed=3)


def test_incomplete_contract_cannot_be_verified() -> None:
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="F.softmax(z, dim=1)",
        fixed="F.softmax(z, dim=1)",
        inputs={"z": Input.LOGITS},
    )
    result = run_contract(contract)
    assert not result.held and not result.verifiable
    assert "reference" in result.summary


BINDINGS = {"z": Input.LOGITS, "y": Input.ONE_HOT_LABELS}


@pytest.mark.parametrize(
    "original, fixed, mentions",
    [
        ("my_loss(y, z)", "F.cross_entropy(z, y)", "'my_loss'"),
        ("F.cross_entropy(z, y)", "F.cross_entropy(logits, y)", "'logits'"),
        ("tf.nn.ctc_loss(y, z)", "F.cross_entropy(z, y)", "tf.nn.ctc_loss"),
        ("keras.losses.sparse_categorical_crossentropy(y, z, ignore_class=0)", "F.cross_entropy(z, y)", "ignore_class"),
        ("F.cross_entropy(z, y", "F.cross_entropy(z, y)", "not a Python expression"),
        ("nn.CrossEntropyLoss()", "F.cross_entropy(z, y)", "not a number"),
    ],
)
def test_verify_expressions_cannot_verify_what_it_cannot_model(original: str, fixed: str, mentions: str) -> None:
    result = verify_expressions(original, fixed, BINDINGS, Relation.SAME_VALUE_AND_GRADIENT)
    assert not result.verifiable and not result.held
    assert result.summary.startswith("cannot verify")
    assert mentions in result.summary


def test_verify_expressions_accepts_a_correct_user_fix() -> None:
    # log(1 - sigmoid(x)) loses precision before it overflows; the fix is still "equal where finite".
    result = verify_expressions(
        "tf.math.log(1 - tf.sigmoid(x))",
        "tf.math.log_sigmoid(-x)",
        {"x": Input.BINARY_LOGITS},
        Relation.EQUAL_WHERE_FINITE,
    )
    assert result.held, result.summary


def test_verify_expressions_rejects_a_wrong_user_fix() -> None:
    result = verify_expressions(
        "keras.losses.CategoricalCrossentropy()(y, tf.nn.softmax(z))",
        "keras.losses.CategoricalCrossentropy()(y, z)",
        BINDINGS,
        Relation.MATCHES_REFERENCE,
        reference="tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)",
    )
    assert result.verifiable and not result.held


def test_verify_expressions_shows_harm() -> None:
    result = verify_expressions(
        "tf.math.log(tf.nn.softmax(z))", None, {"z": Input.LOGITS}, Relation.SHOWS_HARM, harm=Harm.NON_FINITE
    )
    assert result.held, result.summary


def test_run_all_and_format_table() -> None:
    rules = [
        SimpleNamespace(code="XL203", contract=CONTRACTS["XL203"]),
        SimpleNamespace(code="XL999", contract=None),
        SimpleNamespace(
            code="XL998",
            contract=Contract(
                relation=Relation.SAME_VALUE_AND_GRADIENT, original="foo(z)", fixed="z", inputs={"z": Input.LOGITS}
            ),
        ),
    ]
    results = run_all(rules)
    assert [code for code, _ in results] == ["XL203", "XL998"]
    table = format_table(results).splitlines()
    assert table[0].split() == ["rule", "relation", "inputs", "tried", "worst", "deviation", "held"]
    assert table[2].split()[:3] == ["XL203", "SHOWS_HARM", "36"] and table[2].endswith("yes")
    assert table[3].startswith("XL998") and table[3].endswith("cannot verify")
