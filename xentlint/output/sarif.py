"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence
from urllib.parse import quote

from xentlint import registry
from xentlint.diagnostics import (
    FILE_TOO_LARGE,
    INTERNAL_ERROR,
    IO_ERROR,
    SYNTAX_ERROR,
    Diagnostic,
    Fix,
    Location,
)
from xentlint.output.options import RenderOptions
from xentlint.output.paths import display_path, file_rows, with_place_in_cell

if TYPE_CHECKING:
    from xentlint.rule import Rule

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/xentlint/xentlint"
# GitHub code scanning documents this limit for rule descriptions; `help` keeps the whole text.
DESCRIPTION_LIMIT = 1024
# Relative artifact URIs resolve against the folder xentlint ran in.
SOURCE_ROOT = "%SRCROOT%"
# Findings about the file itself have no rule class, but code scanning shows a description for them too.
FILE_CODE_SUMMARIES = {
    SYNTAX_ERROR: "The file cannot be parsed, so it was not checked.",
    IO_ERROR: "The file cannot be read, so it was not checked.",
    INTERNAL_ERROR: "xentlint failed while checking the file; please report it.",
    FILE_TOO_LARGE: "The file is too large to check.",
}


def render(diagnostics: Sequence[Diagnostic], options: RenderOptions) -> str:
    rules = options.rules if options.rules is not None else registry.all_rules()
    descriptors = [_rule_descriptor(rule) for rule in rules]
    descriptors += [{"id": code, "name": name, "shortDescription": {"text": summary}}
                    for (code, name), summary in FILE_CODE_SUMMARIES.items()]
    rule_index = {descriptor["id"]: index for index, descriptor in enumerate(descriptors)}
    driver = {"name": "xentlint", "version": _version(), "informationUri": INFORMATION_URI, "rules": descriptors}
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SOURCE_ROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
        # LibCST columns count code points, not the UTF-16 units SARIF assumes by default.
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, rule_index) for d in sorted(diagnostics, key=Diagnostic.sort_key)],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("xentlint")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def _rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    description = _clip(rule.why)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": description, "markdown": description},
        "help": {"text": rule.why, "markdown": rule.why},
        "helpUri": rule.url(),
    }


def _clip(markdown: str) -> str:
    """Whole paragraphs within code scanning's 1,024-character limit on descriptions."""
    if len(markdown) <= DESCRIPTION_LIMIT:
        return markdown
    kept = ""
    for paragraph in markdown.split("\n\n"):
        longer = f"{kept}\n\n{paragraph}" if kept else paragraph
        if len(longer) > DESCRIPTION_LIMIT:
            break
        kept = longer
    return kept or markdown[: DESCRIPTION_LIMIT - 1].rstrip() + "…"


def _result(diagnostic: Diagnostic, rule_index: dict[str, int]) -> dict[str, Any]:
    artifact = _artifact_location(diagnostic.filename)
    result: dict[str, Any] = {"ruleId": diagnostic.code}
    if diagnostic.code in rule_index:
        result["ruleIndex"] = rule_index[diagnostic.code]
    result.update({
        "level": "error",
        "message": {"text": with_place_in_cell(diagnostic, diagnostic.message)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": _region_in_file(diagnostic),
            }
        }],
    })
    if diagnostic.fix is not None and diagnostic.cell is None:  # a notebook fix's rows count within its cell
        result["fixes"] = [_fix(diagnostic.fix, artifact)]
    if diagnostic.cell is not None:
        result["properties"] = {"cell": diagnostic.cell}
    return result


def _artifact_location(filename: str) -> dict[str, str]:
    path = display_path(filename)
    if os.path.isabs(path):  # outside the working directory
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": SOURCE_ROOT}


def _region_in_file(diagnostic: Diagnostic) -> dict[str, int]:
    """A notebook finding's region is the lines of the `.ipynb` file holding it, without columns."""
    if diagnostic.cell is None:
        return _region(diagnostic.location, diagnostic.end_location)
    start_line, end_line = file_rows(diagnostic)
    return {"startLine": start_line, "endLine": end_line}


def _region(start: Location, end: Location) -> dict[str, int]:
    # Both xentlint and SARIF count from 1 and end one past the last character.
    return {"startLine": start.row, "startColumn": start.column, "endLine": end.row, "endColumn": end.column}


def _fix(fix: Fix, artifact: dict[str, str]) -> dict[str, Any]:
    replacements = [
        {"deletedRegion": _region(edit.location, edit.end_location), "insertedContent": {"text": edit.content}}
        for edit in fix.edits
    ]
    return {
        "description": {"text": fix.message},
        "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}],
        "properties": {"applicability": fix.applicability.value},
    }
