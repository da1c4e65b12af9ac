"""XL4: label encoding.

Every rule here reads `ctx.loss_sites`. XL401 and XL402 look at the label argument (for a Keras
`compile`, the labels given to `model.fit`); XL403 at both tensors. What the frameworks do with
the wrong encoding (TensorFlow 2.21, Keras 3.15, PyTorch 2.13, optax 0.2):

- integer labels `[batch]` against `[batch, classes]` predictions: Keras raises ("must have the
  same rank"), `tf.nn.softmax_cross_entropy_with_logits` raises unless the shapes broadcast, and
  optax multiplies them elementwise, which broadcasts silently when batch == classes;
- one-hot labels in a sparse loss: Keras and TF raise on the rank, torch's `nll_loss` raises
  ("multi-target not supported"), `cross_entropy` raises on an integer one-hot target ("expected
  floating point type for target with class probabilities");
- swapped tensors mostly run: Keras reads the labels as probabilities, clipped to [1e-7, 1], so a
  wrong class costs -log(1e-7) = 16.1; torch reads float one-hot labels as logits and the logits as
  soft targets; and the gradient flows into the labels instead of the model.
"""
from __future__ import annotations

from typing import Callable, Iterator, Optional

import libcst as cst

from xentlint import knowledge
from xentlint.context import FileContext
from xentlint.contract import Contract, Input, Relation
from xentlint.cst_build import as_keyword
from xentlint.diagnostics import FixAvailability
from xentlint.fixes import loss_reference, switch_loss
from xentlint.flow import Kind, LossSite, Value
from xentlint.flow.sites import fit_calls
from xentlint.knowledge import Vocabulary, apis
from xentlint.knowledge.schema import Labels, Loss, Param, argument, has_star_args
from xentlint.rule import Finding, Replacement, Rule
from xentlint.rules._site_messages import origin_place, quoted
from xentlint.rules._sites import sole_users

LABEL_KINDS = frozenset({Kind.SPARSE_LABELS, Kind.ONE_HOT_LABELS})
PREDICTION_KINDS = frozenset({Kind.PROBABILITIES, Kind.LOG_PROBABILITIES, Kind.LOGITS})
_KIND_WORDS = {Kind.SPARSE_LABELS: "class indices", Kind.ONE_HOT_LABELS: "one-hot labels", Kind.LOGITS: "logits",
               Kind.PROBABILITIES: "probabilities", Kind.LOG_PROBABILITIES: "log-probabilities"}
_CATEGORICAL_SPARSE = {"z": Input.LOGITS, "y": Input.SPARSE_LABELS}
_CATEGORICAL_ONE_HOT = {"z": Input.LOGITS, "y": Input.ONE_HOT_LABELS}


# ---------------------------------------------------------------- message parts
def _described(ctx: FileContext, subject: str, value: Value, expr: Optional[cst.CSTNode], what: str) -> str:
    """"`y` (integer class labels from `tf.argmax(t, 1)` at line 12)": what a tensor holds and where
    the analysis saw it get that meaning (left out when the tensor is written right there)."""
    origin = value.origin
    if origin is None or (expr is not None and ctx.is_within(origin.node, expr)):
        return f"{subject} ({what})"
    made = quoted(ctx, origin.node, None, limit=50)
    if made is None and isinstance(origin.node, cst.Call):
        made = f"`{ctx.code(origin.node.func).strip()}(...)`"
    return f"{subject} ({what} from {made or origin.description} at {origin_place(ctx, origin)})"


def _labels(ctx: FileContext, site: LossSite, what: str) -> str:
    """The labels as the user names them (`y_batch`, the labels `y` given to `fit` at line 30),
    with what they hold and where from."""
    if not site.compiled:
        assert site.label_arg is not None
        expr = site.label_arg.value
        return _described(ctx, quoted(ctx, expr, None, limit=50) or "the labels", site.label, expr, what)
    assert isinstance(site.report.func, cst.Attribute)
    for fit in fit_calls(ctx, site.report.func.value):
        label_arg = argument(fit, apis.KERAS_FIT_LABELS)
        if label_arg is not None:
            named = quoted(ctx, label_arg.value, None, limit=50)
            subject = f"the labels {named + ' ' if named else ''}given to `fit` at line {ctx.line_of(label_arg)}"
            return _described(ctx, subject, site.label, label_arg.value, what)
    return _described(ctx, "the labels given to `fit`", site.label, None, what)


def _loss_name(site: LossSite, row: Loss) -> str:
    """`"sparse_categorical_crossentropy"` when the site names its loss by string, else the API name."""
    named = site.compile_loss_arg.value if site.compile_loss_arg is not None else None
    if isinstance(named, cst.SimpleString) and row.keras_string:
        return f'"{row.keras_string}"'
    return f"`{row.names[0].rsplit('.', 1)[-1]}`"


def _row(qualified: str) -> Loss:
    row = knowledge.loss(qualified)
    assert row is not None, f"the table names {qualified} as a sibling but has no row for it"
    return row


# ---------------------------------------------------------------- editing the loss
def switch_to_sibling(ctx: FileContext, site: LossSite, sibling: str,
                      flagged: Callable[[LossSite], bool]) -> Optional[Replacement]:
    """The site's loss replaced by its table sibling `sibling`, every argument kept.

    A compile string becomes the sibling's string; a function, a function reference or a loss
    object's constructor is respelled, the constructor only when every use of the object is a
    site that `flagged` accepts.
    """
    if site.constructor is not None:
        users = sole_users(ctx, site)
        if users is None or not all(flagged(user) for user in users):
            return None
        new = switch_loss(ctx, site.constructor, sibling)
        return Replacement(site.constructor, new) if new is not None else None
    if site.compiled:
        assert site.compile_loss_arg is not None
        named = site.compile_loss_arg.value
        if isinstance(named, cst.SimpleString):
            string = _row(sibling).keras_string
            if string is None:
                return None
            return Replacement(named, named.with_changes(value=f"{named.prefix}{named.quote}{string}{named.quote}"))
        reference = loss_reference(ctx, named, sibling)
        return Replacement(named, reference) if reference is not None else None
    assert site.call is not None
    new = switch_loss(ctx, site.call, sibling)
    return Replacement(site.call, new) if new is not None else None


def encoded_indices(ctx: FileContext, expr: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """`y` of an inline one-hot encoding, `tf.one_hot(y, 10)` or `np.eye(10)[y]`, that passes
    nothing but the indices and the class count (`on_value=`, smoothing etc. must stay)."""
    if isinstance(expr, cst.Call):
        producer = knowledge.label_producer(ctx.callee(expr))
        if producer is None or producer.input is None or len(expr.args) > 2 or has_star_args(expr):
            return None
        indices = argument(expr, producer.input)
        return indices.value if indices is not None else None
    if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Call) \
            and ctx.callee(expr.value) in apis.IDENTITY_MATRICES and len(expr.slice) == 1:
        element = expr.slice[0].slice
        return element.value if isinstance(element, cst.Index) else None
    return None


def swap_arguments(call: cst.Call, first: cst.Arg, second: cst.Arg) -> cst.Call:
    """`call` with the values of `first` and `second` exchanged (keywords stay where they are).

    In a call written one argument per line, the comments ending the two lines go with the values.
    """
    swapped = {first: first.with_changes(value=second.value), second: second.with_changes(value=first.value)}
    first_end, second_end = _line_end(first), _line_end(second)
    if first_end is not None and second_end is not None:
        swapped = {first: _with_line_end(swapped[first], second_end),
                   second: _with_line_end(swapped[second], first_end)}
    return call.with_changes(args=[swapped.get(arg, arg) for arg in call.args])


def _line_end(arg: cst.Arg) -> Optional[cst.TrailingWhitespace]:
    """The end of the line an argument ends (its comment included), when a line break follows it."""
    whitespace = arg.comma.whitespace_after if isinstance(arg.comma, cst.Comma) else arg.whitespace_after_arg
    return whitespace.first_line if isinstance(whitespace, cst.ParenthesizedWhitespace) else None


def _with_line_end(arg: cst.Arg, line_end: cst.TrailingWhitespace) -> cst.Arg:
    if isinstance(arg.comma, cst.Comma):
        whitespace = arg.comma.whitespace_after
        assert isinstance(whitespace, cst.ParenthesizedWhitespace)
        comma = arg.comma.with_changes(whitespace_after=whitespace.with_changes(first_line=line_end))
        return arg.with_changes(comma=comma)
    whitespace = arg.whitespace_after_arg
    assert isinstance(whitespace, cst.ParenthesizedWhitespace)
    return arg.with_changes(whitespace_after_arg=whitespace.with_changes(first_line=line_end))


# ---------------------------------------------------------------- XL401
class SparseLabelsIntoOneHotLoss(Rule):
    code = "XL401"
    requires = (Vocabulary.LOSSES,)
    name = "sparse-labels-into-one-hot-loss"
    summary = "integer class labels reaching a loss that expects one-hot labels"
    why = (
        "Categorical cross-entropy losses (`CategoricalCrossentropy`, `\"categorical_crossentropy\"`, "
        "`tf.nn.softmax_cross_entropy_with_logits`, `optax.softmax_cross_entropy`) want a distribution "
        "per example, shaped like the predictions: `[batch, classes]`. Class indices shaped `[batch]` "
        "make Keras raise (\"Arguments `target` and `output` must have the same rank\"), make TensorFlow "
        "raise unless the shapes happen to broadcast, and make optax multiply the indices into the "
        "log-probabilities elementwise: with a batch of 10 and 10 classes that runs and returns a "
        "meaningless number, about 40 times the true loss for logits of standard deviation 3. The "
        "sparse variant takes the indices directly, with no one-hot tensor of `batch x classes` floats."
    )
    example = (
        "import numpy as np\nimport keras\n\n"
        "y_train = np.random.randint(0, 10, size=(1000,))\n"
        "model = keras.Sequential([keras.layers.Dense(10, activation=\"softmax\")])\n"
        "model.compile(optimizer=\"adam\", loss=\"categorical_crossentropy\")\n"
        "model.fit(x_train, y_train)\n"
    )
    use_instead = (
        "import numpy as np\nimport keras\n\n"
        "y_train = np.random.randint(0, 10, size=(1000,))\n"
        "model = keras.Sequential([keras.layers.Dense(10, activation=\"softmax\")])\n"
        "model.compile(optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\")\n"
        "model.fit(x_train, y_train)\n"
    )
    fix_title = "Use the sparse variant of the loss with the same arguments"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe: the sparse loss on class indices equals the categorical loss on their one-hot encoding. "
        "Offered when the loss has a sparse variant (`SparseCategoricalCrossentropy`, "
        "`sparse_categorical_crossentropy`, `tf.nn.sparse_softmax_cross_entropy_with_logits`, "
        "`optax.softmax_cross_entropy_with_integer_labels`, `tf.compat.v1.losses.sparse_softmax_cross_entropy`) "
        "that accepts every argument passed (not `label_smoothing`, nor TF's `axis`/`dim`), and, for a "
        "loss object, when all of its uses in the file receive integer labels."
    )
    frameworks = ("tensorflow", "keras", "jax")
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)",
        fixed="tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z)",
        reference="F.cross_entropy(z, y, reduction='none')",
        inputs=_CATEGORICAL_SPARSE,
        note="Integer labels broadcast against the logits when the shapes allow it, and raise otherwise.",
        counterexample="tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.argmax(z, axis=-1), logits=z)",
    )

    def flagged(self, site: LossSite) -> bool:
        return site.api.labels is Labels.ONE_HOT and site.label.kind is Kind.SPARSE_LABELS

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            if not self.flagged(site):
                continue
            sparse = site.api.sparse
            advice = f"use {_loss_name(site, _row(sparse))}" if sparse else "one-hot encode them"
            message = (f"{_labels(ctx, site, 'integer class labels')} reach {_loss_name(site, site.api)}, "
                       f"which expects one-hot labels; {advice}")
            fix = switch_to_sibling(ctx, site, sparse, self.flagged) if sparse else None
            yield self.site_finding(site, message, *([fix] if fix else []))


# ---------------------------------------------------------------- XL402
class OneHotLabelsIntoSparseLoss(Rule):
    code = "XL402"
    requires = (Vocabulary.LOSSES,)
    name = "one-hot-labels-into-sparse-loss"
    summary = (
        "one-hot labels reaching a loss that expects class indices, or an integer one-hot tensor "
        "reaching `nn.CrossEntropyLoss`/`F.cross_entropy`"
    )
    why = (
        "Sparse losses (`SparseCategoricalCrossentropy`, `\"sparse_categorical_crossentropy\"`, "
        "`tf.nn.sparse_softmax_cross_entropy_with_logits`, `nn.NLLLoss`) want one class index per "
        "example, shaped `[batch]`. A one-hot tensor `[batch, classes]` makes them raise (\"`output` must "
        "have rank `target.ndim - 1`\", \"multi-target not supported\"). `nn.CrossEntropyLoss` accepts a "
        "target shaped like its input only as float class probabilities; `F.one_hot` returns int64, which "
        "it rejects (\"expected floating point type for target with class probabilities\"). The one-hot "
        "tensor is also `classes` times larger than the indices it encodes (10x for 10 classes)."
    )
    example = (
        "import torch.nn.functional as F\n\n"
        "def loss_fn(logits, y):\n"
        "    return F.cross_entropy(logits, F.one_hot(y, 10))\n"
    )
    use_instead = (
        "import torch.nn.functional as F\n\n"
        "def loss_fn(logits, y):\n"
        "    return F.cross_entropy(logits, y)\n"
    )
    fix_title = "Pass the class indices, or use the one-hot variant of the loss"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe: the sparse loss on class indices equals the categorical loss on their one-hot encoding. "
        "When the encoding is written inline in the loss call (`F.one_hot(y, 10)`, `tf.one_hot(y, 10)`, "
        "`np.eye(10)[y]`) with no options beyond the class count, the fix passes `y` instead; otherwise "
        "it switches to the one-hot variant of the loss (`CategoricalCrossentropy`, "
        "`\"categorical_crossentropy\"`, `tf.nn.softmax_cross_entropy_with_logits`, "
        "`optax.softmax_cross_entropy`) when it takes every argument passed. `nn.NLLLoss` and an integer "
        "one-hot tensor reaching `nn.CrossEntropyLoss` through a variable get no fix."
    )
    frameworks = ("tensorflow", "keras", "torch", "jax")
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True)",
        fixed="keras.losses.categorical_crossentropy(y, z, from_logits=True)",
        reference="F.cross_entropy(z, y, reduction='none')",
        inputs=_CATEGORICAL_ONE_HOT,
        counterexample="keras.losses.categorical_crossentropy(y, z)",
    )

    def flagged(self, site: LossSite) -> bool:
        label = site.label
        if label.kind is not Kind.ONE_HOT_LABELS:
            return False
        # torch's cross_entropy takes float one-hot (probability) targets, not integer ones.
        return site.api.labels is Labels.SPARSE or (site.api.labels is Labels.SPARSE_OR_PROBABILITIES and label.integer)

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            if not self.flagged(site):
                continue
            indices = self._inline_indices(ctx, site)
            loss = _loss_name(site, site.api)
            if site.api.labels is Labels.SPARSE:
                problem = f"{_labels(ctx, site, 'one-hot labels')} reach {loss}, which expects class indices"
            else:
                problem = (f"{_labels(ctx, site, 'an integer one-hot tensor')} reaches {loss}, which takes a target "
                           f"shaped like its input only as float class probabilities")
            message = f"{problem}; {self._advice(ctx, site, indices)}"
            yield self.site_finding(site, message, *self._fix(ctx, site, indices))

    def _advice(self, ctx: FileContext, site: LossSite, indices: Optional[cst.BaseExpression]) -> str:
        if indices is not None:
            return f"pass the class indices {quoted(ctx, indices, None, limit=50) or 'it encodes'} instead"
        if site.api.one_hot is not None:
            return f"use {_loss_name(site, _row(site.api.one_hot))}"
        origin = site.label.origin
        encoded = encoded_indices(ctx, origin.node) if origin is not None else None
        named = quoted(ctx, encoded, None, limit=50) if encoded is not None else None
        advice = f"pass the class indices {named}" if named else "pass the class indices"
        if site.api.labels is Labels.SPARSE:
            return advice
        return f"{advice}, or `.float()` the one-hot tensor"

    def _inline_indices(self, ctx: FileContext, site: LossSite) -> Optional[cst.BaseExpression]:
        # Sampled losses take `[batch, num_true]` labels: dropping the encoding leaves the wrong shape.
        if site.label_arg is None or site.api.sampled:
            return None
        return encoded_indices(ctx, site.label_arg.value)

    def _fix(self, ctx: FileContext, site: LossSite, indices: Optional[cst.BaseExpression]) -> tuple:
        if indices is not None:
            assert site.label_arg is not None
            return (Replacement(site.label_arg.value, indices),)
        if site.api.one_hot is None:
            return ()
        fix = switch_to_sibling(ctx, site, site.api.one_hot, self.flagged)
        return (fix,) if fix is not None else ()


# ---------------------------------------------------------------- XL403
class SwappedLossArguments(Rule):
    code = "XL403"
    requires = (Vocabulary.LOSSES,)
    name = "swapped-loss-arguments"
    summary = "predictions and labels passed to a loss in each other's place"
    why = (
        "Keras losses take `(y_true, y_pred)`, torch losses `(input, target)`, optax `(logits, labels)` "
        "and `tf.nn.*_with_logits` `(labels, logits)`. Swapped, most of them still run and return a "
        "number: Keras reads the labels as probabilities clipped to [1e-7, 1], so every wrong class "
        "costs -log(1e-7) = 16.1 whatever the model predicts; torch's `cross_entropy` reads float "
        "one-hot labels as logits and the logits as soft targets; and the gradient flows into the "
        "labels instead of the model, which then does not learn. The `tf.nn` losses are also flagged "
        "when their tensors are positional: TF 1 put a `_sentinel` parameter first and rejects positional "
        "calls, TF 2 reads them as `(labels, logits)`, so the keywords make the call mean one thing."
    )
    example = (
        "import torch.nn as nn\n\n"
        "model = nn.Linear(128, 10)\n"
        "criterion = nn.CrossEntropyLoss()\n"
        "loss = criterion(labels.long(), model(x))\n"
    )
    use_instead = (
        "import torch.nn as nn\n\n"
        "model = nn.Linear(128, 10)\n"
        "criterion = nn.CrossEntropyLoss()\n"
        "loss = criterion(model(x), labels.long())\n"
    )
    fix_title = "Swap the prediction and the labels"
    fix_availability = FixAvailability.ALWAYS
    fix_safety = (
        "Safe: the arguments are swapped only when their kinds show the order, labels (class indices or "
        "one-hot) in the prediction's place and probabilities, log-probabilities or logits in the "
        "labels'. Positional tensors of `tf.nn.*_with_logits` get `labels=` and `logits=` keywords."
    )
    frameworks = ("tensorflow", "keras", "torch", "jax")
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="tf.nn.softmax_cross_entropy_with_logits(z, y)",
        fixed="tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)",
        reference="keras.losses.categorical_crossentropy(y, z, from_logits=True)",
        inputs=_CATEGORICAL_ONE_HOT,
        note="TF 2 takes (labels, logits) positionally; TF 1 rejects positional use.",
        counterexample="tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=y)",
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            call, prediction_arg, label_arg = site.call, site.prediction_arg, site.label_arg
            if call is None or prediction_arg is None or label_arg is None or has_star_args(call):
                continue
            swapped = site.prediction.kind in LABEL_KINDS and site.label.kind in PREDICTION_KINDS
            in_order = site.label.kind in LABEL_KINDS and site.prediction.kind in PREDICTION_KINDS
            positional = site.api.keyword_only_in_tf1 and (prediction_arg.keyword is None or label_arg.keyword is None)
            if swapped:
                yield self._swapped(ctx, site, call, positional)
            elif in_order and positional:
                message = (f"{_loss_name(site, site.api)} gets its tensors by position: TF 1 rejects that (its "
                           f"first parameter is `_sentinel`) and TF 2 reads them as (labels, logits); spell "
                           f"`labels=` and `logits=`")
                yield self.site_finding(site, message, self._keywords(site, call, swapped=False),
                                   title="Pass the tensors as `labels=` and `logits=`")

    def _swapped(self, ctx: FileContext, site: LossSite, call: cst.Call, positional: bool) -> Finding:
        api = site.api
        assert site.prediction_arg is not None and site.label_arg is not None
        prediction, labels = site.prediction_arg.value, site.label_arg.value
        order = ", ".join(param.keyword for param in sorted((api.prediction, api.label), key=_position))
        got_labels = _described(ctx, quoted(ctx, prediction, None, limit=50) or "a tensor", site.prediction, prediction,
                                _KIND_WORDS[site.prediction.kind])
        got_prediction = _described(ctx, quoted(ctx, labels, None, limit=50) or "a tensor", site.label, labels,
                                    _KIND_WORDS[site.label.kind])
        message = (f"arguments swapped: {_loss_name(site, api)} takes ({order}) but gets {got_labels} as "
                   f"`{api.prediction.keyword}` and {got_prediction} as `{api.label.keyword}`; swap them")
        if positional:
            return self.site_finding(site, message + " by spelling `labels=` and `logits=`",
                                self._keywords(site, call, swapped=True),
                                title="Pass the tensors as `labels=` and `logits=`")
        return self.site_finding(site, message, Replacement(call, swap_arguments(call, site.prediction_arg,
                                                                                  site.label_arg)))

    def _keywords(self, site: LossSite, call: cst.Call, swapped: bool) -> Replacement:
        """The two tensors as `labels=<labels>, logits=<prediction>`, in their places."""
        assert site.prediction_arg is not None and site.label_arg is not None
        labels, prediction = site.label_arg.value, site.prediction_arg.value
        if swapped:
            labels, prediction = prediction, labels
        # The first place is the labels': TF 2 reads positional tensors as (labels, logits).
        first, second = sorted((site.label_arg, site.prediction_arg), key=list(call.args).index)
        spelled = {
            first: as_keyword(first, site.api.label.keyword).with_changes(value=labels),
            second: as_keyword(second, site.api.prediction.keyword).with_changes(value=prediction),
        }
        return Replacement(call, call.with_changes(args=[spelled.get(arg, arg) for arg in call.args]))


def _position(param: Param) -> tuple[bool, int]:
    return (param.position is None, param.position or 0)
