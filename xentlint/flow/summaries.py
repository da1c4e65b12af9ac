"""Summaries of the module's own classes and functions: what a model class's `forward`/`call`
returns, what a function returns, the values a class keeps on `self`, and module constants."""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Optional

import libcst as cst

from xentlint import walk
from xentlint.flow.calls import int_literal
from xentlint.flow.names import SelfAssignments, find_method, is_none, parameter_names
from xentlint.flow.statements import Env, Scope
from xentlint.flow.values import UNKNOWN, Kind, Value, merge
from xentlint.knowledge import apis

if TYPE_CHECKING:
    from xentlint.context import FileContext


class Summaries:
    """The class and function half of `FlowAnalysis`."""

    ctx: "FileContext"

    def _instance(self, cls: cst.ClassDef) -> Value:
        framework = self._model_framework(cls)
        if framework is None:
            return UNKNOWN
        method = "forward" if framework == "torch" else "call"
        body = find_method(cls, method)
        output = self._returns(body) if body is not None else UNKNOWN
        return Value(Kind.MODEL, node=cls, keras=framework == "keras", output=output)

    def _self_instance(self, method: cst.FunctionDef) -> Value:
        """`self` in a model's method: `self(x)` and `self.forward(x)` give the model's output."""
        owner = self.enclosing_class(method)
        return self._instance(owner) if owner is not None else UNKNOWN

    def _model_framework(self, cls: cst.ClassDef, depth: int = 0) -> Optional[str]:
        for base in cls.bases:
            qualified = self.ctx.qualify(base.value)
            if qualified in apis.TORCH_MODULE:
                return "torch"
            if qualified in apis.KERAS_MODEL:
                return "keras"
            local = self._state(self.ctx.module).final.get(base.value.value) if isinstance(base.value, cst.Name) else None
            if local is not None and local.kind is Kind.CLASS and depth < 5:
                assert isinstance(local.node, cst.ClassDef)
                found = self._model_framework(local.node, depth + 1)
                if found:
                    return found
        return None

    def _returns(self, function: cst.FunctionDef) -> Value:
        if function in self._outputs:
            return self._outputs[function]
        if function in self._in_progress or function in self._building:
            return UNKNOWN  # recursion, or asked while its body runs: do not cache a partial result
        self._in_progress.add(function)
        try:
            returns = self._state(function).returns
            result = returns[0] if returns else UNKNOWN
            for value in returns[1:]:
                result = merge(result, value)
        finally:
            self._in_progress.discard(function)
        self._outputs[function] = result
        return result

    def _class_attributes(self, cls: cst.ClassDef) -> dict[str, Value]:
        """`self.x = ...` in any method, evaluated against module-level names only (a method's
        locals are unknown here); assignments that disagree make `x` unknown."""
        if cls in self._class_attrs:
            return self._class_attrs[cls]
        self._class_attrs[cls] = {}  # while computing, self.x reads are unknown
        module_env = self._state(self.ctx.module).final
        collector = SelfAssignments()
        walk.visit(cls.body, collector)
        values: dict[str, Value] = {}
        for attribute, expr, _statement in collector.assignments:
            if expr is not None and is_none(expr):
                continue  # `self.model = None` in __init__: a placeholder until it is built
            value = self._eval(expr, module_env, None) if expr is not None else UNKNOWN
            values[attribute] = merge(values[attribute], value) if attribute in values else value
        self._class_attrs[cls] = values
        return values

    def _int(self, expr: cst.BaseExpression, env: Env, scope: Optional[Scope]) -> Optional[int]:
        """Class counts from literals, module constants and `len(<literal>)`."""
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "len" and expr.args:
            inner = expr.args[0].value
            if isinstance(inner, (cst.List, cst.Tuple, cst.Set)):
                return len(inner.elements)
            return None
        if isinstance(expr, cst.Name) and expr.value in self._module_constants and not self._local(expr.value, scope):
            return self._module_constants[expr.value]
        value = self._eval(expr, env, scope)
        return value.number if value.kind is Kind.INT else None

    def _local(self, name: str, scope: Optional[Scope]) -> bool:
        """`name` is a parameter or local of the function `scope`: it shadows a module constant."""
        if not isinstance(scope, cst.FunctionDef):
            return False
        return name in parameter_names(scope) or name in self._state(scope).assigned

    @cached_property
    def _module_constants(self) -> dict[str, int]:
        """Module-level `NAME = <int>` assigned once, readable before the module is executed."""
        counts: dict[str, int] = {}
        constants: dict[str, int] = {}
        for statement in self.ctx.module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    name = small.targets[0].target.value
                    counts[name] = counts.get(name, 0) + 1
                    number = int_literal(small.value)
                    if number is not None:
                        constants[name] = number
        return {name: number for name, number in constants.items() if counts[name] == 1}


