"""Views of a large module that LibCST can parse one at a time, each mapping its rows to the file's.

A LibCST tree costs about 1 KB of memory per byte of source (keras' 448 KB `numpy_test.py`
needs 600 MB, a 5 MB generated file 6 GB). A large file is therefore analysed in views: each
keeps the module's context (its top-level statements other than definitions: imports, aliases,
constants, script code) and one run of definitions, whole lines only, so columns are the file's
and each row maps to one row of the file. A file whose context alone is over budget (a long
script) is analysed whole.

Flow is followed within a view: a function body is always whole; a class is whole unless it
alone is over budget, and then each view keeps its header and some of its members. A value
whose origin falls in another view is unknown, so a view can only miss findings, never invent
them. Statements are found with `tokenize` (`xentlint.tokens`), which needs no tree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from xentlint import tokens
from xentlint.tokens import Statement

# Over this many characters a file is analysed in views of about this size: ~100 MB of tree.
VIEW_CHARS = 96 * 1024
_DEFINITION_STARTS = ("def", "class", "async")


@dataclass(frozen=True)
class View:
    text: str
    rows: Optional[tuple[int, ...]]  # the file's 0-based row for each row of `text`; None: the same rows

    def file_row(self, row: int) -> int:
        """The file's 1-based row for a 1-based row of this view."""
        return row if self.rows is None or not 0 < row <= len(self.rows) else self.rows[row - 1] + 1


@dataclass(frozen=True)
class _Unit:
    """Consecutive rows [start, end) that belong together: a statement and its body."""

    start: int
    end: int
    definition: bool


def split(source: str) -> Optional[list[View]]:
    """`source` as views of about `VIEW_CHARS` characters each, or None when it cannot be split
    (it does not tokenize, or it is one statement)."""
    budget = VIEW_CHARS
    lines = _lines(source)
    scanned = tokens.scan(source)
    if scanned is None:  # let the whole-file parse report it
        return None
    statements = scanned.statements
    top = _units([s for s in statements if s.depth == 0], len(lines))
    if len(top) < 2:
        return None
    top[0] = _Unit(0, top[0].end, top[0].definition)  # rows before the first statement join it

    def size(unit: _Unit) -> int:
        return sum(len(line) for line in lines[unit.start:unit.end])

    # Context is shared by every view: an alias or a rebinding there changes what names mean in
    # every definition. A file whose context alone is over budget is analysed whole.
    shared = [unit for unit in top if not unit.definition]
    if sum(map(size, shared)) > budget:
        return None
    pieces: list[list[_Unit]] = []
    for unit in top:
        if not unit.definition:
            continue
        pieces.extend(_members(unit, statements) if size(unit) > budget else [[unit]])
    limit = max(budget - sum(map(size, shared)), budget // 2)
    groups: list[list[_Unit]] = []
    current = 0
    for piece in pieces:
        piece_size = sum(map(size, piece))
        if not groups or (groups[-1] and current + piece_size > limit):
            groups.append([])
            current = 0
        groups[-1].extend(piece)
        current += piece_size
    if len(groups) < 2:
        return None
    return [_render(lines, shared + group) for group in groups]


def _lines(source: str) -> list[str]:
    """Rows as tokenize counts them: split at `\\n` only (str.splitlines also splits at form feeds)."""
    lines = [line + "\n" for line in source.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines


def _units(statements: list[Statement], row_count: int) -> list[_Unit]:
    """Each statement to the next one at its level; decorators join what they decorate."""
    units: list[_Unit] = []
    pending_start: Optional[int] = None
    for index, statement in enumerate(statements):
        end = statements[index + 1].first if index + 1 < len(statements) else row_count
        if statement.word == "@":
            pending_start = statement.first if pending_start is None else pending_start
            continue
        start = pending_start if pending_start is not None else statement.first
        pending_start = None
        units.append(_Unit(start, end, statement.word in _DEFINITION_STARTS))
    return units


def _members(unit: _Unit, statements: Sequence[Statement]) -> list[list[_Unit]]:
    """A large class as pieces of its methods, each with the class's header and its other
    statements (attributes, aliases), as views share the module's context; anything else whole."""
    inside = [s for s in statements if unit.start <= s.first < unit.end]
    keyword = next((s.word for s in inside if s.depth == 0 and s.word != "@"), "")
    members = _units([s for s in inside if s.depth == 1], unit.end)
    methods = [member for member in members if member.definition]
    if keyword != "class" or len(methods) < 2:
        return [[unit]]
    header = [_Unit(unit.start, members[0].start, True)] + [member for member in members if not member.definition]
    return [header + [method] for method in methods]


def _render(lines: list[str], units: list[_Unit]) -> View:
    rows = sorted({row for unit in units for row in range(unit.start, unit.end)})
    return View("".join(lines[row] for row in rows), tuple(rows))
