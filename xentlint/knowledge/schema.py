"""The shapes of the framework knowledge table's rows (the rows are in `apis.py`)."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Union

if TYPE_CHECKING:
    import libcst as cst


class Fn(str, enum.Enum):
    """Elementwise or normalising functions that change what a value means."""

    SOFTMAX = "softmax"
    LOG_SOFTMAX = "log_softmax"
    SIGMOID = "sigmoid"
    LOG_SIGMOID = "log_sigmoid"
    SOFTMIN = "softmin"
    LOG = "log"


class Expects(str, enum.Enum):
    """What a loss wants as its prediction."""

    LOGITS = "logits"
    PROBABILITIES = "probabilities"
    LOG_PROBABILITIES = "log-probabilities"


class Labels(str, enum.Enum):
    """What a loss wants as its label."""

    SPARSE = "sparse"  # integer class indices
    ONE_HOT = "one-hot"  # a distribution per example over exclusive classes
    SPARSE_OR_PROBABILITIES = "sparse or probabilities"  # torch CrossEntropyLoss
    BINARY = "binary"  # independent 0/1 (or soft) targets per output
    DISTRIBUTION = "distribution"  # a target distribution per example (KL divergence)
    SEQUENCE = "label sequence"  # class indices per example, not aligned with the input (CTC)


class Form(str, enum.Enum):
    FUNCTION = "function"  # called with the tensors
    CLASS = "class"  # constructed with options, the instance called with the tensors
    METHOD = "method"  # a tensor method, `x.softmax(1)`


@dataclass(frozen=True)
class Param:
    """Where an argument goes: its keyword and, if it may be passed positionally, its index."""

    keyword: str
    position: Optional[int] = None


def argument(call: "cst.Call", param: Optional[Param]) -> "Optional[cst.Arg]":
    """The argument passed for `param`, by keyword or by position (positions after `*args` are unknown)."""
    if param is None:
        return None
    position: Optional[int] = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == param.keyword:
                return arg
        elif arg.star:
            position = None
        elif position is not None:
            if position == param.position:
                return arg
            position += 1
    return None


def has_star_args(call: "cst.Call") -> bool:
    return any(arg.star for arg in call.args)


@dataclass(frozen=True)
class Activation:
    names: tuple[str, ...]
    fn: Fn
    form: Form
    framework: str
    # For FUNCTION/METHOD: where the input tensor goes (a METHOD's receiver is the input).
    input: Optional[Param] = None
    # The axis argument (for CLASS: a constructor argument) and the axis used without it.
    axis: Optional[Param] = None
    axis_default: Union[int, str, None] = -1
    # The fused log form of this function in the same framework, e.g. tf.nn.log_softmax.
    log_form: Optional[str] = None


@dataclass(frozen=True)
class Loss:
    names: tuple[str, ...]
    form: Form
    framework: str
    prediction: Param  # for CLASS: the argument of the instance call
    label: Param
    expects: Expects  # when `from_logits` is absent or at its default
    labels: Labels
    # The Keras `from_logits` switch (for CLASS: a constructor argument) and its default.
    from_logits: Optional[Param] = None
    from_logits_default: bool = False
    axis: Optional[Param] = None
    axis_default: Union[int, str, None] = -1
    # Siblings a fix can switch to, by qualified name.
    with_logits: Optional[str] = None  # same loss taking logits (torch BCE -> BCEWithLogits)
    sparse: Optional[str] = None  # same loss taking integer labels
    one_hot: Optional[str] = None  # same loss taking one-hot labels
    # Only estimates the loss from a sample of classes: for training only.
    sampled: bool = False
    # Keras accepts this loss by string name in compile(loss=...).
    keras_string: Optional[str] = None
    # A Keras loss function's class form, whose constructor takes `from_logits` (for compile()).
    keras_class: Optional[str] = None
    # Its other parameters (for CLASS: the constructor's), so that a fix switching to a sibling
    # carries an argument over only where the sibling has the same parameter at the same place.
    options: tuple[Param, ...] = ()
    # TF1 put a `_sentinel` parameter first: positional calls raise there, TF2 reads (labels, logits).
    keyword_only_in_tf1: bool = False
    # torch's `reduction=` (for CLASS: a constructor argument) and its default; without one the
    # loss returns a value per example (per element for binary losses).
    reduction: Optional[Param] = None
    reduction_default: Optional[str] = None
    # torch's KL `log_target=` (for CLASS: a constructor argument): the target is log-probabilities too.
    log_target: Optional[Param] = None


@dataclass(frozen=True)
class LabelProducer:
    names: tuple[str, ...]
    labels: Labels
    form: Form
    framework: str
    # For a one-hot encoder: the class indices it encodes (dropping the call leaves them).
    input: Optional[Param] = None
    # Its result has an integer dtype (class indices always; `F.one_hot` gives int64 one-hot rows).
    integer: bool = False


@dataclass(frozen=True)
class TensorConstructor:
    """Calls that make a tensor from data, a range or random draws (`np.array`, `torch.randint`).

    The tensor holds class indices when it is visibly integer (an integer `dtype`, literal data of
    ints, or integer by default) and not visibly a matrix (a literal shape of rank two or more
    whose last size is not 1). Without a dtype, data keeps its meaning: `torch.tensor(y)` is `y`.
    """

    names: tuple[str, ...]
    framework: str
    data: Optional[Param] = None
    dtype: Optional[Param] = None
    # A shape without a position is found as the first literal tuple or list (torch overloads).
    shape: Optional[Param] = None
    integer: bool = False  # without a dtype (randint, arange, LongTensor)


@dataclass(frozen=True)
class Layer:
    """Model building blocks whose output kind is known from their arguments."""

    names: tuple[str, ...]
    framework: str
    units: Optional[Param] = None  # output size along the class axis
    activation: Optional[Param] = None  # Keras `activation=` (string or callable)
    # A layer function (TF1 `tf.layers.dense(inputs, units)`): the input it is applied to at once.
    input: Optional[Param] = None
    # The activation applied when `activation` is not passed (None: linear, so the layer gives logits).
    activation_default: Optional[str] = None


@dataclass(frozen=True)
class Rename:
    """A removed or legacy API and its exact, behaviour-preserving replacement.

    `old` ending in `.*` names a whole family (every API under that module).
    """

    old: str
    new: Optional[str]  # None: no exact equivalent, the rule reports without a fix
    note: str = ""
    # When the argument order changes: the old API's parameters in order, and the new API's
    # parameters that an argument may keep by position (empty: every argument becomes a keyword).
    # A positional argument stays positional only while both lists agree up to it.
    old_params: tuple[str, ...] = ()
    new_params: tuple[str, ...] = ()
    keywords: tuple[tuple[str, str], ...] = ()  # renamed keywords: (old, new)
    # Keyword arguments (name, Python source) the new API needs to behave as the old one did.
    added: tuple[tuple[str, str], ...] = ()
    # Parameters whose non-literal values the two APIs treat differently (e.g. broadcast rules
    # for `weights`): passing one makes the fix unsafe.
    unsafe_params: tuple[str, ...] = ()

    @property
    def changes_arguments(self) -> bool:
        return bool(self.old_params or self.keywords or self.added)


@dataclass(frozen=True)
class LegacyReduction:
    """A torch loss that still accepts the pre-0.4.1 `size_average=`/`reduce=` flags."""

    names: tuple[str, ...]
    form: Form  # CLASS: the flags go to the constructor
    # Every parameter in signature order (PyTorch 2.13), to place positional arguments.
    params: tuple[str, ...]


class Reduce(str, enum.Enum):
    SUM = "sum"
    MEAN = "mean"


@dataclass(frozen=True)
class Trainer:
    """A training library's call that pairs a model with a loss, both passed as arguments
    (`NeuralNetClassifier(module=Net, criterion=nn.CrossEntropyLoss)`): the model is an instance,
    a class or an output tensor (tflearn), the loss an instance, a class, a function or a name."""

    names: tuple[str, ...]
    framework: str
    model: Param
    loss: Param
    # The loss the library uses when the argument is absent (None: the call is not a site then).
    loss_default: Optional[str] = None
    # Losses the library feeds something else than the model's output (skorch's classifier takes
    # the log of the module's probabilities for `NLLLoss`): such pairings are not sites.
    adapted: tuple[str, ...] = ()
    # Arguments that change what reaches the loss (Ignite's `model_transform=`): given, no site.
    transforms: tuple[str, ...] = ()
    # The library's own loss names and the table row computing the same (tflearn's
    # `"binary_crossentropy"` is `sigmoid_cross_entropy_with_logits`).
    loss_strings: tuple[tuple[str, str], ...] = ()
    # The loss is inside a metric in the literal dict passed as `loss` (Ignite's `Loss(criterion)`
    # in `metrics={...}`): the metric's names and its loss argument.
    loss_metric: Optional[tuple[tuple[str, ...], Param]] = None


@dataclass(frozen=True)
class TrainerHook:
    """A method that a training library's subclass overrides and the library calls with its model
    (Hugging Face `Trainer.compute_loss(self, model, inputs)`): that parameter is a model whose
    call returns named outputs (`outputs.logits` are logits)."""

    bases: tuple[str, ...]
    method: str
    model: str  # the parameter holding the model
    logits_fields: tuple[str, ...]  # the model's outputs that are raw logits


@dataclass(frozen=True)
class Reduction:
    """A sum or mean over some axes, as hand-written formulas use them (`tf.reduce_sum(x, 1)`, `x.mean()`)."""

    names: tuple[str, ...]
    op: Reduce
    form: Form  # FUNCTION, or METHOD (the receiver is the tensor)
    framework: str
    input: Optional[Param] = None  # FUNCTION: the tensor
    axis: Optional[Param] = None  # absent: every axis
    # Other keywords for the axis: TF1's `reduction_indices`, `axis` for torch's `dim`.
    axis_aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clip:
    """Clamps a tensor into a range, as hand-written formulas do before a log (`torch.clamp(p, eps, 1)`)."""

    names: tuple[str, ...]
    form: Form  # FUNCTION, or METHOD (the receiver is the tensor)
    framework: str
    input: Optional[Param] = None  # FUNCTION: the tensor


@dataclass(frozen=True)
class Metric:
    """A Keras metric that thresholds or ranks binary predictions as probabilities, and the argument
    that makes it read logits instead (`BinaryAccuracy(threshold=0.0)`, `AUC(from_logits=True)`)."""

    names: tuple[str, ...]
    form: Form  # CLASS: constructed in `metrics=[...]`; FUNCTION: passed by reference
    switch: Param  # the argument that moves it to logits
    logits_value: str  # its source for logits: "0.0", "True"
    # Literal values (as source) that read probabilities at 0.5, its default first; absent means the default.
    defaults: tuple[str, ...]
