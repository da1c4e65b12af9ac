"""Syntax facts about names: where a name is read and bound, parameters, blocks and methods.

These need no value analysis; `FlowAnalysis` builds its answers on them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional, Sequence

import libcst as cst

from xentlint import walk

if TYPE_CHECKING:
    from xentlint.context import FileContext
    from xentlint.project import Parameter


def block(body: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    if isinstance(body, cst.IndentedBlock):
        return body.body
    if isinstance(body, cst.SimpleStatementSuite):
        return list(body.body)
    return ()


def find_method(cls: cst.ClassDef, name: str) -> Optional[cst.FunctionDef]:
    for statement in block(cls.body):
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None


def plain_params(function: cst.FunctionDef) -> tuple[cst.Param, ...]:
    """Parameters that take one argument each (positional-only, ordinary, keyword-only)."""
    params = function.params
    return (*params.posonly_params, *params.params, *params.kwonly_params)


def parameter(function: cst.FunctionDef, name: str) -> Optional[cst.Param]:
    return next((param for param in plain_params(function) if param.name.value == name), None)


def passed_argument(call: cst.Call, parameter: "Parameter") -> Optional[cst.Arg]:
    """The argument `call` passes to `parameter` of another module's function (None: not visible)."""
    if any(arg.star for arg in call.args):
        return None
    positional = [arg for arg in call.args if arg.keyword is None]
    if parameter.position is not None and parameter.position < len(positional):
        return positional[parameter.position]
    return next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value == parameter.name), None)


def parameter_names(function: cst.FunctionDef) -> set[str]:
    names = {param.name.value for param in plain_params(function)}
    for star in (function.params.star_arg, function.params.star_kwarg):
        if isinstance(star, cst.Param):
            names.add(star.name.value)
    return names


def is_method_receiver(ctx: "FileContext", function: cst.FunctionDef) -> bool:
    """`function` is defined directly in a class body and takes `self` first."""
    params = function.params.params
    if not params or params[0].name.value != "self":
        return False
    body = ctx.parent(function)
    return body is not None and isinstance(ctx.parent(body), cst.ClassDef)


def self_attribute(target: cst.BaseExpression) -> Optional[str]:
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
        return target.attr.value
    return None


def flatten(target: cst.BaseExpression) -> Iterable[cst.BaseExpression]:
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from flatten(element.value)
    else:
        yield target


def assigned_names(node: cst.CSTNode) -> set[str]:
    """Names bound anywhere in `node`, not looking into nested functions and classes."""
    collector = _Stores()
    walk.visit(node, collector)
    return collector.names


def name_stores(scope: cst.CSTNode, name: str) -> list[cst.Name]:
    """Where `name` is bound in `scope`, parameters included (and nested scopes), in document order."""
    collector = _NameStores(name)
    walk.visit(scope, collector)
    return collector.stores


def name_reads(scope: cst.CSTNode, name: str) -> list[cst.Name]:
    """Where `name` is read in `scope` (nested scopes included): not attribute names, keywords,
    parameter names or the names an assignment binds; `p[0] = v` and `p += v` do read `p`."""
    collector = _Reads(name)
    walk.visit(scope, collector)
    return collector.reads


class _Stores(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def _add(self, target: cst.BaseExpression) -> None:
        for element in flatten(target):
            if isinstance(element, cst.StarredElement):
                element = element.value
            if isinstance(element, cst.Name):
                self.names.add(element.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._add(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._add(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._add(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._add(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._add(node.target)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.names.add(node.name.value)
        return False  # its body is another scope

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.names.add(node.name.value)
        return False

    def visit_AsName(self, node: cst.AsName) -> None:
        if isinstance(node.name, cst.Name):
            self.names.add(node.name.value)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.names.add(node.name.value)


class SelfAssignments(cst.CSTVisitor):
    """`self.x = value` (and `self.x += ...`, recorded as unknown) in a class's methods."""

    def __init__(self) -> None:
        self.assignments: list[tuple[str, Optional[cst.BaseExpression], cst.CSTNode]] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            for element in flatten(target.target):
                attribute = self_attribute(element)
                if attribute is not None:
                    single = element is target.target
                    self.assignments.append((attribute, node.value if single else None, node))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        attribute = self_attribute(node.target)
        if attribute is not None:
            self.assignments.append((attribute, None, node))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        attribute = self_attribute(node.target)
        if attribute is not None:
            self.assignments.append((attribute, node.value, node))


class _NameStores(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.stores: list[cst.Name] = []

    def _targets(self, target: Optional[cst.CSTNode]) -> None:
        if isinstance(target, cst.BaseExpression):
            for element in flatten(target):
                if isinstance(element, cst.StarredElement):
                    element = element.value
                if isinstance(element, cst.Name) and element.value == self.name:
                    self.stores.append(element)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._targets(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._targets(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._targets(node.name)

    def visit_Param(self, node: cst.Param) -> None:
        self._targets(node.name)


class _Reads(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.reads: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.reads.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        walk.visit(node.value, self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        walk.visit(node.value, self)
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        for element in flatten(node.target):
            if isinstance(element, cst.StarredElement):
                element = element.value
            if not isinstance(element, cst.Name):
                walk.visit(element, self)  # `p[0] = v`, `p.x = v` use `p`
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        if node.default is not None:
            walk.visit(node.default, self)
        return False
