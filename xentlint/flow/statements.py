"""Abstract execution of a scope's statements: environments before each statement, branches
merged (disagreement becomes unknown), loops entered with what they rebind unknown."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence, Union

import libcst as cst

from xentlint.flow.names import assigned_names, block
from xentlint.flow.values import UNKNOWN, Kind, Origin, Value, merge
from xentlint.knowledge import apis

if TYPE_CHECKING:
    from xentlint.context import FileContext

Scope = Union[cst.Module, cst.FunctionDef]
Env = dict[str, Value]


class ScopeState:
    def __init__(self) -> None:
        self.before: dict[cst.CSTNode, Env] = {}
        self.final: Env = {}
        self.returns: list[Value] = []
        self.assigned: set[str] = set()


class Statements:
    """The statement half of `FlowAnalysis` (expressions are evaluated by `Expressions._eval`)."""

    ctx: "FileContext"

    def _exec(self, statements: Sequence[cst.CSTNode], env: Env, scope: Scope, state: ScopeState) -> Env:
        for statement in statements:
            env = self._exec_statement(statement, env, scope, state)
        return env

    def _exec_statement(self, statement: cst.CSTNode, env: Env, scope: Scope, state: ScopeState) -> Env:
        state.before[statement] = env
        if isinstance(statement, cst.BaseSmallStatement):
            return self._exec_small(statement, env, scope, state)
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                state.before[small] = env
                env = self._exec_small(small, env, scope, state)
            return env
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            kind = Kind.FUNCTION if isinstance(statement, cst.FunctionDef) else Kind.CLASS
            return self._bind(env, statement.name.value, Value(kind, node=statement), state)
        if isinstance(statement, cst.If):
            branch = self._exec(block(statement.body), env, scope, state)
            other = env
            if isinstance(statement.orelse, cst.If):
                other = self._exec_statement(statement.orelse, env, scope, state)
            elif isinstance(statement.orelse, cst.Else):
                other = self._exec(block(statement.orelse.body), env, scope, state)
            return merge_envs(branch, other)
        if isinstance(statement, (cst.For, cst.While)):
            if isinstance(statement, cst.For):
                env = self._bind_target(statement.target, UNKNOWN, env, state)
            # A name the body rebinds may hold last iteration's value where it is read before the
            # rebinding: entering with it unknown covers every iteration in one (linear) pass.
            entry = env
            for name in assigned_names(statement.body):
                entry = self._bind(entry, name, UNKNOWN, state)
            looped = self._exec(block(statement.body), entry, scope, state)
            env = merge_envs(env, looped)
            if statement.orelse is not None:
                env = self._exec(block(statement.orelse.body), env, scope, state)
            return env
        if isinstance(statement, (cst.With,)):
            for item in statement.items:
                if item.asname is not None:
                    env = self._bind_target(item.asname.name, UNKNOWN, env, state)
            return self._exec(block(statement.body), env, scope, state)
        if isinstance(statement, cst.Try):
            body = self._exec(block(statement.body), env, scope, state)
            result = merge_envs(env, body)
            for handler in statement.handlers:
                result = merge_envs(result, self._exec(block(handler.body), result, scope, state))
            if statement.orelse is not None:
                result = merge_envs(result, self._exec(block(statement.orelse.body), body, scope, state))
            if statement.finalbody is not None:
                result = self._exec(block(statement.finalbody.body), result, scope, state)
            return result
        # match statements and anything newer: names assigned inside become unknown.
        for name in assigned_names(statement):
            env = self._bind(env, name, UNKNOWN, state)
        return env

    def _exec_small(self, small: cst.BaseSmallStatement, env: Env, scope: Scope, state: ScopeState) -> Env:
        if isinstance(small, cst.Assign):
            value = self._eval(small.value, env, scope)
            for target in small.targets:
                env = self._bind_target(target.target, value, env, state, small.value)
            return env
        if isinstance(small, cst.AnnAssign):
            value = self._eval(small.value, env, scope) if small.value is not None else UNKNOWN
            return self._bind_target(small.target, value, env, state)
        if isinstance(small, cst.AugAssign):
            return self._bind_target(small.target, UNKNOWN, env, state)
        if isinstance(small, cst.Return) and small.value is not None:
            state.returns.append(self._eval(small.value, env, scope))
            return env
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            return self._exec_add(small.value, env, scope, state)
        if isinstance(small, (cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal, cst.Del)):
            for name in assigned_names(small):
                env = self._bind(env, name, UNKNOWN, state)
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            for name, value in self._imported(small):
                env = self._bind(env, name, value, state)
        return env

    def _exec_add(self, call: cst.Call, env: Env, scope: Scope, state: ScopeState) -> Env:
        """`model.add(layer)` grows a Keras Sequential; any other method call on a model unsettles it."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return env
        name = func.value.value
        model = env.get(name)
        if model is not None and model.kind is Kind.IMPORTED and func.attr.value in ("add", "pop"):
            model = self._resolved(model)  # a Sequential another module builds
        if model is None or model.kind is not Kind.MODEL or not model.sequential:
            return env
        if func.attr.value == "add" and len(call.args) == 1:
            layers = model.layers + (self._eval(call.args[0].value, env, scope),)
            grown = model.with_changes(layers=layers, output=self._fold(layers))
            return self._bind(env, name, grown, state)
        if func.attr.value == "pop":
            return self._bind(env, name, UNKNOWN, state)
        return env

    def _bind_target(self, target: cst.BaseExpression, value: Value, env: Env, state: ScopeState,
                     source: Optional[cst.BaseExpression] = None) -> Env:
        if isinstance(target, cst.Name):
            return self._bind(env, target.value, value, state)
        if isinstance(target, (cst.Tuple, cst.List)):
            for element, part in zip(target.elements, self._unpacked(value, source, target.elements, env)):
                env = self._bind_target(element.value, part, env, state)
            return env
        return env  # attributes and subscripts: `self.x` is handled per class

    def _unpacked(self, value: Value, source: Optional[cst.BaseExpression],
                  targets: Sequence[cst.BaseElement], env: Env) -> list[Value]:
        """What unpacking `value` (computed from `source`) into `targets` gives each target: tuple
        items at literal positions, counted from the end after a starred target (which is unknown)."""
        count = len(targets)
        stars = [index for index, target in enumerate(targets) if isinstance(target, cst.StarredElement)]
        if value.kind is not Kind.TUPLE and not stars:
            value = self._unpacked_call(source, count, env)
        if value.kind is not Kind.TUPLE or len(stars) > 1:
            return [UNKNOWN] * count
        items = value.items
        if not stars:
            return list(items) if len(items) == count else [UNKNOWN] * count
        star = stars[0]
        after = count - star - 1
        if len(items) < count - 1:
            return [UNKNOWN] * count
        return [*items[:star], UNKNOWN, *items[len(items) - after:]]

    def _unpacked_call(self, source: Optional[cst.BaseExpression], count: int, env: Env) -> Value:
        """Tuples that library calls return: dataset loaders' `(x, y)` pairs, `train_test_split`."""
        if isinstance(source, cst.List) and len(source.elements) == count:
            return Value(Kind.TUPLE, items=tuple(self._eval(element.value, env, None) for element in source.elements))
        callee = self.ctx.callee(source) if isinstance(source, cst.Call) else None
        if callee is not None and count == 2 and callee in apis.LABELLED_SPLITS | apis.LABELLED_PAIRS:
            labels = Value(Kind.SPARSE_LABELS, origin=Origin(source, "dataset labels"), integer=True)
            if callee in apis.LABELLED_SPLITS:
                pair = Value(Kind.TUPLE, items=(UNKNOWN, labels))
                return Value(Kind.TUPLE, items=(pair, pair))
            return Value(Kind.TUPLE, items=(UNKNOWN, labels))
        if isinstance(source, cst.Call) and callee in apis.ARRAY_SPLITTERS and not any(arg.star for arg in source.args):
            arrays = [arg.value for arg in source.args if arg.keyword is None]
            if count == 2 * len(arrays):
                return Value(Kind.TUPLE, items=tuple(self._eval(array, env, None) for array in arrays for _half in (0, 1)))
        return UNKNOWN

    def _bind(self, env: Env, name: str, value: Value, state: ScopeState) -> Env:
        state.assigned.add(name)
        new_env = dict(env)
        new_env[name] = value
        return new_env



def merge_envs(a: Env, b: Env) -> Env:
    if a is b:
        return a
    merged: Env = {}
    for name in a.keys() | b.keys():
        merged[name] = merge(a[name], b[name]) if name in a and name in b else UNKNOWN
    return merged
