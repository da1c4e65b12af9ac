"""LibCST's parse without its per-node validation.

Every node LibCST builds runs `_validate` from `__post_init__`, which checks what a node built
by hand might get wrong (a missing parenthesis, whitespace a keyword needs). A tree the parser
built from valid source passes by construction, and the checks cost about an eighth of the
parse. Nodes the fixes build are still validated: only the parse itself goes without.
"""
from __future__ import annotations

import libcst as cst

try:
    from libcst._nodes.base import CSTNode
except ImportError:  # a LibCST that moved its base class: parse as it does
    CSTNode = None  # type: ignore[assignment,misc]


def _unvalidated(self: object) -> None:
    pass


def parse_module(text: str) -> cst.Module:
    if CSTNode is None or "__post_init__" not in vars(CSTNode):
        return cst.parse_module(text)
    validate = vars(CSTNode)["__post_init__"]
    CSTNode.__post_init__ = _unvalidated  # type: ignore[method-assign]
    try:
        return cst.parse_module(text)
    finally:
        CSTNode.__post_init__ = validate  # type: ignore[method-assign]
