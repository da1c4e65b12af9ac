"""flake8 plugin: `flake8 --select XL` reports xentlint's findings with the same codes, rows,
columns and messages as `xentlint check`.

The project's xentlint configuration chooses the rules (`select`, `ignore`, `per-file-ignores`
of `[tool.xentlint]`); flake8's own `--select`/`--ignore` and `# noqa` then filter on top.
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

from xentlint import __version__, api
from xentlint.config import Overrides, SettingsResolver


@lru_cache(maxsize=None)
def _resolver() -> SettingsResolver:
    # One per flake8 process; a broken configuration fails the run with its message, as the CLI does.
    return SettingsResolver(Overrides())


class Plugin:
    name = "xentlint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        # flake8 asks for `tree` to run this once per file; the source is taken from `lines`.
        self.filename = filename
        self.source = "".join(lines)

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        path = Path(self.filename)
        codes = _resolver().for_path(path).codes_for(path)
        for finding in api.check_source(self.source, self.filename, codes):
            # flake8 adds 1 to the column a plugin reports: hand it xentlint's 1-based column less 1.
            yield finding.location.row, finding.location.column - 1, f"{finding.code} {finding.message}", type(self)
