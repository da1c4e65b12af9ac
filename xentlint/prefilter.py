"""Skip files that cannot produce a finding before paying for a parse.

The vocabulary is generated from the knowledge table: the last component of every API name a
rule can match (and the Keras loss strings). A file mentioning none of them is not parsed.
"""
from __future__ import annotations

import re
from functools import lru_cache

from xentlint import knowledge


@lru_cache(maxsize=None)
def pattern() -> "re.Pattern[str]":
    words = sorted({name.rsplit(".", 1)[-1] for name in knowledge.all_names()}, key=lambda w: (-len(w), w))
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")


def may_match(source: str) -> bool:
    return pattern().search(source) is not None
