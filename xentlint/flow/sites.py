"""Loss sites: every place where a prediction and a label meet a cross-entropy loss.

A site is a direct call (`F.cross_entropy(p, y)`), a call of a loss object
(`criterion(model(x), y)`, `self.loss_fn(...)`, `nn.BCELoss()(p, y)`), or a Keras
`model.compile(loss=...)` whose prediction is the model's output and whose label comes
from `model.fit(x, y)` in the same scope.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from xentlint import knowledge
from xentlint.flow.calls import bool_literal, string_literal
from xentlint.flow.values import UNKNOWN, Kind, Value, merge
from xentlint.knowledge import apis
from xentlint.knowledge.schema import Expects, Form, Loss, argument

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
        if self.compile_loss_arg is not None and string_literal(self.compile_loss_arg.value) is not None:
            return f'"{short}"'
        if self.api.from_logits is not None and self.from_logits is not None:
            return f"{short}(from_logits={self.from_logits})"
        return short


def loss_sites(ctx: "FileContext") -> Iterator[LossSite]:
    flow = ctx.flow
    # Only a loss constructed somewhere in this file can be called as a loss object.
    loss_objects = any(api.form is Form.CLASS for api in map(knowledge.loss, map(ctx.callee, ctx.calls)) if api)
    for call in ctx.calls:
        api = knowledge.loss(ctx.callee(call))
        if api is not None and api.form is Form.FUNCTION:
            yield _tensor_site(ctx, call, api, None)
            continue
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "compile":
            site = _compile_site(ctx, call)
            if site is not None:
                yield site
            continue
        if api is not None or not loss_objects:
            continue  # constructing a loss object (its calls are the sites), or no loss object at all
        target = flow.value(call.func)
        if target.kind is Kind.LOSS and target.loss is not None and isinstance(target.node, cst.Call):
            yield _tensor_site(ctx, call, target.loss, target.node)


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


def _compile_site(ctx: "FileContext", call: cst.Call) -> Optional[LossSite]:
    assert isinstance(call.func, cst.Attribute)
    model = ctx.flow.value(call.func.value)
    if model.kind is not Kind.MODEL or not model.keras:
        return None
    loss_arg = argument(call, apis.KERAS_COMPILE_LOSS)
    if loss_arg is None:
        return None
    api, constructor = _compiled_loss(ctx, loss_arg.value)
    if api is None:
        return None
    from_logits_arg = argument(constructor, api.from_logits) if constructor is not None else None
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
        from_logits=_flag(from_logits_arg, api.from_logits_default),
        compile_loss_arg=loss_arg,
    )


def _compiled_loss(ctx: "FileContext", expr: cst.BaseExpression) -> tuple[Optional[Loss], Optional[cst.Call]]:
    text = string_literal(expr)
    if text is not None:
        return knowledge.loss_by_string(text), None
    direct = knowledge.loss(ctx.qualify(expr))
    if direct is not None and direct.form is Form.FUNCTION:
        return direct, None
    value = ctx.flow.value(expr)
    if value.kind is Kind.LOSS and value.loss is not None and isinstance(value.node, cst.Call):
        return value.loss, value.node
    return None, None


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


def _flag(arg: Optional[cst.Arg], default: bool) -> Optional[bool]:
    if arg is None:
        return default
    return bool_literal(arg.value)
