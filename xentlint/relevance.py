"""The part of a module the selected rules can report on: its top-level definitions that no rule
could fire in are left out before LibCST parses it.

A module is its context (every top-level statement that is not a definition: imports, aliases,
constants, script code) and its top-level functions and classes. A definition can matter only
through the names it shares with the rest of the module, so it is kept when the words of the
context and of the definitions it reaches by name (its calls, its base classes, what it
instantiates) are enough for a rule's pre-filter (`prefilter.runnable`), and so is everything
kept definitions reach, everything the context reaches, and every definition that names a kept
one (a caller passing a model to a training function, a use that makes a fix unsafe). What is
left out shares no name with what is kept, so the flow would find nothing through it.

Definitions are found at column 0 with a pattern, not with tokens: a `def` line inside a
triple-quoted string at column 0 can only cut that string, and the view then either fails to
parse (the whole file is parsed instead) or holds less of a string. The left-out text is
compiled by Python, so its syntax errors are still reported, at the file's rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

from xentlint.views import View

# Smaller files are parsed whole: splitting them saves less than it costs.
MIN_CHARS = 8 * 1024
# A view keeping more than this share of the file is not worth the row mapping.
_MAX_SHARE = 0.9
_STATEMENT_START = re.compile(r"^(?:(@)|(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)|[^\s#)\]}])", re.MULTILINE)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Runnable = Callable[[frozenset[str]], bool]  # whether some selected rule may fire, given a file's words


@dataclass(frozen=True)
class _Unit:
    start: int  # character offsets [start, end), whole lines
    end: int
    name: Optional[str]  # a definition's name; None for the module's context
    words: frozenset[str]


def relevant_view(source: str, runnable: Runnable) -> tuple[View, str]:
    """The view of `source` to analyse and the text left out of it (empty: the whole file)."""
    whole = View(source, None), ""
    if len(source) < MIN_CHARS or source.count("\r") != source.count("\r\n"):
        return whole  # small, or rows ending at a lone CR, which the pattern does not see
    units = _units(source)
    definitions = [unit for unit in units if unit.name is not None]
    if len(definitions) < 2:
        return whole
    kept = _kept(units, definitions, runnable)
    kept_chars = sum(unit.end - unit.start for unit in units if unit.name is None or id(unit) in kept)
    if kept_chars > _MAX_SHARE * len(source):
        return whole
    return _render(source, units, kept)


def _units(source: str) -> list[_Unit]:
    """Top-level statements, each to the next: a decorated definition starts at its decorators."""
    starts: list[tuple[int, Optional[str]]] = []
    decorated = False
    for match in _STATEMENT_START.finditer(source):
        if match.group(1):  # a decorator: the definition starts here
            if not decorated:
                starts.append((match.start(), ""))
                decorated = True
            continue
        name = match.group(2)
        if decorated:
            decorated = False
            if name is not None:
                starts[-1] = (starts[-1][0], name)
                continue
            starts[-1] = (starts[-1][0], None)  # a decorator on no definition: leave it be
        starts.append((match.start(), name))
    if starts and starts[0][0] > 0:
        starts.insert(0, (0, None))
    units = []
    for index, (start, name) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(source)
        units.append(_Unit(start, end, name or None, frozenset(_IDENTIFIER.findall(source, start, end))))
    return units


def _kept(units: list[_Unit], definitions: list[_Unit], runnable: Runnable) -> set[int]:
    """The ids of the definitions to keep."""
    by_name: dict[str, list[_Unit]] = {}
    for unit in definitions:
        by_name.setdefault(unit.name or "", []).append(unit)

    def reached(words: frozenset[str]) -> dict[int, _Unit]:
        found: dict[int, _Unit] = {}
        pending = [unit for word in words for unit in by_name.get(word, ())]
        while pending:
            unit = pending.pop()
            if id(unit) not in found:
                found[id(unit)] = unit
                pending += [other for word in unit.words for other in by_name.get(word, ())]
        return found

    context_words = frozenset().union(*(unit.words for unit in units if unit.name is None))
    kept = reached(context_words)
    base = context_words.union(*(unit.words for unit in kept.values()))
    for unit in definitions:
        if id(unit) not in kept:
            closure = reached(unit.words | {unit.name or ""})
            if runnable(base.union(*(other.words for other in closure.values()))):
                kept.update(closure)
    names = {unit.name for unit in kept.values()}
    grown = True
    while grown:  # every definition naming a kept one, and what it reaches
        grown = False
        for unit in definitions:
            if id(unit) not in kept and not unit.words.isdisjoint(names):
                closure = reached(unit.words | {unit.name or ""})
                kept.update(closure)
                names |= {other.name for other in closure.values()}
                grown = True
    return set(kept)


def _render(source: str, units: list[_Unit], kept: set[int]) -> tuple[View, str]:
    kept_text: list[str] = []
    kept_rows: list[int] = []
    left_out: list[str] = []
    row = left_out_rows = 0  # the file's row where the unit starts; rows in `left_out` so far
    for unit in units:
        text = source[unit.start:unit.end]
        rows = text.count("\n")
        if unit.name is None or id(unit) in kept:
            kept_text.append(text)
            kept_rows += range(row, row + rows + (not text.endswith("\n")))
        else:
            # Blank rows keep the left-out text on the file's rows when Python compiles it.
            left_out.append("\n" * (row - left_out_rows) + text)
            left_out_rows = row + rows
        row += rows
    return View("".join(kept_text), tuple(kept_rows)), "".join(left_out)
