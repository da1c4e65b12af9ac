"""`xentlint fix --verify`: each fix is checked with the NumPy models before it is applied."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from xentlint import api, engine
from xentlint.diagnostics import Diagnostic
from xentlint.registry import default_codes
from xentlint.runtime.inputs import Layout
from xentlint.verification import FixVerifier, Outcome, check_fix, fix_verified, layout_of

LOG_OF_SOFTMAX = "import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(logits, dim=1))\n"
RENAMED = ("import torch\nimport torch.nn.functional as functional\n\n"
           "lp = torch.log(functional.softmax(logits, dim=1))\n")


def fixed_with_checks(source: str):
    return fix_verified(source, "m.py", default_codes(), unsafe=False)


def finding(source: str, code: str) -> Diagnostic:
    [found] = [d for d in api.check_source(source, "m.py", default_codes()) if d.code == code]
    return found


def with_fix_content(diagnostic: Diagnostic, content: str) -> Diagnostic:
    assert diagnostic.fix is not None
    [edit] = diagnostic.fix.edits
    fix = dataclasses.replace(diagnostic.fix, edits=(dataclasses.replace(edit, content=content),))
    return dataclasses.replace(diagnostic, fix=fix)


@pytest.mark.parametrize("source", [LOG_OF_SOFTMAX, RENAMED], ids=["F", "functional"])
def test_fix_is_applied_and_reported_verified_with_its_figures(source: str) -> None:
    result, [check] = fixed_with_checks(source)
    assert "log_softmax(logits, dim=1)" in result.source
    assert check.outcome is Outcome.VERIFIED
    assert check.line().startswith("m.py:4:6: XL301 verified: fixed equals the original wherever that is finite")
    assert "the original is not finite on" in check.detail


def test_tensorflow_names_resolve_to_the_standins() -> None:
    source = "import tensorflow as tf\n\nlp = tf.math.log(tf.nn.softmax(logits))\n"
    _, [check] = fixed_with_checks(source)
    assert check.outcome is Outcome.VERIFIED, check.detail


def test_reference_check_picks_which_variable_is_the_prediction() -> None:
    source = "import torch\nimport torch.nn.functional as F\n\nloss = F.binary_cross_entropy(torch.sigmoid(z), t)\n"
    result, [check] = fixed_with_checks(source)
    assert "binary_cross_entropy_with_logits(z, t)" in result.source
    assert check.outcome is Outcome.VERIFIED, check.detail
    assert "fixed equals the reference" in check.detail and "the original differs on" in check.detail


def test_wrong_fix_fails_its_check_and_is_refused() -> None:
    wrong = with_fix_content(finding(LOG_OF_SOFTMAX, "XL301"), "F.log_softmax(logits, dim=0)")
    check = check_fix(LOG_OF_SOFTMAX, wrong)
    assert check.outcome is Outcome.FAILED
    assert check.line().startswith("m.py:4:6: XL301 NOT applied: check failed: ")
    assert "values differ by" in check.detail
    assert FixVerifier()(LOG_OF_SOFTMAX, wrong) is False


def test_refused_fix_leaves_the_file_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_lint = engine.lint_source

    def lint_with_a_wrong_fix(source: str, filename: str, codes: frozenset[str]) -> engine.LintResult:
        result = real_lint(source, filename, codes)
        result.diagnostics = [with_fix_content(d, "F.log_softmax(logits, dim=0)") if d.fix else d
                              for d in result.diagnostics]
        return result

    monkeypatch.setattr(engine, "lint_source", lint_with_a_wrong_fix)
    path = tmp_path / "m.py"
    path.write_text(LOG_OF_SOFTMAX)
    report = api.process(api.FileTask(path, "m.py", default_codes(), fix=True, write=True, verify=True))
    assert path.read_text() == LOG_OF_SOFTMAX
    assert report.fixed == [] and [d.code for d in report.diagnostics] == ["XL301"]
    [check] = report.checks
    assert check.outcome is Outcome.FAILED


@pytest.mark.parametrize(("source", "reason"), [
    # A loss option read from a variable the check cannot see.
    ("import torch.nn.functional as F\n\nloss = F.cross_entropy(F.softmax(z, dim=1), y, label_smoothing=eps)\n",
     "the loss's `label_smoothing=` is `eps`, a value the check cannot see"),
    # Listed in XL502's contract: nothing to evaluate outside a TF 1 graph.
    ("import tensorflow as tf\n\ntotal = tf.losses.get_total_loss()\n",
     "`tf.losses.get_total_loss` is not checked: it sums the losses collected in the TF 1 graph"),
])
def test_unverifiable_fix_is_applied_and_says_why(source: str, reason: str) -> None:
    result, [check] = fixed_with_checks(source)
    assert result.source != source and not result.remaining
    assert check.outcome is Outcome.UNVERIFIED
    assert reason in check.line() and " not verified: " in check.line()


@pytest.mark.parametrize("source", [
    "import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(model(x), dim=1))\n",
    "import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(self.fc(x), dim=1))\n",
], ids=["call", "attribute"])
def test_values_of_the_users_code_are_inputs_of_their_own(source: str) -> None:
    _, [check] = fixed_with_checks(source)
    assert check.outcome is Outcome.VERIFIED, check.detail


README_EXAMPLE = "import torch.nn.functional as F\n\nloss = F.cross_entropy(F.softmax(z, dim=1), y)\n"


def test_readme_example_is_verified_at_its_loss_site_with_figures() -> None:
    result, [check] = fixed_with_checks(README_EXAMPLE)
    assert "F.cross_entropy(z, y)" in result.source
    assert check.outcome is Outcome.VERIFIED, check.detail
    assert check.line().startswith("m.py:3:8: XL101 verified: fixed equals the reference on all 36 inputs")
    assert "the original differs on 36 of 36 inputs" in check.detail
    assert "the original's gradient is" in check.detail and "x smaller" in check.detail


@pytest.mark.parametrize("source", [
    "import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(scores, dim=2))\n",
    ("import tensorflow as tf\n\n\ndef step(logits, labels):\n    probs = tf.nn.softmax(logits, axis=2)\n"
     "    return tf.keras.losses.categorical_crossentropy(labels, probs, from_logits=True)\n"),
], ids=["formula", "loss-site"])
def test_a_softmax_over_dim_2_is_checked_on_3d_inputs(source: str) -> None:
    _, [check] = fixed_with_checks(source)
    assert check.outcome is Outcome.VERIFIED, check.detail
    assert "inputs" in check.detail and ("the original is not finite on" in check.detail
                                         or "the original's gradient is" in check.detail)


def test_layout_follows_the_literal_axis() -> None:
    assert layout_of("torch.log(torch.nn.functional.softmax(z, dim=2))") == Layout(rank=3, class_axis=2)
    assert layout_of("torch.log(torch.nn.functional.softmax(z, dim=1))") == Layout()


INTEGER_ONE_HOT = ("import torch\nimport torch.nn.functional as F\n\n\ndef loss_fn(z, y):\n"
                   "    y_onehot = F.one_hot(y, 10)\n"
                   "    return -(y_onehot * torch.log(torch.softmax(z, dim=1))).sum(dim=1).mean()\n")


def test_integer_one_hot_formula_is_fixed_with_a_cast_and_proven() -> None:
    result, checks = fixed_with_checks(INTEGER_ONE_HOT)
    assert "return F.cross_entropy(z, y_onehot.float())" in result.source
    [check] = [c for c in checks if c.diagnostic.code == "XL303"]
    assert check.outcome is Outcome.VERIFIED, check.detail


def test_integer_one_hot_without_the_cast_fails_its_check_as_torch_raises() -> None:
    without_cast = with_fix_content(finding(INTEGER_ONE_HOT, "XL303"), "F.cross_entropy(z, y_onehot)")
    check = check_fix(INTEGER_ONE_HOT, without_cast)
    assert check.outcome is Outcome.FAILED
    assert "Expected floating point type for target with class probabilities, got Long" in check.detail


def test_keras_layer_softmax_fix_is_checked_on_the_whole_model() -> None:
    source = ("import keras\nfrom keras import layers\n\nmodel = keras.Sequential([layers.Dense(10, "
              "activation=\"softmax\")])\nmodel.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))"
              "\nmodel.fit(x, keras.utils.to_categorical(y, 10))\n")
    _, [check] = fixed_with_checks(source)
    assert check.outcome is Outcome.VERIFIED, check.detail


def test_swapped_arguments_are_checked_as_passed() -> None:
    source = (Path(__file__).parent.parent / "fixtures" / "XL403" / "bad_torch.py").read_text()
    _, checks = fixed_with_checks(source)
    [check] = [c for c in checks if c.diagnostic.location.row == 25]
    assert check.diagnostic.code == "XL403" and check.outcome is Outcome.VERIFIED, check.detail
    assert "the original differs on 36 of 36 inputs (raises on 36)" in check.detail


def test_cli_fix_verify_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "misuse.py").write_text(LOG_OF_SOFTMAX)
    result = subprocess.run([sys.executable, "-m", "xentlint", "fix", "--verify", "misuse.py"], cwd=tmp_path,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    assert "Found 1 error (1 fixed, 0 remaining)." in result.stdout.decode()
    assert "misuse.py:4:6: XL301 verified: fixed equals the original" in result.stderr.decode()
    assert "lp = F.log_softmax(logits, dim=1)" in (tmp_path / "misuse.py").read_text()


def test_fixing_without_verify_does_not_import_numpy(tmp_path: Path) -> None:
    (tmp_path / "misuse.py").write_text(LOG_OF_SOFTMAX)
    script = ("import sys\nfrom pathlib import Path\nfrom xentlint import api\nfrom xentlint.registry import "
              "default_codes\napi.process(api.FileTask(Path('misuse.py'), 'misuse.py', default_codes(), fix=True))\n"
              "assert 'numpy' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True, timeout=120)
