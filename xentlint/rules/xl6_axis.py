"""XL6: axis and dim: which axis a softmax normalises over, and which axis the loss reads as classes."""
from __future__ import annotations

from typing import Iterator, Union

import libcst as cst

from xentlint import knowledge
from xentlint.context import FileContext
from xentlint.contract import Contract, Harm, Input, Relation
from xentlint.cst_build import int_literal, is_none
from xentlint.diagnostics import Applicability, FixAvailability
from xentlint.fixes import set_keyword
from xentlint.flow import Kind, LossSite, Value
from xentlint.flow.calls import match_activation
from xentlint.knowledge import Vocabulary, apis
from xentlint.knowledge.schema import Fn, Form, Labels, argument, has_star_args
from xentlint.rule import Finding, Replacement, Rule

Axis = Union[int, str, None]
_NORMALISING = frozenset({Fn.SOFTMAX, Fn.LOG_SOFTMAX, Fn.SOFTMIN})


class ImplicitSoftmaxDim(Rule):
    code = "XL601"
    requires = (Vocabulary.TORCH, Vocabulary.IMPLICIT_DIM)
    name = "implicit-softmax-dim"
    summary = "`F.softmax`, `F.log_softmax`, `F.softmin` or `nn.Softmax()`-style layers without `dim`"
    why = (
        "Without `dim`, PyTorch guesses the axis from the input's rank at every call "
        "(`torch.nn.functional._get_softmax_dim`): dim 0 for 0-, 1- and 3-D input, dim 1 otherwise, and "
        "warns that this is deprecated. For a batch of sequences `[batch, time, classes]` that is dim 0: "
        "each class is normalised across the batch, every row sums to something else than 1, and the "
        "loss trains on mixed-up examples without any error. The same code gives another axis once "
        "the input gains or loses a dimension."
    )
    example = (
        "import torch.nn.functional as F\nfrom torch import nn\n\n"
        "probs = F.softmax(logits)\n"
        "head = nn.Sequential(nn.Linear(128, 10), nn.LogSoftmax())\n"
    )
    use_instead = (
        "import torch.nn.functional as F\nfrom torch import nn\n\n"
        "probs = F.softmax(logits, dim=1)\n"
        "head = nn.Sequential(nn.Linear(128, 10), nn.LogSoftmax(dim=1))\n"
    )
    fix_title = "Pass `dim=1`"
    fix_availability = FixAvailability.ALWAYS
    fix_safety = (
        "Unsafe: `dim=1` is what PyTorch picks for 2-D and 4-D input (`[batch, classes]`, "
        "`[batch, classes, H, W]`), so the fix keeps their behaviour and silences the warning; for 1-D or "
        "3-D input PyTorch picked dim 0, and the intended axis (often -1 for `[batch, time, classes]`) "
        "is yours to choose."
    )
    frameworks = ("torch",)
    contract = Contract(
        relation=Relation.SAME_VALUE_AND_GRADIENT,
        original="F.softmax(z)",
        fixed="F.softmax(z, dim=1)",
        inputs={"z": Input.LOGITS},
        note="On 2-D input torch's implicit choice is dim=1, so the fix keeps the behaviour and silences the warning.",
        counterexample="F.softmax(z, dim=0)",
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for call in ctx.calls:
            api = knowledge.activation(ctx.callee(call))
            if api is None or api.axis_default != "implicit" or api.axis is None or has_star_args(call):
                continue
            given = argument(call, api.axis)
            if given is not None and not is_none(given.value):
                continue
            spelled = ctx.code(call.func)
            what = "layer" if api.form is Form.CLASS else "call"
            message = (f"`{spelled}` {what} without `{api.axis.keyword}`: PyTorch picks dim 0 for 1-D and 3-D input "
                       f"and dim 1 for 2-D and 4-D, with a deprecation warning; pass the class axis explicitly "
                       f"(`{api.axis.keyword}=1` for `[batch, classes]`)")
            fixed = set_keyword(call, api.axis.keyword, cst.Integer("1"), existing=given)
            yield self.finding(call, message, Replacement(call, fixed), applicability=Applicability.UNSAFE)


class SoftmaxAxisMismatch(Rule):
    code = "XL602"
    requires = (Vocabulary.SOFTMAX, Vocabulary.LOSSES)
    name = "softmax-axis-mismatch"
    summary = "a softmax or log_softmax over another axis than the one the loss reads as classes"
    why = (
        "A cross-entropy reads one axis as the classes: the last for Keras and `tf.nn` losses (or their "
        "`axis=`), dim 1 for PyTorch's `nll_loss`/`cross_entropy`. A softmax over another axis "
        "normalises across the batch (axis 0) or across time, so the scores the loss reads for one "
        "example do not sum to 1 and depend on the other examples in the batch. The loss still "
        "decreases, on the wrong quantity: with `F.log_softmax(z, dim=0)` into `F.nll_loss`, a batch of 32 "
        "examples of one class, each predicted with certainty, costs log(32) = 3.47 instead of 0."
    )
    example = (
        "import torch.nn.functional as F\n\n"
        "loss = F.nll_loss(F.log_softmax(logits, dim=0), target)\n"
    )
    use_instead = (
        "import torch.nn.functional as F\n\n"
        "loss = F.nll_loss(F.log_softmax(logits, dim=1), target)\n"
    )
    frameworks = ("tensorflow", "keras", "torch", "jax")
    contract = Contract(
        relation=Relation.SHOWS_HARM,
        harm=Harm.DIFFERENT_VALUE,
        original="F.nll_loss(F.log_softmax(z, dim=0), y)",
        reference="F.cross_entropy(z, y)",
        inputs={"z": Input.LOGITS, "y": Input.SPARSE_LABELS},
        counterexample="F.nll_loss(F.log_softmax(z, dim=1), y)",
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        reported: set[int] = set()
        for site in ctx.loss_sites:
            if site.api.labels is Labels.BINARY or site.api.sampled:
                continue  # no class axis
            prediction = site.prediction
            if prediction.kind not in (Kind.PROBABILITIES, Kind.LOG_PROBABILITIES) or prediction.fn not in _NORMALISING:
                continue
            origin = prediction.origin
            if origin is None:
                continue
            node = origin.activation_call or origin.node
            class_axis = loss_class_axis(site)
            if id(node) in reported or not provably_different(prediction.axis, class_axis, _min_rank(ctx, prediction)):
                continue
            reported.add(id(node))
            yield self.finding(node, self._message(ctx, site, prediction, class_axis))

    def _message(self, ctx: FileContext, site: LossSite, prediction: Value, class_axis: Axis) -> str:
        word = "dim" if site.api.framework == "torch" else "axis"
        origin = prediction.origin
        activation = match_activation(ctx, origin.activation_call) if origin and origin.activation_call else None
        # For log(softmax(x)) the finding is about the softmax.
        fn = (activation.fn if activation is not None else prediction.fn or Fn.SOFTMAX).value
        return (f"{fn} over {word} {prediction.axis} reaches {site.describe()} at line {ctx.line_of(site.report)}, "
                f"which reads the classes along {word} {class_axis}: each example's scores are normalised "
                f"across another axis; apply the {fn} over {word} {class_axis}")


def loss_class_axis(site: LossSite) -> Axis:
    """The axis the loss reads as classes: its axis argument, else the table's default."""
    api = site.api
    if site.wrapper is not None:
        return None  # the loss call is inside the wrapper: its arguments are not the wrapper call's
    holder = site.constructor if api.form is Form.CLASS else site.call if site.model is None else None
    if holder is None:
        return api.axis_default
    if has_star_args(holder):
        return None
    if api.axis is not None:
        given = argument(holder, api.axis)
        if given is not None:
            return int_literal(given.value)
    other_axis = any(arg.keyword is not None and arg.keyword.value in apis.AXIS_KEYWORDS
                     and (api.axis is None or arg.keyword.value != api.axis.keyword) for arg in holder.args)
    return None if other_axis else api.axis_default


def provably_different(activation: Axis, loss: Axis, min_rank: int) -> bool:
    """Two literal axes that cannot name the same dimension. `-1` and `1` are one axis of a 2-D
    tensor, `0` and `-1` of a 1-D one: axes of different signs differ only when the rank is known
    to be larger than their distance."""
    if not isinstance(activation, int) or not isinstance(loss, int):
        return False
    if (activation >= 0) == (loss >= 0):
        return activation != loss
    non_negative, negative = (activation, loss) if activation >= 0 else (loss, activation)
    return min_rank > non_negative - negative


def _min_rank(ctx: FileContext, prediction: Value) -> int:
    """Keras layers see a batch axis: their outputs have rank 2 at least."""
    origin = prediction.origin
    if origin is None or origin.activation_call is not None or not isinstance(origin.node, cst.Call):
        return 1
    callee = ctx.callee(origin.node)
    layer, activation = knowledge.layer(callee), knowledge.activation(callee)
    keras_layer = (layer is not None and layer.framework == "keras") or (
        activation is not None and activation.form is Form.CLASS and activation.framework == "keras")
    return 2 if keras_layer else 1
