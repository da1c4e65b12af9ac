from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from xentlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from xentlint.output import FORMATS, RenderOptions, render
from xentlint.rule import Rule

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())


def dummy_rule(code: str, name: str) -> type[Rule]:
    attributes = {"name": name, "summary": f"Flags {name}.", "why": f"**{name}** gives wrong losses.",
                  "example": "", "use_instead": ""}
    rule = type(f"Dummy{code}", (Rule,), attributes)
    rule.code = code  # set after the class exists, so the dummy is not registered globally
    return rule


RULES = (dummy_rule("XL101", "softmax-into-logits-loss"), dummy_rule("XL201", "log-of-softmax"))


def fix(applicability: Applicability, row: int = 3) -> Fix:
    edit = Edit("logits", Location(row, 20), Location(row, 36))
    return Fix("Remove the softmax", applicability, (edit,))


SAFE = Diagnostic("XL101", "softmax-into-logits-loss", "`softmax` output passed to a loss expecting logits",
                  "src/train.py", Location(3, 20), Location(3, 36), fix(Applicability.SAFE))
UNSAFE = Diagnostic("XL201", "log-of-softmax", "`log(softmax(x))` is unstable; use `log_softmax(x)`",
                    "src/train.py", Location(1, 5), Location(1, 30), fix(Applicability.UNSAFE, row=1))
NOTEBOOK = Diagnostic("XL101", "softmax-into-logits-loss", "`softmax` output passed to a loss expecting logits",
                      "nb/explore.ipynb", Location(3, 12), Location(3, 30), cell=4)
SYNTAX = Diagnostic("XL001", "syntax-error", "cannot parse: unexpected token", "bad.py", Location(2, 1), Location(2, 1))
ALL = [SAFE, UNSAFE, NOTEBOOK, SYNTAX]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def text(diagnostics: list[Diagnostic], **options: object) -> str:
    return render("text", diagnostics, RenderOptions(**options))


# text


def test_text_lists_findings_sorted_with_fix_markers_and_summary() -> None:
    assert text(ALL) == (
        "bad.py:2:1: XL001 cannot parse: unexpected token\n"
        "nb/explore.ipynb:cell 4:3:12: XL101 `softmax` output passed to a loss expecting logits\n"
        "src/train.py:1:5: XL201 `log(softmax(x))` is unstable; use `log_softmax(x)`\n"
        "src/train.py:3:20: XL101 `softmax` output passed to a loss expecting logits [*]\n"
        "Found 4 errors.\n"
        "[*] 1 fixable with `xentlint fix` (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    )


def test_text_marks_unsafe_fixes_when_enabled() -> None:
    output = text([SAFE, UNSAFE], unsafe_fixes_enabled=True)
    assert "src/train.py:1:5: XL201 `log(softmax(x))` is unstable; use `log_softmax(x)` [*]\n" in output
    assert output.endswith("Found 2 errors.\n[*] 2 fixable with `xentlint fix`.\n")


def test_text_summary_with_only_hidden_fixes() -> None:
    assert text([UNSAFE, replace(UNSAFE, location=Location(2, 1))]).endswith(
        "Found 2 errors.\nNo fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option).\n")


def test_text_without_findings() -> None:
    assert text([]) == "All checks passed!\n"
    assert text([SYNTAX]).endswith("Found 1 error.\n")


def test_text_quiet_prints_findings_only() -> None:
    assert text([SAFE], quiet=True) == (
        "src/train.py:3:20: XL101 `softmax` output passed to a loss expecting logits [*]\n")
    assert text([], quiet=True) == ""


def test_text_paths_below_the_working_directory_are_shown_relative(in_tmp: Path) -> None:
    absolute = replace(SYNTAX, filename=str(in_tmp / "pkg" / "bad.py"))
    outside = replace(SYNTAX, filename="/elsewhere/bad.py")
    assert text([absolute, outside], quiet=True) == (
        "/elsewhere/bad.py:2:1: XL001 cannot parse: unexpected token\n"
        "pkg/bad.py:2:1: XL001 cannot parse: unexpected token\n"
    )


def test_text_statistics_count_per_code() -> None:
    output = text(ALL + [replace(SAFE, location=Location(9, 1), fix=None)], statistics=True)
    assert output == (
        "3\tXL101\t[~] softmax-into-logits-loss\n"  # one of three is fixable: not all, so not [*]
        "1\tXL001\t[ ] syntax-error\n"
        "1\tXL201\t[ ] log-of-softmax\n"
    )
    assert text([SAFE, replace(SAFE, location=Location(9, 1))], statistics=True) == (
        "2\tXL101\t[*] softmax-into-logits-loss\n")


def test_json_statistics_count_fixable_findings_per_code() -> None:
    output = render("json", ALL + [replace(SAFE, location=Location(9, 1), fix=None)],
                    RenderOptions(statistics=True))
    assert json.loads(output)[0] == {"code": "XL101", "name": "softmax-into-logits-loss", "count": 3,
                                     "fixable_count": 1}


def test_text_after_fix_summarises_and_shows_fixes() -> None:
    fixed = [SAFE, replace(SAFE, location=Location(7, 1)), replace(SAFE, filename="a.py")]
    assert text([UNSAFE], fixed=fixed, show_fixes=True, unsafe_fixes_enabled=True) == (
        "src/train.py:1:5: XL201 `log(softmax(x))` is unstable; use `log_softmax(x)` [*]\n"
        "Applied 3 fixes:\n"
        "- a.py:\n"
        "    1 × XL101 (softmax-into-logits-loss)\n"
        "- src/train.py:\n"
        "    2 × XL101 (softmax-into-logits-loss)\n"
        "\n"
        "Found 4 errors (3 fixed, 1 remaining).\n"
        "[*] 1 fixable with `xentlint fix`.\n"
    )
    assert text([], fixed=fixed) == "Found 3 errors (3 fixed, 0 remaining).\n"


def test_text_after_fix_counts_the_findings_check_reported_not_the_fixes_applied() -> None:
    # One fix can resolve several findings (XL303's replaces the XL301 inside it).
    summary = text([UNSAFE], fixed=[SAFE], found=5).splitlines()[1]
    assert summary == "Found 5 errors (4 fixed, 1 remaining)."


def test_findings_marked_fixed_count_as_fixed() -> None:
    marked = Diagnostic(**{**SAFE.__dict__, "fixed": True})
    assert text([marked, SYNTAX]).endswith("Found 2 errors (1 fixed, 1 remaining).\n")


# json


def test_json_is_shaped_like_ruffs() -> None:
    findings = json.loads(render("json", ALL, RenderOptions()))
    assert [f["code"] for f in findings] == ["XL001", "XL101", "XL201", "XL101"]
    keys = {"code", "name", "message", "filename", "location", "end_location", "fix", "url", "cell", "noqa_row"}
    assert all(set(f) == keys for f in findings)
    syntax, notebook, unsafe, safe = findings
    assert safe == {
        "code": "XL101",
        "name": "softmax-into-logits-loss",
        "message": "`softmax` output passed to a loss expecting logits",
        "filename": "src/train.py",
        "location": {"row": 3, "column": 20},
        "end_location": {"row": 3, "column": 36},
        "fix": {
            "applicability": "safe",
            "message": "Remove the softmax",
            "edits": [{"content": "logits", "location": {"row": 3, "column": 20},
                       "end_location": {"row": 3, "column": 36}}],
        },
        "url": "https://github.com/xentlint/xentlint/blob/main/rules/XL101.md",
        "cell": None,
        "noqa_row": 3,
    }
    assert unsafe["fix"]["applicability"] == "unsafe"
    assert (syntax["url"], syntax["fix"]) == (None, None)
    assert notebook["cell"] == 4


def test_json_without_findings_is_an_empty_array() -> None:
    assert json.loads(render("json", [], RenderOptions())) == []


# sarif


def sarif(diagnostics: list[Diagnostic]) -> dict:
    log = json.loads(render("sarif", diagnostics, RenderOptions(rules=RULES)))
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    validator.validate(log)
    return log


def test_schema_file_is_the_official_sarif_schema() -> None:
    assert SCHEMA["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0", "runs": [{"tool": {}}]}, SCHEMA)


def test_sarif_validates_and_describes_every_rule() -> None:
    log = sarif(ALL)
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "xentlint"
    assert driver["version"]
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert {"XL101", "XL201", "XL001", "XL002", "XL003", "XL004"} <= set(rules)
    assert rules["XL101"] == {
        "id": "XL101",
        "name": "softmax-into-logits-loss",
        "shortDescription": {"text": "Flags softmax-into-logits-loss."},
        "fullDescription": {"text": "**softmax-into-logits-loss** gives wrong losses.",
                            "markdown": "**softmax-into-logits-loss** gives wrong losses."},
        "help": {"text": "**softmax-into-logits-loss** gives wrong losses.",
                 "markdown": "**softmax-into-logits-loss** gives wrong losses."},
        "helpUri": "https://github.com/xentlint/xentlint/blob/main/rules/XL101.md",
    }
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "error"


def test_sarif_results_locate_findings_and_carry_fixes() -> None:
    results = sarif(ALL)["runs"][0]["results"]
    syntax, notebook, unsafe, safe = results
    location = safe["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/train.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 20, "endLine": 3, "endColumn": 36}
    assert safe["message"]["text"] == "`softmax` output passed to a loss expecting logits"
    (change,) = safe["fixes"][0]["artifactChanges"]
    assert change["replacements"] == [{"deletedRegion": location["region"], "insertedContent": {"text": "logits"}}]
    assert "fixes" not in syntax
    assert notebook["message"]["text"].startswith("cell 4:3:12: ")
    assert notebook["properties"] == {"cell": 4}
    assert notebook["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "endLine": 1}


def test_sarif_keeps_rule_descriptions_within_github_limits() -> None:
    paragraph = "Softmax outputs fed to a logits loss are squashed twice. " * 10
    long_rule = dummy_rule("XL102", "long-why")
    long_rule.why = "\n\n".join([paragraph.strip()] * 4)
    log = json.loads(render("sarif", [], RenderOptions(rules=(long_rule,))))
    descriptor = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert descriptor["fullDescription"]["markdown"] == paragraph.strip()
    assert len(descriptor["fullDescription"]["text"]) <= 1024
    assert descriptor["help"]["markdown"] == long_rule.why


def test_sarif_without_rules_or_findings_validates(in_tmp: Path) -> None:
    unknown = replace(SYNTAX, code="XL900", name="unused-noqa", filename=str(in_tmp / "a b.py"))
    outside = replace(SYNTAX, filename="/elsewhere/c.py")
    log = json.loads(render("sarif", [unknown, outside], RenderOptions(rules=())))
    jsonschema.validate(log, SCHEMA)
    first, second = log["runs"][0]["results"]
    assert "ruleIndex" not in second  # no descriptor for XL900
    assert first["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///elsewhere/c.py"}
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a%20b.py"
    jsonschema.validate(json.loads(render("sarif", [], RenderOptions())), SCHEMA)


# github


def test_github_workflow_commands() -> None:
    assert render("github", [SAFE, NOTEBOOK], RenderOptions()) == (
        # The notebook is not there to map its cell rows to file lines: line 1, as Ruff does.
        "::error title=xentlint (XL101),file=nb/explore.ipynb,line=1,endLine=1"
        "::cell 4:3:12: XL101 `softmax` output passed to a loss expecting logits\n"
        "::error title=xentlint (XL101),file=src/train.py,line=3,col=20,endLine=3,endColumn=36"
        "::XL101 `softmax` output passed to a loss expecting logits\n"
    )


def test_github_escapes_data_and_properties() -> None:
    odd = replace(SYNTAX, filename="dir:x/a,b%.py", message="100% bad\r\nline, two: three")
    assert render("github", [odd], RenderOptions()) == (
        "::error title=xentlint (XL001),file=dir%3Ax/a%2Cb%25.py,line=2,col=1,endLine=2,endColumn=1"
        "::XL001 100%25 bad%0D%0Aline, two: three\n"
    )


# junit


def test_junit_has_a_suite_per_file_and_a_failure_per_finding() -> None:
    risky = replace(SYNTAX, message='unexpected "<" & more')
    output = render("junit", [SAFE, UNSAFE, risky], RenderOptions())
    assert output.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    suites = ElementTree.fromstring(output)
    assert (suites.tag, suites.get("tests"), suites.get("failures")) == ("testsuites", "3", "3")
    assert [(suite.get("name"), suite.get("tests")) for suite in suites] == [("bad.py", "1"), ("src/train.py", "2")]
    case = suites[0][0]
    assert (case.get("name"), case.get("classname"), case.get("line")) == ("XL001 syntax-error (2:1)", "bad.py", "2")
    failure = case.find("failure")
    assert failure.get("message") == 'unexpected "<" & more'
    assert failure.text == 'bad.py:2:1: XL001 unexpected "<" & more'


def test_junit_without_findings_is_valid_xml() -> None:
    suites = ElementTree.fromstring(render("junit", [], RenderOptions()))
    assert (suites.get("tests"), len(suites)) == ("0", 0)


# every format


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_every_finding_kind(fmt: str) -> None:
    assert render(fmt, ALL, RenderOptions(rules=RULES)).endswith("\n")


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", [], RenderOptions())
