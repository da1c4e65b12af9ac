"""Parse once, run the selected rules, apply suppressions, and apply fixes to a fixed point."""
from __future__ import annotations

import ast
import bisect
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Optional, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState

from xentlint import prefilter, relevance, views
from xentlint.context import FileContext
from xentlint.diagnostics import (
    INTERNAL_ERROR,
    SYNTAX_ERROR,
    Applicability,
    Diagnostic,
    Edit,
    Fix,
    Handoff,
    Location,
    file_diagnostic,
)
from xentlint.noqa import UNUSED_NOQA, parse_suppressions, unused_message
from xentlint.parsing import parse_module
from xentlint.positions import NEWLINE
from xentlint.registry import all_rules
from xentlint.rule import Finding, Replacement, Rule

if TYPE_CHECKING:
    from xentlint.activation_sites import HandoffRequest

MAX_FIX_PASSES = 10
# LibCST's visitors recurse per nesting level; deeply nested generated code needs headroom.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))


@dataclass
class LintResult:
    diagnostics: list[Diagnostic]
    parsed: bool = False  # the rules ran (the file parsed and was not skipped by the pre-filter)


@dataclass
class FixResult:
    source: str
    remaining: list[Diagnostic]
    fixed: list[Diagnostic] = field(default_factory=list)
    # Set when a pass produced code that does not parse or fixes never settled: nothing written.
    error: Optional[str] = None


def lint_source(source: str, filename: str, codes: frozenset[str]) -> LintResult:
    """Findings for `source`; a syntax error is itself a finding. Only the part of the file the
    rules can report on is parsed (`xentlint.relevance`), and a large file is analysed in views
    (`xentlint.views`), so that no more than one view's tree is held at a time."""
    if not prefilter.needs_parse(codes, source, filename):
        return LintResult(prefilter.syntax_errors(source, filename))
    runnable = prefilter.codes_to_run(codes, source, filename)
    rules = [rule() for rule in all_rules() if rule.code in runnable]
    relevant, left_out = relevance.relevant_view(source, lambda words: bool(prefilter.rules_for_words(runnable, words)))
    # The part left out must compile alone (its syntax errors are then reported as LibCST reports
    # them, from the whole file), and the part kept must parse alone.
    if left_out and not prefilter.syntax_errors(left_out, filename):
        result = _lint_views(source, filename, codes, rules, _split(relevant), cut=True)
        if result is not None:
            return result
    result = _lint_views(source, filename, codes, rules, _split(views.View(source, None)), cut=False)
    assert result is not None
    return result


def _lint_views(source: str, filename: str, codes: frozenset[str], rules: Sequence[Rule],
                parts: list[views.View], cut: bool) -> Optional[LintResult]:
    """The findings of the views `parts` of `source`; None when a view of a `cut` file does not parse."""
    diagnostics: set[Diagnostic] = set()
    for view in parts:
        try:
            module = parse_module(view.text)
        except cst.ParserSyntaxError as error:
            return None if cut else LintResult([_syntax_error(filename, error, view)])
        except RecursionError:
            return LintResult([file_diagnostic(SYNTAX_ERROR, filename, "too deeply nested to parse")])
        ctx = FileContext(module, filename, view)
        findings, errors = _run_rules(ctx, rules)
        diagnostics.update(errors, _to_diagnostics(ctx, findings, view.text))
        del ctx, module, findings  # free this tree before parsing the next view
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    return LintResult(_apply_suppressions(source, ordered, filename, UNUSED_NOQA[0] in codes), parsed=True)


def _split(view: views.View) -> list[views.View]:
    """`view` whole, or in views when large, each mapping its rows to the file's."""
    parts = views.split(view.text) if len(view.text) > views.VIEW_CHARS else None
    if parts is None:
        return [view]
    return [views.View(part.text, tuple(view.file_row(row + 1) - 1 for row in part.rows or ())) for part in parts]


# Whether a fix may be applied to the source it was computed on (notebooks refuse fixes across cells).
FixFilter = Callable[[str, Diagnostic], bool]


def fix_source(source: str, filename: str, codes: frozenset[str], unsafe: bool,
               allowed: Optional[FixFilter] = None) -> FixResult:
    """Apply applicable fixes until none is left; the result always parses.

    Each pass's LibCST parse is the check that the previous pass's fixes parse; Python's own
    compiler checks what LibCST accepts and Python does not.
    """
    fixed: list[Diagnostic] = []
    current = source
    for _ in range(MAX_FIX_PASSES):
        result = lint_source(current, filename, codes)
        broken = next((d for d in result.diagnostics if d.code == SYNTAX_ERROR[0]), None) if fixed else None
        if broken is not None:
            return _unchanged(source, filename, codes, f"fixes produced code that does not parse ({broken.message})")
        applicable = [d for d in result.diagnostics
                      if d.fix is not None and d.fix.applies(unsafe) and (allowed is None or allowed(current, d))]
        if not applicable or not result.parsed:
            return FixResult(current, result.diagnostics, fixed)
        new_source, applied = _apply(current, applicable, unsafe)
        if not applied:
            return FixResult(current, result.diagnostics, fixed)
        try:
            compile(new_source, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            return _unchanged(source, filename, codes, f"fixes produced code that does not parse ({error})")
        fixed += applied
        current = new_source
    return _unchanged(source, filename, codes, f"fixes did not settle after {MAX_FIX_PASSES} passes")


def _unchanged(source: str, filename: str, codes: frozenset[str], why: str) -> FixResult:
    return FixResult(source, lint_source(source, filename, codes).diagnostics, [], error=f"{why}; file left unchanged")


def _run_rules(ctx: FileContext, rules: Sequence[Rule]) -> tuple[list[Finding], list[Diagnostic]]:
    filename = ctx.filename
    findings: list[Finding] = []
    errors: list[Diagnostic] = []
    for rule in rules:
        try:
            findings.extend(rule.check(ctx))
        except RecursionError:
            errors.append(file_diagnostic(INTERNAL_ERROR, filename, f"{rule.code} skipped: code nested too deeply"))
        except Exception as error:  # one rule failing on one file must not stop the run
            message = f"{rule.code} failed on this file: {type(error).__name__}: {error}"
            errors.append(file_diagnostic(INTERNAL_ERROR, filename, message))
    return findings, errors


def _to_diagnostics(ctx: FileContext, findings: Sequence[Finding], text: str) -> list[Diagnostic]:
    """Diagnostics with positions and fix edits; `text` is the parsed module's own text."""
    if not findings:
        return []
    # Positions only once something is reported: the position pass costs about a parse.
    filename, positions = ctx.filename, ctx.positions
    starts = line_starts(text)
    diagnostics = []
    for finding in findings:
        rule = finding.rule
        assert rule is not None, "findings are made by Rule.finding"
        span = positions[finding.node]
        fix = None
        if finding.fix is not None:
            edits = (_edit(ctx, finding.fix.replacements, text, starts),)
            applicability = finding.fix.applicability
            if any(_drops_comments(replacement) for replacement in finding.fix.replacements):
                applicability = Applicability.UNSAFE  # as in Ruff: a fix that deletes comments is unsafe
            fix = Fix(finding.fix.title, applicability, edits)
        start = Location(ctx.file_row(span.start.line), span.start.column + 1)
        end = Location(ctx.file_row(span.end.line), span.end.column + 1)
        handoff = _handoff(finding.handoff) if finding.handoff is not None else None
        diagnostics.append(Diagnostic(rule.code, rule.name, finding.message, filename, start, end, fix,
                                      handoff=handoff))
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def _handoff(request: "HandoffRequest") -> Optional[Handoff]:
    """The finding a loss's finding hands to the activation's module, made from that module as it is now."""
    from xentlint.activation_sites import activation_finding

    found = activation_finding(request)
    if found is None:
        return None
    ctx, text, key, finding = found
    [diagnostic] = _to_diagnostics(ctx, [finding], text)
    suppressed = parse_suppressions(text).suppressed(diagnostic.code, diagnostic.location.row)
    return Handoff(request.module, key, diagnostic, suppressed)


def _edit(ctx: FileContext, replacements: Sequence[Replacement], text: str, starts: list[int]) -> Edit:
    """One text edit spanning the replaced nodes: each new node rendered alone, with the
    indentation of the blocks around its old place (which its line breaks inherit), and the text
    between them kept. The work is proportional to the replaced nodes, not to the file."""
    positions = ctx.positions
    outermost = [r for r in replacements
                 if not any(o is not r and ctx.is_within(r.old, o.old) for o in replacements)]
    spans = sorted(((_offset(starts, positions[r.old].start), _offset(starts, positions[r.old].end), r)
                    for r in outermost), key=lambda span: span[:2])
    parts: list[str] = []
    cursor = spans[0][0]
    for start, end, replacement in spans:
        parts += [text[cursor:start], _render(ctx, replacement)]
        cursor = end
    first, last = spans[0][0], cursor
    return Edit("".join(parts), _location(ctx, starts, first), _location(ctx, starts, last))


class _Positions:
    """Where `PositionProvidingCodegenState` records the positions of a rendered node."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, CodeRange] = {}


def _render(ctx: FileContext, replacement: Replacement) -> str:
    """The code of `replacement.new` as it reads in place of `replacement.old`, over the old
    node's span as positions count it (a span leaves out a node's own parentheses, and a
    statement's indentation and newline): what the old node's code has around its span, cut from
    the new node's code. Both are generated inside the indentation of the blocks around them."""
    module = ctx.module
    blocks = [a for a in ctx.ancestors(replacement.old) if isinstance(a, cst.IndentedBlock)]
    indents = [module.default_indent if block.indent is None else block.indent for block in reversed(blocks)]
    recorder = _Positions()
    state = PositionProvidingCodegenState(default_indent=module.default_indent,
                                          default_newline=module.default_newline, provider=recorder)
    state.indent_tokens = list(indents)
    replacement.old._codegen(state)
    old = "".join(state.tokens)
    span, starts = recorder._computed[replacement.old], line_starts(old)
    before, after = _offset(starts, span.start), len(old) - _offset(starts, span.end)
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    state.indent_tokens = list(indents)
    replacement.new._codegen(state)
    new = "".join(state.tokens)
    return new[before:len(new) - after]


def line_starts(text: str) -> list[int]:
    """The offset where each row starts, rows ending at `\r\n`, `\r` or `\n` as LibCST and
    Python's tokenizer count them (not at the form feeds `str.splitlines` also splits at)."""
    return [0] + [match.end() for match in NEWLINE.finditer(text)]


def _offset(starts: list[int], position: CodePosition) -> int:
    return starts[position.line - 1] + position.column


def _location(ctx: FileContext, starts: list[int], offset: int) -> Location:
    row = bisect.bisect_right(starts, offset)
    return Location(ctx.file_row(row), offset - starts[row - 1] + 1)


class _Comments(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[str] = []

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found.append(node.value)


def _comments(node: cst.CSTNode) -> list[str]:
    collector = _Comments()
    node.visit(collector)  # comments sit in layout fields, which the fast walker skips
    return collector.found


def _drops_comments(replacement: Replacement) -> bool:
    kept = _comments(replacement.new)
    return any(comment not in kept for comment in _comments(replacement.old))


def _apply_suppressions(source: str, diagnostics: list[Diagnostic], filename: str,
                        report_unused: bool) -> list[Diagnostic]:
    if not diagnostics and not report_unused:
        return diagnostics
    suppressions = parse_suppressions(source)
    kept = [d for d in diagnostics if not suppressions.suppressed(d.code, d.location.row)]
    if report_unused:
        for line, codes in suppressions.unused():
            message = unused_message(codes)
            kept.append(Diagnostic(UNUSED_NOQA[0], UNUSED_NOQA[1], message, filename,
                                   Location(line.row, line.column), Location(line.row, line.column)))
    return sorted(kept, key=Diagnostic.sort_key)


def _apply(source: str, diagnostics: Iterable[Diagnostic], unsafe: bool) -> tuple[str, list[Diagnostic]]:
    """Apply non-overlapping fixes by text edits, first finding first; the rest wait for the next pass."""
    offset = location_offsets(source)
    taken: list[tuple[int, int]] = []
    chosen: list[tuple[int, int, str]] = []
    applied: list[Diagnostic] = []
    for diagnostic in diagnostics:
        if diagnostic.fix is None or not diagnostic.fix.applies(unsafe):
            continue
        spans = [(offset(e.location), offset(e.end_location), e.content) for e in diagnostic.fix.edits]
        if any(start < end_taken and start_taken < end or start == start_taken
               for start, end, _ in spans for start_taken, end_taken in taken):
            continue
        taken += [(start, end) for start, end, _ in spans]
        chosen += spans
        applied.append(diagnostic)
    for start, end, content in sorted(chosen, reverse=True):
        source = source[:start] + content + source[end:]
    return source, applied


def location_offsets(source: str) -> Callable[[Location], int]:
    """The text offset of a fix edit's `Location` in `source`."""
    starts = line_starts(source)
    return lambda location: starts[location.row - 1] + location.column - 1


def _syntax_error(filename: str, error: cst.ParserSyntaxError, view: views.View) -> Diagnostic:
    """At Python's own position when Python rejects the view too: LibCST's is off after a tokenizer
    error (an unmatched `)` is put at 1:1, an unclosed `(` on a later row)."""
    try:
        compile(view.text, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python_error:
        return file_diagnostic(SYNTAX_ERROR, filename, f"cannot parse: {python_error.msg}",
                               view.file_row(python_error.lineno or 1), python_error.offset or 1)
    except (ValueError, RecursionError, MemoryError):
        pass
    message = f"cannot parse: {error.message}"
    return file_diagnostic(SYNTAX_ERROR, filename, message, view.file_row(error.raw_line), error.raw_column + 1)

