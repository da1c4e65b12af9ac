"""NumPy stand-ins for framework modules, so that framework-spelled expressions can be `eval`'d.

`STANDINS` is the one table from a dotted framework name to its model; `namespace()` turns
it into module-like objects (`tf`, `keras`, `torch`, `F`, `nn`, `jax`, `jnp`, `optax`,
`scipy`, `K`) plus the real `np`. Every callable returns a `Tensor`, so torch-style methods
work on any result. A name missing from the table raises `errors.MissingStandIn`: the expression
cannot be checked, which is different from the framework raising.
"""

from __future__ import annotations

import functools
import inspect
from typing import Callable, Mapping

import numpy as np

from xentlint.runtime import jax_api, keras_api, keras_metrics, reference_losses, tf_api, torch_api
from xentlint.runtime.errors import MissingStandIn
from xentlint.runtime.tensor import Tensor, to_tensor


def _prefixed(prefix: str, members: Mapping[str, object]) -> dict[str, object]:
    return {f"{prefix}.{name}": value for name, value in members.items()}


_TF1_LOSSES = {
    "softmax_cross_entropy": tf_api.tf1_softmax_cross_entropy,
    "sparse_softmax_cross_entropy": tf_api.tf1_sparse_softmax_cross_entropy,
    "sigmoid_cross_entropy": tf_api.tf1_sigmoid_cross_entropy,
    "log_loss": tf_api.tf1_log_loss,
    "compute_weighted_loss": tf_api.compute_weighted_loss,
    "absolute_difference": tf_api.tf1_absolute_difference,
    "hinge_loss": tf_api.tf1_hinge_loss,
    "huber_loss": tf_api.tf1_huber_loss,
    "Reduction.NONE": reference_losses.TF1_NONE,
    "Reduction.SUM": reference_losses.TF1_SUM,
    "Reduction.SUM_OVER_BATCH_SIZE": reference_losses.TF1_SUM_OVER_BATCH_SIZE,
    "Reduction.MEAN": reference_losses.TF1_MEAN,
    "Reduction.SUM_BY_NONZERO_WEIGHTS": reference_losses.TF1_SUM_BY_NONZERO_WEIGHTS,
}

_CONTRIB_LOSSES = {
    "softmax_cross_entropy": tf_api.contrib_softmax_cross_entropy,
    "sparse_softmax_cross_entropy": tf_api.contrib_sparse_softmax_cross_entropy,
    "sigmoid_cross_entropy": tf_api.contrib_sigmoid_cross_entropy,
    "log_loss": tf_api.contrib_log_loss,
    "compute_weighted_loss": tf_api.contrib_compute_weighted_loss,
    "absolute_difference": tf_api.contrib_absolute_difference,
    "hinge_loss": tf_api.contrib_hinge_loss,
}

_KERAS_LOSSES = {**keras_api.LOSS_FUNCTIONS, **keras_api.LOSS_CLASSES}

_KERAS_ACTIVATIONS = {"softmax": keras_api.softmax, "sigmoid": keras_api.sigmoid}

_KERAS_OPS = {
    **_KERAS_ACTIVATIONS,
    "log_softmax": keras_api.log_softmax,
    "log_sigmoid": reference_losses.log_sigmoid,
    "log": reference_losses.log,
    "sum": keras_api.reduce_sum,
    "mean": keras_api.reduce_mean,
    "clip": keras_api.clip,
    "one_hot": keras_api.one_hot,
    "argmax": keras_api.argmax,
    "cast": keras_api.cast,
    "categorical_crossentropy": keras_api.ops_categorical_crossentropy,
    "sparse_categorical_crossentropy": keras_api.ops_sparse_categorical_crossentropy,
    "binary_crossentropy": keras_api.ops_binary_crossentropy,
}

_KERAS_LEGACY_BACKEND = {
    "softmax": keras_api.legacy_softmax,
    "sigmoid": reference_losses.sigmoid,
    "log": reference_losses.log,
    "sum": keras_api.reduce_sum,
    "mean": keras_api.reduce_mean,
    "clip": keras_api.legacy_clip,
    "epsilon": keras_api.epsilon,
    "one_hot": keras_api.legacy_one_hot,
    "argmax": keras_api.legacy_argmax,
    "cast": keras_api.cast,
    "categorical_crossentropy": reference_losses.keras_backend_categorical_crossentropy,
    "sparse_categorical_crossentropy": keras_api.legacy_sparse_categorical_crossentropy,
    "binary_crossentropy": reference_losses.keras_legacy_binary_crossentropy,
}

_TF_NN = {
    "softmax": tf_api.softmax,
    "log_softmax": tf_api.log_softmax,
    "sigmoid": tf_api.sigmoid,
    "softmax_cross_entropy_with_logits": tf_api.softmax_cross_entropy_with_logits,
    "softmax_cross_entropy_with_logits_v2": tf_api.softmax_cross_entropy_with_logits_v2,
    "sparse_softmax_cross_entropy_with_logits": tf_api.sparse_softmax_cross_entropy_with_logits,
    "sigmoid_cross_entropy_with_logits": tf_api.sigmoid_cross_entropy_with_logits,
    "weighted_cross_entropy_with_logits": tf_api.weighted_cross_entropy_with_logits,
    "sampled_softmax_loss": tf_api.sampled_softmax_loss,
}

_TF_MATH = {
    "log": tf_api.log,
    "exp": tf_api.exp,
    "sigmoid": tf_api.sigmoid,
    "log_sigmoid": tf_api.log_sigmoid,
    "softmax": tf_api.softmax,
    "log_softmax": tf_api.log_softmax,
    "reduce_sum": tf_api.reduce_sum,
    "reduce_mean": tf_api.reduce_mean,
    "argmax": tf_api.argmax,
    "log1p": tf_api.log1p,
    "abs": tf_api.abs,
    "squared_difference": tf_api.squared_difference,
}

_TF_CONTRIB_NN = {
    name: getattr(tf_api, name)
    for name in (
        "deprecated_flipped_softmax_cross_entropy_with_logits",
        "deprecated_flipped_sparse_softmax_cross_entropy_with_logits",
        "deprecated_flipped_sigmoid_cross_entropy_with_logits",
    )
}

_TF = {
    # TF 1 kept these at the top level too (`tf.log_sigmoid`, `tf.squared_difference`).
    **{name: _TF_MATH[name] for name in ("log", "exp", "sigmoid", "reduce_sum", "reduce_mean", "argmax", "log1p",
                                         "abs", "squared_difference", "log_sigmoid")},
    "clip_by_value": tf_api.clip_by_value,
    "gather": tf_api.gather,
    "one_hot": tf_api.one_hot,
    "cast": tf_api.cast,
    "constant": tf_api.constant,
    "convert_to_tensor": tf_api.convert_to_tensor,
    "eye": tf_api.eye,
    "zeros": tf_api.zeros,
    "ones": tf_api.ones,
    "reshape": tf_api.reshape,
    "int32": np.int32,
    "int64": np.int64,
    "float32": np.float32,
    "float64": np.float64,
}

_TORCH_FUNCTIONAL = {
    "softmax": torch_api.softmax,
    "log_softmax": torch_api.log_softmax,
    "softmin": torch_api.softmin,
    "sigmoid": Tensor.sigmoid,
    "logsigmoid": torch_api.logsigmoid,
    "cross_entropy": torch_api.cross_entropy,
    "nll_loss": torch_api.nll_loss,
    "binary_cross_entropy": torch_api.binary_cross_entropy,
    "binary_cross_entropy_with_logits": torch_api.binary_cross_entropy_with_logits,
    "one_hot": reference_losses.torch_one_hot,
    "kl_div": torch_api.kl_div,
    "ctc_loss": torch_api.ctc_loss,
    "mse_loss": torch_api.mse_loss,
    "l1_loss": torch_api.l1_loss,
    "smooth_l1_loss": torch_api.smooth_l1_loss,
}

# torch.f(x, ...) is x.f(...), as in torch.
_TORCH_FUNCTIONS_AS_METHODS = (
    "softmax",
    "log_softmax",
    "sigmoid",
    "log",
    "exp",
    "sum",
    "mean",
    "argmax",
    "clamp",
    "gather",
    "unsqueeze",
)

_TORCH = {
    **{name: getattr(Tensor, name) for name in _TORCH_FUNCTIONS_AS_METHODS},
    "tensor": torch_api.tensor,
    "ones": torch_api.ones,
    "zeros": torch_api.zeros,
    "arange": torch_api.arange,
    "float32": np.float32,
    "float": np.float32,
    "float64": np.float64,
    "double": np.float64,
    "int64": np.int64,
    "long": np.int64,
    "int32": np.int32,
}

_JAX_NN = {
    "softmax": jax_api.softmax,
    "log_softmax": jax_api.log_softmax,
    "sigmoid": reference_losses.sigmoid,
    "log_sigmoid": reference_losses.log_sigmoid,
    "one_hot": jax_api.one_hot,
}

_OPTAX = {
    "softmax_cross_entropy": jax_api.softmax_cross_entropy,
    "softmax_cross_entropy_with_integer_labels": jax_api.softmax_cross_entropy_with_integer_labels,
    "sigmoid_binary_cross_entropy": reference_losses.optax_sigmoid_binary_cross_entropy,
    "smooth_labels": jax_api.smooth_labels,
    "kl_divergence": reference_losses.optax_kl_divergence,
}

_SCIPY_SPECIAL = {
    "softmax": jax_api.scipy_softmax,
    "log_softmax": jax_api.scipy_log_softmax,
    "expit": reference_losses.sigmoid,
    "log_expit": reference_losses.log_sigmoid,
    "logsumexp": jax_api.scipy_logsumexp,
}

STANDINS: dict[str, object] = {
    **_prefixed("tf", _TF),
    **_prefixed("tf.math", _TF_MATH),
    **_prefixed("tf.nn", _TF_NN),
    "tf.compat.v1.nn.softmax_cross_entropy_with_logits": tf_api.softmax_cross_entropy_with_logits_tf1,
    "tf.compat.v1.nn.softmax_cross_entropy_with_logits_v2": tf_api.softmax_cross_entropy_with_logits_v2,
    "tf.compat.v1.nn.sparse_softmax_cross_entropy_with_logits": tf_api.sparse_softmax_cross_entropy_with_logits,
    "tf.compat.v1.nn.sigmoid_cross_entropy_with_logits": tf_api.sigmoid_cross_entropy_with_logits,
    "tf.compat.v1.log": tf_api.log,
    **_prefixed("tf.compat.v1.losses", _TF1_LOSSES),
    # TF 2's tf.losses is keras.losses; the TF1-only names keep their TF1 meaning (XL502).
    **_prefixed("tf.losses", {**_KERAS_LOSSES, **_TF1_LOSSES}),
    **_prefixed("tf.contrib.losses", _CONTRIB_LOSSES),
    **_prefixed("tf.contrib.nn", _TF_CONTRIB_NN),
    **_prefixed("tf.contrib.slim.losses", _CONTRIB_LOSSES),
    **_prefixed("tf.keras.losses", _KERAS_LOSSES),
    **_prefixed("tf.keras.activations", _KERAS_ACTIVATIONS),
    **_prefixed("tf.keras.backend", _KERAS_LEGACY_BACKEND),
    "tf.keras.utils.to_categorical": keras_api.to_categorical,
    **_prefixed("keras.losses", _KERAS_LOSSES),
    **_prefixed("keras.ops", _KERAS_OPS),
    **_prefixed("keras.activations", _KERAS_ACTIVATIONS),
    **_prefixed("keras.metrics", keras_metrics.METRICS),
    **_prefixed("tf.keras.metrics", keras_metrics.METRICS),
    "keras.backend.epsilon": keras_api.epsilon,
    # Keras 2's `keras.backend` (`from keras import backend as K`), as tf.keras.backend.
    **_prefixed("keras.backend", _KERAS_LEGACY_BACKEND),
    "keras.utils.to_categorical": keras_api.to_categorical,
    **_prefixed("torch", _TORCH),
    **_prefixed("torch.nn.functional", _TORCH_FUNCTIONAL),
    **_prefixed("torch.nn", torch_api.MODULES),
    **_prefixed("jax.nn", _JAX_NN),
    **_prefixed("optax", _OPTAX),
    **_prefixed("optax.losses", _OPTAX),  # optax >= 0.1.8 spells its losses here too
    **_prefixed("scipy.special", _SCIPY_SPECIAL),
}

# Names that code commonly binds to a module: import ... as F / nn / jnp / K.
ALIASES = {"F": "torch.nn.functional", "nn": "torch.nn", "K": "tf.keras.backend", "jnp": "jax.numpy"}


class Namespace:
    """A module stand-in: attributes from the table, then `fallback` (jax.numpy falls back to NumPy)."""

    def __init__(self, path: str, fallback: object = None) -> None:
        self._path = path
        self._members: dict[str, object] = {}
        self._fallback = fallback

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self._members:
            return self._members[name]
        if self._fallback is not None and hasattr(self._fallback, name):
            return getattr(self._fallback, name)
        raise MissingStandIn(f"no NumPy model for {self._path}.{name}")

    def __repr__(self) -> str:
        return f"<stand-in for {self._path}>"

    def members(self) -> dict[str, object]:
        return dict(self._members)

    def define(self, name: str, value: object) -> None:
        self._members[name] = value

    def child(self, name: str) -> Namespace:
        if name not in self._members:
            self._members[name] = Namespace(f"{self._path}.{name}" if self._path else name)
        return self._members[name]


def _returning_tensors(function: Callable[..., object]) -> Callable[..., object]:
    @functools.wraps(function)
    def call(*args: object, **kwargs: object) -> object:
        return to_tensor(function(*args, **kwargs))

    return call


def _standin(value: object) -> object:
    return _returning_tensors(value) if callable(value) and not inspect.isclass(value) else value


def _build(table: Mapping[str, object]) -> Namespace:
    root = Namespace("")
    for dotted, value in table.items():
        *modules, leaf = dotted.split(".")
        functools.reduce(Namespace.child, modules, root).define(leaf, _standin(value))
    root.child("jax").define("numpy", Namespace("jax.numpy", fallback=np))
    return root


@functools.lru_cache(maxsize=None)
def _namespace() -> dict[str, object]:
    root = _build(STANDINS)
    aliases = {alias: functools.reduce(getattr, target.split("."), root) for alias, target in ALIASES.items()}
    return {**root.members(), **aliases, "np": np, "numpy": np}


def namespace() -> dict[str, object]:
    """A fresh dict of the stand-in modules, ready to extend with inputs and `eval`."""
    return dict(_namespace())
