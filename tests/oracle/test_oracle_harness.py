"""The oracle harness itself: a missing framework is a skip, except in CI where it is a failure."""

from __future__ import annotations

import pytest
from oracle_support import import_framework

pytestmark = pytest.mark.oracle

MISSING = "xentlint_no_such_framework"


def test_missing_framework_is_skipped_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        import_framework(MISSING)


def test_missing_framework_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=MISSING):
        import_framework(MISSING)
