"""The numbers behind a rule's figure: its contract's expressions along a ray of growing logits.

One example, logits `z = s * d` for a scale `s` from 0.1 to 1000 and a fixed direction `d` in
which the true class has the lowest logit, so the prediction grows confidently wrong: the
correct loss grows with `s`, and what a misuse does to it (a plateau, a clip, an `-inf`, an
output that never moves) shows as `s` grows. Each expression's output is read at its first
entry (the loss of the one example, or the true class's entry of a distribution), computed in
float32 as frameworks do by default; the norm of that entry's gradient w.r.t. the prediction
by finite differences in float64, as `xentlint verify` does, NaN where the float64 value is
not finite (autograd gives NaN there).

A contract that declares no gradient (`wrt=""`: a thresholded metric, a step of the logits)
is read along another ray, one that crosses its thresholds: one positive example whose logit
`s` runs linearly from -1 through 0 (probability 0.5) and 0.5 to 2. Its data has no gradient
series, and its figure no gradient panel.

The data is plain JSON (non-finite numbers as the strings "inf", "-inf", "nan", and "raises"
where the framework raises an error, with the error beside the series) so the
staleness test can compare it without matplotlib, and its digest is written into the SVG.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Mapping, Optional, Union

import numpy as np

from xentlint.contract import Contract, Harm, Input, Relation
from xentlint.runtime.evaluation import CannotVerify, Expression
from xentlint.runtime.gradients import numerical_gradient
from xentlint.runtime.inputs import CATEGORICAL, Case, generate_cases

SCALES = tuple(float(scale) for scale in np.logspace(-1, 3, 33))
THRESHOLD_SCALES = tuple(float(scale) for scale in np.linspace(-1, 2, 61))
THRESHOLD_RAY = "threshold"  # the data's "ray" for a contract without a gradient
ROLES = ("original", "fixed", "reference")
CLASS_DIRECTION = (-1.0, 1.0, 0.5)  # three classes; the true one (0) has the lowest logit
SIGNIFICANT_DIGITS = 6
RAISES = "raises"

Number = Union[float, str]  # a float, or "inf" / "-inf" / "nan", or "raises" where the framework raises

# The inputs along the ray: (value at scale 1, what the caption says). Labels do not scale.
_PREDICTIONS = {
    Input.LOGITS: (np.array([CLASS_DIRECTION]), "logits s * [-1, 1, 0.5], the true class has the lowest"),
    Input.BINARY_LOGITS: (np.array([[-1.0]]), "one logit -s for a positive example"),
    Input.ONE_UNIT_LOGITS: (np.array([[-1.0]]), "one unit's logit -s"),
}
# Along the threshold ray the logits grow from negative to positive for a positive example.
_THRESHOLD_PREDICTIONS = {
    **_PREDICTIONS,
    Input.BINARY_LOGITS: (np.array([[1.0]]), "one logit s from -1 to 2 for a positive example"),
    Input.ONE_UNIT_LOGITS: (np.array([[1.0]]), "one unit's logit s from -1 to 2"),
}
_LABELS = {
    Input.SPARSE_LABELS: (np.array([0]), "class 0"),
    Input.ONE_HOT_LABELS: (np.array([[1.0, 0.0, 0.0]]), "one-hot [1, 0, 0]"),
    Input.BINARY_LABELS: (np.array([[1.0]]), "label 1"),
}

# What to look for, by what the contract claims (the contract checks the claim on many inputs).
_READING = {
    Relation.SAME_VALUE_AND_GRADIENT: "The original and the fixed expression lie on top of each other: "
                                      "the replacement computes the same value and gradient.",
    Relation.MATCHES_REFERENCE: "The fixed expression lies on the reference loss; "
                                "where the original leaves it, that is the harm.",
    Relation.EQUAL_WHERE_FINITE: "The two agree while the original is finite; "
                                 "marks on the edge show where it is not (-inf or nan).",
}
_HARM_READING = {
    Harm.CONSTANT_OUTPUT: "The original's output does not move with the logits and its gradient is zero.",
    Harm.DIFFERENT_VALUE: "The original departs from the reference loss it stands in for.",
    Harm.NON_FINITE: "Marks on the edge show where the original is not finite.",
}


def differentiable(contract: Contract) -> bool:
    """Whether the contract's outputs have a gradient to show (a thresholded metric declares none)."""
    return bool(contract.wrt)


def _predictions(contract: Contract) -> Mapping[Input, tuple[np.ndarray, str]]:
    return _PREDICTIONS if differentiable(contract) else _THRESHOLD_PREDICTIONS


def _scales(contract: Contract) -> tuple[float, ...]:
    return SCALES if differentiable(contract) else THRESHOLD_SCALES


def _kind(name: str, kind: Input, contract: Contract) -> Input:
    """`LOSS_ARGUMENTS` means "any of the above": the prediction as logits, the rest as one-hot labels."""
    if kind is not Input.LOSS_ARGUMENTS:
        return kind
    return Input.LOGITS if name == contract.wrt else Input.ONE_HOT_LABELS


def _width(contract: Contract) -> int:
    """Three classes when a categorical input is present, else one output."""
    kinds = {_kind(name, kind, contract) for name, kind in contract.inputs.items()}
    return len(CLASS_DIRECTION) if kinds & CATEGORICAL else 1


def _drawn(contract: Contract, name: str, dtype: type) -> np.ndarray:
    """An input of a kind this module does not place on the ray: the checker's own draw of it
    (seed 0, one example, "random" regime), held fixed along the ray."""
    width = _width(contract)
    for case in generate_cases(contract.inputs, seed=0):
        if case.batch == 1 and case.width == width and case.regime == "random" and case.dtype is dtype:
            return np.asarray(case.values[name])
    raise CannotVerify(f"the checker draws no one-example case of width {width} for {name!r}")


def describe_inputs(contract: Contract) -> str:
    """The caption's account of the inputs, e.g. "`z`: logits s * [-1, 1, 0.5]...; `y`: class 0"."""
    parts = []
    for name, kind in contract.inputs.items():
        kind = _kind(name, kind, contract)
        known = _predictions(contract).get(kind) or _LABELS.get(kind)
        parts.append(f"`{name}`: {known[1] if known else f'{kind.value} drawn by the checker, held fixed'}")
    return "; ".join(parts)


def reading(contract: Contract) -> str:
    if contract.relation is Relation.SHOWS_HARM and contract.harm is not None:
        return _HARM_READING[contract.harm]
    text = _READING.get(contract.relation, "")
    return text if differentiable(contract) else text.replace("reference loss", "reference")


def _inputs_at(contract: Contract, scale: float, dtype: type) -> dict[str, np.ndarray]:
    values = {}
    for name, kind in contract.inputs.items():
        kind = _kind(name, kind, contract)
        if kind in _predictions(contract):
            values[name] = (_predictions(contract)[kind][0] * scale).astype(dtype)
        elif kind in _LABELS:
            labels = _LABELS[kind][0]
            values[name] = labels if kind is Input.SPARSE_LABELS else labels.astype(dtype)
        else:
            values[name] = _drawn(contract, name, dtype)
    return values


def _case(contract: Contract, scale: float, dtype: type) -> Case:
    values = _inputs_at(contract, scale, dtype)
    kinds = {name: _kind(name, kind, contract) for name, kind in contract.inputs.items()}
    return Case(values, kinds, dtype, batch=1, width=_width(contract), regime="figure", seed=0)


def _first_entry(expression: Expression, case: Case) -> tuple[float, Optional[str]]:
    """The first entry of the expression's output, or NaN and the error the framework raises."""
    outcome = expression.evaluate(case, None, with_gradient=False)
    if outcome.raised:
        return float("nan"), outcome.error
    entries = np.ravel(outcome.value)
    return (float(entries[0]) if entries.size else float("nan")), None


def _gradient_norm(expression: Expression, case: Case, wrt: str) -> float:
    value, _ = _first_entry(expression, case)
    if wrt not in case.values or not np.isfinite(value):
        return float("nan")

    def entry_at(point: np.ndarray) -> float:
        return _first_entry(expression, replace(case, values={**case.values, wrt: point}))[0]

    with np.errstate(all="ignore"):
        return float(np.linalg.norm(numerical_gradient(entry_at, case.values[wrt])))


def _number(value: float) -> Number:
    if np.isnan(value):
        return "nan"
    if np.isinf(value):
        return "inf" if value > 0 else "-inf"
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def figure_data(code: str, contract: Contract) -> dict:
    """The series of the figure of rule `code`; raises `CannotVerify` for an expression without models."""
    sources = {role: getattr(contract, role) for role in ROLES if getattr(contract, role) is not None}
    series = {}
    for role, source in sources.items():
        expression = Expression(source, set(contract.inputs), role)
        values, norms, errors = [], [], []
        for scale in _scales(contract):
            value, error = _first_entry(expression, _case(contract, scale, np.float32))
            if error is not None:
                values.append(RAISES)
                norms.append(RAISES)
                errors += [] if error in errors else [error]
                continue
            values.append(_number(value))
            if differentiable(contract):
                norms.append(_number(_gradient_norm(expression, _case(contract, scale, np.float64), contract.wrt)))
        series[role] = {"expression": source, "value": values, "errors": errors,
                        **({"gradient_norm": norms} if differentiable(contract) else {})}
    data = {"rule": code, "relation": contract.relation.name, "inputs": describe_inputs(contract),
            "reading": reading(contract), "scale": [_number(scale) for scale in _scales(contract)], "series": series}
    return data if differentiable(contract) else {**data, "ray": THRESHOLD_RAY}


SERIES_KEYS = {"value", "gradient_norm"}


def dumps(data: Mapping) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def digest(data: Mapping) -> str:
    """What the SVG records of the data it was drawn from."""
    return hashlib.sha256(dumps(data).encode()).hexdigest()[:16]


def as_floats(numbers: list[Number]) -> np.ndarray:
    """The numbers as floats; NaN where the framework raises."""
    return np.array([float("nan") if number == RAISES else float(number) for number in numbers])


def same_data(stored: Mapping, computed: Mapping, rtol: float = 1e-4) -> bool:
    """Equal up to the last printed digits of float32 arithmetic, which a platform's libm may change."""
    if {key: value for key, value in stored.items() if key != "series"} != \
            {key: value for key, value in computed.items() if key != "series"}:
        return False
    if stored["series"].keys() != computed["series"].keys():
        return False
    for role, mine in stored["series"].items():
        theirs = computed["series"][role]
        if mine.keys() != theirs.keys() or \
                (mine["expression"], mine["errors"]) != (theirs["expression"], theirs["errors"]):
            return False
        for key in SERIES_KEYS & mine.keys():
            if [n == RAISES for n in mine[key]] != [n == RAISES for n in theirs[key]]:
                return False
            if not np.allclose(as_floats(mine[key]), as_floats(theirs[key]), rtol=rtol, atol=1e-9, equal_nan=True):
                return False
    return True


__all__ = ["CannotVerify", "SCALES", "THRESHOLD_SCALES", "THRESHOLD_RAY", "RAISES", "differentiable", "figure_data",
           "dumps", "digest", "same_data", "as_floats",
           "describe_inputs", "reading"]
