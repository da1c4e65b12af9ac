"""What can go wrong when evaluating a framework-spelled expression with the models."""

from __future__ import annotations


class FrameworkError(ValueError):
    """The modelled framework raises on these arguments (shapes, dtypes, label ranges): behaviour."""


class NotModelled(Exception):
    """An API or argument the NumPy models do not cover: the expression cannot be checked."""


class MissingStandIn(NotModelled, AttributeError):
    """A framework name or tensor method without a NumPy model (an AttributeError, so hasattr works)."""
