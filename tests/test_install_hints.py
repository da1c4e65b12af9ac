"""Install hints that work today: xentlint is not on PyPI, so every `pip install` a user is told to
run installs from a checkout or from the repository; `pip install xentlint` only "once published"."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import xentlint

ROOT = Path(__file__).resolve().parents[1]
# Where users read install hints: the README, and messages of the CLI and the server.
SOURCES = [ROOT / "README.md", *sorted((ROOT / "xentlint").rglob("*.py"))]
PIP_INSTALL = re.compile(r"pip install [^`\n]*")
WORKS_TODAY = ("-e ", "git+", '"xentlint @', "'xentlint @")


def _hints() -> list[tuple[str, str, str]]:
    hints = []
    for path in SOURCES:
        for line in path.read_text().splitlines():
            for match in PIP_INSTALL.finditer(line):
                hints.append((path.name, line, match.group(0)))
    return hints


def test_every_install_hint_works_without_pypi() -> None:
    checked = 0
    for name, line, hint in _hints():
        if "xentlint" not in hint and "-e " not in hint:
            continue  # `!pip install torch` in a notebook example, not a hint to install xentlint
        checked += 1
        if any(mark in hint for mark in WORKS_TODAY):
            continue
        assert "once" in line.lower() and "publish" in line, f"{name}: {line.strip()!r} names a package not on PyPI yet"
    assert checked >= 8


def test_pre_commit_recipe_names_a_revision_that_exists() -> None:
    readme = (ROOT / "README.md").read_text()
    recipe = readme[readme.index("## pre-commit"):readme.index("## CI")]
    assert re.search(r"^\s+rev: main\b", recipe, re.MULTILINE)
    assert "CONTRIBUTING.md#releasing" in recipe
    releasing = (ROOT / "CONTRIBUTING.md").read_text().split("## Releasing", 1)[1]
    assert "git tag -a v" in releasing and "git push origin main v" in releasing


def test_server_without_pygls_says_how_to_install_it(tmp_path: Path) -> None:
    probe = ("import importlib.abc, sys\n"
             "class NotInstalled(importlib.abc.MetaPathFinder):\n"
             "    def find_spec(self, name, path, target=None):\n"
             "        if name == 'pygls':\n"
             "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
             "sys.meta_path.insert(0, NotInstalled())\n"
             "from xentlint.cli import main\nmain(['server'])")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "pip install -e '.[lsp]'" in result.stderr and "xentlint[lsp] @ git+<repository URL>" in result.stderr


def test_release_version_is_the_same_in_pyproject_and_the_package() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE).group(1) == xentlint.__version__
