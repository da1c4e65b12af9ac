"""A fast read-only traversal of LibCST trees.

`CSTNode.visit` rebuilds every node it passes (it is made for transforms), which costs about as
much as the parse. Reading needs none of that: this walks the dataclass fields that can hold
code, skipping whitespace, parentheses and punctuation, and dispatches to the same
`visit_<Node>` methods (or `on_visit`) a `CSTVisitor` has (returning False prunes the subtree).
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache
from operator import attrgetter
from typing import Callable, Iterator, Optional

import libcst as cst

# Fields that hold only layout: whitespace, comments, brackets, separators and operator tokens.
_LAYOUT_PREFIXES = (
    "whitespace", "lpar", "rpar", "lbrace", "rbrace", "lbracket", "rbracket", "comma", "semicolon", "equal",
    "colon", "dot", "operator", "leading_lines", "lines_after_decorators", "header", "footer",
    "trailing_whitespace", "newline", "first_line", "empty_lines", "last_line", "relative", "star_tok",
)


@lru_cache(maxsize=None)
def _code_fields(node_type: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(node_type)
                 if not field.name.startswith(_LAYOUT_PREFIXES))


_NODE_TYPES: dict[type, bool] = {}


def _is_node(value_type: type) -> bool:
    # A dict lookup: isinstance against the CSTNode ABC costs several times more.
    known = _NODE_TYPES.get(value_type)
    if known is None:
        known = _NODE_TYPES[value_type] = issubclass(value_type, cst.CSTNode)
    return known


_GETTERS: dict[type, Callable[[cst.CSTNode], tuple]] = {}


def _getter(node_type: type) -> Callable[[cst.CSTNode], tuple]:
    """One C-level call that reads all the code fields of a node, as a tuple."""
    fields = _code_fields(node_type)
    if not fields:
        getter: Callable[[cst.CSTNode], tuple] = lambda node: ()  # noqa: E731
    elif len(fields) == 1:
        one = attrgetter(fields[0])
        getter = lambda node: (one(node),)  # noqa: E731
    else:
        getter = attrgetter(*fields)
    _GETTERS[node_type] = getter
    return getter


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The child nodes that hold code, in source order."""
    node_type = type(node)
    found: list[cst.CSTNode] = []
    for value in (_GETTERS.get(node_type) or _getter(node_type))(node):
        value_type = type(value)
        if value_type is list or value_type is tuple:
            found.extend(item for item in value if _is_node(type(item)))
        elif _is_node(value_type):
            found.append(value)
    return found


def walk(root: cst.CSTNode, enter: Optional[Callable[[cst.CSTNode], bool]] = None) -> Iterator[cst.CSTNode]:
    """Every code node under `root` (itself included), pre-order; `enter` returning False prunes."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if enter is not None and enter(node) is False:
            continue
        stack.extend(reversed(children(node)))


@lru_cache(maxsize=None)
def _method(visitor_type: type, node_type: type) -> Optional[Callable]:
    return getattr(visitor_type, f"visit_{node_type.__name__}", None)


def visit(root: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """Run a read-only `CSTVisitor`'s `visit_*` methods over `root`, much faster than `root.visit`."""
    visitor_type = type(visitor)
    if visitor_type.on_visit is not cst.CSTVisitor.on_visit:  # a visitor that handles every node itself
        for _ in walk(root, lambda node: visitor.on_visit(node) is not False):
            pass
        return

    def enter(node: cst.CSTNode) -> bool:
        method = _method(visitor_type, type(node))
        return method is None or method(visitor, node) is not False

    for _ in walk(root, enter):
        pass
