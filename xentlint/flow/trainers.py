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
from xentlint.flow.values import UNKNOWN, Kind, Value, held_loss
from xentlint.knowledge.schema import Loss, Trainer, argument, has_star_args

if TYPE_CHECKING:
    from xentlint.context import FileContext


@dataclass(frozen=True)
class Pairing:
    """What a library call pairs: the model's output with a loss."""

    api: Loss
    constructor: Optional[cst.Call]  # the loss object's constructor, when one is passed
    model: cst.BaseExpression  # the model argument (an instance or a class)
    prediction: Value  # the model's output
    place: str  # "`criterion=` of `NeuralNetClassifier`"


def trainer_pairing(ctx: "FileContext", call: cst.Call) -> Optional[Pairing]:
    row = knowledge.trainer(ctx.callee(call))
    if row is None or has_star_args(call) \
            or any(arg.keyword is not None and arg.keyword.value in row.transforms for arg in call.args):
        return None
    model_arg = argument(call, row.model)
    if model_arg is None:
        return None
    loss_arg = argument(call, row.loss)
    if loss_arg is not None:
        held = _named_loss(ctx, loss_arg.value) or held_loss(ctx.flow.value(loss_arg.value))
    else:
        default = knowledge.loss(row.loss_default)
        held = (default, None) if default is not None else None
    if held is None:
        return None
    api, constructor = held
    # Keras-style `from_logits` losses are not handed to these (torch) libraries.
    if api.from_logits is not None or set(api.names) & set(row.adapted):
        return None
    return Pairing(api, constructor, model_arg.value, _model_output(ctx, ctx.flow.value(model_arg.value)),
                   _place(ctx, call, row, given=loss_arg is not None))


def _named_loss(ctx: "FileContext", expr: cst.BaseExpression) -> Optional[tuple[Loss, Optional[cst.Call]]]:
    """A loss class or function named without a call: `criterion=nn.CrossEntropyLoss`."""
    api = knowledge.loss(ctx.qualify(expr))
    return (api, None) if api is not None else None


def _model_output(ctx: "FileContext", model: Value) -> Value:
    """What the model (an instance, or a class the library instantiates) returns."""
    if model.kind is Kind.CLASS and isinstance(model.node, cst.ClassDef):
        model = ctx.flow.instance_of(model.node)
    if model.kind is not Kind.MODEL or model.keras:
        return UNKNOWN
    return model.output or UNKNOWN


def _place(ctx: "FileContext", call: cst.Call, row: Trainer, given: bool) -> str:
    library = (ctx.callee(call) or row.names[0]).rsplit(".", 1)[-1]
    if given:
        return f"`{row.loss.keyword}=` of `{library}`"
    return f"the default `{row.loss.keyword}` of `{library}`"
