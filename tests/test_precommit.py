"""The real pre-commit tool runs the hooks of this repository against a project with a misuse."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MISUSE = "import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(z, dim=1))\n"


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _try_repo(hook: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--all-files"],
                          cwd=cwd, capture_output=True, timeout=900)


@pytest.mark.slow
def test_pre_commit_hooks_fail_on_misuse_then_pass_after_fix(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit")
    (tmp_path / "train.py").write_text(MISUSE)
    _git("init", "-q", cwd=tmp_path)
    _git("add", "train.py", cwd=tmp_path)
    checked = _try_repo("xentlint", tmp_path)
    assert checked.returncode == 1, checked.stdout.decode()
    assert b"XL301" in checked.stdout
    fixed = _try_repo("xentlint-fix", tmp_path)
    assert fixed.returncode == 1  # pre-commit fails a hook that modified files
    assert "F.log_softmax(z, dim=1)" in (tmp_path / "train.py").read_text()
    _git("add", "train.py", cwd=tmp_path)
    assert _try_repo("xentlint", tmp_path).returncode == 0
