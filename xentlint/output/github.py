"""GitHub Actions workflow commands, which the runner turns into annotations on the pull request."""
from __future__ import annotations

from typing import Sequence

from xentlint.diagnostics import Diagnostic
from xentlint.output.options import RenderOptions
from xentlint.output.paths import display_path, file_rows, with_place_in_cell


def render(diagnostics: Sequence[Diagnostic], options: RenderOptions) -> str:
    return "".join(_command(d) + "\n" for d in sorted(diagnostics, key=Diagnostic.sort_key))


def _command(diagnostic: Diagnostic) -> str:
    start, end = diagnostic.location, diagnostic.end_location
    line, end_line = file_rows(diagnostic)
    properties: dict[str, object] = {
        "title": f"xentlint ({diagnostic.code})",
        "file": display_path(diagnostic.filename),
        "line": line,
        "col": start.column,
        "endLine": end_line,
        "endColumn": end.column,
    }
    if diagnostic.cell is not None:  # the annotation goes on the notebook's JSON line; columns there mean nothing
        del properties["col"], properties["endColumn"]
    joined = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties.items())
    message = with_place_in_cell(diagnostic, f"{diagnostic.code} {diagnostic.message}")
    return f"::error {joined}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    # As @actions/core escapes command data.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
