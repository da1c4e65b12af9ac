"""The activation in another module of the project that a loss's finding hands its fix to.

A loss in `train.py` fed by a model of `models.py` whose `forward` ends in a softmax is reported at
the loss (`the softmax at models.py:11`) without a fix: the fix is to make the model return logits,
an edit in `models.py`, and a fix never edits another file than the one being fixed. So the
finding also asks for a finding on the activation (`HandoffRequest`), made here from `models.py`
read alone, and reported there when `models.py` is checked or fixed in the same run
(`xentlint.handoffs`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import libcst as cst

from xentlint.context import FileContext
from xentlint.diagnostics import Applicability
from xentlint.fixes import in_place_of
from xentlint.flow.calls import match_activation
from xentlint.knowledge.schema import Fn
from xentlint.project import module_text, project
from xentlint.rule import Finding, FixProposal, Replacement, Rule


@dataclass(frozen=True)
class HandoffRequest:
    """What a loss's finding asks of the activation's module: a finding on the `fn` call at `row`."""

    module: str  # absolute path
    row: int
    fn: Fn
    rule: type[Rule]
    message: str
    title: str


def activation_finding(request: HandoffRequest) -> Optional[tuple[FileContext, str, str, Finding]]:
    """The finding on the activation `request` names, with the module's context, text and content
    key; None unless the row holds exactly one such call and it is what the function returns (or
    an item of the tuple it returns), so that removing it makes the function return its input."""
    parsed = _parsed(request.module)
    if parsed is None:
        return None
    ctx, text, key = parsed
    matches = [activation for activation in (match_activation(ctx, call) for call in ctx.calls)
               if activation is not None and activation.fn is request.fn and ctx.line_of(activation.call) == request.row]
    if len(matches) != 1:
        return None
    [activation] = matches
    if activation.input is None or not _returned(ctx, activation.call):
        return None
    replacement = Replacement(activation.call, in_place_of(ctx, activation.call, activation.input))
    # Unsafe: every user of the model, not only this loss, then gets logits (`xentlint.handoffs`).
    fix = FixProposal(request.title, Applicability.UNSAFE, (replacement,))
    return ctx, text, key, Finding(activation.call, request.message, fix, request.rule)


def _returned(ctx: FileContext, call: cst.Call) -> bool:
    parent = ctx.parent(call)
    if isinstance(parent, cst.Element) and isinstance(ctx.parent(parent), cst.Tuple):
        parent = ctx.parent(ctx.parent(parent))
    return isinstance(parent, cst.Return)


def _parsed(path: str) -> Optional[tuple[FileContext, str, str]]:
    """The module at `path` as it is now, read alone (its imports stay unknown), parsed once per
    process with the summaries' own trees."""
    text, key = module_text(path)
    if text is None or key is None:
        return None
    ctx = project().module_context(path, _read_alone, key)
    return (ctx, text, key) if ctx is not None else None


def _read_alone(module: cst.Module, path: str) -> FileContext:
    return FileContext(module, path, summarising=True)
