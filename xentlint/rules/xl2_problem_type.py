"""XL2: the output activation does not match the problem type (exclusive classes, multi-label, binary)."""
from __future__ import annotations

import math
from typing import Iterable, Iterator, Optional, Union

import libcst as cst

from xentlint import knowledge
from xentlint.context import FileContext
from xentlint.contract import Contract, Harm, Input, Relation
from xentlint.cst_build import string_literal
from xentlint.diagnostics import Applicability, FixAvailability
from xentlint.fixes import (
    fused_log_call,
    in_place_of,
    remove_argument,
    respell_activation,
    respell_constructor,
    spell_first,
)
from xentlint.flow import UNKNOWN, Kind, LossSite, Origin, Value
from xentlint.flow.calls import match_activation
from xentlint.knowledge import Vocabulary, apis
from xentlint.knowledge.schema import Activation, Expects, Fn, Form, Labels, Param, argument
from xentlint.rule import Finding, Replacement, Rule
from xentlint.rules._site_fixes import replacements, undo_activation, with_from_logits, with_logits_sibling
from xentlint.rules._site_messages import describe_activated, describe_loss, describe_prediction, origin_place
from xentlint.rules._sites import feeds_only_the_loss, local_activation, loss_node, sole_users

_UNSAFE = Applicability.UNSAFE
# Losses over mutually exclusive classes: one softmax distribution per example.
_EXCLUSIVE = frozenset({Labels.ONE_HOT, Labels.SPARSE, Labels.SPARSE_OR_PROBABILITIES})
# A one-unit softmax that reaches a loss normalises over the class axis: the last one, or torch's dim 1
# (an implicit dim is 1 for the 2-D input a loss takes). Without a loss, only the last axis is sure.
_CLASS_AXES_AT_A_LOSS = frozenset({-1, 1, "implicit"})

_CATEGORICAL_ONE_HOT = {"z": Input.LOGITS, "y": Input.ONE_HOT_LABELS}


# ---------------------------------------------------------------- what reaches what
def _applied(value: Value, fn: Fn) -> bool:
    """`value` is the output of `fn`, applied where the analysis can point to."""
    return value.kind is Kind.PROBABILITIES and value.fn is fn and value.origin is not None


def _several_classes(value: Value) -> bool:
    """More than one class, or a count the code does not show (a count of one is XL203)."""
    return value.classes is None or value.classes > 1


def _classes(value: Value, noun: str = "classes") -> str:
    return f"its {value.classes} {noun}" if value.classes is not None else f"the {noun}"


def _in_model(ctx: FileContext, node: cst.CSTNode) -> bool:
    """`node` is in a model class's `forward`/`call`: the activation makes the model's output."""
    for ancestor in ctx.ancestors(node):
        if isinstance(ancestor, cst.FunctionDef):
            return ancestor.name.value in apis.MODEL_OUTPUT_METHODS and ctx.flow.enclosing_class(ancestor) is not None
    return False


def _editable(ctx: FileContext, site: LossSite, call: cst.Call) -> bool:
    """Changing `call` changes what this loss sees and, beyond it, at most what the model outputs."""
    return (local_activation(ctx, site) is call or _in_model(ctx, call)) and "#" not in ctx.code(call)


# ---------------------------------------------------------------- edits
def _swap_activation_value(ctx: FileContext, expr: cst.BaseExpression, fn: Fn) -> Optional[cst.BaseExpression]:
    """A Keras `activation=` value applying `fn` instead: `"sigmoid"` -> `"softmax"`,
    `tf.nn.softmax` -> `tf.nn.sigmoid`."""
    text = string_literal(expr)
    if text is not None:
        new_text = knowledge.activation_string_for(fn)
        if new_text is None or not isinstance(expr, cst.SimpleString) or text not in expr.value:
            return None
        return expr.with_changes(value=expr.value.replace(text, new_text))
    qualified = ctx.qualify(expr)
    api = knowledge.activation(qualified)
    if api is None or api.form is not Form.FUNCTION:
        return None
    return spell_first(ctx, knowledge.counterparts(api, fn), expr, qualified)


def _activation_api(ctx: FileContext, constructor: cst.CSTNode) -> Optional[Activation]:
    """The table row of an activation layer constructor such as `nn.Softmax(dim=1)`."""
    if not isinstance(constructor, cst.Call):
        return None
    api = knowledge.activation(ctx.callee(constructor))
    return api if api is not None and api.form is Form.CLASS else None


def _sequential_element(ctx: FileContext, node: cst.CSTNode) -> Optional[tuple[cst.Call, cst.Arg]]:
    """`(nn.Sequential(...), its argument)` when `node` is a module listed in a torch `nn.Sequential`."""
    arg = ctx.parent(node)
    container = ctx.parent(arg) if arg is not None else None
    if isinstance(arg, cst.Arg) and isinstance(container, cst.Call) and ctx.callee(container) in apis.TORCH_SEQUENTIAL:
        return container, arg
    return None


def _default_axis(name: str, form: Form) -> Union[int, str, None]:
    """The axis an activation of the table normalises over when not told."""
    api = knowledge.activation_method(name) if form is Form.METHOD else knowledge.activation(name)
    return api.axis_default if api is not None else None


def _replacement(old: cst.CSTNode, new: Optional[cst.CSTNode]) -> tuple[Replacement, ...]:
    return (Replacement(old, new),) if new is not None else ()


# Keras's binary cross-entropy in each form a categorical one is written in (a compile string,
# a class, a function), with the arguments they share.
_KERAS_BINARY_STRING = "binary_crossentropy"
_KERAS_BINARY = {Form.CLASS: "BinaryCrossentropy", Form.FUNCTION: "binary_crossentropy"}
_SHARED_ARGUMENTS = {Form.CLASS: frozenset({"from_logits", "reduction", "name"}),
                     Form.FUNCTION: frozenset({"y_true", "y_pred", "from_logits"})}


def _to_binary_loss(ctx: FileContext, site: LossSite) -> tuple[Replacement, ...]:
    """The Keras categorical loss respelled as the binary one, its other arguments kept; none
    for another framework's loss or an argument the binary loss does not take (`axis`, `ignore_class`)."""
    if site.api.framework != "keras":
        return ()
    loss_arg = site.compile_loss_arg
    if loss_arg is not None and isinstance(loss_arg.value, cst.SimpleString):
        text = string_literal(loss_arg.value)
        if text is None or text not in loss_arg.value.value:
            return ()
        return (Replacement(loss_arg.value, loss_arg.value.with_changes(
            value=loss_arg.value.value.replace(text, _KERAS_BINARY_STRING))),)
    node = loss_node(site)
    binary = _KERAS_BINARY.get(site.api.form)
    qualified = ctx.callee(node) if node is not None else None
    if node is None or binary is None or qualified is None:
        return ()
    positional = sum(arg.keyword is None for arg in node.args)
    keywords = {arg.keyword.value for arg in node.args if arg.keyword is not None}
    limit = 0 if site.api.form is Form.CLASS else 2  # the function's y_true, y_pred
    if positional > limit or not keywords <= _SHARED_ARGUMENTS[site.api.form] or any(arg.star for arg in node.args):
        return ()
    func = spell_first(ctx, (f"{qualified.rpartition('.')[0]}.{binary}",), node.func, qualified)
    return _replacement(node, node.with_changes(func=func) if func is not None else None)


# ---------------------------------------------------------------- XL201
class SigmoidWithExclusiveClasses(Rule):
    code = "XL201"
    requires = (Vocabulary.LOSSES,)
    name = "sigmoid-with-exclusive-classes"
    summary = "A sigmoid output over several classes reaching a cross-entropy over mutually exclusive classes"
    why = (
        "A categorical (softmax, sparse) cross-entropy treats the classes as mutually exclusive: the "
        "prediction must be one distribution that sums to 1. Sigmoid scores every class on its own, so "
        "the outputs need not sum to 1 and the model's probabilities mean something else than the loss "
        "assumes. Keras rescales the scores to sum to 1 inside the loss, so `predict()` returns numbers "
        "the training never saw. A loss that takes logits (`nn.CrossEntropyLoss`, `F.cross_entropy`, "
        "`tf.nn.softmax_cross_entropy_with_logits`, `from_logits=True`) applies softmax to the sigmoid "
        "outputs, which lie in (0, 1): with 10 classes no class can get a probability above "
        "e / (e + 9) = 0.23, so the loss never falls below 1.46 and the gradient is squeezed by the "
        "sigmoid's slope (at most 0.25)."
    )
    example = (
        "model = keras.Sequential([\n"
        "    keras.layers.Dense(128, activation=\"relu\"),\n"
        "    keras.layers.Dense(10, activation=\"sigmoid\"),\n"
        "])\n"
        "model.compile(optimizer=\"adam\", loss=\"categorical_crossentropy\")\n"
    )
    use_instead = (
        "model = keras.Sequential([\n"
        "    keras.layers.Dense(128, activation=\"relu\"),\n"
        "    keras.layers.Dense(10, activation=\"softmax\"),\n"
        "])\n"
        "model.compile(optimizer=\"adam\", loss=\"categorical_crossentropy\")\n"
    )
    fix_title = "Make the output a softmax distribution (or pass the logits to a loss that takes them)"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Unsafe: it changes what the model outputs, and sigmoid is right when an example can carry "
        "several labels (then the loss should be a binary cross-entropy instead). What the fix does "
        "depends on what the loss expects:\n\n"
        "- a probability loss (Keras `categorical_crossentropy` and friends): the sigmoid becomes "
        "`softmax` (`activation=\"softmax\"`, `tf.nn.softmax(z)`);\n"
        "- a loss that takes logits (`nn.CrossEntropyLoss`, `F.cross_entropy`, `tf.nn.*_with_logits`, "
        "optax): the sigmoid is removed, because the loss applies softmax itself (a softmax there "
        "would be applied twice); a Keras layer `activation=` becomes `\"softmax\"` and the loss's "
        "`from_logits=True` becomes `False`;\n"
        "- a one-unit sigmoid (a binary output, which a categorical loss over one class cannot train): "
        "the loss becomes Keras's binary cross-entropy (`\"binary_crossentropy\"`, `BinaryCrossentropy()`, "
        "`binary_crossentropy(y, p)`), never the activation a softmax (over one unit that is XL203); "
        "other frameworks' losses, and arguments the binary loss lacks (`ignore_class`, `axis`), get no fix.\n\n"
        "The fix is offered where the sigmoid only feeds this loss (inline, or a variable read only "
        "there) or makes a model's output (`forward`/`call`, a layer `activation=`, the last module of "
        "an `nn.Sequential`); code that reads the model's output as independent probabilities (for "
        "example `> 0.5` thresholds) must be reviewed. `nn.NLLLoss` inputs get no fix: they need "
        "`log_softmax`."
    )
    frameworks = ("tensorflow", "keras", "torch", "jax")
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="keras.losses.categorical_crossentropy(y, tf.sigmoid(z))",
        fixed="keras.losses.categorical_crossentropy(y, keras.activations.softmax(z))",
        reference="tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)",
        inputs=_CATEGORICAL_ONE_HOT,
        note="The fix mirrors Dense(activation='softmax'): Keras then computes the loss from the cached logits.",
        counterexample="keras.losses.categorical_crossentropy(y, tf.nn.softmax(z))",
    )

    def applies(self, site: LossSite) -> bool:
        value = site.prediction
        return (site.api.labels in _EXCLUSIVE and not site.api.sampled and _applied(value, Fn.SIGMOID)
                and _several_classes(value))

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            if self.applies(site):
                yield self.site_finding(site, self._message(ctx, site), *self._fix(ctx, site),
                                   applicability=_UNSAFE)
            elif self._one_unit(site):
                message = (f"{describe_activated(ctx, site, 'sigmoid')} has one unit and reaches "
                           f"{describe_loss(site)}, a cross-entropy over mutually exclusive classes, which over "
                           f"one class cannot learn; a one-unit sigmoid output needs a binary cross-entropy")
                yield self.finding(site.report, message, *_to_binary_loss(ctx, site), applicability=_UNSAFE)

    @staticmethod
    def _one_unit(site: LossSite) -> bool:
        """A one-unit sigmoid is a binary output: the loss is wrong, not the activation (a softmax
        over one unit would be XL203)."""
        value = site.prediction
        return (site.api.labels in _EXCLUSIVE and not site.api.sampled and _applied(value, Fn.SIGMOID)
                and value.classes == 1)

    def _message(self, ctx: FileContext, site: LossSite) -> str:
        value = site.prediction
        origin = value.origin
        assert origin is not None
        head = f"{describe_activated(ctx, site, 'sigmoid')} reaches {describe_loss(site)}"
        if site.expects is Expects.LOGITS:
            bound = ""
            if value.classes is not None:
                bound = f" (at most {math.e / (math.e + value.classes - 1):.2f} with {value.classes} classes)"
            advice = ("make the activation softmax and set from_logits=False, or drop the activation"
                      if origin.activation_arg is not None else "pass the logits (remove the sigmoid)")
            return (f"{head}, which applies softmax over mutually exclusive classes itself: the sigmoid squeezes "
                    f"the logits into (0, 1), so no class can get a confident probability{bound}; {advice}")
        advice = "use log_softmax" if site.expects is Expects.LOG_PROBABILITIES else "use softmax"
        return (f"{head}, which expects one distribution over mutually exclusive classes, but sigmoid scores "
                f"{_classes(value)} independently; {advice}, or a binary cross-entropy if an example can have "
                f"several labels")

    def _fix(self, ctx: FileContext, site: LossSite) -> tuple[Replacement, ...]:
        origin = site.prediction.origin
        assert origin is not None
        if site.expects is Expects.PROBABILITIES:
            return self._to_softmax(ctx, site, origin)
        if site.expects is Expects.LOGITS:
            return self._pass_logits(ctx, site, origin)
        return ()  # log-probabilities (NLLLoss) or a `from_logits` that is not a literal

    def _to_softmax(self, ctx: FileContext, site: LossSite, origin: Origin) -> tuple[Replacement, ...]:
        """For a loss on probabilities: the sigmoid becomes a softmax over the loss's class axis."""
        if origin.activation_arg is not None:
            value = origin.activation_arg.value
            return _replacement(value, _swap_activation_value(ctx, value, Fn.SOFTMAX))
        call = origin.activation_call
        activation = match_activation(ctx, call) if call is not None else None
        if activation is None or not _editable(ctx, site, call):
            return ()
        # Only a softmax that normalises over the loss's class axis by default, with no argument to add.
        names = tuple(name for name in knowledge.counterparts(activation.api, Fn.SOFTMAX)
                      if _default_axis(name, activation.api.form) == site.api.axis_default)
        return _replacement(call, respell_activation(ctx, activation, names, keep_arguments=False))

    def _pass_logits(self, ctx: FileContext, site: LossSite, origin: Origin) -> tuple[Replacement, ...]:
        """For a loss on logits: drop the sigmoid; a Keras layer's becomes softmax with from_logits=False."""
        undo = undo_activation(ctx, site)
        if undo is not None:
            return replacements(ctx, None, [undo])
        call = origin.activation_call
        if call is not None and origin.activation_input is not None and _in_model(ctx, call) \
                and "#" not in ctx.code(call):
            return (Replacement(call, in_place_of(ctx, call, origin.activation_input)),)
        if origin.activation_arg is not None:
            return self._softmax_probabilities(ctx, site, origin.activation_arg)
        element = _sequential_element(ctx, origin.node)
        if element is not None and len(element[0].args) > 1:
            container, arg = element
            return (Replacement(container, remove_argument(container, arg)),)
        return ()

    def _softmax_probabilities(self, ctx: FileContext, site: LossSite,
                               activation_arg: cst.Arg) -> tuple[Replacement, ...]:
        users = sole_users(ctx, site)
        if users is None or not all(self.applies(user) for user in users):
            return ()  # the loss object also serves other predictions
        edit = with_from_logits(site, False)
        softmax = _swap_activation_value(ctx, activation_arg.value, Fn.SOFTMAX)
        if edit is None or softmax is None:
            return ()
        return (Replacement(activation_arg.value, softmax), *replacements(ctx, edit, []))


# ---------------------------------------------------------------- XL202
class SoftmaxWithBinaryLoss(Rule):
    code = "XL202"
    requires = (Vocabulary.LOSSES,)
    name = "softmax-with-binary-loss"
    summary = "A softmax output over several classes reaching a binary cross-entropy"
    why = (
        "A binary cross-entropy scores every output as an independent yes/no probability, while softmax "
        "makes the outputs compete for one unit of probability. The two fit two different problems: "
        "mutually exclusive classes want softmax with a categorical cross-entropy; multi-label targets "
        "(several classes true at once) want sigmoid with a binary cross-entropy. Mixed, the loss "
        "optimises neither: with multi-label targets softmax cannot output two 1s, and with exclusive "
        "classes the loss adds `log(1 - p)` terms for every wrong class. With `metrics=[\"accuracy\"]`, "
        "tf.keras (Keras 2) picks binary accuracy for this loss: it thresholds each output at 0.5, so a "
        "10-class model that predicts nothing at all scores 90%."
    )
    example = (
        "model = keras.Sequential([\n"
        "    keras.layers.Dense(128, activation=\"relu\"),\n"
        "    keras.layers.Dense(10, activation=\"softmax\"),\n"
        "])\n"
        "model.compile(optimizer=\"adam\", loss=\"binary_crossentropy\", metrics=[\"accuracy\"])\n"
    )
    use_instead = (
        "# Exclusive classes: softmax with a categorical cross-entropy\n"
        "model.compile(optimizer=\"adam\", loss=\"categorical_crossentropy\", metrics=[\"accuracy\"])\n"
        "# Multi-label: sigmoid with a binary cross-entropy\n"
        "keras.layers.Dense(10, activation=\"sigmoid\")\n"
    )
    frameworks = ("tensorflow", "keras", "torch", "jax")
    contract = Contract(
        relation=Relation.SHOWS_HARM,
        harm=Harm.DIFFERENT_VALUE,
        original="keras.losses.binary_crossentropy(y, tf.nn.softmax(z))",
        reference="keras.losses.categorical_crossentropy(y, z, from_logits=True)",
        inputs=_CATEGORICAL_ONE_HOT,
        note="For exclusive classes the intended loss is the categorical one.",
        counterexample="keras.losses.categorical_crossentropy(y, keras.activations.softmax(z))",
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            value = site.prediction
            if site.api.labels is Labels.BINARY and _applied(value, Fn.SOFTMAX) and _several_classes(value):
                yield self.site_finding(site, self._message(ctx, site))

    def _message(self, ctx: FileContext, site: LossSite) -> str:
        value = site.prediction
        message = (f"{describe_activated(ctx, site, 'softmax')} reaches {describe_loss(site)}, a binary "
                   f"cross-entropy that scores {_classes(value, 'outputs')} independently while softmax makes them "
                   f"compete; for mutually exclusive classes use a categorical cross-entropy, for multi-label "
                   f"targets use sigmoid instead of softmax")
        accuracy = _accuracy_metric(site)
        # Over two softmax outputs a 0.5 threshold agrees with the argmax: binary accuracy is then exact.
        if accuracy is not None and value.classes != 2:
            message += (f"; with metrics=[\"{accuracy}\"] tf.keras (Keras 2) also reports binary accuracy, which "
                        f"thresholds each output at 0.5 and is misleadingly high")
            if value.classes is not None:
                message += f" ({(value.classes - 1) / value.classes:.0%} for predicting no class at all)"
        return message


def _accuracy_metric(site: LossSite) -> Optional[str]:
    """`"accuracy"` when a Keras `compile(..., metrics=["accuracy"])` with binary cross-entropy
    makes Keras 2 report binary accuracy."""
    if not site.compiled or not any(name in apis.KERAS_BINARY_ACCURACY_LOSSES for name in site.api.names):
        return None
    metrics = argument(site.report, apis.KERAS_COMPILE_METRICS)
    if metrics is None or not isinstance(metrics.value, (cst.List, cst.Tuple)):
        return None
    for element in metrics.value.elements:
        text = string_literal(element.value)
        if text in apis.KERAS_ACCURACY_METRICS:
            return text
    return None


# ---------------------------------------------------------------- XL203
class SoftmaxOverOneUnit(Rule):
    code = "XL203"
    requires = (Vocabulary.SOFTMAX,)
    name = "softmax-over-one-unit"
    summary = "A softmax over an axis of size one, whose output is always 1.0"
    why = (
        "Softmax normalises over its axis: over a single value it computes exp(z) / exp(z) = 1.0 for "
        "every input. The output is constant, its gradient is exactly zero, and nothing before it "
        "learns. With a binary cross-entropy the loss then sits at Keras's clipping value (16.1 for "
        "every negative example) and accuracy is the share of positive examples. A binary output "
        "needs sigmoid over its one unit; exclusive classes need one unit per class."
    )
    example = (
        "model = keras.Sequential([\n"
        "    keras.layers.Dense(64, activation=\"relu\"),\n"
        "    keras.layers.Dense(1, activation=\"softmax\"),\n"
        "])\n"
        "model.compile(optimizer=\"adam\", loss=\"binary_crossentropy\")\n"
    )
    use_instead = (
        "model = keras.Sequential([\n"
        "    keras.layers.Dense(64, activation=\"relu\"),\n"
        "    keras.layers.Dense(1, activation=\"sigmoid\"),\n"
        "])\n"
        "model.compile(optimizer=\"adam\", loss=\"binary_crossentropy\")\n"
    )
    fix_title = "Use sigmoid for the single output"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Unsafe: sigmoid is right for a binary output, but if the layer was meant to score several "
        "exclusive classes, the fix is more units, not another activation. The softmax becomes the "
        "framework's sigmoid (`activation=\"sigmoid\"`, `tf.nn.sigmoid(x)`, `torch.sigmoid(x)`, "
        "`nn.Sigmoid()`, `x.sigmoid()`); its axis argument goes, since sigmoid is elementwise. "
        "Keras's `Softmax` layer has no sigmoid layer to become and gets no fix."
    )
    frameworks = ("tensorflow", "keras", "torch", "jax")
    contract = Contract(
        relation=Relation.SHOWS_HARM,
        harm=Harm.CONSTANT_OUTPUT,
        original="tf.nn.softmax(z, axis=-1)",
        inputs={"z": Input.ONE_UNIT_LOGITS},
        counterexample="tf.nn.sigmoid(z)",
        # The fix's sigmoid gives the unit's probability of the positive class.
        fix_check=Contract(
            relation=Relation.MATCHES_REFERENCE,
            original="tf.nn.softmax(z, axis=-1)",
            fixed="tf.sigmoid(z)",
            reference="scipy.special.expit(z)",
            inputs={"z": Input.ONE_UNIT_LOGITS},
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        found: set[cst.CSTNode] = set()
        for node, reason in self._one_unit_softmaxes(ctx):
            if node in found or (isinstance(node, cst.Call) and not _channels_last(ctx, node)):
                continue
            found.add(node)
            message = (f"softmax over an axis of size 1{reason} always outputs 1.0: the output is constant, its "
                       f"gradient is zero and nothing is learned; use sigmoid for a single binary output, or one "
                       f"unit per class")
            yield self.finding(node, message, *self._to_sigmoid(ctx, node), applicability=_UNSAFE)

    def _one_unit_softmaxes(self, ctx: FileContext) -> Iterator[tuple[cst.CSTNode, str]]:
        """Each softmax (a call, a layer, an `activation=`) shown to normalise over one unit, and why."""
        for call in ctx.calls:
            yield from self._in_call(ctx, call)
        for site in ctx.loss_sites:
            value = site.prediction
            if _applied(value, Fn.SOFTMAX) and value.classes == 1 and value.axis in _CLASS_AXES_AT_A_LOSS:
                assert value.origin is not None
                yield _softmax_node(value.origin), _one_unit_reason(ctx, value.origin)

    def _in_call(self, ctx: FileContext, call: cst.Call) -> Iterator[tuple[cst.CSTNode, str]]:
        value = ctx.flow.value(call)
        if value.kind is Kind.LAYER:
            if value.node is call and _softmax_layer(value) and value.classes == 1:
                yield call, _OWN_UNIT  # Dense(1, activation="softmax")
        elif value.kind is Kind.MODEL:
            yield from _in_layers(ctx, ctx.flow.layer_inputs(value.layers))
        elif _applied(value, Fn.SOFTMAX) and value.classes == 1 and value.axis == -1:
            assert value.origin is not None
            reason = _one_unit_reason(ctx, value.origin)
            if not reason and len(call.args) == 1 and ctx.flow.value(call.func).kind is Kind.LAYER:
                reason = _input_reason(ctx, ctx.flow.value(call.args[0].value))  # Activation("softmax")(h)
            yield _softmax_node(value.origin), reason
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "add" and len(call.args) == 1:
            model = ctx.flow.value(func.value)  # before this statement: the layers added so far
            if model.kind is Kind.MODEL and model.sequential:
                yield from _in_layers(ctx, ((ctx.flow.value(call.args[0].value), model.output or UNKNOWN),))

    def _to_sigmoid(self, ctx: FileContext, node: cst.CSTNode) -> tuple[Replacement, ...]:
        if not isinstance(node, cst.Call):
            return ()
        origin = ctx.flow.value(node).origin
        if origin is not None and origin.node is node and origin.activation_arg is not None:
            value = origin.activation_arg.value
            return _replacement(value, _swap_activation_value(ctx, value, Fn.SIGMOID))
        activation = match_activation(ctx, node)
        if activation is not None:
            sigmoid = knowledge.counterparts(activation.api, Fn.SIGMOID)
            return _replacement(node, respell_activation(ctx, activation, sigmoid, keep_arguments=False))
        api = _activation_api(ctx, node)
        if api is not None:
            sigmoid = knowledge.counterparts(api, Fn.SIGMOID)
            return _replacement(node, respell_constructor(ctx, node, sigmoid, keep_arguments=False))
        return ()


_OWN_UNIT = " (the layer has 1 unit)"


def _softmax_layer(layer: Value) -> bool:
    """A layer applying softmax over the last axis."""
    return layer.kind is Kind.LAYER and layer.applies is Fn.SOFTMAX and layer.axis == -1


def _in_layers(ctx: FileContext, pairs: Iterable[tuple[Value, Value]]) -> Iterator[tuple[cst.CSTNode, str]]:
    """Softmax layers without units of their own that receive one unit: `Dense(1), Activation("softmax")`."""
    for layer, inner in pairs:
        if _softmax_layer(layer) and layer.classes is None and inner.classes == 1 and isinstance(layer.node, cst.Call):
            yield layer.node, _input_reason(ctx, inner)


def _one_unit_reason(ctx: FileContext, origin: Origin) -> str:
    """Why the softmax at `origin` sees one unit: its own layer's, or its input's."""
    if origin.activation_arg is not None:  # a layer's `activation=`: its own units, or (Activation) its input's
        layer = knowledge.layer(ctx.callee(origin.node)) if isinstance(origin.node, cst.Call) else None
        return _OWN_UNIT if layer is not None and layer.units is not None else ""
    if origin.activation_input is not None:
        return _input_reason(ctx, ctx.flow.value(origin.activation_input))
    return ""


def _input_reason(ctx: FileContext, inner: Value) -> str:
    if inner.classes != 1:
        return ""
    if inner.origin is None:
        return " (its input's last axis has size 1)"
    return f" (its input, {inner.origin.description} at {origin_place(ctx, inner.origin)}, has 1 unit)"


def _softmax_node(origin: Origin) -> cst.CSTNode:
    return origin.activation_call or origin.node


def _channels_last(ctx: FileContext, call: cst.Call) -> bool:
    """Keras activations normalise the last axis: the units axis unless a conv is channels_first."""
    data_format = argument(call, apis.KERAS_DATA_FORMAT)
    return data_format is None or string_literal(data_format.value) == "channels_last"


# ---------------------------------------------------------------- XL204
class NllWithoutLogSoftmax(Rule):
    code = "XL204"
    requires = (Vocabulary.LOSSES,)
    name = "nll-without-log-softmax"
    summary = "`nn.NLLLoss` / `F.nll_loss` receiving softmax probabilities or raw logits instead of log-probabilities"
    why = (
        "`NLLLoss` does not take a logarithm: it returns `-input[target]` and is the cross-entropy only "
        "when the input is `log_softmax(z)`. On softmax probabilities it computes `-p[target]`, a loss "
        "between -1 and 0 whose gradient vanishes as soon as a prediction is wrong with confidence "
        "(150x smaller than the cross-entropy's on typical logits). On raw logits it computes "
        "`-z[target]`, which falls without bound as the logit grows: the loss diverges to -inf instead "
        "of training a classifier."
    )
    example = (
        "class Net(nn.Module):\n"
        "    def forward(self, x):\n"
        "        return F.softmax(self.fc(x), dim=1)\n\n"
        "model = Net()\n"
        "loss = F.nll_loss(model(x), target)\n"
    )
    use_instead = (
        "class Net(nn.Module):\n"
        "    def forward(self, x):\n"
        "        return F.log_softmax(self.fc(x), dim=1)\n\n"
        "model = Net()\n"
        "loss = F.nll_loss(model(x), target)\n"
    )
    fix_title = "Use log_softmax (same dim), or CrossEntropyLoss on logits"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "For a softmax input, `softmax` becomes `log_softmax` on the same dim (`F.log_softmax`, "
        "`torch.log_softmax`, `nn.LogSoftmax`, `x.log_softmax`). That is safe when the softmax only "
        "feeds this loss (inline, or a variable read only there); when it makes a model's output "
        "(`forward`, an `nn.Sequential` module) the fix is unsafe, because other code may read that "
        "output as probabilities. For raw logits the fix (unsafe) switches the loss to "
        "`nn.CrossEntropyLoss` / `F.cross_entropy` with the same arguments, which applies "
        "`log_softmax` itself; a loss object shared with other, correct inputs must be reviewed."
    )
    frameworks = ("torch",)
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="F.nll_loss(F.softmax(z, dim=1), y)",
        fixed="F.nll_loss(F.log_softmax(z, dim=1), y)",
        reference="tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z))",
        inputs={"z": Input.LOGITS, "y": Input.SPARSE_LABELS},
        counterexample="F.nll_loss(F.log_softmax(z, dim=0), y)",
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            # NLL only: KL divergence and CTC also take log-probabilities, and are XL205's.
            if site.api.expects is not Expects.LOG_PROBABILITIES or site.api.labels is not Labels.SPARSE \
                    or _per_element(site):
                continue
            if _applied(site.prediction, Fn.SOFTMAX):
                yield self._softmax_input(ctx, site)
            elif _raw_logits(site):
                yield self._logits_input(ctx, site)

    def _softmax_input(self, ctx: FileContext, site: LossSite) -> Finding:
        message = (f"{describe_activated(ctx, site, 'softmax')} reaches {describe_loss(site)}, which expects "
                   f"log-probabilities: on probabilities it computes -p[target], not the cross-entropy; use "
                   f"log_softmax on the same dim")
        origin = site.prediction.origin
        assert origin is not None
        call = origin.activation_call
        if call is not None:
            activation = match_activation(ctx, call)
            fused = fused_log_call(ctx, activation) if activation is not None else None
            if fused is None or not _editable(ctx, site, call):
                return self.site_finding(site, message)
            safe = feeds_only_the_loss(ctx, site, call)
            return self.site_finding(site, message, Replacement(call, fused),
                                applicability=Applicability.SAFE if safe else _UNSAFE)
        api = _activation_api(ctx, origin.node)
        if api is None or api.log_form is None:
            return self.site_finding(site, message)
        assert isinstance(origin.node, cst.Call)
        layer = respell_constructor(ctx, origin.node, (api.log_form,))
        return self.site_finding(site, message, *_replacement(origin.node, layer), applicability=_UNSAFE)

    def _logits_input(self, ctx: FileContext, site: LossSite) -> Finding:
        origin = site.prediction.origin
        assert origin is not None
        message = (f"{describe_prediction(ctx, site)} holds raw logits ({origin.description}, "
                   f"{origin_place(ctx, origin)}) and reaches {describe_loss(site)}, which expects log-probabilities: "
                   f"it computes -logit[target], which falls without bound instead of training; use "
                   f"CrossEntropyLoss, which applies log_softmax itself")
        users = sole_users(ctx, site)
        edit = with_logits_sibling(ctx, site) if users is not None and all(map(_raw_logits, users)) else None
        return self.site_finding(site, message, *(replacements(ctx, edit, []) if edit else ()),
                            applicability=_UNSAFE)


def _per_element(site: LossSite) -> bool:
    """`reduction="none"`: NLL then often serves to pick `input[target]` per example, not as the loss
    (focal-loss weights are `F.nll_loss(F.softmax(x, 1), y, reduction="none")`)."""
    node = loss_node(site)
    reduction = argument(node, Param(apis.TORCH_REDUCTION)) if node is not None else None
    return reduction is not None and string_literal(reduction.value) == "none"


def _raw_logits(site: LossSite) -> bool:
    return site.prediction.kind is Kind.LOGITS and site.prediction.origin is not None
