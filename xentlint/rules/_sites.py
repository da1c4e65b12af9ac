"""What the flow rules ask about a loss site: which activation it pairs with, where an activation
applied by hand sits, and whether the loss object's uses are all in view."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from xentlint import walk
from xentlint.context import FileContext
from xentlint.flow import Kind, LossSite, Origin
from xentlint.knowledge.names import dotted_name
from xentlint.knowledge.schema import Fn, Form, Labels, has_star_args


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
    if isinstance(arg.value, cst.Name) and assignment_of(ctx, activation, arg.value.value) is not None:
        return activation
    return None


def assignment_of(ctx: FileContext, node: cst.CSTNode, name: str) -> Optional[cst.Assign]:
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


def unchanged_since(ctx: FileContext, name: str, activation: cst.Call, site: LossSite) -> bool:
    """`name` means at the loss what it meant at the activation: bound at most once, before both."""
    assert site.call is not None
    scope = ctx.flow.enclosing_scope(activation)
    return (ctx.ends_before(activation, site.call) and len(ctx.flow.stores(scope, name)) <= 1
            and ctx.flow.bound_before(scope, name, activation))


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


def feeds_only_the_loss(ctx: FileContext, site: LossSite, call: cst.Call) -> bool:
    """`call` is applied in the loss's scope and feeds nothing else: inline, or a variable read only by the loss."""
    arg = site.prediction_arg
    if arg is None or local_activation(ctx, site) is not call:
        return False
    if isinstance(arg.value, cst.Name):
        return len(ctx.flow.reads(ctx.flow.enclosing_scope(call), arg.value.value)) == 1
    return True
