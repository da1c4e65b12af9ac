"""The two expressions a fix compares when it is not at a loss site: what the code computes
before the edit and after it, as single Python expressions over the user's variables.

An edit may span statements (a fix rewriting `p = sigmoid(z)` and the `log(p)` that reads it):
both sides are then read as whole lines, and the assignments they make are inlined into the
value of the last statement. A variable one side reads and the other does not (`probs` before,
`logits` after) is replaced by its one definition in the enclosing function.
"""
from __future__ import annotations

import ast
import copy
from typing import Optional

from xentlint import engine
from xentlint.diagnostics import Diagnostic

MAX_INLINED = 4


class NotAnExpression(Exception):
    """The edited text is not something whose value can be compared; the message says why."""


def edited_expressions(source: str, diagnostic: Diagnostic) -> tuple[ast.expr, ast.expr]:
    """The value the edited code computes, before and after the fix."""
    assert diagnostic.fix is not None, "only fixes are checked"
    offset = engine.location_offsets(source)
    spans = sorted(((offset(e.location), offset(e.end_location), e.content) for e in diagnostic.fix.edits),
                   reverse=True)
    start, end = spans[-1][0], spans[0][1]
    replaced = _expression(source[start:end])
    if isinstance(replaced, ast.Constant) and type(replaced.value) in (int, float):
        # A number replaced (`logits > 0.5` -> `logits > 0`) means nothing alone: compare the finding's expression.
        found_start, found_end = offset(diagnostic.location), offset(diagnostic.end_location)
        if found_start <= start and end <= found_end:
            start, end = found_start, found_end
    fixed_source = source
    for edit_start, edit_end, content in spans:
        fixed_source = fixed_source[:edit_start] + content + fixed_source[edit_end:]
    shift = len(fixed_source) - len(source)
    original, fixed = _expression(source[start:end]), _expression(fixed_source[start:end + shift])
    if original is None or fixed is None:
        line_start, line_end = source.rfind("\n", 0, start) + 1, _line_end(source, end)
        original = _block_value(source[line_start:line_end], "replaced code")
        fixed = _block_value(fixed_source[line_start:_line_end(fixed_source, end + shift)], "fix")
    return _inline_differences(source, source[:start].count("\n") + 1, original, fixed)


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", max(offset - 1, 0))
    return len(text) if end == -1 else end


def _expression(text: str) -> Optional[ast.expr]:
    if not text.strip():
        return None
    try:
        # In parentheses: a replaced node may span lines that only its enclosing brackets joined.
        return ast.parse(f"(\n{text}\n)", mode="eval").body
    except SyntaxError:
        return None


def _block_value(text: str, what: str) -> ast.expr:
    """The value of the last statement of `text`, with the assignments before it inlined."""
    try:
        statements = ast.parse("\n".join(line.strip() for line in text.splitlines())).body
    except SyntaxError:
        raise NotAnExpression(f"the {what} is not whole statements") from None
    definitions: dict[str, ast.expr] = {}
    value: Optional[ast.expr] = None
    for statement in statements:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(
                statement.targets[0], ast.Name):
            value = _substitute(statement.value, definitions)
            definitions[statement.targets[0].id] = value
        elif isinstance(statement, (ast.Return, ast.Expr)) and statement.value is not None:
            value = _substitute(statement.value, definitions)
        else:
            raise NotAnExpression(f"the {what} holds a statement other than assignments and a return")
    if value is None:
        raise NotAnExpression(f"the {what} is empty")
    return value


def _substitute(expr: ast.expr, definitions: dict[str, ast.expr]) -> ast.expr:
    class Inline(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:
            return copy.deepcopy(definitions[node.id]) if node.id in definitions else node

    return Inline().visit(copy.deepcopy(expr))


def names(expr: ast.expr) -> set[str]:
    return {node.id for node in ast.walk(expr) if isinstance(node, ast.Name)}


def _inline_differences(source: str, line: int, original: ast.expr, fixed: ast.expr) -> tuple[ast.expr, ast.expr]:
    """Replace, on each side, a variable the other side does not read by its definition."""
    for _ in range(MAX_INLINED):
        only_original, only_fixed = names(original) - names(fixed), names(fixed) - names(original)
        definitions = {name: d for name in only_original | only_fixed
                       if (d := _definition(source, line, name)) is not None}
        if not definitions:
            break
        original = _substitute(original, {k: v for k, v in definitions.items() if k in only_original})
        fixed = _substitute(fixed, {k: v for k, v in definitions.items() if k in only_fixed})
    return original, fixed


def _definition(source: str, line: int, name: str) -> Optional[ast.expr]:
    """The value of the last `name = ...` before `line` in the function around it (or the module)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    scope: ast.AST = tree
    for node in ast.walk(tree):
        if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno <= line
                <= (node.end_lineno or node.lineno) and node.lineno >= getattr(scope, "lineno", 0)):
            scope = node
    assignments = [node for node in ast.walk(scope)
                   if isinstance(node, ast.Assign) and node.lineno < line and len(node.targets) == 1
                   and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name]
    return max(assignments, key=lambda node: node.lineno).value if assignments else None
