"""JUnit XML for CI test reports: a test suite per file, a failing test case per finding."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from itertools import groupby
from typing import Sequence

from xentlint.diagnostics import Diagnostic
from xentlint.output.options import RenderOptions
from xentlint.output.paths import display_path, file_rows, place_in_file, position


def render(diagnostics: Sequence[Diagnostic], options: RenderOptions) -> str:
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    count = str(len(ordered))
    suites = ElementTree.Element("testsuites", name="xentlint", tests=count, failures=count, errors="0")
    for filename, group in groupby(ordered, key=lambda d: d.filename):
        findings = list(group)
        path = display_path(filename)
        size = str(len(findings))
        suite = ElementTree.SubElement(suites, "testsuite", name=path, tests=size, failures=size, errors="0")
        for diagnostic in findings:
            _add_case(suite, diagnostic, path)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


def _add_case(suite: ElementTree.Element, diagnostic: Diagnostic, path: str) -> None:
    case = ElementTree.SubElement(
        suite,
        "testcase",
        # Unique within the file, so report viewers do not merge repeated findings of one rule.
        name=f"{diagnostic.code} {diagnostic.name} ({place_in_file(diagnostic)})",
        classname=path,
        file=path,
        line=str(file_rows(diagnostic)[0]),  # in a notebook, the line of the .ipynb file
    )
    failure = ElementTree.SubElement(case, "failure", message=diagnostic.message, type=diagnostic.code)
    failure.text = f"{position(diagnostic)}: {diagnostic.code} {diagnostic.message}"
