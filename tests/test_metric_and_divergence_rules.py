"""The figures the XL205/XL801/XL802 messages quote, checked against the NumPy models, and the
second half of XL802's contract (the predictions move)."""

from __future__ import annotations

import numpy as np
import pytest

from xentlint.engine import lint_source
from xentlint.rules.xl2_log_probability import kl_of_identical_distributions
from xentlint.rules.xl8_metrics import PREDICTIONS_MOVE
from xentlint.runtime import reference_losses, reference_metrics, run_contract


@pytest.mark.parametrize("classes", [2, 3, 10])
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "mean"])
def test_kl_figure_is_what_kl_div_returns_on_identical_probabilities(classes: int, reduction: str) -> None:
    uniform = np.full((1, classes), 1 / classes)
    value = reference_losses.torch_kl_div(uniform, uniform, reduction=reduction)
    assert float(value) == pytest.approx(kl_of_identical_distributions(classes, reduction))
    assert float(reference_losses.torch_kl_div(np.log(uniform), uniform, reduction=reduction)) == pytest.approx(0)


def test_logit_threshold_of_one_half_is_probability_0_62() -> None:
    logits = np.array([[0.4], [0.6]])
    accuracy_on_logits = reference_metrics.keras_binary_accuracy(np.ones_like(logits), logits)
    assert accuracy_on_logits.tolist() == [[0.0], [1.0]]  # sigmoid(0.4) = 0.60 > 0.5, still "negative"
    assert reference_losses.sigmoid(0.5) == pytest.approx(0.6225, abs=1e-4)
    assert "probability > 0.62" in _messages("XL801", _KERAS_LOGITS_MODEL)[0]


def test_class_weights_in_the_logits_move_the_predictions() -> None:
    result = run_contract(PREDICTIONS_MOVE)
    assert result.verifiable and result.held, result.summary


def test_the_class_named_is_the_one_whose_predictions_move() -> None:
    weights = np.array([0.2, 1.0, 5.0])
    logits = np.random.default_rng(0).normal(0, 3, (2000, 3))
    gained = np.bincount(np.argmax(logits * weights, 1), minlength=3) - np.bincount(np.argmax(logits, 1), minlength=3)
    assert int(np.argmax(gained)) == 2
    message = _messages("XL802", "import torch\nimport torch.nn.functional as F\n\n"
                                 "def f(z, y):\n    return F.cross_entropy(z * torch.tensor([0.2, 1.0, 5.0]), y)\n")[0]
    assert "class 2 (weight 5, 25x class 0's)" in message


_KERAS_LOGITS_MODEL = (
    "from tensorflow import keras\n\n"
    "model = keras.Sequential([keras.layers.Dense(1)])\n"
    "model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True), metrics=['accuracy'])\n"
)


@pytest.mark.parametrize(
    "code, source",
    [
        ("XL801", _KERAS_LOGITS_MODEL.replace("metrics=['accuracy']", "metrics=METRICS")),
        ("XL801", _KERAS_LOGITS_MODEL.replace("metrics=['accuracy'])", "metrics=['accuracy'], **options)")),
        ("XL801", _KERAS_LOGITS_MODEL.replace("['accuracy']", "[keras.metrics.AUC(**auc_options)]")),
        ("XL802", "import torch.nn.functional as F\n\ndef f(z, y, w):\n    return F.cross_entropy(z * w, y)\n"),
        ("XL802", "import torch.nn.functional as F\n\ndef f(z, a):\n    return F.cross_entropy(z * [1.0, 2.0], *a)\n"),
        ("XL205", "import torch.nn.functional as F\n\ndef f(s, t, **kw):\n"
                  "    return F.kl_div(F.softmax(s, dim=1), t, **kw)\n"),
    ],
)
def test_no_guess_on_inputs_that_are_not_literals(code: str, source: str) -> None:
    assert _messages(code, source) == []


def _messages(code: str, source: str) -> list[str]:
    return [d.message for d in lint_source(source, "snippet.py", frozenset({code})).diagnostics if d.code == code]

