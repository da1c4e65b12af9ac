"""Fix edits: each replaced node is rendered alone, in its place, and applies to any newline style."""
from __future__ import annotations

import time

from xentlint import api
from xentlint.diagnostics import Applicability
from xentlint.registry import default_codes

CODES = default_codes()
SOFTMAX_INTO_CE = "import torch.nn.functional as F\n\ndef f(z, y):\n    return F.cross_entropy(F.softmax(z, dim=1), y)\n"


def test_cr_only_newlines_are_fixed_and_kept() -> None:
    source = SOFTMAX_INTO_CE.replace("\n", "\r")
    [finding] = api.check_source(source, "m.py", CODES)
    assert finding.location.row == 4 and finding.fix is not None
    result = api.fix_source(source, "m.py", CODES)
    assert result.error is None and not result.remaining
    assert result.source == "import torch.nn.functional as F\r\rdef f(z, y):\r    return F.cross_entropy(z, y)\r"


def test_crlf_newlines_are_fixed_and_kept() -> None:
    result = api.fix_source(SOFTMAX_INTO_CE.replace("\n", "\r\n"), "m.py", CODES)
    assert result.error is None
    assert result.source == SOFTMAX_INTO_CE.replace("F.softmax(z, dim=1)", "z").replace("\n", "\r\n")


def test_form_feed_does_not_shift_the_edit() -> None:
    # str.splitlines splits at a form feed; Python, LibCST and the edits do not.
    source = SOFTMAX_INTO_CE.replace("\ndef f", "\n\x0c\ndef f")
    result = api.fix_source(source, "m.py", CODES)
    assert result.error is None and "F.cross_entropy(z, y)" in result.source


def test_comment_inside_the_replaced_call_makes_the_fix_unsafe_and_keeps_the_message() -> None:
    source = ("import torch.nn.functional as F\n\ndef f(z, y):\n"
              "    return F.cross_entropy(F.softmax(  # probabilities\n        z, dim=1), y)\n")
    [finding] = api.check_source(source, "m.py", CODES)
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert finding.message.startswith("`F.softmax(z, dim=1)` reaches")
    assert api.fix_source(source, "m.py", CODES).source == source  # safe fixes only: untouched
    fixed = api.fix_source(source, "m.py", CODES, unsafe=True)
    assert fixed.error is None and "return F.cross_entropy(z, y)\n" in fixed.source


def test_a_multi_line_replacement_keeps_the_indentation_of_its_blocks() -> None:
    source = ("import tensorflow as tf\n\nclass M:\n    def loss(self, y, z):\n        if True:\n"
              "            return tf.keras.losses.categorical_crossentropy(\n"
              "                y,\n                tf.nn.softmax(z),\n            )\n")
    result = api.fix_source(source, "m.py", CODES, unsafe=True)
    assert result.error is None
    assert result.source.endswith("            return tf.keras.losses.categorical_crossentropy(\n"
                                  "                y,\n                z,\n                from_logits=True,\n"
                                  "            )\n")


def test_many_fixable_findings_cost_about_what_the_file_costs_without_them() -> None:
    head = "import torch\nimport torch.nn.functional as F\n\n"
    bad = head + "".join(f"\ndef loss_{i}(z, y):\n    return F.cross_entropy(F.softmax(z, dim=1), y)\n\n"
                         for i in range(150))
    good = bad.replace("F.softmax(z, dim=1)", "z")

    def seconds(source: str) -> float:
        start = time.perf_counter()
        api.check_source(source, "m.py", CODES)
        return time.perf_counter() - start

    seconds(good)  # warm the imports
    clean, fixable = min(seconds(good) for _ in range(2)), min(seconds(bad) for _ in range(2))
    # Quadratic edits took 150 regenerations of the whole module: about 40x here.
    assert fixable < 8 * clean + 0.5


def test_a_fix_that_breaks_the_code_leaves_the_file_unchanged(monkeypatch) -> None:
    from xentlint import engine

    monkeypatch.setattr(engine, "_render", lambda ctx, replacement: "z)")
    result = api.fix_source(SOFTMAX_INTO_CE, "m.py", CODES)
    assert result.source == SOFTMAX_INTO_CE and result.fixed == []
    assert result.error is not None and result.error.startswith("fixes produced code that does not parse")
    assert result.error.endswith("file left unchanged")
