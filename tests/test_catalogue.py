"""The catalogue is the contract: every code in RULES.md is a rule with fixtures, a page and a contract."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from xentlint import prefilter
from xentlint.docs import stale_pages
from xentlint.engine import lint_source
from xentlint.dev.rule_index import INDEX_MODULE, render_rule_index
from xentlint.registry import all_codes, all_rules, default_codes, rule_by_code

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT.parent / "shared" / "RULES.md"


def _catalogue(path: Path = CATALOGUE) -> dict[str, str]:
    """The codes and names of the shared catalogue beside the checkout. It is outside the repository,
    so a clone (and GitHub Actions, with CI=true) has none: the suite never requires it."""
    if not path.exists():
        pytest.skip(f"the shared rule catalogue is not beside this checkout ({path})")
    rows = re.findall(r"^\| (XL\d{3}) \| ([a-z0-9-]+) \|", path.read_text(), flags=re.MULTILINE)
    return dict(rows)


def test_a_checkout_without_the_shared_catalogue_skips_its_checks(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.skip.Exception):
        _catalogue(tmp_path / "RULES.md")


def test_every_catalogue_code_is_implemented_with_its_name() -> None:
    for code, name in _catalogue().items():
        rule = rule_by_code(code)
        assert rule.name == name, f"{code} is named {rule.name!r}, the catalogue says {name!r}"


def test_every_catalogue_rule_has_fixtures_page_and_contract() -> None:
    for code in _catalogue():
        rule = rule_by_code(code)
        assert list((ROOT / "fixtures" / code).glob("bad_*.py")), f"{code}: no bad fixture"
        assert list((ROOT / "fixtures" / code).glob("good_*.py")), f"{code}: no good fixture"
        assert (ROOT / "rules" / f"{code}.md").exists(), f"{code}: no page"
        assert rule.contract is not None, f"{code}: no runtime contract"


def test_codes_and_names_are_unique() -> None:
    rules = all_rules()
    assert len({rule.code for rule in rules}) == len(rules)
    assert len({rule.name for rule in rules}) == len(rules)


def test_rule_pages_are_fresh() -> None:
    stale = stale_pages(ROOT / "rules", all_rules())
    assert stale == [], f"regenerate with `python -m xentlint.dev.docs`: {stale}"


def test_rule_index_module_is_fresh() -> None:
    """The codes, defaults and pre-filter needs read without importing the rules are the rules' own."""
    assert INDEX_MODULE.read_text() == render_rule_index(all_rules()), (
        "regenerate with `python -m xentlint.dev.docs`")
    assert all_codes() == tuple(rule.code for rule in all_rules())
    assert default_codes() == {rule.code for rule in all_rules() if rule.default_enabled}


def test_prefilter_loses_no_finding_on_any_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """Running every rule on every fixture, pre-filter bypassed, finds nothing more."""
    fixtures = sorted(p for p in (ROOT / "fixtures").glob("XL*/*.py") if not p.name.endswith(".fixed.py"))
    filtered = {p: _findings(p) for p in fixtures}
    monkeypatch.setattr(prefilter, "codes_to_run", lambda codes, source, filename=None: codes)
    for path in fixtures:
        assert _findings(path) == filtered[path], f"the pre-filter loses findings on {path}"


def _findings(path: Path) -> list[tuple[int, str]]:
    source = path.read_text()
    return [(d.location.row, d.code) for d in lint_source(source, path.name, default_codes()).diagnostics]


@pytest.mark.parametrize("code", sorted(all_codes()))
def test_rule_page_example_is_flagged_and_use_instead_is_clean(code: str) -> None:
    """A rule page's `## Example` is found by its own rule; its `## Use instead` is not."""
    rule = rule_by_code(code)
    if not rule.example:
        pytest.skip(f"{code} has no example")
    found = {d.code for d in lint_source(rule.example, "example.py", frozenset({code})).diagnostics}
    assert found == {code}, rule.example
    if rule.use_instead:
        clean = lint_source(rule.use_instead, "use_instead.py", frozenset({code})).diagnostics
        assert not clean, [d.message for d in clean]
