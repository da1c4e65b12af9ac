"""Syntax errors are reported where Python reports them, in small files, in large ones (views) and in editors."""
from __future__ import annotations

import pytest

from xentlint import api, engine, views
from xentlint.registry import default_codes

# Each mentions a loss, so LibCST parses it (a file the pre-filter skips is checked by Python alone).
CASES = {
    "unmatched ')' on row 2": ('s = "x"\nx = torch.log_softmax(torch.randn(2, 3), dim=1))\n', (2, 48)),
    "'(' never closed, more code after": ("x = (\nimport torch\ny = torch.nn.functional.cross_entropy(z, t)\n",
                                          (1, 5)),
}


def python_position(source: str) -> tuple[int, int]:
    with pytest.raises(SyntaxError) as error:
        compile(source, "<test>", "exec", dont_inherit=True)
    return error.value.lineno, error.value.offset


@pytest.mark.parametrize("source, position", CASES.values(), ids=CASES.keys())
def test_syntax_error_is_at_pythons_row_and_column(source: str, position: tuple[int, int]) -> None:
    assert python_position(source) == position
    [error] = api.check_source(source, "broken.py", default_codes())
    assert error.code == "XL001"
    assert (error.location.row, error.location.column) == position


def test_syntax_error_in_a_view_of_a_large_file_is_at_pythons_position_in_the_file() -> None:
    header = "import torch\nimport torch.nn.functional as F\n\n"
    fillers = "".join(f"def helper_{i}(values):\n    return F.softmax(values * {i}, dim=0)\n\n\n" for i in range(1500))
    broken = "def broken(z):\n    x = torch.log(F.softmax(z, dim=1)) +\n    return x\n"
    source = header + fillers + broken + fillers
    assert views.split(source) is not None  # it tokenizes: the error is found in the parse of one view
    row, column = python_position(source)
    [error] = engine.lint_source(source, "big.py", default_codes()).diagnostics
    assert (error.location.row, error.location.column) == (row, column)
    assert source.split("\n")[row - 1] == "    x = torch.log(F.softmax(z, dim=1)) +"
