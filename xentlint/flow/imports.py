"""Names imported from the project's own modules: their values from the modules' summaries
(`xentlint.project`), given as values of this module whose origin names the other file and row."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterator, Optional, Union

import libcst as cst

from xentlint import knowledge
from xentlint.flow.values import UNKNOWN, Kind, Origin, Value
from xentlint.knowledge.names import dotted_name

if TYPE_CHECKING:
    from xentlint.context import FileContext
    from xentlint.project import Exported, ImportRef, ModuleRef


class Imports:
    """The import half of `FlowAnalysis`."""

    ctx: "FileContext"
    _imports: dict[Value, Value]
    _project_imports: Optional[bool] = None

    def _imported(self, statement: Union[cst.Import, cst.ImportFrom]) -> Iterator[tuple[str, Value]]:
        """The names `statement` binds, each to what it imports; the project's modules are read
        only when the name is (`_resolved`)."""
        if self.ctx.project_path is None or isinstance(statement.names, cst.ImportStar):
            return

        for alias in statement.names:
            dotted = dotted_name(alias.name) or ""
            renamed = alias.asname.name.value if alias.asname is not None and isinstance(
                alias.asname.name, cst.Name) else None
            if isinstance(statement, cst.Import):  # `import a.b` binds `a`; `import a.b as c` binds `a.b`
                local = renamed or dotted.split(".")[0]
                ref: tuple[str, int, Optional[str]] = (dotted if renamed else local, 0, None)
            else:
                local = renamed or dotted
                module = dotted_name(statement.module) if statement.module is not None else ""
                ref = (module or "", len(statement.relative), dotted)
            yield local, Value(Kind.IMPORTED, node=alias, imported=ref)

    def _resolved(self, value: Value) -> Value:
        """A name bound by an import, as the project module it names gives it (unknown for any other)."""
        if value.kind is not Kind.IMPORTED:
            return value
        if value in self._imports:
            return self._imports[value]
        from xentlint.project import ImportRef, project

        assert value.imported is not None and value.node is not None and self.ctx.project_path is not None
        found = project().lookup(self.ctx.project_path, ImportRef(*value.imported), self._reader)
        self._imports[value] = resolved = self._foreign(found, value.node)
        return resolved

    def imports_project_modules(self) -> bool:
        """The file imports one of the project's own modules (whose loss objects and wrappers it may call)."""
        if self._project_imports is None:
            self._project_imports = self.ctx.project_path is not None and any(
                self._is_project_import(node) for node in self.ctx.nodes() if isinstance(node, (cst.Import, cst.ImportFrom)))
        return self._project_imports

    def _is_project_import(self, statement: Union[cst.Import, cst.ImportFrom]) -> bool:
        from xentlint.project import ImportRef, resolve

        assert self.ctx.project_path is not None
        if isinstance(statement, cst.ImportFrom):
            module = dotted_name(statement.module) if statement.module is not None else ""
            return resolve(self.ctx.project_path, ImportRef(module or "", len(statement.relative))) is not None \
                or (not module and not isinstance(statement.names, cst.ImportStar))
        return any(resolve(self.ctx.project_path, ImportRef((dotted_name(alias.name) or "").split(".")[0])) is not None
                   for alias in statement.names)

    def _module_attribute(self, module: Value, attribute: cst.Attribute) -> Value:
        """`models.build` for `import models`."""
        from xentlint.project import ModuleRef, project

        assert module.module is not None
        return self._foreign(project().attribute(ModuleRef(module.module), attribute.attr.value, self._reader),
                             attribute)

    def export(self, name: str, imports: "dict[str, ImportRef]") -> "Optional[Exported]":
        """What this module, read alone, gives a module importing its top-level `name`."""
        from xentlint.flow.exports import export_name

        return export_name(self.ctx, name, imports)

    def _reader(self, module: cst.Module, path: str) -> "FileContext":
        """The context of another project module, read alone (its own imports stay unknown)."""
        return type(self.ctx)(module, path, summarising=True)

    def _foreign(self, found: "Union[Exported, ModuleRef, None]", node: cst.CSTNode) -> Value:
        from xentlint.project import ModuleRef

        if found is None:
            return UNKNOWN
        if isinstance(found, ModuleRef):
            return Value(Kind.MODULE, module=found.path)
        return _value(found, node, self.ctx.project_path or "")


def _value(exported: "Exported", node: cst.CSTNode, importer: str) -> Value:
    """An exported value as a value of the importing module: callables keep their output (and a
    Keras Sequential its layers, for the importer's `add`); tensors, layers and loss objects keep
    their meaning and name the other file and row."""
    kind = exported.kind
    if kind in (Kind.CLASS, Kind.FUNCTION, Kind.MODEL):
        output = _value(exported.output, node, importer) if exported.output is not None else UNKNOWN
        foreign = exported if exported.passes is not None or exported.prediction is not None else None
        layers = (Value(Kind.MODEL, output=output),) if exported.sequential else ()
        return Value(kind, output=output, keras=exported.keras, sequential=exported.sequential, layers=layers,
                     foreign=foreign, origin=_origin(exported, node, importer) if exported.where is not None else None)
    if kind is Kind.TUPLE:
        return Value(Kind.TUPLE, items=tuple(_value(item, node, importer) for item in exported.items))
    if kind is Kind.UNKNOWN or exported.where is None:
        return UNKNOWN
    origin = _origin(exported, node, importer)
    if kind is Kind.LAYER:
        return Value(Kind.LAYER, applies=exported.fn, produces_logits=exported.produces_logits,
                     classes=exported.classes, origin=origin)
    if kind is Kind.LOSS:
        api = knowledge.loss(exported.loss)
        return Value(Kind.LOSS, node=node, loss=api, origin=origin, foreign=exported) if api is not None else UNKNOWN
    return Value(kind, fn=exported.fn, origin=origin, classes=exported.classes)


def _origin(exported: "Exported", node: cst.CSTNode, importer: str) -> Origin:
    assert exported.where is not None
    where = os.path.relpath(exported.where, os.path.dirname(importer)) if importer else exported.where
    return Origin(node, exported.description, elsewhere=f"{where}:{exported.row}",
                  source=(exported.where, exported.row) if exported.row is not None else None)
