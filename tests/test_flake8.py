"""The real flake8, with xentlint's plugin installed, reports what `xentlint check` reports."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("flake8")
pytestmark = pytest.mark.slow  # starts the external flake8, several times

MISUSE = "import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(z, dim=1))\n"
FLOW = (
    "import torch\nimport torch.nn.functional as F\n\n"
    "def log_probabilities(z):\n"
    "    p = F.softmax(z, dim=1)\n"
    "    return torch.log(p), torch.log(F.softmax(z, dim=-1))\n"
)
SUPPRESSED = MISUSE.replace("dim=1))", "dim=1))  # noqa: XL301")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "misuse.py").write_text(MISUSE)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "flow.py").write_text(FLOW)
    (tmp_path / "suppressed.py").write_text(SUPPRESSED)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(MISUSE)
    (tmp_path / "pyproject.toml").write_text('[tool.xentlint.per-file-ignores]\n"legacy/**" = ["XL3"]\n')
    return tmp_path


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *command], cwd=cwd, capture_output=True, text=True, timeout=300)


def flake8_findings(project: Path, *options: str) -> list[tuple[str, int, int, str]]:
    """(path, row, column, "CODE message") from flake8's default `path:row:col: CODE message` lines."""
    result = run("flake8", *options, ".", cwd=project)
    assert result.returncode in (0, 1), result.stderr
    findings = []
    for line in result.stdout.splitlines():
        path, row, column, text = line.split(":", 3)
        findings.append((Path(path).as_posix(), int(row), int(column), text.strip()))
    return sorted(findings)


def xentlint_findings(project: Path) -> list[tuple[str, int, int, str]]:
    result = run("xentlint", "check", "--no-cache", "--output-format", "json", ".", cwd=project)
    return sorted((f["filename"], f["location"]["row"], f["location"]["column"], f"{f['code']} {f['message']}")
                  for f in json.loads(result.stdout))


def test_flake8_reports_xentlint_findings_with_the_same_positions_and_messages(project: Path) -> None:
    reported = flake8_findings(project, "--select", "XL")
    assert reported == xentlint_findings(project)
    assert [(path, row, column) for path, row, column, _ in reported] == [
        ("misuse.py", 4, 6), ("models/flow.py", 6, 12), ("models/flow.py", 6, 26)]
    assert "computed at line 5" in reported[1][3]


def test_flake8_honours_the_xentlint_configuration_and_noqa(project: Path) -> None:
    paths = {path for path, *_ in flake8_findings(project, "--select", "XL")}
    assert "legacy/old.py" not in paths  # per-file-ignores of [tool.xentlint]
    assert "suppressed.py" not in paths
    (project / "pyproject.toml").write_text('[tool.xentlint]\nignore = ["XL301"]\n')
    assert flake8_findings(project, "--select", "XL") == []


def test_flake8_selection_filters_xentlint_codes_too(project: Path) -> None:
    assert flake8_findings(project, "--select", "XL1") == []
    everything = {text.split()[0] for *_, text in flake8_findings(project)}
    assert "XL301" in everything
