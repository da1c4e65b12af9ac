"""Evaluation of expressions: activations, table APIs (losses, layers, models, label producers,
casts), layers and models applied to values, and the visible size of the class axis."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional, Sequence, Union

import libcst as cst

from xentlint import knowledge
from xentlint.cst_build import int_literal, is_none, string_literal
from xentlint.flow.calls import is_tensor_method_call, is_tensor_receiver, match_activation
from xentlint.flow.names import find_method, is_method_receiver, parameter_names, passed_argument
from xentlint.flow.statements import Env, Scope
from xentlint.flow.values import UNKNOWN, Kind, Origin, Value
from xentlint.knowledge import apis, libraries
from xentlint.knowledge.schema import Fn, Form, Labels, Param, TensorConstructor, argument

if TYPE_CHECKING:
    from xentlint.context import FileContext
    from xentlint.project import Exported

_PROBABILITY_FNS = {Fn.SOFTMAX: Kind.PROBABILITIES, Fn.SIGMOID: Kind.PROBABILITIES, Fn.SOFTMIN: Kind.PROBABILITIES,
                    Fn.LOG_SOFTMAX: Kind.LOG_PROBABILITIES, Fn.LOG_SIGMOID: Kind.LOG_PROBABILITIES}
_LOG_OF = {Fn.SOFTMAX: Fn.LOG_SOFTMAX, Fn.SIGMOID: Fn.LOG_SIGMOID}


class Expressions:
    """The expression half of `FlowAnalysis`."""

    ctx: "FileContext"

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
        if isinstance(expr, cst.Tuple):
            return self._eval_tuple(expr, env, scope)
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
        if env.get(name.value, UNKNOWN).kind is Kind.UNKNOWN:
            reference = self._loss_reference(name)  # `from torch.nn.functional import cross_entropy`
            if reference is not None:
                return reference
        if name.value in env:
            return self._resolved(env[name.value])
        if scope is None or isinstance(scope, cst.Module):
            return UNKNOWN
        if name.value == "self" and is_method_receiver(self.ctx, scope):
            return self._self_instance(scope)
        if name.value in self._state(scope).assigned:
            return UNKNOWN  # a local not bound on this path
        if name.value in parameter_names(scope):
            hooked = self._hook_model(scope, name)
            return hooked if hooked is not None else self._parameter_value(scope, name.value)
        # A name of an enclosing scope (a global model or loss object) that this function does not rebind.
        enclosing = self.enclosing_scope(scope)
        return self._resolved(self._state(enclosing).final.get(name.value, UNKNOWN))

    def _eval_attribute(self, attribute: cst.Attribute, env: Env, scope: Optional[Scope]) -> Value:
        if isinstance(attribute.value, cst.Name) and attribute.value.value == "self" and scope is not None:
            owner = self.enclosing_class(scope)
            if owner is not None:
                return self._self_attribute(owner, attribute.attr.value)
        if isinstance(attribute.value, cst.Name) and self.ctx.project_path is not None:
            module = self._eval(attribute.value, env, scope)
            if module.kind is Kind.MODULE:
                return self._module_attribute(module, attribute)
        if attribute.attr.value in _RECORD_FIELDS:  # `outputs.logits`
            return self._field(self._eval(attribute.value, env, scope), attribute.attr.value)
        reference = self._loss_reference(attribute)  # `loss_fn = F.cross_entropy`
        if reference is not None:
            return reference
        if attribute.attr.value in apis.MEANING_PRESERVING_ATTRIBUTES:
            inner = self._eval(attribute.value, env, scope)
            return inner if inner.kind in _TENSOR_KINDS else UNKNOWN
        return UNKNOWN

    def _hook_model(self, function: cst.FunctionDef, name: cst.Name) -> Optional[Value]:
        """The model a training library passes to the method it calls (`compute_loss(self, model, inputs)`
        of a Hugging Face `Trainer` subclass)."""
        owner = self.enclosing_class(function)
        if owner is None:
            return None
        for hook in libraries.TRAINER_HOOKS:
            if function.name.value == hook.method and name.value == hook.model \
                    and any(self.ctx.qualify(base.value) in hook.bases for base in owner.bases):
                parameter = next(param for param in function.params.params + function.params.kwonly_params
                                 if param.name.value == name.value) if name.value in parameter_names(function) else None
                return _record_model(parameter or name, f"model passed to `{hook.method}`", hook.logits_fields)
        return None

    def _field(self, record: Value, name: Optional[str]) -> Value:
        return dict(record.fields).get(name, UNKNOWN) if record.kind is Kind.RECORD and name else UNKNOWN

    def _loss_reference(self, expr: cst.BaseExpression) -> Optional[Value]:
        """A loss function named without being called: a reference that is called later."""
        api = knowledge.loss(self.ctx.qualify(expr))
        return Value(Kind.LOSS, node=expr, loss=api) if api is not None and api.form is Form.FUNCTION else None

    def _partial_loss(self, call: cst.Call, env: Env, scope: Optional[Scope]) -> Value:
        """`functools.partial(F.cross_entropy, label_smoothing=0.1)`: the loss function, when the
        partial binds only options by keyword (neither tensor nor `from_logits`)."""
        if not call.args or call.args[0].keyword is not None or call.args[0].star:
            return UNKNOWN
        function = self._eval(call.args[0].value, env, scope)
        loss = function.loss
        if function.kind is not Kind.LOSS or loss is None or loss.form is not Form.FUNCTION:
            return UNKNOWN
        bound = {loss.prediction.keyword, loss.label.keyword, loss.from_logits.keyword if loss.from_logits else ""}
        if any(arg.keyword is None or arg.keyword.value in bound for arg in call.args[1:]):
            return UNKNOWN
        return function.with_changes(node=call)

    def _getattr_callee(self, call: cst.Call) -> Optional[str]:
        """`getattr(nn, "CrossEntropyLoss")()`: the qualified name a literal `getattr` names."""
        getter = call.func
        if not (isinstance(getter, cst.Call) and isinstance(getter.func, cst.Name) and getter.func.value == "getattr"
                and len(getter.args) == 2 and not any(arg.keyword or arg.star for arg in getter.args)):
            return None
        owner, name = self.ctx.qualify(getter.args[0].value), string_literal(getter.args[1].value)
        return f"{owner}.{name}" if owner is not None and name is not None else None

    def _eval_subscript(self, subscript: cst.Subscript, env: Env, scope: Optional[Scope]) -> Value:
        # np.eye(n)[y] selects one-hot rows.
        base = subscript.value
        if isinstance(base, cst.Call) and self.ctx.callee(base) in apis.IDENTITY_MATRICES:
            return Value(Kind.ONE_HOT_LABELS, origin=Origin(subscript, "one-hot rows of an identity matrix"),
                         classes=self._int(base.args[0].value, env, scope) if base.args else None)
        # `outputs["logits"]` of a record.
        if len(subscript.slice) == 1 and isinstance(subscript.slice[0].slice, cst.Index):
            key = string_literal(subscript.slice[0].slice.value)
            if key in _RECORD_FIELDS:
                return self._field(self._eval(base, env, scope), key)
        # `out[1]` of a tuple, at a literal position.
        if len(subscript.slice) == 1 and isinstance(subscript.slice[0].slice, cst.Index):
            position = int_literal(subscript.slice[0].slice.value)
            container = self._eval(base, env, scope) if position is not None else UNKNOWN
            if container.kind in (Kind.TUPLE, Kind.RECORD) and position is not None and -len(container.items) <= position < len(
                    container.items):
                return container.items[position]
        return UNKNOWN

    def _eval_tuple(self, expr: cst.Tuple, env: Env, scope: Optional[Scope]) -> Value:
        if any(isinstance(element, cst.StarredElement) for element in expr.elements):
            return UNKNOWN
        return Value(Kind.TUPLE, items=tuple(self._eval(element.value, env, scope) for element in expr.elements))

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
        if callee in apis.PARTIALS:
            return self._partial_loss(call, env, scope)
        if callee is None and isinstance(call.func, cst.Call):
            callee = self._getattr_callee(call)
        if callee is not None:
            built = self._construct(callee, call, env, scope)
            if built is not None:
                return built
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            receiver = self._eval(call.func.value, env, scope)
            if receiver.kind is Kind.MODULE:  # `models.build()`: a project module's function
                return self._apply(self._module_attribute(receiver, call.func), call, env, scope)
            if receiver.kind is Kind.MODEL and method in apis.MODEL_OUTPUT_METHODS:
                own = find_method(receiver.node, method) if isinstance(receiver.node, cst.ClassDef) else None
                # A local class's own `predict` may post-process what `forward` returns.
                return self._returns(own) if own is not None else self._model_output(receiver)
            if receiver.kind is Kind.MODEL and method in apis.MODEL_SELF_METHODS and not receiver.keras:
                return receiver
            if receiver.kind is Kind.RECORD and method == "get" and len(call.args) == 1:  # `outputs.get("logits")`
                return self._field(receiver, string_literal(call.args[0].value))
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
        if _is_hf_logits_model(callee):
            return _record_model(call, "Hugging Face model", libraries.TRAINER_HOOKS[0].logits_fields)
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
            outputs = argument(call, _OUTPUTS) or argument(call, _KERAS1_OUTPUT)
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
            if elements and all(isinstance(element, (cst.List, cst.Tuple)) for element in elements):
                return self._literal_one_hot(call, elements, integer)
            if not elements or any(isinstance(element, (cst.List, cst.Tuple)) for element in elements):
                return UNKNOWN
            numbers = [int_literal(element) for element in elements]
            if any(number is not None and number < 0 for number in numbers):
                return UNKNOWN  # not class indices
            if integer is None:
                integer = row.integer or None not in numbers
            return indices if integer else UNKNOWN
        inner = self._eval(data, env, scope)
        if integer or (integer is None and row.integer):
            return _sparse(call, inner)
        if inner.kind not in _TENSOR_KINDS:
            return UNKNOWN
        return inner if integer is None else inner.with_changes(integer=False)

    def _literal_one_hot(self, call: cst.Call, rows: Sequence[cst.BaseExpression], integer: Optional[bool]) -> Value:
        """`np.array([[1, 0], [0, 1]])`: rows of 0/1 that each sum to one, all of one length (two or more)."""
        widths = set()
        for row in rows:
            assert isinstance(row, (cst.List, cst.Tuple))
            entries = [int_literal(element.value) for element in row.elements]
            if any(entry not in (0, 1) for entry in entries) or sum(entry or 0 for entry in entries) != 1:
                return UNKNOWN
            widths.add(len(entries))
        if len(widths) != 1 or widths == {1}:
            return UNKNOWN
        return Value(Kind.ONE_HOT_LABELS, origin=Origin(call, "one-hot rows"), classes=widths.pop(),
                     integer=integer is not False)

    def _layer(self, layer, callee: str, call: cst.Call, env: Env, scope: Optional[Scope]) -> Value:
        units_arg = argument(call, layer.units)
        units = self._int(units_arg.value, env, scope) if units_arg is not None else None
        short = callee.rsplit(".", 1)[-1]
        activation_arg = argument(call, layer.activation)
        if activation_arg is None and layer.activation_default is not None:
            return Value(Kind.LAYER, node=call)  # a hidden activation such as relu
        if activation_arg is None or is_none(activation_arg.value):
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
            output = self._model_output(target)
            if output.kind is Kind.RECORD and not any(arg.star or (arg.keyword and arg.keyword.value in
                                                                   libraries.HF_LOSS_ARGUMENTS) for arg in call.args):
                # Without labels the model computes no loss: its outputs start with the logits.
                return output.with_changes(items=(output.fields[0][1],))
            return output
        if target.kind in (Kind.CLASS, Kind.FUNCTION) and target.node is None:  # from another module
            if target.foreign is not None and target.foreign.passes is not None:
                return self._passed_through(target.foreign, call, env, scope)
            return target.output or UNKNOWN
        if target.kind is Kind.CLASS:
            assert isinstance(target.node, cst.ClassDef)
            return self._instance(target.node)
        if target.kind is Kind.FUNCTION and isinstance(target.node, cst.FunctionDef):
            return self._call_function(target, call, env, scope)
        return UNKNOWN

    def _passed_through(self, function: "Exported", call: cst.Call, env: Env, scope: Optional[Scope]) -> Value:
        """A call of another module's function that returns its parameter, or that parameter's output."""
        assert function.passes is not None
        arg = passed_argument(call, function.passes)
        value = self._eval(arg.value, env, scope) if arg is not None else UNKNOWN
        if not function.passes_output:
            return value
        return self._model_output(value) if value.kind is Kind.MODEL else UNKNOWN

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



_TENSOR_KINDS = frozenset({Kind.PROBABILITIES, Kind.LOG_PROBABILITIES, Kind.LOGITS, Kind.SPARSE_LABELS,
                           Kind.ONE_HOT_LABELS})
_OUTPUTS = apis.Param("outputs", 1)
_KERAS1_OUTPUT = apis.Param("output")  # Keras 1: Model(input=..., output=...)


_RECORD_FIELDS = frozenset(field for hook in libraries.TRAINER_HOOKS for field in hook.logits_fields)


def _is_hf_logits_model(callee: str) -> bool:
    """`transformers.AutoModelForSequenceClassification.from_pretrained`,
    `transformers.BertForSequenceClassification`."""
    parts = callee.split(".")
    if parts[0] != libraries.HF_PACKAGE:
        return False
    model_class = parts[-2] if parts[-1] in libraries.HF_CONSTRUCTORS and len(parts) > 2 else parts[-1]
    return model_class.endswith(libraries.HF_LOGITS_MODEL_SUFFIXES)


def _record_model(node: cst.CSTNode, description: str, logits_fields: tuple[str, ...]) -> Value:
    """A model whose call returns named outputs, `logits_fields` among them."""
    logits = Value(Kind.LOGITS, origin=Origin(node, f"logits of the {description}"))
    fields = tuple((name, logits) for name in logits_fields)
    return Value(Kind.MODEL, node=node, output=Value(Kind.RECORD, fields=fields))


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


def _single_output(outputs: cst.BaseExpression) -> cst.BaseExpression:
    """`Model(inputs, [out])` has the one output `out`."""
    if isinstance(outputs, (cst.List, cst.Tuple)) and len(outputs.elements) == 1 \
            and isinstance(outputs.elements[0], cst.Element):
        return outputs.elements[0].value
    return outputs

