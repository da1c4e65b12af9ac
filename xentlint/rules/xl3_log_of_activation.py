"""XL301/XL302: the log of a softmax or sigmoid taken in a separate step, and the shared helpers
for logs of probabilities (XL303 builds on them).

Figures quoted below (float32 unless said):

- softmax rounds a class to exactly 0 once its logit is about 104 below the largest (88 where
  denormals are flushed, as TensorFlow does on CPU);
- sigmoid(x) underflows to 0 below x = -104 (-17.5 in float16) and rounds to exactly 1 from
  x = 17.5 (8.5 in float16), so `log(1 - sigmoid(x))` is already -inf at x = 17.5.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Iterator, Optional

import libcst as cst

from xentlint.context import FileContext
from xentlint.contract import Contract, Input, Relation
from xentlint.cst_build import parenthesized
from xentlint.diagnostics import FixAvailability
from xentlint.fixes import fused_log_call, spell, with_parentheses_of
from xentlint.flow import Kind
from xentlint.flow.calls import ActivationCall, match_activation
from xentlint.knowledge import Vocabulary, apis
from xentlint.knowledge.schema import Fn, Form
from xentlint.rule import Finding, Replacement, Rule



# ---------------------------------------------------------------- log calls
def log_calls(ctx: FileContext) -> Iterator[ActivationCall]:
    for call in ctx.calls:
        match = match_activation(ctx, call)
        if match is not None and match.fn is Fn.LOG and match.input is not None:
            yield match


def is_one(expr: cst.BaseExpression) -> bool:
    if not isinstance(expr, (cst.Integer, cst.Float)):
        return False
    try:
        return float(expr.value) == 1.0
    except ValueError:  # 0x1 and friends
        return False


def one_minus(expr: Optional[cst.BaseExpression]) -> Optional[cst.BaseExpression]:
    """`x` of `1 - x` (or `1.0 - x`), else None."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Subtract) and is_one(expr.left):
        return expr.right
    return None


def negated(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`-expr`, parenthesized where needed; `-(-x)` is `x`."""
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        return expr.expression
    return cst.UnaryOperation(cst.Minus(), parenthesized(expr))


def laid_out_like(fused: cst.Call, outer: cst.Call) -> cst.Call:
    """`fused` replacing `outer(inner(...))`: keep the outer call's parentheses, line breaks and comments."""
    if len(outer.args) != 1 or not fused.args:
        return fused
    args = list(fused.args)
    args[-1] = args[-1].with_changes(whitespace_after_arg=outer.args[0].whitespace_after_arg)
    return fused.with_changes(whitespace_before_args=outer.whitespace_before_args, args=args)


def fused_log(ctx: FileContext, activation: ActivationCall, negate: bool = False) -> Optional[cst.Call]:
    """The activation respelled as its fused log form (`softmax(x)` -> `log_softmax(x)`), applied to
    `-x` with `negate` (`log(1 - sigmoid(x))` is `log_sigmoid(-x)`); None when unreachable."""
    api = activation.api
    if api.form is Form.METHOD and api.log_form is None:
        return _fused_function(ctx, activation, negate)  # torch has no `x.logsigmoid()`
    fused = fused_log_call(ctx, activation)
    if fused is None or not negate:
        return fused
    assert activation.input is not None
    new_input = negated(activation.input)
    if api.form is Form.CLASS:
        return fused.with_changes(args=[fused.args[0].with_changes(value=new_input)])
    return fused.with_changes(args=[arg.with_changes(value=new_input) if arg.value is activation.input else arg
                                    for arg in fused.args])


def _fused_function(ctx: FileContext, activation: ActivationCall, negate: bool) -> Optional[cst.Call]:
    """`x.sigmoid()` as the same framework's log function applied to `x`: `F.logsigmoid(x)`."""
    api, tensor = activation.api, activation.input
    log_form = next((row.log_form for row in apis.ACTIVATIONS if row.fn is api.fn and row.framework == api.framework
                     and row.form is Form.FUNCTION and row.log_form is not None), None)
    func = spell(ctx, log_form) if log_form is not None else None
    if func is None or tensor is None or activation.call.args:
        return None
    value = negated(tensor) if negate else tensor.with_changes(lpar=(), rpar=())
    return cst.Call(func=func, args=[cst.Arg(value)])


# ---------------------------------------------------------------- XL301 / XL302: log(activation(x))
@dataclass(frozen=True)
class LogOf:
    """`log(f(x))`, or `log(1 - f(x))`: the log call and the activation call it takes the log of."""

    log: ActivationCall
    # The activation call (None when a layer or module object applies it: `log(self.softmax(h))`).
    activation: Optional[ActivationCall]
    inline: bool  # the activation is written inside the log; else it reaches it through the flow
    complement: bool  # log(1 - f(x))
    applied_at: cst.CSTNode  # the activation call, or the layer that applies it
    elsewhere: Optional[str] = None  # the layer is made in another module (`layers.py:4`)

    @property
    def probabilities(self) -> cst.BaseExpression:
        """What the log (or the `1 -` inside it) is applied to."""
        tensor = self.log.input
        assert tensor is not None
        inner = one_minus(tensor) if self.complement else tensor
        assert inner is not None
        return inner


def logs_of(ctx: FileContext, fn: Fn) -> Iterator[LogOf]:
    for log in log_calls(ctx):
        assert log.input is not None
        inner, complement = log.input, False
        if fn is Fn.SIGMOID and one_minus(inner) is not None:
            inner, complement = one_minus(inner), True
        assert inner is not None
        inline = isinstance(inner, cst.Call) and match_activation(ctx, inner)
        if inline and inline.fn is fn:
            yield LogOf(log, inline, True, complement, inline.call)
            continue
        value = ctx.flow.value(inner)
        origin = value.origin
        if value.kind is not Kind.PROBABILITIES or value.fn is not fn or origin is None:
            continue
        if origin.activation_call is None:  # applied by a layer or module object: reported, not rewritten
            yield LogOf(log, None, False, complement, origin.node, origin.elsewhere)
            continue
        activation = match_activation(ctx, origin.activation_call)
        if activation is not None:
            yield LogOf(log, activation, False, complement, activation.call)


class _LogOfActivation(Rule):
    """`log(f(x))` where the framework has the fused, stable `log_f(x)`."""

    fn: ClassVar[Fn]

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for found in logs_of(ctx, self.fn):
            if found.inline:
                yield self._inline(ctx, found)
            else:
                place = found.elsewhere or f"line {ctx.line_of(found.applied_at)}"
                made = "computed" if found.activation is not None else "applied by the module made"
                message = self.variable_message(ctx, found, f"{made} at {place}")
                yield self.finding(found.log.call, message, *self._through_variable(ctx, found))

    def inline_message(self, ctx: FileContext, found: LogOf) -> str:
        raise NotImplementedError

    def variable_message(self, ctx: FileContext, found: LogOf, where: str) -> str:
        raise NotImplementedError

    def _inline(self, ctx: FileContext, found: LogOf) -> Finding:
        message = self.inline_message(ctx, found)
        log = found.log.call
        assert found.activation is not None
        fused = fused_log(ctx, found.activation, negate=found.complement)
        if fused is None:
            return self.finding(log, message)
        return self.finding(log, message, Replacement(log, with_parentheses_of(log, laid_out_like(fused, log))))

    def _through_variable(self, ctx: FileContext, found: LogOf) -> tuple[Replacement, ...]:
        """`p = softmax(z); log(p)`: when `p` has no other use, make `p` the log-softmax."""
        name = found.probabilities
        activation = found.activation
        if not isinstance(name, cst.Name) or activation is None:
            return ()
        scope = ctx.flow.enclosing_scope(found.log.call)
        if ctx.flow.enclosing_scope(activation.call) is not scope or len(ctx.flow.reads(scope, name.value)) != 1:
            return ()
        fused = fused_log(ctx, activation, negate=found.complement)
        if fused is None:
            return ()
        return (Replacement(activation.call, with_parentheses_of(activation.call, fused)),
                Replacement(found.log.call, with_parentheses_of(found.log.call, name)))


class LogOfSoftmax(_LogOfActivation):
    code = "XL301"
    requires = (Vocabulary.SOFTMAX, Vocabulary.LOG)
    name = "log-of-softmax"
    summary = "`log(softmax(x))` computed in two steps instead of `log_softmax(x)`"
    why = (
        "Softmax rounds small probabilities to exactly 0: in float32, any class whose logit is about "
        "104 below the largest underflows (88 in float16). `log` of that 0 is `-inf`, and the loss or "
        "gradient built on it becomes `inf`/`nan`. `log_softmax` computes `x - logsumexp(x)` in one "
        "step and stays finite for any logits."
    )
    example = (
        "import torch\nimport torch.nn.functional as F\n\n"
        "log_probs = torch.log(F.softmax(logits, dim=1))\n"
    )
    use_instead = (
        "import torch\nimport torch.nn.functional as F\n\n"
        "log_probs = F.log_softmax(logits, dim=1)\n"
    )
    fix_title = "Use the framework's log_softmax on the same input and axis"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe: the fused function equals `log(softmax(x))` wherever that is finite. Offered when the "
        "softmax is inline, or assigned to a variable used only by the `log`, and when this module's "
        "imports can spell the fused function."
    )
    frameworks = ("tensorflow", "keras", "torch", "jax", "numpy")
    contract = Contract(
        relation=Relation.EQUAL_WHERE_FINITE,
        original="torch.log(F.softmax(z, dim=1))",
        fixed="F.log_softmax(z, dim=1)",
        inputs={"z": Input.LOGITS},
        counterexample="F.log_softmax(z, dim=0)",
    )
    fn = Fn.SOFTMAX

    def inline_message(self, ctx: FileContext, found: LogOf) -> str:
        return "`log(softmax(x))` gives -inf where a probability underflows to 0; use log_softmax"

    def variable_message(self, ctx: FileContext, found: LogOf, where: str) -> str:
        return (f"`log` of the softmax {where}: it gives -inf where a probability "
                f"underflows to 0; use log_softmax")


class LogOfSigmoid(_LogOfActivation):
    code = "XL302"
    requires = (Vocabulary.SIGMOID, Vocabulary.LOG)
    name = "log-of-sigmoid"
    summary = "`log(sigmoid(x))` or `log(1 - sigmoid(x))` computed in two steps instead of `log_sigmoid`"
    why = (
        "In float32, `sigmoid(x)` underflows to exactly 0 below x = -104 and rounds to exactly 1 from "
        "x = 17.5 (float16: -17.5 and 8.5). `log(sigmoid(x))` is then `-inf`, and `log(1 - sigmoid(x))` "
        "is `-inf` already for a moderately confident logit of 17.5; the loss and its gradient become "
        "`inf`/`nan`. `log_sigmoid(x) = -softplus(-x)` is finite for every x, and "
        "`log(1 - sigmoid(x)) = log_sigmoid(-x)`."
    )
    example = (
        "import torch\n\n"
        "log_p = torch.log(torch.sigmoid(logits))\n"
        "log_not_p = torch.log(1 - torch.sigmoid(logits))\n"
    )
    use_instead = (
        "import torch\nimport torch.nn.functional as F\n\n"
        "log_p = F.logsigmoid(logits)\n"
        "log_not_p = F.logsigmoid(-logits)\n"
    )
    fix_title = "Use the framework's log_sigmoid (on `-x` for `log(1 - sigmoid(x))`)"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe: `log_sigmoid(x)` equals `log(sigmoid(x))`, and `log_sigmoid(-x)` equals "
        "`log(1 - sigmoid(x))`, wherever those are finite. Offered when the sigmoid is inline, or "
        "assigned to a variable used only by the `log`, and when this module's imports can spell "
        "`tf.math.log_sigmoid` / `F.logsigmoid` / `jax.nn.log_sigmoid`."
    )
    frameworks = ("tensorflow", "keras", "torch", "jax", "numpy")
    contract = Contract(
        relation=Relation.EQUAL_WHERE_FINITE,
        original="torch.log(torch.sigmoid(z))",
        fixed="F.logsigmoid(z)",
        inputs={"z": Input.BINARY_LOGITS},
        note="`torch.log(1 - torch.sigmoid(z))` and `F.logsigmoid(-z)` are the same relation on `-z`.",
        counterexample="F.logsigmoid(-z)",
    )
    fn = Fn.SIGMOID

    def inline_message(self, ctx: FileContext, found: LogOf) -> str:
        assert found.activation is not None
        tensor = found.activation.input
        x = (ctx.short_code(tensor, 30) or "x") if tensor is not None else "x"
        if found.complement:
            minus_x = ctx.module.code_for_node(negated(tensor)) if x != "x" and tensor is not None else "-x"
            return (f"`log(1 - sigmoid({x}))` is -inf once sigmoid rounds to 1 (float32: from {x} = 17.5); "
                    f"use log_sigmoid({minus_x})")
        return (f"`log(sigmoid({x}))` is -inf once sigmoid underflows to 0 (float32: below {x} = -104); "
                f"use log_sigmoid({x})")

    def variable_message(self, ctx: FileContext, found: LogOf, where: str) -> str:
        if found.complement:
            return (f"`log(1 - p)` of the sigmoid {where}: it is -inf once sigmoid rounds "
                    f"to 1 (float32: from a logit of 17.5); use log_sigmoid of the negated logits")
        return (f"`log` of the sigmoid {where}: it is -inf once sigmoid underflows to 0 "
                f"(float32: below a logit of -104); use log_sigmoid")
