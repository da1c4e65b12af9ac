"""How the flow rules' messages name a loss site: the user's own code where it is short enough to
quote, else what it is and where it comes from."""
from __future__ import annotations

import ast
from typing import Optional

import libcst as cst

from xentlint.context import FileContext
from xentlint.flow import LossSite, Origin


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
    if origin.elsewhere is not None:
        return f"{what} at {origin.elsewhere}"
    place = origin_place(ctx, origin)
    if origin.activation_call is not None:
        return f"{what} applied at {place} ({quoted(ctx, origin.activation_call.func, what)})"
    detail = origin.description.partition(" (")[2].rstrip(")")
    return f"{what} of the {detail or origin.description} at {place}"


def origin_place(ctx: FileContext, origin: Origin) -> str:
    """`line 12`, or `models.py:12` for a value given in another module of the project."""
    return origin.elsewhere or f"line {ctx.line_of(origin.node)}"


def describe_loss(site: LossSite) -> str:
    """`CrossEntropyLoss`, with where the pairing happens when that is not the call itself."""
    return f"`{site.describe()}`" + (f" ({site.place})" if site.place else "")


def quoted(ctx: FileContext, node: cst.CSTNode, fallback: Optional[str], limit: int = 40) -> Optional[str]:
    """The user's code for `node` in backticks (on one line, without its comments, when it spans
    lines), or `fallback` when it is long."""
    code = ctx.short_code(node, limit) or _one_line(ctx.code(node), limit)
    return f"`{code}`" if code is not None else fallback


def _one_line(code: str, limit: int) -> Optional[str]:
    """`code` of an expression spanning lines, as Python would print it on one line."""
    if len(code) > 4 * limit:
        return None
    try:
        flat = ast.unparse(ast.parse(f"(\n{code.strip()}\n)", mode="eval"))
    except (SyntaxError, ValueError, RecursionError):
        return None
    return flat if len(flat) <= limit else None
