"""Large files are analysed in views: same findings and fixes at the file's own rows, bounded memory."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import libcst as cst
import pytest

from xentlint import engine, views
from xentlint.registry import default_codes

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\nSCALE = 2.0\n\n"
MISUSES = {
    "log_of_softmax": "def log_probs(z):\n    return torch.log(F.softmax(z, dim=1))  # noqa: E501\n",
    "softmax_into_ce": ("def step(model, x, y):\n    logits = model(x)\n    probs = F.softmax(logits, dim=1)\n"
                        "    return F.cross_entropy(probs, y)\n"),
    "module_with_forward": ("class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                            "        self.fc = nn.Linear(4, 3)\n\n    def forward(self, x):\n"
                            "        return F.softmax(self.fc(x), dim=-1)\n\n"
                            "    def loss(self, x, y):\n        return nn.CrossEntropyLoss()(self(x), y)\n"),
}


def filler(index: int) -> str:
    return (f"def helper_{index}(values, offset={index}):\n    total = 0\n    for value in values:\n"
            f"        total += value * SCALE + offset\n    return total / max(len(values), 1)\n\n\n")


@pytest.fixture(autouse=True)
def small_views(monkeypatch: pytest.MonkeyPatch) -> None:
    """Views of 8 KB, so that modules of a few dozen KB already need several (and parse fast)."""
    monkeypatch.setattr(views, "VIEW_CHARS", 8 * 1024)


def big_module(misuse: str, where: int, count: int = 200) -> str:
    parts = [HEADER] + [filler(i) for i in range(count)]
    parts.insert(where, misuse + "\n\n")
    return "".join(parts)


def findings(source: str) -> list[tuple[int, int, str, str]]:
    return [(d.location.row, d.location.column, d.code, d.message)
            for d in engine.lint_source(source, "big.py", default_codes()).diagnostics]


def whole(monkeypatch: pytest.MonkeyPatch, source: str) -> list[tuple[int, int, str, str]]:
    with monkeypatch.context() as patch:
        patch.setattr(views, "VIEW_CHARS", 10 ** 9)
        return findings(source)


def test_views_cover_every_row_once_beside_the_shared_context() -> None:
    source = big_module(MISUSES["module_with_forward"], 100)
    parts = views.split(source)
    assert parts is not None and len(parts) >= 2
    lines = source.split("\n")
    for view in parts:
        cst.parse_module(view.text)  # each view is a module of its own
        assert [lines[row] for row in view.rows] == view.text.split("\n")[:len(view.rows)]
    counts: dict[int, int] = {}
    for view in parts:
        for row in view.rows:
            counts[row] = counts.get(row, 0) + 1
    assert set(counts) == set(range(len(lines)))
    shared = {row for row, count in counts.items() if count == len(parts)}
    assert {lines[row] for row in shared} >= {"import torch", "SCALE = 2.0"}
    assert not any(lines[row].startswith("def helper_") for row in shared)


@pytest.mark.parametrize("misuse", sorted(MISUSES))
@pytest.mark.parametrize("where", [1, 100, 201])
def test_findings_in_views_are_those_of_the_whole_file(monkeypatch: pytest.MonkeyPatch, misuse: str,
                                                       where: int) -> None:
    source = big_module(MISUSES[misuse], where)
    assert len(source) > views.VIEW_CHARS
    found = findings(source)
    assert found and found == whole(monkeypatch, source)
    row = source.split("\n").index(MISUSES[misuse].split("\n")[0]) + 1
    assert all(row <= finding[0] < row + MISUSES[misuse].count("\n") for finding in found)


def test_a_fix_in_a_view_edits_the_file_at_its_own_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    source = big_module(MISUSES["log_of_softmax"], 150)
    result = engine.fix_source(source, "big.py", default_codes(), unsafe=False)
    assert result.error is None and result.fixed
    assert result.source == source.replace("torch.log(F.softmax(z, dim=1))", "F.log_softmax(z, dim=1)")
    with monkeypatch.context() as patch:
        patch.setattr(views, "VIEW_CHARS", 10 ** 9)
        assert engine.fix_source(source, "big.py", default_codes(), unsafe=False).source == result.source


def test_a_large_class_is_split_between_its_members_with_its_header() -> None:
    methods = "".join(f"    def test_{i}(self):\n        self.assertEqual(helper({i}), {i})\n\n" for i in range(400))
    source = f"import torch\n\n\n@decorated\nclass Tests(Base):\n    '''Doc.'''\n\n{methods}"
    parts = views.split(source)
    assert parts is not None and len(parts) >= 2
    for view in parts:
        cst.parse_module(view.text)
        assert "@decorated\nclass Tests(Base):\n" in view.text


@pytest.mark.parametrize("source", ["x = [\n" + "    1,\n" * 3000 + "]\n", "def f(:\n" + "    pass\n" * 3000])
def test_what_cannot_be_split_is_left_whole(source: str) -> None:
    assert views.split(source) is None


@pytest.mark.parametrize("broken", ["def broken(:\n    pass\n", "def broken():\n    return = 1\n"])
def test_a_syntax_error_in_a_large_file_is_reported_at_its_row(broken: str) -> None:
    """One that stops tokenize (the file is parsed whole), and one only the parse of its view finds."""
    source = big_module(broken, 120)
    assert (views.split(source) is None) == ("(:" in broken)
    [error] = engine.lint_source(source, "big.py", default_codes()).diagnostics
    assert error.code == "XL001"
    assert error.location.row == source.split("\n").index(broken.split("\n")[1 if "return" in broken else 0]) + 1


def run_measured(*args: str) -> tuple[bytes, float, int]:
    """Run `xentlint ARGS` in a fresh process: its output, seconds, and peak memory in MiB."""
    probe = ("import resource, subprocess, sys\n"
             "out = subprocess.run([sys.executable, '-m', 'xentlint', *sys.argv[1:]], capture_output=True)\n"
             "sys.stdout.buffer.write(out.stdout)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, timeout=600)
    output, _, peak = result.stdout.rstrip().rpartition(b"\n")
    return output, time.perf_counter() - start, int(peak)


def test_memory_stays_bounded_on_a_large_file(tmp_path: Path) -> None:
    """A 500 KB module, checked with the real view size: one LibCST tree of it would take over
    600 MB; views keep the process small."""
    path = tmp_path / "big.py"
    path.write_text(big_module(MISUSES["softmax_into_ce"], 2000, count=3000))
    output, _, peak_mib = run_measured("check", "--no-cache", str(path))
    assert output.count(b"XL101") == 1
    assert peak_mib < 300, f"peak {peak_mib} MiB"


def test_a_file_over_the_limit_is_reported_and_skipped_at_once(tmp_path: Path) -> None:
    path = tmp_path / "generated.py"
    path.write_text(HEADER + "".join(filler(i) for i in range(30000)))  # over 5 MB
    output, seconds, peak_mib = run_measured("check", "--no-cache", str(path))
    assert b"XL004" in output and b"skipped" in output
    assert seconds < 10 and peak_mib < 300


def test_views_never_add_a_finding_on_any_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """With views of 300 characters (nearly one definition each), findings can only be lost."""
    root = Path(__file__).resolve().parent.parent / "fixtures"
    for path in sorted(p for p in root.glob("XL*/*.py") if not p.name.endswith(".fixed.py")):
        source = path.read_text()
        monkeypatch.setattr(views, "VIEW_CHARS", 300)
        # A view may see less of the module (a helper's definition elsewhere), so a message may be
        # less specific; the findings themselves (where, which rule) can only be lost.
        in_views = {finding[:3] for finding in findings(source)}
        assert in_views <= {finding[:3] for finding in whole(monkeypatch, source)}, f"views add findings on {path}"
