"""Positions computed per top-level statement are exactly LibCST's `PositionProvider`'s."""
from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from xentlint.context import FileContext

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("XL*/bad_*.py"))


@pytest.mark.parametrize("newline", ["\n", "\r", "\r\n"], ids=["LF", "CR", "CRLF"])
@pytest.mark.parametrize("path", FIXTURES[::3], ids=lambda path: f"{path.parent.name}/{path.name}")
def test_positions_per_statement_are_libcsts(path: Path, newline: str) -> None:
    module = cst.parse_module(("# header comment\n\n" + path.read_text()).replace("\n", newline))
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    positions = FileContext(module, path.name).positions
    nodes = list(expected)
    for node in reversed(nodes):  # the last statements first: rows are counted as far as needed
        assert positions[node] == expected[node]
