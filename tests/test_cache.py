"""The result cache: hits, misses on every input that matters, concurrent runs, damaged indexes."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xentlint import api
from xentlint.cache import CACHE_DIR_NAME, INDEX_NAME

MISUSE = "import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(z, dim=1))\n"
CODES = frozenset({"XL301", "XL303"})


def tasks(root: Path, settings_key: str = "s", codes: frozenset[str] = CODES) -> list[api.FileTask]:
    return [api.FileTask(path, path.name, codes, cache_dir=root, settings_key=settings_key)
            for path in sorted(root.glob("*.py"))]


def findings(reports: list[api.FileReport]) -> list[tuple[str, int, str]]:
    return [(r.display, d.location.row, d.code) for r in reports for d in r.diagnostics]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "bad.py").write_text(MISUSE)
    (tmp_path / "clean.py").write_text("import torch\nprint(torch.ones(2))\n")
    return tmp_path


@pytest.fixture()
def processed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files a run actually checked (cache misses), in the order it checked them."""
    seen: list[str] = []
    real = api.process

    def spy(task: api.FileTask) -> api.FileReport:
        seen.append(task.display)
        return real(task)

    monkeypatch.setattr(api, "process", spy)
    return seen


def index_of(root: Path) -> dict:
    [index] = (root / CACHE_DIR_NAME).rglob(INDEX_NAME)
    return json.loads(index.read_text())


def test_a_second_run_is_answered_from_one_index(project: Path, processed: list[str]) -> None:
    first = findings(api.run(tasks(project), jobs=1))
    assert first == [("bad.py", 4, "XL301")] and processed == ["bad.py", "clean.py"]
    assert (project / CACHE_DIR_NAME / ".gitignore").read_text().endswith("*\n")
    assert len(index_of(project)["entries"]) == 2
    processed.clear()
    assert findings(api.run(tasks(project), jobs=1)) == first
    assert processed == []


def test_edits_settings_and_selection_each_miss(project: Path, processed: list[str]) -> None:
    api.run(tasks(project), jobs=1)
    processed.clear()
    (project / "clean.py").write_text(MISUSE)
    assert findings(api.run(tasks(project), jobs=1)) == [("bad.py", 4, "XL301"), ("clean.py", 4, "XL301")]
    assert processed == ["clean.py"]
    processed.clear()
    assert findings(api.run(tasks(project, settings_key="other"), jobs=1))
    assert sorted(processed) == ["bad.py", "clean.py"]
    processed.clear()
    assert findings(api.run(tasks(project, codes=frozenset({"XL303"})), jobs=1)) == []


@pytest.mark.parametrize("damage", ["{ not json", '{"format": 999, "entries": {}}', "[]",
                                    '{"format": 3, "entries": {"%s": ["key", [{"code": 1}], null]}}'])
def test_a_damaged_or_foreign_index_is_a_miss_and_is_rewritten(project: Path, processed: list[str],
                                                               damage: str) -> None:
    expected = findings(api.run(tasks(project), jobs=1))
    [index] = (project / CACHE_DIR_NAME).rglob(INDEX_NAME)
    index.write_text(damage.replace("%s", str(project / "bad.py")))
    processed.clear()
    assert findings(api.run(tasks(project), jobs=1)) == expected
    assert sorted(processed) == ["bad.py", "clean.py"]  # nothing in the index could be trusted
    assert set(index_of(project)["entries"]) == {str(project / "bad.py"), str(project / "clean.py")}


def age(*paths: Path) -> None:
    """Set modification times a minute back, as for files not edited just now."""
    for path in paths:
        os.utime(path, ns=(time.time_ns() - 60 * 10**9,) * 2)


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the cache look-up read (it reads none whose size, time and settings are unchanged)."""
    seen: list[str] = []
    real = api.read_source

    def spy(path: Path):
        seen.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(api, "read_source", spy)
    return seen


def test_unchanged_files_are_not_even_read(project: Path, processed: list[str], reads: list[str]) -> None:
    age(project / "bad.py", project / "clean.py")
    expected = findings(api.run(tasks(project), jobs=1))
    reads.clear()
    assert findings(api.run(tasks(project), jobs=1)) == expected and reads == [] and processed == ["bad.py", "clean.py"]
    os.utime(project / "bad.py")  # touched, content unchanged: read, answered from the content, stamped again
    assert findings(api.run(tasks(project), jobs=1)) == expected and reads == ["bad.py"]
    age(project / "bad.py")
    (project / "clean.py").write_text(MISUSE)  # edited: a new size and time, so checked again
    age(project / "clean.py")
    reads.clear()
    processed.clear()
    assert len(findings(api.run(tasks(project), jobs=1))) == 2 and processed == ["clean.py"]
    processed.clear()
    assert findings(api.run(tasks(project, settings_key="other"), jobs=1))
    assert sorted(processed) == ["bad.py", "clean.py"]


def test_a_file_checked_just_after_an_edit_gets_no_stamp(project: Path, reads: list[str]) -> None:
    """Its time may not tell it from a second edit within the same tick, so its content decides."""
    api.run(tasks(project), jobs=1)
    reads.clear()
    api.run(tasks(project), jobs=1)
    assert sorted(reads) == ["bad.py", "clean.py"]


def test_deleted_files_leave_the_index(project: Path) -> None:
    api.run(tasks(project), jobs=1)
    (project / "clean.py").unlink()
    (project / "new.py").write_text("x = 1\n")
    api.run(tasks(project), jobs=1)
    assert set(index_of(project)["entries"]) == {str(project / "bad.py"), str(project / "new.py")}


def test_concurrent_runs_never_corrupt_the_index(tmp_path: Path) -> None:
    for number in range(60):
        (tmp_path / f"m{number:02}.py").write_text(MISUSE if number % 2 else f"import torch\nx = {number}\n")
    command = [sys.executable, "-m", "xentlint", "check", "--jobs", "2", "."]
    runs = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE) for _ in range(3)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert len(set(outputs)) == 1 and outputs[0].count(b"XL301") == 30
    entries = index_of(tmp_path)["entries"]
    assert set(entries) == {str(path) for path in tmp_path.glob("*.py")}
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=300)
    assert again.stdout == outputs[0]
    assert not list((tmp_path / CACHE_DIR_NAME).rglob("*.tmp"))


class _Planted:
    """A pickle that would run code when loaded."""

    def __init__(self, call: object, *arguments: object) -> None:
        self.reduced = (call, arguments)

    def __reduce__(self) -> tuple:
        return self.reduced


def test_a_planted_module_cache_runs_no_code(tmp_path: Path) -> None:
    from xentlint import files
    from xentlint.cache import code_fingerprint
    from xentlint.module_cache import ModuleStore

    store = ModuleStore(tmp_path)
    store.file.parent.mkdir(parents=True)
    for planted in (_Planted(os.system, f"touch {tmp_path / 'ran'}"),
                    _Planted(files.write_atomic, tmp_path / "ran", b"")):  # xentlint's own functions too
        store.file.write_bytes(pickle.dumps((1, code_fingerprint(), {"/m.py": ("k", (1, 2), planted)})))
        assert ModuleStore(tmp_path).get("/m.py", (1, 2)) is None
    assert not (tmp_path / "ran").exists()


def test_the_index_lists_a_module_many_files_depend_on_once(tmp_path: Path, processed: list[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "util.py").write_text("def double(x):\n    return 2 * x\n")
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("import util\nimport torch.nn.functional as F\n\nloss = F.cross_entropy(z, y)\n")
    api.run(tasks(tmp_path, codes=frozenset({"XL101"})), jobs=1)
    index = index_of(tmp_path)
    assert [module[0] for module in index["dependencies"]] == [str(tmp_path / "util.py")]
    assert {Path(path).name: entry[3] for path, entry in index["entries"].items()} == \
        {"a.py": [0], "b.py": [0], "util.py": []}
    processed.clear()
    api.run(tasks(tmp_path, codes=frozenset({"XL101"})), jobs=1)
    assert processed == []  # answered from the index as written
