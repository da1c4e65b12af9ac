"""Summaries of the module's own classes and functions: what a model class's `forward`/`call`
returns, what a function returns for the kinds of its arguments (memoised per argument kinds),
what a parameter receives when every call site in the module agrees, the values a class keeps on
`self` (its own methods are bound functions), and module constants. Recursion and chains deeper
than `_MAX_DEPTH` end in unknown; so do disagreeing call sites (precision first)."""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Iterable, Optional

import libcst as cst

from xentlint import walk
from xentlint.cst_build import int_literal, is_none
from xentlint.flow.names import (
    SelfAssignments,
    block,
    find_method,
    is_method_receiver,
    parameter_names,
    plain_params,
    self_attribute,
)
from xentlint.flow.statements import Env, Scope, ScopeState
from xentlint.flow.values import UNKNOWN, Kind, Value, merge
from xentlint.knowledge import apis
from xentlint.knowledge.names import dotted_name

if TYPE_CHECKING:
    from xentlint.context import FileContext


Seed = tuple[tuple[str, Value], ...]  # the value of each parameter, in order
_MAX_DEPTH = 24  # functions, calls and parameters being evaluated at once: deeper chains are unknown


class Summaries:
    """The class and function half of `FlowAnalysis`."""

    ctx: "FileContext"

    def _instance(self, cls: cst.ClassDef) -> Value:
        framework = self._model_framework(cls)
        if framework is None:
            return self._derived_instance(cls)
        body = self._method(cls, apis.MODEL_OUTPUT_METHOD[framework])
        output = self._returns(body) if body is not None else UNKNOWN
        return Value(Kind.MODEL, node=cls, keras=framework == "keras", output=output)

    def _derived_instance(self, cls: cst.ClassDef) -> Value:
        """An instance of a class deriving from another project module's model class (`class
        Net(Base)` with `from models import Base`): its own output method's return, else the base's."""
        if self.ctx.project_path is None or len(cls.bases) != 1 or cls.bases[0].keyword is not None:
            return UNKNOWN
        base = self.value(cls.bases[0].value)
        model = base.output if base.kind is Kind.CLASS and base.node is None else None
        if model is None or model.kind is not Kind.MODEL:
            return UNKNOWN
        own = self._method(cls, "call" if model.keras else "forward")
        output = self._returns(own) if own is not None else model.output
        return Value(Kind.MODEL, node=cls, keras=model.keras, output=output)

    def _self_instance(self, method: cst.FunctionDef) -> Value:
        """`self` in a model's method: `self(x)` and `self.forward(x)` give the model's output."""
        owner = self.enclosing_class(method)
        return _agreed_value(self._instance(cls) for cls in self._receivers(owner)) if owner is not None else UNKNOWN

    def _receivers(self, owner: cst.ClassDef) -> list[cst.ClassDef]:
        """The classes `self` may be an instance of in `owner`'s methods: `owner` itself when it is a
        model with its own output method (or inherits one); for a mixin or an abstract base, the
        module's classes that derive from it."""
        framework = self._model_framework(owner)
        if framework is not None and self._method(owner, apis.MODEL_OUTPUT_METHOD[framework]) is not None:
            return [owner]
        return self._subclasses(owner) or [owner]

    def _subclasses(self, owner: cst.ClassDef) -> list[cst.ClassDef]:
        """The module's classes deriving from `owner`, directly or through other local classes."""
        found: list[cst.ClassDef] = []
        frontier = [owner]
        for _depth in range(5):
            frontier = [child for cls in frontier for child in self._class_tree.children.get(cls, ())
                        if child not in found]
            found.extend(frontier)
        return found

    def _local_bases(self, cls: cst.ClassDef) -> list[cst.ClassDef]:
        """The bases of `cls` that are classes of this module."""
        return self._class_tree.bases.get(cls, [])

    @cached_property
    def _class_tree(self) -> "_ClassTree":
        return _ClassTree(self.ctx.module)

    def _method(self, cls: cst.ClassDef, name: str, depth: int = 0) -> Optional[cst.FunctionDef]:
        """`cls`'s method `name`, its own or inherited from a base class of this module."""
        own = find_method(cls, name)
        if own is not None or depth >= 5:
            return own
        return next((found for base in self._local_bases(cls) if (found := self._method(base, name, depth + 1))),
                    None)

    def derives_from(self, cls: cst.ClassDef, qualified: frozenset[str], depth: int = 0) -> bool:
        """`cls` has one of the `qualified` classes as a base, itself or through this module's classes."""
        if any(self.ctx.qualify(base.value) in qualified for base in cls.bases):
            return True
        return depth < 5 and any(self.derives_from(base, qualified, depth + 1) for base in self._local_bases(cls))

    def _model_framework(self, cls: cst.ClassDef, depth: int = 0) -> Optional[str]:
        for base in cls.bases:
            framework = apis.MODEL_BASES.get(self.ctx.qualify(base.value) or "")
            if framework is not None:
                return framework
        if depth < 5:
            return next((found for base in self._local_bases(cls) if (found := self._model_framework(base, depth + 1))),
                        None)
        return None

    def _returns(self, function: cst.FunctionDef, seed: Optional[Seed] = None) -> Value:
        """What `function` returns: with `seed`, for those values of its parameters (memoised per
        seed); without, for what its parameters receive where every call site agrees."""
        key = function if seed is None else (function, seed)
        if key in self._outputs:
            return self._outputs[key]
        if function in self._in_progress or len(self._in_progress) > _MAX_DEPTH \
                or (seed is None and function in self._building):
            return UNKNOWN  # recursion, a deep chain, or asked while its body runs: do not cache
        self._in_progress.add(function)
        try:
            if seed is None:
                returns = self._state(function).returns
            else:
                state = ScopeState()
                self._exec(block(function.body), dict(seed), function, state)
                returns = state.returns
            result = returns[0] if returns else UNKNOWN
            for value in returns[1:]:
                result = merge(result, value)
        finally:
            self._in_progress.discard(function)
        self._outputs[key] = result
        return result

    def _call_function(self, target: Value, call: cst.Call, env: Env, scope: Optional[Scope]) -> Value:
        """`f(a, b)`: what `f` returns for the values of `a` and `b` here."""
        function = target.node
        assert isinstance(function, cst.FunctionDef)
        passed = self._passed(function, call, bound=target.bound)
        if passed is None:
            return UNKNOWN
        seed = tuple((name, self._eval(expr, env, scope) if expr is not None else UNKNOWN)
                     for name, expr in passed)
        if all(value.kind is Kind.UNKNOWN and value.classes is None for _name, value in seed):
            return self._returns(function)
        return self._returns(function, seed)

    def arguments_passed(self, function: cst.FunctionDef, call: cst.Call,
                         bound: bool) -> Optional[dict[str, Optional[cst.BaseExpression]]]:
        """Each parameter of `function` with what `call` passes to it (or its default), by name."""
        passed = self._passed(function, call, bound)
        return dict(passed) if passed is not None else None

    def _passed(self, function: cst.FunctionDef, call: cst.Call,
                bound: bool) -> Optional[list[tuple[str, Optional[cst.BaseExpression]]]]:
        """Each parameter of `function` with the expression `call` passes to it (or its default);
        None when the arguments cannot be matched (`*args`, `**kwargs`, too many)."""
        if any(arg.star for arg in call.args):
            return None
        params = list(plain_params(function))
        if bound or (params and params[0].name.value in ("self", "cls") and is_method_receiver(self.ctx, function)):
            params = params[1:]
        passed: dict[str, Optional[cst.BaseExpression]] = {
            param.name.value: param.default for param in params}
        keyword_only = len(function.params.kwonly_params)
        by_position = params[:len(params) - keyword_only]
        positional = [arg.value for arg in call.args if arg.keyword is None]
        if len(positional) > len(by_position):
            return None
        for param, expr in zip(by_position, positional):
            passed[param.name.value] = expr
        for arg in call.args:
            if arg.keyword is not None:
                if arg.keyword.value not in passed:
                    return None
                passed[arg.keyword.value] = arg.value
        return list(passed.items())

    def _parameter_value(self, function: cst.FunctionDef, name: str) -> Value:
        """What parameter `name` receives when every call site of `function` in the module agrees;
        unknown when the function is also used another way (a callback, called from outside)."""
        key = (function, name)
        if key in self._outputs:
            return self._outputs[key]
        if key in self._in_progress or len(self._in_progress) > _MAX_DEPTH:
            return UNKNOWN
        self._in_progress.add(key)
        try:
            result = self._agreed(function, name)
        finally:
            self._in_progress.discard(key)
        self._outputs[key] = result
        return result

    def _agreed(self, function: cst.FunctionDef, name: str) -> Value:
        calls = self._call_sites(function)
        if not calls:
            return UNKNOWN
        result: Optional[Value] = None
        for call, bound in calls:
            passed = self._passed(function, call, bound)
            expr = dict(passed).get(name) if passed is not None else None
            if expr is None:
                return UNKNOWN
            value = self.value(expr)
            result = value if result is None else merge(result, value)
            if result.kind is Kind.UNKNOWN and result.classes is None:
                return UNKNOWN
        return result or UNKNOWN

    def _call_sites(self, function: cst.FunctionDef) -> list[tuple[cst.Call, bool]]:
        """Every use of `function` in the module as a call (`f(...)`, or `self.f(...)` for a method),
        or none when one use is not a call or the name is defined or assigned more than once."""
        holder = self.ctx.parent(self.ctx.parent(function) or function)
        name = function.name.value
        uses: list[cst.CSTNode] = []
        definitions = 0
        for node in self._uses.names.get(name, ()):
            parent = self.ctx.parent(node)
            if isinstance(parent, (cst.FunctionDef, cst.ClassDef)) and parent.name is node:
                definitions += 1
            elif isinstance(parent, cst.AssignTarget):
                return []  # `f = ...` somewhere: which `f` a call reaches is not known
            elif not (isinstance(parent, cst.Attribute) and parent.attr is node) and not (
                    isinstance(parent, (cst.Arg, cst.Param)) and (parent.keyword if isinstance(parent, cst.Arg)
                                                                   else parent.name) is node):
                uses.append(node)
        if definitions != 1:
            return []
        if isinstance(self.ctx.parent(function), cst.Module):
            bound = False
        elif isinstance(holder, cst.ClassDef) and is_method_receiver(self.ctx, function):
            uses = list(self._uses.attributes.get(name, ()))
            if any(self_attribute(use) is None or self.enclosing_class(use) is not holder for use in uses):
                return []
            bound = True
        else:
            return []
        calls = []
        for use in uses:
            call = self.ctx.parent(use)
            if not (isinstance(call, cst.Call) and call.func is use):
                return []
            calls.append((call, bound))
        return calls

    @cached_property
    def _uses(self) -> "_Uses":
        return _Uses(self.ctx)

    def _self_attribute(self, owner: cst.ClassDef, attribute: str) -> Value:
        """`self.x` in a method of `owner`, for every class `self` may be an instance of there."""
        return _agreed_value(self._instance_attribute(cls, attribute) for cls in self._receivers(owner))

    def _instance_attribute(self, cls: cst.ClassDef, attribute: str) -> Value:
        """`self.x`: what the class's methods (and its bases') assign to it, or its method `x` (a bound function)."""
        values = self._class_attributes(cls)
        if attribute in values:
            return values[attribute]
        own = self._method(cls, attribute)
        if own is None:
            return UNKNOWN
        decorators = [dotted_name(decorator.decorator) for decorator in own.decorators]
        if not decorators:
            return Value(Kind.FUNCTION, node=own, bound=True)
        if decorators == ["staticmethod"]:
            return Value(Kind.FUNCTION, node=own)
        return UNKNOWN  # a property, a cached or wrapped method: not a plain call of its body

    def _class_attributes(self, cls: cst.ClassDef) -> dict[str, Value]:
        """`self.x = ...` in any method, evaluated against module-level names only (a method's
        locals are unknown here); assignments that disagree make `x` unknown."""
        if cls in self._class_attrs:
            return self._class_attrs[cls]
        self._class_attrs[cls] = {}  # while computing, self.x reads are unknown
        module_env = self._state(self.ctx.module).final
        collector = SelfAssignments()
        for holder in self._hierarchy(cls):
            walk.visit(holder.body, collector)
        values: dict[str, Value] = {}
        for attribute, expr, statement in collector.assignments:
            if expr is not None and is_none(expr):
                continue  # `self.model = None` in __init__: a placeholder until it is built
            value = self._parameter_attribute(cls, statement, expr)
            if value is None:
                value = self._eval(expr, module_env, None) if expr is not None else UNKNOWN
            values[attribute] = merge(values[attribute], value) if attribute in values else value
        self._class_attrs[cls] = values
        return values

    def _hierarchy(self, cls: cst.ClassDef) -> list[cst.ClassDef]:
        """`cls` and its base classes defined in this module."""
        classes = [cls]
        for _depth in range(5):
            classes.extend(base for holder in list(classes) for base in self._local_bases(holder)
                           if base not in classes)
        return classes

    def _parameter_attribute(self, cls: cst.ClassDef, statement: cst.CSTNode,
                             expr: Optional[cst.BaseExpression]) -> Optional[Value]:
        """`self.loss = loss` where `loss` is a parameter of the method: in `__init__`, what every
        instantiation of the class in the module passes (or the default, `loss=nn.CrossEntropyLoss()`,
        when none passes it or the class is not instantiated here); in another method, what its
        call sites agree on. None when `expr` is not a parameter."""
        method = self.enclosing_scope(statement)
        if not (isinstance(expr, cst.Name) and isinstance(method, cst.FunctionDef)):
            return None
        parameter = next((param for param in plain_params(method) if param.name.value == expr.value), None)
        if parameter is None:
            return None
        if self.stores(method.body, expr.value):
            return UNKNOWN
        if method.name.value != "__init__":
            return self._parameter_value(method, expr.value)
        result: Optional[Value] = None
        for use in self._uses.names.get(cls.name.value, ()):
            call = self.ctx.parent(use)
            if not (isinstance(call, cst.Call) and call.func is use):
                continue
            passed = self._passed(method, call, bound=True)
            given = dict(passed).get(expr.value) if passed is not None else None
            value = self.value(given) if given is not None else UNKNOWN
            result = value if result is None else merge(result, value)
        if result is not None:
            return result
        if parameter.default is None or any(find_method(sub, "__init__") for sub in self._subclasses(cls)):
            return UNKNOWN  # a subclass's own __init__ may pass another value up
        return self.value(parameter.default)

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




class _ClassTree:
    """The module's top-level classes by their local bases (a base named by a class the module
    defines once at top level) and by the classes deriving from them; read from syntax alone."""

    def __init__(self, module: cst.Module) -> None:
        classes = [statement for statement in module.body if isinstance(statement, cst.ClassDef)]
        by_name: dict[str, list[cst.ClassDef]] = {}
        for cls in classes:
            by_name.setdefault(cls.name.value, []).append(cls)
        self.bases: dict[cst.ClassDef, list[cst.ClassDef]] = {}
        self.children: dict[cst.ClassDef, list[cst.ClassDef]] = {}
        for cls in classes:
            for base in cls.bases:
                named = by_name.get(base.value.value, []) if isinstance(base.value, cst.Name) else []
                if len(named) == 1 and named[0] is not cls:
                    self.bases.setdefault(cls, []).append(named[0])
                    self.children.setdefault(named[0], []).append(cls)


class _Uses:
    """Every `Name` node by its text and every `Attribute` by its attribute's name, from one pass
    over the module's nodes; what each is (a read, a definition's own name...) is asked per name."""

    def __init__(self, ctx: "FileContext") -> None:
        self.names: dict[str, list[cst.Name]] = {}
        self.attributes: dict[str, list[cst.Attribute]] = {}
        for node in ctx.nodes():
            if isinstance(node, cst.Name):
                self.names.setdefault(node.value, []).append(node)
            elif isinstance(node, cst.Attribute):
                self.attributes.setdefault(node.attr.value, []).append(node)


def _agreed_value(values: Iterable[Value]) -> Value:
    """The value every candidate agrees on; unknown when they differ or there is none."""
    result: Optional[Value] = None
    for value in values:
        result = value if result is None else merge(result, value)
    return result or UNKNOWN
