"""Value-kind analysis: what each expression is (probabilities, logits, labels, models, losses).

Each scope (module, function) is executed abstractly once, statement by statement, recording
the environment before every statement. Branches merge (disagreement becomes unknown), loops
merge with the state before them. `self.attr` values come from assignments in the class's
methods; local classes that subclass `nn.Module`/`keras.Model` produce what `forward`/`call`
returns; local functions produce what they return. Everything is computed lazily and cached.
"""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Iterable, Optional, Sequence, Union

import libcst as cst

from xentlint import knowledge, walk
from xentlint.context import argument
from xentlint.flow.calls import (
    int_literal,
    is_tensor_method_call,
    is_tensor_receiver,
    match_activation,
    string_literal,
)
from xentlint.flow.values import UNKNOWN, Kind, Origin, Value, merge
from xentlint.knowledge import apis
from xentlint.knowledge.schema import Fn, Form, Labels, Param, TensorConstructor

if TYPE_CHECKING:
    from xentlint.context import FileContext

Scope = Union[cst.Module, cst.FunctionDef]
Env = dict[str, Value]

_PROBABILITY_FNS = {Fn.SOFTMAX: Kind.PROBABILITIES, Fn.SIGMOID: Kind.PROBABILITIES, Fn.SOFTMIN: Kind.PROBABILITIES,
                    Fn.LOG_SOFTMAX: Kind.LOG_PROBABILITIES, Fn.LOG_SIGMOID: Kind.LOG_PROBABILITIES}
_LOG_OF = {Fn.SOFTMAX: Fn.LOG_SOFTMAX, Fn.SIGMOID: Fn.LOG_SIGMOID}


class _ScopeState:
    def __init__(self) -> None:
        self.before: dict[cst.CSTNode, Env] = {}
        self.final: Env = {}
        self.returns: list[Value] = []
        self.assigned: set[str] = set()


class FlowAnalysis:
    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self._scopes: dict[Scope, _ScopeState] = {}
        self._in_progress: set[cst.CSTNode] = set()
        self._building: set[Scope] = set()  # scopes whose statements are being executed
        self._class_attrs: dict[cst.ClassDef, dict[str, Value]] = {}
        self._outputs: dict[cst.CSTNode, Value] = {}

    # ------------------------------------------------------------ public queries
    def value(self, expr: cst.BaseExpression) -> Value:
        scope, env = self._env_at(expr)
        return self._eval(expr, env, scope)

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

    def name_loads(self, scope: Scope, name: str) -> int:
        """How often `name` is read in `scope` (nested functions included)."""
        counter = _NameLoads(name)
        walk.visit(scope, counter)
        return counter.count

    def name_stores(self, scope: Scope, name: str) -> list[cst.Name]:
        """Where `name` is bound in `scope`, parameters included (and nested scopes), in document order."""
        collector = _NameStores(name)
        walk.visit(scope, collector)
        return collector.stores

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

    def _state(self, scope: Scope) -> _ScopeState:
        state = self._scopes.get(scope)
        if state is None:
            state = _ScopeState()
            self._scopes[scope] = state
            body = scope.body if isinstance(scope, cst.Module) else _block(scope.body)
            self._building.add(scope)
            try:
                state.final = self._exec(body, {}, scope, state)
            finally:
                self._building.discard(scope)
        return state

    def _exec(self, statements: Sequence[cst.CSTNode], env: Env, scope: Scope, state: _ScopeState) -> Env:
        for statement in statements:
            env = self._exec_statement(statement, env, scope, state)
        return env

    def _exec_statement(self, statement: cst.CSTNode, env: Env, scope: Scope, state: _ScopeState) -> Env:
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
            branch = self._exec(_block(statement.body), env, scope, state)
            other = env
            if isinstance(statement.orelse, cst.If):
                other = self._exec_statement(statement.orelse, env, scope, state)
            elif isinstance(statement.orelse, cst.Else):
                other = self._exec(_block(statement.orelse.body), env, scope, state)
            return _merge_envs(branch, other)
        if isinstance(statement, (cst.For, cst.While)):
            if isinstance(statement, cst.For):
                env = self._bind_target(statement.target, UNKNOWN, env, state)
            # A name the body rebinds may hold last iteration's value where it is read before the
            # rebinding: entering with it unknown covers every iteration in one (linear) pass.
            entry = env
            for name in _assigned_names(statement.body):
                entry = self._bind(entry, name, UNKNOWN, state)
            looped = self._exec(_block(statement.body), entry, scope, state)
            env = _merge_envs(env, looped)
            if statement.orelse is not None:
                env = self._exec(_block(statement.orelse.body), env, scope, state)
            return env
        if isinstance(statement, (cst.With,)):
            for item in statement.items:
                if item.asname is not None:
                    env = self._bind_target(item.asname.name, UNKNOWN, env, state)
            return self._exec(_block(statement.body), env, scope, state)
        if isinstance(statement, cst.Try):
            body = self._exec(_block(statement.body), env, scope, state)
            result = _merge_envs(env, body)
            for handler in statement.handlers:
                result = _merge_envs(result, self._exec(_block(handler.body), result, scope, state))
            if statement.orelse is not None:
                result = _merge_envs(result, self._exec(_block(statement.orelse.body), body, scope, state))
            if statement.finalbody is not None:
                result = self._exec(_block(statement.finalbody.body), result, scope, state)
            return result
        # match statements and anything newer: names assigned inside become unknown.
        for name in _assigned_names(statement):
            env = self._bind(env, name, UNKNOWN, state)
        return env

    def _exec_small(self, small: cst.BaseSmallStatement, env: Env, scope: Scope, state: _ScopeState) -> Env:
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
            for name in _assigned_names(small):
                env = self._bind(env, name, UNKNOWN, state)
        return env

    def _exec_add(self, call: cst.Call, env: Env, scope: Scope, state: _ScopeState) -> Env:
        """`model.add(layer)` grows a Keras Sequential; any other method call on a model unsettles it."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return env
        name = func.value.value
        model = env.get(name)
        if model is None or model.kind is not Kind.MODEL or not model.sequential:
            return env
        if func.attr.value == "add" and len(call.args) == 1:
            layers = model.layers + (self._eval(call.args[0].value, env, scope),)
            grown = model.with_changes(layers=layers, output=self._fold(layers))
            return self._bind(env, name, grown, state)
        if func.attr.value == "pop":
            return self._bind(env, name, UNKNOWN, state)
        return env

    def _bind_target(self, target: cst.BaseExpression, value: Value, env: Env, state: _ScopeState,
                     source: Optional[cst.BaseExpression] = None) -> Env:
        if isinstance(target, cst.Name):
            return self._bind(env, target.value, value, state)
        if isinstance(target, (cst.Tuple, cst.List)):
            for element, part in zip(target.elements, self._unpacked(source, len(target.elements), env)):
                inner = element.value
                if isinstance(part, tuple) and isinstance(inner, (cst.Tuple, cst.List)) \
                        and len(part) == len(inner.elements):
                    for inner_element, inner_part in zip(inner.elements, part):
                        env = self._bind_target(inner_element.value, inner_part, env, state)
                else:
                    env = self._bind_target(inner, part if isinstance(part, Value) else UNKNOWN, env, state)
            return env
        if isinstance(target, cst.StarredElement):
            return self._bind_target(target.value, UNKNOWN, env, state)
        return env  # attributes and subscripts: `self.x` is handled per class

    def _unpacked(self, source: Optional[cst.BaseExpression], count: int,
                  env: Env) -> list[Union[Value, tuple[Value, ...]]]:
        """What unpacking `source` into `count` targets gives each (a tuple: a pair unpacked again)."""
        if isinstance(source, (cst.Tuple, cst.List)) and len(source.elements) == count:
            return [self._eval(element.value, env, None) for element in source.elements]
        callee = self.ctx.callee(source) if isinstance(source, cst.Call) else None
        if callee is not None and count == 2 and callee in apis.LABELLED_SPLITS | apis.LABELLED_PAIRS:
            labels = Value(Kind.SPARSE_LABELS, origin=Origin(source, "dataset labels"), integer=True)
            return [(UNKNOWN, labels)] * 2 if callee in apis.LABELLED_SPLITS else [UNKNOWN, labels]
        if isinstance(source, cst.Call) and callee in apis.ARRAY_SPLITTERS and not any(arg.star for arg in source.args):
            arrays = [arg.value for arg in source.args if arg.keyword is None]
            if count == 2 * len(arrays):
                return [self._eval(array, env, None) for array in arrays for _half in (0, 1)]
        return [UNKNOWN] * count

    def _bind(self, env: Env, name: str, value: Value, state: _ScopeState) -> Env:
        state.assigned.add(name)
        new_env = dict(env)
        new_env[name] = value
        return new_env

    # ------------------------------------------------------------ expressions
    def _eval(self, expr: cst.BaseExpression, env: Env, scope: Optional[Scope]) -> Value:
        if isinstance(expr, cst.Name):
            return self._eval_name(expr, env, scope)
        if isinstance(expr, cst.Call):
            return self._eval_call(expr, env, scope)
        if isinstance(expr, cst.Attribute):
            return self._eval_attribute(expr, env, scope)
        if isinstance(expr, cst.Subscript):
            return self._eval_subscript(expr, env, scope)
        if isinstance(expr, (cst.Integer, cst.UnaryOperation)):
            number = int_literal(expr)
            return Value(Kind.INT, number=number) if number is not None else UNKNOWN
        if isinstance(expr, cst.Await):
            return self._eval(expr.expression, env, scope)
        if isinstance(expr, cst.BinaryOperation):
            return self._eval_arithmetic(expr, env, scope)
        return UNKNOWN

    # ------------------------------------------------------------ visible sizes of the last axis
    def _eval_arithmetic(self, operation: cst.BinaryOperation, env: Env, scope: Optional[Scope]) -> Value:
        """Only the size of the last axis survives arithmetic: `x @ W`, `tf.matmul(x, W) + b` (broadcast)."""
        if isinstance(operation.operator, cst.MatrixMultiply):
            return _sized(self._eval(operation.right, env, scope).classes)
        if not isinstance(operation.operator, (cst.Add, cst.Subtract)):
            return UNKNOWN
        sizes = [self._eval(side, env, scope).classes for side in (operation.left, operation.right)
                 if not isinstance(side, (cst.Integer, cst.Float))]  # a number broadcasts to any size
        if not sizes or None in sizes:
            return UNKNOWN
        broadcast = set(sizes) - {1} or {1}
        return _sized(broadcast.pop()) if len(broadcast) == 1 else UNKNOWN

    def _shape_of_call(self, callee: str, call: cst.Call, env: Env, scope: Optional[Scope]) -> Optional[Value]:
        """`tf.zeros([784, 1])`, `tf.Variable(...)` of it, `tf.matmul(x, W)`: a value whose only known
        property is the size of its last axis; None for other calls."""
        if callee in apis.SHAPE_ARGUMENTS:
            shape = argument(call, apis.SHAPE_ARGUMENTS[callee])
            if shape is None or not isinstance(shape.value, (cst.List, cst.Tuple)) or not shape.value.elements:
                return UNKNOWN
            return _sized(self._int(shape.value.elements[-1].value, env, scope))
        if callee in apis.SHAPE_KEEPING:
            kept = argument(call, apis.SHAPE_KEEPING[callee])
            return _sized(self._eval(kept.value, env, scope).classes) if kept is not None else UNKNOWN
        if callee in apis.MATMULS:
            right = argument(call, apis.MATMULS[callee])
            if right is None or any(arg.keyword is not None and arg.keyword.value in apis.MATMUL_TRANSPOSES
                                    for arg in call.args):
                return UNKNOWN
            return _sized(self._eval(right.value, env, scope).classes)
        return None

    def _eval_name(self, name: cst.Name, env: Env, scope: Optional[Scope]) -> Value:
        if name.value in env:
            return env[name.value]
        if scope is None or isinstance(scope, cst.Module):
            return UNKNOWN
        if name.value == "self" and _is_method_receiver(self.ctx, scope):
            return self._self_instance(scope)
        state = self._state(scope)
        if name.value in state.assigned or name.value in _parameters(scope):
            return UNKNOWN
        enclosing = self.enclosing_scope(scope)
        return self._state(enclosing).final.get(name.value, UNKNOWN)

    def _eval_attribute(self, attribute: cst.Attribute, env: Env, scope: Optional[Scope]) -> Value:
        if isinstance(attribute.value, cst.Name) and attribute.value.value == "self" and scope is not None:
            owner = self.enclosing_class(scope)
            if owner is not None:
                return self._class_attributes(owner).get(attribute.attr.value, UNKNOWN)
        if attribute.attr.value in apis.MEANING_PRESERVING_ATTRIBUTES:
            inner = self._eval(attribute.value, env, scope)
            return inner if inner.kind in _TENSOR_KINDS else UNKNOWN
        return UNKNOWN

    def _eval_subscript(self, subscript: cst.Subscript, env: Env, scope: Optional[Scope]) -> Value:
        # np.eye(n)[y] selects one-hot rows.
        base = subscript.value
        if isinstance(base, cst.Call) and self.ctx.callee(base) in apis.IDENTITY_MATRICES:
            return Value(Kind.ONE_HOT_LABELS, origin=Origin(subscript, "one-hot rows of an identity matrix"),
                         classes=self._int(base.args[0].value, env, scope) if base.args else None)
        return UNKNOWN

    def _eval_call(self, call: cst.Call, env: Env, scope: Optional[Scope]) -> Value:
        key = call
        if key in self._in_progress:
            return UNKNOWN
        self._in_progress.add(key)
        try:
            return self._eval_call_uncached(call, env, scope)
        finally:
            self._in_progress.discard(key)

    def _eval_call_uncached(self, call: cst.Call, env: Env, scope: Optional[Scope]) -> Value:
        callee = self.ctx.callee(call)
        activation = match_activation(self.ctx, call)
        if activation is not None:
            inner = self._eval(activation.input, env, scope) if activation.input is not None else UNKNOWN
            return self._activate(activation.fn, inner, call, activation.input, _axis(activation.axis, activation.api))
        if callee is not None:
            built = self._construct(callee, call, env, scope)
            if built is not None:
                return built
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            receiver = self._eval(call.func.value, env, scope)
            if receiver.kind is Kind.MODEL and method in apis.MODEL_OUTPUT_METHODS:
                own = _method(receiver.node, method) if isinstance(receiver.node, cst.ClassDef) else None
                # A local class's own `predict` may post-process what `forward` returns.
                return self._returns(own) if own is not None else self._model_output(receiver)
            if receiver.kind is Kind.MODEL and method in apis.MODEL_SELF_METHODS and not receiver.keras:
                return receiver
            if callee is None and is_tensor_receiver(self.ctx, call.func) and self._makes_indices(call, method):
                return _sparse(call, receiver)
            if callee is None and is_tensor_method_call(self.ctx, call, takes_dim=True):
                return self._method_result(call, method, receiver, env, scope)
            if callee is None and method in apis.MEANING_PRESERVING_METHODS and receiver.kind in _TENSOR_KINDS:
                # `.to(device)`, `.view(n, -1)` keep the dtype; float casts and `type_as(other)` may not.
                integer = receiver.integer and method not in ("float", "double", "half", "type_as") \
                    and not _casts_to_float(self.ctx, call.args)
                return _reshaped(method, receiver.with_changes(integer=integer))
        target = self._eval(call.func, env, scope)
        return self._apply(target, call, env, scope)

    def _makes_indices(self, call: cst.Call, method: str) -> bool:
        """`y.argmax(axis=1)`, `y.long()`, `y.astype(int)`, `y.to(device, torch.long)`."""
        if knowledge.label_method(method) is not None:
            return True
        return method in apis.CAST_METHODS and _casts_to_integer(self.ctx, call.args)

    def _method_result(self, call: cst.Call, method: str, receiver: Value, env: Env,
                       scope: Optional[Scope]) -> Value:
        if method in apis.MEANING_PRESERVING_METHODS and receiver.kind in _TENSOR_KINDS:
            return _reshaped(method, receiver.with_changes(integer=False) if method in ("float", "double", "half")
                             else receiver)
        return UNKNOWN

    def _construct(self, callee: str, call: cst.Call, env: Env, scope: Optional[Scope]) -> Optional[Value]:
        """Values made by table APIs: losses, layers, models, label producers, casts."""
        loss = knowledge.loss(callee)
        if loss is not None:
            return Value(Kind.LOSS, node=call, loss=loss) if loss.form is Form.CLASS else UNKNOWN
        producer = knowledge.label_producer(callee)
        if producer is not None:
            kind = Kind.ONE_HOT_LABELS if producer.labels is Labels.ONE_HOT else Kind.SPARSE_LABELS
            classes = self._int(call.args[1].value, env, scope) if kind is Kind.ONE_HOT_LABELS and len(call.args) > 1 else None
            integer = kind is Kind.SPARSE_LABELS or producer.integer
            return Value(kind, origin=Origin(call, callee.rsplit(".", 1)[-1]), classes=classes, integer=integer)
        shaped = self._shape_of_call(callee, call, env, scope)
        if shaped is not None:
            return shaped
        constructor = knowledge.tensor_constructor(callee)
        if constructor is not None:
            return self._constructed(constructor, call, env, scope)
        if callee in apis.CASTS:
            if _casts_to_integer(self.ctx, call.args[1:]):
                inner = self._eval(call.args[0].value, env, scope) if call.args else UNKNOWN
                return _sparse(call, inner)
            return None
        activation_class = knowledge.activation(callee)
        if activation_class is not None and activation_class.form is Form.CLASS:
            axis_arg = argument(call, activation_class.axis)
            return Value(Kind.LAYER, node=call, applies=activation_class.fn,
                         axis=_axis(axis_arg.value if axis_arg else None, activation_class),
                         origin=Origin(call, f"{activation_class.fn.value} ({callee.rsplit('.', 1)[-1]} layer)"))
        layer = knowledge.layer(callee)
        if layer is not None:
            built = self._layer(layer, callee, call, env, scope)
            if layer.input is None or built.kind is not Kind.LAYER:
                return built
            inputs = argument(call, layer.input)
            return self._apply_layer(built, self._eval(inputs.value, env, scope) if inputs else UNKNOWN, call)
        if callee in apis.KERAS_SEQUENTIAL:
            layers = self._sequence(call.args[0].value, env, scope) if call.args else ()
            if layers is None:
                return UNKNOWN
            return Value(Kind.MODEL, node=call, keras=True, sequential=True, layers=layers,
                         output=self._fold(layers))
        if callee in apis.TORCH_SEQUENTIAL:
            if any(arg.star or arg.keyword for arg in call.args):
                return UNKNOWN
            layers = tuple(self._eval(arg.value, env, scope) for arg in call.args)
            return Value(Kind.MODEL, node=call, layers=layers, output=self._fold(layers))
        if callee in apis.KERAS_MODEL:
            outputs = argument(call, _OUTPUTS)
            output = self._eval(_single_output(outputs.value), env, scope) if outputs is not None else UNKNOWN
            return Value(Kind.MODEL, node=call, keras=True, output=output)
        return None

    def _constructed(self, row: TensorConstructor, call: cst.Call, env: Env, scope: Optional[Scope]) -> Value:
        """A tensor made from data, a range or random draws: class indices when visibly integer."""
        if _visibly_matrix(call, row.shape):
            return UNKNOWN
        dtype_arg = argument(call, row.dtype)
        integer = _casts_to_integer(self.ctx, [dtype_arg]) if dtype_arg is not None else None
        indices = Value(Kind.SPARSE_LABELS, origin=Origin(call, self.ctx.code(call.func)), integer=True)
        data_arg = argument(call, row.data)
        if data_arg is None:  # a range or random draws: a float bound or step makes floats
            if integer is None:
                integer = row.integer and not any(isinstance(arg.value, cst.Float) for arg in call.args)
            return indices if integer else UNKNOWN
        data = data_arg.value
        if isinstance(data, (cst.List, cst.Tuple)):
            elements = [element.value for element in data.elements]
            if not elements or any(isinstance(element, (cst.List, cst.Tuple)) for element in elements):
                return UNKNOWN  # rows of a matrix, not a vector of class indices
            if integer is None:
                integer = row.integer or all(int_literal(element) is not None for element in elements)
            return indices if integer else UNKNOWN
        inner = self._eval(data, env, scope)
        if integer or (integer is None and row.integer):
            return _sparse(call, inner)
        if inner.kind not in _TENSOR_KINDS:
            return UNKNOWN
        return inner if integer is None else inner.with_changes(integer=False)

    def _layer(self, layer, callee: str, call: cst.Call, env: Env, scope: Optional[Scope]) -> Value:
        units_arg = argument(call, layer.units)
        units = self._int(units_arg.value, env, scope) if units_arg is not None else None
        short = callee.rsplit(".", 1)[-1]
        activation_arg = argument(call, layer.activation)
        if activation_arg is None or _is_none(activation_arg.value):
            if layer.units is None:
                return UNKNOWN  # Activation() without an argument
            return Value(Kind.LAYER, node=call, produces_logits=True, classes=units,
                         origin=Origin(call, f"{short} layer without activation"))
        fn = self._activation_of(activation_arg.value)
        if fn is None:
            if string_literal(activation_arg.value) in apis.IDENTITY_ACTIVATION_STRINGS and layer.units is not None:
                return Value(Kind.LAYER, node=call, produces_logits=True, classes=units,
                             origin=Origin(call, f"{short} layer with linear activation"))
            return Value(Kind.LAYER, node=call)
        # Keras applies an `activation=` over the last axis (keras.activations.softmax(x, axis=-1)).
        how = f"{short} layer" if layer.units is None else f"{short} activation"  # Activation("softmax")
        return Value(Kind.LAYER, node=call, applies=fn, classes=units, axis=-1,
                     origin=Origin(call, f"{fn.value} ({how})", activation_arg=activation_arg))

    def _activation_of(self, expr: cst.BaseExpression) -> Optional[Fn]:
        """`"softmax"`, `tf.nn.softmax` or `keras.activations.softmax` as an `activation=` value."""
        text = string_literal(expr)
        if text is not None:
            return knowledge.activation_string(text)
        api = knowledge.activation(self.ctx.qualify(expr))
        return api.fn if api is not None and api.form is Form.FUNCTION else None

    def _activate(self, fn: Fn, inner: Value, node: cst.CSTNode, input_expr: Optional[cst.BaseExpression],
                  axis: Union[int, str, None]) -> Value:
        if fn is Fn.LOG:
            if inner.kind is Kind.PROBABILITIES and inner.fn in _LOG_OF:
                return inner.with_changes(kind=Kind.LOG_PROBABILITIES, fn=_LOG_OF[inner.fn])
            return UNKNOWN
        origin = Origin(node, fn.value, activation_call=node if isinstance(node, cst.Call) else None,
                        activation_input=input_expr)
        return Value(_PROBABILITY_FNS[fn], fn=fn, origin=origin, classes=inner.classes, axis=axis)

    def _apply(self, target: Value, call: cst.Call, env: Env, scope: Optional[Scope]) -> Value:
        if target.kind is Kind.LAYER:
            inner = self._eval(call.args[0].value, env, scope) if len(call.args) == 1 else UNKNOWN
            return self._apply_layer(target, inner, call)
        if target.kind is Kind.MODEL:
            return self._model_output(target)
        if target.kind is Kind.CLASS:
            assert isinstance(target.node, cst.ClassDef)
            return self._instance(target.node)
        if target.kind is Kind.FUNCTION:
            assert isinstance(target.node, cst.FunctionDef)
            return self._returns(target.node)
        return UNKNOWN

    def _apply_layer(self, layer: Value, inner: Value, call: Optional[cst.CSTNode]) -> Value:
        if layer.applies is not None:
            kind = _PROBABILITY_FNS.get(layer.applies)
            if kind is None:
                return UNKNOWN
            return Value(kind, fn=layer.applies, origin=layer.origin, classes=layer.classes or inner.classes,
                         axis=layer.axis)
        if layer.produces_logits:
            return Value(Kind.LOGITS, origin=layer.origin, classes=layer.classes)
        return UNKNOWN

    def layer_inputs(self, layers: Iterable[Value]) -> list[tuple[Value, Value]]:
        """Each layer of a sequential model with the value it receives from the layers before it."""
        pairs: list[tuple[Value, Value]] = []
        inner = UNKNOWN
        for layer in layers:
            pairs.append((layer, inner))
            inner = self._through(layer, inner)
        return pairs

    def _fold(self, layers: Iterable[Value]) -> Value:
        output = UNKNOWN
        for layer in layers:
            output = self._through(layer, output)
        return output

    def _through(self, layer: Value, inner: Value) -> Value:
        if layer.kind is Kind.LAYER:
            return self._apply_layer(layer, inner, None)
        return self._model_output(layer) if layer.kind is Kind.MODEL else UNKNOWN

    def _sequence(self, expr: cst.BaseExpression, env: Env, scope: Optional[Scope]) -> Optional[tuple[Value, ...]]:
        if isinstance(expr, (cst.List, cst.Tuple)):
            if any(isinstance(element, cst.StarredElement) for element in expr.elements):
                return None
            return tuple(self._eval(element.value, env, scope) for element in expr.elements)
        return None

    def _model_output(self, model: Value) -> Value:
        return model.output if model.output is not None else UNKNOWN

    # ------------------------------------------------------------ local classes and functions
    def _instance(self, cls: cst.ClassDef) -> Value:
        framework = self._model_framework(cls)
        if framework is None:
            return UNKNOWN
        method = "forward" if framework == "torch" else "call"
        body = _method(cls, method)
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
        collector = _SelfAssignments()
        walk.visit(cls.body, collector)
        values: dict[str, Value] = {}
        for attribute, expr in collector.assignments:
            if expr is not None and _is_none(expr):
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
        return name in _parameters(scope) or name in self._state(scope).assigned

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


_TENSOR_KINDS = frozenset({Kind.PROBABILITIES, Kind.LOG_PROBABILITIES, Kind.LOGITS, Kind.SPARSE_LABELS,
                           Kind.ONE_HOT_LABELS})
_OUTPUTS = apis.Param("outputs", 1)


def _sparse(call: cst.CSTNode, inner: Value) -> Value:
    """An integer cast: one-hot stays one-hot (now integer), anything else becomes class indices."""
    if inner.kind is Kind.ONE_HOT_LABELS:
        return inner.with_changes(integer=True)
    return Value(Kind.SPARSE_LABELS, origin=Origin(call, "integer class labels"), integer=True)


def _sized(classes: Optional[int]) -> Value:
    """A tensor of unknown meaning whose last axis has `classes` entries."""
    return Value(Kind.UNKNOWN, classes=classes) if classes is not None else UNKNOWN


def _reshaped(method: str, value: Value) -> Value:
    """A shape method may move or resize the class axis: its size and position are no longer known."""
    return value.with_changes(classes=None, axis=None) if method in apis.SHAPE_CHANGING_METHODS else value


def _casts_to_integer(ctx: "FileContext", args: Sequence[cst.Arg]) -> bool:
    target = _cast_target(ctx, args)
    return target in apis.INTEGER_DTYPES or target in apis.INTEGER_DTYPE_STRINGS


def _casts_to_float(ctx: "FileContext", args: Sequence[cst.Arg]) -> bool:
    return _cast_target(ctx, args) in apis.FLOAT_DTYPES


def _cast_target(ctx: "FileContext", args: Sequence[cst.Arg]) -> Optional[str]:
    """The dtype named by a cast's arguments: a string, `int`/`float`, or a qualified name."""
    for arg in args:
        if arg.keyword is not None and arg.keyword.value not in ("dtype",):
            continue
        text = string_literal(arg.value)
        if text is not None:
            return text
        if isinstance(arg.value, cst.Name) and arg.value.value in ("int", "float"):
            return arg.value.value
        qualified = ctx.qualify(arg.value)
        if qualified is not None:
            return qualified
    return None


def _visibly_matrix(call: cst.Call, shape: Optional[Param]) -> bool:
    """A literal shape of rank two or more whose last size is not 1 (`(n, 1)` still holds indices)."""
    if shape is None:
        return False
    arg = argument(call, shape)
    value = arg.value if arg is not None else None
    if value is None and shape.position is None:
        value = next((a.value for a in call.args if a.keyword is None and isinstance(a.value, (cst.Tuple, cst.List))),
                     None)
    if not isinstance(value, (cst.Tuple, cst.List)):
        return False
    sizes = value.elements
    return len(sizes) >= 2 and int_literal(sizes[-1].value) != 1


def _axis(expr: Optional[cst.BaseExpression], api) -> Union[int, str, None]:
    if expr is None:
        return api.axis_default
    number = int_literal(expr)
    return number if number is not None else "unknown"


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _block(body: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    if isinstance(body, cst.IndentedBlock):
        return body.body
    if isinstance(body, cst.SimpleStatementSuite):
        return list(body.body)
    return ()


def _method(cls: cst.ClassDef, name: str) -> Optional[cst.FunctionDef]:
    for statement in _block(cls.body):
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None


def _self_attribute(target: cst.BaseExpression) -> Optional[str]:
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
        return target.attr.value
    return None


def _single_output(outputs: cst.BaseExpression) -> cst.BaseExpression:
    """`Model(inputs, [out])` has the one output `out`."""
    if isinstance(outputs, (cst.List, cst.Tuple)) and len(outputs.elements) == 1 \
            and isinstance(outputs.elements[0], cst.Element):
        return outputs.elements[0].value
    return outputs


def _is_method_receiver(ctx: "FileContext", function: cst.FunctionDef) -> bool:
    """`function` is defined directly in a class body and takes `self` first."""
    params = function.params.params
    if not params or params[0].name.value != "self":
        return False
    block = ctx.parent(function)
    return block is not None and isinstance(ctx.parent(block), cst.ClassDef)


def _parameters(function: cst.FunctionDef) -> set[str]:
    params = function.params
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.add(star.name.value)
    return names


def _merge_envs(a: Env, b: Env) -> Env:
    if a is b:
        return a
    merged: Env = {}
    for name in a.keys() | b.keys():
        merged[name] = merge(a[name], b[name]) if name in a and name in b else UNKNOWN
    return merged


def _assigned_names(node: cst.CSTNode) -> set[str]:
    collector = _Stores()
    walk.visit(node, collector)
    return collector.names


class _Stores(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def _add(self, target: cst.BaseExpression) -> None:
        for element in _flatten(target):
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


class _SelfAssignments(cst.CSTVisitor):
    """`self.x = value` (and `self.x += ...`, recorded as unknown) in a class's methods."""

    def __init__(self) -> None:
        self.assignments: list[tuple[str, Optional[cst.BaseExpression]]] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            for element in _flatten(target.target):
                attribute = _self_attribute(element)
                if attribute is not None:
                    single = element is target.target
                    self.assignments.append((attribute, node.value if single else None))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        attribute = _self_attribute(node.target)
        if attribute is not None:
            self.assignments.append((attribute, None))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        attribute = _self_attribute(node.target)
        if attribute is not None:
            self.assignments.append((attribute, node.value))


def _flatten(target: cst.BaseExpression) -> Iterable[cst.BaseExpression]:
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _flatten(element.value)
    else:
        yield target


class _NameStores(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.stores: list[cst.Name] = []

    def _targets(self, target: Optional[cst.CSTNode]) -> None:
        if isinstance(target, cst.BaseExpression):
            for element in _flatten(target):
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


class _NameLoads(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.count += 1

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        return not (isinstance(node.target, cst.Name) and node.target.value == self.name)
