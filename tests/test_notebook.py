"""Jupyter notebooks: code cells checked as one module, findings placed by cell, fixes written back in place."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Union

import pytest

from xentlint import api
from xentlint.diagnostics import Diagnostic, Location
from xentlint.magics import mask, unmask

nbformat = pytest.importorskip("nbformat")
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output  # noqa: E402

IMPORTS = "import torch\nimport torch.nn.functional as F"
MISUSE = "lp = torch.log(F.softmax(z, dim=1))"
FIXED = "lp = F.log_softmax(z, dim=1)"
XL301 = frozenset({"XL301"})
Cell = Union[str, dict]


def write(path: Path, *cells: Cell, language: str = "python") -> Path:
    """A notebook written by nbformat itself; plain strings are code cells."""
    notebook = new_notebook(cells=[new_code_cell(c) if isinstance(c, str) else c for c in cells])
    notebook.metadata["kernelspec"] = {"name": "k", "display_name": "k", "language": language}
    nbformat.write(notebook, path)
    return path


def check(path: Path, codes: frozenset[str] = XL301) -> list[Diagnostic]:
    return api.process(api.FileTask(path, path.name, codes)).diagnostics


def fix(path: Path, codes: frozenset[str] = XL301) -> api.FileReport:
    return api.process(api.FileTask(path, path.name, codes, fix=True, write=True))


def sources(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    return [cell.source for cell in notebook.cells]


def xentlint(*args: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xentlint", *args], cwd=cwd, input=stdin, capture_output=True,
                          timeout=120)


def test_findings_name_the_cell_among_all_cells_and_the_row_in_it(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", new_markdown_cell("# Train"), IMPORTS, new_markdown_cell("The loss"),
                 f"z = torch.randn(4, 3)\n\n{MISUSE}")
    [finding] = check(path)
    assert (finding.code, finding.cell, finding.location, finding.end_location) == (
        "XL301", 4, Location(3, 6), Location(3, 36))
    [edit] = finding.fix.edits
    assert (edit.location, edit.end_location) == (Location(3, 6), Location(3, 36))


def test_text_and_json_output_name_the_cell(tmp_path: Path) -> None:
    write(tmp_path / "nb.ipynb", new_markdown_cell("# Train"), IMPORTS, new_markdown_cell("The loss"),
          f"z = torch.randn(4, 3)\n\n{MISUSE}")
    text = xentlint("check", "--no-cache", "--select", "XL301", ".", cwd=tmp_path)
    assert text.returncode == 1 and b"nb.ipynb:cell 4:3:6: XL301 " in text.stdout
    [finding] = json.loads(xentlint("check", "--no-cache", "--select", "XL301", "--output-format", "json",
                                    "nb.ipynb", cwd=tmp_path).stdout)
    assert (finding["cell"], finding["location"], finding["filename"]) == (4, {"row": 3, "column": 6}, "nb.ipynb")


def test_values_flow_across_cells_but_a_fix_spanning_cells_is_not_applied(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", IMPORTS, "z = torch.randn(4, 3)\np = F.softmax(z, dim=1)",
                 new_markdown_cell("Later"), "lp = torch.log(p)")
    [finding] = check(path)
    assert (finding.cell, finding.location) == (4, Location(1, 6))
    assert "softmax computed at line 2 of cell 2" in finding.message
    assert finding.fix is None  # its one edit would rewrite cells 2 to 4
    before = path.read_bytes()
    report = fix(path)
    assert path.read_bytes() == before and [d.code for d in report.diagnostics] == ["XL301"]


def test_keras_model_built_in_one_cell_and_compiled_in_a_later_one(tmp_path: Path) -> None:
    model = ('import tensorflow as tf\n\nmodel = tf.keras.Sequential([\n'
             '    tf.keras.layers.Dense(64, activation="relu"),\n'
             '    tf.keras.layers.Dense(10, activation="softmax"),\n])')
    compile_ = ('model.compile(optimizer="adam",\n'
                '              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))')
    path = write(tmp_path / "nb.ipynb", new_markdown_cell("# Model"), model, new_markdown_cell("Training"), compile_)
    [finding] = check(path, frozenset({"XL101"}))
    assert (finding.code, finding.cell, finding.location.row) == ("XL101", 4, 1)
    assert "line 5 of cell 2" in finding.message  # where the softmax is
    fix(path, frozenset({"XL101"}))
    assert sources(path) == ["# Model", model, "Training", compile_.replace("from_logits=True", "from_logits=False")]


def test_ipython_syntax_is_masked_and_restored_unchanged(tmp_path: Path) -> None:
    cells = [
        f"%matplotlib inline\n!pip install torch\n{IMPORTS}",
        "files = !ls\n%timeit torch.ones(3)\ntorch.log?\n?torch.log",
        f"%%capture output\nz = torch.randn(4, 3)\n{MISUSE}",
        f"%%bash\necho '{MISUSE}'",
        f"for name in files:\n    !echo {{name}}\n{MISUSE}",
    ]
    path = write(tmp_path / "nb.ipynb", *cells)
    assert [(f.cell, f.location) for f in check(path)] == [(3, Location(3, 6)), (5, Location(3, 6))]
    fix(path)
    assert sources(path) == [cells[0], cells[1], cells[2].replace(MISUSE, FIXED), cells[3],
                             cells[4].replace(MISUSE, FIXED)]


def test_fix_rewrites_only_the_fixed_cells_and_keeps_outputs_metadata_and_layout(tmp_path: Path) -> None:
    setup = new_code_cell(IMPORTS, execution_count=1, metadata={"tags": ["setup"]},
                          outputs=[new_output("stream", text="ready\n")])
    loss = new_code_cell(f"z = torch.randn(4, 3)\n{MISUSE}\nprint(lp)", execution_count=2,
                         outputs=[new_output("execute_result", data={"text/plain": "tensor(...)"}, execution_count=2)])
    path = write(tmp_path / "nb.ipynb", new_markdown_cell("# Caf\u00e9"), setup, loss)
    expected = nbformat.read(path, as_version=4)
    report = fix(path)
    assert [d.code for d in report.fixed] == ["XL301"] and report.diagnostics == []
    expected.cells[2].source = f"z = torch.randn(4, 3)\n{FIXED}\nprint(lp)"
    # Byte for byte what nbformat writes for the fixed notebook: only that cell's source differs.
    assert path.read_text(encoding="utf-8") == nbformat.writes(expected) + "\n"
    assert sources(path)[2] == expected.cells[2].source


def test_fix_keeps_a_hand_written_layout_and_string_sources(tmp_path: Path) -> None:
    document = {"metadata": {}, "nbformat": 4, "nbformat_minor": 5, "cells": [
        {"source": f"{IMPORTS}\n# caf\u00e9", "cell_type": "code", "id": "a", "metadata": {}, "outputs": [],
         "execution_count": None},
        {"cell_type": "code", "id": "b", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["z = torch.randn(4, 3)\n", f"{MISUSE}\n"]},
    ]}
    path = tmp_path / "nb.ipynb"
    # Unsorted keys, two-space indentation, escaped non-ASCII, no final newline: nothing nbformat would write.
    path.write_text(json.dumps(document, indent=2, ensure_ascii=True))
    fix(path)
    expected = copy.deepcopy(document)
    expected["cells"][1]["source"] = ["z = torch.randn(4, 3)\n", f"{FIXED}\n"]
    assert path.read_text() == json.dumps(expected, indent=2, ensure_ascii=True)


def test_a_notebook_with_nothing_to_fix_is_left_byte_identical(tmp_path: Path) -> None:
    document = {"cells": [{"cell_type": "code", "source": f"{IMPORTS}\nx = 1", "metadata": {}, "outputs": [],
                           "execution_count": 7}], "nbformat_minor": 2, "nbformat": 4, "metadata": {"b": 1, "a": 2}}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(document, indent=3) + "\n\n")
    before = path.stat()
    report = fix(path)
    after = path.stat()
    assert report.fixed_source is None and report.diagnostics == []
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not even rewritten


def test_noqa_comments_work_inside_cells(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", IMPORTS, f"z = torch.randn(4, 3)\n{MISUSE}  # noqa: XL301",
                 "x = 1  # noqa: XL101")
    [unused] = check(path, frozenset({"XL301", "XL900"}))
    assert (unused.code, unused.cell, unused.location) == ("XL900", 3, Location(1, 8))


def test_a_syntax_error_is_reported_in_its_cell(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", IMPORTS, "x = 1\ndef f(:\n    pass")
    [finding] = check(path)
    assert (finding.code, finding.cell, finding.location.row) == ("XL001", 2, 2)


def test_notebooks_in_other_languages_are_not_checked(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", "x <- c(1, 2)\nlog(softmax(x))", language="R")
    assert check(path) == []


def _code_cell(source: object) -> dict:
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}


@pytest.mark.parametrize("content, message", [
    ("{ not json", "not a notebook: invalid JSON: Expecting property name"),
    ("[]", "not a notebook: the JSON is not an object"),
    ('{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}', "not an nbformat 4 notebook (nbformat: 3)"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "not a notebook: no list of `cells`"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [_code_cell(42)]}),
     "cell 1: `source` must be a string or a list of strings"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [_code_cell(["x = 1\n", None])]}),
     "cell 1: `source` must be a string or a list of strings"),
])
def test_malformed_notebooks_are_reported_per_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(content)
    for report in (api.process(api.FileTask(path, "nb.ipynb", XL301)), fix(path)):
        [finding] = report.diagnostics
        assert (finding.code, finding.cell, finding.location) == ("XL002", None, Location(1, 1))
        assert message in finding.message
    assert path.read_text() == content


def test_the_run_goes_on_past_a_malformed_notebook_and_stdin_takes_notebooks(tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text("{ not json")
    path = write(tmp_path / "nb.ipynb", IMPORTS, f"z = torch.randn(4, 3)\n{MISUSE}")
    result = xentlint("check", "--no-cache", "--select", "XL301", ".", cwd=tmp_path)
    assert b"broken.ipynb:1:1: XL002 not a notebook: invalid JSON" in result.stdout
    assert b"nb.ipynb:cell 2:2:6: XL301" in result.stdout and b"Found 2 errors." in result.stdout
    piped = xentlint("check", "--select", "XL301", "-", "--stdin-filename", "piped.ipynb", cwd=tmp_path,
                     stdin=path.read_bytes())
    assert b"piped.ipynb:cell 2:2:6: XL301" in piped.stdout
    fixed = xentlint("fix", "--select", "XL301", "-", "--stdin-filename", "piped.ipynb", cwd=tmp_path,
                     stdin=path.read_bytes())
    assert nbformat.reads(fixed.stdout.decode(), as_version=4).cells[1].source == f"z = torch.randn(4, 3)\n{FIXED}"


@pytest.mark.parametrize("line", [
    "%timeit f()", "%%capture", "!pip install torch", "files = !ls -la", "names = %who_ls", "?torch.log",
    "torch.log?", "torch.nn??", "pip install -q torch", "cd ..",
])
def test_ipython_lines_are_masked_so_the_cell_parses(line: str) -> None:
    masked = mask(f"{line}\nx = 1\n")
    assert masked.originals == (f"{line}\n",)
    compile(masked.text, "<cell>", "exec")
    assert unmask(masked.text, masked.originals) == f"{line}\nx = 1\n"


@pytest.mark.parametrize("source", [
    's = ("%d"\n     % n)\n',  # a continuation line starting with an operator
    'doc = """\n!not a magic\n%neither\n"""\n',
    "time = 5\ndebug and ready\n",  # names of magics used as Python
    "x = 1  # why?\nprint(x) != y\n",
])
def test_python_is_left_alone(source: str) -> None:
    assert mask(source).text == source


def test_a_magic_in_a_block_keeps_the_block_valid() -> None:
    source = "for name in files:\n    !echo {name} \\\n        done\nx = 1"
    masked = mask(source)
    compile(masked.text, "<cell>", "exec")
    assert len(masked.originals) == 2 and unmask(masked.text, masked.originals) == source


def test_a_cell_indented_as_a_whole_is_valid_and_checked_and_fixed_in_place(tmp_path: Path) -> None:
    indented = f"  z = torch.randn(4, 3)\n  {MISUSE}\n"  # IPython dedents the cell before running it
    path = write(tmp_path / "nb.ipynb", IMPORTS, indented)
    [finding] = check(path)
    assert (finding.code, finding.cell, finding.location) == ("XL301", 2, Location(2, 8))
    fix(path)
    assert sources(path) == [IMPORTS, f"  z = torch.randn(4, 3)\n  {FIXED}\n"]


@pytest.mark.parametrize("line", ["ls ./data", "cat data/labels.txt | head", "mkdir -p checkpoints", "ll"])
def test_automagics_and_shell_aliases_are_not_syntax_errors(tmp_path: Path, line: str) -> None:
    path = write(tmp_path / "nb.ipynb", IMPORTS, f"{line}\nz = torch.randn(4, 3)\n{MISUSE}")
    assert [(d.code, d.cell) for d in check(path)] == [("XL301", 2)]


def test_a_syntax_error_in_one_cell_does_not_hide_the_findings_of_the_others(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", IMPORTS, "for epoch in range(3):\nprint(epoch)",
                 f"z = torch.randn(4, 3)\n{MISUSE}")
    error, finding = check(path)
    assert (error.code, error.cell, error.location) == ("XL001", 2, Location(2, 1))
    assert "expected an indented block" in error.message
    assert (finding.code, finding.cell, finding.location.row) == ("XL301", 3, 2)
    report = fix(path)
    assert sources(path)[1:] == ["for epoch in range(3):\nprint(epoch)", f"z = torch.randn(4, 3)\n{FIXED}"]
    assert [(d.code, d.cell) for d in report.diagnostics] == [("XL001", 2)]


def test_a_python_2_print_is_reported_on_its_own_row(tmp_path: Path) -> None:
    # The notebook mentions a loss, so it is parsed by LibCST (whose position was one row below).
    path = write(tmp_path / "nb.ipynb", IMPORTS, 'for epoch in range(3):\n    print "Epoch:", epoch\n', MISUSE)
    error, finding = check(path)
    assert (error.code, error.cell, error.location) == ("XL001", 2, Location(2, 5))
    assert (finding.code, finding.cell) == ("XL301", 3)


def test_without_ipython_the_hand_written_masking_still_serves(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from xentlint import magics

    monkeypatch.setattr(magics, "_transformer_manager", lambda: None)
    masked = mask("  x = 1\n  %time y = 2\n")
    assert masked.indented and masked.error is None
    assert unmask(masked.text, masked.originals) == "  x = 1\n  %time y = 2\n"
    assert mask("print 'x'\n").error is not None


def test_ipython_rewrites_what_the_hand_written_masking_misses() -> None:
    pytest.importorskip("IPython")
    # IPython's autocall escapes (`/f x` runs `f(x)`, `,f a b` runs `f("a", "b")`) are not masked by hand.
    cell = "x = 1\n/print x\n,my_function a b\n"
    masked = mask(cell)
    assert masked.error is None and masked.originals == ("/print x\n", ",my_function a b\n")
    assert unmask(masked.text, masked.originals) == cell
    indented = "\n\n  x = 1\n  /print x\n"  # IPython drops the blank lines, then dedents
    masked = mask(indented)
    assert masked.indented and masked.originals == ("  /print x\n",)


def test_ci_formats_point_at_the_line_of_the_notebook_file(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", new_markdown_cell("# Train"), IMPORTS, f"z = torch.randn(4, 3)\n{MISUSE}")
    line = path.read_text().split("\n").index(f'    "{MISUSE}"') + 1  # nbformat stores a line per element
    github = xentlint("check", "--select", "XL301", "--output-format", "github", "nb.ipynb", cwd=tmp_path)
    assert f"file=nb.ipynb,line={line},endLine={line}::cell 3:2:6: XL301 " in github.stdout.decode()
    sarif = json.loads(xentlint("check", "--select", "XL301", "--output-format", "sarif", "nb.ipynb",
                                cwd=tmp_path).stdout)
    [result] = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": line, "endLine": line}
    assert result["message"]["text"].startswith("cell 3:2:6: ") and "fixes" not in result
    junit = xentlint("check", "--select", "XL301", "--output-format", "junit", "nb.ipynb", cwd=tmp_path)
    assert f'line="{line}"' in junit.stdout.decode()


def test_file_lines_of_a_source_stored_as_one_string(tmp_path: Path) -> None:
    from xentlint.notebook import file_lines

    text = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "source": "a = 1\nb = 2", "metadata": {}, "outputs": [], "execution_count": None},
        {"cell_type": "code", "source": ["c = 3\n", "d = 4"], "metadata": {}, "outputs": [], "execution_count": None},
    ]}, indent=1)
    lines = text.split("\n")

    def line_of(fragment: str) -> int:
        [line] = [number for number, line in enumerate(lines, start=1) if fragment in line]
        return line

    assert file_lines(text) == {1: (line_of('"source": "a = 1\\nb = 2"'),),
                                2: (line_of('"c = 3\\n"'), line_of('"d = 4"'))}
