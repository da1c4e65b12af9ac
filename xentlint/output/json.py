"""A JSON array shaped like Ruff's `--output-format json`, plus each rule's `name`."""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Optional, Sequence

from xentlint.diagnostics import Diagnostic, Fix, Location
from xentlint.output.options import RenderOptions, statistics


def render(diagnostics: Sequence[Diagnostic], options: RenderOptions) -> str:
    if options.statistics:  # as Ruff: code, name, count and fixable_count per code
        rows = [asdict(row) for row in statistics(diagnostics, options)]
        return json.dumps(rows, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    findings = [_finding(d) for d in sorted(diagnostics, key=Diagnostic.sort_key)]
    return json.dumps(findings, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _location(location: Location) -> dict[str, int]:
    return {"row": location.row, "column": location.column}


def _fix(fix: Optional[Fix]) -> Optional[dict[str, Any]]:
    if fix is None:
        return None
    edits = [
        {"content": edit.content, "location": _location(edit.location), "end_location": _location(edit.end_location)}
        for edit in sorted(fix.edits, key=lambda edit: (edit.location, edit.end_location))
    ]
    return {"applicability": fix.applicability.value, "message": fix.message, "edits": edits}


def _finding(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "message": diagnostic.message,
        "filename": diagnostic.filename,
        "location": _location(diagnostic.location),
        "end_location": _location(diagnostic.end_location),
        "fix": _fix(diagnostic.fix),
        "url": diagnostic.url,
        "cell": diagnostic.cell,
        # `# noqa` comments are read on the line where a finding starts.
        "noqa_row": diagnostic.location.row,
    }
