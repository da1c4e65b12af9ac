"""Building replacement nodes: spell qualified names with the module's imports, edit arguments.

Replacements are made with `with_changes` on the user's own nodes so that whitespace and
comments inside them survive.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

import libcst as cst

from xentlint import knowledge
from xentlint.cst_build import keyword_arg, parenthesized
from xentlint.knowledge.schema import Form, Loss, Param

if TYPE_CHECKING:
    from xentlint.context import FileContext
    from xentlint.flow.calls import ActivationCall


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
    new_arg = keyword_arg(keyword, value)
    args = list(call.args)
    if args:
        last = args[-1]
        if last.comma is cst.MaybeSentinel.DEFAULT or last.comma is None:
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args.append(new_arg)
        else:
            # A trailing comma (often a multi-line call): keep the layout, the new arg takes its place,
            # indented like the arguments (not like the closing parenthesis).
            separator = args[-2].comma.whitespace_after if len(args) > 1 and isinstance(args[-2].comma, cst.Comma) \
                else call.whitespace_before_args
            if isinstance(separator, cst.ParenthesizedWhitespace):  # its indentation, not its comment
                separator = separator.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=separator))
            args.append(new_arg.with_changes(comma=last.comma))
    else:
        args.append(new_arg)
    return call.with_changes(args=args)


def spell_first(ctx: "FileContext", names: Sequence[str], like: Optional[cst.BaseExpression] = None,
                like_qualified: Optional[str] = None) -> Optional[cst.BaseExpression]:
    """The first of `names` (qualified, in order of preference) that this module can spell."""
    for qualified in names:
        spelled = spell(ctx, qualified, like, like_qualified)
        if spelled is not None:
            return spelled
    return None


def respell_activation(ctx: "FileContext", activation: "ActivationCall", names: Sequence[str],
                       keep_arguments: bool = True) -> Optional[cst.Call]:
    """The activation call made with the first spellable of `names` instead (method names for a
    tensor method, class names for `nn.Softmax(dim=1)(x)`), or None.

    With `keep_arguments` every argument stays (`softmax(x, dim=1)` -> `log_softmax(x, dim=1)`);
    without, only the input is passed (`softmax(x, dim=1)` -> `sigmoid(x)`).
    """
    call = activation.call
    form = activation.api.form
    if form is Form.METHOD:
        if not names:
            return None
        renamed = rename_method(call, names[0])
        return renamed if keep_arguments else renamed.with_changes(args=())
    if form is Form.CLASS:
        assert isinstance(call.func, cst.Call)
        constructor = respell_constructor(ctx, call.func, names, keep_arguments)
        return call.with_changes(func=constructor) if constructor is not None else None
    func = spell_first(ctx, names, call.func, ctx.callee(call))
    if func is None:
        return None
    if keep_arguments:
        return call.with_changes(func=func)
    if activation.input is None:
        return None
    return call.with_changes(func=func, args=(cst.Arg(activation.input),))


def respell_constructor(ctx: "FileContext", constructor: cst.Call, names: Sequence[str],
                        keep_arguments: bool = True) -> Optional[cst.Call]:
    """A layer constructor made with the first spellable of `names`: `nn.Softmax(dim=1)` -> `nn.LogSoftmax(dim=1)`."""
    func = spell_first(ctx, names, constructor.func, ctx.callee(constructor))
    if func is None:
        return None
    return constructor.with_changes(func=func) if keep_arguments else constructor.with_changes(func=func, args=())


def fused_log_call(ctx: "FileContext", activation: "ActivationCall") -> Optional[cst.Call]:
    """`softmax(...)` respelled as its fused log form with the same arguments, if reachable."""
    log_form = activation.api.log_form
    return respell_activation(ctx, activation, (log_form,)) if log_form is not None else None


def with_parentheses_of(old: cst.BaseExpression, new: cst.BaseExpression) -> cst.BaseExpression:
    """`new` wearing `old`'s own parentheses: a node's span excludes them, so a replacement that
    dropped them would leave `(` or `)` unmatched (`(torch.log(p))` -> `(p)`)."""
    return new.with_changes(lpar=old.lpar, rpar=old.rpar) if old.lpar else new


def in_place_of(ctx: "FileContext", old: cst.BaseExpression, new: cst.BaseExpression) -> cst.BaseExpression:
    """`new` to stand where `old` stood, parenthesized unless it is an atom or `old` stood alone
    (`sigmoid(a + b).mean()` -> `(a + b).mean()`)."""
    if isinstance(ctx.parent(old), (cst.Arg, cst.Return, cst.Assign, cst.AnnAssign, cst.Element)):
        return new
    return parenthesized(new)


def remove_argument(call: cst.Call, arg: cst.Arg) -> cst.Call:
    """`call` without `arg`; the arguments around it keep their layout (and a trailing comma)."""
    args = list(call.args)
    index = args.index(arg)
    del args[index]
    if index == len(args) and args:
        # The last argument went: the one before it takes over its comma (or lack of one).
        args[-1] = args[-1].with_changes(comma=arg.comma, whitespace_after_arg=arg.whitespace_after_arg)
    return call.with_changes(args=args)


def switch_loss(ctx: "FileContext", call: cst.Call, sibling: str) -> Optional[cst.Call]:
    """The loss call (or a loss class's constructor call) made with its table sibling `sibling`.

    Every argument goes to the sibling's parameter of the same meaning, renamed if its keyword
    differs there (`labels=` -> `onehot_labels=`). None when an argument has no counterpart in
    the sibling, or is positional and the counterpart sits elsewhere, or nothing spells it.
    """
    qualified = ctx.callee(call)
    api, target = knowledge.loss(qualified), knowledge.loss(sibling)
    if api is None or target is None:
        return None
    args = _carried_arguments(call.args, _parameter_roles(api), _parameter_roles(target))
    func = loss_reference(ctx, call.func, sibling)
    if args is None or func is None:
        return None
    return call.with_changes(func=func, args=args)


def loss_reference(ctx: "FileContext", func: cst.BaseExpression, sibling: str) -> Optional[cst.BaseExpression]:
    """The name of loss `func` switched to `sibling`, in the user's module when the table has the
    sibling there too: `tf.losses.CategoricalCrossentropy` -> `tf.losses.SparseCategoricalCrossentropy`."""
    qualified = ctx.qualify(func)
    if qualified is None:
        return None
    local = f"{qualified.rpartition('.')[0]}.{sibling.rpartition('.')[2]}"
    target = local if knowledge.loss(local) is knowledge.loss(sibling) else sibling
    return spell(ctx, target, func, qualified)


def _parameter_roles(api: Loss) -> dict[str, Param]:
    """A loss's parameters by what they mean (for a class: its constructor's)."""
    roles: dict[str, Optional[Param]] = {"from_logits": api.from_logits, "axis": api.axis, "reduction": api.reduction}
    if api.form is not Form.CLASS:
        roles.update(prediction=api.prediction, label=api.label)
    roles.update((param.keyword, param) for param in api.options)
    return {role: param for role, param in roles.items() if param is not None}


def _carried_arguments(args: Sequence[cst.Arg], source: dict[str, Param],
                       target: dict[str, Param]) -> Optional[list[cst.Arg]]:
    carried = []
    position = 0
    for arg in args:
        if arg.star:
            return None
        if arg.keyword is not None:
            role = next((role for role, param in source.items() if param.keyword == arg.keyword.value), None)
            new = target.get(role) if role is not None else None
            if new is None:
                return None
            carried.append(arg if new.keyword == arg.keyword.value
                           else arg.with_changes(keyword=arg.keyword.with_changes(value=new.keyword)))
            continue
        role = next((role for role, param in source.items() if param.position == position), None)
        new = target.get(role) if role is not None else None
        if new is None or new.position != position:
            return None
        carried.append(arg)
        position += 1
    return carried
