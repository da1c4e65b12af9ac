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
        self._first_rows: dict[cst.CSTNode, int] = {}  # of the statements counted so far
        self._counted = 0  # statements of the module's body whose rows are known
        self._next_row = 1 + sum(_newlines(module, line) for line in module.header)
        self._done: set[cst.CSTNode] = set()
        self._whole = False

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        found = self._computed.get(node)
        if found is not None:
            return found
        statement = self._top_statement(node)
        row = self._row(statement) if statement is not None and statement not in self._done else None
        if statement is not None and row is not None:
            self._done.add(statement)
            self._generate(statement, row)
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
        return child if parent is self._module else None

    def _row(self, statement: cst.CSTNode) -> Optional[int]:
        """The row where a top-level statement's code (its leading lines included) starts, counting
        the statements before it only as far as needed; None if it is not one of the module's."""
        body = self._module.body
        while statement not in self._first_rows and self._counted < len(body):
            counted = body[self._counted]
            self._first_rows[counted] = self._next_row
            self._next_row += _newlines(self._module, counted)
            self._counted += 1
        return self._first_rows.get(statement)

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
