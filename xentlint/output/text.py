"""Ruff-style text: one line per finding, then a summary (or counts per code with `statistics`)."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Sequence

from xentlint.diagnostics import Diagnostic
from xentlint.output.options import RenderOptions, has_applicable_fix, has_hidden_fix, statistics
from xentlint.output.paths import display_path, position


def render(diagnostics: Sequence[Diagnostic], options: RenderOptions) -> str:
    if options.statistics:
        lines = _statistics(diagnostics, options)
    else:
        lines = [_line(d, options) for d in sorted(diagnostics, key=Diagnostic.sort_key)]
        if not options.quiet:
            if options.show_fixes and options.fixed:
                lines += _fixed_listing(options.fixed)
            lines += _summary(diagnostics, options)
    return "".join(f"{line}\n" for line in lines)


def _line(diagnostic: Diagnostic, options: RenderOptions) -> str:
    marker = " [*]" if has_applicable_fix(diagnostic, options) else ""
    return f"{position(diagnostic)}: {diagnostic.code} {diagnostic.message}{marker}"


def _plural(count: int, noun: str, nouns: str = "") -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {nouns or noun + 's'}"


def _summary(diagnostics: Sequence[Diagnostic], options: RenderOptions) -> list[str]:
    # One count for `check` and `fix`: findings as `check` reports them. `fix` found what `check`
    # reported before it ran; those no longer reported after it count as fixed.
    total = len(diagnostics) + len(options.fixed) if options.found is None else max(options.found, len(diagnostics))
    fixed = total - len(diagnostics)
    if total == 0:
        return ["All checks passed!"]
    found = f"Found {_plural(total, 'error')}"
    lines = [f"{found} ({fixed} fixed, {len(diagnostics)} remaining)." if fixed else f"{found}."]
    fixable = sum(has_applicable_fix(d, options) for d in diagnostics)
    hidden = sum(has_hidden_fix(d, options) for d in diagnostics)
    hint = f" ({_plural(hidden, 'hidden fix', 'hidden fixes')} can be enabled with the `--unsafe-fixes` option)"
    if fixable:
        lines.append(f"[*] {fixable} fixable with `xentlint fix`{hint if hidden else ''}.")
    elif hidden:
        lines.append(f"No fixes available{hint}.")
    return lines


def _fixed_listing(fixed: Sequence[Diagnostic]) -> list[str]:
    """Like Ruff's `--show-fixes`: per file, how many fixes of each rule were applied."""
    per_file: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for diagnostic in fixed:
        per_file[display_path(diagnostic.filename)][(diagnostic.code, diagnostic.name)] += 1
    lines = [f"Applied {_plural(len(fixed), 'fix', 'fixes')}:"]
    for path in sorted(per_file):
        lines.append(f"- {path}:")
        lines += [f"    {count} × {code} ({name})" for (code, name), count in sorted(per_file[path].items())]
    return lines + [""]


def _statistics(diagnostics: Sequence[Diagnostic], options: RenderOptions) -> list[str]:
    """`count<TAB>code<TAB>[*] name` per code, most frequent first, as Ruff prints it: `[*]` when
    every finding of the code is fixable now, `[~]` when some are, `[ ]` when none is."""
    rows = statistics(diagnostics, options)
    count_width = max((len(str(row.count)) for row in rows), default=0)
    code_width = max((len(row.code) for row in rows), default=0)
    return [f"{row.count:>{count_width}}\t{row.code:<{code_width}}\t{row.marker} {row.name}" for row in rows]
