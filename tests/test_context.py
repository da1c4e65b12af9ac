"""Source order without positions: what the flow rules use to say "before" and "after"."""
from __future__ import annotations

import libcst as cst

from xentlint import walk
from xentlint.context import FileContext

SOURCE = """\
def step(logits, batches):
    probs = softmax(logits)
    logits = scale(
        logits)
    for batch in batches:
        use(batch)
    return loss(probs)
"""


def names(ctx: FileContext, value: str) -> list[cst.Name]:
    return [node for node in walk.walk(ctx.module) if isinstance(node, cst.Name) and node.value == value]


def calls(ctx: FileContext, callee: str) -> cst.Call:
    return next(call for call in ctx.calls if isinstance(call.func, cst.Name) and call.func.value == callee)


def test_ends_before_follows_source_order_of_whole_nodes() -> None:
    ctx = FileContext(cst.parse_module(SOURCE), "m.py")
    softmax, scale, loss = calls(ctx, "softmax"), calls(ctx, "scale"), calls(ctx, "loss")
    assert ctx.ends_before(softmax, scale) and ctx.ends_before(softmax, loss)
    assert not ctx.ends_before(scale, softmax)
    assert not ctx.ends_before(loss, loss.args[0].value)  # a call does not end before its own argument
    assert ctx.rank(softmax) < ctx.rank(scale) < ctx.rank(loss)


def test_binding_points() -> None:
    ctx = FileContext(cst.parse_module(SOURCE), "m.py")
    parameter, read, store, read_in_rebinding = names(ctx, "logits")
    scale = calls(ctx, "scale")
    assert ctx.flow.binding_point(parameter) is parameter  # bound on entry
    rebinding = ctx.flow.binding_point(store)
    assert isinstance(rebinding, cst.Assign)
    # `logits = scale(logits)` still reads the old value: the rebinding ends after that read.
    assert not ctx.ends_before(rebinding, read_in_rebinding) and ctx.ends_before(rebinding, calls(ctx, "loss"))
    assert ctx.ends_before(ctx.flow.binding_point(parameter), read) and not ctx.ends_before(rebinding, scale)
    batch_store, batch_read = names(ctx, "batch")
    assert ctx.flow.binding_point(batch_store) is batch_store and ctx.ends_before(batch_store, batch_read)
