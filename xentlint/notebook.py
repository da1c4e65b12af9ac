"""Jupyter notebooks (nbformat 4): the code cells are checked and fixed together, as one module.

Code cells are joined in order, each followed by a boundary comment line, so a model built in one
cell and compiled in a later one is followed as in one file; IPython syntax is masked
(`xentlint.magics`). A cell indented as a whole is preceded by an `if True:` line, so that it
parses with its own rows and columns. A cell with a syntax error is reported on that cell and
analysed as empty, so the other cells are still checked. Findings name the cell by its number
among all cells, 1-based, as Ruff does, and count rows within the cell. A fix is applied only
when it stays inside one cell and off the masked lines. `fix` rewrites only the `source` of the
cells it changed and leaves every other byte of the file (outputs, metadata, key order,
indentation, final newline) as it was.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache
from json.decoder import scanstring
from typing import Any, Iterator, Optional, Sequence

from xentlint import engine, magics
from xentlint.diagnostics import IO_ERROR, SYNTAX_ERROR, Diagnostic, Edit, Fix, Location

_BOUNDARY_LINE = "#@xentlint-cell-end\n"
_OPENER_LINE = "if True:  #@xentlint-indented-cell\n"  # before a cell indented as a whole
# Rules name other places as `line N`; in a notebook that N is a row of the joined module.
_LINE_REFERENCE = re.compile(r"\bline (\d+)\b")
_SPACE = re.compile(r"[ \t\n\r]*")
_INDENT = re.compile(r"[ \t]*")
_DECODER = json.JSONDecoder()


class NotebookError(Exception):
    """A file that is not a notebook xentlint can read; the message says why."""


@dataclass(frozen=True)
class CodeCell:
    index: int  # position among all cells, 0-based
    source: str
    as_lines: bool  # `source` is stored as a list of lines rather than one string
    masked: magics.MaskedCell

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(frozen=True)
class Notebook:
    cells: tuple[CodeCell, ...]  # the code cells only, in order

    def module(self) -> str:
        return "".join((_OPENER_LINE if cell.masked.indented else "") + _terminated(cell.masked.text) + _BOUNDARY_LINE
                       for cell in self.cells)

    def sources(self, module: str) -> list[str]:
        """Each code cell's source as it stands in `module` (after fixes), IPython lines restored."""
        parts = module.split(_BOUNDARY_LINE)
        sources = []
        for cell, part in zip(self.cells, parts):
            part = part[len(_OPENER_LINE):] if cell.masked.indented and part.startswith(_OPENER_LINE) else part
            source = magics.unmask(part, cell.masked.originals)
            added_newline = _terminated(cell.source) != cell.source
            sources.append(source[:-1] if added_newline and source.endswith("\n") else source)
        return sources


def parse(text: str) -> Notebook:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"not a notebook: invalid JSON: {error}") from None
    if not isinstance(document, dict):
        raise NotebookError("not a notebook: the JSON is not an object")
    if document.get("nbformat") != 4:
        raise NotebookError(f"not an nbformat 4 notebook (nbformat: {json.dumps(document.get('nbformat'))})")
    cells = document.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("not a notebook: no list of `cells`")
    if not _is_python(document.get("metadata")):
        return Notebook(())  # an R or Julia notebook has nothing for xentlint
    code_cells = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict):
            raise NotebookError(f"cell {index + 1} is not a JSON object")
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        as_lines = isinstance(source, list)
        if not (isinstance(source, str) or as_lines and all(isinstance(line, str) for line in source)):
            raise NotebookError(f"cell {index + 1}: `source` must be a string or a list of strings")
        joined = "".join(source) if as_lines else source
        code_cells.append(CodeCell(index, joined, as_lines, magics.mask(joined)))
    return Notebook(tuple(code_cells))


def check_notebook(text: str, filename: str, codes: frozenset[str]) -> list[Diagnostic]:
    try:
        notebook = parse(text)
    except NotebookError as error:
        return [_unreadable(filename, error)]
    return _check(notebook, filename, codes)


def fix_notebook(text: str, filename: str, codes: frozenset[str], unsafe: bool) -> engine.FixResult:
    """The notebook's text with the fixes applied; unchanged (the same bytes) when nothing was fixed."""
    try:
        notebook = parse(text)
    except NotebookError as error:
        return engine.FixResult(text, [_unreadable(filename, error)])
    module = notebook.module()
    result = engine.fix_source(module, filename, codes, unsafe, allowed=_stays_in_one_cell)
    remaining = _in_cells(result.remaining, result.source, notebook, filename)
    # Placed in the notebook as it was before fixing: enough to count them by rule and cell.
    fixed = _in_cells(result.fixed, module, notebook)
    changed = {cell.index: new for cell, new in zip(notebook.cells, notebook.sources(result.source))
               if new != cell.source}
    if not changed:
        return engine.FixResult(text, remaining, fixed, result.error)
    try:
        return engine.FixResult(_with_sources(text, notebook, changed), remaining, fixed)
    except NotebookError as error:
        return engine.FixResult(text, _check(notebook, filename, codes), error=f"{error}; file left unchanged")


def _check(notebook: Notebook, filename: str, codes: frozenset[str]) -> list[Diagnostic]:
    module = notebook.module()
    return _in_cells(engine.lint_source(module, filename, codes).diagnostics, module, notebook, filename)


def _is_python(metadata: Any) -> bool:
    if not isinstance(metadata, dict):
        return True
    kernelspec, language_info = metadata.get("kernelspec"), metadata.get("language_info")
    language = (kernelspec.get("language") if isinstance(kernelspec, dict) else None) or (
        language_info.get("name") if isinstance(language_info, dict) else None)
    return not isinstance(language, str) or language.lower() == "python"


def _terminated(source: str) -> str:
    return source if not source or source.endswith("\n") else source + "\n"


def _unreadable(filename: str, error: NotebookError) -> Diagnostic:
    return Diagnostic(IO_ERROR[0], IO_ERROR[1], str(error), filename, Location(1, 1), Location(1, 1))


@dataclass(frozen=True)
class _Layout:
    """Where each code cell sits in the joined module, and the rows no fix may touch."""

    starts: tuple[int, ...]  # the module row where each code cell begins
    fences: tuple[int, ...]  # cell boundaries and masked IPython lines, ascending

    def place(self, row: int) -> tuple[int, int]:
        """(code cell position, row in that cell) of a module row."""
        cell = max(0, bisect_right(self.starts, row) - 1)
        return cell, row - self.starts[cell] + 1

    def admits(self, fix: Fix) -> bool:
        for edit in fix.edits:
            first_fence = bisect_left(self.fences, edit.location.row)
            if first_fence < len(self.fences) and self.fences[first_fence] <= edit.end_location.row:
                return False
        return True


@lru_cache(maxsize=8)  # asked once per finding and fix pass, about the same few module texts
def _layout(module: str) -> _Layout:
    starts, fences = [1], []
    for row, line in enumerate(magics.split_lines(module), start=1):
        if line == _BOUNDARY_LINE:
            fences.append(row)
            starts.append(row + 1)
        elif line == _OPENER_LINE and starts[-1] == row:  # not part of the cell that follows it
            fences.append(row)
            starts[-1] = row + 1
        elif magics.is_placeholder(line):
            fences.append(row)
    return _Layout(tuple(starts[:-1]) or (1,), tuple(fences))


def _stays_in_one_cell(module: str, diagnostic: Diagnostic) -> bool:
    return diagnostic.fix is not None and _layout(module).admits(diagnostic.fix)


def _in_cells(diagnostics: Sequence[Diagnostic], module: str, notebook: Notebook,
              filename: Optional[str] = None) -> list[Diagnostic]:
    """`diagnostics` placed in their cells; with `filename`, the syntax errors of cells analysed as empty too."""
    placement = _Placement(_layout(module), notebook)
    placed = [placement.diagnostic(d) for d in diagnostics]
    if filename is not None:
        placed += [_cell_syntax_error(filename, cell) for cell in notebook.cells if cell.masked.error is not None]
    return sorted(placed, key=Diagnostic.sort_key)


def _cell_syntax_error(filename: str, cell: CodeCell) -> Diagnostic:
    error = cell.masked.error
    assert error is not None
    location = Location(error.row, max(error.column, 1))
    return Diagnostic(SYNTAX_ERROR[0], SYNTAX_ERROR[1], error.message, filename, location, location, cell=cell.number)


@dataclass(frozen=True)
class _Placement:
    """Turns positions in the joined module into cell numbers and rows within the cell."""

    layout: _Layout
    notebook: Notebook

    def diagnostic(self, diagnostic: Diagnostic) -> Diagnostic:
        cell, _ = self.layout.place(diagnostic.location.row)
        same_cell = self.layout.place(diagnostic.end_location.row)[0] == cell
        fix = diagnostic.fix
        if fix is not None:
            # Like Ruff, each edit counts rows within the cell it changes.
            edits = tuple(Edit(e.content, self.local(e.location), self.local(e.end_location)) for e in fix.edits)
            fix = replace(fix, edits=edits) if self.layout.admits(fix) else None
        return replace(diagnostic, message=self.message(diagnostic.message, cell),
                       location=self.local(diagnostic.location),
                       end_location=self.local(diagnostic.end_location if same_cell else diagnostic.location),
                       fix=fix, cell=self.number(cell))

    def local(self, location: Location) -> Location:
        return Location(self.layout.place(location.row)[1], location.column)

    def number(self, position: int) -> int:
        return self.notebook.cells[min(position, len(self.notebook.cells) - 1)].number

    def message(self, message: str, cell: int) -> str:
        def reference(match: re.Match) -> str:
            other, row = self.layout.place(int(match.group(1)))
            return f"line {row}" if other == cell else f"line {row} of cell {self.number(other)}"

        return _LINE_REFERENCE.sub(reference, message)


def _with_sources(text: str, notebook: Notebook, changed: dict[int, str]) -> str:
    """`text` with the `source` of the changed cells replaced in place, in the file's own layout."""
    as_lines = {cell.index: cell.as_lines for cell in notebook.cells}
    values = {index: source.splitlines(keepends=True) if as_lines[index] else source
              for index, source in changed.items()}
    indent = _indent(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    ensure_ascii = text.isascii() and "\\u" in text  # escape non-ASCII only where the file does
    pieces, copied_to = [], 0
    for index, (start, end) in sorted(_source_spans(text, set(changed)).items()):
        line_start = text.rfind("\n", 0, start) + 1
        key_indent = _INDENT.match(text, line_start).group()
        dumped = json.dumps(values[index], indent=indent, ensure_ascii=ensure_ascii)
        pieces += [text[copied_to:start], dumped.replace("\n", newline + key_indent)]
        copied_to = end
    rewritten = "".join(pieces) + text[copied_to:]
    # The edit is textual: prove it changed exactly those values (NaN read as text, to compare equal).
    expected = json.loads(text, parse_constant=str)
    for index, value in values.items():
        expected["cells"][index]["source"] = value
    if json.loads(rewritten, parse_constant=str) != expected:
        raise NotebookError("could not write the fixed cells back into the notebook")
    return rewritten


def file_lines(text: str) -> dict[int, tuple[int, ...]]:
    """For each code cell (by number), the line of the notebook file holding each row of its source:
    a `source` stored as a list of lines has a row per element; one stored as a string is on one line.
    What CI annotations and SARIF need, since they point at lines of the file itself."""
    try:
        notebook = parse(text)
        spans = _source_spans(text, {cell.index for cell in notebook.cells})
    except (NotebookError, KeyError, IndexError, ValueError):
        return {}
    lines: dict[int, tuple[int, ...]] = {}
    for cell in notebook.cells:
        start, _ = spans[cell.index]
        if not cell.as_lines:
            lines[cell.number] = (_line_of(text, start),)
            continue
        rows: list[int] = []
        for _, element_start, element_end in _entries(text, start):
            element = json.loads(text[element_start:element_end])
            rows += [_line_of(text, element_start)] * max(len(magics.split_lines(element)), 1)
        lines[cell.number] = tuple(rows) or (_line_of(text, start),)
    return lines


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _indent(text: str) -> Optional[str]:
    """The file's indentation unit (nbformat writes 1 space); None for JSON written on one line."""
    match = re.match(r"\s*\{[ \t]*\r?\n([ \t]*)", text)
    return match.group(1) if match else None


def _source_spans(text: str, wanted: set[int]) -> dict[int, tuple[int, int]]:
    """Where the `source` value of each wanted cell starts and ends in `text`."""
    cells_start, _ = _members(text, _SPACE.match(text).end())["cells"]
    return {index: _members(text, cell_start)["source"]
            for index, (_, cell_start, _) in enumerate(_entries(text, cells_start)) if index in wanted}


def _members(text: str, start: int) -> dict[Optional[str], tuple[int, int]]:
    return {key: (value_start, value_end) for key, value_start, value_end in _entries(text, start)}


def _entries(text: str, start: int) -> Iterator[tuple[Optional[str], int, int]]:
    """(key, start, end) of each member of the JSON object, or element of the array (key None), at `start`."""
    closing = "}" if text[start] == "{" else "]"
    position = _SPACE.match(text, start + 1).end()
    while text[position] != closing:
        key = None
        if closing == "}":
            key, position = scanstring(text, position + 1)
            position = _SPACE.match(text, _SPACE.match(text, position).end() + 1).end()  # past the colon
        end = _DECODER.raw_decode(text, position)[1]
        yield key, position, end
        position = _SPACE.match(text, end).end()
        if text[position] == ",":
            position = _SPACE.match(text, position + 1).end()
