"""Abstract values: what the analysis knows about an expression."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Optional, Union

import libcst as cst

from xentlint.knowledge.schema import Fn, Form, Loss

if TYPE_CHECKING:
    from xentlint.project import Exported


class Kind(str, enum.Enum):
    PROBABILITIES = "probabilities"
    LOG_PROBABILITIES = "log-probabilities"
    LOGITS = "logits"
    SPARSE_LABELS = "sparse labels"
    ONE_HOT_LABELS = "one-hot labels"
    # Callables whose application has a known result.
    MODEL = "model"  # Keras model or torch module instance
    LAYER = "layer"  # a layer/module instance: applying it transforms its input
    LOSS = "loss"  # a constructed loss object (Keras class, torch nn.*Loss)
    FUNCTION = "function"  # a function defined in this module
    CLASS = "class"  # a class defined in this module
    INT = "int"  # a known integer (class counts)
    TUPLE = "tuple"  # `return validity, probs`: the values at literal positions
    MODULE = "module"  # a project module bound by `import models` (`xentlint.project`)
    IMPORTED = "imported"  # a name an import binds: looked up in the project's modules when it is read
    RECORD = "record"  # named outputs (a Hugging Face `ModelOutput`): `out.logits`, `out["logits"]`
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Origin:
    """Where a value's meaning was given, for messages and fixes."""

    node: cst.CSTNode  # the activation call, layer constructor or producer
    description: str  # "softmax (Dense activation)"
    # The expression that a fix could remove the activation from, and its input.
    activation_call: Optional[cst.Call] = None
    activation_input: Optional[cst.BaseExpression] = None
    # For `activation="softmax"` in a Keras layer: the argument to rewrite.
    activation_arg: Optional[cst.Arg] = None
    # Given in another module of the project (`models.py:12`); `node` is then where this module imports it.
    elsewhere: Optional[str] = None
    # There: the module's absolute path and the row.
    source: Optional[tuple[str, int]] = None


@dataclass(frozen=True)
class Value:
    kind: Kind
    fn: Optional[Fn] = None  # the activation that made PROBABILITIES / LOG_PROBABILITIES
    origin: Optional[Origin] = None
    classes: Optional[int] = None  # size of the class axis, when visible
    axis: Union[int, str, None] = None  # the axis the activation normalised over ("implicit" for torch)
    integer: bool = False  # labels known to have an integer dtype
    number: Optional[int] = None  # for INT
    # Callables: the layer/loss constructor, the model's output, the defining node.
    node: Optional[cst.CSTNode] = None
    output: Optional["Value"] = None
    loss: Optional[Loss] = None
    # Layer semantics: the function applied (None: identity / logits producer) and unit count.
    applies: Optional[Fn] = None
    produces_logits: bool = False
    keras: bool = False  # Keras model/layer: compile() semantics apply
    sequential: bool = False  # a Keras Sequential: `model.add(layer)` grows it
    layers: tuple["Value", ...] = field(default=(), compare=False)
    items: tuple["Value", ...] = ()  # TUPLE: the value at each position
    fields: tuple[tuple[str, "Value"], ...] = ()  # RECORD: the value of each named output
    bound: bool = False  # FUNCTION: a method read through `self`, called without its receiver
    module: Optional[str] = None  # MODULE: the module's file
    imported: Optional[tuple[str, int, Optional[str]]] = None  # IMPORTED: module, level (dots), name
    # Given by another module of the project: what it exported (a loss object's options, a loss
    # wrapper's parameters, the parameter a function returns).
    foreign: Optional["Exported"] = None

    def with_changes(self, **changes: object) -> "Value":
        return replace(self, **changes)


UNKNOWN = Value(Kind.UNKNOWN)


def held_loss(target: Value) -> Optional[tuple[Loss, Optional[cst.Call]]]:
    """The loss a called value holds: a loss object (with its constructor) or a loss function
    kept in a name or attribute (`loss_fn = F.cross_entropy`, a `functools.partial` of one)."""
    if target.kind is not Kind.LOSS or target.loss is None:
        return None
    if target.loss.form is Form.FUNCTION or target.foreign is not None:
        return target.loss, None  # a function, or an object constructed in another module
    return (target.loss, target.node) if isinstance(target.node, cst.Call) else None


def merge(a: Value, b: Value) -> Value:
    """Branches that disagree make the value unknown: never flag an ambiguous flow."""
    if a == b:
        return a
    if a.kind is b.kind is Kind.TUPLE and len(a.items) == len(b.items):
        return Value(Kind.TUPLE, items=tuple(merge(x, y) for x, y in zip(a.items, b.items)))
    if a.kind is b.kind and a.kind in (Kind.SPARSE_LABELS, Kind.ONE_HOT_LABELS) and a.integer == b.integer:
        return Value(a.kind, integer=a.integer)
    return UNKNOWN
