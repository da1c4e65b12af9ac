"""Evaluating one framework-spelled expression on one generated case.

The outcome is a value or the error the framework would raise (that is behaviour, to be
compared), plus the gradient w.r.t. one input. A name without a stand-in or an argument
without a model is not behaviour: it raises `CannotVerify`.
"""

from __future__ import annotations

import ast
import builtins
import warnings
from dataclasses import dataclass
from typing import Mapping, Optional

import numpy as np

from xentlint.runtime import standins
from xentlint.runtime.errors import NotModelled
from xentlint.runtime.gradients import numerical_gradient
from xentlint.runtime.inputs import Case
from xentlint.runtime.precision import least_precise, tracking_precision
from xentlint.runtime.tensor import to_tensor

SAFE_BUILTINS = {
    name: getattr(builtins, name)
    for name in ("abs", "float", "int", "len", "list", "max", "min", "range", "round", "sum", "tuple")
}


class CannotVerify(Exception):
    """The expression uses something the NumPy models do not cover, or is not an expression."""


@dataclass(frozen=True)
class Evaluation:
    value: Optional[np.ndarray] = None
    error: Optional[str] = None  # what the framework raises, as "TypeName: message"
    gradient: Optional[np.ndarray] = None
    lowered_to: tuple[np.dtype, ...] = ()  # float dtypes internal casts went through

    @property
    def raised(self) -> bool:
        return self.error is not None

    @property
    def precision(self) -> np.dtype:
        """The least precise float dtype in the computation: a float64 result reduced in float32 is float32-accurate."""
        return least_precise([*self.lowered_to, *([] if self.value is None else [self.value.dtype])])


def _free_names(tree: ast.AST) -> set[str]:
    loaded = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    bound = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    bound |= {arg.arg for node in ast.walk(tree) if isinstance(node, ast.Lambda) for arg in node.args.args}
    return loaded - bound


class Expression:
    """A compiled expression, checked once for names nothing defines."""

    def __init__(self, source: str, input_names: set[str], role: str = "expression") -> None:
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError as error:
            raise CannotVerify(f"the {role} is not a Python expression: {error.msg}") from error
        unknown = sorted(_free_names(tree) - set(standins.namespace()) - set(SAFE_BUILTINS) - input_names)
        if unknown:
            raise CannotVerify(
                f"the {role} uses {', '.join(map(repr, unknown))}: neither an input nor a framework module with models"
            )
        self.source = source
        self.role = role
        self._code = compile(tree, f"<{role}>", "eval")

    def _call(self, values: Mapping[str, object]) -> np.ndarray:
        environment = {"__builtins__": SAFE_BUILTINS, **standins.namespace(), **values}
        try:
            result = eval(self._code, environment)
        except NotModelled as error:
            raise CannotVerify(f"{error} (in the {self.role} code)") from error
        array = np.asarray(result)
        if array.dtype.kind not in "biuf":
            raise CannotVerify(f"the {self.role} gives {type(result).__name__}, not a number or an array")
        return array

    def evaluate(self, case: Case, wrt: Optional[str], with_gradient: bool) -> Evaluation:
        values = {name: to_tensor(np.array(value)) for name, value in case.values.items()}
        with np.errstate(all="ignore"), warnings.catch_warnings(), tracking_precision() as lowered:
            warnings.simplefilter("ignore")
            try:
                value = self._call(values)
            except CannotVerify:
                raise
            except Exception as error:  # the modelled framework raises: behaviour to compare
                return Evaluation(error=f"{type(error).__name__}: {error}")
        if not (with_gradient and wrt in values and value.dtype.kind == "f"):
            return Evaluation(value=value, lowered_to=tuple(lowered))
        cotangent = np.random.default_rng(case.seed).uniform(0.5, 1.5, value.shape)

        def at(point: np.ndarray) -> np.ndarray:
            try:
                return self._call({**values, wrt: to_tensor(point)})
            except CannotVerify:
                raise
            except Exception:  # raises near this point: no derivative
                return np.full(value.shape, np.nan)

        return Evaluation(
            value=value, gradient=numerical_gradient(at, values[wrt], cotangent), lowered_to=tuple(lowered)
        )
