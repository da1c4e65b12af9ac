"""How findings name their file and position, shared by the formats meant for people and CI."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from xentlint.diagnostics import Diagnostic


def display_path(filename: str) -> str:
    """Posix path relative to the working directory when the file is below it, else as given."""
    path = Path(filename)
    if path.is_absolute():
        try:
            path = path.relative_to(os.getcwd())
        except ValueError:
            pass
    return path.as_posix()


def position(diagnostic: Diagnostic) -> str:
    """`path:row:col`, or `path:cell 4:row:col` in a notebook."""
    return f"{display_path(diagnostic.filename)}:{place_in_file(diagnostic)}"


def place_in_file(diagnostic: Diagnostic) -> str:
    """`row:col`, or `cell 4:row:col` in a notebook."""
    return with_cell(diagnostic, f"{diagnostic.location.row}:{diagnostic.location.column}")


def with_cell(diagnostic: Diagnostic, text: str, separator: str = ":") -> str:
    """Prefix `cell 4` for notebook findings, whose rows count from the start of their cell."""
    return text if diagnostic.cell is None else f"cell {diagnostic.cell}{separator}{text}"


def with_place_in_cell(diagnostic: Diagnostic, text: str) -> str:
    """Prefix `cell 4:3:12: ` for notebook findings, whose file line alone does not say where in the cell."""
    return text if diagnostic.cell is None else f"{place_in_file(diagnostic)}: {text}"


def file_rows(diagnostic: Diagnostic) -> tuple[int, int]:
    """The lines of the file where the finding starts and ends. In a notebook these are lines of the
    `.ipynb` file's JSON (its rows count within a cell); 1 when the notebook cannot be read again."""
    if diagnostic.cell is None:
        return diagnostic.location.row, diagnostic.end_location.row
    try:
        status = os.stat(diagnostic.filename)
    except OSError:
        return 1, 1
    rows = _notebook_lines(diagnostic.filename, status.st_mtime_ns, status.st_size).get(diagnostic.cell)
    if not rows:
        return 1, 1

    def line(row: int) -> int:
        return rows[min(max(row, 1), len(rows)) - 1]

    return line(diagnostic.location.row), line(diagnostic.end_location.row)


@lru_cache(maxsize=64)  # each notebook is read once, and again only once it changed
def _notebook_lines(filename: str, mtime_ns: int, size: int) -> dict[int, tuple[int, ...]]:
    from xentlint.notebook import file_lines

    try:
        return file_lines(Path(filename).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}
