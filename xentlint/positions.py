"""Node positions, computed one top-level statement at a time and only for the statements asked about.

LibCST's `PositionProvider` generates the code of the whole module with a position per node,
which costs about twice the parse; a file with findings in two functions needs the positions
of those two. Each top-level statement's code starts at column 0 of a row that counting the
newlines of the statements before it gives, so generating it alone from that row yields the
very positions the whole-module pass would.
"""
from __future__ import annotations

import re
from typing import Callable, Iterator, Mapping, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState

# Rows end as LibCST and Python's tokenizer end them (not at the form feeds `str.splitlines` splits at).
NEWLINE = re.compile(r"\r\n?|\n")


class Positions(Mapping[cst.CSTNode, CodeRange]):
    """Start and end of every node of `module` (as `PositionProvider` gives them), on demand."""

    def __init__(self, module: cst.Module, parent: Callable[[cst.CSTNode], Optional[cst.CSTNode]]) -> None:
        self._module = module
        self._parent = parent
        self._computed: dict[cst.CSTNode, CodeRange] = {}  # written by the codegen state
        self._first_rows: Optional[dict[cst.CSTNode, int]] = None
        self._done: set[cst.CSTNode] = set()
        self._whole = False

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self._computed.get(node)
        if found is not None:
            return found
        statement = self._top_statement(node)
        if statement is not None and statement not in self._done:
            self._done.add(statement)
            self._generate(statement, self._rows()[statement])
        elif not self._whole:
            self._whole = True
            self._generate(self._module, 1)
        return self._computed[node]

    def __iter__(self) -> Iterator[cst.CSTNode]:
        if not self._whole:
            self._whole = True
            self._generate(self._module, 1)
        return iter(self._computed)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def _top_statement(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        child, parent = node, self._parent(node)
        while parent is not None and parent is not self._module:
            child, parent = parent, self._parent(parent)
        return child if parent is self._module and child in self._rows() else None

    def _rows(self) -> dict[cst.CSTNode, int]:
        """The row where each top-level statement's code (its leading lines included) starts."""
        if self._first_rows is None:
            module = self._module
            row = 1 + sum(_newlines(module, line) for line in module.header)
            self._first_rows = {}
            for statement in module.body:
                self._first_rows[statement] = row
                row += _newlines(module, statement)
        return self._first_rows

    def _generate(self, node: cst.CSTNode, row: int) -> None:
        module = self._module
        state = PositionProvidingCodegenState(default_indent=module.default_indent,
                                              default_newline=module.default_newline, provider=self)
        state.line = row
        node._codegen(state)


def _newlines(module: cst.Module, node: cst.CSTNode) -> int:
    state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    node._codegen(state)
    return sum(len(NEWLINE.findall(token)) for token in state.tokens if "\n" in token or "\r" in token)
