"""XL8: metrics computed on logits and class weights multiplied into logits.

The figures quoted in messages: a 0.5 threshold on logits is a threshold of sigmoid(0.5) = 0.62 on
the probabilities; Keras's `AUC` clips its scores to [0, 1] before bucketing them, so on logits every
negative logit ties at 0 and every logit above 1 ties at 1. Multiplying the logits by per-class
weights w rescales class k's logit by w[k]: the arg-max moves towards the heaviest class wherever
its logit is positive (and away from it where negative).
"""
from __future__ import annotations

import ast
import math
from typing import Iterator, Optional, Sequence

import libcst as cst

from xentlint import knowledge, walk
from xentlint.context import FileContext
from xentlint.cst_build import string_literal
from xentlint.contract import Contract, Harm, Input, Relation
from xentlint.diagnostics import Applicability, FixAvailability
from xentlint.fixes import in_place_of, set_keyword, spell
from xentlint.flow import Kind, LossSite
from xentlint.flow.calls import is_tensor_receiver
from xentlint.knowledge import Vocabulary, apis
from xentlint.knowledge.names import dotted_name
from xentlint.knowledge.schema import Expects, Form, Labels, Metric, argument, has_star_args
from xentlint.rule import Finding, Replacement, Rule
from xentlint.rules._site_messages import describe_loss, quoted
from xentlint.rules._sites import loss_node

_UNSAFE = Applicability.UNSAFE
_PROBABILITY_AT_LOGIT_HALF = 1 / (1 + math.exp(-0.5))  # 0.62
_NOT_LOGITS = frozenset({Kind.PROBABILITIES, Kind.LOG_PROBABILITIES, Kind.SPARSE_LABELS, Kind.ONE_HOT_LABELS})
_EXCLUSIVE = frozenset({Labels.ONE_HOT, Labels.SPARSE, Labels.SPARSE_OR_PROBABILITIES})
_THRESHOLD_COMPARISONS = (cst.GreaterThan, cst.GreaterThanEqual, cst.LessThan, cst.LessThanEqual)


def _literal(ctx: FileContext, expr: cst.BaseExpression) -> object:
    """The Python value of a literal expression; a sentinel for anything else."""
    try:
        return ast.literal_eval(ctx.code(expr).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _NOT_A_LITERAL


_NOT_A_LITERAL = object()


def _number(ctx: FileContext, expr: cst.BaseExpression) -> Optional[float]:
    value = _literal(ctx, expr) if isinstance(expr, (cst.Integer, cst.Float, cst.UnaryOperation)) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# ---------------------------------------------------------------- XL801
def _metric_on_logits(site: LossSite) -> bool:
    """A binary loss whose prediction is logits: the loss says so (`from_logits=True`, a with-logits
    loss), or the model's last layer is linear (for a compiled model); never a sigmoid output."""
    if site.api.labels is not Labels.BINARY or site.prediction.kind in _NOT_LOGITS:
        return False
    linear = site.compiled and site.prediction.kind is Kind.LOGITS and site.prediction.origin is not None
    return site.expects is Expects.LOGITS or linear


class ThresholdMetricOnLogits(Rule):
    code = "XL801"
    requires = (Vocabulary.LOSSES,)
    name = "threshold-metric-on-logits"
    summary = "A metric that thresholds probabilities at 0.5 (or needs scores in [0, 1]) computed on logits"
    why = (
        "A binary model trained with `BinaryCrossentropy(from_logits=True)` outputs logits. Keras resolves "
        "`metrics=[\"accuracy\"]` for it to binary accuracy at a threshold of 0.5, which it applies to whatever "
        "the model outputs: it counts `logit > 0.5` as positive, that is probability > sigmoid(0.5) = 0.62, "
        "not probability > 0.5. `Precision()`/`Recall()` threshold at 0.5 the same way, and `AUC()` clips its "
        "scores to [0, 1], so every negative logit ties at 0 and every logit above 1 ties at 1. Training is "
        "right, but the reported numbers are not, and early stopping, checkpoints and model selection follow "
        "them. Official TensorFlow tutorials shipped this and were fixed with `BinaryAccuracy(threshold=0.0)`. "
        "The same holds for hand-written `logits > 0.5` and `round(logits)` on the logits of a with-logits loss."
    )
    example = (
        "from tensorflow import keras\n\n"
        "model = keras.Sequential([keras.layers.Dense(16, activation=\"relu\"), keras.layers.Dense(1)])\n"
        "model.compile(optimizer=\"adam\", loss=keras.losses.BinaryCrossentropy(from_logits=True),\n"
        "              metrics=[\"accuracy\", keras.metrics.AUC()])\n"
    )
    use_instead = (
        "from tensorflow import keras\n\n"
        "model = keras.Sequential([keras.layers.Dense(16, activation=\"relu\"), keras.layers.Dense(1)])\n"
        "model.compile(optimizer=\"adam\", loss=keras.losses.BinaryCrossentropy(from_logits=True),\n"
        "              metrics=[keras.metrics.BinaryAccuracy(name=\"accuracy\", threshold=0.0),\n"
        "                       keras.metrics.AUC(from_logits=True)])\n"
    )
    fix_title = "Make the metric read logits"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe: the metric then computes on the logits exactly what it meant to compute on the probabilities "
        "(`logit > 0` is `sigmoid(logit) > 0.5`). `\"accuracy\"`/`\"acc\"`/`\"binary_accuracy\"` become "
        "`keras.metrics.BinaryAccuracy(name=<the string>, threshold=0.0)`, spelled with the module's own Keras "
        "import and keeping the metric's name in the history; `BinaryAccuracy(...)` gets `threshold=0.0`, "
        "`AUC(...)` `from_logits=True`, `Precision(...)`/`Recall(...)` `thresholds=0.0`; `logits > 0.5` becomes "
        "`logits > 0`. `round(logits)` gets no fix (`logits > 0` has another dtype)."
    )
    frameworks = ("tensorflow", "keras", "torch")
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="keras.metrics.BinaryAccuracy()(y, z)",
        fixed="keras.metrics.BinaryAccuracy(threshold=0.0)(y, z)",
        reference="keras.metrics.BinaryAccuracy()(y, tf.sigmoid(z))",
        inputs={"z": Input.BINARY_LOGITS, "y": Input.BINARY_LABELS},
        wrt="",  # a step function: no gradient to compare
        note="The reference is the metric at 0.5 on the probabilities the logits stand for.",
        # Keras resolves these names, under a binary loss, to binary accuracy at 0.5.
        metric_names={name: "keras.metrics.BinaryAccuracy()"
                      for name in sorted(apis.KERAS_ACCURACY_METRICS | apis.KERAS_BINARY_ACCURACY_STRINGS)},
        metric_arguments=("y", "z"),
        reference_substitutes={"z": "tf.sigmoid(z)"},
        counterexample="keras.metrics.BinaryAccuracy(threshold=0.1)(y, z)",
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            if not _metric_on_logits(site):
                continue
            if site.compiled:
                yield from self._compiled_metrics(ctx, site)
            elif site.expects is Expects.LOGITS:
                yield from self._thresholded(ctx, site)

    # ------------------------------------------------------------ compile(metrics=[...])
    def _compiled_metrics(self, ctx: FileContext, site: LossSite) -> Iterator[Finding]:
        metrics = argument(site.report, apis.KERAS_COMPILE_METRICS)
        if has_star_args(site.report) or metrics is None or not isinstance(metrics.value, (cst.List, cst.Tuple)):
            return
        for element in metrics.value.elements:
            if isinstance(element, cst.StarredElement):
                continue
            value = element.value
            text = string_literal(value)
            if text is not None:
                finding = self._string_metric(ctx, site, value, text)
            elif isinstance(value, cst.Call):
                finding = self._metric_object(ctx, site, value)
            else:
                finding = None
            if finding is not None:
                yield finding

    def _string_metric(self, ctx: FileContext, site: LossSite, node: cst.BaseExpression,
                       text: str) -> Optional[Finding]:
        if text in apis.KERAS_ACCURACY_METRICS:
            classes = site.prediction.classes
            if classes is not None and classes > 1:
                return None  # Keras 3 picks categorical accuracy (an arg-max) for several outputs
        elif text not in apis.KERAS_BINARY_ACCURACY_STRINGS:
            return None
        message = (f"\"{text}\" with {describe_loss(site)} is binary accuracy at a threshold of 0.5 applied to the "
                   f"model's logits: it counts logit > 0.5 as positive, i.e. probability > "
                   f"{_PROBABILITY_AT_LOGIT_HALF:.2f}, not probability > 0.5; use "
                   f"BinaryAccuracy(threshold=0.0)")
        func = spell(ctx, apis.KERAS_LOGITS_ACCURACY)
        if func is None or not isinstance(node, cst.SimpleString):
            return self.finding(node, message)
        metric = cst.Call(func=func, args=(
            _keyword("name", node, comma=True),
            _keyword("threshold", cst.Float("0.0")),
        ))
        return self.finding(node, message, Replacement(node, metric),
                            title="Use BinaryAccuracy(threshold=0.0) under the same name")

    def _metric_object(self, ctx: FileContext, site: LossSite, call: cst.Call) -> Optional[Finding]:
        row = knowledge.metric(ctx.callee(call))
        if row is None or row.form is not Form.CLASS or has_star_args(call):
            return None
        switch = argument(call, row.switch)
        if switch is not None and _literal(ctx, switch.value) not in map(ast.literal_eval, row.defaults):
            return None  # told it reads logits, or another threshold: the user decided
        short = (ctx.callee(call) or row.names[0]).rsplit(".", 1)[-1]
        message = f"`{short}` with {describe_loss(site)} runs on the model's logits: {_harm(row)}; " \
                  f"pass {row.switch.keyword}={row.logits_value}"
        fixed = set_keyword(call, row.switch.keyword, cst.parse_expression(row.logits_value), existing=switch)
        return self.finding(call, message, Replacement(call, fixed), title=f"Pass {row.switch.keyword}="
                            f"{row.logits_value}")

    # ------------------------------------------------------------ logits > 0.5, round(logits)
    def _thresholded(self, ctx: FileContext, site: LossSite) -> Iterator[Finding]:
        """Comparisons with 0.5 and roundings of the name passed to a with-logits binary loss, in its scope."""
        arg = site.prediction_arg
        if arg is None or site.call is None or not isinstance(arg.value, cst.Name):
            return
        name = arg.value.value
        scope = ctx.flow.enclosing_scope(site.call)
        if len(ctx.flow.stores(scope, name)) > 1:
            return  # rebound: the compared value may be another one
        # Nested functions have their own scope (the flow's scopes are functions and the module).
        for node in walk.walk(scope, lambda node: node is scope or not isinstance(node, cst.FunctionDef)):
            if isinstance(node, cst.Comparison):
                finding = self._comparison(ctx, site, node, name)
            elif isinstance(node, cst.Call):
                finding = self._rounding(ctx, site, node, name)
            else:
                continue
            if finding is not None:
                yield finding

    def _comparison(self, ctx: FileContext, site: LossSite, node: cst.Comparison, name: str) -> Optional[Finding]:
        if not (isinstance(node.left, cst.Name) and node.left.value == name and len(node.comparisons) == 1):
            return None
        target = node.comparisons[0]
        if not isinstance(target.operator, _THRESHOLD_COMPARISONS) or _number(ctx, target.comparator) != 0.5:
            return None
        message = (f"`{name}` holds the logits of {describe_loss(site)} (line {ctx.line_of(site.report)}): comparing "
                   f"it with 0.5 tests probability > {_PROBABILITY_AT_LOGIT_HALF:.2f}, not probability > 0.5; "
                   f"compare the logits with 0")
        return self.finding(node, message, Replacement(target.comparator, cst.Integer("0")),
                            title="Compare the logits with 0")

    def _rounding(self, ctx: FileContext, site: LossSite, call: cst.Call, name: str) -> Optional[Finding]:
        func = call.func
        rounded: Optional[cst.BaseExpression] = None
        if ctx.callee(call) in apis.ROUNDS and len(call.args) == 1 and call.args[0].keyword is None:
            rounded = call.args[0].value
        elif isinstance(func, cst.Attribute) and func.attr.value == apis.ROUND_METHOD and not call.args \
                and ctx.callee(call) is None and is_tensor_receiver(ctx, func):
            rounded = func.value
        if not (isinstance(rounded, cst.Name) and rounded.value == name):
            return None
        message = (f"`{name}` holds the logits of {describe_loss(site)} (line {ctx.line_of(site.report)}): rounding "
                   f"it thresholds at logit 0.5, i.e. probability > {_PROBABILITY_AT_LOGIT_HALF:.2f}, and gives "
                   f"integers outside {{0, 1}} for large logits; use `{name} > 0` for the predicted class")
        return self.finding(call, message)


def _harm(row: Metric) -> str:
    if row.switch.keyword == "from_logits":
        return ("it clips its scores to [0, 1], so every negative logit ties at 0 and every logit above 1 ties "
                "at 1, and the ranking it measures is lost")
    return (f"it thresholds at 0.5, i.e. probability > {_PROBABILITY_AT_LOGIT_HALF:.2f}, not probability > 0.5")


def _keyword(keyword: str, value: cst.BaseExpression, comma: bool = False) -> cst.Arg:
    no_space = cst.SimpleWhitespace("")
    return cst.Arg(value, keyword=cst.Name(keyword),
                   equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space),
                   comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if comma else cst.MaybeSentinel.DEFAULT)


# ---------------------------------------------------------------- XL802
_CLASS_WEIGHTS = "torch.arange(1, z.shape[1] + 1, dtype=z.dtype)"

# The contract's other half: the original's arg-max is not the logits' (the predictions move).
PREDICTIONS_MOVE = Contract(
    relation=Relation.SHOWS_HARM,
    harm=Harm.DIFFERENT_VALUE,
    original=f"torch.argmax(z * {_CLASS_WEIGHTS}, 1)",
    reference="torch.argmax(z, 1)",
    inputs={"z": Input.LOGITS},
    wrt="",
)


def _factors(ctx: FileContext, expr: cst.BaseExpression) -> Optional[tuple[cst.BaseExpression, cst.BaseExpression]]:
    """The two factors of `a * b` or `tf.multiply(a, b)`."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Multiply):
        return expr.left, expr.right
    if isinstance(expr, cst.Call) and ctx.callee(expr) in apis.MULTIPLICATIONS and len(expr.args) == 2 \
            and not any(arg.keyword or arg.star for arg in expr.args):
        return expr.args[0].value, expr.args[1].value
    return None


def _bound_value(ctx: FileContext, name: cst.Name, before: cst.CSTNode) -> Optional[cst.BaseExpression]:
    """The value of `name = value`, its only binding in its scope (or the module's), made before `before`."""
    for scope in (ctx.flow.enclosing_scope(before), ctx.module):
        stores = ctx.flow.stores(scope, name.value)
        if not stores:
            continue
        if len(stores) > 1:
            return None
        target, assign = ctx.parent(stores[0]), ctx.parent(ctx.parent(stores[0]))
        if isinstance(target, cst.AssignTarget) and isinstance(assign, cst.Assign) and len(assign.targets) == 1 \
                and ctx.ends_before(assign, before):
            return assign.value
        return None
    return None


def _weight_vector(ctx: FileContext, expr: cst.BaseExpression, before: cst.CSTNode, depth: int = 0
                   ) -> Optional[list[float]]:
    """The numbers of a literal per-class vector: `[0.2, 1.0, 5.0]`, `torch.tensor([...])`, or a name bound to one."""
    if isinstance(expr, (cst.List, cst.Tuple)):
        numbers = [_number(ctx, element.value) for element in expr.elements
                   if not isinstance(element, cst.StarredElement)]
        if len(numbers) == len(expr.elements) >= 2 and all(number is not None for number in numbers):
            return numbers  # type: ignore[return-value]
        return None
    if isinstance(expr, cst.Call):
        row = knowledge.tensor_constructor(ctx.callee(expr))
        data = argument(expr, row.data) if row is not None and row.data is not None else None
        return _weight_vector(ctx, data.value, before, depth) if data is not None else None
    if isinstance(expr, cst.Name) and depth < 2:
        value = _bound_value(ctx, expr, before)
        return _weight_vector(ctx, value, before, depth + 1) if value is not None else None
    return None


def _named_class_weights(ctx: FileContext, expr: cst.BaseExpression) -> bool:
    """A name spelled as class weights (`class_weights`, `self.class_weight`), possibly made a tensor."""
    if isinstance(expr, cst.Call):
        row = knowledge.tensor_constructor(ctx.callee(expr))
        data = argument(expr, row.data) if row is not None and row.data is not None else None
        return data is not None and _named_class_weights(ctx, data.value)
    dotted = dotted_name(expr) if isinstance(expr, (cst.Name, cst.Attribute)) else None
    last = dotted.rsplit(".", 1)[-1].lower() if dotted else ""
    return any(word in last for word in apis.CLASS_WEIGHT_WORDS)


class ClassWeightsScaleLogits(Rule):
    code = "XL802"
    requires = (Vocabulary.LOSSES,)
    name = "class-weights-scale-logits"
    summary = "Per-class weights multiplied into the logits before a with-logits cross-entropy"
    why = (
        "To handle class imbalance, a widely copied answer multiplies the logits by a per-class weight vector "
        "(`class weight = total / count`) before `softmax_cross_entropy_with_logits`. That rescales each "
        "class's logit: the model's predictions change (the arg-max moves towards the heaviest class wherever "
        "its logit is positive), while the loss of each example is not weighted at all, and the model learns "
        "to undo the scaling. With weights `[1, 10]` a logit pair `(2.0, 0.5)` predicts class 1 (2.0 < 5.0) "
        "although the model scores class 0 higher. The weights belong on the per-example loss: "
        "`CrossEntropyLoss(weight=w)`, or the loss times the weight of each example's class."
    )
    example = (
        "import tensorflow as tf\n\n"
        "class_weights = tf.constant([0.2, 1.0, 5.0])\n"
        "weighted_logits = tf.multiply(logits, class_weights)\n"
        "loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=weighted_logits)\n"
    )
    use_instead = (
        "import tensorflow as tf\n\n"
        "class_weights = tf.constant([0.2, 1.0, 5.0])\n"
        "loss = (tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)\n"
        "        * tf.reduce_sum(labels * class_weights, axis=-1))\n"
    )
    fix_title = "Weight the per-example loss instead of the logits"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Unsafe: the loss's value changes (by design) and so does training. Offered where the product is "
        "written inside the loss call: `F.cross_entropy(z * w, y)` becomes `F.cross_entropy(z, y, weight=w)` "
        "(torch then divides a mean by the sum of the picked weights, not by the batch size); "
        "`tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z * w)` becomes "
        "`tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z) * tf.reduce_sum(y * w, axis=-1)` and the "
        "sparse form `... * tf.gather(w, y)`. A product made in an earlier statement gets no fix."
    )
    frameworks = ("tensorflow", "keras", "torch", "jax")
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z * w)",
        fixed="tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z) * tf.reduce_sum(y * w, axis=-1)",
        # torch's cross-entropy weights each example's loss by its class's weight (one-hot or class-index labels).
        reference="F.cross_entropy(z, y, weight=w, reduction='none')",
        inputs={"z": Input.LOGITS, "y": Input.ONE_HOT_LABELS, "w": Input.CLASS_WEIGHTS},
        note="`PREDICTIONS_MOVE` in the rule's module shows the original's arg-max departing from the logits'.",
        unmodelled={"torch.nn.functional.cross_entropy": (
            "with `weight=` torch's mean divides by the sum of the weights of the examples' classes, and the check's "
            "reference is the weighted loss of each example, not reduced")},
        counterexample="tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)",
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            arg = site.prediction_arg
            if site.expects is not Expects.LOGITS or site.api.labels not in _EXCLUSIVE or site.api.sampled \
                    or arg is None or site.call is None or has_star_args(site.call):
                continue
            product = arg.value if _factors(ctx, arg.value) else None
            if product is None and isinstance(arg.value, cst.Name):
                bound = _bound_value(ctx, arg.value, site.call)
                product = bound if bound is not None and _factors(ctx, bound) else None
            if product is not None:
                finding = self._weighted(ctx, site, product)
                if finding is not None:
                    yield finding

    def _weighted(self, ctx: FileContext, site: LossSite, product: cst.BaseExpression) -> Optional[Finding]:
        factors = _factors(ctx, product)
        assert factors is not None and site.call is not None
        for weights, logits in (factors, factors[::-1]):
            if _number(ctx, logits) is not None or ctx.flow.value(logits).kind in _NOT_LOGITS:
                continue
            numbers = _weight_vector(ctx, weights, site.call)
            if numbers is not None and len(set(numbers)) > 1:
                detail = _moved_class(numbers)
            elif numbers is None and _named_class_weights(ctx, weights):
                detail = ""
            else:
                continue
            message = (f"{quoted(ctx, product, 'the product')} multiplies each class's logit by a per-class weight "
                       f"before {describe_loss(site)}: that rescales the logits, so it changes the predictions "
                       f"instead of weighting the loss{detail}; {_advice(site)}")
            return self.finding(product, message, *self._fix(ctx, site, product, weights, logits),
                                applicability=_UNSAFE)
        return None

    def _fix(self, ctx: FileContext, site: LossSite, product: cst.BaseExpression, weights: cst.BaseExpression,
             logits: cst.BaseExpression) -> tuple[Replacement, ...]:
        call, arg = site.call, site.prediction_arg
        assert call is not None and arg is not None
        if arg.value is not product or "#" in ctx.code(call):
            return ()
        unweighted = call.with_changes(args=[a.with_changes(value=logits) if a is arg else a for a in call.args])
        if site.api.framework == "torch" and loss_node(site) is call:
            if argument(call, apis.TORCH_CLASS_WEIGHT) is not None or isinstance(weights, (cst.List, cst.Tuple)):
                return ()
            return (Replacement(call, set_keyword(unweighted, apis.TORCH_CLASS_WEIGHT.keyword, weights)),)
        labels = site.label_arg.value if site.label_arg is not None else None
        if site.api.framework != "tensorflow" or not isinstance(labels, (cst.Name, cst.Attribute)) \
                or (site.api.axis is not None and argument(call, site.api.axis) is not None):
            return ()
        if site.api.labels is Labels.SPARSE:
            func, factor_args = spell(ctx, "tensorflow.gather"), (weights, labels)
        else:
            func = spell(ctx, "tensorflow.reduce_sum")
            factor_args = (cst.BinaryOperation(labels, cst.Multiply(), weights), cst.UnaryOperation(cst.Minus(),
                                                                                                  cst.Integer("1")))
        if func is None:
            return ()
        per_example = cst.Call(func=func, args=_arguments(factor_args, axis_last=site.api.labels is not Labels.SPARSE))
        weighted = cst.BinaryOperation(unweighted, cst.Multiply(), per_example)
        return (Replacement(call, in_place_of(ctx, call, weighted)),)


def _arguments(values: Sequence[cst.BaseExpression], axis_last: bool) -> tuple[cst.Arg, ...]:
    """`(a, b)`, or `(a, axis=b)` when the last value is an axis."""
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    first = cst.Arg(values[0], comma=space)
    return (first, _keyword("axis", values[1]) if axis_last else cst.Arg(values[1]))


def _moved_class(weights: list[float]) -> str:
    heaviest = max(range(len(weights)), key=weights.__getitem__)
    lightest = min(range(len(weights)), key=weights.__getitem__)
    ratio = f", {weights[heaviest] / weights[lightest]:.3g}x class {lightest}'s" if weights[lightest] > 0 else ""
    return (f"; with these weights the predictions move most for class {heaviest} (weight {weights[heaviest]:g}"
            f"{ratio}): it is predicted more often where its logit is positive and less often where it is negative")


def _advice(site: LossSite) -> str:
    if site.api.framework == "torch" and site.api.form is Form.CLASS:
        return "pass the weights to the loss instead (`nn.CrossEntropyLoss(weight=w)`)"
    if site.api.framework == "torch":
        return "pass the weights to the loss instead (`F.cross_entropy(z, y, weight=w)`)"
    if site.api.framework == "tensorflow" and site.api.labels is Labels.SPARSE:
        return "weight the per-example loss instead (`loss * tf.gather(w, labels)`)"
    if site.api.framework == "tensorflow":
        return "weight the per-example loss instead (`loss * tf.reduce_sum(labels * w, axis=-1)`)"
    return "weight each example's loss by its class's weight instead"
