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
from xentlint.verification import FixVerifier, Outcome, check_fix, fix_verified

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
    ("import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(model(x), dim=1))\n",
     "`model(...)` calls the user's code"),
    ("import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(self.fc(x), dim=1))\n",
     "`self.fc` is an attribute of a variable"),
    # Keras's per-sample loss is not the contract's mean-reduced torch call: its reference does not apply.
    ("import tensorflow as tf\n\nloss = tf.keras.losses.binary_crossentropy(y, tf.sigmoid(logits))\n",
     "the contract's reference does not apply"),
])
def test_unverifiable_fix_is_applied_and_says_why(source: str, reason: str) -> None:
    result, [check] = fixed_with_checks(source)
    assert result.source != source and not result.remaining
    assert check.outcome is Outcome.UNVERIFIED
    assert reason in check.line() and " not verified: " in check.line()


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
