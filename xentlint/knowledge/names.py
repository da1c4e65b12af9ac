"""Resolve names to canonical qualified names from the module's own imports, without scope metadata.

LibCST's QualifiedNameProvider runs a whole-module scope analysis that costs about ten times
the parse. Rules here only ask "which framework API is this dotted name?", which an alias
table built from import statements and module-level alias assignments answers.
"""
from __future__ import annotations

from typing import Iterator, Optional, Union

import libcst as cst

from xentlint import walk
from xentlint.knowledge import apis, libraries

# Families that are one API under several spellings. Longest prefix first.
_CANONICAL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("tensorflow.python.keras.", "keras."),
    ("tensorflow.keras.", "keras."),
    ("tensorflow.compat.v2.", "tensorflow."),
    ("tf_keras.", "keras."),
    ("keras.src.", "keras."),
    ("keras.api.", "keras."),
    ("torch.nn.modules.activation.", "torch.nn."),
    ("torch.nn.modules.linear.", "torch.nn."),
    ("torch.nn.modules.container.", "torch.nn."),
    ("torch.nn.modules.module.", "torch.nn."),
    ("jax.numpy.", "jax.numpy."),
)


def canonical(qualified: str) -> str:
    for prefix, replacement in _CANONICAL_PREFIXES:
        if qualified.startswith(prefix):
            return replacement + qualified[len(prefix):]
    if qualified == "tensorflow.keras":
        return "keras"
    return qualified


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain, None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _module_name(node: Union[cst.Attribute, cst.Name, None]) -> str:
    return dotted_name(node) or "" if node is not None else ""


_AMBIGUOUS = ""


class ImportTable:
    """Local names bound by imports (and `slim = tf.contrib.slim`) to qualified names.

    A name bound to two different targets anywhere in the module is ambiguous and resolves
    to nothing: precision first.
    """

    def __init__(self) -> None:
        self._bindings: dict[str, str] = {}

    @classmethod
    def from_module(cls, module: cst.Module) -> "ImportTable":
        table = cls()
        collector = _ImportCollector(table)
        for statement, in_function in _binding_statements(module, False):
            collector.collect(statement, in_function)
        if not collector.opaque and not any(
                target.split(".")[0] in apis.FRAMEWORK_MODULES for target in table.modules()):
            # A pasted snippet: conventional names resolve as the documentation writes them,
            # unless the file binds the name itself. (Not after a relative or star import.)
            bound = _Bound()
            walk.visit(module, bound)
            for local, target in apis.SNIPPET_CONVENTIONS.items():
                if local not in bound.names and local not in table._bindings:
                    table._bindings[local] = target
        return table

    def bind(self, local: str, target: str) -> None:
        previous = self._bindings.get(local)
        if previous is None:
            self._bindings[local] = target
        elif previous != target:
            self._bindings[local] = _AMBIGUOUS

    def unbind(self, local: str) -> None:
        if local in self._bindings:
            self._bindings[local] = _AMBIGUOUS

    def resolve_dotted(self, dotted: str) -> Optional[str]:
        head, _, rest = dotted.partition(".")
        target = self._bindings.get(head)
        if not target:
            return None
        return canonical(f"{target}.{rest}" if rest else target)

    def qualify(self, node: cst.CSTNode) -> Optional[str]:
        """The canonical qualified name of a Name/Attribute chain rooted in an import."""
        dotted = dotted_name(node)
        return self.resolve_dotted(dotted) if dotted else None

    def spell(self, qualified: str) -> Optional[str]:
        """How this module can write `qualified` with names it already imports (shortest wins)."""
        best: Optional[str] = None
        for local, target in self._bindings.items():
            if not target:
                continue
            for prefix, via in _spellings_of(target):
                if qualified == prefix or qualified.startswith(prefix + "."):
                    candidate = local + via + qualified[len(prefix):]
                    if best is None or len(candidate) < len(best):
                        best = candidate
        return best

    def modules(self) -> set[str]:
        return {target for target in self._bindings.values() if target}


def _spellings_of(target: str) -> tuple[tuple[str, str], ...]:
    """The prefixes a bound module reaches, each with the path from the local name to it: a module
    also reaches its canonical family, and `tf` reaches `keras.` as `tf.keras`."""
    spellings = {target: "", canonical(target): ""}
    if target == "tensorflow":
        spellings.setdefault("keras", ".keras")  # tf.keras.X spells keras.X
    return tuple(spellings.items())


# Nodes whose children may hold statements: imports and assignments sit only under these, so
# the walk never enters an expression.
_STATEMENT_HOLDERS = (cst.Module, cst.BaseCompoundStatement, cst.BaseSuite, cst.SimpleStatementLine, cst.Else,
                      cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.MatchCase)
_BINDINGS = (cst.Import, cst.ImportFrom, cst.Assign)


def _binding_statements(node: cst.CSTNode, in_function: bool) -> Iterator[tuple[cst.CSTNode, bool]]:
    """Every import and assignment under `node`, in source order, with whether it is in a function."""
    for child in walk.children(node):
        if isinstance(child, _BINDINGS):
            yield child, in_function
        elif isinstance(child, _STATEMENT_HOLDERS):
            yield from _binding_statements(child, in_function or isinstance(child, cst.FunctionDef))


class _ImportCollector:
    def __init__(self, table: ImportTable) -> None:
        self.table = table
        self.opaque = False  # a relative or star import: names may come from code not read here

    def collect(self, statement: cst.CSTNode, in_function: bool) -> None:
        if isinstance(statement, cst.Import):
            self._import(statement)
        elif isinstance(statement, cst.ImportFrom):
            self._import_from(statement)
        elif isinstance(statement, cst.Assign) and not in_function:
            self._alias(statement)

    def _import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = _module_name(alias.name)
            if alias.asname is not None:
                self.table.bind(_module_name(alias.asname.name), full)
            else:
                head = full.split(".")[0]
                self.table.bind(head, head)

    def _import_from(self, node: cst.ImportFrom) -> None:
        if node.relative or isinstance(node.names, cst.ImportStar):
            self.opaque = True
        if isinstance(node.names, cst.ImportStar) and not node.relative:
            for local, target in libraries.STAR_EXPORTS.get(_module_name(node.module), {}).items():
                self.table.bind(local, target)
        if node.relative or isinstance(node.names, cst.ImportStar):
            # Relative imports name the project's own code, never a framework.
            if not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    self.table.unbind(_module_name(alias.asname.name if alias.asname else alias.name))
            return
        module = _module_name(node.module)
        for alias in node.names:
            name = _module_name(alias.name)
            local = _module_name(alias.asname.name) if alias.asname else name
            self.table.bind(local, f"{module}.{name}")

    def _alias(self, node: cst.Assign) -> None:
        # Module-level aliases such as `slim = tf.contrib.slim` or `tf = tf.compat.v1`.
        for target in node.targets:
            if not isinstance(target.target, cst.Name):
                continue
            local = target.target.value
            resolved = self.table.qualify(node.value)
            if resolved is not None:
                self.table._bindings[local] = resolved
            else:
                self.table.unbind(local)


class _Bound(cst.CSTVisitor):
    """Every name a module binds (assignments, loops, `with`/`except`/import aliases, parameters,
    definitions), at any level."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bound(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bound(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bound(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bound(node.name)

    def visit_Param(self, node: cst.Param) -> None:
        self.names.add(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.names.add(node.name.value)

    def _bound(self, target: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self.names.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bound(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bound(target.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.names.add(node.name.value)
