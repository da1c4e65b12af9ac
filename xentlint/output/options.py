"""What the caller asks of an output, and which fixes count as available under it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

from xentlint.diagnostics import Diagnostic

if TYPE_CHECKING:
    from xentlint.rule import Rule


@dataclass(frozen=True)
class RenderOptions:
    statistics: bool = False  # text: counts per code instead of findings
    show_fixes: bool = False  # text: list what `fix` changed
    fixed: Sequence[Diagnostic] = ()  # findings whose fix `fix` applied
    quiet: bool = False  # text: findings only, no summary
    unsafe_fixes_enabled: bool = False
    rules: Optional[Sequence[type[Rule]]] = None  # SARIF: rule metadata; None: every rule


def has_applicable_fix(diagnostic: Diagnostic, options: RenderOptions) -> bool:
    """A fix that `xentlint fix` would apply with the current settings."""
    return diagnostic.fix is not None and diagnostic.fix.applies(options.unsafe_fixes_enabled)


def has_hidden_fix(diagnostic: Diagnostic, options: RenderOptions) -> bool:
    """An unsafe fix that `--unsafe-fixes` would make available."""
    return diagnostic.fix is not None and not has_applicable_fix(diagnostic, options)
