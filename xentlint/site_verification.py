"""Checking a fix at its loss site: the whole loss computation, before the edit and after it.

A fix of a flow rule may edit any line of the computation: remove a softmax, flip
`from_logits`, change a layer's `activation=`, swap the loss class or re-encode the labels. The
edited text alone is not comparable, so the check reads the loss site that the finding is about
in the source, applies the fix, reads the same site in the fixed source, and evaluates both
(`xentlint.loss_sites_model`) on inputs of the code's shape: the fixed computation must equal
cross-entropy computed from the logits, reduced as the site reduces, where the original departs.

Imports NumPy through `xentlint.runtime`: import this module only when verifying.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Optional

import libcst as cst
import numpy as np

from xentlint import engine
from xentlint.context import FileContext
from xentlint.contract import Contract, Input, Relation
from xentlint.diagnostics import Diagnostic, Location
from xentlint.flow import LossSite
from xentlint.flow.values import Value
from xentlint.loss_sites_model import (
    CLASS_WEIGHTS,
    LABEL_INPUTS,
    LabelEncoding,
    LOGITS_READING,
    PREDICTION,
    REFERENCE_LABELS,
    TENSOR_ARGUMENTS,
    SiteModel,
    Unmodelled,
    describe_site,
    intended_loss,
    known_prediction,
    reading,
    site_expression,
)
from xentlint.runtime import ContractResult, verify_expressions
from xentlint.runtime.inputs import DTYPES, Layout
from xentlint.runtime.relations import ORIGINAL_EQUALS_REFERENCE


class SiteUnverifiable(Exception):
    """The fix is at a loss site the check cannot model; the message says why."""


def check_at_site(source: str, diagnostic: Diagnostic, contract: Contract) -> Optional[ContractResult]:
    """The contract's verdict on the loss computation at the finding's site; None if it is at no loss site."""
    before_ctx = _context(source)
    site = _site_at(before_ctx, diagnostic.location)
    if site is None:
        return None
    fixed_source, report_offset = _fixed(source, diagnostic, _offset(before_ctx, source, site.report))
    after_ctx = _context(fixed_source)
    after_site = _site_near(after_ctx, fixed_source, report_offset, site)
    if after_site is None:
        raise SiteUnverifiable("after the fix the check no longer finds the loss call, so it cannot compare")
    try:
        before = describe_site(before_ctx, site)
        # An unknown prediction after the fix is the tensor the original activated, or the same unknown tensor.
        after = describe_site(after_ctx, after_site, LOGITS_READING if known_prediction(site) else reading(before))
    except Unmodelled as error:
        raise SiteUnverifiable(str(error)) from None
    return _exchanged(before, after, contract) or _verdict(before, after, contract)


def _exchanged(before: SiteModel, after: SiteModel, contract: Contract) -> Optional[ContractResult]:
    """A failed check where the fix gives a divergence the other distribution as its prediction: both sides are
    modelled over the same inputs, so only the code can tell which distribution is the prediction's."""
    if before.labels not in (LabelEncoding.DISTRIBUTION, LabelEncoding.LOG_DISTRIBUTION) \
            or None in (before.prediction_source, after.prediction_source) \
            or before.prediction_source == after.prediction_source:
        return None
    return ContractResult(contract.relation, held=False, inputs_tried=0, worst_deviation=float("nan"), summary=(
        f"after the fix the divergence's prediction is computed from `{after.prediction_source}`, where the "
        f"original's is computed from `{before.prediction_source}`: the two distributions are exchanged"))


def _verdict(before: SiteModel, after: SiteModel, contract: Contract) -> ContractResult:
    prediction = Input.BINARY_LOGITS if before.binary else Input.LOGITS
    bindings = {PREDICTION: prediction, **dict(LABEL_INPUTS[model.labels] for model in (before, after))}
    if not before.binary:
        bindings[REFERENCE_LABELS] = Input.ONE_HOT_LABELS
    if any(value is CLASS_WEIGHTS for model in (before, after) for _, value in model.options):
        bindings[CLASS_WEIGHTS] = Input.CLASS_WEIGHTS
    kinds = {name: kind for arguments in TENSOR_ARGUMENTS.values() for _, name, kind in arguments}
    bindings.update((name, kinds[name]) for model in (before, after) for _, name in model.tensors)
    ignored = dict(before.options).get("ignore_index")
    width = before.classes if before.classes is not None and (before.binary or before.classes > 1) else None
    dtypes = (np.float32,) if before.keras_model or after.keras_model else DTYPES
    layout = Layout(rank=max(before.rank, after.rank), class_axis=before.class_axis, width=width, dtypes=dtypes,
                    kept_class=ignored if isinstance(ignored, int) else None)
    original, fixed = site_expression(before), site_expression(after)
    if contract.relation is Relation.SAME_VALUE_AND_GRADIENT:
        return verify_expressions(original, fixed, bindings, contract.relation, wrt=PREDICTION, layout=layout)
    result = verify_expressions(original, fixed, bindings, Relation.MATCHES_REFERENCE, intended_loss(before, after),
                                wrt=PREDICTION, layout=layout)
    if result.failures == (ORIGINAL_EQUALS_REFERENCE,):
        # Keras 3 reads the logits cached on its own softmax output whatever `from_logits` says:
        # there the fix changes nothing, and it is right wherever the cache is absent.
        summary = result.summary.split("; fails on", 1)[0]
        return dataclasses.replace(result, held=True, failures=(), summary=(
            f"{summary}; the original gives the same value on these inputs (the modelled framework "
            f"recovers the logits from the activation)"))
    return result


@functools.lru_cache(maxsize=2)  # the fixes of one pass read the same source
def _context(source: str) -> FileContext:
    return FileContext(cst.parse_module(source), "<verified>")


def _offset(ctx: FileContext, source: str, node: cst.CSTNode) -> int:
    start = ctx.positions[node].start
    return engine.location_offsets(source)(Location(start.line, start.column + 1))


def _site_at(ctx: FileContext, location: Location) -> Optional[LossSite]:
    """The loss site a finding at `location` is about: reported there, or whose prediction is made there."""
    def at(node: Optional[cst.CSTNode]) -> bool:
        if node is None:
            return False
        start = ctx.positions[node].start
        return (start.line, start.column + 1) == (location.row, location.column)

    sites = ctx.loss_sites
    return (next((s for s in sites if at(s.report)), None)
            or next((s for s in sites if s.prediction.origin is not None and at(s.prediction.origin.node)), None))


def _site_near(ctx: FileContext, source: str, offset: int, before: LossSite) -> Optional[LossSite]:
    """The loss site reported at `offset`; else, where an edit rewrote the call, the one on its row with the
    same loss nearest to it."""
    sites = ctx.loss_sites
    exact = next((s for s in sites if _offset(ctx, source, s.report) == offset), None)
    if exact is not None:
        return exact
    row = source.count("\n", 0, offset) + 1
    same_row = [s for s in sites if ctx.positions[s.report].start.line == row and s.compiled == before.compiled]
    return min(same_row, key=lambda s: abs(_offset(ctx, source, s.report) - offset), default=None)


def _fixed(source: str, diagnostic: Diagnostic, offset: int) -> tuple[str, int]:
    """The source with the fix applied, and about where the text at `offset` starts in it: exactly
    outside the edits; inside one, at the start of the same row counted from the edit's start."""
    assert diagnostic.fix is not None
    offset_of = engine.location_offsets(source)
    edits = sorted(((offset_of(e.location), offset_of(e.end_location), e.content) for e in diagnostic.fix.edits),
                   reverse=True)
    fixed, moved = source, offset
    for start, end, content in edits:
        fixed = fixed[:start] + content + fixed[end:]
        if offset >= end:
            moved += len(content) - (end - start)
        elif offset >= start:
            rows = source.count("\n", start, offset)
            position = 0
            for _ in range(rows):
                position = content.find("\n", position) + 1 or position
            moved = start + position
    return fixed, moved


def flow_values(source: str, diagnostic: Diagnostic) -> dict[str, Value]:
    """What the flow knows of each variable the fix's edits read: its value at the first read."""
    assert diagnostic.fix is not None
    ctx = _context(source)
    rows = [row for edit in diagnostic.fix.edits for row in (edit.location.row, edit.end_location.row)]
    first, last = min(rows), max(rows)
    values: dict[str, Value] = {}

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            position = ctx.positions.get(node)
            if position is not None and first <= position.start.line <= last and node.value not in values:
                values[node.value] = ctx.flow.value(node)

    ctx.module.visit(Names())
    return values
