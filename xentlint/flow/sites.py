"""Loss sites: every place where a prediction and a label meet a cross-entropy loss.

A site is a direct call (`F.cross_entropy(p, y)`), a call of a loss object
(`criterion(model(x), y)`, `self.loss_fn(...)`, `nn.BCELoss()(p, y)`), a call of a loss
wrapper (a function or method whose body returns a loss call on its parameters: the site is
each call of the wrapper, whose arguments are the tensors), or a Keras
`model.compile(loss=...)` whose prediction is the model's output and whose label comes
from `model.fit(x, y)` in the same scope.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from xentlint import knowledge
from xentlint.cst_build import bool_literal, string_literal
from xentlint.flow.values import UNKNOWN, Kind, Value, held_loss, merge
from xentlint.knowledge import apis
from xentlint.flow.names import passed_argument, plain_params, self_attribute
from xentlint.flow.trainers import Pairing, trainer_pairing
from xentlint.knowledge.schema import Expects, Form, Loss, argument, has_star_args

if TYPE_CHECKING:
    from xentlint.context import FileContext


@dataclass(frozen=True)
class LossSite:
    report: cst.Call  # where flow findings are reported
    api: Loss
    # The call that passes the tensors (None for compile) and the constructor of a loss object.
    call: Optional[cst.Call]
    constructor: Optional[cst.Call]
    prediction: Value
    prediction_arg: Optional[cst.Arg]
    label: Value
    label_arg: Optional[cst.Arg]
    # `from_logits`: the argument that sets it (None: absent) and its value (None: not a literal).
    from_logits_arg: Optional[cst.Arg]
    from_logits: Optional[bool]
    # For compile(): the `loss=` argument, e.g. the string "categorical_crossentropy".
    compile_loss_arg: Optional[cst.Arg] = None
    # A call of a loss wrapper: the wrapper's name (the loss call is inside it; `call` is the
    # wrapper's call, so fixes, which would edit the wrong call, are not offered).
    wrapper: Optional[str] = None
    # Where a framework or a reference pairs the model with the loss (`criterion=` of
    # `NeuralNetClassifier`, `loss_fn`, a reference to `binary_cross_entropy_with_logits`), for messages.
    place: Optional[str] = None
    # The loss is not spelled at `call`/`constructor` as the table names it (a reference, a
    # `getattr`, a library argument): edits of the loss would land on the wrong code.
    fixable: bool = True
    # A training library's site: the model it was given (the prediction is its output).
    model: Optional[cst.BaseExpression] = None

    @property
    def expects(self) -> Optional[Expects]:
        """What the loss wants as its prediction; None when `from_logits` is not a literal."""
        if self.api.from_logits is None:
            return self.api.expects
        if self.from_logits is None:
            return None
        return Expects.LOGITS if self.from_logits else Expects.PROBABILITIES

    @property
    def compiled(self) -> bool:
        return self.call is None

    def describe(self) -> str:
        """How the user spelled the loss, e.g. `CategoricalCrossentropy(from_logits=True)`."""
        short = self.api.names[0].rsplit(".", 1)[-1]
        if self.wrapper is not None:
            return f"{self.wrapper}() calling {short}"
        if self.compile_loss_arg is not None and string_literal(self.compile_loss_arg.value) is not None:
            return f'"{short}"'
        if self.api.from_logits is not None and self.from_logits is not None:
            return f"{short}(from_logits={self.from_logits})"
        return short


def loss_sites(ctx: "FileContext") -> Iterator[LossSite]:
    for site in _sites(ctx):
        step = _lightning_step(ctx, site.report)
        if step is not None:
            site = replace(site, place=f"{site.place}, in `{step}`" if site.place else f"in `{step}`")
        yield site


def _lightning_step(ctx: "FileContext", call: cst.Call) -> Optional[str]:
    """The `training_step`/`validation_step`/`test_step` of a LightningModule whose body holds `call`."""
    method = ctx.flow.enclosing_scope(call)
    if not isinstance(method, cst.FunctionDef) or method.name.value not in apis.LIGHTNING_STEPS:
        return None
    cls = ctx.flow.enclosing_class(method)
    if cls is None or method not in cls.body.body or not ctx.flow.derives_from(cls, apis.LIGHTNING_MODULE):
        return None
    return method.name.value


def _sites(ctx: "FileContext") -> Iterator[LossSite]:
    flow = ctx.flow
    # Only a loss constructed or referenced somewhere in this file can be called as a loss object.
    loss_objects = _holds_losses(ctx)
    wrappers = _wrappers(ctx, loss_objects)
    wrapper_calls = _wrapper_calls(ctx, wrappers)
    # A wrapper that is called here is reported where it is called, with what each call passes.
    inner_calls = {wrapper.inner for _call, _target, wrapper in wrapper_calls.values()}
    for call in ctx.calls:
        if call in inner_calls:
            continue
        if call in wrapper_calls:
            site = _wrapper_site(ctx, *wrapper_calls[call])
            if site is not None:
                yield site
            continue
        api = knowledge.loss(ctx.callee(call))
        if api is not None and api.form is Form.FUNCTION:
            yield _tensor_site(ctx, call, api, None)
            continue
        if api is None and knowledge.trainer(ctx.callee(call)) is not None:
            pairing = trainer_pairing(ctx, call)
            if pairing is not None:
                yield _trainer_site(ctx, call, pairing)
            continue
        if self_attribute(call.func) in apis.KERAS_STEP_LOSSES:
            site = _step_site(ctx, call)
            if site is not None:
                yield site
                continue
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "compile":
            site = _compile_site(ctx, call)
            if site is not None:
                yield site
            continue
        if api is not None or not loss_objects:
            continue  # constructing a loss object (its calls are the sites), or no loss object at all
        target = flow.value(call.func)
        held = held_loss(target)
        if held is not None:
            api, constructor = held
            site = _tensor_site(ctx, call, api, constructor)
            if constructor is None or ctx.callee(constructor) is None:
                site = replace(site, fixable=False, place=_reference_place(ctx, call, target))
            if target.foreign is not None and api.form is Form.CLASS:
                site = replace(site, from_logits=target.foreign.from_logits)
            yield site
        elif target.kind is Kind.FUNCTION and target.foreign is not None and target.foreign.prediction is not None:
            site = _imported_wrapper_site(ctx, call, target)
            if site is not None:
                yield site


def _reference_place(ctx: "FileContext", call: cst.Call, target: Value) -> Optional[str]:
    """`through `loss_fn`, set at line 12`."""
    assert target.node is not None
    name = ctx.short_code(call.func, 30)
    if target.origin is not None and target.origin.elsewhere is not None:
        return f"through `{name}`, set at {target.origin.elsewhere}" if name else f"set at {target.origin.elsewhere}"
    return f"through `{name}`, set at line {ctx.line_of(target.node)}" if name else None


def _holds_losses(ctx: "FileContext") -> bool:
    """The file constructs a loss object or names a loss function without calling it (a
    reference kept for later, a `getattr(nn, "...")` constructor)."""
    for call in ctx.calls:
        api = knowledge.loss(ctx.callee(call))
        if api is not None and api.form is Form.CLASS or isinstance(call.func, cst.Call):
            return True
        for arg in call.args:
            api = knowledge.loss(ctx.qualify(arg.value))
            if api is not None and api.form is Form.FUNCTION:
                return True
    return any(isinstance(node, (cst.Assign, cst.Param)) and _names_loss_function(ctx, node) for node in ctx.nodes()) \
        or ctx.flow.imports_project_modules()  # their loss objects and wrappers


def _names_loss_function(ctx: "FileContext", node: "cst.Assign | cst.Param") -> bool:
    value = node.value if isinstance(node, cst.Assign) else node.default
    api = knowledge.loss(ctx.qualify(value)) if value is not None else None
    return api is not None and api.form is Form.FUNCTION


@dataclass(frozen=True)
class _Wrapper:
    """`def adversarial_loss(self, y_hat, y): return F.binary_cross_entropy(y_hat, y)`."""

    function: cst.FunctionDef
    inner: cst.Call  # the loss call it returns
    api: Loss
    constructor: Optional[cst.Call]
    prediction: str  # the parameter passed as the loss's prediction
    label: Optional[str]  # the parameter passed as its label (None: the label is not a parameter)


def loss_wrapper(ctx: "FileContext", function: cst.FunctionDef) -> Optional[_Wrapper]:
    """`function` as a loss wrapper, when it is one (for what a module exports)."""
    return _wrappers(ctx, loss_objects=True, within=function).get(function)


def _wrappers(ctx: "FileContext", loss_objects: bool,
              within: Optional[cst.FunctionDef] = None) -> dict[cst.FunctionDef, _Wrapper]:
    """Functions and methods whose body is `return <loss call>` on their parameters (`within`: that
    function only)."""
    found: dict[cst.FunctionDef, _Wrapper] = {}
    for call in ctx.calls:
        statement = ctx.parent(call)
        if not isinstance(statement, cst.Return) or statement.value is not call:
            continue
        function = _sole_statement_of(ctx, statement)
        if function is None or (within is not None and function is not within):
            continue
        api = knowledge.loss(ctx.callee(call))
        constructor: Optional[cst.Call] = None
        if api is None and loss_objects:
            held = held_loss(ctx.flow.value(call.func))
            if held is not None:
                api, constructor = held
        elif api is not None and api.form is not Form.FUNCTION:
            api = None
        if api is None or has_star_args(call):
            continue
        prediction, label = argument(call, api.prediction), argument(call, api.label)
        parameters = {param.name.value for param in plain_params(function)}
        prediction_name = _name_of(prediction)
        if prediction_name not in parameters or ctx.flow.stores(function.body, prediction_name):
            continue
        label_name = _name_of(label)
        if label_name not in parameters or ctx.flow.stores(function.body, label_name):
            label_name = None
        found[function] = _Wrapper(function, call, api, constructor, prediction_name, label_name)
    return found


def _wrapper_calls(ctx: "FileContext",
                   wrappers: dict[cst.FunctionDef, _Wrapper]) -> dict[cst.Call, tuple[cst.Call, Value, _Wrapper]]:
    names = {function.name.value for function in wrappers}
    found: dict[cst.Call, tuple[cst.Call, Value, _Wrapper]] = {}
    for call in ctx.calls:
        if _called_name(call) in names:
            target = ctx.flow.value(call.func)
            wrapper = wrappers.get(target.node) if isinstance(target.node, cst.FunctionDef) else None
            if wrapper is not None and target.kind is Kind.FUNCTION:
                found[call] = (call, target, wrapper)
    return found


def _sole_statement_of(ctx: "FileContext", statement: cst.Return) -> Optional[cst.FunctionDef]:
    """The function whose body is only `statement` (after a docstring)."""
    line = ctx.parent(statement)
    body = ctx.parent(line) if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 else None
    if not isinstance(body, cst.IndentedBlock):
        return None
    function = ctx.parent(body)
    if not isinstance(function, cst.FunctionDef) or function.asynchronous is not None:
        return None
    rest = [other for other in body.body if other is not line]
    if len(rest) > 1 or (rest and not _is_docstring(rest[0])):
        return None
    return function


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _name_of(arg: Optional[cst.Arg]) -> Optional[str]:
    return arg.value.value if arg is not None and isinstance(arg.value, cst.Name) else None


def _called_name(call: cst.Call) -> Optional[str]:
    """`f` of `f(...)` and of `self.f(...)`."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value
    return self_attribute(func)


def _wrapper_site(ctx: "FileContext", call: cst.Call, target: Value, wrapper: _Wrapper) -> Optional[LossSite]:
    passed = ctx.flow.arguments_passed(wrapper.function, call, target.bound)
    if passed is None:
        return None
    by_value = {id(arg.value): arg for arg in call.args}
    prediction_arg = by_value.get(id(passed.get(wrapper.prediction)))
    label_arg = by_value.get(id(passed.get(wrapper.label))) if wrapper.label is not None else None
    if prediction_arg is None:
        return None
    flag_call = wrapper.constructor if wrapper.api.form is Form.CLASS else wrapper.inner
    from_logits_arg = argument(flag_call, wrapper.api.from_logits) if flag_call is not None else None
    return LossSite(
        report=call,
        api=wrapper.api,
        call=call,
        constructor=wrapper.constructor,
        prediction=ctx.flow.value(prediction_arg.value),
        prediction_arg=prediction_arg,
        label=ctx.flow.value(label_arg.value) if label_arg is not None else UNKNOWN,
        label_arg=label_arg,
        from_logits_arg=from_logits_arg,
        from_logits=_flag(from_logits_arg, wrapper.api.from_logits_default),
        wrapper=wrapper.function.name.value,
    )


def _imported_wrapper_site(ctx: "FileContext", call: cst.Call, target: Value) -> Optional[LossSite]:
    """A call of another module's loss wrapper: its arguments are the loss's tensors."""
    wrapper = target.foreign
    assert wrapper is not None and wrapper.prediction is not None and target.origin is not None
    api = knowledge.loss(wrapper.loss)
    prediction_arg = passed_argument(call, wrapper.prediction)
    if api is None or prediction_arg is None:
        return None
    label_arg = passed_argument(call, wrapper.label) if wrapper.label is not None else None
    name = ctx.short_code(call.func, 30) or api.names[0].rsplit(".", 1)[-1]
    return LossSite(
        report=call,
        api=api,
        call=call,
        constructor=None,
        prediction=ctx.flow.value(prediction_arg.value),
        prediction_arg=prediction_arg,
        label=ctx.flow.value(label_arg.value) if label_arg is not None else UNKNOWN,
        label_arg=label_arg,
        from_logits_arg=None,
        from_logits=wrapper.from_logits,
        wrapper=name,
        place=f"at {target.origin.elsewhere}",
        fixable=False,
    )


def _tensor_site(ctx: "FileContext", call: cst.Call, api: Loss, constructor: Optional[cst.Call]) -> LossSite:
    prediction_arg = argument(call, api.prediction)
    label_arg = argument(call, api.label)
    flag_call = constructor if api.form is Form.CLASS else call
    from_logits_arg = argument(flag_call, api.from_logits) if flag_call is not None else None
    return LossSite(
        report=call,
        api=api,
        call=call,
        constructor=constructor,
        prediction=ctx.flow.value(prediction_arg.value) if prediction_arg else UNKNOWN,
        prediction_arg=prediction_arg,
        label=ctx.flow.value(label_arg.value) if label_arg else UNKNOWN,
        label_arg=label_arg,
        from_logits_arg=from_logits_arg,
        from_logits=_flag(from_logits_arg, api.from_logits_default),
    )


def _trainer_site(ctx: "FileContext", call: cst.Call, pairing: Pairing) -> LossSite:
    return LossSite(
        report=call,
        api=pairing.api,
        call=call,
        constructor=pairing.constructor,
        prediction=pairing.prediction,
        prediction_arg=pairing.tensor,
        label=UNKNOWN,
        label_arg=None,
        from_logits_arg=pairing.from_logits_arg,
        from_logits=pairing.from_logits,
        place=pairing.place,
        fixable=False,
        model=pairing.model,
    )


def _compile_site(ctx: "FileContext", call: cst.Call) -> Optional[LossSite]:
    assert isinstance(call.func, cst.Attribute)
    model = ctx.flow.value(call.func.value)
    if model.kind is not Kind.MODEL or not model.keras:
        return None
    if isinstance(model.node, cst.ClassDef) and ctx.flow.method_of(model.node, apis.KERAS_TRAIN_STEP) is not None:
        return None  # its own train_step pairs the compiled loss (a site there, if it calls it)
    loss_arg = argument(call, apis.KERAS_COMPILE_LOSS)
    if loss_arg is None:
        return None
    api, constructor = _compiled_loss(ctx, loss_arg.value)
    if api is None:
        return None
    from_logits_arg = argument(constructor, api.from_logits) if constructor is not None else None
    held = ctx.flow.value(loss_arg.value)  # a loss object another module constructs: its options are there
    imported = held.origin if held.kind is Kind.LOSS and held.foreign is not None and api.form is Form.CLASS else None
    from_logits = held.foreign.from_logits if imported is not None and held.foreign is not None \
        else _flag(from_logits_arg, api.from_logits_default)
    return LossSite(
        report=call,
        api=api,
        call=None,
        constructor=constructor,
        prediction=model.output or UNKNOWN,
        prediction_arg=None,
        label=_fit_labels(ctx, call.func.value),
        label_arg=None,
        from_logits_arg=from_logits_arg,
        from_logits=from_logits,
        compile_loss_arg=loss_arg,
        place=f"set at {imported.elsewhere}" if imported is not None else None,
        fixable=imported is None,
    )


def _step_site(ctx: "FileContext", call: cst.Call) -> Optional[LossSite]:
    """`self.compiled_loss(y, y_pred)` in a Keras model's own step: the loss every `compile` of the
    module's instances of that class gives."""
    assert isinstance(call.func, cst.Attribute)
    model = ctx.flow.value(call.func.value)
    if model.kind is not Kind.MODEL or not model.keras or not isinstance(model.node, cst.ClassDef) \
            or ctx.flow.value(call.func).kind is not Kind.UNKNOWN or has_star_args(call):
        return None  # not a Keras model's self, or an attribute the class sets itself
    compiled = [compile_call for compile_call in ctx.calls if isinstance(compile_call.func, cst.Attribute)
                and compile_call.func.attr.value == "compile"
                and ctx.flow.value(compile_call.func.value).node is model.node]
    losses = {_compiled_loss(ctx, arg.value) if arg is not None else (None, None)
              for arg in (argument(compile_call, apis.KERAS_COMPILE_LOSS) for compile_call in compiled)}
    if len(losses) != 1:
        return None
    api, constructor = losses.pop()
    if api is None:
        return None
    label_param, prediction_param = apis.KERAS_STEP_LOSSES[call.func.attr.value]
    prediction_arg, label_arg = argument(call, prediction_param), argument(call, label_param)
    if prediction_arg is None:
        return None
    from_logits_arg = argument(constructor, api.from_logits) if constructor is not None else None
    step = ctx.flow.enclosing_scope(call)
    where = f" in `{step.name.value}`" if isinstance(step, cst.FunctionDef) else ""
    return LossSite(
        report=call,
        api=api,
        call=call,
        constructor=constructor,
        prediction=ctx.flow.value(prediction_arg.value),
        prediction_arg=prediction_arg,
        label=ctx.flow.value(label_arg.value) if label_arg is not None else UNKNOWN,
        label_arg=label_arg,
        from_logits_arg=from_logits_arg,
        from_logits=_flag(from_logits_arg, api.from_logits_default),
        place=f"compiled at line {ctx.line_of(compiled[0])}, computed by `self.{call.func.attr.value}`{where}",
        fixable=False,
    )


def _compiled_loss(ctx: "FileContext", expr: cst.BaseExpression) -> tuple[Optional[Loss], Optional[cst.Call]]:
    text = string_literal(expr)
    if text is not None:
        return knowledge.loss_by_string(text), None
    direct = knowledge.loss(ctx.qualify(expr))
    if direct is not None and direct.form is Form.FUNCTION:
        return direct, None
    held = held_loss(ctx.flow.value(expr))
    return held if held is not None else (None, None)


def fit_calls(ctx: "FileContext", model_expr: cst.BaseExpression) -> list[cst.Call]:
    """The `model.fit(...)` calls for the same model name in the same scope."""
    if not isinstance(model_expr, cst.Name):
        return []
    scope = ctx.flow.enclosing_scope(model_expr)
    calls = []
    for call in ctx.calls:
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "fit"
                and isinstance(func.value, cst.Name) and func.value.value == model_expr.value):
            continue
        if ctx.flow.enclosing_scope(call) is scope:
            calls.append(call)
    return calls


def _fit_labels(ctx: "FileContext", model_expr: cst.BaseExpression) -> Value:
    """Labels passed to `model.fit(x, y)` for the same model name in the same scope."""
    result: Optional[Value] = None
    for call in fit_calls(ctx, model_expr):
        label_arg = argument(call, apis.KERAS_FIT_LABELS)
        value = ctx.flow.value(label_arg.value) if label_arg is not None else UNKNOWN
        result = value if result is None else merge(result, value)
    return result or UNKNOWN


def constructed_from_logits(call: Optional[cst.Call], api: Loss) -> Optional[bool]:
    """The `from_logits` that `call` (a loss's constructor, or the call of a loss function) sets."""
    arg = argument(call, api.from_logits) if call is not None else None
    return _flag(arg, api.from_logits_default)


def _flag(arg: Optional[cst.Arg], default: bool) -> Optional[bool]:
    if arg is None:
        return default
    return bool_literal(arg.value)
