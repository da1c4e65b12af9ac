"""One runtime contract per catalogue code, to move into the rule classes.

Inputs: `z` logits (the prediction, and what gradients are taken with respect to), `y`
labels. References are written with another framework or API than the fixed expression
where one exists, so a fix is held to an independent formulation, not to itself.
"""

from __future__ import annotations

from xentlint.contract import Contract, Harm, Input, Relation

CATEGORICAL_ONE_HOT = {"z": Input.LOGITS, "y": Input.ONE_HOT_LABELS}
CATEGORICAL_SPARSE = {"z": Input.LOGITS, "y": Input.SPARSE_LABELS}
BINARY = {"z": Input.BINARY_LOGITS, "y": Input.BINARY_LABELS}

EXAMPLE_CONTRACTS: dict[str, Contract] = {
    "XL101": Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="keras.losses.categorical_crossentropy(y, tf.nn.softmax(z), from_logits=True)",
        fixed="keras.losses.categorical_crossentropy(y, z, from_logits=True)",
        reference="F.cross_entropy(z, y, reduction='none')",
        inputs=CATEGORICAL_ONE_HOT,
        note="A double softmax: the loss reads probabilities as logits, is never small, and its gradient shrinks.",
    ),
    "XL102": Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="F.binary_cross_entropy_with_logits(torch.sigmoid(z), y)",
        fixed="F.binary_cross_entropy_with_logits(z, y)",
        reference="tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z))",
        inputs=BINARY,
    ),
    "XL103": Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="keras.losses.binary_crossentropy(y, z)",
        fixed="keras.losses.binary_crossentropy(y, z, from_logits=True)",
        reference="F.binary_cross_entropy_with_logits(z, y, reduction='none').mean(-1)",
        inputs=BINARY,
        note="Keras clips the logits to [1e-7, 1 - 1e-7] and reads them as probabilities.",
    ),
    "XL104": Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="nn.BCELoss()(torch.sigmoid(z), y)",
        fixed="nn.BCEWithLogitsLoss()(z, y)",
        reference="tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z))",
        inputs=BINARY,
        note="The sigmoid saturates (float32: from |z| > 17) and BCELoss clamps the log at -100.",
    ),
    "XL201": Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="keras.losses.categorical_crossentropy(y, tf.sigmoid(z))",
        fixed="keras.losses.categorical_crossentropy(y, keras.activations.softmax(z))",
        reference="tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)",
        inputs=CATEGORICAL_ONE_HOT,
        note="The fix mirrors Dense(activation='softmax'): Keras then computes the loss from the cached logits.",
    ),
    "XL202": Contract(
        relation=Relation.SHOWS_HARM,
        harm=Harm.DIFFERENT_VALUE,
        original="keras.losses.binary_crossentropy(y, tf.nn.softmax(z))",
        reference="keras.losses.categorical_crossentropy(y, z, from_logits=True)",
        inputs=CATEGORICAL_ONE_HOT,
        note="For exclusive classes the intended loss is the categorical one.",
    ),
    "XL203": Contract(
        relation=Relation.SHOWS_HARM,
        harm=Harm.CONSTANT_OUTPUT,
        original="tf.nn.softmax(z, axis=-1)",
        inputs={"z": Input.ONE_UNIT_LOGITS},
    ),
    "XL204": Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="F.nll_loss(F.softmax(z, dim=1), y)",
        fixed="F.nll_loss(F.log_softmax(z, dim=1), y)",
        reference="tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z))",
        inputs=CATEGORICAL_SPARSE,
    ),
    "XL301": Contract(
        relation=Relation.EQUAL_WHERE_FINITE,
        original="torch.log(F.softmax(z, dim=1))",
        fixed="F.log_softmax(z, dim=1)",
        inputs={"z": Input.LOGITS},
    ),
    "XL302": Contract(
        relation=Relation.EQUAL_WHERE_FINITE,
        original="torch.log(torch.sigmoid(z))",
        fixed="F.logsigmoid(z)",
        inputs={"z": Input.BINARY_LOGITS},
    ),
    "XL303": Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="-tf.reduce_sum(y * tf.math.log(tf.nn.softmax(z)))",
        fixed="tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z))",
        reference="F.cross_entropy(z, y, reduction='sum')",
        inputs=CATEGORICAL_ONE_HOT,
    ),
    "XL401": Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)",
        fixed="tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z)",
        reference="F.cross_entropy(z, y, reduction='none')",
        inputs=CATEGORICAL_SPARSE,
        note="Integer labels broadcast against the logits when the shapes allow it, and raise otherwise.",
    ),
    "XL402": Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True)",
        fixed="keras.losses.categorical_crossentropy(y, z, from_logits=True)",
        reference="F.cross_entropy(z, y, reduction='none')",
        inputs=CATEGORICAL_ONE_HOT,
    ),
    "XL403": Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="tf.nn.softmax_cross_entropy_with_logits(z, y)",
        fixed="tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)",
        reference="keras.losses.categorical_crossentropy(y, z, from_logits=True)",
        inputs=CATEGORICAL_ONE_HOT,
        note="TF 2 takes (labels, logits) positionally; TF 1 rejects positional use.",
    ),
    "XL501": Contract(
        relation=Relation.SAME_VALUE_AND_GRADIENT,
        original="tf.contrib.losses.softmax_cross_entropy(z, y)",
        fixed="tf.compat.v1.losses.softmax_cross_entropy(y, z)",
        inputs=CATEGORICAL_ONE_HOT,
        note="tf.contrib.losses takes the logits first; the rename swaps the arguments.",
    ),
    "XL502": Contract(
        relation=Relation.SAME_VALUE_AND_GRADIENT,
        original="tf.losses.softmax_cross_entropy(y, z)",
        fixed="tf.compat.v1.losses.softmax_cross_entropy(y, z)",
        inputs={"y": Input.LOSS_ARGUMENTS, "z": Input.LOGITS},
    ),
    "XL503": Contract(
        relation=Relation.SAME_VALUE_AND_GRADIENT,
        original="nn.CrossEntropyLoss(size_average=False)(z, y)",
        fixed="nn.CrossEntropyLoss(reduction='sum')(z, y)",
        inputs=CATEGORICAL_SPARSE,
    ),
    "XL601": Contract(
        relation=Relation.SAME_VALUE_AND_GRADIENT,
        original="F.softmax(z)",
        fixed="F.softmax(z, dim=1)",
        inputs={"z": Input.LOGITS},
        note="On 2-D input torch's implicit choice is dim=1, so the fix keeps the behaviour and silences the warning.",
    ),
    "XL602": Contract(
        relation=Relation.SHOWS_HARM,
        harm=Harm.DIFFERENT_VALUE,
        original="F.nll_loss(F.log_softmax(z, dim=0), y)",
        reference="F.cross_entropy(z, y)",
        inputs=CATEGORICAL_SPARSE,
    ),
    "XL701": Contract(
        relation=Relation.SHOWS_HARM,
        harm=Harm.DIFFERENT_VALUE,
        original=(
            "tf.nn.sampled_softmax_loss(weights=tf.eye(z.shape[1], dtype=z.dtype), "
            "biases=tf.zeros(z.shape[1], dtype=z.dtype), labels=tf.reshape(y, [-1, 1]), inputs=z, "
            "num_sampled=1, num_classes=z.shape[1], seed=0)"
        ),
        reference="tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z)",
        inputs=CATEGORICAL_SPARSE,
        note="With identity weights and zero biases the sampled loss sees `z` as its logits.",
    ),
}
