"""Suppression comments: `# noqa`, `# noqa: XL101, XL2`, and file-wide `# xentlint: noqa[: codes]`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from xentlint import tokens

# Reported by the engine from the suppressions themselves, not by a rule's detector.
UNUSED_NOQA = ("XL900", "unused-noqa")

_LINE = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_FILE = re.compile(r"#\s*xentlint:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*))?", re.IGNORECASE)
_SPLIT = re.compile(r"[\s,]+")


@dataclass
class LineSuppression:
    row: int
    column: int  # 1-based column of the comment
    codes: Optional[tuple[str, ...]]  # None: every code
    used: set[str] = field(default_factory=set)

    def suppresses(self, code: str) -> bool:
        return self.codes is None or any(code.startswith(prefix) for prefix in self.codes)


@dataclass
class Suppressions:
    lines: dict[int, LineSuppression]
    file_codes: Optional[tuple[str, ...]]  # () when there is no file-level comment
    file_all: bool

    def suppressed(self, code: str, row: int) -> bool:
        if self.file_all or any(code.startswith(prefix) for prefix in self.file_codes or ()):
            return True
        line = self.lines.get(row)
        if line is not None and line.suppresses(code):
            line.used.add(code)
            return True
        return False

    def unused(self) -> list[tuple[LineSuppression, tuple[str, ...]]]:
        """Suppressions naming xentlint codes that suppressed none of them."""
        result = []
        for line in self.lines.values():
            if line.codes is None:
                continue
            ours = tuple(code for code in line.codes if code.startswith("XL"))
            unused = tuple(code for code in ours if not any(used.startswith(code) for used in line.used))
            if unused:
                result.append((line, unused))
        return result


def unused_message(codes: Sequence[str]) -> str:
    return f"Unused `noqa` directive (unused: {', '.join(codes)})"


def parse_suppressions(source: str) -> Suppressions:
    lines: dict[int, LineSuppression] = {}
    file_codes: list[str] = []
    file_all = False
    if "noqa" not in source.lower():
        return Suppressions(lines, (), False)
    scanned = tokens.scan(source)
    for comment in scanned.comments if scanned is not None else ():
        file_match = _FILE.search(comment.text)
        if file_match:
            if file_match.group("codes"):
                file_codes.extend(_codes(file_match.group("codes")))
            else:
                file_all = True
            continue
        match = _LINE.search(comment.text)
        if match:
            codes = tuple(_codes(match.group("codes"))) if match.group("codes") else None
            lines[comment.row] = LineSuppression(comment.row, comment.column + 1 + match.start(), codes)
    return Suppressions(lines, tuple(file_codes), file_all)


def _codes(text: str) -> list[str]:
    return [code.upper() for code in _SPLIT.split(text.strip()) if code]
