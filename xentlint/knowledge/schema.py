"""The shapes of the framework knowledge table's rows (the rows are in `apis.py`)."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Optional, Union


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


class Form(str, enum.Enum):
    FUNCTION = "function"  # called with the tensors
    CLASS = "class"  # constructed with options, the instance called with the tensors
    METHOD = "method"  # a tensor method, `x.softmax(1)`


@dataclass(frozen=True)
class Param:
    """Where an argument goes: its keyword and, if it may be passed positionally, its index."""

    keyword: str
    position: Optional[int] = None


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


@dataclass(frozen=True)
class LabelProducer:
    names: tuple[str, ...]
    labels: Labels
    form: Form
    framework: str


@dataclass(frozen=True)
class Layer:
    """Model building blocks whose output kind is known from their arguments."""

    names: tuple[str, ...]
    framework: str
    units: Optional[Param] = None  # output size along the class axis
    activation: Optional[Param] = None  # Keras `activation=` (string or callable)


@dataclass(frozen=True)
class Rename:
    """A removed or legacy API and its exact, behaviour-preserving replacement."""

    old: str
    new: Optional[str]  # None: no exact equivalent, the rule reports without a fix
    note: str = ""
