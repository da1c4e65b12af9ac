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
from functools import lru_cache
from typing import Callable, Optional

from xentlint.views import View

# Smaller files are parsed whole: splitting them saves less than it costs.
MIN_CHARS = 8 * 1024
# A view keeping more than this share of the file is not worth the row mapping.
_MAX_SHARE = 0.9
# A class over this many characters is read as its methods, each kept on its own.
MEMBER_SPLIT_CHARS = 8 * 1024
_STATEMENT = r"(?:(?P<decorator>@)|(?:async[ \t]+)?(?:def|class)[ \t]+(?P<name>\w+)|[^\s#)\]}])"
_TOP_LEVEL = re.compile(r"^" + _STATEMENT, re.MULTILINE)
_CLASS = re.compile(r"(?:@[^\n]*\n(?:[ \t#][^\n]*\n|\n)*)*class[ \t]")
_BODY_INDENT = re.compile(r"^([ \t]+)(?=[^\s#)\]}])", re.MULTILINE)
_SETS_ATTRIBUTE = re.compile(r"\bsetattr\([ \t]*(?:self|cls)\b|\b(?:self|cls)\.\w+(?:\[[^\]\n]*\])?[ \t]*(?::[^=\n]*)?(?:[-+*/@%&|^]|//|<<|>>|\*\*)?=(?!=)")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")



@lru_cache(maxsize=8)
def _member_pattern(indent: str) -> re.Pattern[str]:
    return re.compile(r"^" + re.escape(indent) + _STATEMENT, re.MULTILINE)


Runnable = Callable[[frozenset[str]], bool]  # whether some selected rule may fire, given a file's words


@dataclass(frozen=True)
class _Unit:
    start: int  # character offsets [start, end), whole lines
    end: int
    name: Optional[str]  # the name a definition binds (a class's for its pieces); None: module context
    words: frozenset[str]
    owner: tuple[int, ...] = ()  # for a method of a large class: its class's other pieces, kept with it

    @property
    def member(self) -> bool:
        return bool(self.owner)


def relevant_view(source: str, runnable: Runnable) -> tuple[View, str]:
    """The view of `source` to analyse and the text left out of it (empty: the whole file)."""
    whole = View(source, None), ""
    if len(source) < MIN_CHARS or source.count("\r") != source.count("\r\n"):
        return whole  # small, or rows ending at a lone CR, which the pattern does not see
    units = _units(source)
    if sum(unit.name is not None for unit in units) < 2:
        return whole
    kept = _kept(units, runnable)
    kept_chars = sum(unit.end - unit.start for index, unit in enumerate(units) if unit.name is None or index in kept)
    if kept_chars > _MAX_SHARE * len(source):
        return whole
    return _render(source, units, kept)


def _units(source: str) -> list[_Unit]:
    """Top-level statements, each to the next (a decorated definition starts at its decorators);
    a large class as its methods and the rest of it (its header, its attributes, the methods that
    set attributes of `self`: what any method may read)."""
    units: list[_Unit] = []
    for start, end, name in _statements(source, 0, len(source), _TOP_LEVEL):
        if name is not None and end - start > MEMBER_SPLIT_CHARS and _CLASS.match(source, start):
            units += _class_units(source, start, end, name, len(units))
        else:
            units.append(_Unit(start, end, name, _words(source, start, end)))
    return units


def _statements(source: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int, Optional[str]]]:
    """The statements `pattern` finds in [start, end): each to the next, with its definition's
    name (the module's first statement starts at its first row)."""
    starts: list[tuple[int, Optional[str]]] = []
    decorated = False
    for match in pattern.finditer(source, start, end):
        if match.group("decorator"):  # the definition starts here
            if not decorated:
                starts.append((match.start(), ""))
                decorated = True
            continue
        name = match.group("name")
        if decorated:
            decorated = False
            if name is not None:
                starts[-1] = (starts[-1][0], name)
                continue
            starts[-1] = (starts[-1][0], None)  # a decorator on no definition: leave it be
        starts.append((match.start(), name))
    if start == 0 and (not starts or starts[0][0] > 0):
        starts.insert(0, (0, None))
    return [(begin, starts[index + 1][0] if index + 1 < len(starts) else end, name or None)
            for index, (begin, name) in enumerate(starts)]


def _class_units(source: str, start: int, end: int, name: str, first: int) -> list[_Unit]:
    header_end = source.find("\n", start, end)
    body = _BODY_INDENT.search(source, header_end + 1, end) if header_end >= 0 else None
    members = _statements(source, body.start(), end, _member_pattern(body.group(1))) if body else []
    methods = [(begin, stop, method) for begin, stop, method in members
               if method is not None and not _SETS_ATTRIBUTE.search(source, begin, stop)]
    if len(methods) < 2:
        return [_Unit(start, end, name, _words(source, start, end))]
    spans: list[tuple[int, int, str, bool]] = []  # start, end, name, whether a method kept on its own
    cursor = start
    for begin, stop, method in methods:
        if begin > cursor:
            spans.append((cursor, begin, name, False))
        spans.append((begin, stop, method, True))
        cursor = stop
    if cursor < end:
        spans.append((cursor, end, name, False))
    context = tuple(first + index for index, span in enumerate(spans) if not span[3])
    return [_Unit(begin, stop, piece, _words(source, begin, stop), context if method else ())
            for begin, stop, piece, method in spans]


def _words(source: str, start: int, end: int) -> frozenset[str]:
    return frozenset(_IDENTIFIER.findall(source, start, end))


def _kept(units: list[_Unit], runnable: Runnable) -> set[int]:
    """The indices of the definitions to keep."""
    by_name: dict[str, list[int]] = {}
    for index, unit in enumerate(units):
        if unit.name is not None:
            by_name.setdefault(unit.name, []).append(index)
    classes: dict[str, list[int]] = {}  # a large class's pieces, members included, by the class's name
    for index, unit in enumerate(units):
        for owner in unit.owner[:1]:
            classes.setdefault(units[owner].name or "", []).append(index)

    def reached(pending: list[int]) -> set[int]:
        found: set[int] = set()
        while pending:
            index = pending.pop()
            if index not in found:
                found.add(index)
                unit = units[index]
                for word in unit.words - {unit.name}:  # naming a large class names all of it
                    pending += by_name.get(word, []) + classes.get(word, [])
                pending += unit.owner
        return found

    context = [index for index, unit in enumerate(units) if unit.name is None]
    kept = reached(list(context))
    base = frozenset().union(*(units[index].words for index in kept))
    for index, unit in enumerate(units):
        if index not in kept:
            reach = reached([index])
            if runnable(base.union(*(units[other].words for other in reach))):
                kept |= reach
    names = {units[index].name for index in kept}
    grown = True
    while grown:  # every definition naming a kept one, and what it reaches
        grown = False
        for index, unit in enumerate(units):
            if index not in kept and not unit.words.isdisjoint(names):
                reach = reached([index])
                kept |= reach
                names |= {units[other].name for other in reach}
                grown = True
    for pieces in classes.values():  # a class body keeps a method: it cannot be empty
        if any(index in kept for index in pieces) and not any(units[index].member and index in kept for index in pieces):
            kept.add(next(index for index in pieces if units[index].member))
    return kept


def _render(source: str, units: list[_Unit], kept: set[int]) -> tuple[View, str]:
    kept_text: list[str] = []
    kept_rows: list[int] = []
    left_out: list[str] = []
    row = left_out_rows = 0  # the file's row where the unit starts; rows in `left_out` so far
    for index, unit in enumerate(units):
        text = source[unit.start:unit.end]
        rows = text.count("\n")
        if unit.name is None or index in kept:
            kept_text.append(text)
            kept_rows += range(row, row + rows + (not text.endswith("\n")))
        else:
            # Blank rows keep the left-out text on the file's rows when Python compiles it; a method
            # left out after its kept class header is compiled in a class of its own.
            gap = row - left_out_rows
            header = unit.member and gap > 0
            left_out.append("\n" * (gap - header) + ("class _:\n" if header else "") + text)
            left_out_rows = row + rows
        row += rows
    return View("".join(kept_text), tuple(kept_rows)), "".join(left_out)
