"""What every rule reads about one file, each part computed once and only when asked for."""
from __future__ import annotations

from functools import cached_property
from typing import Iterable, Iterator, Optional, Sequence

import libcst as cst

from xentlint.flow import FlowAnalysis, LossSite, loss_sites
from xentlint.views import View
from xentlint.knowledge.names import ImportTable
from xentlint.walk import children


class _Index:
    """One walk that records parents, the calls, and each node's rank in source order (pre-order)."""

    def __init__(self, module: cst.Module) -> None:
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self.calls: list[cst.Call] = []
        self.order: dict[cst.CSTNode, int] = {}
        self.last_child: dict[cst.CSTNode, cst.CSTNode] = {}
        stack: list[cst.CSTNode] = [module]
        while stack:
            node = stack.pop()
            self.order[node] = len(self.order)
            if isinstance(node, cst.Call):
                self.calls.append(node)
            kids = children(node)
            for child in kids:
                self.parents[child] = node
            if kids:
                self.last_child[node] = kids[-1]
            stack.extend(reversed(kids))


class FileContext:
    def __init__(self, module: cst.Module, filename: str, view: Optional[View] = None,
                 summarising: bool = False) -> None:
        self.module = module
        self.filename = filename
        self._view = view  # a view of a large file (`xentlint.views`), whose rows map to the file's
        # A module summarised for another (`xentlint.project`) is read alone: its imports stay unknown.
        self._summarising = summarising

    @cached_property
    def project_path(self) -> Optional[str]:
        """This file's absolute path when it is on disk: names it imports from the project's own
        modules then have the values those modules give them."""
        if self._summarising:
            return None
        from xentlint.project import project

        return project().locate(self.filename)

    def file_row(self, row: int) -> int:
        """The file's 1-based row for a 1-based row of the parsed module."""
        return row if self._view is None else self._view.file_row(row)

    @cached_property
    def imports(self) -> ImportTable:
        return ImportTable.from_module(self.module)

    @cached_property
    def _index(self) -> _Index:
        return _Index(self.module)

    @property
    def calls(self) -> Sequence[cst.Call]:
        return self._index.calls

    def nodes(self) -> Iterable[cst.CSTNode]:
        """Every node of the module, in source order (pre-order)."""
        return self._index.order.keys()

    def parent(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self._index.parents.get(node)

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        parent = self.parent(node)
        while parent is not None:
            yield parent
            parent = self.parent(parent)

    @cached_property
    def flow(self) -> FlowAnalysis:
        return FlowAnalysis(self)

    @cached_property
    def loss_sites(self) -> tuple[LossSite, ...]:
        return tuple(loss_sites(self))

    @cached_property
    def positions(self):
        """Start/end of every node; computed per top-level statement, for the statements asked about."""
        from xentlint.positions import Positions

        return Positions(self.module, self.parent)

    def line_of(self, node: cst.CSTNode) -> int:
        """For messages: this computes every position of the file. To order nodes, use `ends_before`."""
        return self.file_row(self.positions[node].start.line)

    def rank(self, node: cst.CSTNode) -> int:
        """Where `node` starts, in source order (no positions needed)."""
        return self._index.order[node]

    def ends_before(self, node: cst.CSTNode, other: cst.CSTNode) -> bool:
        """All of `node` comes before `other` starts, in source order."""
        last_child = self._index.last_child
        last = node
        while last in last_child:
            last = last_child[last]
        return self.rank(last) < self.rank(other)

    def qualify(self, node: cst.CSTNode) -> Optional[str]:
        return self.imports.qualify(node)

    def callee(self, call: cst.Call) -> Optional[str]:
        """Canonical qualified name of what `call` calls, when it resolves through imports."""
        return self.imports.qualify(call.func)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def short_code(self, node: cst.CSTNode, limit: int = 40) -> Optional[str]:
        """The user's code for `node` when it is short enough to quote in a message."""
        code = self.code(node).strip()
        return code if len(code) <= limit and "\n" not in code else None

    def is_within(self, node: cst.CSTNode, container: cst.CSTNode) -> bool:
        return node is container or any(ancestor is container for ancestor in self.ancestors(node))
