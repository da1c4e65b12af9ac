"""Render `xentlint/rule_index.py`: what is known of each rule without importing the rules."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from xentlint.rule import Rule

INDEX_MODULE = Path(__file__).resolve().parents[1] / "rule_index.py"

_HEADER = '''\
"""Each rule's code, name, default and pre-filter needs, known without importing the rules.

Generated from the rule classes by `python -m xentlint.dev.docs`; do not edit (a test fails when
it is stale). The configuration, the cache and the pre-filter read this, so that a run answered
from the cache, or on files that cannot matter, never imports LibCST.
"""
from __future__ import annotations

from typing import NamedTuple


class RuleEntry(NamedTuple):
    code: str
    name: str
    default_enabled: bool
    requires: tuple[str, ...]  # `knowledge.Vocabulary` values the file must all mention


RULES: tuple[RuleEntry, ...] = (
'''


def render_rule_index(rules: Sequence[type[Rule]]) -> str:
    rows = [f"    RuleEntry({rule.code!r}, {rule.name!r}, {rule.default_enabled!r}, "
            f"{tuple(family.value for family in rule.requires)!r}),\n" for rule in rules]
    return _HEADER + "".join(rows) + ")\n"
