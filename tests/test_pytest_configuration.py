"""The suite's own configuration: a clean run prints no warning, and a new pytest deprecation fails it."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]


def test_pytest_deprecations_are_errors_and_asyncio_loop_scopes_are_set() -> None:
    assert "error::pytest.PytestDeprecationWarning" in OPTIONS["filterwarnings"]
    # Unset, pytest-asyncio prints a deprecation warning on every run.
    assert OPTIONS["asyncio_default_fixture_loop_scope"] in ("function", "module", "session")
    assert OPTIONS["asyncio_default_test_loop_scope"] in ("function", "module", "session")


def test_parametrize_is_given_collections_not_iterators() -> None:
    """pytest 8.4 deprecates parametrizing over a one-shot iterator (`itertools.product(...)`)."""
    iterators = {"product", "permutations", "combinations", "chain", "zip", "map", "filter"}
    offenders = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "parametrize" and len(node.args) > 1:
                values = node.args[1]
                called = values.func if isinstance(values, ast.Call) else None
                name = getattr(called, "attr", None) or getattr(called, "id", None)
                if isinstance(values, ast.GeneratorExp) or name in iterators:
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
