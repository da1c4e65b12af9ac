"""What runs learnt of the project's modules (`xentlint.project.Facts`: content key, the words the
pre-filter reads, imports, summary and the names exported so far), kept beside the result cache.

One file per project root (`.xentlint_cache/<version>/modules.pickle`), read once per process
when a check first needs a module, written at the end of a run that learnt something, merged
with what another run wrote meanwhile, through a temporary file and a rename. An entry is used
while the module's size and time are those recorded (so a module is not read at all), or else
when its content is. Entries of another xentlint code or format are dropped.

The file is a pickle read with an unpickler that builds only xentlint's own classes and plain
containers: a planted cache file cannot run code.
"""
from __future__ import annotations

import dataclasses
import enum
import io
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from xentlint import __version__
from xentlint.cache import CACHE_DIR_NAME, Stamp, code_fingerprint, ensure_root, trusted

if TYPE_CHECKING:
    from xentlint.project import Facts

MODULES_NAME = "modules.pickle"
_FORMAT = 1
_SAFE_BUILTINS = frozenset({("builtins", "frozenset"), ("builtins", "set")})

Entry = tuple[str, Optional[tuple[int, int]], "Facts"]  # content key, trusted stamp, facts


class ModuleStore:
    """The facts kept for the modules under one project root."""

    def __init__(self, root: Path) -> None:
        self.file = root / CACHE_DIR_NAME / __version__ / MODULES_NAME
        self._entries: Optional[dict[str, Entry]] = None  # read on first use
        self._updates: dict[str, Entry] = {}

    def load(self) -> None:
        if self._entries is None:
            self._entries = _read(self.file)

    def get(self, path: str, stamp: tuple[int, int], key: Optional[str] = None) -> Optional[Facts]:
        """The facts kept for `path` (absolute), if recorded at this stamp, or for this content."""
        self.load()
        assert self._entries is not None
        entry = self._updates.get(path) or self._entries.get(path)
        if entry is None:
            return None
        entry_key, entry_stamp, facts = entry
        return facts if entry_stamp == stamp or entry_key == key else None

    def put(self, path: str, stamp: tuple[int, int], facts: Facts) -> None:
        """Keep `facts` of `path`, whose stamp was taken before the read that gave them; what an
        earlier copy of the same content knew is merged in (another process may have exported
        other names of it)."""
        self.load()
        assert self._entries is not None
        older = self._updates.get(path) or self._entries.get(path)
        if older is not None:
            facts.absorb(older[2])
        self._updates[path] = (facts.key, stamp if trusted(Stamp(*stamp)) else None, facts)

    def save(self) -> None:
        if not self._updates:
            return
        entries = {path: entry for path, entry in _read(self.file).items() if os.path.exists(path)}
        for path, entry in self._updates.items():
            older = entries.get(path)
            if older is not None:
                entry[2].absorb(older[2])
            entries[path] = entry
        temporary = self.file.with_name(f"{MODULES_NAME}.{os.getpid()}.tmp")
        try:
            ensure_root(self.file.parent.parent)
            self.file.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as output:
                pickle.dump((_FORMAT, code_fingerprint(), entries), output, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.file)
        except (OSError, pickle.PicklingError):
            pass  # a read-only tree still lints, just without this cache
        finally:
            temporary.unlink(missing_ok=True)
        self._entries, self._updates = entries, {}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _SAFE_BUILTINS:
            return super().find_class(module, name)
        if module.startswith("xentlint."):
            found = super().find_class(module, name)
            if isinstance(found, type) and (dataclasses.is_dataclass(found) or issubclass(found, enum.Enum)):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not one of xentlint's data classes")


def safe_loads(data: bytes) -> Any:
    """Unpickle `data`, building only xentlint's data classes, enums and plain containers."""
    return _Unpickler(io.BytesIO(data)).load()


def _read(file: Path) -> dict[str, Entry]:
    try:
        data = safe_loads(file.read_bytes())
    except Exception:  # missing, damaged, foreign, or of classes renamed since: a miss
        return {}
    if not (isinstance(data, tuple) and len(data) == 3 and data[:2] == (_FORMAT, code_fingerprint())
            and isinstance(data[2], dict)):
        return {}
    return data[2]
