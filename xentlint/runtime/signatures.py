"""Loss and activation classes built from functions: `nn.CrossEntropyLoss(...)` takes the options
of `F.cross_entropy` after its tensor arguments, Keras' `CategoricalCrossentropy(...)` those of
`categorical_crossentropy` plus reduction/name/dtype. Deriving the constructor from the function
keeps one definition of every option and its default.
"""

from __future__ import annotations

import inspect
from typing import Callable, Mapping, Sequence


def options_signature(
    function: Callable[..., object], tensor_arguments: int, extra: Mapping[str, object] = {}
) -> inspect.Signature:
    """The parameters of `function` after its first `tensor_arguments`, then `extra` (name: default)."""
    options = list(inspect.signature(function).parameters.values())[tensor_arguments:]
    options += [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default)
        for name, default in extra.items()
    ]
    return inspect.Signature(options)


def bind_options(
    signature: inspect.Signature, args: Sequence[object], kwargs: Mapping[str, object]
) -> dict[str, object]:
    """Arguments bound as the framework binds them; a wrong name raises TypeError as it does there."""
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)
