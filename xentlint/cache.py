"""Per-file result cache keyed by content, xentlint version and the settings that apply.

Entries are small JSON files written atomically (temporary file + rename), so concurrent runs
never see a half-written entry; anything unreadable or foreign is a miss and is rewritten.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Optional

from xentlint import __version__
from xentlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location

CACHE_DIR_NAME = ".xentlint_cache"
_FORMAT = 1


class Cache:
    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR_NAME / __version__

    def key(self, text: str, settings_key: str) -> str:
        digest = hashlib.sha256()
        for part in (str(_FORMAT), __version__, _code_fingerprint(), settings_key, text):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, key: str) -> Optional[list[Diagnostic]]:
        try:
            data = json.loads((self.folder / key[:2] / f"{key}.json").read_text("utf-8"))
            if data.get("key") != key:
                return None
            return [_diagnostic(item) for item in data["diagnostics"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, diagnostics: list[Diagnostic]) -> None:
        folder = self.folder / key[:2]
        try:
            _ensure_root(self.folder.parent)
            folder.mkdir(parents=True, exist_ok=True)
            payload = json.dumps({"key": key, "diagnostics": [_record(d) for d in diagnostics]})
            fd, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(temporary, folder / f"{key}.json")
        except OSError:
            pass  # a read-only tree still lints, just without a cache


@lru_cache(maxsize=None)
def _code_fingerprint() -> str:
    """Sizes and times of xentlint's own modules: an edited checkout never reads stale results."""
    package = Path(__file__).resolve().parent
    stats = sorted((str(p.relative_to(package)), p.stat().st_size, p.stat().st_mtime_ns)
                   for p in package.rglob("*.py"))
    return hashlib.sha256(repr(stats).encode()).hexdigest()


def clean(root: Path) -> bool:
    folder = root / CACHE_DIR_NAME
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True


def _ensure_root(root: Path) -> None:
    if not (root / ".gitignore").exists():
        root.mkdir(parents=True, exist_ok=True)
        (root / ".gitignore").write_text("# Automatically created by xentlint.\n*\n")


def _record(d: Diagnostic) -> dict:
    fix = None
    if d.fix is not None:
        fix = {"message": d.fix.message, "applicability": d.fix.applicability.value,
               "edits": [[e.content, e.location.row, e.location.column, e.end_location.row, e.end_location.column]
                         for e in d.fix.edits]}
    return {"code": d.code, "name": d.name, "message": d.message, "location": [d.location.row, d.location.column],
            "end": [d.end_location.row, d.end_location.column], "fix": fix, "cell": d.cell}


def _diagnostic(item: dict) -> Diagnostic:
    fix = None
    if item["fix"] is not None:
        edits = tuple(Edit(content, Location(r1, c1), Location(r2, c2))
                      for content, r1, c1, r2, c2 in item["fix"]["edits"])
        fix = Fix(item["fix"]["message"], Applicability(item["fix"]["applicability"]), edits)
    return Diagnostic(item["code"], item["name"], item["message"], "", Location(*item["location"]),
                      Location(*item["end"]), fix, item["cell"])
