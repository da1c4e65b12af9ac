"""One test walks fixtures/: every rule's bad, good and fixed examples.

- `bad_*.py`: the findings of its folder's rule, and of the other rules its markers name (the
  overlaps it declares), are exactly the `# error: CODE[, CODE]` markers (line and code), and
  match the snapshot `bad_*.snap` (`line:col CODE message`; refresh with
  XENTLINT_UPDATE_SNAPSHOTS=1).
- `bad_*.fixed.py`: what `fix --unsafe-fixes` with only that rule produces, byte for byte; it
  parses, lints clean of that code, and a second fix changes nothing. Without a `.fixed.py`,
  fixing must change nothing.
- `good_*.py`: no finding from its folder's rule.

Each fixture is linted with its own rule (and the overlaps it declares) only, so a new rule never
breaks another rule's fixtures.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import libcst as cst
import pytest

from xentlint.diagnostics import Applicability, FixAvailability
from xentlint.engine import fix_source, lint_source
from xentlint.registry import all_rules, rule_by_code

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MARKER = re.compile(r"#\s*error:\s*(?P<codes>XL\d{3}(?:\s*,\s*XL\d{3})*)")
UPDATE = os.environ.get("XENTLINT_UPDATE_SNAPSHOTS") == "1"


def _files(prefix: str) -> list[Path]:
    return sorted(p for p in FIXTURES.glob(f"XL*/{prefix}_*.py") if not p.name.endswith(".fixed.py"))


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _markers(source: str) -> set[tuple[int, str]]:
    expected = set()
    for row, line in enumerate(source.splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            expected |= {(row, code.strip()) for code in match.group("codes").split(",")}
    return expected


@pytest.mark.parametrize("path", _files("bad"), ids=_id)
def test_bad_fixture_findings(path: Path) -> None:
    source = path.read_text()
    markers = _markers(source)
    codes = frozenset({path.parent.name} | {code for _, code in markers})
    diagnostics = lint_source(source, path.name, codes).diagnostics
    assert {(d.location.row, d.code) for d in diagnostics} == markers
    snapshot = "".join(f"{d.location.row}:{d.location.column} {d.code} {d.message}\n" for d in diagnostics)
    snap_path = path.with_suffix(".snap")
    if UPDATE:
        snap_path.write_text(snapshot)
    assert snap_path.exists(), f"no snapshot: run with XENTLINT_UPDATE_SNAPSHOTS=1 and read {snap_path.name}"
    assert snapshot == snap_path.read_text()


@pytest.mark.parametrize("path", _files("bad"), ids=_id)
def test_bad_fixture_fix(path: Path) -> None:
    code = path.parent.name
    rule = rule_by_code(code)
    codes = frozenset({code})
    source = path.read_text()
    findings = [d for d in lint_source(source, path.name, codes).diagnostics if d.code == code]
    assert findings, f"{path} has no {code} finding"
    for finding in findings:
        if rule.fix_availability is FixAvailability.NONE:
            assert finding.fix is None, f"{code} declares no fix but offered one"
        elif rule.fix_availability is FixAvailability.ALWAYS:
            assert finding.fix is not None, f"{code} declares a fix for every finding"
    result = fix_source(source, path.name, codes, unsafe=True)
    assert result.error is None
    fixed_path = path.with_name(path.stem + ".fixed.py")
    if UPDATE and result.source != source:
        fixed_path.write_text(result.source)
    if not fixed_path.exists():
        assert result.source == source, f"fix changed {path}: add {fixed_path.name}"
        return
    assert result.source == fixed_path.read_text()
    cst.parse_module(result.source)
    compile(result.source, str(fixed_path), "exec")
    again = fix_source(result.source, fixed_path.name, codes, unsafe=True)
    assert again.source == result.source, "fix is not idempotent"
    # What is left is exactly what had no fix to begin with.
    remaining = [d for d in lint_source(result.source, fixed_path.name, codes).diagnostics if d.code == code]
    assert all(d.fix is None for d in remaining)
    assert len(remaining) == sum(1 for d in findings if d.fix is None)


@pytest.mark.parametrize("path", _files("good"), ids=_id)
def test_good_fixture_is_clean(path: Path) -> None:
    diagnostics = lint_source(path.read_text(), path.name, frozenset({path.parent.name})).diagnostics
    assert [f"{d.location.row}: {d.code} {d.message}" for d in diagnostics] == []


def test_every_rule_has_fixtures() -> None:
    for rule in all_rules():
        if not rule.default_enabled:
            continue
        folder = FIXTURES / rule.code
        assert list(folder.glob("bad_*.py")), f"{rule.code} has no bad fixture"
        assert list(folder.glob("good_*.py")), f"{rule.code} has no good fixture"


def test_safe_fixes_only_without_unsafe_flag() -> None:
    for path in _files("bad"):
        source = path.read_text()
        codes = frozenset({path.parent.name} | {code for _, code in _markers(source)})
        safe = fix_source(source, path.name, codes, unsafe=False)
        assert all(d.fix is None or d.fix.applicability is Applicability.SAFE for d in safe.fixed)
