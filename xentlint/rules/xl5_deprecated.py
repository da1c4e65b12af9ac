"""XL5: deprecated and removed APIs, renamed as the knowledge table's rename rows say."""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Callable, ClassVar, Iterable, Iterator, Optional, TypeGuard, Union

import libcst as cst

from xentlint import knowledge, walk
from xentlint.context import FileContext
from xentlint.contract import Contract, Input, Relation
from xentlint.cst_build import as_keyword, bool_literal, is_none, is_number
from xentlint.diagnostics import Applicability, FixAvailability
from xentlint.fixes import set_keyword, spell
from xentlint.knowledge import Vocabulary, apis
from xentlint.knowledge.names import dotted_name
from xentlint.knowledge.schema import LegacyReduction, Param, Rename, argument, has_star_args
from xentlint.rule import Finding, Replacement, Rule


def display(qualified: str) -> str:
    """A qualified name as users write it: `tensorflow.math.log` -> `tf.math.log`."""
    return "tf." + qualified[len("tensorflow."):] if qualified.startswith("tensorflow.") else qualified


# ---------------------------------------------------------------- names used in the module
@dataclass(frozen=True)
class NameUse:
    """A dotted name read by the code that resolves through the imports; `call` when it is called."""

    node: Union[cst.Attribute, cst.Name]
    qualified: str
    call: Optional[cst.Call]


class _DottedChains(cst.CSTVisitor):
    """The outermost `a.b.c` chains of a module, outside import statements."""

    def __init__(self) -> None:
        self.chains: list[cst.Attribute] = []

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if dotted_name(node) is None:
            return True  # `f(x).attr`: chains may sit inside
        self.chains.append(node)
        return False


_USES: weakref.WeakKeyDictionary[FileContext, tuple[NameUse, ...]] = weakref.WeakKeyDictionary()


def name_uses(ctx: FileContext) -> tuple[NameUse, ...]:
    """Every read of an imported dotted name, and every call of an imported bare name (one walk per file)."""
    if ctx not in _USES:
        visitor = _DottedChains()
        walk.visit(ctx.module, visitor)
        candidates: list[Union[cst.Attribute, cst.Name]] = list(visitor.chains)
        candidates += [call.func for call in ctx.calls if isinstance(call.func, cst.Name)]
        _USES[ctx] = tuple(use for use in (_use(ctx, node) for node in candidates) if use is not None)
    return _USES[ctx]


def _use(ctx: FileContext, node: Union[cst.Attribute, cst.Name]) -> Optional[NameUse]:
    parent = ctx.parent(node)
    if isinstance(parent, (cst.AssignTarget, cst.Del)):
        return None
    if isinstance(parent, (cst.AnnAssign, cst.AugAssign)) and parent.target is node:
        return None
    qualified = ctx.qualify(node)
    if qualified is None:
        return None
    call = parent if isinstance(parent, cst.Call) and parent.func is node else None
    return NameUse(node, qualified, call)


# ---------------------------------------------------------------- rename fixes

def _renamed_arguments(ctx: FileContext, call: cst.Call, rename: Rename,
                       argument_rename: Callable[[Optional[str]], Optional[Rename]]) -> Optional[cst.Call]:
    """`call`'s arguments as the new API takes them, or None when that cannot be decided."""
    if has_star_args(call) and rename.changes_arguments:
        return None  # which parameter a starred argument fills is unknown
    keywords = dict(rename.keywords)
    args: list[cst.Arg] = []
    position = 0
    positional = True  # arguments keep their position while both signatures agree
    for arg in call.args:
        if arg.keyword is None and not arg.star and rename.old_params:
            if position >= len(rename.old_params):
                return None  # more arguments than the old API took: the call was broken
            name = keywords.get(rename.old_params[position], rename.old_params[position])
            positional = positional and position < len(rename.new_params) and rename.new_params[position] == name
            if not positional:
                arg = as_keyword(arg, name)
            position += 1
        elif arg.keyword is not None and arg.keyword.value in keywords:
            arg = arg.with_changes(keyword=cst.Name(keywords[arg.keyword.value]))
        args.append(_rename_value(ctx, arg, argument_rename))
    names = [arg.keyword.value for arg in args if arg.keyword is not None]
    added = [name for name, _ in rename.added]
    if len(set(names + added)) != len(names + added):
        return None  # e.g. both `dim` and `axis`: the old call raised
    new_call = call.with_changes(args=args)
    for name, source in rename.added:
        new_call = set_keyword(new_call, name, cst.parse_expression(source))
    return new_call


def _rename_value(ctx: FileContext, arg: cst.Arg,
                  argument_rename: Callable[[Optional[str]], Optional[Rename]]) -> cst.Arg:
    """An argument naming a constant whose meaning moved (TF1's `tf.losses.Reduction.SUM`), respelled."""
    row = argument_rename(ctx.qualify(arg.value))
    new = spell(ctx, row.new) if row is not None and row.new is not None else None
    return arg.with_changes(value=new) if new is not None else arg


def _passes_unsafe_argument(call: cst.Call, rename: Rename) -> bool:
    """A non-literal value for a parameter the two APIs treat differently (e.g. `weights` broadcasting)."""
    for name in rename.unsafe_params:
        position = rename.old_params.index(name) if name in rename.old_params else None
        spellings = [Param(name, position)] + [Param(old) for old, new in rename.keywords if new == name]
        for param in spellings:
            arg = argument(call, param)
            if arg is not None and not is_number(arg.value):
                return True
    return False


def _no_rename(qualified: Optional[str]) -> Optional[Rename]:
    return None


# Renames `fix --verify` cannot evaluate, with why (its coverage test reads these).
_GRAPH_COLLECTION = {
    "add_loss": "it adds a loss to the graph's loss collection and computes nothing the check could compare",
    "get_total_loss": "it sums the losses collected in the TF 1 graph, which exist only when the graph runs",
    "get_regularization_loss": "it sums the regularization losses collected in the TF 1 graph, which exist "
                               "only when the graph runs",
}


def _graph_collection(*modules: str) -> dict[str, str]:
    return {f"{module}.{name}": reason for module in modules for name, reason in _GRAPH_COLLECTION.items()}


class _RenameRule(Rule):
    """Flags every use of a name in a rename table; fixes it when the table has an exact equivalent."""

    table: ClassVar[Callable[[Optional[str]], Optional[Rename]]]
    argument_table: ClassVar[Callable[[Optional[str]], Optional[Rename]]] = staticmethod(_no_rename)
    unsafe_reason: ClassVar[str] = ""
    no_equivalent: ClassVar[str] = ": "  # joins the problem and the note of a row without replacement

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for use in name_uses(ctx):
            rename = type(self).table(use.qualified)
            if rename is not None:
                yield self._finding(ctx, use, rename)

    def problem(self, old: str) -> str:
        """The message's first part, about `old` (the name as written, in backticks)."""
        raise NotImplementedError

    def _finding(self, ctx: FileContext, use: NameUse, rename: Rename) -> Finding:
        node = use.call if use.call is not None else use.node
        written, qualified = ctx.code(use.node), display(use.qualified)
        problem = self.problem(f"`{written}`" if written == qualified else f"`{written}` (`{qualified}`)")
        if rename.new is None:
            return self.finding(node, f"{problem}{self.no_equivalent}{rename.note}")
        func = spell(ctx, rename.new, use.node, use.qualified)
        new_text = ctx.code(func) if func is not None else display(rename.new)
        message = f"{problem}; use `{new_text}`" + (f" ({rename.note})" if rename.note else "")
        if func is None:
            return self.finding(node, message)
        if use.call is None:
            if rename.changes_arguments:
                return self.finding(node, message)  # a reference: its callers pass the old arguments
            return self.finding(node, message, Replacement(use.node, func))
        fixed = _renamed_arguments(ctx, use.call, rename, type(self).argument_table)
        if fixed is None:
            return self.finding(node, message)
        if _passes_unsafe_argument(use.call, rename):
            return self.finding(node, f"{message}; {self.unsafe_reason}",
                                Replacement(use.call, fixed.with_changes(func=func)),
                                applicability=Applicability.UNSAFE)
        return self.finding(node, message, Replacement(use.call, fixed.with_changes(func=func)))

    @classmethod
    def rename_table(cls, rows: tuple[Rename, ...], heading: str) -> list[str]:
        lines = ["", f"## {heading}", "", "| name | replacement | note |", "| --- | --- | --- |"]
        for row in rows:
            new = f"`{display(row.new)}`" if row.new else "none"
            lines.append(f"| `{display(row.old)}` | {new} | {row.note} |")
        return lines


class TfContribLoss(_RenameRule):
    code = "XL501"
    requires = (Vocabulary.TENSORFLOW, Vocabulary.CONTRIB)
    name = "tf-contrib-loss"
    summary = "A loss from `tf.contrib` (`tf.contrib.losses`, slim's `losses`, seq2seq, `tf.contrib.nn`), removed in TF 2"
    why = (
        "`tf.contrib` was removed in TensorFlow 2.0; on every TF 2 release `tf.contrib` raises "
        "`AttributeError`, so the script stops at the loss. TF 1.15 was the last release with it.\n\n"
        "The contrib losses take the prediction first (`softmax_cross_entropy(logits, onehot_labels)`) "
        "while their `tf.compat.v1.losses` successors take the labels first. Moving a positional call "
        "over unchanged passes the logits as labels, and because `tf.compat.v1.losses.softmax_cross_entropy` "
        "stops the gradient into its labels, the logits then receive a gradient of exactly 0: nothing trains.\n\n"
        "Both reduce the same way: the contrib `compute_weighted_loss` divides the weighted sum by the number "
        "of non-zero weights, which is `tf.compat.v1`'s default `Reduction.SUM_BY_NONZERO_WEIGHTS`; with the "
        "default `weights=1.0` both are the mean over all elements, and both add the loss to "
        "`GraphKeys.LOSSES`."
    )
    example = (
        "import tensorflow as tf\n\n"
        "loss = tf.contrib.losses.softmax_cross_entropy(logits, onehot_labels)\n"
    )
    use_instead = (
        "import tensorflow as tf\n\n"
        "loss = tf.compat.v1.losses.softmax_cross_entropy(logits=logits, onehot_labels=onehot_labels)\n"
    )
    fix_title = "Use the tf.compat.v1 equivalent, with the arguments passed by keyword"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe: the replacement computes the same value and gradient and collects the loss the same way. "
        "Positional arguments whose place differs are passed by keyword, in the order written (so they are "
        "evaluated in the same order). The fix is unsafe when a non-literal `weights` is passed: contrib "
        "broadcast weights of a lower rank than the per-element losses from the batch axis (`[batch]` "
        "weights on `[batch, classes]` losses), where `tf.compat.v1` requires rank 0 or the losses' rank "
        "and raises. No fix where TensorFlow has no exact equivalent (seq2seq and metric-learning losses "
        "live on in TensorFlow Addons, GAN losses in TF-GAN), nor where this module's imports cannot "
        "spell `tf.compat.v1`."
    )
    frameworks = ("tensorflow",)
    contract = Contract(
        relation=Relation.SAME_VALUE_AND_GRADIENT,
        original="tf.contrib.losses.softmax_cross_entropy(z, y)",
        fixed="tf.compat.v1.losses.softmax_cross_entropy(logits=z, onehot_labels=y)",
        inputs={"z": Input.LOGITS, "y": Input.ONE_HOT_LABELS},
        note="tf.contrib.losses takes the logits first; the fix passes both by keyword.",
        counterexample="tf.compat.v1.losses.softmax_cross_entropy(z, y)",
        unmodelled=_graph_collection("tensorflow.contrib.losses", "tensorflow.contrib.slim.losses"),
    )
    references = (
        "TF 1.15 `tensorflow/contrib/losses/python/losses/loss_ops.py`",
        "`tf.compat.v1.losses`: https://www.tensorflow.org/api_docs/python/tf/compat/v1/losses",
    )
    table = staticmethod(knowledge.contrib_loss)
    unsafe_reason = "`weights` of a lower rank than the losses broadcast differently there"
    no_equivalent = " and has no exact equivalent in TensorFlow: "

    def problem(self, old: str) -> str:
        return f"{old} was removed with `tf.contrib` in TensorFlow 2.0"

    @classmethod
    def doc_sections(cls) -> list[str]:
        rows = tuple(row for row in apis.CONTRIB_LOSSES if not row.old.startswith("tensorflow.contrib.slim."))
        return cls.rename_table(rows, "Rename table") + [
            "", "`tf.contrib.slim.losses` is `tf.contrib.losses`: its members are renamed the same way."]


class Tf1OnlyLossApi(_RenameRule):
    code = "XL502"
    requires = (Vocabulary.TENSORFLOW, Vocabulary.TF1_ONLY)
    name = "tf1-only-loss-api"
    summary = "A TensorFlow 1 name that TensorFlow 2 does not have (`tf.losses.softmax_cross_entropy`, `tf.log` …)"
    why = (
        "TensorFlow 2 dropped these names: 16 of the 17 members of TF1's `tf.losses` are gone (TF 2's "
        "`tf.losses` is the Keras losses module), as are `tf.log` and "
        "`tf.nn.softmax_cross_entropy_with_logits_v2`. On TF 2 each raises `AttributeError`.\n\n"
        "The one member both have, `tf.losses.Reduction`, changed its values: TF1's `Reduction.SUM` is "
        "`\"weighted_sum\"`, TF 2's is Keras' `\"sum\"`, which `tf.compat.v1.losses` rejects. The TF1 "
        "functions live on unchanged in `tf.compat.v1.losses`, the math ops under `tf.math`."
    )
    example = (
        "import tensorflow as tf\n\n"
        "loss = tf.losses.softmax_cross_entropy(onehot_labels, logits)\n"
        "xent = tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=z, dim=1)\n"
        "log_var = tf.log(var)\n"
    )
    use_instead = (
        "import tensorflow as tf\n\n"
        "loss = tf.compat.v1.losses.softmax_cross_entropy(onehot_labels, logits)\n"
        "xent = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z, axis=1)\n"
        "log_var = tf.math.log(var)\n"
    )
    fix_title = "Use the TensorFlow 2 or tf.compat.v1 spelling of the same function"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe: each replacement is the same function or op under its TF 2 name. "
        "`softmax_cross_entropy_with_logits_v2` becomes `tf.nn.softmax_cross_entropy_with_logits` with every "
        "argument passed by keyword and `dim` renamed `axis` (TF 2 has no `dim`); `tf.losses.Reduction` "
        "constants passed to a moved TF1 loss move to `tf.compat.v1.losses.Reduction` with it. No fix for "
        "`tf.losses.mean_squared_error`, which TF 2.0-2.15 had as the Keras per-example function: the "
        "intent decides. Code that imports `tensorflow.compat.v1 as tf` (or sets `tf = tf.compat.v1`) "
        "already uses the TF1 names legally and is not flagged."
    )
    frameworks = ("tensorflow",)
    contract = Contract(
        relation=Relation.SAME_VALUE_AND_GRADIENT,
        original="tf.losses.softmax_cross_entropy(y, z)",
        fixed="tf.compat.v1.losses.softmax_cross_entropy(y, z)",
        inputs={"y": Input.ONE_HOT_LABELS, "z": Input.LOGITS},
        counterexample="tf.compat.v1.losses.sigmoid_cross_entropy(y, z)",
        unmodelled=_graph_collection("tensorflow.losses"),
    )
    references = ("TensorFlow's TF1 to TF2 symbol map: https://www.tensorflow.org/guide/migrate/upgrade",)
    table = staticmethod(knowledge.tf1_only)
    argument_table = staticmethod(knowledge.tf1_argument)

    def problem(self, old: str) -> str:
        return f"{old} does not exist in TensorFlow 2"

    @classmethod
    def doc_sections(cls) -> list[str]:
        arguments = ", ".join(f"`{display(row.old)}`" for row in apis.TF1_ARGUMENTS)
        return cls.rename_table(apis.TF1_ONLY, "Rename table") + [
            "", (f"As arguments of a TF1 loss that the fix moves to `tf.compat.v1`, {arguments} move too: "
                 "TF 2 still has these names, with Keras' values.")]


# ---------------------------------------------------------------- torch size_average / reduce
_FLAGS = apis.TORCH_LEGACY_FLAGS
_UNKNOWN = object()  # a flag value that is not a literal


def _flag_value(node: cst.BaseExpression) -> object:
    if is_none(node):
        return None
    value = bool_literal(node)
    return _UNKNOWN if value is None else value


def _all_literal(values: dict[str, object]) -> TypeGuard[dict[str, Optional[bool]]]:
    """Every flag is `True`, `False` or `None`."""
    return all(value is not _UNKNOWN for value in values.values())


def legacy_reduction(size_average: Optional[bool], reduce: Optional[bool]) -> str:
    """torch/nn/_reduction.py:legacy_get_string, from the table."""
    return apis.TORCH_LEGACY_REDUCTION_STRINGS[(size_average is not False, reduce is not False)]


def _bind(call: cst.Call, params: tuple[str, ...]) -> Optional[dict[str, cst.Arg]]:
    """Parameter name -> argument, or None when a starred or surplus argument hides where they go."""
    if has_star_args(call):
        return None
    bound: dict[str, cst.Arg] = {}
    positionals = [arg for arg in call.args if arg.keyword is None]
    if len(positionals) > len(params):
        return None
    bound.update(zip(params, positionals))
    bound.update((arg.keyword.value, arg) for arg in call.args if arg.keyword is not None)
    return bound


def _string(value: str, like: Optional[cst.BaseExpression] = None) -> cst.SimpleString:
    quote = "'" if isinstance(like, cst.SimpleString) and like.value.startswith("'") else '"'
    return cst.SimpleString(f"{quote}{value}{quote}")


def _without_flags(call: cst.Call, bound: dict[str, cst.Arg], reduction: Optional[str]) -> cst.Call:
    """Drop the flags; `reduction` (when given) takes the first flag's place or the existing argument's value.

    Positional arguments after a dropped one are passed by keyword so that none changes its parameter.
    """
    names = {id(arg): name for name, arg in bound.items()}
    flags = {id(bound[flag]) for flag in _FLAGS if flag in bound}
    existing = bound.get(apis.TORCH_REDUCTION)
    pending = reduction is not None and existing is None
    args: list[cst.Arg] = []
    shifted = False
    last_dropped = False
    for arg in call.args:
        if id(arg) in flags:
            shifted = shifted or arg.keyword is None
            if pending:
                args.append(as_keyword(arg, apis.TORCH_REDUCTION).with_changes(value=_string(reduction)))
                pending = False
                last_dropped = False
            else:
                last_dropped = True
            continue
        last_dropped = False
        name = names[id(arg)]
        if arg is existing and reduction is not None:
            arg = arg.with_changes(value=_string(reduction, like=arg.value))
        if shifted and arg.keyword is None:
            arg = as_keyword(arg, name)
        args.append(arg)
    if last_dropped and args:
        args[-1] = args[-1].with_changes(comma=call.args[-1].comma)
    return call.with_changes(args=args)


class TorchLegacyReduction(Rule):
    code = "XL503"
    requires = (Vocabulary.TORCH, Vocabulary.LEGACY_REDUCTION)
    name = "torch-legacy-reduction"
    summary = "`size_average=` / `reduce=` on a PyTorch loss instead of `reduction=`"
    why = (
        "`size_average` and `reduce` were replaced by `reduction` in PyTorch 0.4.1 (2018); every call that "
        "passes them emits a deprecation warning. Their combinations are easy to misread: `size_average=False` "
        "means `reduction='sum'`, but `reduce=False` means `'none'` whatever `size_average` says, and "
        "either flag, when not None, overrides an explicit `reduction=`: "
        "`nn.CrossEntropyLoss(reduce=False, reduction='mean')` returns one loss per example, not their mean."
    )
    example = (
        "import torch.nn as nn\n\n"
        "criterion = nn.CrossEntropyLoss(size_average=False)\n"
    )
    use_instead = (
        "import torch.nn as nn\n\n"
        "criterion = nn.CrossEntropyLoss(reduction=\"sum\")\n"
    )
    fix_title = "Pass the equivalent `reduction=`"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe: the flags are replaced by the `reduction` that PyTorch's own "
        "`torch/nn/_reduction.py:legacy_get_string` derives from them (table below), and a `reduction=` "
        "that they overrode gets that value. Positional flags are handled from the loss's signature; "
        "arguments after them are passed by keyword. No fix when a flag is not a literal `True`, `False` "
        "or `None`."
    )
    frameworks = ("torch",)
    contract = Contract(
        relation=Relation.SAME_VALUE_AND_GRADIENT,
        original="nn.CrossEntropyLoss(size_average=False)(z, y)",
        fixed="nn.CrossEntropyLoss(reduction=\"sum\")(z, y)",
        inputs={"z": Input.LOGITS, "y": Input.SPARSE_LABELS},
        counterexample="nn.CrossEntropyLoss(reduction='mean')(z, y)",
        unmodelled={"torch.nn.MarginRankingLoss": "it takes three tensors (two scores and targets of -1 or 1), "
                                                  "which the check does not generate"},
    )
    references = ("PyTorch `torch/nn/_reduction.py` (`legacy_get_string`)",)

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for call in ctx.calls:
            api = knowledge.torch_legacy_reduction(ctx.callee(call))
            if api is not None:
                finding = self._check_call(ctx, call, api)
                if finding is not None:
                    yield finding

    def _check_call(self, ctx: FileContext, call: cst.Call, api: LegacyReduction) -> Optional[Finding]:
        bound = _bind(call, api.params)
        given = bound if bound is not None else {arg.keyword.value: arg for arg in call.args if arg.keyword}
        flags = {flag: given[flag] for flag in _FLAGS if flag in given}
        if not flags or _forwards_parameters(ctx, call, flags.values()):
            return None
        written = ", ".join(f"{flag}={ctx.code(arg.value)}" for flag, arg in flags.items())
        flag_values = {flag: _flag_value(arg.value) for flag, arg in flags.items()}
        values = flag_values if _all_literal(flag_values) else None
        existing = given.get(apis.TORCH_REDUCTION)
        if values is None:
            return self.finding(call, f"`{written}` is PyTorch's deprecated way to choose the reduction; pass "
                                      f"`reduction=` instead: {self._mapping_summary()}")
        if all(value is None for value in values.values()):
            message = f"`{written}` is a deprecated flag that has no effect here; remove it"
            reduction = None
        else:
            reduction = legacy_reduction(values.get("size_average"), values.get("reduce"))
            overrides = f" and overrides the `reduction={ctx.code(existing.value)}` passed with it" if existing else ""
            message = (f"`{written}` is PyTorch's deprecated way to choose the reduction: it means "
                       f"`reduction='{reduction}'`{overrides}; pass `reduction='{reduction}'` instead")
        if bound is None:
            return self.finding(call, message)
        return self.finding(call, message, Replacement(call, _without_flags(call, bound, reduction)))

    @staticmethod
    def _mapping_summary() -> str:
        return "'none' when `reduce` is False, else 'sum' when `size_average` is False, else 'mean' (None counts as True)"

    @classmethod
    def doc_sections(cls) -> list[str]:
        lines = ["", "## Mapping table", "",
                 ("As `torch/nn/_reduction.py:legacy_get_string` maps them (`None` counts as `True`); when "
                  "either flag is not `None` the result replaces any `reduction=` passed with them."), "",
                 "| size_average | reduce | reduction |", "| --- | --- | --- |"]
        for size_average in (None, True, False):
            for reduce in (None, True, False):
                result = ("unchanged (flags have no effect)" if size_average is None and reduce is None
                          else f"`'{legacy_reduction(size_average, reduce)}'`")
                lines.append(f"| `{size_average}` | `{reduce}` | {result} |")
        lines += ["", "## Losses", "", "Parameters in signature order (PyTorch 2.13), used to place positional flags:", ""]
        lines += [f"- `{row.names[0]}({', '.join(row.params)})`" for row in apis.TORCH_LEGACY_REDUCTION_LOSSES]
        return lines


def _forwards_parameters(ctx: FileContext, call: cst.Call, flags: Iterable[cst.Arg]) -> bool:
    """`l1_loss(x, y, size_average=size_average, reduce=reduce)` inside a function with parameters of
    those names passes its caller's choice through (a wrapper keeping the old API): not a use of it."""
    scope = ctx.flow.enclosing_scope(call)
    if not isinstance(scope, cst.FunctionDef):
        return False
    parameters = {param.name.value for param in (*scope.params.params, *scope.params.kwonly_params,
                                                 *scope.params.posonly_params)}
    return all(isinstance(arg.value, cst.Name) and arg.keyword is not None and arg.value.value == arg.keyword.value
               and arg.value.value in parameters for arg in flags)
