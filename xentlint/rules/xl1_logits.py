"""XL1: probabilities versus logits.

Every rule here reads `ctx.loss_sites` and looks at the prediction argument only (probabilities as
labels are soft targets, which is correct). The figures quoted in messages are computed once:

- double softmax: at equal logits the gradient of CE(softmax(softmax(z))) is exactly 1/C of the
  correct one (C classes), and the loss cannot fall below log(e + C - 1) - 1, reached at a one-hot
  prediction (1.46 for C = 10);
- double sigmoid: sigmoid(sigmoid(z)) lies in (0.5, 0.731); the gradient is multiplied by
  sigmoid'(z) <= 0.25: 0.156 instead of 0.5 at z = 0 (label 0), under 0.005 for |z| > 5;
- Keras clips probabilities to [1e-7, 1 - 1e-7]: -log(1e-7) = 16.1, reached at a logit of 16.1 on
  the wrong side, with zero gradient beyond;
- float32 sigmoid(z) rounds to exactly 1.0 from z = 16.75; torch's binary_cross_entropy then
  clamps log(0) at -100 and its gradient is 0.
"""
from __future__ import annotations

import math
import os
from typing import ClassVar, Iterator, Optional

from xentlint.activation_sites import HandoffRequest
from xentlint.context import FileContext
from xentlint.contract import Contract, Input, Relation
from xentlint.cst_build import int_literal
from xentlint.diagnostics import FixAvailability
from xentlint.flow import Kind, LossSite
from xentlint.knowledge import Vocabulary
from xentlint.knowledge.schema import Expects, Fn, argument
from xentlint.rule import Finding, Replacement, Rule
from xentlint.rules._site_fixes import (
    compiled_class_with_logits,
    replacements,
    undo_activation,
    with_from_logits,
    with_logits_sibling,
)
from xentlint.rules._site_messages import describe_activated, describe_loss, describe_prediction, origin_place
from xentlint.rules._sites import (
    family,
    has_logits_form,
    local_activation,
    loss_node,
    options_known,
    probabilities_from,
    sole_users,
)

_BINARY = {"z": Input.BINARY_LOGITS, "y": Input.BINARY_LABELS}
_KERAS_CLIP = "Keras clips y_pred to [1e-7, 1 - 1e-7]"


class _ActivationIntoLogitsLoss(Rule):
    """An activation output reaching a loss that applies the same activation itself."""

    activation: ClassVar[Fn]

    def applies(self, site: LossSite) -> bool:
        return (site.expects is Expects.LOGITS and not site.api.sampled and family(site) is self.activation
                and probabilities_from(site, self.activation) is not None and options_known(site))

    def effect(self, site: LossSite) -> str:
        raise NotImplementedError

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            if self.applies(site):
                yield self._finding(ctx, site)

    def _finding(self, ctx: FileContext, site: LossSite) -> Finding:
        origin = site.prediction.origin
        assert origin is not None
        fn = self.activation.value
        if site.api.from_logits is not None:
            advice = f"remove the {fn} or set from_logits=False"
        elif local_activation(ctx, site) is None and origin.activation_arg is None:
            advice = f"have the model return logits (apply the {fn} only for predictions)"
        else:
            advice = f"remove the {fn} and pass the logits"
        message = (f"{describe_activated(ctx, site, fn)} reaches {describe_loss(site)}, which applies {fn} "
                   f"itself: {self.effect(site)}; {advice}")
        undo = undo_activation(ctx, site)
        if undo is not None:
            return self.site_finding(site, message, *replacements(ctx, None, [undo]),
                                title=f"Remove the {fn}")
        edit = self._from_logits_false(ctx, site)
        if edit is not None:
            return self.site_finding(site, message, *replacements(ctx, edit, []), title="Set from_logits=False")
        return self.site_finding(site, message, handoff=self._handoff(ctx, site))

    def _handoff(self, ctx: FileContext, site: LossSite) -> Optional[HandoffRequest]:
        """For an activation in another module of the project (`forward` ending in a softmax): the
        finding to report there, whose fix makes the model return logits."""
        origin = site.prediction.origin
        if origin is None or origin.source is None or ctx.project_path is None:
            return None
        module, row = origin.source
        fn = self.activation.value
        here = os.path.relpath(ctx.project_path, os.path.dirname(module)).replace(os.sep, "/")
        message = (f"this {fn} feeds {describe_loss(site)} at {here}:{ctx.line_of(site.report)}, which applies "
                   f"{fn} itself: {self.effect(site)}; have the model return logits (apply the {fn} only for "
                   f"predictions)")
        return HandoffRequest(module, row, self.activation, type(self), message, f"Return the logits: remove the {fn}")

    def _from_logits_false(self, ctx: FileContext, site: LossSite) -> Optional[Replacement]:
        """Where the activation stays (a layer, a model): let the Keras loss take probabilities."""
        users = sole_users(ctx, site)
        if users is None or not all(self.applies(user) for user in users):
            return None
        return with_from_logits(site, False)


class SoftmaxIntoLogitsLoss(_ActivationIntoLogitsLoss):
    code = "XL101"
    requires = (Vocabulary.LOSSES,)
    name = "softmax-into-logits-loss"
    summary = "a softmax output passed to a loss that applies softmax itself (a double softmax)"
    why = (
        "`nn.CrossEntropyLoss`, `F.cross_entropy`, `tf.nn.softmax_cross_entropy_with_logits`, "
        "`optax.softmax_cross_entropy` and Keras losses with `from_logits=True` apply softmax to their "
        "input. Given probabilities, they compute the cross-entropy of `softmax(softmax(z))`. The "
        "probabilities lie in [0, 1], so the second softmax is nearly uniform:\n\n"
        "- with C classes the gradient at equal logits is exactly C times smaller than the correct one "
        "(10x for 10 classes, 1000x for ImageNet), and about 13x smaller for typical 10-class logits;\n"
        "- the loss can never fall below log(e + C - 1) - 1, even for a perfect one-hot prediction: 0.31 "
        "for 2 classes, 1.46 for 10, 5.91 for 1000.\n\n"
        "Training is slow or stalls, and the reported loss looks worse than the model is."
    )
    example = (
        "import torch.nn as nn\nimport torch.nn.functional as F\n\n"
        "criterion = nn.CrossEntropyLoss()\n"
        "loss = criterion(F.softmax(logits, dim=1), target)\n"
    )
    use_instead = (
        "import torch.nn as nn\nimport torch.nn.functional as F\n\n"
        "criterion = nn.CrossEntropyLoss()\n"
        "loss = criterion(logits, target)\n"
    )
    fix_title = "Remove the softmax, or set from_logits=False where the softmax must stay"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe. The softmax is removed when it is applied in the loss's own scope: inline, or through a "
        "variable read only by the loss (`probs = logits`); when the variable is also read elsewhere, the "
        "loss is given the softmax's input instead, if that is a name not rebound in between. A softmax "
        "made by a layer or inside a model stays: a Keras loss then gets `from_logits=False`, when its "
        "loss object is used only by losses that receive probabilities. Otherwise no fix is offered at the "
        "loss (a PyTorch model should return logits; that changes what the model outputs). A model "
        "defined in another module of the project, whose `forward` returns the softmax's output as it "
        "is: when that module is checked or fixed in the same run as the loss, the finding is also "
        "reported there, on the softmax, with an unsafe fix that removes it (every user of the model, "
        "inference code too, then gets logits)."
    )
    frameworks = ("tensorflow", "keras", "torch", "jax")
    activation = Fn.SOFTMAX
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="keras.losses.categorical_crossentropy(y, tf.nn.softmax(z), from_logits=True)",
        fixed="keras.losses.categorical_crossentropy(y, z, from_logits=True)",
        reference="F.cross_entropy(z, y, reduction='none')",
        inputs={"z": Input.LOGITS, "y": Input.ONE_HOT_LABELS},
        note="A double softmax: the loss sees probabilities in [0, 1] as logits, so it is never small and "
             "its gradient shrinks.",
        counterexample="keras.losses.categorical_crossentropy(y, z, from_logits=True, label_smoothing=0.1)",
    )

    def effect(self, site: LossSite) -> str:
        classes = site.prediction.classes
        if classes is None or classes < 2:
            return ("its gradient is C times smaller at equal logits (10x for 10 classes) and the loss stays "
                    "above log(e + C - 1) - 1 (1.46 for 10 classes)")
        floor = math.log(math.e + classes - 1) - 1
        return (f"with {classes} classes its gradient is {classes}x smaller at equal logits and the loss "
                f"cannot fall below {floor:.2f}")


class SigmoidIntoLogitsLoss(_ActivationIntoLogitsLoss):
    code = "XL102"
    requires = (Vocabulary.LOSSES,)
    name = "sigmoid-into-logits-loss"
    summary = "a sigmoid output passed to a loss that applies sigmoid itself (a double sigmoid)"
    why = (
        "`nn.BCEWithLogitsLoss`, `F.binary_cross_entropy_with_logits`, "
        "`tf.nn.sigmoid_cross_entropy_with_logits`, `optax.sigmoid_binary_cross_entropy` and Keras "
        "binary losses with `from_logits=True` apply sigmoid to their input. Given probabilities, they "
        "compute the loss of `sigmoid(sigmoid(z))`, which lies in (0.5, 0.73):\n\n"
        "- the predicted probability never goes below 0.5, so for label 0 the loss is at least "
        "log 2 = 0.69, and for label 1 at least 0.31;\n"
        "- the gradient is multiplied by sigmoid'(z) <= 0.25: 3.2x (label 0) to 5.3x (label 1) smaller at "
        "z = 0, and below 0.005 for |z| > 5 where the correct gradient is about 1."
    )
    example = (
        "import torch\nimport torch.nn as nn\n\n"
        "criterion = nn.BCEWithLogitsLoss()\n"
        "loss = criterion(torch.sigmoid(logits), target)\n"
    )
    use_instead = (
        "import torch\nimport torch.nn as nn\n\n"
        "criterion = nn.BCEWithLogitsLoss()\n"
        "loss = criterion(logits, target)\n"
    )
    fix_title = "Remove the sigmoid, or set from_logits=False where the sigmoid must stay"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = SoftmaxIntoLogitsLoss.fix_safety.replace("softmax", "sigmoid")
    frameworks = ("tensorflow", "keras", "torch", "jax")
    activation = Fn.SIGMOID
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="F.binary_cross_entropy_with_logits(torch.sigmoid(z), y)",
        fixed="F.binary_cross_entropy_with_logits(z, y)",
        reference="tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z))",
        inputs=_BINARY,
        counterexample="F.binary_cross_entropy_with_logits(z, y, reduction='sum')",
    )

    def effect(self, site: LossSite) -> str:
        return ("sigmoid(sigmoid(z)) stays within (0.5, 0.73), so the loss never falls below 0.69 for label 0, "
                "and the gradient is 3-5x smaller at z = 0 and under 0.005 for |z| > 5")


# ---------------------------------------------------------------- XL103
class LogitsIntoProbabilityLoss(Rule):
    code = "XL103"
    requires = (Vocabulary.LOSSES,)
    name = "logits-into-probability-loss"
    summary = "raw logits (a layer without activation) passed to a loss that expects probabilities"
    why = (
        "Keras cross-entropies without `from_logits=True` (and the `\"categorical_crossentropy\"`-style "
        "strings in `compile`), `nn.BCELoss` and `F.binary_cross_entropy` read their input as "
        "probabilities. Raw logits are not:\n\n"
        "- Keras clips `y_pred` to [1e-7, 1 - 1e-7] (categorical losses first divide it by its sum): every "
        "logit <= 0 counts as probability 1e-7, a loss of -log(1e-7) = 16.1 on the true class with zero "
        "gradient, and every logit >= 1 as certainty. The model only learns from logits that happen to lie "
        "in (0, 1), and the loss is not the cross-entropy of its outputs.\n"
        "- PyTorch's `binary_cross_entropy` raises `all elements of input should be between 0 and 1` as "
        "soon as a logit leaves [0, 1] (a device-side assertion on CUDA)."
    )
    example = (
        "from tensorflow import keras\n\n"
        "model = keras.Sequential([keras.layers.Dense(64, activation=\"relu\"), keras.layers.Dense(10)])\n"
        "model.compile(optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\")\n"
        "model.fit(x_train, y_train)\n"
    )
    use_instead = (
        "from tensorflow import keras\n\n"
        "model = keras.Sequential([keras.layers.Dense(64, activation=\"relu\"), keras.layers.Dense(10)])\n"
        "model.compile(optimizer=\"adam\", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"
        "model.fit(x_train, y_train)\n"
    )
    fix_title = "Compute the loss from logits: from_logits=True, or the with-logits loss"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe: the loss then computes the cross-entropy of the logits, which is what the probabilities "
        "form was meant to compute. Keras: `from_logits=True` on the loss; a string or function in "
        "`compile` becomes the loss class with `from_logits=True`, when the module's imports can spell "
        "it. PyTorch: `nn.BCELoss` becomes `nn.BCEWithLogitsLoss` and `F.binary_cross_entropy` becomes "
        "`F.binary_cross_entropy_with_logits`, with the same arguments. Not offered when the loss object "
        "is also used where this file does not show what it receives. Metrics that threshold predictions "
        "at 0.5 (Keras `\"accuracy\"` with a one-unit output) still see logits and need a threshold of 0."
    )
    frameworks = ("keras", "torch", "tensorflow")
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="keras.losses.binary_crossentropy(y, z)",
        fixed="keras.losses.binary_crossentropy(y, z, from_logits=True)",
        reference="F.binary_cross_entropy_with_logits(z, y, reduction='none').mean(-1)",
        inputs=_BINARY,
        note="Keras clips the logits to [1e-7, 1 - 1e-7] and reads them as probabilities.",
        counterexample="keras.losses.binary_crossentropy(y, tf.sigmoid(z))",
    )

    def applies(self, site: LossSite) -> bool:
        return (site.prediction.kind is Kind.LOGITS and site.prediction.origin is not None
                and site.expects is Expects.PROBABILITIES and options_known(site)
                and (has_logits_form(site) or site.api.framework == "tensorflow"))

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            if self.applies(site):
                yield self._finding(ctx, site)

    def _finding(self, ctx: FileContext, site: LossSite) -> Finding:
        origin = site.prediction.origin
        assert origin is not None
        if site.api.from_logits is not None:
            effect = (f"{_KERAS_CLIP}, so a logit <= 0 counts as probability 1e-7: a loss of 16.1 with zero "
                      f"gradient when its class is the true one")
            advice = "pass from_logits=True"
            if site.compiled and site.constructor is None and site.api.keras_class is not None:
                advice = f"use {site.api.keras_class.rsplit('.', 1)[-1]}(from_logits=True)"
        elif site.api.with_logits is None:  # TF1 `log_loss`: clips to [eps, 1 - eps] and has no logits switch
            effect = "it takes the log of `p` and of `1 - p`, which is nan for any logit outside [0, 1]"
            advice = "compute the loss from the logits with `sigmoid_cross_entropy`"
        else:
            sibling = site.api.with_logits.rsplit(".", 1)[-1]
            effect = "it raises for any logit outside [0, 1] and reads the others as probabilities"
            advice = f"use {sibling} on the logits"
        message = (f"{describe_prediction(ctx, site)} holds raw logits ({origin.description}, {origin_place(ctx, origin)}) and "
                   f"reaches {describe_loss(site)}, which expects probabilities: {effect}; {advice}")
        edit = self._edit(ctx, site)
        return self.site_finding(site, message, *(replacements(ctx, edit, []) if edit is not None else ()))

    def _edit(self, ctx: FileContext, site: LossSite) -> Optional[Replacement]:
        users = sole_users(ctx, site)
        if users is None or not all(self.applies(user) for user in users):
            return None
        if site.api.from_logits is None:
            return with_logits_sibling(ctx, site)
        return with_from_logits(site, True) or compiled_class_with_logits(ctx, site)


# ---------------------------------------------------------------- XL104
class ActivationOutsideLoss(Rule):
    code = "XL104"
    requires = (Vocabulary.LOSSES,)
    name = "activation-outside-loss"
    summary = "sigmoid or softmax applied by hand right before a loss that has a with-logits form"
    why = (
        "Computing the probabilities first and the loss from them takes the log of a rounded "
        "probability. In float32, sigmoid(z) is exactly 1.0 from z = 16.75, and softmax gives a class "
        "whose logit is 16 below the largest a probability of about 1e-7 (exactly 0 from about 104 below):\n\n"
        "- Keras clips probabilities to [1e-7, 1 - 1e-7]: once a logit is 16.1 on the wrong side the loss "
        "stays at 16.1 and its gradient is zero, where the with-logits form keeps growing with the logit "
        "(gradient about 1) and keeps pushing the model to correct a confident mistake;\n"
        "- PyTorch's `binary_cross_entropy` clamps log(0) at -100: from z = 16.75 the loss jumps to 100 "
        "and the gradient is exactly 0.\n\n"
        "The with-logits losses compute `log_sigmoid`/`log_softmax` directly and are finite, with the "
        "right gradient, for any logits. A Keras model whose last layer has `activation=\"sigmoid\"` or "
        "`\"softmax\"`, compiled with the matching loss, is not flagged: Keras recovers the logits there."
    )
    example = (
        "import torch\nimport torch.nn.functional as F\n\n"
        "loss = F.binary_cross_entropy(torch.sigmoid(logits), target)\n"
    )
    use_instead = (
        "import torch\nimport torch.nn.functional as F\n\n"
        "loss = F.binary_cross_entropy_with_logits(logits, target)\n"
    )
    fix_title = "Pass the logits to the with-logits form of the loss"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe: the with-logits form equals the probability form wherever that is exact, and stays finite "
        "where it clips. Offered when the activation is applied in the loss's own scope (inline, or "
        "through a variable whose other reads keep the probabilities), over the loss's class axis, and "
        "when every use of the loss object receives such an activation. Keras: the activation is dropped "
        "and the loss gets `from_logits=True`; PyTorch: `BCELoss`/`binary_cross_entropy` become their "
        "with-logits siblings. A PyTorch model that ends in a sigmoid is reported without a fix: making "
        "it return logits changes what it outputs everywhere."
    )
    frameworks = ("keras", "torch")
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="nn.BCELoss()(torch.sigmoid(z), y)",
        fixed="nn.BCEWithLogitsLoss()(z, y)",
        reference="tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z))",
        inputs=_BINARY,
        note="The sigmoid saturates (float32: from |z| > 17) and BCELoss clamps the log at -100.",
        counterexample="nn.BCEWithLogitsLoss(pos_weight=torch.ones(z.shape[1], dtype=z.dtype) * 2)(z, y)",
    )

    def applies(self, ctx: FileContext, site: LossSite) -> bool:
        if site.compiled or site.expects is not Expects.PROBABILITIES or not has_logits_form(site):
            return False
        if probabilities_from(site, family(site)) is None or not options_known(site):
            return False
        # A Keras model's own activation is recovered by Keras; a torch model's is not.
        return local_activation(ctx, site) is not None or site.api.framework == "torch"

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            if self.applies(ctx, site):
                yield self._finding(ctx, site)

    def _finding(self, ctx: FileContext, site: LossSite) -> Finding:
        origin = site.prediction.origin
        assert origin is not None
        fn = family(site).value
        keras = site.api.from_logits is not None
        if keras:
            wrong = "a logit is 16.1 on the wrong side" if fn == "sigmoid" else \
                "the true class's logit is 16.1 below the others"
            effect = f"{_KERAS_CLIP}, so once {wrong} the loss stays at 16.1 with zero gradient"
            advice = f"drop the {fn} and pass from_logits=True"
        else:
            sibling = (site.api.with_logits or "").rsplit(".", 1)[-1]
            effect = ("in float32 sigmoid(z) is exactly 1.0 from z = 16.75, so for label 0 the clamped log gives "
                      "a loss of 100 with zero gradient")
            advice = f"pass the logits to {sibling}"
            if local_activation(ctx, site) is None:
                advice = f"have the model return logits and use {sibling} (apply the sigmoid for predictions)"
        message = (f"{describe_activated(ctx, site, fn)} reaches {describe_loss(site)}, which expects "
                   f"probabilities: {effect}; {advice}")
        fix = self._fix(ctx, site)
        return self.site_finding(site, message, *fix)

    def _fix(self, ctx: FileContext, site: LossSite) -> tuple[Replacement, ...]:
        users = sole_users(ctx, site)
        if users is None:
            return ()
        undos = []
        for user in users:
            undo = undo_activation(ctx, user) if self.applies(ctx, user) and _same_axis(user) else None
            if undo is None:
                return ()
            undos.append(undo)
        edit = with_from_logits(site, True) if site.api.from_logits is not None else with_logits_sibling(ctx, site)
        return replacements(ctx, edit, undos) if edit is not None else ()


def _same_axis(site: LossSite) -> bool:
    """The softmax normalised over the axis the loss uses (a sigmoid has no axis)."""
    if family(site) is Fn.SIGMOID:
        return True
    node = loss_node(site)
    axis_arg = argument(node, site.api.axis) if node is not None else None
    loss_axis = int_literal(axis_arg.value) if axis_arg is not None else site.api.axis_default
    return loss_axis is not None and site.prediction.axis == loss_axis
