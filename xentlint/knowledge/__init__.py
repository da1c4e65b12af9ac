"""Questions rules ask of the framework knowledge table, answered by name lookups."""
from __future__ import annotations

import enum
from functools import lru_cache
from typing import Iterable, Optional

from xentlint.knowledge import apis, libraries
from xentlint.knowledge.schema import (
    Activation,
    Clip,
    Fn,
    Form,
    LabelProducer,
    Labels,
    Layer,
    LegacyReduction,
    Loss,
    Metric,
    Reduction,
    Rename,
    TensorConstructor,
    Trainer,
)


def _index(rows: tuple, form: Optional[Form] = None, exclude_form: Optional[Form] = None) -> dict:
    index = {}
    for row in rows:
        if form is not None and row.form is not form:
            continue
        if exclude_form is not None and row.form is exclude_form:
            continue
        for name in row.names:
            index[name] = row
    return index


_ACTIVATIONS = _index(apis.ACTIVATIONS, exclude_form=Form.METHOD)
_ACTIVATION_METHODS = _index(apis.ACTIVATIONS, form=Form.METHOD)
_LOSSES = _index(apis.LOSSES)
_LOSS_STRINGS = {row.keras_string: row for row in apis.LOSSES if row.keras_string}
_LABEL_PRODUCERS = _index(apis.LABEL_PRODUCERS, exclude_form=Form.METHOD)
_LABEL_METHODS = _index(apis.LABEL_PRODUCERS, form=Form.METHOD)
_LAYERS = _index(apis.LAYERS)
_TENSOR_CONSTRUCTORS = _index(apis.TENSOR_CONSTRUCTORS)
_TORCH_LEGACY_REDUCTION = _index(apis.TORCH_LEGACY_REDUCTION_LOSSES)
_REDUCTIONS = _index(apis.REDUCTIONS, exclude_form=Form.METHOD)
_REDUCTION_METHODS = _index(apis.REDUCTIONS, form=Form.METHOD)
_CLIPS = _index(apis.CLIPS, exclude_form=Form.METHOD)
_CLIP_METHODS = _index(apis.CLIPS, form=Form.METHOD)
_METRICS = _index(apis.METRICS)
_TRAINERS = {name: row for row in libraries.TRAINERS for name in row.names}


class _Renames:
    """Rename rows by old name; a row `module.*` matches every name under `module`."""

    def __init__(self, rows: tuple[Rename, ...]) -> None:
        self.exact = {row.old: row for row in rows if not row.old.endswith(".*")}
        self.families = tuple((row.old[:-1], row) for row in rows if row.old.endswith(".*"))

    def get(self, qualified: Optional[str]) -> Optional[Rename]:
        if not qualified:
            return None
        row = self.exact.get(qualified)
        if row is None:
            row = next((row for prefix, row in self.families if qualified.startswith(prefix)), None)
        return row


_CONTRIB_LOSSES = _Renames(apis.CONTRIB_LOSSES)
_TF1_ONLY = _Renames(apis.TF1_ONLY)
_TF1_ARGUMENTS = _Renames(apis.TF1_ARGUMENTS)


def activation(qualified: Optional[str]) -> Optional[Activation]:
    return _ACTIVATIONS.get(qualified) if qualified else None


def activation_method(method: str) -> Optional[Activation]:
    return _ACTIVATION_METHODS.get(method)


def activation_string(value: str) -> Optional[Fn]:
    return apis.ACTIVATION_STRINGS.get(value)


def activation_string_for(fn: Fn) -> Optional[str]:
    """The Keras `activation=` string that applies `fn`."""
    return next((text for text, applied in apis.ACTIVATION_STRINGS.items() if applied is fn), None)


def counterparts(api: Activation, fn: Fn) -> tuple[str, ...]:
    """Names of `fn` in the same framework and form as `api`, in table order: what a fix can swap
    `api` for (`tf.nn.softmax` -> `tf.nn.sigmoid`, `nn.Softmax` -> `nn.Sigmoid`, `x.softmax` -> `x.sigmoid`)."""
    return tuple(name for row in apis.ACTIVATIONS
                 if row.fn is fn and row.framework == api.framework and row.form is api.form
                 for name in row.names)


def loss(qualified: Optional[str]) -> Optional[Loss]:
    return _LOSSES.get(qualified) if qualified else None


def loss_by_string(value: str) -> Optional[Loss]:
    return _LOSS_STRINGS.get(value)


def label_producer(qualified: Optional[str]) -> Optional[LabelProducer]:
    return _LABEL_PRODUCERS.get(qualified) if qualified else None


def label_method(method: str) -> Optional[Labels]:
    row = _LABEL_METHODS.get(method)
    return row.labels if row else None


def trainer(qualified: Optional[str]) -> Optional[Trainer]:
    return _TRAINERS.get(qualified) if qualified else None


def layer(qualified: Optional[str]) -> Optional[Layer]:
    return _LAYERS.get(qualified) if qualified else None


def tensor_constructor(qualified: Optional[str]) -> Optional[TensorConstructor]:
    return _TENSOR_CONSTRUCTORS.get(qualified) if qualified else None


def contrib_loss(qualified: Optional[str]) -> Optional[Rename]:
    """A loss under tf.contrib (removed in TF 2) and its replacement, if one is exact."""
    return _CONTRIB_LOSSES.get(qualified)


def tf1_only(qualified: Optional[str]) -> Optional[Rename]:
    """A TF1 name that TF 2 does not have, and its exact TF 2 or tf.compat.v1 spelling."""
    return _TF1_ONLY.get(qualified)


def tf1_argument(qualified: Optional[str]) -> Optional[Rename]:
    """A name TF 2 kept with another meaning, as TF1 meant it in an argument of a TF1-only call."""
    return _TF1_ARGUMENTS.get(qualified)


def torch_legacy_reduction(qualified: Optional[str]) -> Optional[LegacyReduction]:
    return _TORCH_LEGACY_REDUCTION.get(qualified) if qualified else None


def reduction(qualified: Optional[str]) -> Optional[Reduction]:
    return _REDUCTIONS.get(qualified) if qualified else None


def reduction_method(method: str) -> Optional[Reduction]:
    return _REDUCTION_METHODS.get(method)


def clip(qualified: Optional[str]) -> Optional[Clip]:
    return _CLIPS.get(qualified) if qualified else None


def clip_method(method: str) -> Optional[Clip]:
    return _CLIP_METHODS.get(method)


def metric(qualified: Optional[str]) -> Optional[Metric]:
    return _METRICS.get(qualified) if qualified else None


class Vocabulary(str, enum.Enum):
    """Families of table names; a rule can only fire on a file that mentions each family it needs."""

    LOSSES = "losses"
    SOFTMAX = "softmax"
    SIGMOID = "sigmoid"
    LOG = "log"
    REDUCTIONS = "reductions"
    CONTRIB = "contrib"
    TF1_ONLY = "tf1-only"
    LEGACY_REDUCTION = "legacy-reduction"
    SAMPLED = "sampled"
    IMPLICIT_DIM = "implicit-dim"  # torch softmax functions whose dim may be left out
    # The import roots those families live under: code can only reach `tensorflow.log` by
    # mentioning `tensorflow` in an import.
    TENSORFLOW = "tensorflow"
    TORCH = "torch"


def _last(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.removesuffix(".*").rsplit(".", 1)[-1] for name in names)


def _roots(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.split(".", 1)[0] for name in names)


def _activation_names(*fns: Fn) -> frozenset[str]:
    return _last(name for row in apis.ACTIVATIONS if row.fn in fns for name in row.names)


def vocabulary(family: Vocabulary) -> frozenset[str]:
    """The identifiers (last name components, Keras strings) by which code reaches a family of APIs."""
    return _vocabularies()[family]


@lru_cache(maxsize=None)
def _vocabularies() -> dict[Vocabulary, frozenset[str]]:
    """Every family's identifiers; a family without an entry here is a KeyError, never another's."""
    return {
        # Training libraries pair a loss they name themselves (tflearn's strings, skorch's default criterion).
        Vocabulary.LOSSES: _last(name for row in apis.LOSSES if not row.sampled for name in row.names)
        | frozenset(_LOSS_STRINGS) | _last(name for row in libraries.TRAINERS for name in row.names),
        Vocabulary.SOFTMAX: _activation_names(Fn.SOFTMAX, Fn.LOG_SOFTMAX, Fn.SOFTMIN) | {
            text for text, fn in apis.ACTIVATION_STRINGS.items() if fn in (Fn.SOFTMAX, Fn.LOG_SOFTMAX)},
        Vocabulary.SIGMOID: _activation_names(Fn.SIGMOID) | {
            text for text, fn in apis.ACTIVATION_STRINGS.items() if fn is Fn.SIGMOID},
        Vocabulary.LOG: _activation_names(Fn.LOG),
        Vocabulary.REDUCTIONS: _last(name for row in apis.REDUCTIONS for name in row.names),
        Vocabulary.CONTRIB: _last(row.old for row in apis.CONTRIB_LOSSES),
        Vocabulary.TF1_ONLY: _last(row.old for row in apis.TF1_ONLY),
        Vocabulary.LEGACY_REDUCTION: _last(name for row in apis.TORCH_LEGACY_REDUCTION_LOSSES for name in row.names),
        Vocabulary.SAMPLED: _last(name for row in apis.LOSSES if row.sampled for name in row.names),
        Vocabulary.IMPLICIT_DIM: _last(name for row in apis.ACTIVATIONS if row.axis_default == "implicit"
                                       for name in row.names),
        Vocabulary.TENSORFLOW: _roots(row.old for row in apis.CONTRIB_LOSSES + apis.TF1_ONLY),
        Vocabulary.TORCH: _roots(name for row in apis.TORCH_LEGACY_REDUCTION_LOSSES for name in row.names),
    }
