"""Small LibCST builders and readers shared by the fixes and the rules: one place for each.

Builders make nodes laid out as a person would write them (`axis=-1`, not `axis = -1`);
readers give the Python value of a literal node, or None for anything else.
"""
from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst

# Expressions that never need parentheses to be an operand or a receiver.
ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString, cst.Integer, cst.Float)

# `keyword=value`, as PEP 8 writes a keyword argument.
TIGHT_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def keyword_arg(keyword: str, value: cst.BaseExpression) -> cst.Arg:
    """`keyword=value`."""
    return cst.Arg(value=value, keyword=cst.Name(keyword), equal=TIGHT_EQUAL)


def as_keyword(arg: cst.Arg, keyword: str) -> cst.Arg:
    """`arg` passed as `keyword=<its value>`, keeping its comma and layout."""
    return arg.with_changes(keyword=cst.Name(keyword), equal=TIGHT_EQUAL)


def parenthesized(expr: cst.BaseExpression) -> cst.BaseExpression:
    """`expr` in parentheses unless it is an atom or already has them (`a + b` -> `(a + b)`)."""
    if isinstance(expr, ATOMS) or expr.lpar:
        return expr
    return expr.with_changes(lpar=(cst.LeftParen(),), rpar=(cst.RightParen(),))


def int_node(value: int) -> cst.BaseExpression:
    """`3`, or `-1` as a unary minus (LibCST's `Integer` holds no sign)."""
    return cst.Integer(str(value)) if value >= 0 else cst.UnaryOperation(cst.Minus(), cst.Integer(str(-value)))


def with_commas(args: Sequence[cst.Arg]) -> list[cst.Arg]:
    """`args` separated by `, ` (the last one without a comma)."""
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [arg.with_changes(comma=comma) if index < len(args) - 1 else arg for index, arg in enumerate(args)]


def bool_name(value: bool) -> cst.Name:
    return cst.Name("True" if value else "False")


def is_none(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def int_literal(node: Optional[cst.BaseExpression]) -> Optional[int]:
    """The value of `3`, `-1`, `0x0F` or `1_000`."""
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = int_literal(node.expression)
        return -inner if inner is not None else None
    return None


def string_literal(node: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def bool_literal(node: Optional[cst.BaseExpression]) -> Optional[bool]:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def is_number(node: cst.BaseExpression) -> bool:
    """A numeric literal, signed or not."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        node = node.expression
    return isinstance(node, (cst.Integer, cst.Float))
