"""Result cache: per file, keyed by its content, the xentlint version and code, and its settings.

Each project root keeps one index file (`.xentlint_cache/<version>/results.json`) mapping a
file's path to the key its results were computed under, so that a warm run reads one file, not
one per source. It is read once, and written once at the end of a run that computed something,
merged with whatever another run wrote meanwhile, through a temporary file and a rename:
concurrent runs may lose each other's newest entries (a later miss), never corrupt the index.
Anything unreadable or foreign is a miss and is rewritten.

Like git's index, an entry also keeps the file's size and modification time, taken before the
file was read: while they and the settings are unchanged, a warm run does not read the file at
all. A file modified within two seconds of its check gets no stamp (its time may not tell two
versions apart), so the content decides.

An entry also lists the project modules its result depended on (`xentlint.project`), each with
the key of what the check used of it (its content, or only the words and imports the pre-filter
read) and its stamp: the result holds while each is unchanged by its stamp, or else by that key.
The index lists each such module once; a module shared by many files is checked once per run.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Sequence

from xentlint import __version__
from xentlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Handoff, Location

CACHE_DIR_NAME = ".xentlint_cache"
INDEX_NAME = "results.json"
_FORMAT = 5
_RACY_NS = 2_000_000_000  # a modification this recent may not change the time the next one sees


Dependency = tuple[str, str, Optional[tuple[int, int]]]  # module path, key of what was used, stamp before


@dataclass(frozen=True)
class Stamp:
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str) -> "Stamp":
        status = os.stat(path)
        return cls(status.st_size, status.st_mtime_ns)


class Cache:
    """The cached results under one project root."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR_NAME / __version__
        self._entries: Optional[dict[str, Any]] = None  # read on first use
        self._updates: dict[str, list] = {}
        self._holding: dict[tuple[str, str, Optional[tuple[int, ...]]], bool] = {}  # dependencies checked this run

    @staticmethod
    def key(text: str, settings_key: str) -> str:
        digest = hashlib.sha256()
        for part in (str(_FORMAT), __version__, code_fingerprint(), settings_key, text):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, path: str, key: str) -> Optional[list[Diagnostic]]:
        """The findings stored for the file at `path` (absolute) if they were computed under `key`."""
        entry = self._entry(path)
        if entry is None or entry[0] != key or not self._dependencies_hold(entry[3]):
            return None
        return _diagnostics(entry[1])

    def get_unchanged(self, path: str, settings_key: str, stamp: Stamp) -> Optional[list[Diagnostic]]:
        """The findings stored for `path` if neither the file's stamp nor the settings changed."""
        entry = self._entry(path)
        if entry is None or entry[2] != [stamp.size, stamp.mtime_ns, _settings_hash(settings_key)] \
                or not self._dependencies_hold(entry[3]):
            return None
        return _diagnostics(entry[1])

    def may_hold(self, path: str, settings_key: str) -> bool:
        """Whether an entry for `path` was stored under these settings (else its content cannot
        match, and need not be read to find out)."""
        entry = self._entry(path)
        return entry is not None and isinstance(entry[2], list) and entry[2][2:] == [_settings_hash(settings_key)]

    def dependencies(self, path: str) -> list[Dependency]:
        """The project modules the stored result for `path` used, with their keys and stamps."""
        entry = self._entry(path)
        return [(module, key, tuple(stamp) if stamp else None) for module, key, stamp in entry[3]] \
            if entry is not None else []

    def put(self, path: str, key: str, diagnostics: list[Diagnostic], settings_key: str,
            stamp: Optional[Stamp], dependencies: Sequence[Dependency] = ()) -> None:
        """Store findings computed under `key`; `stamp` was taken before the file was read;
        `dependencies` are the project modules the check used, each with the key of what it used
        (`xentlint.project.current_key`) and its stamp from before it was read."""
        size, mtime_ns = (stamp.size, stamp.mtime_ns) if stamp is not None and trusted(stamp) else (None, None)
        recorded = [size, mtime_ns, _settings_hash(settings_key)]
        self._updates[path] = [key, [_record(d) for d in diagnostics], recorded,
                               [[module, module_key, list(module_stamp) if _trusted_pair(module_stamp) else None]
                                for module, module_key, module_stamp in dependencies]]

    def _dependencies_hold(self, dependencies: list) -> bool:
        """Every module a cached result used is as it was (each checked once per run: a module is
        the dependency of many files)."""
        for item in dependencies:
            try:
                path, key, stamp = item
                memo = (path, key, tuple(stamp) if stamp else None)
            except (ValueError, TypeError):
                return False
            if memo not in self._holding:
                self._holding[memo] = _holds(path, key, stamp)
            if not self._holding[memo]:
                return False
        return True

    def _entry(self, path: str) -> Optional[list]:
        if self._entries is None:
            self._entries = _read(self.folder / INDEX_NAME)
        entry = self._updates.get(path) or self._entries.get(path)
        return entry if isinstance(entry, list) and len(entry) == 4 and isinstance(entry[3], list) else None

    def save(self) -> None:
        """Write this run's new entries into the index (nothing to do when it had none)."""
        if not self._updates:
            return
        index = self.folder / INDEX_NAME
        # Re-read: another run may have written since. Files deleted since are dropped.
        entries = {path: entry for path, entry in _read(index).items() if os.path.exists(path)}
        entries.update(self._updates)
        temporary = index.with_name(f"{INDEX_NAME}.{os.getpid()}.tmp")
        try:
            ensure_root(self.folder.parent)
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(_document(entries)), encoding="utf-8")
            os.replace(temporary, index)
        except OSError:
            pass  # a read-only tree still lints, just without a cache
        finally:
            temporary.unlink(missing_ok=True)
        self._entries, self._updates = entries, {}


def trusted(stamp: Optional[Stamp]) -> bool:
    return stamp is not None and stamp.mtime_ns < time.time_ns() - _RACY_NS


def _trusted_pair(stamp: Optional[tuple[int, int]]) -> bool:
    """Whether a stamp can tell versions apart (see `trusted`)."""
    return stamp is not None and trusted(Stamp(*stamp))


def _holds(path: str, key: str, stamp: Optional[list]) -> bool:
    """A module a cached result used is as it was: by its stamp, or else by what was used of it."""
    try:
        now = Stamp.of(path)
    except OSError:
        return False
    if stamp == [now.size, now.mtime_ns]:
        return True
    from xentlint.project import current_key

    return current_key(path, like=key) == key


def _document(entries: dict[str, list]) -> dict[str, Any]:
    """The index as written: each module a result depended on is listed once (a package's modules
    are dependencies of most of its files), and entries name them by their place in that list."""
    modules: dict[tuple, int] = {}
    written = {}
    for path, (key, findings, stamp, dependencies) in entries.items():
        places = [modules.setdefault((module, module_key, tuple(module_stamp) if module_stamp else None), len(modules))
                  for module, module_key, module_stamp in dependencies]
        written[path] = [key, findings, stamp, places]
    return {"format": _FORMAT, "dependencies": list(modules), "entries": written}


def _read(index: Path) -> dict[str, Any]:
    try:
        data = json.loads(index.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("entries"), dict) \
            or not isinstance(data.get("dependencies"), list):
        return {}
    modules = [module if isinstance(module, list) and len(module) == 3 else None for module in data["dependencies"]]
    entries = {}
    for path, entry in data["entries"].items():
        try:
            dependencies = [modules[place] for place in entry[3]]
        except (TypeError, IndexError, KeyError):
            continue  # damaged: a miss
        if isinstance(entry, list) and None not in dependencies:
            entries[path] = [*entry[:3], dependencies]
    return entries


@lru_cache(maxsize=None)
def _settings_hash(settings_key: str) -> str:
    """What besides the content decides a file's findings: format, version, code and settings."""
    return Cache.key("", settings_key)


def _diagnostics(records: Any) -> Optional[list[Diagnostic]]:
    try:
        return [_diagnostic(item) for item in records]
    except (ValueError, KeyError, TypeError, IndexError):  # a foreign or damaged entry
        return None


@lru_cache(maxsize=None)
def code_fingerprint() -> str:
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


def ensure_root(root: Path) -> None:
    if not (root / ".gitignore").exists():
        root.mkdir(parents=True, exist_ok=True)
        (root / ".gitignore").write_text("# Automatically created by xentlint.\n*\n")


def _record(d: Diagnostic) -> dict:
    fix = None
    if d.fix is not None:
        fix = {"message": d.fix.message, "applicability": d.fix.applicability.value,
               "edits": [[e.content, e.location.row, e.location.column, e.end_location.row, e.end_location.column]
                         for e in d.fix.edits]}
    # A finding handed to the activation's module: that module's findings in a run depend on this
    # file's content through it (`xentlint.handoffs`), and this entry already depends on that module.
    handoff = None
    if d.handoff is not None:
        handoff = {"module": d.handoff.module, "key": d.handoff.key, "suppressed": d.handoff.suppressed,
                   "diagnostic": _record(d.handoff.diagnostic)}
    return {"code": d.code, "name": d.name, "message": d.message, "location": [d.location.row, d.location.column],
            "end": [d.end_location.row, d.end_location.column], "fix": fix, "cell": d.cell, "handoff": handoff}


def _diagnostic(item: dict) -> Diagnostic:
    fix = None
    if item["fix"] is not None:
        edits = tuple(Edit(content, Location(r1, c1), Location(r2, c2))
                      for content, r1, c1, r2, c2 in item["fix"]["edits"])
        fix = Fix(item["fix"]["message"], Applicability(item["fix"]["applicability"]), edits)
    handoff = None
    if item.get("handoff") is not None:
        handed = item["handoff"]
        handoff = Handoff(handed["module"], handed["key"], _diagnostic(handed["diagnostic"]), handed["suppressed"])
    return Diagnostic(item["code"], item["name"], item["message"], "", Location(*item["location"]),
                      Location(*item["end"]), fix, item["cell"], handoff=handoff)
