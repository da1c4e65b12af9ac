"""The names a pool's workers share during a run: computed once, a stalled claim never hangs, a
missing manager only costs the sharing."""
from __future__ import annotations

import multiprocessing
from typing import Any

import pytest

from xentlint import shared_names
from xentlint.shared_names import SharedNames

KEY = ("/project/models.py", "content-key", "Net")


def test_a_name_is_computed_once_and_then_read() -> None:
    table: dict[Any, Any] = {}
    calls: list[str] = []
    names = SharedNames(table)
    assert names.value(KEY, lambda: calls.append("first") or "exported") == ("exported", True)
    assert SharedNames(table).value(KEY, lambda: calls.append("second") or "other") == ("exported", False)
    assert calls == ["first"]


def test_a_claim_never_fulfilled_is_waited_for_a_bounded_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_names, "WAIT_SECONDS", 0.05)
    table: dict[Any, Any] = {KEY: ("pending", -1)}  # a worker that claimed it and stopped
    assert SharedNames(table).value(KEY, lambda: "computed here") == ("computed here", True)
    assert table[KEY] == ("done", "computed here")


class _Gone(dict):
    def setdefault(self, *args: Any) -> Any:
        raise EOFError("the manager is gone")


def test_without_its_manager_a_worker_computes_for_itself() -> None:
    names = SharedNames(_Gone())
    assert names.value(KEY, lambda: "mine") == ("mine", True)
    assert names.value(KEY, lambda: "again") == ("again", True)


def test_no_manager_process_means_no_sharing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise OSError("no sockets here")

    monkeypatch.setattr(multiprocessing, "Manager", refuse)
    with shared_names.shared_table() as table:
        assert table is None
