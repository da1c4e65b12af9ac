"""Value-kind analysis: what each expression is (probabilities, logits, labels, models, losses).

Each scope (module, function) is executed abstractly once, statement by statement, recording
the environment before every statement (`statements.py`); expressions are evaluated against it
(`expressions.py`); the module's classes and functions are summarised (`summaries.py`): what a
model's `forward`/`call` returns, what a function returns for the kinds of its arguments, what
a parameter receives when every call site agrees, and which functions wrap a loss. Everything
is computed lazily and cached; recursion and deep chains end in unknown.

`FlowAnalysis` is also the one place rules ask about names: where a name is read and bound,
the value a name is bound to, and whether it can change between two points.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from xentlint.flow import names
from xentlint.flow.expressions import Expressions
from xentlint.flow.imports import Imports
from xentlint.flow.statements import Env, Scope, ScopeState, Statements
from xentlint.flow.summaries import Summaries
from xentlint.flow.values import Value

if TYPE_CHECKING:
    from xentlint.context import FileContext


class FlowAnalysis(Statements, Expressions, Summaries, Imports):
    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self._scopes: dict[Scope, ScopeState] = {}
        self._in_progress: set[object] = set()
        self._building: set[Scope] = set()  # scopes whose statements are being executed
        self._class_attrs: dict[cst.ClassDef, dict[str, Value]] = {}
        self._outputs: dict[object, Value] = {}
        self._imports: dict[Value, Value] = {}  # names bound by imports, as the project's modules give them

    # ------------------------------------------------------------ values
    def value(self, expr: cst.BaseExpression) -> Value:
        scope, env = self._env_at(expr)
        return self._eval(expr, env, scope)

    def instance_of(self, cls: cst.ClassDef) -> Value:
        """An instance of the module's class `cls`: a model with its output, or unknown."""
        return self._instance(cls)

    def method_of(self, cls: cst.ClassDef, name: str) -> Optional[cst.FunctionDef]:
        """`cls`'s method `name`, its own or inherited from a base class of this module."""
        return self._method(cls, name)

    def enclosing_scope(self, node: cst.CSTNode) -> Scope:
        for ancestor in self.ctx.ancestors(node):
            if isinstance(ancestor, cst.FunctionDef):
                return ancestor
        return self.ctx.module

    def enclosing_class(self, node: cst.CSTNode) -> Optional[cst.ClassDef]:
        for ancestor in self.ctx.ancestors(node):
            if isinstance(ancestor, cst.ClassDef):
                return ancestor
        return None

    # ------------------------------------------------------------ names
    def reads(self, scope: cst.CSTNode, name: str) -> list[cst.Name]:
        """Where `name` is read in `scope` (nested functions included), see `names.name_reads`."""
        return names.name_reads(scope, name)

    def stores(self, scope: cst.CSTNode, name: str) -> list[cst.Name]:
        """Where `name` is bound in `scope`, parameters included (and nested scopes), in document order."""
        return names.name_stores(scope, name)

    def bound_value(self, name: cst.Name) -> Optional[cst.BaseExpression]:
        """What `name` holds where it is read, when its scope binds it exactly once: an assignment
        `name = value` before the read, a parameter default, or a module-level name bound once
        that the function does not rebind."""
        scope = self.enclosing_scope(name)
        stores = self.stores(scope, name.value)
        if isinstance(scope, cst.FunctionDef):
            parameter = names.parameter(scope, name.value)
            if parameter is not None:
                return parameter.default if not stores else None
            if not stores:
                module_stores = self.stores(self.ctx.module, name.value)
                assign = self._single_assignment(module_stores[0]) if len(module_stores) == 1 else None
                if assign is None or self.enclosing_scope(assign) is not self.ctx.module:
                    return None
                return assign.value
        if len(stores) != 1:
            return None
        assign = self._single_assignment(stores[0])
        if assign is None or not self.ctx.ends_before(assign, name):
            return None
        return assign.value

    def _single_assignment(self, store: cst.Name) -> Optional[cst.Assign]:
        """The `name = value` statement binding `store`, when it has one plain target."""
        target = self.ctx.parent(store)
        assign = self.ctx.parent(target) if isinstance(target, cst.AssignTarget) else None
        if isinstance(assign, cst.Assign) and len(assign.targets) == 1 and assign.targets[0].target is store:
            return assign
        return None

    def bound_before(self, scope: cst.CSTNode, name: str, node: cst.CSTNode) -> bool:
        """Every binding of `name` in `scope` takes effect before `node`: `name` cannot change
        between them (loops aside, which the flow analysis takes one pass through)."""
        return all(self.ctx.ends_before(self.binding_point(store), node) for store in self.stores(scope, name))

    def binding_point(self, store: cst.CSTNode) -> cst.CSTNode:
        """Where a stored name takes effect: after its simple statement (the value of `x = f(x)`
        still reads the old `x`), or at the name itself in a header (parameters, `for` targets)."""
        for ancestor in self.ctx.ancestors(store):
            if isinstance(ancestor, cst.BaseSmallStatement):
                return ancestor
            if isinstance(ancestor, cst.BaseCompoundStatement):
                return store
        return store

    def statement_of(self, node: cst.CSTNode) -> cst.CSTNode:
        """The statement (line, or compound statement) `node` is part of."""
        return next((ancestor for ancestor in self.ctx.ancestors(node) if isinstance(ancestor, cst.BaseStatement)),
                    node)

    # ------------------------------------------------------------ environments
    def _env_at(self, expr: cst.CSTNode) -> tuple[Scope, Env]:
        scope = self.enclosing_scope(expr)
        state = self._state(scope)
        node: Optional[cst.CSTNode] = expr
        while node is not None and node is not scope:
            if node in state.before:
                return scope, state.before[node]
            node = self.ctx.parent(node)
        return scope, state.final

    def _state(self, scope: Scope) -> ScopeState:
        state = self._scopes.get(scope)
        if state is None and not isinstance(scope, cst.Module) and self.ctx.module not in self._scopes:
            # The module runs first: a function whose body is asked about first would otherwise
            # be in progress when the module calls it, and the module would keep that unknown.
            self._state(self.ctx.module)
            state = self._scopes.get(scope)
        if state is None:
            state = ScopeState()
            self._scopes[scope] = state
            body = scope.body if isinstance(scope, cst.Module) else names.block(scope.body)
            self._building.add(scope)
            try:
                state.final = self._exec(body, {}, scope, state)
            finally:
                self._building.discard(scope)
        return state
