"""The edits that fix a loss site: take a hand-applied activation out of the prediction, switch
the loss to its logits form, and combine them into one fix."""
from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst

from xentlint.context import FileContext
from xentlint.cst_build import bool_name
from xentlint.fixes import in_place_of, set_keyword, spell
from xentlint.flow import LossSite
from xentlint.rule import Replacement
from xentlint.rules._sites import assignment_of, local_activation, loss_node, unchanged_since


def undo_activation(ctx: FileContext, site: LossSite) -> Optional[Replacement]:
    """The edit that feeds the loss the activation's input, when it changes nothing else.

    Inline: `loss(sigmoid(z), y)` -> `loss(z, y)`. Through a variable read only by the loss:
    `p = sigmoid(z)` -> `p = z`. Through a variable read elsewhere too: the loss gets `z`, if `z`
    is a name not rebound between the activation and the loss.
    """
    activation = local_activation(ctx, site)
    origin, arg = site.prediction.origin, site.prediction_arg
    if activation is None or origin is None or arg is None or origin.activation_input is None:
        return None
    unwrapped = Replacement(activation, in_place_of(ctx, activation, origin.activation_input))
    if ctx.is_within(activation, arg.value):
        return unwrapped
    assert isinstance(arg.value, cst.Name)
    name = arg.value.value
    scope = ctx.flow.enclosing_scope(activation)
    if len(ctx.flow.reads(scope, name)) == 1:
        return unwrapped
    assignment = assignment_of(ctx, activation, name)
    inner = origin.activation_input
    if assignment is not None and assignment.value is activation and isinstance(inner, cst.Name) \
            and unchanged_since(ctx, inner.value, activation, site):
        return Replacement(arg.value, cst.Name(inner.value))
    return None


def with_from_logits(site: LossSite, value: bool) -> Optional[Replacement]:
    """`from_logits=value` on the loss's constructor or call."""
    node = loss_node(site)
    if node is None or site.api.from_logits is None:
        return None
    return Replacement(node, set_keyword(node, site.api.from_logits.keyword, bool_name(value), site.from_logits_arg))


def with_logits_sibling(ctx: FileContext, site: LossSite) -> Optional[Replacement]:
    """`nn.BCELoss(...)` -> `nn.BCEWithLogitsLoss(...)`, `F.binary_cross_entropy` -> `..._with_logits`."""
    node, target = loss_node(site), site.api.with_logits
    if node is None or target is None:
        return None
    func = spell(ctx, target, node.func, ctx.callee(node))
    return Replacement(node, node.with_changes(func=func)) if func is not None else None


def compiled_class_with_logits(ctx: FileContext, site: LossSite) -> Optional[Replacement]:
    """`compile(loss="binary_crossentropy")` -> `compile(loss=keras.losses.BinaryCrossentropy(from_logits=True))`."""
    arg, target = site.compile_loss_arg, site.api.keras_class
    if site.constructor is not None or arg is None or target is None:
        return None
    func = spell(ctx, target)
    if func is None:
        return None
    return Replacement(arg.value, set_keyword(cst.Call(func=func), "from_logits", bool_name(True)))


def replacements(ctx: FileContext, edit: Optional[Replacement],
                 undos: Sequence[Replacement]) -> tuple[Replacement, ...]:
    """The loss edit and the undos as non-overlapping replacements (an undo inside the edited call
    is made inside the new call)."""
    result: list[Replacement] = []
    new = edit.new if edit is not None else None
    for undo in undos:
        if edit is not None and new is not None and ctx.is_within(undo.old, edit.old):
            new = new.deep_replace(undo.old, undo.new)
        else:
            result.append(undo)
    if edit is not None and new is not None:
        result.insert(0, Replacement(edit.old, new))
    return tuple(result)
