"""The names a pool's workers share during a run: computed once, a stalled claim never hangs, an
unusable folder only costs the sharing."""
from __future__ import annotations

from pathlib import Path

import pytest

from xentlint import shared_names
from xentlint.flow.values import Kind
from xentlint.project import Exported
from xentlint.shared_names import SharedNames

KEY = ("/project/models.py", "content-key", "Net")
NET = Exported(Kind.CLASS, output=Exported(Kind.MODEL))


def test_a_name_is_computed_once_and_then_read(tmp_path: Path) -> None:
    calls: list[str] = []
    assert SharedNames(str(tmp_path)).value(KEY, lambda: calls.append("first") or NET) == (NET, True)
    # another worker, asking later
    assert SharedNames(str(tmp_path)).value(KEY, lambda: calls.append("second") or None) == (NET, False)
    assert calls == ["first"]


def test_a_claim_never_fulfilled_is_waited_for_a_bounded_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_names, "WAIT_SECONDS", 0.05)
    Path(shared_names.published_path(str(tmp_path), KEY) + ".claim").touch()  # a worker claimed it and stopped
    assert SharedNames(str(tmp_path)).value(KEY, lambda: "computed here") == ("computed here", True)


def test_an_unusable_folder_means_each_worker_computes_for_itself(tmp_path: Path) -> None:
    names = SharedNames(str(tmp_path / "gone"))
    assert names.value(KEY, lambda: "mine") == ("mine", True)
    assert names.value(KEY, lambda: "again") == ("again", True)


def test_the_folder_lasts_as_long_as_the_run() -> None:
    with shared_names.shared_folder() as folder:
        assert folder is not None and Path(folder).is_dir()
    assert not Path(folder).exists()
