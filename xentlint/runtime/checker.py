"""Checks `Contract`s with the NumPy stand-ins: the entry points of `xentlint verify`,
`xentlint rule` and `xentlint fix --verify`.

`run_contract` evaluates `original`, `fixed` and `reference` on every generated case
(float32 and float64, batch sizes 1 and 4, several class counts, random and extreme
values; gradients on the float64 cases) and lets `relations` decide the relation.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Protocol, Sequence

import numpy as np

from xentlint.contract import Contract, Harm, Input, Relation
from xentlint.runtime.evaluation import CannotVerify, Expression
from xentlint.runtime.inputs import FLAT, Layout, generate_cases
from xentlint.runtime.relations import JUDGES, ContractResult


class RuleWithContract(Protocol):
    code: str
    contract: Optional[Contract]


def _roles(contract: Contract) -> dict[str, str]:
    sources = {"original": contract.original, "fixed": contract.fixed, "reference": contract.reference}
    return {role: source for role, source in sources.items() if source is not None}


# Which expressions need a gradient for each relation (only float64 cases get one).
_GRADIENT_ROLES = {
    Relation.SAME_VALUE_AND_GRADIENT: {"original", "fixed"},
    Relation.MATCHES_REFERENCE: {"original", "fixed", "reference"},
    Relation.EQUAL_WHERE_FINITE: {"fixed"},
    Relation.SHOWS_HARM: {"original"},
}


def _incompleteness(contract: Contract) -> Optional[str]:
    required = {
        Relation.SAME_VALUE_AND_GRADIENT: ("fixed",),
        Relation.MATCHES_REFERENCE: ("fixed", "reference"),
        Relation.EQUAL_WHERE_FINITE: ("fixed",),
        Relation.SHOWS_HARM: ("harm", "reference") if contract.harm is Harm.DIFFERENT_VALUE else ("harm",),
    }[contract.relation]
    missing = [name for name in required if getattr(contract, name) is None]
    if missing:
        return f"the contract needs {' and '.join(missing)} for {contract.relation.name}"
    if contract.wrt and contract.wrt not in contract.inputs:
        return f"gradients are taken w.r.t. {contract.wrt!r}, which is not an input"
    return None


def _unverifiable(relation: Relation, reason: str) -> ContractResult:
    return ContractResult(
        relation,
        held=False,
        inputs_tried=0,
        worst_deviation=float("nan"),
        summary=f"cannot verify: {reason}",
        verifiable=False,
    )


def run_contract(contract: Contract, seed: int = 0, layout: Layout = FLAT) -> ContractResult:
    problem = _incompleteness(contract)
    if problem:
        return _unverifiable(contract.relation, problem)
    gradient_roles = _GRADIENT_ROLES[contract.relation]
    if contract.harm in (Harm.DIFFERENT_VALUE, Harm.NON_FINITE):
        gradient_roles = set()
    try:
        expressions = {
            role: Expression(source, set(contract.inputs), role) for role, source in _roles(contract).items()
        }
        outcomes = [
            (
                case,
                {
                    role: expression.evaluate(case, contract.wrt, role in gradient_roles and case.dtype is np.float64)
                    for role, expression in expressions.items()
                },
            )
            for case in generate_cases(contract.inputs, seed, layout)
        ]
    except CannotVerify as error:
        return _unverifiable(contract.relation, str(error))
    return JUDGES[contract.relation](contract, outcomes)


def verify_expressions(
    original: str,
    fixed: Optional[str],
    bindings: Mapping[str, Input],
    relation: Relation,
    reference: Optional[str] = None,
    *,
    harm: Optional[Harm] = None,
    wrt: Optional[str] = None,
    seed: int = 0,
    layout: Layout = FLAT,
) -> ContractResult:
    """Checks a user's before/after expressions; never raises for what it cannot model."""
    if wrt is None:
        predictions = [
            name
            for name, kind in bindings.items()
            if kind in (Input.LOGITS, Input.BINARY_LOGITS, Input.ONE_UNIT_LOGITS)
        ]
        wrt = "z" if "z" in bindings else next(iter(predictions), "")
    contract = Contract(
        relation=relation,
        original=original,
        inputs=dict(bindings),
        fixed=fixed,
        reference=reference,
        harm=harm,
        wrt=wrt,
    )
    return run_contract(contract, seed, layout)


# All rules, as a table ----------------------------------------------------------------------


def run_all(rules: Iterable[RuleWithContract], seed: int = 0) -> list[tuple[str, ContractResult]]:
    return [(rule.code, run_contract(rule.contract, seed)) for rule in rules if rule.contract is not None]


def format_table(results: Sequence[tuple[str, ContractResult]]) -> str:
    header = ("rule", "relation", "inputs tried", "worst deviation", "held")
    rows = [
        (
            code,
            result.relation.name,
            str(result.inputs_tried),
            f"{result.worst_deviation:.3g}",
            ("yes" if result.held else "NO") if result.verifiable else "cannot verify",
        )
        for code, result in results
    ]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
