"""Skip what cannot produce a finding before paying for a parse.

Each rule names the families of table names it needs (`Rule.requires`, e.g. a log and a softmax
for XL301); the vocabularies come from the knowledge table. One scan collects the file's
identifiers, and only the rules whose families all appear run; a file for which none does is
never parsed by LibCST.
"""
from __future__ import annotations

import re
from typing import Sequence

from xentlint import knowledge
from xentlint.rule import Rule

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def identifiers(source: str) -> frozenset[str]:
    return frozenset(_IDENTIFIER.findall(source))


def may_fire(rule: Rule, words: frozenset[str]) -> bool:
    return all(not knowledge.vocabulary(family).isdisjoint(words) for family in rule.requires)


def rules_to_run(rules: Sequence[Rule], source: str) -> list[Rule]:
    words = identifiers(source)
    return [rule for rule in rules if may_fire(rule, words)]
