"""What the caller asks of an output, and which fixes count as available under it."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

from xentlint.diagnostics import Diagnostic

if TYPE_CHECKING:
    from xentlint.rule import Rule


@dataclass(frozen=True)
class RenderOptions:
    statistics: bool = False  # text and json: counts per code instead of findings
    show_fixes: bool = False  # text: list what `fix` changed
    fixed: Sequence[Diagnostic] = ()  # findings whose fix `fix` applied
    # fix: how many findings `check` reported before fixing; None: as many as were fixed or remain
    found: Optional[int] = None
    quiet: bool = False  # text: findings only, no summary
    unsafe_fixes_enabled: bool = False
    rules: Optional[Sequence[type[Rule]]] = None  # SARIF: rule metadata; None: every rule


def has_applicable_fix(diagnostic: Diagnostic, options: RenderOptions) -> bool:
    """A fix that `xentlint fix` would apply with the current settings."""
    return diagnostic.fix is not None and diagnostic.fix.applies(options.unsafe_fixes_enabled)


def has_hidden_fix(diagnostic: Diagnostic, options: RenderOptions) -> bool:
    """An unsafe fix that `--unsafe-fixes` would make available."""
    return diagnostic.fix is not None and not has_applicable_fix(diagnostic, options)


@dataclass(frozen=True)
class CodeCount:
    """`--statistics`: how many findings a code has, and how many of them `fix` would fix now."""

    code: str
    name: str
    count: int
    fixable_count: int

    @property
    def marker(self) -> str:
        if self.fixable_count == self.count:
            return "[*]"
        return "[~]" if self.fixable_count else "[ ]"


def statistics(diagnostics: Sequence[Diagnostic], options: RenderOptions) -> list[CodeCount]:
    """One row per code, most frequent first."""
    counts = Counter(d.code for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if has_applicable_fix(d, options))
    names = {d.code: d.name for d in diagnostics}
    return [CodeCount(code, names[code], count, fixable[code])
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
