"""The run's second phase: findings one file's check hands to another module of the same run.

A loss in `train.py` fed by a model of `models.py` that ends in a softmax is reported at the loss,
and its fix, making the model return logits, is an edit in `models.py`. The check of `train.py`
makes that finding on the activation too (`Diagnostic.handoff`, `xentlint.activation_sites`); once
every file of the run is checked, it is reported in `models.py` if `models.py` is in the run, and
`fix` applies it there. Only the files of the run are looked at, never other importers of the
module: `xentlint check models.py` alone reports nothing new, so what the cache answers for
`models.py` never depends on another file; the handed finding is cached with the loss's file,
whose entry depends on `models.py` already.

The fix is unsafe: every user of the model, not only the losses in view, then gets logits
(inference code reading probabilities, a threshold at 0.5), and the run may not show them all.
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Optional, Sequence

from xentlint.diagnostics import INTERNAL_ERROR, IO_ERROR, Diagnostic, Handoff, file_diagnostic
from xentlint.engine import location_offsets
from xentlint.files import SourceError, read_source, write_atomic
from xentlint.noqa import UNUSED_NOQA, unused_message
from xentlint.project import content_key

if TYPE_CHECKING:
    from xentlint.api import FileReport, FileTask
    from xentlint.engine import FixResult
    from xentlint.verification import FixCheck

Fixer = Callable[["FileTask", str], tuple["FixResult", list["FixCheck"]]]
_Source = tuple[int, Diagnostic]  # the loss's report (its index) and its finding, which holds the handoff


def deliver(tasks: Sequence["FileTask"], reports: Sequence["FileReport"], fixer: Fixer) -> None:
    """Report (and with `fix`, apply) in each file of the run the findings other files handed to it;
    `reports[i]` is the report of `tasks[i]`, `fixer` fixes a task's text as phase one does."""
    for target, sources in sorted(_handed(tasks, reports).items()):
        task, report = tasks[target], reports[target]
        _used_suppressions(report, [finding.handoff for _, finding in sources
                                    if finding.handoff is not None and finding.handoff.suppressed])
        handoffs = _one_per_activation([(index, finding) for index, finding in sources
                                        if finding.handoff is not None and not finding.handoff.suppressed])
        if not handoffs:
            continue
        if task.fix:
            _fix(task, report, handoffs, [(reports[index], finding) for index, finding in sources], fixer)
        else:
            _report(task, report, [handoff.diagnostic for handoff in handoffs])


def _handed(tasks: Sequence["FileTask"], reports: Sequence["FileReport"]) -> dict[int, list[_Source]]:
    """For each file of the run that a finding hands a finding to: the findings that do, in run order."""
    files = {os.path.abspath(task.path): index for index, task in enumerate(tasks)
             if task.path is not None and task.stdin is None}
    handed: dict[int, list[_Source]] = {}
    for index, (task, report) in enumerate(zip(tasks, reports)):
        if task.is_notebook or task.stdin is not None:
            continue  # a row of a notebook's joined cells names no place to find; stdin is no project file
        for finding in report.diagnostics:
            handoff = finding.handoff
            target = files.get(handoff.module) if handoff is not None else None
            if target is not None and handoff is not None and handoff.diagnostic.code in tasks[target].codes:
                handed.setdefault(target, []).append((index, finding))
    return handed


def _used_suppressions(report: "FileReport", suppressed: list[Handoff]) -> None:
    """A `noqa` that suppressed a handed finding is used: it leaves the unused-noqa findings."""
    for handoff in suppressed:
        row, code = handoff.diagnostic.location.row, handoff.diagnostic.code
        kept = []
        for finding in report.diagnostics:
            if finding.code == UNUSED_NOQA[0] and finding.location.row == row:
                codes = finding.message.partition("(unused: ")[2].rstrip(")").split(", ")
                left = [named for named in codes if not code.startswith(named)]
                if not left:
                    continue
                finding = replace(finding, message=unused_message(left))
            kept.append(finding)
        report.diagnostics = kept


def _one_per_activation(sources: list[_Source]) -> list[Handoff]:
    """One finding per activation and code: the first loss in the run names it (its fix is the same)."""
    first: dict[tuple, Handoff] = {}
    for _, finding in sources:
        assert finding.handoff is not None
        handoff = finding.handoff
        first.setdefault((handoff.key, handoff.diagnostic.location, handoff.diagnostic.code), handoff)
    return list(first.values())


def _report(task: "FileTask", report: "FileReport", handed: list[Diagnostic]) -> None:
    named = [replace(diagnostic, filename=task.display) for diagnostic in handed]
    report.diagnostics = sorted(report.diagnostics + named, key=Diagnostic.sort_key)


def _fix(task: "FileTask", report: "FileReport", handoffs: list[Handoff],
         losses: list[tuple["FileReport", Diagnostic]], fixer: Fixer) -> None:
    """Apply the handed fixes that apply to the text they were made from, then the file's own fixes
    again; the losses' findings those fixes resolve leave the losses' reports."""
    if report.original is None or any(d.code == INTERNAL_ERROR[0] for d in report.diagnostics):
        return  # unreadable, or the file's own fixes failed: it stays as phase one left it
    base, base_fixed, base_checks = report.original, [], []
    if report.fixed_source is not None and content_key(report.original) not in {h.key for h in handoffs}:
        # The losses' checks read the module as phase one fixed it.
        base, base_fixed, base_checks = report.fixed_source, report.fixed, report.checks
    current = [handoff for handoff in handoffs if handoff.key == content_key(base)]  # others are stale
    found = (report.found if report.found is not None else len(report.diagnostics)) + len(current)
    applying = [h for h in current if h.diagnostic.fix is not None and h.diagnostic.fix.applies(task.unsafe)]
    fixed_text = _applied(base, [handoff.diagnostic for handoff in applying]) if applying else None
    result = fixer(task, fixed_text) if fixed_text is not None else None
    if result is None or result[0].error is not None:
        _report(task, report, [handoff.diagnostic for handoff in current])
        report.found = found
        return
    fixed, checks = result
    left = [handoff.diagnostic for handoff in current if handoff not in applying]
    named = [replace(handoff.diagnostic, filename=task.display) for handoff in applying]
    report.fixed = [*base_fixed, *named, *fixed.fixed]
    report.diagnostics = sorted(fixed.remaining + [replace(d, filename=task.display) for d in left],
                                key=Diagnostic.sort_key)
    report.fixed_source = fixed.source if fixed.source != report.original else None
    report.checks = [*base_checks, *checks, *_unverified(task, named)]
    report.found = found
    if task.write and task.path is not None and report.fixed_source is not None:
        error = _write(task, fixed.source)
        if error is not None:
            report.diagnostics.append(file_diagnostic(IO_ERROR, task.display, f"cannot write: {error}"))
            report.fixed = base_fixed
            return
    resolved = {(h.key, h.diagnostic.location, h.diagnostic.code) for h in applying}
    for loss_report, finding in losses:
        assert finding.handoff is not None
        if (finding.handoff.key, finding.handoff.diagnostic.location, finding.handoff.diagnostic.code) in resolved:
            loss_report.diagnostics = [d for d in loss_report.diagnostics if d is not finding]


def _applied(text: str, handed: list[Diagnostic]) -> Optional[str]:
    """`text` with the handed fixes' edits (one activation each, never overlapping), if it still compiles."""
    offset = location_offsets(text)
    edits = sorted(((offset(e.location), offset(e.end_location), e.content)
                    for diagnostic in handed if diagnostic.fix is not None for e in diagnostic.fix.edits),
                   reverse=True)
    for start, end, content in edits:
        text = text[:start] + content + text[end:]
    try:
        compile(text, "<handed fix>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    return text


def _unverified(task: "FileTask", applied: list[Diagnostic]) -> list["FixCheck"]:
    if not task.verify or not applied:
        return []
    from xentlint.verification import unverified

    return [unverified(diagnostic, "a fix made for a loss in another module is not checked") for diagnostic in applied]


def _write(task: "FileTask", text: str) -> Optional[str]:
    """Write the fixed text in the file's own encoding; the error, if that fails."""
    assert task.path is not None
    try:
        write_atomic(task.path, read_source(task.path).encode(text))
    except (OSError, SourceError) as error:
        return str(error)
    return None
