"""Gitignore-style path patterns, with a one-regex answer for the common case: no pattern matches.

pathspec tries each pattern in turn; a walk asks about every file and folder, and nearly all
match nothing, so one alternation of all the patterns answers them in a single search.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

import pathspec

_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


class PathPatterns:
    def __init__(self, lines: Iterable[str]) -> None:
        self.spec = pathspec.GitIgnoreSpec.from_lines(lines)
        self._any = _union(self.spec.patterns)

    def verdict(self, relative: str) -> Optional[bool]:
        """True if the last matching pattern includes `relative`, False if it excludes it (`!`),
        None if none matches. Folders end in `/`."""
        if self._any is not None and self._any.match(relative) is None:
            return None
        return self.spec.check_file(relative).include

    def match(self, relative: str) -> bool:
        return self.verdict(relative) is True


def _union(patterns: Iterable[pathspec.Pattern]) -> Optional[re.Pattern[str]]:
    sources = [pattern.regex.pattern for pattern in patterns if getattr(pattern, "regex", None) is not None]
    if len(sources) < 2:
        return None  # nothing to gain over pathspec itself
    # Each pattern names the same groups; an alternation may not, so they become plain groups.
    try:
        return re.compile("|".join(f"(?:{_NAMED_GROUP.sub('(?:', source)})" for source in sources))
    except re.error:  # a pattern form this does not foresee: pathspec alone answers
        return None
