"""A loss site read as data, and spelled over generated inputs for `fix --verify`."""
from __future__ import annotations

import libcst as cst

from xentlint.context import FileContext
from xentlint.knowledge.schema import Fn, Form
from xentlint.loss_sites_model import CLASS_WEIGHTS, LabelEncoding, describe_site, intended_loss, site_expression


def only_site(source: str):
    ctx = FileContext(cst.parse_module(source), "m.py")
    [site] = ctx.loss_sites
    return describe_site(ctx, site)


def test_softmax_over_dim_2_reaching_a_keras_loss() -> None:
    model = only_site("import tensorflow as tf\n\np = tf.nn.softmax(logits, axis=2)\n"
                      "loss = tf.keras.losses.categorical_crossentropy(labels, p, from_logits=True)\n")
    assert (model.activation, model.axis, model.rank, model.class_axis) == (Fn.SOFTMAX, 2, 3, 2)
    assert model.labels is LabelEncoding.ONE_HOT and model.reduction == "none"
    assert site_expression(model) == ("keras.losses.categorical_crossentropy(y_true=y_onehot, "
                                      "y_pred=tf.nn.softmax(z, axis=2), from_logits=True)")
    assert intended_loss(model, model) == "tf.nn.softmax_cross_entropy_with_logits(labels=t, logits=z, axis=2)"


def test_integer_one_hot_labels_and_class_weights_of_a_torch_loss_object() -> None:
    model = only_site("import torch.nn as nn\nimport torch.nn.functional as F\n\n"
                      "criterion = nn.CrossEntropyLoss(weight=class_weights, reduction='sum')\n"
                      "loss = criterion(logits, F.one_hot(y, 10))\n")
    assert model.form is Form.CLASS and model.activation is None
    assert model.labels is LabelEncoding.INTEGER_ONE_HOT and model.reduction == "sum"
    assert dict(model.options) == {"weight": CLASS_WEIGHTS, "reduction": "sum"}
    assert site_expression(model) == "torch.nn.CrossEntropyLoss(weight=w, reduction='sum')(z, y_onehot_int)"


def test_keras_compile_reads_the_model_and_fit_labels() -> None:
    model = only_site("import keras\nfrom keras import layers\n\n"
                      "model = keras.Sequential([layers.Dense(1, activation='sigmoid')])\n"
                      "model.compile(loss='binary_crossentropy')\nmodel.fit(x, y)\n")
    assert model.keras_model and model.binary and model.classes == 1
    assert model.reduction == "mean of per-sample means"
    assert site_expression(model) == "keras.losses.BinaryCrossentropy()(y_binary, keras.activations.sigmoid(z))"
