"""A loss site as data: what `fix --verify` evaluates before and after a fix of a flow rule.

The flow analysis knows, at every loss site, the prediction (logits, or the activation that
made it, with its axis), the loss (its API, flags, reduction and other arguments, wherever they
were set) and the labels (their encoding and whether they are integers). `describe_site` reads
that into a `SiteModel`; `site_expressions` spells it over generated inputs with the NumPy
stand-ins, and `intended_loss` spells the loss the code means: cross-entropy computed from the
logits, reduced as the site reduces. Nothing here imports NumPy.
"""
from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

from xentlint.contract import Input
from xentlint.flow import Kind, LossSite
from xentlint.flow.values import Value
from xentlint.knowledge.schema import Expects, Fn, Form, Labels, Loss, Param

if TYPE_CHECKING:
    from xentlint.context import FileContext


class Unmodelled(Exception):
    """The site holds something the check cannot model; the message says what, in the user's words."""


class LabelEncoding(str, enum.Enum):
    SPARSE = "class indices"
    ONE_HOT = "one-hot rows"
    INTEGER_ONE_HOT = "integer one-hot rows"
    BINARY = "0/1 targets"
    DISTRIBUTION = "target probabilities"
    LOG_DISTRIBUTION = "target log-probabilities"
    SEQUENCE = "label sequences"


# Generated inputs: one name per label encoding; sparse and one-hot labels of a case agree.
PREDICTION = "z"
LABEL_INPUTS = {
    LabelEncoding.SPARSE: ("y", Input.SPARSE_LABELS),
    LabelEncoding.ONE_HOT: ("y_onehot", Input.ONE_HOT_LABELS),
    LabelEncoding.INTEGER_ONE_HOT: ("y_onehot_int", Input.INTEGER_ONE_HOT_LABELS),
    LabelEncoding.BINARY: ("y_binary", Input.BINARY_LABELS),
    LabelEncoding.DISTRIBUTION: ("p", Input.PROBABILITIES),
    LabelEncoding.LOG_DISTRIBUTION: ("log_p", Input.LOG_PROBABILITIES),
    LabelEncoding.SEQUENCE: ("y_sequence", Input.SEQUENCE_LABELS),
}
# The intended categorical loss reads the labels as float one-hot rows.
REFERENCE_LABELS = "t"


class InputName(str):
    """A loss argument the check gives a generated tensor: spelled as that input's name."""

    def __repr__(self) -> str:
        return str(self)


# Class weights (`weight=`, `pos_weight=`) read from a variable: positive floats, one per class.
CLASS_WEIGHTS = InputName("w")
_WEIGHT_KEYWORDS = {"weight", "pos_weight"}
# The tensors a loss takes after its prediction and labels, as (keyword, generated input), by label kind:
# CTC's frames and labels per sequence.
TENSOR_ARGUMENTS = {
    Labels.SEQUENCE: (("input_lengths", InputName("frames"), Input.INPUT_LENGTHS),
                      ("target_lengths", InputName("label_lengths"), Input.TARGET_LENGTHS)),
}

Literal = Union[bool, int, float, str, None]


@dataclass(frozen=True)
class SiteModel:
    """One loss computation: loss(activation(z), labels), with the loss's own arguments."""

    loss: str  # qualified name of the loss function or class (or the Keras class of a compile() string)
    form: Form
    prediction_keyword: str
    prediction_position: Optional[int]
    label_keyword: str
    label_position: Optional[int]
    options: tuple[tuple[str, Literal], ...]  # the loss's other arguments (for a class: its constructor's)
    activation: Optional[Fn]  # None: the logits reach the loss
    activation_framework: str  # whose activation: "keras" ones cache the logits for Keras losses
    axis: Union[int, str, None]  # the activation's axis ("implicit": torch's legacy choice)
    labels: LabelEncoding
    binary: bool  # independent outputs (sigmoid cross-entropy) rather than exclusive classes
    classes: Optional[int]  # the prediction's width, when the code shows it
    reduction: str  # "none", "mean" or "sum"; "... of per-sample means" for Keras binary losses
    # How the same loss reads logits: its `from_logits` switch, or its logits sibling (torch BCE).
    from_logits_keyword: Optional[str] = None
    with_logits: Optional[str] = None
    expects: Expects = Expects.LOGITS  # with its flags
    swapped: bool = False  # the labels sit where the loss takes its prediction, and the reverse
    keras_model: bool = False  # the prediction is a Keras model's output: float32, as Keras computes
    # Tensors after the prediction and labels (CTC's lengths): (keyword, generated input).
    tensors: tuple[tuple[str, InputName], ...] = ()
    # The code of the tensor the prediction's activation was applied to (`student_logits / T`), when known.
    prediction_source: Optional[str] = None

    @property
    def class_axis(self) -> int:
        return self.axis if isinstance(self.axis, int) and self.axis >= 0 else -1

    @property
    def rank(self) -> int:
        # CTC reads (T, N, C): three axes whatever the activation's axis says.
        return max(3 if self.labels is LabelEncoding.SEQUENCE else 2, self.class_axis + 1)


# What an unknown prediction is read as: (activation, whose, axis).
Reading = tuple[Optional[Fn], str, Union[int, str, None]]
LOGITS_READING: Reading = (None, "", None)


def describe_site(ctx: "FileContext", site: LossSite, unknown: Optional[Reading] = None) -> SiteModel:
    """The site's loss computation; raises `Unmodelled` for what the check cannot see.

    A prediction the flow knows nothing about is the tensor the code passes, read as `unknown`
    says or, by default, as the loss expects it (its flags included).
    """
    api, options = _loss_and_options(ctx, site)
    log_target = dict(options).get("log_target") is True
    # KL divergence given the target's probabilities as its input and the prediction's log-probabilities as its target.
    swapped_distributions = (api.labels is Labels.DISTRIBUTION and not log_target
                             and site.prediction.kind is Kind.PROBABILITIES
                             and site.label.kind is Kind.LOG_PROBABILITIES)
    swapped = swapped_distributions or (site.prediction.kind in _LABEL_KINDS and site.label.kind not in _LABEL_KINDS)
    prediction, label = (site.label, site.prediction) if swapped else (site.prediction, site.label)
    if prediction.kind in _PREDICTION_KINDS:
        activation, framework, axis = _prediction(ctx, prediction, api)
    elif unknown is not None:
        activation, framework, axis = unknown
    else:
        activation, framework, axis = _as_expected(api, dict(options)), api.framework, None
    binary = api.labels is Labels.BINARY
    return SiteModel(
        loss=_loss_name(ctx, site, api), form=Form.CLASS if site.compiled or api.form is Form.CLASS else Form.FUNCTION,
        prediction_keyword=api.prediction.keyword, prediction_position=api.prediction.position,
        label_keyword=api.label.keyword, label_position=api.label.position, options=options,
        activation=activation, activation_framework=framework, axis=axis,
        labels=_labels(label, api, log_target), binary=binary, classes=prediction.classes,
        reduction=_reduction(site, api, dict(options)), swapped=swapped,
        from_logits_keyword=api.from_logits.keyword if api.from_logits is not None else None,
        with_logits=api.with_logits, expects=_expects(api, dict(options)),
        keras_model=site.compiled or (prediction.origin is not None and prediction.origin.activation_arg is not None),
        tensors=_other_tensors(site, api),
        prediction_source=_source(ctx, prediction),
    )


def _source(ctx: "FileContext", value: Value) -> Optional[str]:
    origin = value.origin
    return ctx.code(origin.activation_input) if origin is not None and origin.activation_input is not None else None


_PREDICTION_KINDS = (Kind.LOGITS, Kind.PROBABILITIES, Kind.LOG_PROBABILITIES)
_LABEL_KINDS = (Kind.SPARSE_LABELS, Kind.ONE_HOT_LABELS)


def known_prediction(site: LossSite) -> bool:
    return site.prediction.kind in _PREDICTION_KINDS or site.label.kind in _PREDICTION_KINDS


def reading(model: SiteModel) -> Reading:
    return model.activation, model.activation_framework, model.axis


def _loss_name(ctx: "FileContext", site: LossSite, api: Loss) -> str:
    if site.constructor is not None:
        return ctx.callee(site.constructor) or api.names[0]
    if site.compiled:
        return api.keras_class or api.names[0]
    assert site.call is not None
    return ctx.callee(site.call) or api.names[0]


def _tensor_args(site: LossSite, api: Loss) -> list[cst.Arg]:
    """The call's arguments that are the loss's tensors after its prediction and labels (CTC's lengths)."""
    expected = [keyword for keyword, _, _ in TENSOR_ARGUMENTS.get(api.labels, ())]
    if not expected or site.call is None:
        return []
    args = [arg for arg in site.call.args if arg not in (site.prediction_arg, site.label_arg)]
    return [arg for position, arg in enumerate(args)
            if (arg.keyword.value in expected if arg.keyword is not None else position < len(expected))]


def _other_tensors(site: LossSite, api: Loss) -> tuple[tuple[str, InputName], ...]:
    """The loss's tensors after its prediction and labels, each given by the call (positionally or by keyword)."""
    expected = TENSOR_ARGUMENTS.get(api.labels, ())
    if len(_tensor_args(site, api)) != len(expected):
        raise Unmodelled(f"the loss is not given its {' and '.join(k for k, _, _ in expected)} where the check "
                         f"looks for them")
    return tuple((keyword, name) for keyword, name, _ in expected)


def _loss_and_options(ctx: "FileContext", site: LossSite) -> tuple[Loss, tuple[tuple[str, Literal], ...]]:
    api = site.api
    if site.constructor is not None:
        call, skipped = site.constructor, ()
    elif site.compiled:
        return api, ()  # a compile() string: the Keras class with its defaults
    else:
        assert site.call is not None
        call, skipped = site.call, (site.prediction_arg, site.label_arg, *_tensor_args(site, api))
    params = [api.from_logits, api.axis, api.reduction, *api.options]
    options = []
    for arg in call.args:
        if arg in skipped:
            continue
        if arg.star:
            raise Unmodelled("the loss is called with *args or **kwargs")
        keyword = arg.keyword.value if arg.keyword is not None else _keyword_at(params, call.args.index(arg))
        if keyword is None:
            raise Unmodelled(f"the loss's argument `{ctx.code(arg.value)}` has no known name")
        if keyword == "name":
            continue
        options.append((keyword, _literal(ctx, keyword, arg.value)))
    return api, tuple(options)


def _keyword_at(params: list[Optional[Param]], position: int) -> Optional[str]:
    return next((p.keyword for p in params if p is not None and p.position == position), None)


def _literal(ctx: "FileContext", keyword: str, expr: cst.BaseExpression) -> Literal:
    if keyword in _WEIGHT_KEYWORDS and not isinstance(expr, (cst.Integer, cst.Float)):
        return CLASS_WEIGHTS
    try:
        value = ast.literal_eval(ctx.code(expr))
    except (ValueError, SyntaxError):
        raise Unmodelled(f"the loss's `{keyword}=` is `{ctx.code(expr)}`, a value the check cannot see") from None
    if not isinstance(value, (bool, int, float, str, type(None))):
        raise Unmodelled(f"the loss's `{keyword}=` is `{ctx.code(expr)}`, which the check does not model")
    return value


def _prediction(ctx: "FileContext", value: Value, api: Loss) -> tuple[Optional[Fn], str, Union[int, str, None]]:
    """The activation that produced the prediction (None: logits), whose it is, and its axis."""
    if value.kind is Kind.LOGITS:
        return None, api.framework, None
    if value.kind not in (Kind.PROBABILITIES, Kind.LOG_PROBABILITIES) or value.fn is None:
        raise Unmodelled("the check cannot tell whether the prediction is logits or probabilities")
    origin = value.origin
    framework = api.framework
    if origin is not None and origin.activation_arg is not None:
        framework = "keras"  # a Keras layer's activation=
    elif origin is not None and isinstance(origin.node, cst.Call):
        callee = ctx.callee(origin.node)
        if callee is not None:
            framework = callee.partition(".")[0]  # tensorflow, keras, torch, jax
        elif isinstance(origin.node.func, cst.Attribute):
            framework = "torch"  # a tensor method, `logits.softmax(1)`
    return value.fn, framework, value.axis


def _expects(api: Loss, options: dict[str, Literal]) -> Expects:
    if api.from_logits is None:
        return api.expects
    return Expects.LOGITS if options.get(api.from_logits.keyword, api.from_logits_default) else Expects.PROBABILITIES


def _as_expected(api: Loss, options: dict[str, Literal]) -> Optional[Fn]:
    """The activation that would make a tensor of the form the loss expects from logits."""
    expects = _expects(api, options)
    if expects is Expects.LOGITS:
        return None
    if expects is Expects.LOG_PROBABILITIES:
        return Fn.LOG_SIGMOID if api.labels is Labels.BINARY else Fn.LOG_SOFTMAX
    return Fn.SIGMOID if api.labels is Labels.BINARY else Fn.SOFTMAX


def _labels(value: Value, api: Loss, log_target: bool = False) -> LabelEncoding:
    if api.labels is Labels.DISTRIBUTION:
        return LabelEncoding.LOG_DISTRIBUTION if log_target else LabelEncoding.DISTRIBUTION
    if api.labels is Labels.SEQUENCE:
        return LabelEncoding.SEQUENCE
    if value.kind is Kind.SPARSE_LABELS:
        return LabelEncoding.SPARSE
    if value.kind is Kind.ONE_HOT_LABELS:
        return LabelEncoding.INTEGER_ONE_HOT if value.integer else LabelEncoding.ONE_HOT
    if api.labels is Labels.BINARY:
        return LabelEncoding.BINARY
    return LabelEncoding.ONE_HOT if api.labels is Labels.ONE_HOT else LabelEncoding.SPARSE


def _reduction(site: LossSite, api: Loss, options: dict[str, Literal]) -> str:
    """How the loss reduces its per-example values: torch's `reduction=`, Keras classes' mean, else none."""
    keras_binary = api.framework == "keras" and api.labels is Labels.BINARY
    if api.reduction is not None:
        reduction = options.get(api.reduction.keyword, api.reduction_default)
    elif site.compiled or (api.framework == "keras" and api.form is Form.CLASS):
        reduction = options.get("reduction", "sum_over_batch_size")
    elif api.framework == "tensorflow" and ".losses." in api.names[0]:
        reduction = "mean"  # tf.compat.v1.losses: SUM_BY_NONZERO_WEIGHTS with unit weights
    else:
        reduction = "none"
    reduction = {"sum_over_batch_size": "mean", "mean": "mean", "sum": "sum", "none": "none", None: "none",
                 "batchmean": "batchmean"}.get(
        reduction if isinstance(reduction, str) or reduction is None else "?", "?")
    if reduction == "?":
        raise Unmodelled(f"the loss's reduction {options.get('reduction')!r} is not modelled")
    return f"{reduction} of per-sample means" if keras_binary else reduction


# Spelling ------------------------------------------------------------------------------------

_STANDIN_ROOTS = {"tensorflow": "tf"}

_ACTIVATIONS = {  # framework -> fn -> a template over `x` and `axis`
    "keras": {Fn.SOFTMAX: "keras.activations.softmax({x}, axis={axis})", Fn.SIGMOID: "keras.activations.sigmoid({x})",
              Fn.LOG_SOFTMAX: "keras.ops.log_softmax({x}, axis={axis})"},
    "tf": {Fn.SOFTMAX: "tf.nn.softmax({x}, axis={axis})", Fn.SIGMOID: "tf.sigmoid({x})",
           Fn.LOG_SOFTMAX: "tf.nn.log_softmax({x}, axis={axis})", Fn.LOG_SIGMOID: "tf.math.log_sigmoid({x})"},
    "torch": {Fn.SOFTMAX: "torch.nn.functional.softmax({x}, {axis})", Fn.SIGMOID: "torch.sigmoid({x})",
              Fn.LOG_SOFTMAX: "torch.nn.functional.log_softmax({x}, {axis})",
              Fn.LOG_SIGMOID: "torch.nn.functional.logsigmoid({x})",
              Fn.SOFTMIN: "torch.nn.functional.softmin({x}, {axis})"},
    "jax": {Fn.SOFTMAX: "jax.nn.softmax({x}, axis={axis})", Fn.SIGMOID: "jax.nn.sigmoid({x})",
            Fn.LOG_SOFTMAX: "jax.nn.log_softmax({x}, axis={axis})", Fn.LOG_SIGMOID: "jax.nn.log_sigmoid({x})"},
}
_FRAMEWORK_SPELLING = {"tensorflow": "tf", "keras": "keras", "torch": "torch", "jax": "jax", "optax": "jax",
                       "flax": "jax"}


def _intended_activation(model: SiteModel) -> Fn:
    if model.expects is Expects.LOG_PROBABILITIES:
        return Fn.LOG_SIGMOID if model.binary else Fn.LOG_SOFTMAX
    return Fn.SIGMOID if model.binary else Fn.SOFTMAX


def _reading_logits(model: SiteModel) -> SiteModel:
    """The same loss given the logits, in the form that takes logits."""
    options = tuple((k, v) for k, v in model.options if k != model.from_logits_keyword)
    if model.from_logits_keyword is not None:
        return replace(model, activation=None, options=options + ((model.from_logits_keyword, True),))
    if model.expects is Expects.LOGITS:
        return replace(model, activation=None)
    if model.with_logits is not None:
        return replace(model, activation=None, loss=model.with_logits)
    if model.expects is Expects.LOG_PROBABILITIES:
        return replace(model, activation=_intended_activation(model))
    raise Unmodelled("the loss has no form that takes logits")


def standin_name(qualified: str) -> str:
    package, dot, rest = qualified.partition(".")
    return _STANDIN_ROOTS.get(package, package) + dot + rest


def _activated(model: SiteModel) -> str:
    if model.activation is None:
        return PREDICTION
    framework = _FRAMEWORK_SPELLING.get(model.activation_framework, model.activation_framework)
    template = _ACTIVATIONS.get(framework, {}).get(model.activation)
    if template is None:
        raise Unmodelled(f"a {model.activation.value} from {model.activation_framework} is not modelled")
    axis = model.axis
    if axis == "implicit":  # torch's softmax without dim
        return template.replace(", {axis}", "").format(x=PREDICTION)
    return template.format(x=PREDICTION, axis=-1 if axis is None else axis)


def site_expression(model: SiteModel) -> str:
    """The site's loss over the generated inputs, in stand-in spelling."""
    prediction, labels = _activated(model), LABEL_INPUTS[model.labels][0]
    if model.swapped:
        prediction, labels = labels, prediction
    options = [f"{keyword}={value!r}" for keyword, value in model.options]
    tensors = sorted([(model.prediction_position, model.prediction_keyword, prediction),
                      (model.label_position, model.label_keyword, labels)], key=lambda t: (t[0] is None, t[0] or 0))
    if model.form is Form.CLASS:
        arguments = ", ".join([text for _, _, text in tensors] + [name for _, name in model.tensors])
        return f"{standin_name(model.loss)}({', '.join(options)})({arguments})"
    arguments = ", ".join([f"{keyword}={text}" for _, keyword, text in tensors]
                          + [f"{keyword}={name}" for keyword, name in model.tensors] + options)
    return f"{standin_name(model.loss)}({arguments})"


# Arguments that only say how to read or reduce the tensors; any other (label smoothing, a focal
# gamma, class or positive weights) changes the loss itself.
_PLAIN_OPTIONS = {"from_logits", "reduction", "axis", "dim", "name"}


def intended_loss(model: SiteModel, fixed: SiteModel) -> str:
    """What the site means: cross-entropy computed from the logits, reduced as `model` reduces.

    A loss with options of its own is read from the logits by the same loss, options kept. Where
    the fixed loss still reads probabilities (a one-unit softmax made a sigmoid), the intended
    computation is that loss given the probabilities of the right activation over the right axis.
    """
    if fixed.expects is not Expects.LOGITS:
        return site_expression(replace(fixed, activation=_intended_activation(fixed), axis=model.class_axis,
                                       swapped=False))
    if any(keyword not in _PLAIN_OPTIONS for keyword, _ in model.options):
        # Where the fix switches to a loss for other labels (XL4), the loss they fit, as the fixed code passes them.
        reading = _reading_logits(model)
        if reading.loss != fixed.loss:
            reading = _reading_logits(fixed)
        return site_expression(replace(reading, labels=fixed.labels, swapped=False))
    if model.binary:
        labels = LABEL_INPUTS[model.labels][0]
        per_element = (f"tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast({labels}, {PREDICTION}.dtype), "
                       f"logits={PREDICTION})")
        if model.reduction.endswith("of per-sample means"):
            per_element = f"tf.reduce_mean({per_element}, axis=-1)"
    else:
        per_element = (f"tf.nn.softmax_cross_entropy_with_logits(labels={REFERENCE_LABELS}, logits={PREDICTION}, "
                       f"axis={model.class_axis})")
    reduction = model.reduction.split(" ", 1)[0]
    return {"none": per_element, "mean": f"tf.reduce_mean({per_element})",
            "sum": f"tf.reduce_sum({per_element})"}[reduction]
