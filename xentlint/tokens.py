"""One `tokenize` pass over a source, shared by the views (statements) and the suppressions (comments).

LibCST tokenizes again in its own parser, which cannot take these tokens; everything else that
needs tokens reads them from here, so a large file with `noqa` comments is tokenized once.
"""
from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

_NOT_CODE = (tokenize.NL, tokenize.COMMENT, tokenize.ENCODING, tokenize.ENDMARKER)


@dataclass(frozen=True)
class Statement:
    first: int  # 0-based row
    depth: int  # indentation level
    word: str  # its first token


@dataclass(frozen=True)
class Comment:
    row: int  # 1-based
    column: int  # 0-based
    text: str


@dataclass(frozen=True)
class Scan:
    statements: tuple[Statement, ...]  # every logical line
    comments: tuple[Comment, ...]


@lru_cache(maxsize=1)  # asked by the views, then by the suppressions, of the same text
def scan(source: str) -> Optional[Scan]:
    """The logical lines and comments of `source`; None when it does not tokenize."""
    statements: list[Statement] = []
    comments: list[Comment] = []
    depth = 0
    at_start = True
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            kind = token.type
            if kind == tokenize.COMMENT:
                comments.append(Comment(token.start[0], token.start[1], token.string))
            elif kind == tokenize.INDENT:
                depth += 1
            elif kind == tokenize.DEDENT:
                depth -= 1
            elif kind == tokenize.NEWLINE:
                at_start = True
            elif kind not in _NOT_CODE and at_start:
                at_start = False
                statements.append(Statement(token.start[0] - 1, depth, token.string))
    except (tokenize.TokenError, SyntaxError):
        return None
    return Scan(tuple(statements), tuple(comments))
