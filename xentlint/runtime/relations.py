"""Deciding a contract's relation from the evaluations of its expressions on every case.

One judge per relation (and per harm). A contract must be able to fail: a MATCHES_REFERENCE
whose original never differs from the reference, an EQUAL_WHERE_FINITE whose original is
always finite, or a harm the original never shows, does not hold.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence

import numpy as np

from xentlint.contract import Contract, Harm, Relation
from xentlint.runtime.comparison import (
    arrays_match,
    behaviour_difference,
    equal_where_finite,
    finite_deviation,
    gradient_tolerance,
    value_tolerance,
)
from xentlint.runtime.evaluation import Evaluation
from xentlint.runtime.inputs import Case

Outcomes = Sequence[tuple[Case, Mapping[str, Evaluation]]]
MAX_FAILURES_KEPT = 5
ORIGINAL_EQUALS_REFERENCE = "every input: the original equals the reference too, so the contract cannot fail"


@dataclass(frozen=True)
class ContractResult:
    relation: Relation
    held: bool
    inputs_tried: int
    worst_deviation: float  # the largest deviation the check itself accepted or rejected
    summary: str
    original_deviation: Optional[float] = None  # MATCHES_REFERENCE / DIFFERENT_VALUE: how far the original is off
    gradient_ratio: Optional[float] = None  # MATCHES_REFERENCE: median |grad original| / |grad reference|
    verifiable: bool = True  # False: names or arguments without NumPy models, or an incomplete contract
    failures: tuple[str, ...] = ()  # the first failing cases, described


def _result(
    contract: Contract,
    outcomes: Outcomes,
    failures: list[str],
    held: bool,
    worst: float,
    summary: str,
    **figures: Optional[float],
) -> ContractResult:
    if failures:
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        summary = f"{summary}; fails on {failures[0]}{more}"
    return ContractResult(
        contract.relation, held, len(outcomes), worst, summary, failures=tuple(failures[:MAX_FAILURES_KEPT]), **figures
    )


def _finite(evaluation: Evaluation) -> bool:
    return (
        not evaluation.raised
        and bool(np.all(np.isfinite(evaluation.value)))
        and (evaluation.gradient is None or bool(np.all(np.isfinite(evaluation.gradient))))
    )


def _must_be_finite(case: Case, evaluation: Evaluation, role: str) -> Optional[str]:
    if evaluation.raised:
        return f"{case.describe()}: the {role} raises {evaluation.error}"
    if not _finite(evaluation):
        return f"{case.describe()}: the {role} is not finite"
    return None


def _same_value_and_gradient(contract: Contract, outcomes: Outcomes) -> ContractResult:
    failures, worst, computed = [], 0.0, 0
    for case, evaluations in outcomes:
        original, fixed = evaluations["original"], evaluations["fixed"]
        difference = behaviour_difference(original, fixed, case, ("original", "fixed"))
        if difference:
            failures.append(f"{case.describe()}: {difference}")
        if not original.raised and not fixed.raised:
            computed += 1
            worst = max(worst, finite_deviation(original.value, fixed.value))
    if computed == 0:
        failures.append("every input: both raise, nothing was compared")
    if failures:
        summary = f"original and fixed differ on {len(failures)} of {len(outcomes)} inputs"
    else:
        summary = f"same value and gradient on all {len(outcomes)} inputs (largest difference {worst:.3g})"
    return _result(contract, outcomes, failures, not failures, worst, summary)


def _gradient_ratio(original: Evaluation, reference: Evaluation) -> Optional[float]:
    if original.gradient is None or reference.gradient is None or not (_finite(original) and _finite(reference)):
        return None
    reference_norm = float(np.linalg.norm(reference.gradient))
    return float(np.linalg.norm(original.gradient)) / reference_norm if reference_norm > 0 else None


def _describe_ratio(ratio: Optional[float]) -> str:
    if ratio is None:
        return ""
    if ratio == 0:
        return "; the original's gradient is zero"
    if ratio < 0.8:
        return f"; the original's gradient is {1 / ratio:.3g}x smaller"
    if ratio > 1.25:
        return f"; the original's gradient is {ratio:.3g}x larger"
    return "; the original's gradient has about the same size"


def _how_the_original_differs(
    differing: int, total: int, deviation: float, raised: int, non_finite: int, versus: str = ""
) -> str:
    notes = [
        f"by up to {deviation:.3g}" if deviation > 0 else "",
        f"not finite on {non_finite}" if non_finite else "",
        f"raises on {raised}" if raised else "",
    ]
    details = ", ".join(note for note in notes if note)
    return f"the original differs{versus} on {differing} of {total} inputs" + (f" ({details})" if details else "")


def _original_versus_reference(outcomes: Outcomes) -> tuple[int, float, int, int]:
    """How often and how far the original departs from the reference: (cases, deviation, raised, non-finite)."""
    differing, deviation, raised, non_finite = 0, 0.0, 0, 0
    for case, evaluations in outcomes:
        original, reference = evaluations["original"], evaluations["reference"]
        if behaviour_difference(original, reference, case, ("original", "reference")) is None:
            continue
        differing += 1
        if original.raised:
            raised += 1
            continue
        non_finite += int(not np.all(np.isfinite(original.value)))
        if original.value.shape == reference.value.shape:
            deviation = max(deviation, finite_deviation(original.value, reference.value))
    return differing, deviation, raised, non_finite


def _matches_reference(contract: Contract, outcomes: Outcomes) -> ContractResult:
    failures, worst, ratios = [], 0.0, []
    for case, evaluations in outcomes:
        fixed, reference = evaluations["fixed"], evaluations["reference"]
        problem = _must_be_finite(case, reference, "reference") or _must_be_finite(case, fixed, "fixed expression")
        difference = behaviour_difference(fixed, reference, case, ("fixed expression", "reference"))
        if problem or difference:
            failures.append(problem or f"{case.describe()}: {difference}")
        else:
            worst = max(worst, finite_deviation(fixed.value, reference.value))
        ratio = _gradient_ratio(evaluations["original"], reference)
        if ratio is not None:
            ratios.append(ratio)
    if failures:
        summary = f"the fixed expression does not equal the reference on {len(failures)} of {len(outcomes)} inputs"
    else:
        summary = f"fixed equals the reference on all {len(outcomes)} inputs (largest difference {worst:.3g})"
    differing, deviation, raised, non_finite = _original_versus_reference(outcomes)
    ratio = statistics.median(ratios) if ratios else None
    if differing:
        how = _how_the_original_differs(differing, len(outcomes), deviation, raised, non_finite)
        summary += f"; {how}{_describe_ratio(ratio)}"
    else:
        failures.append(ORIGINAL_EQUALS_REFERENCE)
    return _result(
        contract, outcomes, failures, not failures, worst, summary, original_deviation=deviation, gradient_ratio=ratio
    )


def _equal_where_finite(contract: Contract, outcomes: Outcomes) -> ContractResult:
    failures, worst, non_finite = [], 0.0, 0
    for case, evaluations in outcomes:
        original, fixed = evaluations["original"], evaluations["fixed"]
        problem = _must_be_finite(case, fixed, "fixed expression")
        if not problem and original.raised:
            problem = f"{case.describe()}: the original raises {original.error}"
        if not problem and not equal_where_finite(
            original.value, fixed.value, value_tolerance(case, original.precision, fixed.precision)
        ):
            deviation = finite_deviation(original.value, fixed.value)
            problem = f"{case.describe()}: values differ by {deviation:.3g} where both are finite"
        if problem:
            failures.append(problem)
            continue
        worst = max(worst, finite_deviation(original.value, fixed.value))
        non_finite += int(not np.all(np.isfinite(original.value)))
    if failures:
        summary = f"the fixed expression is not finite or departs from the original on {len(failures)} inputs"
    else:
        summary = (
            f"fixed equals the original wherever that is finite (largest difference {worst:.3g}) "
            f"and is finite on all {len(outcomes)} inputs"
        )
    if non_finite:
        summary += f"; the original is not finite on {non_finite}"
    else:
        failures.append("every input: the original is finite everywhere, so the contract cannot fail")
    return _result(contract, outcomes, failures, not failures, worst, summary)


def _constant_output(contract: Contract, outcomes: Outcomes) -> ContractResult:
    failures, worst = [], 0.0
    for case, evaluations in outcomes:
        original = evaluations["original"]
        if original.raised:
            failures.append(f"{case.describe()}: the original raises {original.error}")
            continue
        ones = np.ones_like(original.value)
        worst = max(worst, finite_deviation(original.value, ones))
        if not arrays_match(original.value, ones, value_tolerance(case, original.precision)):
            failures.append(f"{case.describe()}: the output is not constantly 1.0")
        elif original.gradient is not None and not arrays_match(
            original.gradient, np.zeros_like(original.gradient), gradient_tolerance(original.value)
        ):
            failures.append(
                f"{case.describe()}: the gradient is not zero (up to {np.max(np.abs(original.gradient)):.3g})"
            )
    summary = f"the original is constantly 1.0 with a zero gradient on {len(outcomes)} inputs"
    return _result(contract, outcomes, failures, not failures, worst, summary)


def _different_value(contract: Contract, outcomes: Outcomes) -> ContractResult:
    failures = [
        problem
        for case, evaluations in outcomes
        if (problem := _must_be_finite(case, evaluations["reference"], "reference"))
    ]
    differing, deviation, raised, non_finite = _original_versus_reference(outcomes)
    if differing == 0:
        failures.append("every input: the original equals the reference, so it shows no harm")
    summary = _how_the_original_differs(
        differing, len(outcomes), deviation, raised, non_finite, versus=" from the reference"
    )
    return _result(contract, outcomes, failures, not failures, deviation, summary, original_deviation=deviation)


def _non_finite(contract: Contract, outcomes: Outcomes) -> ContractResult:
    non_finite = sum(
        1
        for _, evaluations in outcomes
        if not evaluations["original"].raised and not np.all(np.isfinite(evaluations["original"].value))
    )
    failures = [] if non_finite else ["every input: the original is always finite"]
    summary = f"the original is not finite on {non_finite} of {len(outcomes)} inputs"
    return _result(contract, outcomes, failures, not failures, float("inf") if non_finite else 0.0, summary)


_HARM_JUDGES: dict[Harm, Callable[[Contract, Outcomes], ContractResult]] = {
    Harm.CONSTANT_OUTPUT: _constant_output,
    Harm.DIFFERENT_VALUE: _different_value,
    Harm.NON_FINITE: _non_finite,
}

JUDGES: dict[Relation, Callable[[Contract, Outcomes], ContractResult]] = {
    Relation.SAME_VALUE_AND_GRADIENT: _same_value_and_gradient,
    Relation.MATCHES_REFERENCE: _matches_reference,
    Relation.EQUAL_WHERE_FINITE: _equal_where_finite,
    Relation.SHOWS_HARM: lambda contract, outcomes: _HARM_JUDGES[contract.harm](contract, outcomes),
}
