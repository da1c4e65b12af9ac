"""Shared by the flow rules: questions about loss sites, the edits that fix them, and how messages
name them (the user's own code where it is short enough to quote)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import libcst as cst

from xentlint import walk
from xentlint.context import FileContext
from xentlint.fixes import bool_name, in_place_of, set_keyword, spell
from xentlint.flow import Kind, LossSite, Origin
from xentlint.knowledge.names import dotted_name
from xentlint.knowledge.schema import Fn, Form, Labels, has_star_args
from xentlint.rule import Replacement


# ---------------------------------------------------------------- what a site is
def family(site: LossSite) -> Fn:
    """The activation a loss pairs with: sigmoid for binary losses, softmax for the others."""
    return Fn.SIGMOID if site.api.labels is Labels.BINARY else Fn.SOFTMAX


def has_logits_form(site: LossSite) -> bool:
    """The loss can take logits instead: a `from_logits` switch or a with-logits sibling."""
    return site.api.from_logits is not None or site.api.with_logits is not None


def loss_node(site: LossSite) -> Optional[cst.Call]:
    """The call that names the loss and holds its options: a loss object's constructor, else the call."""
    return site.constructor if site.api.form is Form.CLASS else site.call


def options_known(site: LossSite) -> bool:
    """`from_logits` is a literal and no `*args`/`**kwargs` may hide another one."""
    node = loss_node(site)
    return site.expects is not None and not (node is not None and has_star_args(node))


def probabilities_from(site: LossSite, fn: Fn) -> Optional[Origin]:
    prediction = site.prediction
    if prediction.kind is Kind.PROBABILITIES and prediction.fn is fn:
        return prediction.origin
    return None


# ---------------------------------------------------------------- where the activation is
def local_activation(ctx: FileContext, site: LossSite) -> Optional[cst.Call]:
    """The activation call applied by hand in the loss's own scope: inside the prediction argument,
    or in the assignment of the variable passed as the prediction."""
    origin, arg = site.prediction.origin, site.prediction_arg
    if origin is None or arg is None or site.call is None or origin.activation_call is None:
        return None
    activation = origin.activation_call
    if ctx.flow.enclosing_scope(activation) is not ctx.flow.enclosing_scope(site.call):
        return None
    if ctx.is_within(activation, arg.value):
        return activation
    if isinstance(arg.value, cst.Name) and _assignment_of(ctx, activation, arg.value.value) is not None:
        return activation
    return None


@dataclass(frozen=True)
class Undo:
    """Taking an activation out of a prediction: `old` becomes `new`."""

    old: cst.CSTNode
    new: cst.BaseExpression


def undo_activation(ctx: FileContext, site: LossSite) -> Optional[Undo]:
    """The edit that feeds the loss the activation's input, when it changes nothing else.

    Inline: `loss(sigmoid(z), y)` -> `loss(z, y)`. Through a variable read only by the loss:
    `p = sigmoid(z)` -> `p = z`. Through a variable read elsewhere too: the loss gets `z`, if `z`
    is a name not rebound between the activation and the loss.
    """
    activation = local_activation(ctx, site)
    origin, arg = site.prediction.origin, site.prediction_arg
    if activation is None or origin is None or arg is None or origin.activation_input is None:
        return None
    if "#" in ctx.code(activation):
        return None  # a comment inside the call would be lost
    unwrapped = Undo(activation, in_place_of(ctx, activation, origin.activation_input))
    if ctx.is_within(activation, arg.value):
        return unwrapped
    assert isinstance(arg.value, cst.Name)
    name = arg.value.value
    scope = ctx.flow.enclosing_scope(activation)
    if len(ctx.flow.reads(scope, name)) == 1:
        return unwrapped
    assignment = _assignment_of(ctx, activation, name)
    inner = origin.activation_input
    if assignment is not None and assignment.value is activation and isinstance(inner, cst.Name) \
            and _unchanged_since(ctx, inner.value, activation, site):
        return Undo(arg.value, cst.Name(inner.value))
    return None


def _assignment_of(ctx: FileContext, node: cst.CSTNode, name: str) -> Optional[cst.Assign]:
    """The `name = ...` statement whose value contains `node`."""
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, cst.Assign):
            targets = ancestor.targets
            if len(targets) == 1 and isinstance(targets[0].target, cst.Name) and targets[0].target.value == name:
                return ancestor
            return None
        if isinstance(ancestor, (cst.BaseSmallStatement, cst.BaseCompoundStatement, cst.Lambda, cst.BaseComp)):
            return None
    return None


def _unchanged_since(ctx: FileContext, name: str, activation: cst.Call, site: LossSite) -> bool:
    """`name` means at the loss what it meant at the activation: bound at most once, before both."""
    assert site.call is not None
    scope = ctx.flow.enclosing_scope(activation)
    return (ctx.ends_before(activation, site.call) and len(ctx.flow.stores(scope, name)) <= 1
            and ctx.flow.bound_before(scope, name, activation))


# ---------------------------------------------------------------- editing the loss
Edit = tuple[cst.CSTNode, cst.CSTNode]


def with_from_logits(site: LossSite, value: bool) -> Optional[Edit]:
    """`from_logits=value` on the loss's constructor or call."""
    node = loss_node(site)
    if node is None or site.api.from_logits is None:
        return None
    return node, set_keyword(node, site.api.from_logits.keyword, bool_name(value), site.from_logits_arg)


def with_logits_sibling(ctx: FileContext, site: LossSite) -> Optional[Edit]:
    """`nn.BCELoss(...)` -> `nn.BCEWithLogitsLoss(...)`, `F.binary_cross_entropy` -> `..._with_logits`."""
    node, target = loss_node(site), site.api.with_logits
    if node is None or target is None:
        return None
    func = spell(ctx, target, node.func, ctx.callee(node))
    return (node, node.with_changes(func=func)) if func is not None else None


def compiled_class_with_logits(ctx: FileContext, site: LossSite) -> Optional[Edit]:
    """`compile(loss="binary_crossentropy")` -> `compile(loss=keras.losses.BinaryCrossentropy(from_logits=True))`."""
    arg, target = site.compile_loss_arg, site.api.keras_class
    if site.constructor is not None or arg is None or target is None:
        return None
    func = spell(ctx, target)
    if func is None:
        return None
    return arg.value, set_keyword(cst.Call(func=func), "from_logits", bool_name(True))


def replacements(ctx: FileContext, edit: Optional[Edit], undos: Sequence[Undo]) -> tuple[Replacement, ...]:
    """The loss edit and the undos as non-overlapping replacements (an undo inside the edited call
    is made inside the new call)."""
    result: list[Replacement] = []
    new = edit[1] if edit is not None else None
    for undo in undos:
        if edit is not None and new is not None and ctx.is_within(undo.old, edit[0]):
            new = new.deep_replace(undo.old, undo.new)
        else:
            result.append(Replacement(undo.old, undo.new))
    if edit is not None and new is not None:
        result.insert(0, Replacement(edit[0], new))
    return tuple(result)


def sole_users(ctx: FileContext, site: LossSite) -> Optional[list[LossSite]]:
    """The sites calling `site`'s loss object, when they are all of its uses (None: it is used
    elsewhere too, so editing its constructor could change code this file does not show)."""
    constructor = site.constructor
    if constructor is None:
        return [site]
    users = [other for other in ctx.loss_sites if other.constructor is constructor]
    return users if _holder_reads(ctx, constructor) == len(users) else None


def _holder_reads(ctx: FileContext, constructor: cst.Call) -> Optional[int]:
    parent = ctx.parent(constructor)
    if isinstance(parent, cst.Arg) or (isinstance(parent, cst.Call) and parent.func is constructor):
        return 1  # made where it is used: `compile(loss=CCE(...))`, `nn.BCELoss()(p, y)`
    if not (isinstance(parent, cst.Assign) and len(parent.targets) == 1):
        return None
    target = parent.targets[0].target
    if isinstance(target, cst.Name):
        return len(ctx.flow.reads(ctx.flow.enclosing_scope(parent), target.value))
    dotted = dotted_name(target)
    owner = ctx.flow.enclosing_class(parent)
    if owner is None or dotted is None or not dotted.startswith("self."):
        return None
    counter = _AttributeReads(dotted)
    walk.visit(owner, counter)
    return counter.count


class _AttributeReads(cst.CSTVisitor):
    """Reads of `self.attr` in a class (its assignments excluded)."""

    def __init__(self, dotted: str) -> None:
        self.dotted = dotted
        self.count = 0

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if dotted_name(node) == self.dotted:
            self.count += 1
            return False
        return True

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        return dotted_name(node.target) != self.dotted


# ---------------------------------------------------------------- message parts
def describe_activated(ctx: FileContext, site: LossSite, what: str) -> str:
    """The subject of a message: `tf.nn.softmax(z)` when inline, else the prediction and its origin."""
    origin, arg = site.prediction.origin, site.prediction_arg
    assert origin is not None
    if arg is not None and origin.activation_call is not None and ctx.is_within(origin.activation_call, arg.value):
        return quoted(ctx, arg.value, f"the {what}")
    return f"{describe_prediction(ctx, site)}, the {describe_origin(ctx, origin, what)},"


def describe_prediction(ctx: FileContext, site: LossSite) -> str:
    """How the user names the prediction: `probs`, the output of `model`."""
    if site.compiled:
        assert isinstance(site.report.func, cst.Attribute)
        return f"the output of {quoted(ctx, site.report.func.value, 'the model')}"
    if site.model is not None:
        return f"the output of {quoted(ctx, site.model, 'the model')}"
    arg = site.prediction_arg
    return quoted(ctx, arg.value, "the prediction") if arg is not None else "the prediction"


def describe_origin(ctx: FileContext, origin: Origin, what: str) -> str:
    """`softmax applied at line 12 (`F.softmax`)`, `softmax of the Dense activation at line 8`."""
    line = ctx.line_of(origin.node)
    if origin.activation_call is not None:
        return f"{what} applied at line {line} ({quoted(ctx, origin.activation_call.func, what)})"
    detail = origin.description.partition(" (")[2].rstrip(")")
    return f"{what} of the {detail or origin.description} at line {line}"


def describe_loss(site: LossSite) -> str:
    """`CrossEntropyLoss`, with where the pairing happens when that is not the call itself."""
    return f"`{site.describe()}`" + (f" ({site.place})" if site.place else "")


def quoted(ctx: FileContext, node: cst.CSTNode, fallback: Optional[str], limit: int = 40) -> Optional[str]:
    """The user's code for `node` in backticks, or `fallback` when it is long or spans lines."""
    code = ctx.short_code(node, limit)
    return f"`{code}`" if code is not None else fallback


# ---------------------------------------------------------------- XL101 / XL102
