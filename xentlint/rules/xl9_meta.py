"""XL9: findings about xentlint's own suppression comments."""
from __future__ import annotations

from typing import Iterator

from xentlint.context import FileContext
from xentlint.rule import Finding, Rule


class UnusedNoqa(Rule):
    code = "XL900"
    name = "unused-noqa"
    summary = "A `# noqa: XL...` comment that suppresses no xentlint finding on its line"
    why = (
        "A suppression that no longer suppresses anything hides the next real finding on that line. "
        "Only xentlint codes are checked: codes of other linters in the same comment are left alone. "
        "Off by default, like Ruff's RUF100."
    )
    example = "loss = F.cross_entropy(logits, y)  # noqa: XL101\n"
    use_instead = "loss = F.cross_entropy(logits, y)\n"
    default_enabled = False

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        # The engine reports unused suppressions once every other rule has run.
        return iter(())
