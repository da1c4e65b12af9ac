"""The framework knowledge table: every API a rule can ask about, one row each.

Names are canonical qualified names (see `names.canonical`: `tensorflow.keras.*`,
`tf_keras.*` and `keras.*` are one family). Adding a framework API is adding a row here.
Argument positions are those of the signatures in TensorFlow 2.21, Keras 3.15, PyTorch 2.13
and optax 0.2; where TF1 differs the row says so.
"""
from __future__ import annotations

from typing import Optional

from xentlint.knowledge.schema import (
    Activation,
    Clip,
    Expects,
    Fn,
    Form,
    LabelProducer,
    Labels,
    Layer,
    LegacyReduction,
    Loss,
    Metric,
    Param,
    Reduce,
    Reduction,
    Rename,
    TensorConstructor,
)

F = Form.FUNCTION
C = Form.CLASS
M = Form.METHOD

# ---------------------------------------------------------------- activations and log
ACTIVATIONS: tuple[Activation, ...] = (
    # TensorFlow
    Activation(("tensorflow.nn.softmax", "tensorflow.math.softmax"), Fn.SOFTMAX, F, "tensorflow",
               input=Param("logits", 0), axis=Param("axis", 1), log_form="tensorflow.nn.log_softmax"),
    Activation(("tensorflow.nn.log_softmax", "tensorflow.math.log_softmax"), Fn.LOG_SOFTMAX, F, "tensorflow",
               input=Param("logits", 0), axis=Param("axis", 1)),
    Activation(("tensorflow.nn.sigmoid", "tensorflow.sigmoid", "tensorflow.math.sigmoid"), Fn.SIGMOID, F,
               "tensorflow", input=Param("x", 0), axis=None, log_form="tensorflow.math.log_sigmoid"),
    Activation(("tensorflow.math.log_sigmoid", "tensorflow.log_sigmoid"), Fn.LOG_SIGMOID, F, "tensorflow",
               input=Param("x", 0), axis=None),
    Activation(("tensorflow.math.log", "tensorflow.log"), Fn.LOG, F, "tensorflow", input=Param("x", 0), axis=None),
    # Keras (keras 3 and tf.keras)
    Activation(("keras.activations.softmax", "keras.ops.softmax", "keras.ops.nn.softmax"), Fn.SOFTMAX, F, "keras",
               input=Param("x", 0), axis=Param("axis", 1), log_form="keras.ops.log_softmax"),
    Activation(("keras.backend.softmax",), Fn.SOFTMAX, F, "keras",
               input=Param("x", 0), axis=Param("axis", 1), log_form="tensorflow.nn.log_softmax"),
    Activation(("keras.activations.log_softmax", "keras.ops.log_softmax", "keras.ops.nn.log_softmax"),
               Fn.LOG_SOFTMAX, F, "keras", input=Param("x", 0), axis=Param("axis", 1)),
    Activation(("keras.activations.sigmoid", "keras.ops.sigmoid"), Fn.SIGMOID, F,
               "keras", input=Param("x", 0), axis=None, log_form="keras.ops.log_sigmoid"),
    # tf.keras' backend (Keras 2) has no log_sigmoid; TensorFlow is its backend.
    Activation(("keras.backend.sigmoid",), Fn.SIGMOID, F, "keras", input=Param("x", 0), axis=None,
               log_form="tensorflow.math.log_sigmoid"),
    Activation(("keras.ops.log_sigmoid", "keras.activations.log_sigmoid"), Fn.LOG_SIGMOID, F, "keras",
               input=Param("x", 0), axis=None),
    Activation(("keras.backend.log", "keras.ops.log"), Fn.LOG, F, "keras", input=Param("x", 0), axis=None),
    Activation(("keras.layers.Softmax",), Fn.SOFTMAX, C, "keras", axis=Param("axis", 0)),
    # PyTorch
    Activation(("torch.softmax", "torch.special.softmax"), Fn.SOFTMAX, F, "torch",
               input=Param("input", 0), axis=Param("dim", 1), axis_default=None, log_form="torch.log_softmax"),
    Activation(("torch.nn.functional.softmax",), Fn.SOFTMAX, F, "torch",
               input=Param("input", 0), axis=Param("dim", 1), axis_default="implicit",
               log_form="torch.nn.functional.log_softmax"),
    Activation(("torch.nn.functional.softmin",), Fn.SOFTMIN, F, "torch",
               input=Param("input", 0), axis=Param("dim", 1), axis_default="implicit"),
    Activation(("torch.log_softmax", "torch.special.log_softmax"), Fn.LOG_SOFTMAX, F, "torch",
               input=Param("input", 0), axis=Param("dim", 1), axis_default=None),
    Activation(("torch.nn.functional.log_softmax",), Fn.LOG_SOFTMAX, F, "torch",
               input=Param("input", 0), axis=Param("dim", 1), axis_default="implicit"),
    Activation(("torch.sigmoid", "torch.nn.functional.sigmoid", "torch.special.expit"), Fn.SIGMOID, F, "torch",
               input=Param("input", 0), axis=None, log_form="torch.nn.functional.logsigmoid"),
    Activation(("torch.nn.functional.logsigmoid",), Fn.LOG_SIGMOID, F, "torch", input=Param("input", 0), axis=None),
    Activation(("torch.log",), Fn.LOG, F, "torch", input=Param("input", 0), axis=None),
    Activation(("torch.nn.Softmax",), Fn.SOFTMAX, C, "torch", axis=Param("dim", 0), axis_default="implicit",
               log_form="torch.nn.LogSoftmax"),
    Activation(("torch.nn.LogSoftmax",), Fn.LOG_SOFTMAX, C, "torch", axis=Param("dim", 0), axis_default="implicit"),
    Activation(("torch.nn.Softmin",), Fn.SOFTMIN, C, "torch", axis=Param("dim", 0), axis_default="implicit"),
    Activation(("torch.nn.Sigmoid",), Fn.SIGMOID, C, "torch", axis=None, log_form="torch.nn.LogSigmoid"),
    Activation(("torch.nn.LogSigmoid",), Fn.LOG_SIGMOID, C, "torch", axis=None),
    # Tensor methods (torch; the receiver is the input). `x.softmax()` with no dim raises.
    Activation(("softmax",), Fn.SOFTMAX, M, "torch", axis=Param("dim", 0), axis_default=None,
               log_form="log_softmax"),
    Activation(("log_softmax",), Fn.LOG_SOFTMAX, M, "torch", axis=Param("dim", 0), axis_default=None),
    Activation(("sigmoid",), Fn.SIGMOID, M, "torch", axis=None),
    Activation(("log",), Fn.LOG, M, "torch", axis=None),
    # JAX / Flax
    Activation(("jax.nn.softmax", "flax.linen.softmax", "flax.nnx.softmax"), Fn.SOFTMAX, F, "jax",
               input=Param("x", 0), axis=Param("axis", 1), log_form="jax.nn.log_softmax"),
    Activation(("jax.nn.log_softmax", "flax.linen.log_softmax", "flax.nnx.log_softmax"), Fn.LOG_SOFTMAX, F,
               "jax", input=Param("x", 0), axis=Param("axis", 1)),
    Activation(("jax.nn.sigmoid", "flax.linen.sigmoid", "flax.nnx.sigmoid", "jax.scipy.special.expit"),
               Fn.SIGMOID, F, "jax", input=Param("x", 0), axis=None, log_form="jax.nn.log_sigmoid"),
    Activation(("jax.nn.log_sigmoid", "flax.linen.log_sigmoid"), Fn.LOG_SIGMOID, F, "jax",
               input=Param("x", 0), axis=None),
    Activation(("jax.numpy.log",), Fn.LOG, F, "jax", input=Param("x", 0), axis=None),
    # NumPy / SciPy (scipy's softmax normalises over the whole array unless given an axis)
    Activation(("scipy.special.softmax",), Fn.SOFTMAX, F, "scipy", input=Param("x", 0), axis=Param("axis", 1),
               axis_default=None, log_form="scipy.special.log_softmax"),
    Activation(("scipy.special.log_softmax",), Fn.LOG_SOFTMAX, F, "scipy", input=Param("x", 0),
               axis=Param("axis", 1), axis_default=None),
    Activation(("scipy.special.expit",), Fn.SIGMOID, F, "scipy", input=Param("x", 0), axis=None,
               log_form="scipy.special.log_expit"),
    Activation(("scipy.special.log_expit",), Fn.LOG_SIGMOID, F, "scipy", input=Param("x", 0), axis=None),
    Activation(("numpy.log",), Fn.LOG, F, "numpy", input=Param("x", 0), axis=None),
)

# Keras `activation=` strings and what they apply ("linear"/None apply nothing).
ACTIVATION_STRINGS: dict[str, Fn] = {
    "softmax": Fn.SOFTMAX,
    "log_softmax": Fn.LOG_SOFTMAX,
    "sigmoid": Fn.SIGMOID,
    "log_sigmoid": Fn.LOG_SIGMOID,
}
IDENTITY_ACTIVATION_STRINGS = frozenset({"linear", "None"})

# ---------------------------------------------------------------- cross-entropy losses
_KERAS_TRUE_PRED = dict(prediction=Param("y_pred", 1), label=Param("y_true", 0))
_KERAS_BACKEND = dict(prediction=Param("output", 1), label=Param("target", 0))
_TORCH_INPUT_TARGET = dict(prediction=Param("input", 0), label=Param("target", 1), reduction=Param("reduction"),
                           reduction_default="mean")
_FASTAI_INPUT_TARGET = dict(prediction=Param("inp", 0), label=Param("targ", 1), axis=Param("axis"),
                            reduction=Param("reduction"), reduction_default="mean")


def _fastai(name: str) -> tuple[str, ...]:
    return f"fastai.losses.{name}", f"fastai.layers.{name}"


_TF_LABELS_LOGITS = dict(prediction=Param("logits", 1), label=Param("labels", 0))
_OPTAX = dict(prediction=Param("logits", 0), label=Param("labels", 1))

_CCE = "keras.losses.CategoricalCrossentropy"
_SCCE = "keras.losses.SparseCategoricalCrossentropy"
_CCE_FN = "keras.losses.categorical_crossentropy"
_SCCE_FN = "keras.losses.sparse_categorical_crossentropy"
_TF_SOFTMAX_CE = "tensorflow.nn.softmax_cross_entropy_with_logits"
_TF_SPARSE_CE = "tensorflow.nn.sparse_softmax_cross_entropy_with_logits"
_OPTAX_CE = "optax.softmax_cross_entropy"
_OPTAX_SPARSE_CE = "optax.softmax_cross_entropy_with_integer_labels"

LOSSES: tuple[Loss, ...] = (
    # Keras classes: from_logits is a constructor argument.
    Loss((_CCE, "tensorflow.losses.CategoricalCrossentropy"), C, "keras", **_KERAS_TRUE_PRED,
         expects=Expects.PROBABILITIES, labels=Labels.ONE_HOT, from_logits=Param("from_logits", 0),
         axis=Param("axis", 2), sparse=_SCCE,
         options=(Param("label_smoothing", 1), Param("reduction", 3), Param("name", 4), Param("dtype", 5))),
    # Keras 2 has no `axis` here and puts `name` at 3: both are keywords for a fix.
    Loss((_SCCE, "tensorflow.losses.SparseCategoricalCrossentropy"), C, "keras", **_KERAS_TRUE_PRED,
         expects=Expects.PROBABILITIES, labels=Labels.SPARSE, from_logits=Param("from_logits", 0),
         axis=Param("axis"), one_hot=_CCE,
         options=(Param("ignore_class", 1), Param("reduction", 2), Param("name"), Param("dtype"))),
    Loss(("keras.losses.BinaryCrossentropy", "tensorflow.losses.BinaryCrossentropy"), C, "keras",
         **_KERAS_TRUE_PRED, expects=Expects.PROBABILITIES, labels=Labels.BINARY,
         from_logits=Param("from_logits", 0), axis=Param("axis", 2)),
    Loss(("keras.losses.BinaryFocalCrossentropy", "tensorflow.losses.BinaryFocalCrossentropy"), C, "keras",
         **_KERAS_TRUE_PRED, expects=Expects.PROBABILITIES, labels=Labels.BINARY,
         from_logits=Param("from_logits", 3), axis=Param("axis")),
    Loss(("keras.losses.CategoricalFocalCrossentropy", "tensorflow.losses.CategoricalFocalCrossentropy"), C,
         "keras", **_KERAS_TRUE_PRED, expects=Expects.PROBABILITIES, labels=Labels.ONE_HOT,
         from_logits=Param("from_logits", 2), axis=Param("axis")),
    # Keras functions and their compile() strings.
    Loss((_CCE_FN, "keras.metrics.categorical_crossentropy", "tensorflow.losses.categorical_crossentropy"), F,
         "keras", **_KERAS_TRUE_PRED, expects=Expects.PROBABILITIES, labels=Labels.ONE_HOT,
         from_logits=Param("from_logits", 2), axis=Param("axis", 4), sparse=_SCCE_FN,
         keras_string="categorical_crossentropy", keras_class=_CCE, options=(Param("label_smoothing", 3),)),
    Loss((_SCCE_FN, "keras.metrics.sparse_categorical_crossentropy",
          "tensorflow.losses.sparse_categorical_crossentropy"), F, "keras", **_KERAS_TRUE_PRED,
         expects=Expects.PROBABILITIES, labels=Labels.SPARSE, from_logits=Param("from_logits", 2),
         axis=Param("axis", 4), one_hot=_CCE_FN, keras_string="sparse_categorical_crossentropy", keras_class=_SCCE,
         options=(Param("ignore_class", 3),)),
    Loss(("keras.losses.binary_crossentropy", "keras.metrics.binary_crossentropy",
          "tensorflow.losses.binary_crossentropy"), F, "keras", **_KERAS_TRUE_PRED,
         expects=Expects.PROBABILITIES, labels=Labels.BINARY, from_logits=Param("from_logits", 2),
         axis=Param("axis", 4), keras_string="binary_crossentropy",
         keras_class="keras.losses.BinaryCrossentropy"),
    Loss(("keras.losses.binary_focal_crossentropy", "tensorflow.losses.binary_focal_crossentropy"), F, "keras",
         **_KERAS_TRUE_PRED, expects=Expects.PROBABILITIES, labels=Labels.BINARY,
         from_logits=Param("from_logits", 5), axis=Param("axis", 7), keras_string="binary_focal_crossentropy",
         keras_class="keras.losses.BinaryFocalCrossentropy"),
    Loss(("keras.losses.categorical_focal_crossentropy", "tensorflow.losses.categorical_focal_crossentropy"), F,
         "keras", **_KERAS_TRUE_PRED, expects=Expects.PROBABILITIES, labels=Labels.ONE_HOT,
         from_logits=Param("from_logits", 4), axis=Param("axis", 6),
         keras_string="categorical_focal_crossentropy",
         keras_class="keras.losses.CategoricalFocalCrossentropy"),
    # Keras backend / ops spell (target, output).
    Loss(("keras.backend.categorical_crossentropy", "keras.ops.categorical_crossentropy"), F, "keras",
         **_KERAS_BACKEND, expects=Expects.PROBABILITIES, labels=Labels.ONE_HOT,
         from_logits=Param("from_logits", 2), axis=Param("axis", 3),
         sparse="keras.ops.sparse_categorical_crossentropy"),
    Loss(("keras.backend.sparse_categorical_crossentropy", "keras.ops.sparse_categorical_crossentropy"), F,
         "keras", **_KERAS_BACKEND, expects=Expects.PROBABILITIES, labels=Labels.SPARSE,
         from_logits=Param("from_logits", 2), axis=Param("axis", 3), one_hot="keras.ops.categorical_crossentropy",
         options=(Param("ignore_class", 4),)),
    Loss(("keras.backend.binary_crossentropy", "keras.ops.binary_crossentropy"), F, "keras", **_KERAS_BACKEND,
         expects=Expects.PROBABILITIES, labels=Labels.BINARY, from_logits=Param("from_logits", 2)),
    # TensorFlow nn: TF1 guarded these with a `_sentinel` first parameter, so positional calls
    # mean different arguments (or fail) across versions. TF1's `dim` is the axis.
    Loss((_TF_SOFTMAX_CE, "tensorflow.compat.v1.nn.softmax_cross_entropy_with_logits_v2",
          "tensorflow.nn.softmax_cross_entropy_with_logits_v2",
          "tensorflow.compat.v1.nn.softmax_cross_entropy_with_logits"), F, "tensorflow", **_TF_LABELS_LOGITS,
         expects=Expects.LOGITS, labels=Labels.ONE_HOT, axis=Param("axis", 2), sparse=_TF_SPARSE_CE,
         options=(Param("dim"), Param("name", 3)), keyword_only_in_tf1=True),
    Loss((_TF_SPARSE_CE, "tensorflow.compat.v1.nn.sparse_softmax_cross_entropy_with_logits"), F, "tensorflow",
         **_TF_LABELS_LOGITS, expects=Expects.LOGITS, labels=Labels.SPARSE, one_hot=_TF_SOFTMAX_CE,
         options=(Param("name", 2),), keyword_only_in_tf1=True),
    Loss(("tensorflow.nn.sigmoid_cross_entropy_with_logits",
          "tensorflow.compat.v1.nn.sigmoid_cross_entropy_with_logits"), F, "tensorflow", **_TF_LABELS_LOGITS,
         expects=Expects.LOGITS, labels=Labels.BINARY, keyword_only_in_tf1=True),
    Loss(("tensorflow.nn.weighted_cross_entropy_with_logits",), F, "tensorflow", **_TF_LABELS_LOGITS,
         expects=Expects.LOGITS, labels=Labels.BINARY),
    # tf.compat.v1.losses (TF1's tf.losses): labels first.
    Loss(("tensorflow.compat.v1.losses.softmax_cross_entropy", "tensorflow.losses.softmax_cross_entropy"), F,
         "tensorflow", prediction=Param("logits", 1), label=Param("onehot_labels", 0), expects=Expects.LOGITS,
         labels=Labels.ONE_HOT, sparse="tensorflow.compat.v1.losses.sparse_softmax_cross_entropy",
         options=(Param("weights", 2), Param("label_smoothing", 3), Param("scope", 4), Param("loss_collection", 5),
                  Param("reduction", 6))),
    Loss(("tensorflow.compat.v1.losses.sparse_softmax_cross_entropy",
          "tensorflow.losses.sparse_softmax_cross_entropy"), F, "tensorflow", **_TF_LABELS_LOGITS,
         expects=Expects.LOGITS, labels=Labels.SPARSE,
         one_hot="tensorflow.compat.v1.losses.softmax_cross_entropy",
         options=(Param("weights", 2), Param("scope", 3), Param("loss_collection", 4), Param("reduction", 5))),
    Loss(("tensorflow.compat.v1.losses.sigmoid_cross_entropy", "tensorflow.losses.sigmoid_cross_entropy"), F,
         "tensorflow", prediction=Param("logits", 1), label=Param("multi_class_labels", 0),
         expects=Expects.LOGITS, labels=Labels.BINARY),
    Loss(("tensorflow.compat.v1.losses.log_loss", "tensorflow.losses.log_loss"), F, "tensorflow",
         prediction=Param("predictions", 1), label=Param("labels", 0), expects=Expects.PROBABILITIES,
         labels=Labels.BINARY),
    # tf.contrib.losses (removed in TF 2): logits first.
    Loss(("tensorflow.contrib.losses.softmax_cross_entropy",), F, "tensorflow", prediction=Param("logits", 0),
         label=Param("onehot_labels", 1), expects=Expects.LOGITS, labels=Labels.ONE_HOT),
    Loss(("tensorflow.contrib.losses.sparse_softmax_cross_entropy",), F, "tensorflow",
         prediction=Param("logits", 0), label=Param("labels", 1), expects=Expects.LOGITS, labels=Labels.SPARSE),
    Loss(("tensorflow.contrib.losses.sigmoid_cross_entropy",), F, "tensorflow", prediction=Param("logits", 0),
         label=Param("multi_class_labels", 1), expects=Expects.LOGITS, labels=Labels.BINARY),
    Loss(("tensorflow.contrib.losses.log_loss",), F, "tensorflow", prediction=Param("predictions", 0),
         label=Param("labels", 1), expects=Expects.PROBABILITIES, labels=Labels.BINARY),
    # Sampled losses: training-time estimates of a softmax cross-entropy.
    Loss(("tensorflow.nn.sampled_softmax_loss", "tensorflow.compat.v1.nn.sampled_softmax_loss"), F, "tensorflow",
         prediction=Param("inputs", 3), label=Param("labels", 2), expects=Expects.LOGITS, labels=Labels.SPARSE,
         sampled=True),
    Loss(("tensorflow.nn.nce_loss", "tensorflow.compat.v1.nn.nce_loss"), F, "tensorflow",
         prediction=Param("inputs", 3), label=Param("labels", 2), expects=Expects.LOGITS, labels=Labels.SPARSE,
         sampled=True),
    # PyTorch: class dimension 1.
    Loss(("torch.nn.CrossEntropyLoss", "torch.nn.modules.loss.CrossEntropyLoss"), C, "torch",
         **_TORCH_INPUT_TARGET, expects=Expects.LOGITS, labels=Labels.SPARSE_OR_PROBABILITIES, axis_default=1),
    Loss(("torch.nn.functional.cross_entropy",), F, "torch", **_TORCH_INPUT_TARGET, expects=Expects.LOGITS,
         labels=Labels.SPARSE_OR_PROBABILITIES, axis_default=1),
    # NLL on log_softmax(z) is cross-entropy on z: CrossEntropyLoss is NLLLoss "with logits".
    Loss(("torch.nn.NLLLoss", "torch.nn.modules.loss.NLLLoss"), C, "torch", **_TORCH_INPUT_TARGET,
         expects=Expects.LOG_PROBABILITIES, labels=Labels.SPARSE, axis_default=1,
         with_logits="torch.nn.CrossEntropyLoss"),
    Loss(("torch.nn.functional.nll_loss",), F, "torch", **_TORCH_INPUT_TARGET,
         expects=Expects.LOG_PROBABILITIES, labels=Labels.SPARSE, axis_default=1,
         with_logits="torch.nn.functional.cross_entropy"),
    Loss(("torch.nn.BCELoss", "torch.nn.modules.loss.BCELoss"), C, "torch", **_TORCH_INPUT_TARGET,
         expects=Expects.PROBABILITIES, labels=Labels.BINARY, with_logits="torch.nn.BCEWithLogitsLoss"),
    Loss(("torch.nn.functional.binary_cross_entropy",), F, "torch", **_TORCH_INPUT_TARGET,
         expects=Expects.PROBABILITIES, labels=Labels.BINARY,
         with_logits="torch.nn.functional.binary_cross_entropy_with_logits"),
    Loss(("torch.nn.BCEWithLogitsLoss", "torch.nn.modules.loss.BCEWithLogitsLoss"), C, "torch",
         **_TORCH_INPUT_TARGET, expects=Expects.LOGITS, labels=Labels.BINARY),
    Loss(("torch.nn.functional.binary_cross_entropy_with_logits",), F, "torch", **_TORCH_INPUT_TARGET,
         expects=Expects.LOGITS, labels=Labels.BINARY),
    # fastai 2.7 (fastai/losses.py; fastai.layers before 2.1): torch's losses behind `BaseLoss`, which
    # flattens both tensors with the class axis last and calls the loss as `(inp, targ)`.
    Loss(_fastai("CrossEntropyLossFlat"), C, "torch", **_FASTAI_INPUT_TARGET, expects=Expects.LOGITS,
         labels=Labels.SPARSE),
    Loss(_fastai("BCELossFlat"), C, "torch", **_FASTAI_INPUT_TARGET, expects=Expects.PROBABILITIES,
         labels=Labels.BINARY, with_logits="fastai.losses.BCEWithLogitsLossFlat"),
    Loss(_fastai("BCEWithLogitsLossFlat"), C, "torch", **_FASTAI_INPUT_TARGET, expects=Expects.LOGITS,
         labels=Labels.BINARY),
    # optax: logits first.
    Loss((_OPTAX_CE, "optax.losses.softmax_cross_entropy"), F, "jax", **_OPTAX, expects=Expects.LOGITS,
         labels=Labels.ONE_HOT, axis=Param("axis", 2), sparse=_OPTAX_SPARSE_CE, options=(Param("where", 3),)),
    Loss((_OPTAX_SPARSE_CE, "optax.losses.softmax_cross_entropy_with_integer_labels"), F, "jax", **_OPTAX,
         expects=Expects.LOGITS, labels=Labels.SPARSE, axis=Param("axis", 2), one_hot=_OPTAX_CE,
         options=(Param("where", 3),)),
    Loss(("optax.sigmoid_binary_cross_entropy", "optax.losses.sigmoid_binary_cross_entropy"), F, "jax",
         **_OPTAX, expects=Expects.LOGITS, labels=Labels.BINARY),
    # Losses that take log-probabilities and are not cross-entropies over class indices. KL divergence
    # is elementwise in torch (no class axis); CTC reads (T, N, C) log_softmax output.
    Loss(("torch.nn.KLDivLoss", "torch.nn.modules.loss.KLDivLoss"), C, "torch", **_TORCH_INPUT_TARGET,
         expects=Expects.LOG_PROBABILITIES, labels=Labels.DISTRIBUTION, axis_default=None,
         log_target=Param("log_target", 3)),
    Loss(("torch.nn.functional.kl_div",), F, "torch", **_TORCH_INPUT_TARGET, expects=Expects.LOG_PROBABILITIES,
         labels=Labels.DISTRIBUTION, axis_default=None, log_target=Param("log_target", 5)),
    Loss(("torch.nn.CTCLoss", "torch.nn.modules.loss.CTCLoss"), C, "torch", prediction=Param("log_probs", 0),
         label=Param("targets", 1), expects=Expects.LOG_PROBABILITIES, labels=Labels.SEQUENCE, axis_default=None,
         reduction=Param("reduction", 1), reduction_default="mean"),
    Loss(("torch.nn.functional.ctc_loss",), F, "torch", prediction=Param("log_probs", 0), label=Param("targets", 1),
         expects=Expects.LOG_PROBABILITIES, labels=Labels.SEQUENCE, axis_default=None,
         reduction=Param("reduction", 5), reduction_default="mean"),
    Loss(("optax.kl_divergence", "optax.losses.kl_divergence"), F, "jax", prediction=Param("log_predictions", 0),
         label=Param("targets", 1), expects=Expects.LOG_PROBABILITIES, labels=Labels.DISTRIBUTION,
         axis=Param("axis", 2)),
)

# ---------------------------------------------------------------- label producers
LABEL_PRODUCERS: tuple[LabelProducer, ...] = (
    LabelProducer(("tensorflow.one_hot", "tensorflow.keras.backend.one_hot", "keras.backend.one_hot"),
                  Labels.ONE_HOT, F, "any", input=Param("indices", 0)),
    LabelProducer(("keras.ops.one_hot", "keras.utils.to_categorical", "keras.utils.np_utils.to_categorical",
                   "jax.nn.one_hot"), Labels.ONE_HOT, F, "any", input=Param("x", 0)),
    LabelProducer(("torch.nn.functional.one_hot",), Labels.ONE_HOT, F, "torch", input=Param("tensor", 0),
                  integer=True),
    LabelProducer(("optax.smooth_labels",), Labels.ONE_HOT, F, "jax"),
    LabelProducer(("pandas.get_dummies",), Labels.ONE_HOT, F, "pandas"),
    LabelProducer(("tensorflow.argmax", "tensorflow.math.argmax", "keras.backend.argmax", "keras.ops.argmax",
                   "torch.argmax", "numpy.argmax", "jax.numpy.argmax"), Labels.SPARSE, F, "any"),
    LabelProducer(("argmax", "long"), Labels.SPARSE, M, "any"),
)

# Integer dtypes: a cast to one of these yields sparse labels.
INTEGER_DTYPES = frozenset({
    "tensorflow.int32", "tensorflow.int64", "tensorflow.uint8", "tensorflow.int16",
    "torch.long", "torch.int64", "torch.int32", "torch.int", "torch.int16", "torch.uint8",
    "numpy.int32", "numpy.int64", "numpy.int_", "numpy.intp", "numpy.uint8", "int",
    "jax.numpy.int32", "jax.numpy.int64",
})
INTEGER_DTYPE_STRINGS = frozenset({"int32", "int64", "int16", "uint8", "int", "long"})
# Float dtypes: `.to(torch.float32)` makes an integer one-hot tensor a float one (probabilities).
FLOAT_DTYPES = frozenset({
    "torch.float", "torch.float32", "torch.float64", "torch.double", "torch.half", "torch.float16",
    "torch.bfloat16", "numpy.float32", "numpy.float64", "numpy.float16", "tensorflow.float32",
    "tensorflow.float64", "tensorflow.float16", "float", "float32", "float64", "float16",
})
# Calls whose second argument (or `dtype=`) is a dtype: tf.cast(x, tf.int32).
CASTS = frozenset({"tensorflow.cast", "keras.ops.cast", "keras.backend.cast", "tensorflow.dtypes.cast"})
# Methods taking a dtype: x.astype(int), x.to(torch.long), x.type(torch.LongTensor).
CAST_METHODS = frozenset({"astype", "to", "type"})
# np.eye(n)[y] is one-hot.
IDENTITY_MATRICES = frozenset({"numpy.eye", "numpy.identity", "torch.eye", "tensorflow.eye", "jax.numpy.eye"})
# Visible sizes of the last axis, for a softmax over it (TF1's `tf.nn.softmax(tf.matmul(x, W) + b)`):
# calls that take the shape as a list (`tf.zeros([784, 1])`), calls that keep their argument's shape,
# and matrix products, whose last axis is their second argument's (unless it is transposed).
SHAPE_ARGUMENTS: dict[str, Param] = {
    **dict.fromkeys(("tensorflow.zeros", "tensorflow.ones", "tensorflow.random.normal", "tensorflow.random_normal",
                     "tensorflow.random.truncated_normal", "tensorflow.truncated_normal",
                     "tensorflow.compat.v1.random_normal", "tensorflow.compat.v1.truncated_normal"),
                    Param("shape", 0)),
    **dict.fromkeys(("tensorflow.get_variable", "tensorflow.compat.v1.get_variable", "tensorflow.reshape"),
                    Param("shape", 1)),
}
SHAPE_KEEPING: dict[str, Param] = dict.fromkeys(("tensorflow.Variable", "tensorflow.compat.v1.Variable"),
                                                Param("initial_value", 0))
MATMULS: dict[str, Param] = dict.fromkeys(("tensorflow.matmul", "tensorflow.linalg.matmul"), Param("b", 1))
MATMUL_TRANSPOSES = frozenset({"transpose_b", "adjoint_b"})
# Datasets whose labels are class indices. Keras: `(x_train, y_train), (x_test, y_test) = load_data()`.
LABELLED_SPLITS = frozenset({
    "keras.datasets.mnist.load_data", "keras.datasets.fashion_mnist.load_data", "keras.datasets.cifar10.load_data",
    "keras.datasets.cifar100.load_data", "keras.datasets.reuters.load_data", "keras.datasets.imdb.load_data",
})
# scikit-learn: `X, y = load_iris(return_X_y=True)`, `X, y = make_classification(...)`.
LABELLED_PAIRS = frozenset({
    "sklearn.datasets.load_iris", "sklearn.datasets.load_digits", "sklearn.datasets.load_wine",
    "sklearn.datasets.load_breast_cancer", "sklearn.datasets.make_classification", "sklearn.datasets.make_blobs",
    "sklearn.datasets.make_moons", "sklearn.datasets.make_circles",
})
# `a_train, a_test, b_train, b_test = train_test_split(a, b)`: each array's halves mean what it meant.
ARRAY_SPLITTERS = frozenset({"sklearn.model_selection.train_test_split"})

# ---------------------------------------------------------------- tensor constructors
# Where a dataset's labels are made: class indices when visibly integer (see TensorConstructor).
TENSOR_CONSTRUCTORS: tuple[TensorConstructor, ...] = (
    TensorConstructor(("numpy.array", "jax.numpy.array"), "numpy", data=Param("object", 0), dtype=Param("dtype", 1)),
    TensorConstructor(("numpy.asarray", "jax.numpy.asarray"), "numpy", data=Param("a", 0), dtype=Param("dtype", 1)),
    TensorConstructor(("torch.tensor",), "torch", data=Param("data", 0), dtype=Param("dtype")),
    TensorConstructor(("torch.as_tensor",), "torch", data=Param("data", 0), dtype=Param("dtype", 1)),
    TensorConstructor(("torch.from_numpy",), "torch", data=Param("ndarray", 0)),
    TensorConstructor(("torch.LongTensor", "torch.IntTensor", "torch.cuda.LongTensor", "torch.cuda.IntTensor"),
                      "torch", data=Param("data", 0), integer=True),
    TensorConstructor(("tensorflow.constant", "tensorflow.convert_to_tensor"), "tensorflow",
                      data=Param("value", 0), dtype=Param("dtype", 1)),
    TensorConstructor(("tensorflow.placeholder", "tensorflow.compat.v1.placeholder"), "tensorflow",
                      dtype=Param("dtype", 0), shape=Param("shape", 1)),
    TensorConstructor(("numpy.random.randint",), "numpy", shape=Param("size", 2), dtype=Param("dtype", 3),
                      integer=True),
    # torch.randint(high, size) or (low, high, size): the size is the tuple.
    TensorConstructor(("torch.randint",), "torch", shape=Param("size"), dtype=Param("dtype"), integer=True),
    TensorConstructor(("jax.random.randint",), "jax", shape=Param("shape", 1), dtype=Param("dtype", 4),
                      integer=True),
    TensorConstructor(("keras.random.randint",), "keras", shape=Param("shape", 0), dtype=Param("dtype", 3),
                      integer=True),
    TensorConstructor(("tensorflow.random.uniform", "tensorflow.random_uniform", "tensorflow.compat.v1.random_uniform"),
                      "tensorflow", shape=Param("shape", 0), dtype=Param("dtype", 3)),
    # Ranges are integer unless a bound or step is a float literal.
    TensorConstructor(("numpy.arange", "jax.numpy.arange", "torch.arange", "keras.ops.arange"), "any",
                      dtype=Param("dtype"), integer=True),
    TensorConstructor(("tensorflow.range",), "tensorflow", dtype=Param("dtype", 3), integer=True),
)

# ---------------------------------------------------------------- model building blocks
LAYERS: tuple[Layer, ...] = (
    Layer(("keras.layers.Dense", "keras.layers.core.Dense"), "keras", units=Param("units", 0),
          activation=Param("activation", 1)),
    Layer(("keras.layers.Activation",), "keras", activation=Param("activation", 0)),
    Layer(("keras.layers.Conv1D", "keras.layers.Conv2D", "keras.layers.Conv3D"), "keras",
          units=Param("filters", 0), activation=Param("activation")),
    Layer(("torch.nn.Linear",), "torch", units=Param("out_features", 1)),
    Layer(("torch.nn.LazyLinear",), "torch", units=Param("out_features", 0)),
    Layer(("torch.nn.Conv1d", "torch.nn.Conv2d", "torch.nn.Conv3d"), "torch", units=Param("out_channels", 1)),
    Layer(("flax.linen.Dense",), "jax", units=Param("features", 0)),
    # TF1 layer functions build the layer and apply it in one call.
    Layer(("tensorflow.layers.dense", "tensorflow.compat.v1.layers.dense"), "tensorflow", units=Param("units", 1),
          activation=Param("activation", 2), input=Param("inputs", 0)),
    # tflearn 0.5: linear unless `activation=` is given.
    Layer(("tflearn.fully_connected", "tflearn.layers.fully_connected", "tflearn.layers.core.fully_connected"),
          "tflearn", units=Param("n_units", 1), activation=Param("activation", 2), input=Param("incoming", 0)),
    # TF1 contrib/slim: relu unless `activation_fn=None` is passed.
    Layer(("tensorflow.contrib.layers.fully_connected", "tensorflow.contrib.slim.fully_connected"), "tensorflow",
          units=Param("num_outputs", 1), activation=Param("activation_fn", 2), input=Param("inputs", 0),
          activation_default="relu"),
)

# Snippets without imports (RULES.md): the names documentation and questions use unqualified.
FRAMEWORK_MODULES = frozenset({"tensorflow", "keras", "tf_keras", "torch", "jax", "flax", "optax"})
SNIPPET_CONVENTIONS: dict[str, str] = {
    "tf": "tensorflow", "keras": "keras", "K": "keras.backend", "np": "numpy", "jnp": "jax.numpy",
    "torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional", "optax": "optax", "jax": "jax",
    "Sequential": "keras.Sequential", "Model": "keras.Model", "Input": "keras.Input",
    "to_categorical": "keras.utils.to_categorical",
    **{layer: f"keras.layers.{layer}" for layer in (
        "Dense", "Activation", "Softmax", "Conv1D", "Conv2D", "Conv3D", "Dropout", "Flatten", "LSTM", "GRU",
        "Embedding", "MaxPooling2D", "BatchNormalization")},
}
KERAS_SEQUENTIAL = frozenset({"keras.Sequential", "keras.models.Sequential"})
KERAS_MODEL = frozenset({"keras.Model", "keras.models.Model"})
LIGHTNING_MODULE = frozenset({"pytorch_lightning.LightningModule", "lightning.pytorch.LightningModule",
                              "lightning.LightningModule"})
TORCH_MODULE = frozenset({"torch.nn.Module", *LIGHTNING_MODULE})
# The LightningModule methods Lightning's loops call with each batch: messages name them as the place.
LIGHTNING_STEPS = frozenset({"training_step", "validation_step", "test_step"})
TORCH_SEQUENTIAL = frozenset({"torch.nn.Sequential"})
FLAX_MODULE = frozenset({"flax.linen.Module"})
KERAS_LAYER = frozenset({"keras.layers.Layer", "keras.Layer"})
# Base classes whose subclasses are models, by framework, and the method a call of an instance runs.
MODEL_BASES: dict[str, str] = {**{name: "torch" for name in TORCH_MODULE}, **{name: "keras" for name in KERAS_MODEL},
                               **{name: "keras" for name in KERAS_LAYER}, **{name: "flax" for name in FLAX_MODULE}}
MODEL_OUTPUT_METHOD = {"torch": "forward", "keras": "call", "flax": "__call__"}
PARTIALS = frozenset({"functools.partial"})

# Tensor methods that keep what a value means (shape, device and float casts).
MEANING_PRESERVING_METHODS = frozenset({
    "squeeze", "unsqueeze", "view", "reshape", "flatten", "float", "double", "half", "cpu", "cuda", "detach",
    "contiguous", "clone", "to", "type_as", "permute", "transpose", "numpy", "to_numpy", "toarray",
})
# Attributes that give the same data in another container: `pd.get_dummies(y).values`, `t.data`.
MEANING_PRESERVING_ATTRIBUTES = frozenset({"values", "data"})
# Of those, the ones that may move or resize the class axis: its size is no longer known.
SHAPE_CHANGING_METHODS = frozenset({"squeeze", "unsqueeze", "view", "reshape", "flatten", "permute", "transpose"})
# Model methods whose result is the model's output.
MODEL_OUTPUT_METHODS = frozenset({"forward", "call", "predict", "predict_on_batch"})
# torch.nn.Module methods that return the module itself: `model = Net().to(device)`.
MODEL_SELF_METHODS = frozenset({"to", "cuda", "cpu", "train", "eval", "float", "double", "half", "requires_grad_"})
# The training call whose labels reach the loss compiled into a Keras model: fit(x, y).
# A Keras model's own `train_step`/`test_step` computes the compiled loss through these methods of
# `self` (tf.keras 2 `compiled_loss(y, y_pred)`, Keras 3 `compute_loss(x, y, y_pred)`, `self.loss`):
# their label and prediction arguments. A model that overrides `train_step` pairs the compiled loss there.
KERAS_STEP_LOSSES: dict[str, tuple[Param, Param]] = {
    "compiled_loss": (Param("y_true", 0), Param("y_pred", 1)),
    "compute_loss": (Param("y", 1), Param("y_pred", 2)),
    "loss": (Param("y_true", 0), Param("y_pred", 1)),
}
KERAS_TRAIN_STEP = "train_step"
KERAS_FIT_LABELS = Param("y", 1)
KERAS_COMPILE_LOSS = Param("loss", 1)
KERAS_COMPILE_METRICS = Param("metrics", 2)
# compile(metrics=["accuracy"]) with a binary cross-entropy: tf.keras/Keras 2 report binary accuracy
# (`is_binary_crossentropy` in get_metric_function); Keras 3 picks the accuracy from the shapes.
KERAS_ACCURACY_METRICS = frozenset({"accuracy", "acc"})
KERAS_BINARY_ACCURACY_LOSSES = frozenset({"keras.losses.BinaryCrossentropy", "keras.losses.binary_crossentropy"})
# compile(metrics=[...]) entries that threshold binary predictions at 0.5 or read them as probabilities
# (Keras 3.15 `keras/src/metrics`); each gets the argument that makes it read logits.
KERAS_BINARY_ACCURACY_STRINGS = frozenset({"binary_accuracy"})
METRICS: tuple[Metric, ...] = (
    Metric(("keras.metrics.BinaryAccuracy",), C, Param("threshold", 2), "0.0", ("0.5",)),
    Metric(("keras.metrics.AUC",), C, Param("from_logits", 9), "True", ("False",)),
    Metric(("keras.metrics.Precision", "keras.metrics.Recall"), C, Param("thresholds", 0), "0.0", ("None", "0.5")),
)
# The metric a string accuracy becomes on logits (spelled with the module's Keras import).
KERAS_LOGITS_ACCURACY = "keras.metrics.BinaryAccuracy"
# Rounding a binary prediction thresholds it at 0.5: `tf.round(p)`, `torch.round(p)`, `p.round()`.
ROUNDS = frozenset({"tensorflow.round", "tensorflow.math.round", "torch.round", "keras.ops.round", "keras.backend.round",
                    "numpy.round", "numpy.around", "jax.numpy.round"})
ROUND_METHOD = "round"
# Names code gives a per-class weight vector (compared lower-case, as parts of a name).
CLASS_WEIGHT_WORDS = ("class_weight", "classweight", "cls_weight", "weights_per_class")
# torch's per-class `weight=` of cross_entropy / CrossEntropyLoss.
TORCH_CLASS_WEIGHT = Param("weight", 2)
# Conv layers' `data_format`: with "channels_first" an `activation=` (last axis) misses the filters axis.
KERAS_DATA_FORMAT = Param("data_format")

# ---------------------------------------------------------------- removed and legacy APIs
# tf.contrib (removed in TF 2.0): signatures of TF 1.15 `tensorflow/contrib/losses/python/losses/
# loss_ops.py`, replacements in `tf.compat.v1.losses` (TF 2.21 `losses_impl.py`). Both reduce with
# the mean over present (non-zero) weights and add the loss to GraphKeys.LOSSES; the contrib form
# broadcast a lower-rank `weights` from the batch axis, compat.v1 requires rank 0 or the rank of
# the per-element losses (and raises otherwise), hence `unsafe_params`.
_V1_LOSSES = "tensorflow.compat.v1.losses"
_V1_TAIL = ("loss_collection", "reduction")
_TFA = "its successor is in TensorFlow Addons ({}), not in TensorFlow"
_WEIGHTS = ("weights",)
_OLD_WEIGHT = (("weight", "weights"),)  # contrib's pre-1.0 alias of `weights`


def _contrib_loss(name: str, new: Optional[str], note: str = "", **arguments: object) -> tuple[Rename, ...]:
    """`tf.contrib.losses.<name>` and slim's alias of that module, `tf.contrib.slim.losses.<name>`."""
    return tuple(Rename(f"{module}.{name}", new, note, **arguments)  # type: ignore[arg-type]
                 for module in ("tensorflow.contrib.losses", "tensorflow.contrib.slim.losses"))


CONTRIB_LOSSES: tuple[Rename, ...] = (
    *_contrib_loss("softmax_cross_entropy", f"{_V1_LOSSES}.softmax_cross_entropy", "labels first",
                   old_params=("logits", "onehot_labels", "weights", "label_smoothing", "scope"),
                   new_params=("onehot_labels", "logits", "weights", "label_smoothing", "scope", *_V1_TAIL),
                   keywords=_OLD_WEIGHT, unsafe_params=_WEIGHTS),
    *_contrib_loss("sparse_softmax_cross_entropy", f"{_V1_LOSSES}.sparse_softmax_cross_entropy", "labels first",
                   old_params=("logits", "labels", "weights", "scope"),
                   new_params=("labels", "logits", "weights", "scope", *_V1_TAIL),
                   keywords=_OLD_WEIGHT, unsafe_params=_WEIGHTS),
    *_contrib_loss("sigmoid_cross_entropy", f"{_V1_LOSSES}.sigmoid_cross_entropy", "labels first",
                   old_params=("logits", "multi_class_labels", "weights", "label_smoothing", "scope"),
                   new_params=("multi_class_labels", "logits", "weights", "label_smoothing", "scope", *_V1_TAIL),
                   keywords=_OLD_WEIGHT, unsafe_params=_WEIGHTS),
    *_contrib_loss("log_loss", f"{_V1_LOSSES}.log_loss", "labels first; same epsilon 1e-7",
                   old_params=("predictions", "labels", "weights", "epsilon", "scope"),
                   new_params=("labels", "predictions", "weights", "epsilon", "scope", *_V1_TAIL),
                   keywords=_OLD_WEIGHT, unsafe_params=_WEIGHTS),
    *_contrib_loss("absolute_difference", f"{_V1_LOSSES}.absolute_difference", "labels first",
                   old_params=("predictions", "labels", "weights", "scope"),
                   new_params=("labels", "predictions", "weights", "scope", *_V1_TAIL),
                   keywords=_OLD_WEIGHT, unsafe_params=_WEIGHTS),
    *_contrib_loss("mean_squared_error", f"{_V1_LOSSES}.mean_squared_error", "labels first",
                   old_params=("predictions", "labels", "weights", "scope"),
                   new_params=("labels", "predictions", "weights", "scope", *_V1_TAIL),
                   keywords=_OLD_WEIGHT, unsafe_params=_WEIGHTS),
    *_contrib_loss("cosine_distance", f"{_V1_LOSSES}.cosine_distance", "labels first",
                   old_params=("predictions", "labels", "axis", "weights", "scope", "dim"),
                   new_params=("labels", "predictions", "axis", "weights", "scope", *_V1_TAIL, "dim"),
                   keywords=_OLD_WEIGHT, unsafe_params=_WEIGHTS),
    # contrib's hinge_loss returned the unreduced losses and did not collect them.
    *_contrib_loss("hinge_loss", f"{_V1_LOSSES}.hinge_loss",
                   "labels first; unreduced and uncollected as before",
                   old_params=("logits", "labels", "scope"),
                   new_params=("labels", "logits", "weights", "scope", *_V1_TAIL),
                   added=(("loss_collection", "None"), ("reduction", '"none"'))),
    *_contrib_loss("compute_weighted_loss", f"{_V1_LOSSES}.compute_weighted_loss", "",
                   old_params=("losses", "weights", "scope"), new_params=("losses", "weights", "scope", *_V1_TAIL),
                   keywords=_OLD_WEIGHT, unsafe_params=_WEIGHTS),
    *_contrib_loss("add_loss", f"{_V1_LOSSES}.add_loss"),
    *_contrib_loss("get_losses", f"{_V1_LOSSES}.get_losses"),
    *_contrib_loss("get_regularization_losses", f"{_V1_LOSSES}.get_regularization_losses"),
    *_contrib_loss("get_total_loss", f"{_V1_LOSSES}.get_total_loss"),
    *_contrib_loss("mean_pairwise_squared_error", None,
                   "`tf.compat.v1.losses.mean_pairwise_squared_error` divides by n - 1 where contrib divided "
                   "by n, so its values are n / (n - 1) times larger"),
    *(row for name in ("contrastive_loss", "triplet_semihard_loss", "npairs_loss", "npairs_loss_multilabel",
                       "lifted_struct_loss", "cluster_loss")
      for row in _contrib_loss(f"metric_learning.{name}", None, _TFA.format(f"`tfa.losses.{name}`"))),
    Rename("tensorflow.contrib.seq2seq.sequence_loss", None, _TFA.format("`tfa.seq2seq.sequence_loss`")),
    Rename("tensorflow.contrib.legacy_seq2seq.sequence_loss", None,
           "average the per-step `tf.nn.sparse_softmax_cross_entropy_with_logits` over the `weights`"),
    Rename("tensorflow.contrib.legacy_seq2seq.sequence_loss_by_example", None,
           "sum the per-step `tf.nn.sparse_softmax_cross_entropy_with_logits` weighted by `weights`"),
    # contrib.nn's flipped wrappers called tf.nn with (labels, logits) by keyword.
    Rename("tensorflow.contrib.nn.deprecated_flipped_softmax_cross_entropy_with_logits",
           "tensorflow.compat.v1.nn.softmax_cross_entropy_with_logits",
           "keywords; the v1 function stops the gradient into `labels`, as the wrapper did",
           old_params=("logits", "labels", "dim", "name")),
    Rename("tensorflow.contrib.nn.deprecated_flipped_sparse_softmax_cross_entropy_with_logits",
           "tensorflow.nn.sparse_softmax_cross_entropy_with_logits", "keywords",
           old_params=("logits", "labels", "name")),
    Rename("tensorflow.contrib.nn.deprecated_flipped_sigmoid_cross_entropy_with_logits",
           "tensorflow.nn.sigmoid_cross_entropy_with_logits", "keywords; `targets` is now `labels`",
           old_params=("logits", "targets", "name"), keywords=(("targets", "labels"),)),
    Rename("tensorflow.contrib.nn.sampled_sparse_softmax_loss", None,
           "`tf.nn.sampled_softmax_loss` takes other arguments (`weights`, `biases`, `num_classes`)"),
    Rename("tensorflow.contrib.nn.rank_sampled_softmax_loss", None, "no TensorFlow 2 equivalent"),
    Rename("tensorflow.contrib.kernel_methods.sparse_multiclass_hinge_loss", None, "no TensorFlow 2 equivalent"),
    Rename("tensorflow.contrib.gan.losses.*", None, "its successor is TF-GAN (`tensorflow_gan.losses`)"),
)

# TF1 names that TensorFlow 2 no longer has (checked against TF 2.21). TF1's `tf.losses` is
# `tf.compat.v1.losses`; TF 2's `tf.losses` is the Keras losses module, which is not flagged.
_TF1_LOSSES = ("absolute_difference", "add_loss", "compute_weighted_loss", "cosine_distance", "get_losses",
               "get_regularization_loss", "get_regularization_losses", "get_total_loss", "hinge_loss",
               "huber_loss", "log_loss", "mean_pairwise_squared_error", "sigmoid_cross_entropy",
               "softmax_cross_entropy", "sparse_softmax_cross_entropy")
_SAME_FUNCTION = "the same function"
# tf.compat.v1.losses.Reduction members; TF 2's tf.losses.Reduction is Keras' and has other values.
_TF1_REDUCTIONS = ("MEAN", "SUM_BY_NONZERO_WEIGHTS", "SUM_OVER_NONZERO_WEIGHTS")
_TF1_REDUCTIONS_KERAS_SPELLS = ("NONE", "SUM", "SUM_OVER_BATCH_SIZE")

TF1_ONLY: tuple[Rename, ...] = (
    *(Rename(f"tensorflow.losses.{name}", f"{_V1_LOSSES}.{name}", _SAME_FUNCTION) for name in _TF1_LOSSES),
    Rename("tensorflow.losses.mean_squared_error", None,
           "TF1 code means `tf.compat.v1.losses.mean_squared_error(labels, predictions)` (a scalar); "
           "TF 2.0-2.15 code meant `tf.keras.losses.mean_squared_error(y_true, y_pred)` (one value per "
           "example): the intent decides"),
    *(Rename(f"tensorflow.losses.Reduction.{name}", f"{_V1_LOSSES}.Reduction.{name}", "the same constant")
      for name in _TF1_REDUCTIONS),
    Rename("tensorflow.log", "tensorflow.math.log", "the same op"),
    Rename("tensorflow.log1p", "tensorflow.math.log1p", "the same op"),
    Rename("tensorflow.log_sigmoid", "tensorflow.math.log_sigmoid", "the same op"),
    Rename("tensorflow.squared_difference", "tensorflow.math.squared_difference", "the same op"),
    # TF 1.15 signature; TF 1.5-1.14 put a `_sentinel` first and rejected positional calls.
    Rename("tensorflow.nn.softmax_cross_entropy_with_logits_v2", "tensorflow.nn.softmax_cross_entropy_with_logits",
           "keywords; `dim` is now `axis`", old_params=("labels", "logits", "axis", "name", "dim"),
           keywords=(("dim", "axis"),)),
)
# Names TF 2 still has with another meaning: renamed only as arguments of a TF1 call that a fix
# moves to tf.compat.v1 (TF1's Reduction.SUM is "weighted_sum", Keras' is "sum").
TF1_ARGUMENTS: tuple[Rename, ...] = tuple(
    Rename(f"tensorflow.losses.Reduction.{name}", f"{_V1_LOSSES}.Reduction.{name}", "the same constant")
    for name in _TF1_REDUCTIONS_KERAS_SPELLS)

# PyTorch losses that accept the legacy `size_average`/`reduce` flags (PyTorch 2.13 signatures).
# Either flag given (not None) overrides `reduction`, through torch/nn/_reduction.py:legacy_get_string.
_TORCH_LEGACY = ("size_average", "reduce", "reduction")


def _torch_loss_class(name: str, *params: str) -> LegacyReduction:
    return LegacyReduction((f"torch.nn.{name}", f"torch.nn.modules.loss.{name}"), C, params)


def _torch_loss_function(name: str, *params: str) -> LegacyReduction:
    return LegacyReduction((f"torch.nn.functional.{name}",), F, params)


TORCH_LEGACY_REDUCTION_LOSSES: tuple[LegacyReduction, ...] = (
    _torch_loss_class("BCELoss", "weight", *_TORCH_LEGACY),
    _torch_loss_class("BCEWithLogitsLoss", "weight", *_TORCH_LEGACY, "pos_weight"),
    _torch_loss_class("CosineEmbeddingLoss", "margin", *_TORCH_LEGACY),
    _torch_loss_class("CrossEntropyLoss", "weight", "size_average", "ignore_index", "reduce", "reduction",
                      "label_smoothing"),
    _torch_loss_class("HingeEmbeddingLoss", "margin", *_TORCH_LEGACY),
    _torch_loss_class("KLDivLoss", *_TORCH_LEGACY, "log_target"),
    _torch_loss_class("L1Loss", *_TORCH_LEGACY),
    _torch_loss_class("MSELoss", *_TORCH_LEGACY),
    _torch_loss_class("MarginRankingLoss", "margin", *_TORCH_LEGACY),
    _torch_loss_class("MultiLabelMarginLoss", *_TORCH_LEGACY),
    _torch_loss_class("MultiLabelSoftMarginLoss", "weight", *_TORCH_LEGACY),
    _torch_loss_class("MultiMarginLoss", "p", "margin", "weight", *_TORCH_LEGACY),
    _torch_loss_class("NLLLoss", "weight", "size_average", "ignore_index", "reduce", "reduction"),
    _torch_loss_class("NLLLoss2d", "weight", "size_average", "ignore_index", "reduce", "reduction"),
    _torch_loss_class("PoissonNLLLoss", "log_input", "full", "size_average", "eps", "reduce", "reduction"),
    _torch_loss_class("SmoothL1Loss", *_TORCH_LEGACY, "beta"),
    _torch_loss_class("SoftMarginLoss", *_TORCH_LEGACY),
    _torch_loss_class("TripletMarginLoss", "margin", "p", "eps", "swap", *_TORCH_LEGACY),
    _torch_loss_function("binary_cross_entropy", "input", "target", "weight", *_TORCH_LEGACY),
    _torch_loss_function("binary_cross_entropy_with_logits", "input", "target", "weight", *_TORCH_LEGACY,
                         "pos_weight"),
    _torch_loss_function("cosine_embedding_loss", "input1", "input2", "target", "margin", *_TORCH_LEGACY),
    _torch_loss_function("cross_entropy", "input", "target", "weight", "size_average", "ignore_index", "reduce",
                         "reduction", "label_smoothing"),
    _torch_loss_function("hinge_embedding_loss", "input", "target", "margin", *_TORCH_LEGACY),
    _torch_loss_function("kl_div", "input", "target", *_TORCH_LEGACY, "log_target"),
    _torch_loss_function("l1_loss", "input", "target", *_TORCH_LEGACY, "weight"),
    _torch_loss_function("margin_ranking_loss", "input1", "input2", "target", "margin", *_TORCH_LEGACY),
    _torch_loss_function("mse_loss", "input", "target", *_TORCH_LEGACY, "weight"),
    _torch_loss_function("multi_margin_loss", "input", "target", "p", "margin", "weight", *_TORCH_LEGACY),
    _torch_loss_function("multilabel_margin_loss", "input", "target", *_TORCH_LEGACY),
    _torch_loss_function("multilabel_soft_margin_loss", "input", "target", "weight", *_TORCH_LEGACY),
    _torch_loss_function("nll_loss", "input", "target", "weight", "size_average", "ignore_index", "reduce",
                         "reduction"),
    _torch_loss_function("poisson_nll_loss", "input", "target", "log_input", "full", "size_average", "eps",
                         "reduce", "reduction"),
    _torch_loss_function("smooth_l1_loss", "input", "target", *_TORCH_LEGACY, "beta"),
    _torch_loss_function("soft_margin_loss", "input", "target", *_TORCH_LEGACY),
    _torch_loss_function("triplet_margin_loss", "anchor", "positive", "negative", "margin", "p", "eps", "swap",
                         *_TORCH_LEGACY),
)
# legacy_get_string: (size_average, reduce) -> reduction, where None counts as True.
TORCH_LEGACY_FLAGS = ("size_average", "reduce")
TORCH_REDUCTION = "reduction"
TORCH_LEGACY_REDUCTION_STRINGS: dict[tuple[bool, bool], str] = {
    (True, True): "mean",
    (False, True): "sum",
    (True, False): "none",
    (False, False): "none",
}

# ---------------------------------------------------------------- hand-written formulas
# The pieces of a cross-entropy written out by hand: reductions, clips and the small constant
# added inside a log (`-tf.reduce_sum(y * tf.math.log(tf.clip_by_value(p, 1e-10, 1.0)), axis=1)`).
REDUCTIONS: tuple[Reduction, ...] = (
    Reduction(("tensorflow.reduce_sum", "tensorflow.math.reduce_sum", "tensorflow.compat.v1.reduce_sum"),
              Reduce.SUM, F, "tensorflow", input=Param("input_tensor", 0), axis=Param("axis", 1),
              axis_aliases=("reduction_indices",)),
    Reduction(("tensorflow.reduce_mean", "tensorflow.math.reduce_mean", "tensorflow.compat.v1.reduce_mean"),
              Reduce.MEAN, F, "tensorflow", input=Param("input_tensor", 0), axis=Param("axis", 1),
              axis_aliases=("reduction_indices",)),
    Reduction(("keras.backend.sum", "keras.ops.sum"), Reduce.SUM, F, "keras", input=Param("x", 0),
              axis=Param("axis", 1)),
    Reduction(("keras.backend.mean", "keras.ops.mean"), Reduce.MEAN, F, "keras", input=Param("x", 0),
              axis=Param("axis", 1)),
    Reduction(("torch.sum",), Reduce.SUM, F, "torch", input=Param("input", 0), axis=Param("dim", 1),
              axis_aliases=("axis",)),
    Reduction(("torch.mean",), Reduce.MEAN, F, "torch", input=Param("input", 0), axis=Param("dim", 1),
              axis_aliases=("axis",)),
    Reduction(("numpy.sum", "jax.numpy.sum"), Reduce.SUM, F, "numpy", input=Param("a", 0), axis=Param("axis", 1)),
    Reduction(("numpy.mean", "jax.numpy.mean"), Reduce.MEAN, F, "numpy", input=Param("a", 0),
              axis=Param("axis", 1)),
    # Tensor and array methods: torch's `dim` (which also takes `axis`), NumPy's and JAX's `axis`.
    Reduction(("sum",), Reduce.SUM, M, "any", axis=Param("dim", 0), axis_aliases=("axis",)),
    Reduction(("mean",), Reduce.MEAN, M, "any", axis=Param("dim", 0), axis_aliases=("axis",)),
)
CLIPS: tuple[Clip, ...] = (
    Clip(("tensorflow.clip_by_value", "tensorflow.compat.v1.clip_by_value"), F, "tensorflow",
         input=Param("t", 0)),
    Clip(("keras.backend.clip", "keras.ops.clip"), F, "keras", input=Param("x", 0)),
    Clip(("torch.clamp", "torch.clip", "torch.clamp_min"), F, "torch", input=Param("input", 0)),
    Clip(("numpy.clip", "jax.numpy.clip"), F, "numpy", input=Param("a", 0)),
    Clip(("clamp", "clip", "clamp_min"), M, "any"),
)
# The small constant: a call (`K.epsilon()`), a float-info field (`np.finfo(np.float32).eps`),
# or a name conventionally given to one (`self.eps`, `EPSILON`; compared lower-case).
EPSILON_CALLS = frozenset({"keras.backend.epsilon", "keras.config.epsilon"})
FLOAT_INFO_CALLS = frozenset({"numpy.finfo", "torch.finfo", "jax.numpy.finfo"})
FLOAT_INFO_EPSILONS = frozenset({"eps", "tiny", "smallest_normal"})
EPSILON_NAMES = frozenset({"eps", "epsilon", "_eps", "_epsilon", "tiny", "smooth", "smoothing"})
# The with-logits loss that a hand-written cross-entropy over a framework's softmax or sigmoid
# becomes, computing the same value per example (softmax) or per element (sigmoid). Keras code
# runs on TensorFlow here: `K.log(K.softmax(z))` is TF-Keras.
WITH_LOGITS_CROSS_ENTROPY: dict[tuple[str, Fn], str] = {
    ("tensorflow", Fn.SOFTMAX): "tensorflow.nn.softmax_cross_entropy_with_logits",
    ("keras", Fn.SOFTMAX): "tensorflow.nn.softmax_cross_entropy_with_logits",
    ("torch", Fn.SOFTMAX): "torch.nn.functional.cross_entropy",
    ("jax", Fn.SOFTMAX): "optax.softmax_cross_entropy",
    ("tensorflow", Fn.SIGMOID): "tensorflow.nn.sigmoid_cross_entropy_with_logits",
    ("keras", Fn.SIGMOID): "tensorflow.nn.sigmoid_cross_entropy_with_logits",
    ("torch", Fn.SIGMOID): "torch.nn.functional.binary_cross_entropy_with_logits",
    ("jax", Fn.SIGMOID): "optax.sigmoid_binary_cross_entropy",
}

# ---------------------------------------------------------------- training and evaluation modes
# tf.estimator's mode keys and their string values (PREDICT is "infer").
MODE_KEYS = frozenset({"tensorflow.estimator.ModeKeys", "tensorflow.compat.v1.estimator.ModeKeys",
                       "tensorflow_estimator.estimator.ModeKeys", "tensorflow.contrib.learn.ModeKeys"})
MODE_KEY_VALUES: dict[str, str] = {"TRAIN": "train", "EVAL": "eval", "PREDICT": "infer", "INFER": "infer"}
# Unit-test base classes: a `test*` method there tests code, it is not an evaluation step.
TEST_CASE_CLASSES = frozenset({"unittest.TestCase", "tensorflow.test.TestCase", "absl.testing.absltest.TestCase",
                               "absl.testing.parameterized.TestCase"})
# Keywords that name an axis in some framework (TF1's `dim` on softmax_cross_entropy_with_logits).
AXIS_KEYWORDS = frozenset({"axis", "dim"})
# Calls that pick one probability per example (`probs.gather(1, y)`): `-log(p[y])` is the sparse
# form of a hand-written loss, and `log(pi(a)) * advantage` a policy gradient, not `-sum(y * log(p))`.
INDEX_SELECTIONS = frozenset({"gather", "gather_nd", "batch_gather", "take", "take_along_axis", "index_select",
                              "take_along_dim"})
# Elementwise products written as calls: `np.multiply(y, np.log(p))`.
MULTIPLICATIONS = frozenset({"numpy.multiply", "jax.numpy.multiply", "tensorflow.multiply", "tensorflow.math.multiply",
                             "torch.mul", "torch.multiply", "keras.ops.multiply", "keras.backend.multiply"})
