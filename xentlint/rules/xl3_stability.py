"""XL3: numerically unstable formulas."""
from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from xentlint.context import FileContext
from xentlint.contract import Contract, Input, Relation
from xentlint.diagnostics import FixAvailability
from xentlint.fixes import rename_method, spell
from xentlint.flow import Kind
from xentlint.flow.calls import ActivationCall, match_activation
from xentlint.knowledge.schema import Fn, Form
from xentlint.rule import Finding, Replacement, Rule


def log_calls(ctx: FileContext) -> Iterator[ActivationCall]:
    for call in ctx.calls:
        match = match_activation(ctx, call)
        if match is not None and match.fn is Fn.LOG and match.input is not None:
            yield match


def fused_log_call(ctx: FileContext, activation: ActivationCall) -> Optional[cst.Call]:
    """`softmax(...)` respelled as its fused log form with the same arguments, if reachable."""
    api = activation.api
    if api.log_form is None:
        return None
    call = activation.call
    if api.form is Form.METHOD:
        return rename_method(call, api.log_form)
    if api.form is Form.CLASS:
        constructor = call.func
        assert isinstance(constructor, cst.Call)
        func = spell(ctx, api.log_form, constructor.func, ctx.callee(constructor))
        return call.with_changes(func=constructor.with_changes(func=func)) if func is not None else None
    func = spell(ctx, api.log_form, call.func, ctx.callee(call))
    return call.with_changes(func=func) if func is not None else None


def laid_out_like(fused: cst.Call, outer: cst.Call) -> cst.Call:
    """`fused` replacing `outer(inner(...))`: keep the outer call's parentheses, line breaks and comments."""
    if len(outer.args) != 1 or not fused.args:
        return fused
    args = list(fused.args)
    args[-1] = args[-1].with_changes(whitespace_after_arg=outer.args[0].whitespace_after_arg)
    return fused.with_changes(whitespace_before_args=outer.whitespace_before_args, args=args)


class LogOfSoftmax(Rule):
    code = "XL301"
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
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for log in log_calls(ctx):
            assert log.input is not None
            inner = log.input
            inline = isinstance(inner, cst.Call) and match_activation(ctx, inner)
            if inline and inline.fn is Fn.SOFTMAX:
                yield self._inline(ctx, log, inline)
                continue
            value = ctx.flow.value(inner)
            origin = value.origin
            if value.kind is not Kind.PROBABILITIES or value.fn is not Fn.SOFTMAX or origin is None:
                continue
            if origin.activation_call is None:
                continue  # softmax applied by a layer: not a formula to rewrite here
            softmax = match_activation(ctx, origin.activation_call)
            if softmax is None:
                continue
            line = ctx.line_of(origin.activation_call)
            message = (f"`log` of the softmax computed at line {line}: it gives -inf where a probability "
                       f"underflows to 0; use log_softmax")
            yield self.finding(log.call, message, *self._through_variable(ctx, log, softmax))

    def _inline(self, ctx: FileContext, log: ActivationCall, softmax: ActivationCall) -> Finding:
        message = "`log(softmax(x))` gives -inf where a probability underflows to 0; use log_softmax"
        fused = fused_log_call(ctx, softmax)
        if fused is None:
            return self.finding(log.call, message)
        return self.finding(log.call, message, Replacement(log.call, laid_out_like(fused, log.call)))

    def _through_variable(self, ctx: FileContext, log: ActivationCall, softmax: ActivationCall) -> tuple:
        """`p = softmax(z); log(p)`: when `p` has no other use, make `p` the log-softmax."""
        name = log.input
        if not isinstance(name, cst.Name):
            return ()
        scope = ctx.flow.enclosing_scope(log.call)
        if ctx.flow.enclosing_scope(softmax.call) is not scope or ctx.flow.name_loads(scope, name.value) != 1:
            return ()
        fused = fused_log_call(ctx, softmax)
        if fused is None:
            return ()
        return (Replacement(softmax.call, fused), Replacement(log.call, name))
