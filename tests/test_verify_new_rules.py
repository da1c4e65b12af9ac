"""`fix --verify` on the fixes of XL205 (KL divergence, CTC), XL801 (metrics on logits) and XL802
(class weights): each right fix is proven against its rule's contract, and a wrong one fails."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from xentlint import api
from xentlint.diagnostics import Diagnostic
from xentlint.figures.data import THRESHOLD_RAY, as_floats
from xentlint.registry import default_codes
from xentlint.verification import Outcome, check_fix

FIGURES = Path(__file__).resolve().parents[1] / "rules" / "img"

CTC = ("import torch.nn as nn\nimport torch.nn.functional as F\n\n"
       "def step(outputs, targets, input_lengths, target_lengths):\n"
       "    return F.ctc_loss(outputs.softmax(2), targets, input_lengths, target_lengths)\n")
CTC_MODULE = ("import torch.nn as nn\n\n\nclass Head(nn.Module):\n"
              "    def __init__(self):\n        super().__init__()\n        self.proj = nn.Linear(8, 5)\n\n"
              "    def forward(self, x):\n        return self.proj(x)\n\n\n"
              "def step(x, targets, input_lengths, target_lengths):\n"
              "    logits = Head()(x)\n"
              "    return nn.CTCLoss(blank=0)(logits, targets, input_lengths, target_lengths)\n")
SWAPPED_KL = ("import torch.nn.functional as F\n\n"
              "def loss(student, teacher):\n"
              "    return F.kl_div(F.softmax(teacher, dim=1), F.log_softmax(student, dim=1))\n")
KERAS_METRICS = ("from tensorflow import keras\n\n"
                 "model = keras.Sequential([keras.layers.Dense(8), keras.layers.Dense(1)])\n"
                 "model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True),\n"
                 "              metrics=['accuracy', keras.metrics.AUC(), keras.metrics.Precision()])\n")
THRESHOLD = ("import torch.nn as nn\n\n"
             "def step(model, x, y):\n"
             "    logits = model(x)\n"
             "    loss = nn.BCEWithLogitsLoss()(logits, y)\n"
             "    return loss, logits > 0.5\n")
WEIGHTED = ("import tensorflow as tf\n\n"
            "def loss(logits, labels):\n"
            "    return tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits * [1.0, 10.0])\n")


def findings(source: str, code: str) -> list[Diagnostic]:
    return [d for d in api.check_source(source, "m.py", default_codes()) if d.code == code and d.fix is not None]


def with_fix_content(diagnostic: Diagnostic, content: str) -> Diagnostic:
    assert diagnostic.fix is not None
    [edit] = diagnostic.fix.edits
    fix = dataclasses.replace(diagnostic.fix, edits=(dataclasses.replace(edit, content=content),))
    return dataclasses.replace(diagnostic, fix=fix)


@pytest.mark.parametrize("source, code", [(CTC, "XL205"), (CTC_MODULE, "XL205"), (SWAPPED_KL, "XL205"),
                                          (KERAS_METRICS, "XL801"), (THRESHOLD, "XL801"), (WEIGHTED, "XL802")],
                         ids=["ctc-softmax", "ctc-logits-module", "kl-swapped", "keras-metrics", "logits>0.5",
                              "tf-class-weights"])
def test_each_fix_is_verified_against_its_contract(source: str, code: str) -> None:
    found = findings(source, code)
    assert found
    for diagnostic in found:
        check = check_fix(source, diagnostic)
        assert check.outcome is Outcome.VERIFIED, check.line()
        assert "fixed equals the reference" in check.detail and "the original differs on" in check.detail


@pytest.mark.parametrize("source, code, wrong", [
    (CTC, "XL205", "outputs.log_softmax(0)"),  # the time axis, not the class axis
    (CTC_MODULE, "XL205", "logits.sigmoid().log()"),
    (SWAPPED_KL, "XL205", "F.kl_div(F.log_softmax(teacher, dim=1), F.softmax(student, dim=1))"),  # KL(student||teacher)
    (THRESHOLD, "XL801", "0.3"),
    (WEIGHTED, "XL802", "tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)"),  # unweighted
], ids=["ctc-time-axis", "ctc-log-sigmoid", "kl-reversed", "threshold-0.3", "weights-dropped"])
def test_a_wrong_fix_fails_its_check(source: str, code: str, wrong: str) -> None:
    [diagnostic] = findings(source, code)
    check = check_fix(source, with_fix_content(diagnostic, wrong))
    assert check.outcome is Outcome.FAILED, check.line()


def test_a_weighting_by_other_weights_than_the_codes_is_not_verified() -> None:
    [diagnostic] = findings(WEIGHTED, "XL802")
    wrong = ("tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits) "
             "* tf.reduce_sum(labels * [10.0, 1.0], axis=-1)")
    check = check_fix(WEIGHTED, with_fix_content(diagnostic, wrong))
    assert check.outcome is Outcome.UNVERIFIED and "the fix reads `[10.0, 1.0]`" in check.detail


@pytest.mark.parametrize("wrong", ["keras.metrics.BinaryAccuracy(name='accuracy')",
                                   "keras.metrics.BinaryAccuracy(name='accuracy', threshold=0.5)"])
def test_a_metric_fix_that_keeps_the_threshold_fails(wrong: str) -> None:
    accuracy = next(d for d in findings(KERAS_METRICS, "XL801") if d.location.column == 24)
    check = check_fix(KERAS_METRICS, with_fix_content(accuracy, wrong))
    assert check.outcome is Outcome.FAILED, check.line()


def test_the_metric_figure_crosses_the_thresholds_without_a_gradient_panel() -> None:
    data = json.loads((FIGURES / "XL801.json").read_text())
    assert data["ray"] == THRESHOLD_RAY
    scale = as_floats(data["scale"])
    original, fixed, reference = (as_floats(data["series"][role]["value"])
                                  for role in ("original", "fixed", "reference"))
    assert all("gradient_norm" not in series for series in data["series"].values())
    assert np.array_equal(fixed, reference) and set(fixed) == {0.0, 1.0}
    # The original counts a positive example as positive only once its logit passes 0.5 (probability 0.62).
    assert np.array_equal(original != reference, (scale > 0) & (scale <= 0.5))
