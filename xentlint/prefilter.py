"""Skip what cannot produce a finding before paying for a parse.

Each rule names the families of table names it needs (`Rule.requires`, e.g. a log and a softmax
for XL301, copied into `xentlint.rule_index`); the vocabularies come from the knowledge table.
One scan collects the file's identifiers, and only the rules whose families all appear run; a
file for which none does is never parsed by LibCST, and LibCST is not even imported for it.
"""
from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Optional

from xentlint import knowledge
from xentlint.rule_index import RULES
from xentlint.diagnostics import SYNTAX_ERROR, Diagnostic, file_diagnostic
from xentlint.noqa import UNUSED_NOQA

_IMPORTS = frozenset({"import"})
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@lru_cache(maxsize=1)  # asked by the caller, then by the engine, of the same text
def identifiers(source: str) -> frozenset[str]:
    return frozenset(_IDENTIFIER.findall(source))


def codes_to_run(codes: frozenset[str], source: str, filename: Optional[str] = None) -> frozenset[str]:
    """The selected rules that may fire on `source`; with the file's name, also through what the
    project modules it imports say (its softmax may be in `models.py`)."""
    words = identifiers(source)
    if filename is not None and not words.isdisjoint(_IMPORTS):
        from xentlint.project import imported_words

        words = words | imported_words(filename, source)
    return rules_for_words(codes, words)


def rules_for_words(codes: frozenset[str], words: frozenset[str]) -> frozenset[str]:
    """The rules among `codes` whose vocabularies all appear in `words`."""
    return frozenset(code for code, families in _needs() if code in codes
                     and all(not family.isdisjoint(words) for family in families))


@lru_cache(maxsize=None)
def _needs() -> tuple[tuple[str, tuple[frozenset[str], ...]], ...]:
    """Each rule's code with the vocabularies it needs."""
    return tuple((entry.code, tuple(knowledge.vocabulary(knowledge.Vocabulary(family)) for family in entry.requires))
                 for entry in RULES)


def needs_parse(codes: frozenset[str], source: str, filename: Optional[str] = None) -> bool:
    # XL900 judges every file's suppressions, so it needs the parse whatever the file says.
    return UNUSED_NOQA[0] in codes or bool(codes_to_run(codes, source, filename))


def syntax_errors(source: str, filename: str) -> list[Diagnostic]:
    """What a skipped file still reports: a syntax error, found by `ast` (about 10x cheaper than LibCST)."""
    try:
        compile(source, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        return [file_diagnostic(SYNTAX_ERROR, filename, f"cannot parse: {error.msg}", error.lineno or 1,
                                error.offset or 1)]
    except (ValueError, RecursionError, MemoryError) as error:
        return [file_diagnostic(SYNTAX_ERROR, filename, f"cannot parse: {error}")]
    return []
