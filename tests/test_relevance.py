"""Only the part of a module the rules can report on is parsed: same findings, fixes and syntax
errors as the whole file, at the file's own rows."""
from __future__ import annotations

from pathlib import Path

import pytest

from xentlint import engine, prefilter, relevance
from xentlint.registry import default_codes

FIXTURES = Path(__file__).parent.parent / "fixtures"
HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\nSCALE = 2.0\n\n\n"


def filler(index: int) -> str:
    return (f"def helper_{index}(values, offset={index}):\n    total = 0\n    for value in values:\n"
            f"        total += value * SCALE + offset\n    return total / max(len(values), 1)\n\n\n")


def module(*parts: str, fillers: int = 120) -> str:
    """`parts` spread among unrelated helper functions (together well over `MIN_CHARS`)."""
    chunks = [filler(i) for i in range(fillers)]
    for index, part in enumerate(parts):
        chunks.insert((index + 1) * fillers // (len(parts) + 1), part + "\n\n")
    return HEADER + "".join(chunks)


def lint(source: str) -> list[tuple[int, int, str, str, bool]]:
    return [(d.location.row, d.location.column, d.code, d.message, d.fix is not None)
            for d in engine.lint_source(source, "big.py", default_codes()).diagnostics]


def lint_whole(monkeypatch: pytest.MonkeyPatch, source: str) -> list[tuple[int, int, str, str, bool]]:
    with monkeypatch.context() as patch:
        patch.setattr(relevance, "MIN_CHARS", 10 ** 12)
        return lint(source)


def test_unrelated_definitions_are_left_out_and_the_rows_are_the_files() -> None:
    misuse = "def step(model, x, y):\n    probs = F.softmax(model(x), dim=1)\n    return F.cross_entropy(probs, y)\n"
    source = module(misuse)
    view, left_out = relevance.relevant_view(source, lambda words: "cross_entropy" in words)
    assert "def step" in view.text and "helper_" not in view.text
    assert "def helper_0(" in left_out and "def step" not in left_out
    found = lint(source)
    row = source.split("\n").index("    return F.cross_entropy(probs, y)") + 1
    assert [(r, code) for r, _, code, _, _ in found] == [(row, "XL101")]
    assert f"the softmax applied at line {row - 1}" in found[0][3]


@pytest.mark.parametrize("parts", [
    # the model class is reached by name from the training function
    ("class Net(nn.Module):\n    def forward(self, x):\n        return F.softmax(x, dim=1)\n",
     "def train(x, y):\n    net = Net()\n    return nn.CrossEntropyLoss()(net(x), y)\n"),
    # a caller passes the model to a training function that names neither it nor a softmax
    ("class Net(nn.Module):\n    def forward(self, x):\n        return F.softmax(x, dim=1)\n",
     "def train(model, x, y):\n    return nn.CrossEntropyLoss()(model(x), y)\n",
     "def main(x, y):\n    return train(Net(), x, y)\n"),
    # script code at module level reaches both
    ("def head(z):\n    return torch.sigmoid(z)\n",
     "def objective(p, y):\n    return F.binary_cross_entropy_with_logits(p, y)\n",
     "if __name__ == '__main__':\n    print(objective(head(torch.zeros(3)), torch.ones(3)))\n"),
])
def test_findings_through_other_definitions_are_kept(monkeypatch: pytest.MonkeyPatch, parts: tuple[str, ...]) -> None:
    source = module(*parts)
    found = lint(source)
    assert found and found == lint_whole(monkeypatch, source)


def test_a_fix_is_the_same_as_on_the_whole_file(monkeypatch: pytest.MonkeyPatch) -> None:
    source = module("def log_probs(z):\n    return torch.log(F.softmax(z, dim=1))\n")
    fixed = engine.fix_source(source, "big.py", default_codes(), unsafe=True)
    with monkeypatch.context() as patch:
        patch.setattr(relevance, "MIN_CHARS", 10 ** 12)
        whole = engine.fix_source(source, "big.py", default_codes(), unsafe=True)
    assert fixed.fixed and fixed.source == whole.source != source


def test_a_syntax_error_in_a_left_out_definition_is_reported_at_its_row(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = "def broken(values):\n    return values +\n"
    source = module("def step(p, y):\n    return F.cross_entropy(F.softmax(p, dim=1), y)\n", broken)
    found = lint(source)
    assert [code for _, _, code, _, _ in found] == ["XL001"]
    assert found == lint_whole(monkeypatch, source)
    assert found[0][0] == source.split("\n").index("    return values +") + 1


def test_a_definition_line_inside_a_string_at_column_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    text = 'USAGE = """\ndef example():\n    return 1\n\nclass Other:\n    pass\n"""\n'
    source = module(text, "def step(p, y):\n    return F.cross_entropy(F.softmax(p, dim=1), y)\n")
    found = lint(source)
    assert [code for _, _, code, _, _ in found] == ["XL101"]
    assert found == lint_whole(monkeypatch, source)


def test_small_files_and_files_that_are_mostly_relevant_are_parsed_whole() -> None:
    small = HEADER + "def step(p, y):\n    return F.cross_entropy(F.softmax(p, dim=1), y)\n" + filler(1)
    assert relevance.relevant_view(small, lambda words: True) == (relevance.View(small, None), "")
    source = module(fillers=40)
    assert relevance.relevant_view(source, lambda words: True)[1] == ""


def test_rows_ending_at_a_lone_carriage_return_are_parsed_whole() -> None:
    source = module("def step(p, y):\n    return F.cross_entropy(F.softmax(p, dim=1), y)\n").replace("\n", "\r")
    assert relevance.relevant_view(source, lambda words: "cross_entropy" in words)[1] == ""


def interleaved(source: str) -> str:
    """`source` with an unrelated helper function before each of its top-level definitions (and
    at its end), so that a cut leaves text out between the parts it keeps."""
    lines = source.split("\n")
    out: list[str] = []
    in_decorators = False
    for line in lines:
        starts_definition = line.startswith(("def ", "class ", "async def ", "@"))
        if starts_definition and not in_decorators:
            out += filler(len(out)).split("\n")
        in_decorators = line.startswith("@")
        out.append(line)
    return "\n".join(out) + "\n\n\n" + filler(len(out))


FIXTURE_FILES = [path for path in sorted(FIXTURES.glob("*/*.py")) if not path.name.endswith(".fixed.py")]


def left_out(source: str) -> str:
    runnable = prefilter.codes_to_run(default_codes(), source)
    return relevance.relevant_view(source, lambda words: bool(prefilter.rules_for_words(runnable, words)))[1]


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_fixture_gives_the_same_findings_when_cut(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Each fixture, with unrelated helpers between its definitions, linted cut (as if it were
    large) and whole: the findings and their rows are the same."""
    source = interleaved(path.read_text(encoding="utf-8"))
    expected = lint_whole(monkeypatch, source)
    monkeypatch.setattr(relevance, "MIN_CHARS", 0)
    monkeypatch.setattr(relevance, "_MAX_SHARE", 1.0)
    assert lint(source) == expected


def test_many_fixtures_are_cut_when_interleaved(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above leaves text out of many fixtures (the others mention a rule's words in
    their module docstring or script code, which keeps every definition)."""
    monkeypatch.setattr(relevance, "MIN_CHARS", 0)
    monkeypatch.setattr(relevance, "_MAX_SHARE", 1.0)
    cut = [path for path in FIXTURE_FILES if "def helper_" in left_out(interleaved(path.read_text(encoding="utf-8")))]
    assert len(cut) >= len(FIXTURE_FILES) // 4  # 45 of 149 when written


def test_parsing_without_validation_gives_the_same_tree_and_restores_validation() -> None:
    import libcst as cst

    from xentlint.parsing import parse_module

    source = (FIXTURES / "XL101" / "bad_torch.py").read_text(encoding="utf-8")
    assert parse_module(source).deep_equals(cst.parse_module(source))
    with pytest.raises(cst.CSTValidationError):  # nodes built by hand are validated again
        cst.Name("not a name")
