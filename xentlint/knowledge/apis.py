"""The framework knowledge table: every API a rule can ask about, one row each.

Names are canonical qualified names (see `names.canonical`: `tensorflow.keras.*`,
`tf_keras.*` and `keras.*` are one family). Adding a framework API is adding a row here.
Argument positions are those of the signatures in TensorFlow 2.21, Keras 3.15, PyTorch 2.13
and optax 0.2; where TF1 differs the row says so.
"""
from __future__ import annotations

from xentlint.knowledge.schema import (
    Activation,
    Expects,
    Fn,
    Form,
    LabelProducer,
    Labels,
    Layer,
    Loss,
    Param,
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
    Activation(("keras.activations.sigmoid", "keras.ops.sigmoid", "keras.backend.sigmoid"), Fn.SIGMOID, F,
               "keras", input=Param("x", 0), axis=None, log_form="keras.ops.log_sigmoid"),
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
_TORCH_INPUT_TARGET = dict(prediction=Param("input", 0), label=Param("target", 1))
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
         axis=Param("axis", 2), sparse=_SCCE),
    Loss((_SCCE, "tensorflow.losses.SparseCategoricalCrossentropy"), C, "keras", **_KERAS_TRUE_PRED,
         expects=Expects.PROBABILITIES, labels=Labels.SPARSE, from_logits=Param("from_logits", 0),
         axis=Param("axis"), one_hot=_CCE),
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
         keras_string="categorical_crossentropy"),
    Loss((_SCCE_FN, "keras.metrics.sparse_categorical_crossentropy",
          "tensorflow.losses.sparse_categorical_crossentropy"), F, "keras", **_KERAS_TRUE_PRED,
         expects=Expects.PROBABILITIES, labels=Labels.SPARSE, from_logits=Param("from_logits", 2),
         axis=Param("axis", 4), one_hot=_CCE_FN, keras_string="sparse_categorical_crossentropy"),
    Loss(("keras.losses.binary_crossentropy", "keras.metrics.binary_crossentropy",
          "tensorflow.losses.binary_crossentropy"), F, "keras", **_KERAS_TRUE_PRED,
         expects=Expects.PROBABILITIES, labels=Labels.BINARY, from_logits=Param("from_logits", 2),
         axis=Param("axis", 4), keras_string="binary_crossentropy"),
    Loss(("keras.losses.binary_focal_crossentropy", "tensorflow.losses.binary_focal_crossentropy"), F, "keras",
         **_KERAS_TRUE_PRED, expects=Expects.PROBABILITIES, labels=Labels.BINARY,
         from_logits=Param("from_logits", 5), axis=Param("axis", 7), keras_string="binary_focal_crossentropy"),
    Loss(("keras.losses.categorical_focal_crossentropy", "tensorflow.losses.categorical_focal_crossentropy"), F,
         "keras", **_KERAS_TRUE_PRED, expects=Expects.PROBABILITIES, labels=Labels.ONE_HOT,
         from_logits=Param("from_logits", 4), axis=Param("axis", 6),
         keras_string="categorical_focal_crossentropy"),
    # Keras backend / ops spell (target, output).
    Loss(("keras.backend.categorical_crossentropy", "keras.ops.categorical_crossentropy"), F, "keras",
         **_KERAS_BACKEND, expects=Expects.PROBABILITIES, labels=Labels.ONE_HOT,
         from_logits=Param("from_logits", 2), axis=Param("axis", 3)),
    Loss(("keras.backend.sparse_categorical_crossentropy", "keras.ops.sparse_categorical_crossentropy"), F,
         "keras", **_KERAS_BACKEND, expects=Expects.PROBABILITIES, labels=Labels.SPARSE,
         from_logits=Param("from_logits", 2), axis=Param("axis", 3)),
    Loss(("keras.backend.binary_crossentropy", "keras.ops.binary_crossentropy"), F, "keras", **_KERAS_BACKEND,
         expects=Expects.PROBABILITIES, labels=Labels.BINARY, from_logits=Param("from_logits", 2)),
    # TensorFlow nn: TF1 guarded these with a `_sentinel` first parameter, so positional calls
    # mean different arguments (or fail) across versions.
    Loss((_TF_SOFTMAX_CE, "tensorflow.compat.v1.nn.softmax_cross_entropy_with_logits_v2",
          "tensorflow.nn.softmax_cross_entropy_with_logits_v2"), F, "tensorflow", **_TF_LABELS_LOGITS,
         expects=Expects.LOGITS, labels=Labels.ONE_HOT, axis=Param("axis", 2), sparse=_TF_SPARSE_CE),
    Loss((_TF_SPARSE_CE,), F, "tensorflow", **_TF_LABELS_LOGITS, expects=Expects.LOGITS, labels=Labels.SPARSE,
         one_hot=_TF_SOFTMAX_CE),
    Loss(("tensorflow.nn.sigmoid_cross_entropy_with_logits",), F, "tensorflow", **_TF_LABELS_LOGITS,
         expects=Expects.LOGITS, labels=Labels.BINARY),
    Loss(("tensorflow.nn.weighted_cross_entropy_with_logits",), F, "tensorflow", **_TF_LABELS_LOGITS,
         expects=Expects.LOGITS, labels=Labels.BINARY),
    # tf.compat.v1.losses (TF1's tf.losses): labels first.
    Loss(("tensorflow.compat.v1.losses.softmax_cross_entropy", "tensorflow.losses.softmax_cross_entropy"), F,
         "tensorflow", prediction=Param("logits", 1), label=Param("onehot_labels", 0), expects=Expects.LOGITS,
         labels=Labels.ONE_HOT, sparse="tensorflow.compat.v1.losses.sparse_softmax_cross_entropy"),
    Loss(("tensorflow.compat.v1.losses.sparse_softmax_cross_entropy",
          "tensorflow.losses.sparse_softmax_cross_entropy"), F, "tensorflow", **_TF_LABELS_LOGITS,
         expects=Expects.LOGITS, labels=Labels.SPARSE,
         one_hot="tensorflow.compat.v1.losses.softmax_cross_entropy"),
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
    Loss(("tensorflow.nn.sampled_softmax_loss",), F, "tensorflow", prediction=Param("inputs", 3),
         label=Param("labels", 2), expects=Expects.LOGITS, labels=Labels.SPARSE, sampled=True),
    Loss(("tensorflow.nn.nce_loss",), F, "tensorflow", prediction=Param("inputs", 3), label=Param("labels", 2),
         expects=Expects.LOGITS, labels=Labels.SPARSE, sampled=True),
    # PyTorch: class dimension 1.
    Loss(("torch.nn.CrossEntropyLoss", "torch.nn.modules.loss.CrossEntropyLoss"), C, "torch",
         **_TORCH_INPUT_TARGET, expects=Expects.LOGITS, labels=Labels.SPARSE_OR_PROBABILITIES, axis_default=1),
    Loss(("torch.nn.functional.cross_entropy",), F, "torch", **_TORCH_INPUT_TARGET, expects=Expects.LOGITS,
         labels=Labels.SPARSE_OR_PROBABILITIES, axis_default=1),
    Loss(("torch.nn.NLLLoss", "torch.nn.modules.loss.NLLLoss"), C, "torch", **_TORCH_INPUT_TARGET,
         expects=Expects.LOG_PROBABILITIES, labels=Labels.SPARSE, axis_default=1),
    Loss(("torch.nn.functional.nll_loss",), F, "torch", **_TORCH_INPUT_TARGET,
         expects=Expects.LOG_PROBABILITIES, labels=Labels.SPARSE, axis_default=1),
    Loss(("torch.nn.BCELoss", "torch.nn.modules.loss.BCELoss"), C, "torch", **_TORCH_INPUT_TARGET,
         expects=Expects.PROBABILITIES, labels=Labels.BINARY, with_logits="torch.nn.BCEWithLogitsLoss"),
    Loss(("torch.nn.functional.binary_cross_entropy",), F, "torch", **_TORCH_INPUT_TARGET,
         expects=Expects.PROBABILITIES, labels=Labels.BINARY,
         with_logits="torch.nn.functional.binary_cross_entropy_with_logits"),
    Loss(("torch.nn.BCEWithLogitsLoss", "torch.nn.modules.loss.BCEWithLogitsLoss"), C, "torch",
         **_TORCH_INPUT_TARGET, expects=Expects.LOGITS, labels=Labels.BINARY),
    Loss(("torch.nn.functional.binary_cross_entropy_with_logits",), F, "torch", **_TORCH_INPUT_TARGET,
         expects=Expects.LOGITS, labels=Labels.BINARY),
    # optax: logits first.
    Loss((_OPTAX_CE, "optax.losses.softmax_cross_entropy"), F, "jax", **_OPTAX, expects=Expects.LOGITS,
         labels=Labels.ONE_HOT, sparse=_OPTAX_SPARSE_CE),
    Loss((_OPTAX_SPARSE_CE, "optax.losses.softmax_cross_entropy_with_integer_labels"), F, "jax", **_OPTAX,
         expects=Expects.LOGITS, labels=Labels.SPARSE, one_hot=_OPTAX_CE),
    Loss(("optax.sigmoid_binary_cross_entropy", "optax.losses.sigmoid_binary_cross_entropy"), F, "jax",
         **_OPTAX, expects=Expects.LOGITS, labels=Labels.BINARY),
)

# ---------------------------------------------------------------- label producers
LABEL_PRODUCERS: tuple[LabelProducer, ...] = (
    LabelProducer(("tensorflow.one_hot", "tensorflow.keras.backend.one_hot", "keras.backend.one_hot",
                   "keras.ops.one_hot", "keras.utils.to_categorical", "keras.utils.np_utils.to_categorical",
                   "torch.nn.functional.one_hot", "jax.nn.one_hot", "optax.smooth_labels"),
                  Labels.ONE_HOT, F, "any"),
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
# Calls whose second argument (or `dtype=`) is a dtype: tf.cast(x, tf.int32).
CASTS = frozenset({"tensorflow.cast", "keras.ops.cast", "keras.backend.cast", "tensorflow.dtypes.cast"})
# Methods taking a dtype: x.astype(int), x.to(torch.long), x.type(torch.LongTensor).
CAST_METHODS = frozenset({"astype", "to", "type"})
# np.eye(n)[y] is one-hot.
IDENTITY_MATRICES = frozenset({"numpy.eye", "numpy.identity", "torch.eye", "tensorflow.eye", "jax.numpy.eye"})

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
)
KERAS_SEQUENTIAL = frozenset({"keras.Sequential", "keras.models.Sequential"})
KERAS_MODEL = frozenset({"keras.Model", "keras.models.Model"})
KERAS_INPUT = frozenset({"keras.Input", "keras.layers.Input"})
TORCH_MODULE = frozenset({"torch.nn.Module"})
TORCH_SEQUENTIAL = frozenset({"torch.nn.Sequential"})

# Tensor methods that keep what a value means (shape, device and float casts).
MEANING_PRESERVING_METHODS = frozenset({
    "squeeze", "unsqueeze", "view", "reshape", "flatten", "float", "double", "half", "cpu", "cuda", "detach",
    "contiguous", "clone", "to", "type_as", "permute", "transpose",
})
# Model methods whose result is the model's output.
MODEL_OUTPUT_METHODS = frozenset({"forward", "call", "predict", "predict_on_batch"})
# The training call whose labels reach the loss compiled into a Keras model: fit(x, y).
KERAS_FIT_LABELS = Param("y", 1)
KERAS_COMPILE_LOSS = Param("loss", 1)
