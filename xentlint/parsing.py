"""LibCST's parse without its per-node validation.

Every node LibCST builds runs `_validate` from `__post_init__`, which checks what a node built
by hand might get wrong (a missing parenthesis, whitespace a keyword needs). A tree the parser
built from valid source passes by construction, and the checks cost about an eighth of the
parse. Nodes the fixes build are still validated: only the parse itself goes without.
"""
from __future__ import annotations

import importlib
from typing import Any, Optional

import libcst as cst


def _node_base() -> Optional[type]:
    """LibCST's node base class, where this LibCST keeps it (a private module)."""
    try:
        base = getattr(importlib.import_module("libcst._nodes.base"), "CSTNode", None)
    except ImportError:
        return None
    return base if isinstance(base, type) and "__post_init__" in vars(base) else None


_NODE_BASE = _node_base()


def _unvalidated(self: Any) -> None:
    pass


def parse_module(text: str) -> cst.Module:
    if _NODE_BASE is None:  # a LibCST that moved its base class: parse as it does
        return cst.parse_module(text)
    validate = vars(_NODE_BASE)["__post_init__"]
    setattr(_NODE_BASE, "__post_init__", _unvalidated)
    try:
        return cst.parse_module(text)
    finally:
        setattr(_NODE_BASE, "__post_init__", validate)
