"""The XL5 rename tables against the installed frameworks (TensorFlow 2.21, PyTorch 2.13).

- every replacement exists, and takes the keywords a fix passes to it;
- every name XL502 flags is missing from TF 2 and present in TF 1 (`tf.compat.v1`), and every
  TF1-only member of `tf.losses` is flagged while TF 2's Keras aliases are not;
- tf.contrib cannot run here, so its losses are transcribed from TF 1.15 `loss_ops.py` in NumPy
  and compared with what the fixed code computes;
- the size_average/reduce table matches `torch.nn._reduction.legacy_get_string`, the signatures
  match PyTorch's, and fixed code builds losses with the same `reduction`.

A missing framework skips these tests, except in CI (CI=true) where it fails them.
"""
from __future__ import annotations

import importlib
import inspect
import itertools
import os
import warnings
from types import ModuleType
from typing import Optional

import numpy as np
import pytest

from xentlint import knowledge
from xentlint.engine import fix_source, lint_source
from xentlint.knowledge import apis
from xentlint.knowledge.schema import Form
from xentlint.rules.xl5_deprecated import legacy_reduction

pytestmark = pytest.mark.oracle
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _framework(name: str) -> ModuleType:
    if os.environ.get("CI", "").lower() == "true":
        return importlib.import_module(name)  # the oracle must run in CI: an ImportError fails
    return pytest.importorskip(name)


@pytest.fixture(scope="module")
def tf() -> ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _framework("tensorflow")


@pytest.fixture(scope="module")
def torch() -> ModuleType:
    return _framework("torch")


def _resolve(root: ModuleType, qualified: str, prefix: str) -> Optional[object]:
    """`prefix.a.b` looked up as attributes of `root`; None when a part is missing."""
    assert qualified.startswith(prefix + "."), qualified
    obj: object = root
    for part in qualified[len(prefix) + 1:].split("."):
        if not hasattr(obj, part):
            return None
        obj = getattr(obj, part)
    return obj


def _parameters(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)


def _fix(source: str, code: str) -> str:
    result = fix_source(source, "snippet.py", frozenset({code}), unsafe=True)
    assert result.error is None
    return result.source


# ---------------------------------------------------------------- XL501 tf.contrib
def test_tf_contrib_is_gone(tf: ModuleType) -> None:
    assert not hasattr(tf, "contrib")


@pytest.mark.parametrize("row", [row for row in apis.CONTRIB_LOSSES if row.new], ids=lambda row: row.old)
def test_contrib_replacement_takes_the_fixed_arguments(tf: ModuleType, row) -> None:
    target = _resolve(tf, row.new, "tensorflow")
    assert target is not None, f"{row.new} does not exist"
    params = _parameters(target)
    assert params[:len(row.new_params)] == list(row.new_params)
    renamed = dict(row.keywords)
    passed = [renamed.get(name, name) for name in row.old_params] + [name for name, _ in row.added]
    assert set(passed) <= set(params), f"{row.new} does not take {set(passed) - set(params)}"


def _contrib_weighted_mean(losses: np.ndarray, weights: object) -> float:
    """TF 1.15 contrib `compute_weighted_loss`: `_scale_losses` / `_num_present` / `_safe_mean`."""
    losses = np.asarray(losses, np.float32)
    weights = np.asarray(weights, np.float32)
    if weights.ndim > 1 and weights.shape[-1] == 1:
        weights = weights.squeeze(-1)
    reduced = losses.sum(axis=tuple(range(weights.ndim, losses.ndim)))
    total = float((reduced * weights).sum())
    per_element = float(np.prod(losses.shape[weights.ndim:]))
    if weights.ndim == 0:
        present = 0.0 if weights == 0 else float(losses.size)
    else:
        present = float((weights != 0).reshape(weights.shape[0], -1).sum(1).sum() * per_element)
    return total / present if present > 0 else 0.0


def _softmax_xent(labels: np.ndarray, logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(-1, keepdims=True)
    return -(labels * (shifted - np.log(np.exp(shifted).sum(-1, keepdims=True)))).sum(-1)


def _sigmoid_xent(labels: np.ndarray, logits: np.ndarray) -> np.ndarray:
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


_RNG = np.random.default_rng(7)
_LOGITS = _RNG.normal(size=(5, 4)).astype(np.float32) * 3
_ONE_HOT = np.eye(4, dtype=np.float32)[[0, 3, 1, 1, 2]]
_SPARSE = np.array([0, 3, 1, 1, 2])
_PROBS = _RNG.uniform(0.05, 0.95, size=(5, 4)).astype(np.float32)
_BINARY = (_RNG.uniform(size=(5, 4)) > 0.5).astype(np.float32)
_UNIT = _ONE_HOT / np.linalg.norm(_ONE_HOT, axis=1, keepdims=True)
_FULL_WEIGHTS = _RNG.uniform(0, 2, size=(5, 4)).astype(np.float32)
_BATCH_WEIGHTS = np.array([1.0, 0.0, 2.0, 0.5, 1.0], np.float32)

# (contrib call, what TF 1.15 contrib computed): the arguments are the names bound below.
_CONTRIB_CASES = [
    ("tf.contrib.losses.softmax_cross_entropy(logits, onehot)",
     _contrib_weighted_mean(_softmax_xent(_ONE_HOT, _LOGITS), 1.0)),
    ("tf.contrib.losses.softmax_cross_entropy(logits, onehot, 2.0, 0.1)",
     _contrib_weighted_mean(_softmax_xent(_ONE_HOT * 0.9 + 0.1 / 4, _LOGITS), 2.0)),
    ("tf.contrib.losses.softmax_cross_entropy(logits, onehot, weights=batch_weights)",
     _contrib_weighted_mean(_softmax_xent(_ONE_HOT, _LOGITS), _BATCH_WEIGHTS)),
    ("tf.contrib.losses.sparse_softmax_cross_entropy(logits, sparse, 0.0)", 0.0),
    ("tf.contrib.losses.sparse_softmax_cross_entropy(logits, sparse, batch_weights)",
     _contrib_weighted_mean(_softmax_xent(_ONE_HOT, _LOGITS), _BATCH_WEIGHTS)),
    ("tf.contrib.losses.sigmoid_cross_entropy(logits, binary, label_smoothing=0.2)",
     _contrib_weighted_mean(_sigmoid_xent(_BINARY * 0.8 + 0.1, _LOGITS), 1.0)),
    ("tf.contrib.losses.sigmoid_cross_entropy(logits, binary, full_weights)",
     _contrib_weighted_mean(_sigmoid_xent(_BINARY, _LOGITS), _FULL_WEIGHTS)),
    ("tf.contrib.losses.log_loss(probs, binary)",
     _contrib_weighted_mean(-_BINARY * np.log(_PROBS + 1e-7) - (1 - _BINARY) * np.log(1 - _PROBS + 1e-7), 1.0)),
    ("tf.contrib.losses.mean_squared_error(probs, binary, 3.0)",
     _contrib_weighted_mean((_PROBS - _BINARY) ** 2, 3.0)),
    ("tf.contrib.losses.absolute_difference(probs, binary)", _contrib_weighted_mean(np.abs(_PROBS - _BINARY), 1.0)),
    ("tf.contrib.losses.cosine_distance(unit, onehot, 1)",
     _contrib_weighted_mean(1 - (_UNIT * _ONE_HOT).sum(1), 1.0)),
    ("tf.contrib.losses.compute_weighted_loss(full_weights * 2, full_weights)",
     _contrib_weighted_mean(_FULL_WEIGHTS * 2, _FULL_WEIGHTS)),
    ("tf.contrib.losses.hinge_loss(logits, binary)", np.maximum(0, 1 - (2 * _BINARY - 1) * _LOGITS)),
]


@pytest.mark.parametrize("source, expected", _CONTRIB_CASES, ids=[case[0] for case in _CONTRIB_CASES])
def test_contrib_fix_computes_what_contrib_computed(tf: ModuleType, source: str, expected: object) -> None:
    fixed = _fix(f"import tensorflow as tf\nloss = {source}\n", "XL501")
    assert "contrib" not in fixed
    namespace = {"logits": _LOGITS, "onehot": _ONE_HOT, "sparse": _SPARSE, "probs": _PROBS, "binary": _BINARY,
                 "unit": _UNIT, "full_weights": _FULL_WEIGHTS, "batch_weights": _BATCH_WEIGHTS}
    exec(fixed, namespace)
    np.testing.assert_allclose(np.asarray(namespace["loss"]), expected, rtol=1e-5, atol=1e-6)


def test_lower_rank_weights_make_the_contrib_fix_unsafe() -> None:
    """compat.v1 raises where contrib broadcast `[batch]` weights over `[batch, classes]` losses."""
    source = "import tensorflow as tf\nloss = tf.contrib.losses.sigmoid_cross_entropy(logits, labels, weights=w)\n"
    [finding] = lint_source(source, "snippet.py", frozenset({"XL501"})).diagnostics
    assert finding.fix is not None and finding.fix.applicability.value == "unsafe"


def test_lower_rank_weights_raise_in_compat_v1(tf: ModuleType) -> None:
    with pytest.raises(ValueError):
        tf.compat.v1.losses.sigmoid_cross_entropy(_BINARY, _LOGITS, weights=_BATCH_WEIGHTS)


# ---------------------------------------------------------------- XL502 TF1-only names
@pytest.mark.parametrize("row", apis.TF1_ONLY, ids=lambda row: row.old)
def test_tf1_only_names_are_gone_from_tf2_and_existed_in_tf1(tf: ModuleType, row) -> None:
    assert _resolve(tf, row.old, "tensorflow") is None, f"{row.old} exists in TF 2: it must not be flagged"
    tf1 = _resolve(tf.compat.v1, row.old, "tensorflow")
    assert tf1 is not None, f"{row.old} is not a TF1 name"
    if row.new is None:
        return
    new = _resolve(tf, row.new, "tensorflow")
    assert new is not None, f"{row.new} does not exist"
    if not row.changes_arguments:
        assert new is tf1 or new == tf1, f"{row.new} is not TF1's {row.old}"


def test_every_tf1_only_member_of_tf_losses_is_flagged_and_no_keras_alias_is(tf: ModuleType) -> None:
    tf1 = {name for name in dir(tf.compat.v1.losses) if not name.startswith("_")}
    tf2 = {name for name in dir(tf.losses) if not name.startswith("_")}
    for name in tf1 - tf2:
        assert knowledge.tf1_only(f"tensorflow.losses.{name}") is not None, name
    for name in tf2:
        assert knowledge.tf1_only(f"tensorflow.losses.{name}") is None, name


@pytest.mark.parametrize("row", apis.TF1_ARGUMENTS, ids=lambda row: row.old)
def test_tf1_argument_constants(tf: ModuleType, row) -> None:
    assert _resolve(tf, row.old, "tensorflow") is not None, f"{row.old} is gone: list it in TF1_ONLY"
    assert _resolve(tf, row.new, "tensorflow") == _resolve(tf.compat.v1, row.old, "tensorflow")


@pytest.mark.parametrize("call", [
    "tf.nn.softmax_cross_entropy_with_logits_v2(labels=onehot, logits=logits, dim=0)",
    "tf.nn.softmax_cross_entropy_with_logits_v2(onehot, logits, 0)",
    "tf.losses.softmax_cross_entropy(onehot, logits, reduction=tf.losses.Reduction.SUM)",
    "tf.losses.sparse_softmax_cross_entropy(sparse, logits, reduction=tf.losses.Reduction.MEAN)",
    "tf.losses.hinge_loss(binary, logits, reduction=tf.losses.Reduction.SUM_OVER_BATCH_SIZE)",
    "tf.log(probs)",
    "tf.log_sigmoid(logits)",
    "tf.squared_difference(probs, binary)",
])
def test_tf1_fix_computes_what_tf1_computed(tf: ModuleType, call: str) -> None:
    """The TF1 call run with TF1's API (`tf.compat.v1`) against the fixed call run with TF 2's."""
    fixed = _fix(f"import tensorflow as tf\nloss = {call}\n", "XL502")
    data = {"logits": _LOGITS, "onehot": _ONE_HOT, "sparse": _SPARSE, "probs": _PROBS, "binary": _BINARY}
    before = {**data, "tf": tf.compat.v1}
    after = {**data}
    exec(f"loss = {call}\n", before)
    exec(fixed, after)
    np.testing.assert_allclose(np.asarray(after["loss"]), np.asarray(before["loss"]), rtol=1e-6)


# ---------------------------------------------------------------- XL503 torch size_average / reduce
def _torch_api(torch: ModuleType, row) -> object:
    return _resolve(torch, row.names[0], "torch")


@pytest.mark.parametrize("row", apis.TORCH_LEGACY_REDUCTION_LOSSES, ids=lambda row: row.names[0])
def test_torch_rows_match_the_signatures(torch: ModuleType, row) -> None:
    api = _torch_api(torch, row)
    params = _parameters(api.__init__)[1:] if row.form is Form.CLASS else _parameters(api)
    assert params == list(row.params)
    for name in row.names[1:]:
        assert _resolve(torch, name, "torch") is api


def test_every_torch_loss_with_legacy_flags_is_in_the_table(torch: ModuleType) -> None:
    listed = {name for row in apis.TORCH_LEGACY_REDUCTION_LOSSES for name in row.names}
    for module, prefix, is_class in ((torch.nn, "torch.nn", True), (torch.nn.functional, "torch.nn.functional", False)):
        for name in dir(module):
            obj = getattr(module, name)
            if inspect.isclass(obj) != is_class or not callable(obj) or name.startswith("_"):
                continue
            try:
                params = _parameters(obj.__init__ if is_class else obj)
            except (TypeError, ValueError):
                continue
            if "size_average" in params or "reduce" in params:
                assert f"{prefix}.{name}" in listed, f"{prefix}.{name} takes size_average/reduce"


def test_mapping_matches_legacy_get_string(torch: ModuleType) -> None:
    from torch.nn import _reduction

    for size_average, reduce in itertools.product((None, True, False), repeat=2):
        expected = _reduction.legacy_get_string(size_average, reduce, emit_warning=False)
        assert legacy_reduction(size_average, reduce) == expected, (size_average, reduce)


def test_flags_override_an_explicit_reduction(torch: ModuleType) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.nn.CrossEntropyLoss(reduce=False, reduction="mean").reduction == "none"
        x, y = torch.randn(3, 4), torch.randn(3, 4)
        assert torch.nn.functional.mse_loss(x, y, size_average=False, reduction="none").shape == ()


_FLAG_LITERALS = ("None", "True", "False")
_TORCH_CASES = [
    f"nn.{name}({args})"
    for name in ("CrossEntropyLoss", "BCEWithLogitsLoss", "MSELoss")
    for size_average, reduce in itertools.product(_FLAG_LITERALS, repeat=2)
    for args in (f"size_average={size_average}, reduce={reduce}",
                 f"reduce={reduce}, reduction='sum', size_average={size_average}")
] + [
    "nn.CrossEntropyLoss(None, False)",
    "nn.NLLLoss(None, False, 3, None, 'mean')",
    "nn.BCELoss(None, True, False, 'sum')",
    "nn.PoissonNLLLoss(True, False, False, 1e-6)",
    "nn.TripletMarginLoss(1.0, 2.0, 1e-6, False, False)",
]


@pytest.mark.parametrize("constructor", _TORCH_CASES)
def test_fixed_torch_loss_has_the_same_reduction(torch: ModuleType, constructor: str) -> None:
    fixed = _fix(f"import torch.nn as nn\nloss = {constructor}\n", "XL503")
    assert "size_average" not in fixed and "reduce=" not in fixed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before: dict = {"nn": torch.nn}
        after: dict = {}
        exec(f"loss = {constructor}\n", before)
        exec(fixed, after)
    assert vars(after["loss"]) == vars(before["loss"])


def test_fixed_functional_loss_gives_the_same_value(torch: ModuleType) -> None:
    call = "F.nll_loss(F.log_softmax(z, dim=1), y, None, False, 1, True)"
    fixed = _fix(f"import torch.nn.functional as F\nloss = {call}\n", "XL503")
    z, y = torch.randn(6, 4), torch.tensor([0, 1, 2, 3, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = {"F": torch.nn.functional, "z": z, "y": y}
        after = {"z": z, "y": y}
        exec(f"loss = {call}\n", before)
        exec(fixed, after)
    assert torch.equal(after["loss"], before["loss"])
