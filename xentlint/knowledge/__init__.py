"""Questions rules ask of the framework knowledge table, answered by name lookups."""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from xentlint.knowledge import apis
from xentlint.knowledge.schema import Activation, Fn, Form, LabelProducer, Labels, Layer, Loss


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


def activation(qualified: Optional[str]) -> Optional[Activation]:
    return _ACTIVATIONS.get(qualified) if qualified else None


def activation_method(method: str) -> Optional[Activation]:
    return _ACTIVATION_METHODS.get(method)


def activation_string(value: str) -> Optional[Fn]:
    return apis.ACTIVATION_STRINGS.get(value)


def loss(qualified: Optional[str]) -> Optional[Loss]:
    return _LOSSES.get(qualified) if qualified else None


def loss_by_string(value: str) -> Optional[Loss]:
    return _LOSS_STRINGS.get(value)


def label_producer(qualified: Optional[str]) -> Optional[LabelProducer]:
    return _LABEL_PRODUCERS.get(qualified) if qualified else None


def label_method(method: str) -> Optional[Labels]:
    row = _LABEL_METHODS.get(method)
    return row.labels if row else None


def layer(qualified: Optional[str]) -> Optional[Layer]:
    return _LAYERS.get(qualified) if qualified else None


@lru_cache(maxsize=None)
def all_names() -> frozenset[str]:
    """Every qualified name and keyword a rule can match: the pre-filter's vocabulary."""
    names: set[str] = set()
    for rows in (apis.ACTIVATIONS, apis.LOSSES, apis.LABEL_PRODUCERS, apis.LAYERS):
        for row in rows:
            names.update(row.names)
    names.update(_LOSS_STRINGS)
    return frozenset(names)
