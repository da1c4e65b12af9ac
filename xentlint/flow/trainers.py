"""Training libraries as loss sites: a call that hands a model and a loss to a library
(`NeuralNetClassifier(module=Net, criterion=nn.CrossEntropyLoss)`, Ignite's
`create_supervised_trainer(model, optimizer, loss_fn)`, fastai's `Learner(dls, model, loss_func=...)`)
pairs the model's output with the loss, as the knowledge table's `Trainer` rows say.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from xentlint import knowledge
from xentlint.cst_build import bool_literal, string_literal
from xentlint.flow.values import UNKNOWN, Kind, Value, held_loss
from xentlint.knowledge.schema import Loss, Trainer, argument, has_star_args

if TYPE_CHECKING:
    from xentlint.context import FileContext


@dataclass(frozen=True)
class Pairing:
    """What a library call pairs: the model's output with a loss."""

    api: Loss
    constructor: Optional[cst.Call]  # the loss object's constructor, when one is passed
    model: Optional[cst.BaseExpression]  # the model argument (an instance or a class)
    tensor: Optional[cst.Arg]  # or the output tensor itself, when the library takes that
    prediction: Value  # the model's output
    place: str  # "`criterion=` of `NeuralNetClassifier`"
    from_logits_arg: Optional[cst.Arg]
    from_logits: Optional[bool]


def trainer_pairing(ctx: "FileContext", call: cst.Call) -> Optional[Pairing]:
    row = knowledge.trainer(ctx.callee(call))
    if row is None or has_star_args(call) \
            or any(arg.keyword is not None and arg.keyword.value in row.transforms for arg in call.args):
        return None
    model_arg = argument(call, row.model)
    if model_arg is None:
        return None
    loss_arg = argument(call, row.loss)
    if row.loss_metric is not None:
        loss_arg = _metric_loss(ctx, row, loss_arg)
        if loss_arg is None:
            return None
    if loss_arg is not None:
        held = _named_loss(ctx, row, loss_arg.value) or held_loss(ctx.flow.value(loss_arg.value))
    else:
        default = knowledge.loss(dict(row.loss_strings).get(row.loss_default or "", row.loss_default))
        held = (default, None) if default is not None else None
    if held is None:
        return None
    api, constructor = held
    if set(api.names) & set(row.adapted) or (constructor is not None and has_star_args(constructor)):
        return None
    from_logits_arg = argument(constructor, api.from_logits) if constructor is not None else None
    from_logits = api.from_logits_default if from_logits_arg is None else bool_literal(from_logits_arg.value)
    model = ctx.flow.value(model_arg.value)
    tensor = model.kind in (Kind.PROBABILITIES, Kind.LOG_PROBABILITIES, Kind.LOGITS)  # tflearn's `incoming`
    return Pairing(api, constructor, None if tensor else model_arg.value, model_arg if tensor else None,
                   model if tensor else _model_output(ctx, model), _place(ctx, call, row, loss_arg),
                   from_logits_arg, from_logits)


def _named_loss(ctx: "FileContext", row: Trainer,
                expr: cst.BaseExpression) -> Optional[tuple[Loss, Optional[cst.Call]]]:
    """A loss class or function named without a call (`criterion=nn.CrossEntropyLoss`), or by the
    library's own name for it (`loss="binary_crossentropy"`)."""
    text = string_literal(expr)
    api = knowledge.loss(dict(row.loss_strings).get(text) if text is not None else ctx.qualify(expr))
    return (api, None) if api is not None else None


def _metric_loss(ctx: "FileContext", row: Trainer, metrics: Optional[cst.Arg]) -> Optional[cst.Arg]:
    """The loss given to the one loss metric of a literal dict (`{"loss": Loss(criterion)}`), when
    the metric takes nothing else (an `output_transform=` changes what reaches the loss)."""
    assert row.loss_metric is not None
    names, loss_param = row.loss_metric
    if metrics is None or not isinstance(metrics.value, cst.Dict):
        return None
    found = [element.value for element in metrics.value.elements
             if isinstance(element.value, cst.Call) and ctx.callee(element.value) in names]
    if len(found) != 1 or len(found[0].args) != 1:
        return None
    return argument(found[0], loss_param)


def _model_output(ctx: "FileContext", model: Value) -> Value:
    """What the model (an instance, or a class the library instantiates) returns."""
    if model.kind is Kind.CLASS and isinstance(model.node, cst.ClassDef):
        model = ctx.flow.instance_of(model.node)
    if model.kind is not Kind.MODEL or model.keras:
        return UNKNOWN
    return model.output or UNKNOWN


def _place(ctx: "FileContext", call: cst.Call, row: Trainer, loss_arg: Optional[cst.Arg]) -> str:
    library = (ctx.callee(call) or row.names[0]).rsplit(".", 1)[-1]
    if loss_arg is None:
        default = f' ("{row.loss_default}")' if row.loss_default in dict(row.loss_strings) else ""
        return f"the default `{row.loss.keyword}`{default} of `{library}`"
    if row.loss_metric is not None:
        return f"`{row.loss_metric[0][0].rsplit('.', 1)[-1]}` metric of `{library}`"
    text = string_literal(loss_arg.value)
    given = f'{row.loss.keyword}="{text}"' if text is not None else f"{row.loss.keyword}="
    return f"`{given}` of `{library}`"
