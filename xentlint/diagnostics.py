"""What a check produces: findings with positions and optional fixes, shared by every output."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional

DOCS_URL = "https://github.com/xentlint/xentlint/blob/main/rules/{code}.md"


class Applicability(str, enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


class FixAvailability(str, enum.Enum):
    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@dataclass(frozen=True, order=True)
class Location:
    """1-based row and column, as every output format and editor expects."""

    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    content: str
    location: Location
    end_location: Location


@dataclass(frozen=True)
class Fix:
    message: str
    applicability: Applicability
    edits: tuple[Edit, ...]

    def applies(self, unsafe: bool) -> bool:
        """Whether `fix` applies this fix: a safe one always, an unsafe one with `--unsafe-fixes`."""
        return unsafe or self.applicability is Applicability.SAFE


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    message: str
    filename: str
    location: Location
    end_location: Location
    fix: Optional[Fix] = None
    # In a notebook: the cell's number among all cells (Markdown included), from 1, as in Ruff;
    # the rows of `location`, `end_location` and the fix's edits then count within the cell.
    cell: Optional[int] = None
    # Fixes that were applied by `fix` are reported with this set (for --show-fixes).
    fixed: bool = field(default=False, compare=False)
    # A finding at a loss whose fix belongs in another module of the project: the finding to
    # report there, on the activation, when that module is checked in the same run.
    handoff: Optional["Handoff"] = field(default=None, compare=False)

    @property
    def url(self) -> Optional[str]:
        # XL0xx report problems with the file itself and have no rule page.
        return None if self.code.startswith("XL0") else DOCS_URL.format(code=self.code)

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self) -> tuple:
        return (self.filename, self.cell or 0, self.location, self.code)


@dataclass(frozen=True)
class Handoff:
    """A finding for another module, made by the check of the loss that the module's activation feeds."""

    module: str  # the activation's module (absolute path)
    key: str  # its content key, as the check read it: the rows and the fix's edits refer to that text
    diagnostic: Diagnostic  # on the activation, named by the module's path
    suppressed: bool = False  # a `noqa` on the activation's row suppresses it


# Findings about the file itself rather than its code: reported through every output like rules.
SYNTAX_ERROR = ("XL001", "syntax-error")
IO_ERROR = ("XL002", "io-error")
INTERNAL_ERROR = ("XL003", "internal-error")
FILE_TOO_LARGE = ("XL004", "file-too-large")


def file_diagnostic(kind: tuple[str, str], filename: str, message: str, row: int = 1, column: int = 1) -> Diagnostic:
    """A finding about the file itself (one of the kinds above), at a point."""
    location = Location(max(row, 1), max(column, 1))
    return Diagnostic(kind[0], kind[1], message, filename, location, location)
