"""Property: renaming import aliases (`tf` -> `tensorflow_alias`, `F` -> `functional`) never changes findings."""
from __future__ import annotations

from pathlib import Path

import libcst as cst
from hypothesis import given, settings
from hypothesis import strategies as st

from xentlint.engine import lint_source
from xentlint.registry import default_codes

FIXTURES = sorted(p for p in (Path(__file__).resolve().parent.parent / "fixtures").glob("XL*/*.py")
                  if not p.name.endswith(".fixed.py"))
identifiers = st.from_regex(r"[a-z][a-z0-9_]{2,12}_alias", fullmatch=True)


def _aliases(module: cst.Module) -> list[str]:
    found: list[str] = []

    class Collect(cst.CSTVisitor):
        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            if node.asname is not None and isinstance(node.asname.name, cst.Name):
                found.append(node.asname.name.value)

    module.visit(Collect())
    return sorted(set(found))


class Rename(cst.CSTTransformer):
    """Rename a local name everywhere it is a name, not where it is an attribute or keyword."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        # `x.F` keeps its attribute name; only the value side is renamed.
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        return updated.with_changes(value=self.new) if original.value == self.old else updated


def _findings(source: str) -> list[tuple[int, str]]:
    return [(d.location.row, d.code) for d in lint_source(source, "f.py", default_codes()).diagnostics]


@settings(max_examples=40, deadline=None)
@given(path=st.sampled_from(FIXTURES), new_names=st.lists(identifiers, min_size=8, max_size=8, unique=True))
def test_renaming_aliases_keeps_findings(path: Path, new_names: list[str]) -> None:
    source = path.read_text()
    module = cst.parse_module(source)
    renamed = module
    taken = {node for node in source.split()}
    for old, new in zip(_aliases(module), new_names):
        if new in taken:
            continue
        renamed = renamed.visit(Rename(old, new))
    assert _findings(renamed.code) == _findings(source)
