"""Building replacement nodes: spell qualified names with the module's imports, edit arguments.

Replacements are made with `with_changes` on the user's own nodes so that whitespace and
comments inside them survive.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

if TYPE_CHECKING:
    from xentlint.context import FileContext


def spell(ctx: "FileContext", qualified: str, like: Optional[cst.BaseExpression] = None,
          like_qualified: Optional[str] = None) -> Optional[cst.BaseExpression]:
    """An expression naming `qualified` in this module, or None when no import reaches it.

    With `like` (the user's spelling of `like_qualified`), a sibling in the same module is
    spelled the user's way: `F.softmax` -> `F.log_softmax`.
    """
    if like is not None and like_qualified is not None and isinstance(like, cst.Attribute):
        module, _, _ = like_qualified.rpartition(".")
        target_module, _, target_name = qualified.rpartition(".")
        if module == target_module:
            return like.with_changes(attr=cst.Name(target_name))
    text = ctx.imports.spell(qualified)
    return cst.parse_expression(text) if text is not None else None


def rename_method(call: cst.Call, name: str) -> cst.Call:
    assert isinstance(call.func, cst.Attribute)
    return call.with_changes(func=call.func.with_changes(attr=cst.Name(name)))


def set_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression,
                existing: Optional[cst.Arg] = None) -> cst.Call:
    """`call` with `keyword=value`: replaces the value of `existing` or appends a keyword."""
    if existing is not None:
        # Only the value changes: a positional argument stays positional.
        return call.with_changes(args=[arg.with_changes(value=value) if arg is existing else arg
                                       for arg in call.args])
    new_arg = cst.Arg(keyword=cst.Name(keyword), value=value, equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
    args = list(call.args)
    if args:
        last = args[-1]
        if last.comma is cst.MaybeSentinel.DEFAULT or last.comma is None:
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args.append(new_arg)
        else:
            # A trailing comma (often a multi-line call): keep the layout, the new arg takes its place.
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=last.comma.whitespace_after))
            args.append(new_arg.with_changes(comma=last.comma))
    else:
        args.append(new_arg)
    return call.with_changes(args=args)


def bool_name(value: bool) -> cst.Name:
    return cst.Name("True" if value else "False")
