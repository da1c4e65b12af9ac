"""How findings name their file and position, shared by the formats meant for people and CI."""
from __future__ import annotations

import os
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
