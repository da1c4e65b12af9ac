"""Project-wide flow, end to end on `tests/projects/crossmodule`: the model in one module, the loss
in another (absolute, `import models`, relative and re-exported imports, a notebook), a correct
pair that stays silent, an import cycle, the cache across an edit of the model module, and
`--jobs 1` against `--jobs 2`."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xentlint import api, project
from xentlint.rule_index import RULES

PROJECT = Path(__file__).parent / "projects" / "crossmodule"
CODES = frozenset(entry.code for entry in RULES)
FOUND = [
    ("notebooks/train.ipynb", 2, "XL101"),
    ("pkg/train_gan.py", 12, "XL102"),
    ("pkg/train_gan.py", 12, "XL102"),
    ("train.py", 11, "XL101"),
    ("train.py", 16, "XL101"),
    ("train_gan.py", 7, "XL102"),
]


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "crossmodule"
    shutil.copytree(PROJECT, root)
    (root / "pyproject.toml").write_text("")  # the project root
    old = 1_000_000_000  # stamps the cache can trust (not modified within the last seconds)
    for path in root.rglob("*"):
        os.utime(path, (old, old))
    return root


def tasks(root: Path, names: list[str] | None = None, cache: bool = False) -> list[api.FileTask]:
    paths = [root / name for name in names] if names else sorted(
        p for p in root.rglob("*") if p.suffix in (".py", ".ipynb"))
    return [api.FileTask(path, path.relative_to(root).as_posix(), CODES, cache_dir=root if cache else None,
                         settings_key="s") for path in paths]


def findings(reports: list[api.FileReport]) -> list[tuple[str, int, str]]:
    return sorted((r.display, d.location.row, d.code) for r in reports for d in r.diagnostics)


def test_found_across_modules_when_the_folder_is_checked(copy: Path) -> None:
    assert findings(api.run(tasks(copy), jobs=1)) == FOUND  # `good/` and `cycle/` stay silent


def test_found_when_only_the_training_file_is_passed(copy: Path) -> None:
    [report] = api.run(tasks(copy, ["train.py"]), jobs=1)
    assert [(d.location.row, d.code) for d in report.diagnostics] == [(11, "XL101"), (16, "XL101")]
    assert "the softmax at models.py:11" in report.diagnostics[0].message
    assert report.dependencies and report.dependencies[0][0].endswith("models.py")


def test_a_re_export_names_the_defining_file(copy: Path) -> None:
    [report] = api.run(tasks(copy, ["train_gan.py"]), jobs=1)
    assert [d.code for d in report.diagnostics] == ["XL102"]
    assert "the sigmoid at pkg/nets.py:11" in report.diagnostics[0].message


def test_correct_pair_cycle_and_missing_module_are_silent(copy: Path) -> None:
    (copy / "missing.py").write_text(
        "import torch.nn as nn\nfrom nowhere import Net\nfrom .gone import Other\n\n"
        "loss = nn.CrossEntropyLoss()(Net()(1), 0) + nn.CrossEntropyLoss()(Other()(1), 0)\n")
    names = ["good/train.py", "good/model.py", "cycle/a.py", "cycle/b.py", "missing.py"]
    assert findings(api.run(tasks(copy, names), jobs=1)) == []


def test_editing_the_model_module_re_checks_only_its_dependants(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == FOUND
    processed: list[str] = []
    real = api.process

    def spy(task: api.FileTask) -> api.FileReport:
        processed.append(task.display)
        return real(task)

    monkeypatch.setattr(api, "process", spy)
    reads: list[str] = []
    real_read = project._read
    monkeypatch.setattr(project, "_read", lambda path: reads.append(path) or real_read(path))
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == FOUND
    assert processed == [] and reads == []  # a warm run on an unchanged project reads no source

    models = copy / "models.py"
    models.write_text(models.read_text().replace("F.softmax(self.fc(x), dim=1)", "self.fc(x)"))
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == [f for f in FOUND if f[0] != "train.py"]
    assert sorted(processed) == ["models.py", "train.py"]  # the edited module and its one dependant


def new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, the state of a new process: what it knows of the project's modules comes from the disk."""
    monkeypatch.setattr(project, "_PROJECT", project.Project())
    monkeypatch.setattr(project, "_FACTS", {})
    monkeypatch.setattr(project, "_TEXTS", {})
    monkeypatch.setattr(api, "_MODULE_STORES", {})


def read_sources(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files read from now on (their absolute paths)."""
    from xentlint import files

    reads: list[str] = []
    real = files.read_source

    def spy(path: Path):
        reads.append(os.path.abspath(path))
        return real(path)

    monkeypatch.setattr(files, "read_source", spy)
    monkeypatch.setattr(api, "read_source", spy)
    return reads


def touch(path: Path, text: str) -> None:
    """Write `text` with a stamp the cache can trust, unlike any other of the project's."""
    path.write_text(text)
    os.utime(path, (1_000_000_100, 1_000_000_100))


def test_a_run_after_an_edit_reads_only_the_edited_file(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == FOUND
    new_process(monkeypatch)
    reads = read_sources(monkeypatch)
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == FOUND
    assert reads == []  # a warm run on an unchanged project reads no source
    train = copy / "train.py"
    touch(train, train.read_text() + "\nprint(1)\n")
    new_process(monkeypatch)
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == FOUND
    # models.py's words, imports, summary and exported `Net` come from the module cache
    assert reads == [str(train)]


def test_an_edit_the_pre_filter_cannot_see_re_checks_no_importer(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    util = tmp_path / "util.py"
    touch(util, "def double(x):\n    return 2 * x\n")
    train = tmp_path / "train.py"  # imports util, but its check asks nothing of util's summary
    touch(train, "import torch.nn.functional as F\nimport util\n\n\n"
                 "def step(z, y):\n    return F.cross_entropy(z, y)\n")

    def re_checked() -> list[str]:
        counts: list[int] = []
        api.run(tasks(tmp_path, ["train.py"], cache=True), jobs=1, progress=lambda done, total: counts.append(total))
        return counts[0]

    assert re_checked() == 1
    touch(util, "def double(x):\n    return 3 * x\n")  # the same words of the rules, the same imports
    assert re_checked() == 0
    touch(util, "def double(x):\n    return softmax(x)\n")  # a rule's word: the rules to run may change
    assert re_checked() == 1


def test_source_roots_come_from_the_src_setting(tmp_path: Path) -> None:
    from xentlint.config import Overrides, SettingsResolver

    (tmp_path / "lib").mkdir()
    (tmp_path / "app").mkdir()
    shutil.copy(PROJECT / "models.py", tmp_path / "lib" / "models.py")
    shutil.copy(PROJECT / "train.py", tmp_path / "app" / "train.py")  # `from models import Net`

    def found() -> list[tuple[str, int, str]]:
        found_tasks, _ = api.tasks([str(tmp_path / "app" / "train.py")], SettingsResolver(Overrides()), no_cache=True)
        return [(row, code) for _, row, code in findings(api.run(found_tasks, jobs=1))]

    (tmp_path / "pyproject.toml").write_text("")
    assert found() == []  # lib/ is not a source root: `models` is not found
    (tmp_path / "pyproject.toml").write_text('[tool.xentlint]\nsrc = ["lib"]\n')
    assert found() == [(11, "XL101"), (16, "XL101")]


def test_fix_never_edits_another_module(copy: Path) -> None:
    before = (copy / "models.py").read_text()
    task = api.FileTask(copy / "train.py", "train.py", CODES, fix=True, write=True)
    [report] = api.run([task], jobs=1)
    assert [d.code for d in report.diagnostics] == ["XL101", "XL101"] and report.fixed == []
    assert (copy / "models.py").read_text() == before


# Run in a fresh interpreter: forking a pool from the test process, which may have imported JAX
# (multithreaded), can deadlock.
_RUN_WITH_JOBS = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import test_project_flow
from xentlint import api
api._POOL_THRESHOLD = 1  # a pool even for this small project
reports = api.run(test_project_flow.tasks(Path(sys.argv[1]), cache=sys.argv[4:] == ["cache"]), jobs=int(sys.argv[2]))
print(repr([(r.display, r.diagnostics) for r in reports]))
"""


def run_in_a_new_process(root: Path, jobs: int, *cache: str) -> str:
    command = [sys.executable, "-c", _RUN_WITH_JOBS, str(root), str(jobs), str(Path(__file__).parent), *cache]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_jobs_one_and_two_agree(copy: Path) -> None:
    one = run_in_a_new_process(copy, 1)
    assert "XL101" in one and one == run_in_a_new_process(copy, 2)


def test_a_pool_keeps_what_its_workers_learnt(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "XL101" in run_in_a_new_process(copy, 2, "cache")
    train = copy / "train.py"
    touch(train, train.read_text() + "\nprint(1)\n")
    new_process(monkeypatch)
    reads = read_sources(monkeypatch)
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == FOUND
    assert reads == [str(train)]


def test_resolution_never_reads_framework_modules(tmp_path: Path) -> None:
    (tmp_path / "torch.py").write_text("x = 1\n")  # a shadowing file is not the framework
    (tmp_path / "models.py").write_text("x = 1\n")
    importer = str(tmp_path / "train.py")
    assert project.resolve(importer, project.ImportRef("torch", 0, "nn")) is None
    assert project.resolve(importer, project.ImportRef("models", 0, "Net")) == str(tmp_path / "models.py")
    assert project.resolve(importer, project.ImportRef("models", 1, "Net")) == str(tmp_path / "models.py")


def test_a_run_reads_each_file_once(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xentlint import files

    reads: list[str] = []
    real = files.read_source

    def spy(path: Path):
        reads.append(os.path.abspath(path))
        return real(path)

    monkeypatch.setattr(files, "read_source", spy)
    monkeypatch.setattr(api, "read_source", spy)
    assert findings(api.run(tasks(copy), jobs=1)) == FOUND
    assert sorted(set(reads)) == sorted(reads)  # models.py is checked and summarised from one read
