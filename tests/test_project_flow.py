"""Project-wide flow, end to end on `tests/projects/crossmodule`: the model in one module, the loss
in another (absolute, `import models`, relative and re-exported imports, a notebook), a correct
pair that stays silent, an import cycle, the cache across an edit of the model module, and
`--jobs 1` against `--jobs 2`. When the model module is in the run with its loss, the finding is
also reported on the activation and fixed there (`xentlint.handoffs`)."""
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
EXPORTED = {  # what each folder's `train.py` gets from the modules it imports; its `good_train.py` gets nothing
    "kerasmodels": [(6, "XL101", "the softmax at models.py:10"), (7, "XL201", "the sigmoid at models.py:19"),
                    (9, "XL101", "the softmax at models.py:26"), (10, "XL101", "(set at models.py:32)")],
    "lossobjects": [(9, "XL101", "through `criterion`, set at losses.py:4"),
                    (10, "XL104", "through `get_loss()`, set at losses.py:8"),
                    (11, "XL101", "`loss_fn() calling cross_entropy` (at losses.py:12)")],
    "layermodule": [(8, "XL101", "the softmax at layers.py:3"),
                    (12, "XL301", "the softmax applied by the module made at layers.py:3")],
    "perargument": [(8, "XL101", "the softmax at models.py:11"), (9, "XL101", "`passthrough(F.softmax(x, dim=1))`")],
    "thirdbase": [(7, "XL101", "the softmax at base.py:11")],
}
FOUND = sorted([
    ("kept/train.py", 7, "XL101"),  # kept/model.py: not returned as it is, and a noqa (used: no XL900)
    ("kept/train.py", 7, "XL101"),
    ("models.py", 11, "XL101"),  # on the activation: the losses of train.py hand it over
    ("perargument/models.py", 11, "XL101"),
    ("thirdbase/base.py", 11, "XL101"),
    ("notebooks/train.ipynb", 2, "XL101"),
    ("pkg/nets.py", 11, "XL102"),
    ("pkg/train_gan.py", 12, "XL102"),
    ("pkg/train_gan.py", 12, "XL102"),
    ("train.py", 11, "XL101"),
    ("train.py", 16, "XL101"),
    ("train_gan.py", 7, "XL102"),
    ("thirdbase/local_train.py", 18, "XL101"),
] + [(f"{folder}/train.py", row, code) for folder, found in EXPORTED.items() for row, code, _where in found])


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


@pytest.mark.parametrize("folder", sorted(EXPORTED))
def test_exported_values_act_as_in_one_module(copy: Path, folder: str) -> None:
    """Keras models and builders, loss objects and wrappers, layers, functions returning a parameter
    (or its output) and a model class whose base is in a third module: found where the loss is,
    naming the other file and row; the folder's correct pair stays silent."""
    [report, good] = api.run(tasks(copy, [f"{folder}/train.py", f"{folder}/good_train.py"]), jobs=1)
    found = [(d.location.row, d.code) for d in report.diagnostics]
    assert found == [(row, code) for row, code, _where in EXPORTED[folder]]
    for diagnostic, (_row, _code, where) in zip(report.diagnostics, EXPORTED[folder]):
        assert where in diagnostic.message
    assert good.diagnostics == []


def test_a_class_deriving_from_an_imported_model_class_is_a_model(copy: Path) -> None:
    [report] = api.run(tasks(copy, ["thirdbase/local_train.py"]), jobs=1)
    assert [(d.location.row, d.code) for d in report.diagnostics] == [(18, "XL101")]  # not LogitsNet's
    assert "the softmax at base.py:11" in report.diagnostics[0].message


def test_summaries_stay_picklable_data(copy: Path) -> None:
    import pickle

    api.run(tasks(copy, [f"{folder}/train.py" for folder in EXPORTED]), jobs=1)
    summaries = [project.project().summary(str(path)) for path in copy.rglob("*.py")]
    names = {name: value for summary in summaries if summary for name, value in summary.names.items() if value}
    assert {"build_model", "Classifier", "criterion", "get_loss", "loss_fn", "head", "predict", "Net"} <= set(names)
    assert pickle.loads(pickle.dumps(names)) == names


def test_fix_leaves_the_exporting_modules_alone(copy: Path) -> None:
    before = {path: path.read_text() for path in copy.rglob("*.py") if path.name != "train.py"}
    fixed = [api.FileTask(copy / folder / "train.py", f"{folder}/train.py", CODES, fix=True, write=True)
             for folder in EXPORTED]
    api.run(fixed, jobs=1)
    assert {path: path.read_text() for path in before} == before


def test_correct_pair_cycle_and_missing_module_are_silent(copy: Path) -> None:
    (copy / "missing.py").write_text(
        "import torch.nn as nn\nfrom nowhere import Net\nfrom .gone import Other\n\n"
        "loss = nn.CrossEntropyLoss()(Net()(1), 0) + nn.CrossEntropyLoss()(Other()(1), 0)\n")
    names = ["good/train.py", "good/model.py", "cycle/a.py", "cycle/b.py", "cycle/bases/first.py", "missing.py"]
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
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == [
        f for f in FOUND if f[0] not in ("train.py", "models.py")]
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
    # The correct pair: a finding would also read its model module, to make the activation's own
    # finding (`xentlint.activation_sites`).
    train = copy / "good" / "train.py"
    touch(train, train.read_text() + "\nprint(1)\n")
    new_process(monkeypatch)
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == FOUND
    # model.py's words, imports, summary and exported `Classifier` come from the module cache
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


def test_reported_on_the_activation_only_when_the_loss_is_in_the_run(copy: Path) -> None:
    models, train = api.run(tasks(copy, ["models.py", "train.py"]), jobs=1)
    [activation] = models.diagnostics
    assert (activation.code, activation.location.row, activation.location.column) == ("XL101", 11, 16)
    assert activation.filename == "models.py"
    assert activation.message.startswith("this softmax feeds `CrossEntropyLoss` at train.py:11, which applies softmax")
    assert activation.fix is not None and activation.fix.applicability.value == "unsafe"
    assert [(e.content, e.location.column, e.end_location.column) for e in activation.fix.edits] == [
        ("self.fc(x)", 16, 44)]
    assert [d.code for d in train.diagnostics] == ["XL101", "XL101"]
    # Alone (a pre-commit run on the model module), nothing names a loss: the module's own findings only.
    assert [r.diagnostics for r in api.run(tasks(copy, ["models.py"]), jobs=1)] == [[]]


def test_a_noqa_on_the_activation_suppresses_it_there(copy: Path) -> None:
    models = copy / "models.py"
    models.write_text(models.read_text().replace("dim=1)\n", "dim=1)  # noqa: XL101\n"))
    reports = api.run(tasks(copy, ["models.py", "train.py"]), jobs=1)
    assert findings(reports) == [("train.py", 11, "XL101"), ("train.py", 16, "XL101")]
    before = models.read_text()
    api.run(fix_tasks(copy, ["models.py", "train.py"], unsafe=True), jobs=1)
    assert models.read_text() == before


def test_an_activation_not_returned_as_it_is_stays_unreported_there(copy: Path) -> None:
    models = copy / "models.py"
    models.write_text(models.read_text().replace(
        "return F.softmax(self.fc(x), dim=1)", "probs = F.softmax(self.fc(x), dim=1)\n        return probs"))
    reports = api.run(tasks(copy, ["models.py", "train.py"]), jobs=1)
    assert findings(reports) == [("train.py", 11, "XL101"), ("train.py", 16, "XL101")]


def fix_tasks(root: Path, names: list[str], unsafe: bool, write: bool = True) -> list[api.FileTask]:
    return [api.FileTask(root / name, name, CODES, fix=True, unsafe=unsafe, write=write) for name in names]


def test_fixing_the_model_module_with_its_loss_clears_both(copy: Path) -> None:
    models = copy / "models.py"
    before = models.read_text()
    safe = api.run(fix_tasks(copy, ["models.py", "train.py"], unsafe=False), jobs=1)
    assert models.read_text() == before  # unsafe: only with --unsafe-fixes
    assert findings(safe) == [("models.py", 11, "XL101"), ("train.py", 11, "XL101"), ("train.py", 16, "XL101")]
    assert safe[0].found == 1 and safe[0].fixed == []

    models_report, train_report = api.run(fix_tasks(copy, ["models.py", "train.py"], unsafe=True), jobs=1)
    assert models.read_text() == before.replace("F.softmax(self.fc(x), dim=1)", "self.fc(x)")
    assert [d.code for d in models_report.fixed] == ["XL101"] and models_report.diagnostics == []
    assert train_report.diagnostics == [] and train_report.found == 2  # resolved by the fix in models.py
    assert "+        return self.fc(x)" in models_report.diff()
    # Converged: a second run has nothing left to report or fix, in either file.
    assert findings(api.run(tasks(copy, ["models.py", "train.py"]), jobs=1)) == []
    again = api.run(fix_tasks(copy, ["models.py", "train.py"], unsafe=True), jobs=1)
    assert [(r.fixed, r.fixed_source) for r in again] == [([], None), ([], None)]


def test_the_model_module_s_own_fixes_are_made_with_the_handed_one(copy: Path) -> None:
    models = copy / "models.py"
    models.write_text("import torch\n" + models.read_text() + "\n\ndef log_probs(z):\n"
                      "    return torch.log(F.softmax(z, dim=1))\n")
    # Shown only: the losses' checks read the module as it was, so its own fixes are made again on top.
    shown, _ = api.run(fix_tasks(copy, ["models.py", "train.py"], unsafe=True, write=False), jobs=1)
    # Written: the module, fixed first (it is the larger file), is what the losses' checks read.
    models_report, train_report = api.run(fix_tasks(copy, ["models.py", "train.py"], unsafe=True), jobs=1)
    assert shown.fixed_source == models.read_text()
    text = models.read_text()
    assert "return self.fc(x)" in text and "F.log_softmax(z, dim=1)" in text and "torch.log(" not in text
    assert sorted(d.code for d in models_report.fixed) == ["XL101", "XL301"]
    assert models_report.found == 2 and train_report.diagnostics == []
    assert findings(api.run(tasks(copy, ["models.py", "train.py"]), jobs=1)) == []


def test_fix_without_writing_shows_the_model_fix_and_leaves_files(copy: Path) -> None:
    before = {name: (copy / name).read_text() for name in ("models.py", "train.py")}
    models_report, _ = api.run(fix_tasks(copy, ["models.py", "train.py"], unsafe=True, write=False), jobs=1)
    assert models_report.fixed_source == before["models.py"].replace("F.softmax(self.fc(x), dim=1)", "self.fc(x)")
    assert {name: (copy / name).read_text() for name in before} == before


def test_editing_the_loss_file_clears_the_finding_on_the_activation(copy: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == FOUND
    processed: list[str] = []
    real = api.process
    monkeypatch.setattr(api, "process", lambda task: processed.append(task.display) or real(task))
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == FOUND and processed == []  # warm: from the cache

    train = copy / "train.py"
    train.write_text(train.read_text().replace("criterion(net(x), y)", "net(x)").replace(
        "nn.CrossEntropyLoss()(model(x), y)", "model(x)"))
    assert findings(api.run(tasks(copy, cache=True), jobs=1)) == [
        f for f in FOUND if f[0] not in ("train.py", "models.py")]
    assert processed == ["train.py"]  # models.py's own result is still the cached one


# Run in a fresh interpreter: forking a pool from the test process, which may have imported JAX
# (multithreaded), can deadlock.
_RUN_WITH_JOBS = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
import test_project_flow
from xentlint import api
api._POOL_THRESHOLD = 1  # a pool even for this small project
tasks = test_project_flow.tasks(Path(sys.argv[1]), cache=sys.argv[5:] == ["cache"])
if sys.argv[4] == "fix":  # shown, not written
    tasks = [api.FileTask(t.path, t.display, t.codes, fix=True, unsafe=True) for t in tasks]
reports = api.run(tasks, jobs=int(sys.argv[2]))
print(repr([(r.display, r.diagnostics, r.fixed, r.fixed_source) for r in reports]))
"""


def run_in_a_new_process(root: Path, jobs: int, mode: str, *cache: str) -> str:
    command = [sys.executable, "-c", _RUN_WITH_JOBS, str(root), str(jobs), str(Path(__file__).parent), mode, *cache]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("mode", ["check", "fix"])
def test_jobs_one_and_two_agree(copy: Path, mode: str) -> None:
    one = run_in_a_new_process(copy, 1, mode)
    assert "this softmax feeds" in one and one == run_in_a_new_process(copy, 2, mode)
    if mode == "fix":
        assert "return self.fc(x)" in one  # the model module's fix, shown


def test_a_pool_keeps_what_its_workers_learnt(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "XL101" in run_in_a_new_process(copy, 2, "check", "cache")
    train = copy / "good" / "train.py"
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


def test_candidates_bound_what_a_summary_analyses() -> None:
    """Names worth a flow analysis: a short helper returning a parameter, a loss object, a class
    deriving from an imported class; not a library function with several returns."""
    text = ("def predict(model, x):\n    return model(x)\n\n\n"
            "def minimum(x1, x2):\n    if x1 < x2:\n        return x1\n    return x2\n\n\n"
            "criterion = nn.CrossEntropyLoss()\n\n\n"
            "class Net(Base):\n    pass\n\n\nclass Other(object):\n    pass\n")
    assert project._candidates(text, frozenset({"Base", "nn"})) == {"predict", "criterion", "Net"}


def test_a_package_module_does_not_import_its_siblings_absolutely(tmp_path: Path) -> None:
    """`import numpy` in a package module is NumPy, not the package's own `numpy.py` (keras'
    `ops/math_test.py` next to `ops/numpy.py`); a relative import does reach the sibling."""
    package = tmp_path / "ops"
    package.mkdir()
    for name in ("__init__.py", "numpy.py", "math_test.py"):
        (package / name).write_text("x = 1\n")
    importer = str(package / "math_test.py")
    assert project.resolve(importer, project.ImportRef("numpy", 0, "x")) is None
    assert project.resolve(importer, project.ImportRef("numpy", 1, "x")) == str(package / "numpy.py")


def test_a_run_reads_each_file_once(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = read_sources(monkeypatch)
    assert findings(api.run(tasks(copy), jobs=1)) == FOUND
    assert sorted(set(reads)) == sorted(reads)  # models.py is checked and summarised from one read


def test_the_activations_finding_reads_the_summarys_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`models.py` read alone is parsed once per process: for its summary and for the finding the
    losses of several files hand to its activation."""
    import libcst

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "models.py").write_text(
        "# models\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Net(nn.Module):\n"
        "    def forward(self, x):\n        return F.softmax(x, dim=1)\n")
    for name in "ab":
        (tmp_path / f"train_{name}.py").write_text(
            "import torch.nn as nn\n\nfrom models import Net\n\n\n"
            f"def step_{name}(x, y):\n    return nn.CrossEntropyLoss()(Net()(x), y)\n")
    parsed: list[str] = []
    parse = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda text: parsed.append(text.split("\n")[0]) or parse(text))
    new_process(monkeypatch)
    paths = [tmp_path / name for name in ("models.py", "train_a.py", "train_b.py")]
    reports = api.run([api.FileTask(path, path.name, CODES) for path in paths], jobs=1)
    assert findings(reports) == [("models.py", 8, "XL101"), ("train_a.py", 7, "XL101"), ("train_b.py", 7, "XL101")]
    assert parsed.count("# models") == 2  # its own check, and once read alone


_COUNT_EXPORTS = """
import sys
from pathlib import Path
from xentlint import api
from xentlint.flow.analysis import FlowAnalysis
from xentlint.registry import default_codes
log, root = Path(sys.argv[1]), Path(sys.argv[2])
export = FlowAnalysis.export
def logged(self, name, imports):
    with log.open("a") as file:
        file.write(f"{self.ctx.filename}:{name}\\n")
    return export(self, name, imports)
FlowAnalysis.export = logged  # the pool's workers are forked from here: they inherit it
api._POOL_THRESHOLD = 1  # a pool even for this small project
tasks = [api.FileTask(path, path.name, default_codes()) for path in sorted(root.glob("train_*.py"))]
print(sorted((r.display, d.code) for r in api.run(tasks, jobs=2) for d in r.diagnostics))
"""


def test_a_pool_computes_each_exported_name_once(tmp_path: Path) -> None:
    """Several files of a pool import `Net` from `models.py`: what it exports is computed by one
    worker in the run and shared with the other (`xentlint.shared_names`)."""
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "models.py").write_text(
        "import torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Net(nn.Module):\n"
        "    def forward(self, x):\n        return F.softmax(x, dim=1)\n")
    for name in "abcdef":
        (tmp_path / f"train_{name}.py").write_text(
            "import torch.nn as nn\n\nfrom models import Net\n\n\n"
            f"def step_{name}(x, y):\n    return nn.CrossEntropyLoss()(Net()(x), y)\n")
    log = tmp_path / "exports.log"
    out = subprocess.run([sys.executable, "-c", _COUNT_EXPORTS, str(log), str(tmp_path)],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == repr([(f"train_{name}.py", "XL101") for name in "abcdef"])
    assert log.read_text().splitlines() == [f"{tmp_path / 'models.py'}:Net"]
