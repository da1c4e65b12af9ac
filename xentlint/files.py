"""Reading sources as Python does (PEP 263 cookie, BOM) and writing them back atomically."""
from __future__ import annotations

import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

# Larger files are reported and skipped: generated code this big is not where losses are written,
# and LibCST would take a minute over it (a file over `views.VIEW_CHARS` is analysed in views).
MAX_FILE_BYTES = 2 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"


class SourceError(Exception):
    """A file that cannot be read as Python source; the message says why."""


class FileTooLarge(SourceError):
    """A file over MAX_FILE_BYTES: skipped, and reported as such."""


@dataclass(frozen=True)
class SourceFile:
    text: str
    encoding: str
    bom: bool

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return _BOM + data if self.bom and not data.startswith(_BOM) else data


def decode(data: bytes) -> SourceFile:
    if b"\x00" in data:
        raise SourceError("file contains a null byte")
    bom = data.startswith(_BOM)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise SourceError(f"cannot detect encoding: {error}") from None
    if encoding == "utf-8-sig":
        encoding, data = "utf-8", data[len(_BOM):]
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"cannot decode as {encoding}: {error}") from None
    return SourceFile(text, encoding, bom)


def read_source(path: Path) -> SourceFile:
    try:
        status = path.stat()
        # Opening a FIFO would wait for a writer forever, and a device may never end: never open them.
        if not stat.S_ISREG(status.st_mode):
            raise SourceError("not a regular file; skipped")
        size = status.st_size
        if size > MAX_FILE_BYTES:
            raise FileTooLarge(f"file is {size / 1e6:.1f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB limit; skipped")
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}") from None
    return decode(data)


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename, keeping the file's mode. A symbolic
    link is written through: its target gets the new content and the link stays a link."""
    path = Path(os.path.realpath(path))
    mode = path.stat().st_mode & 0o7777
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".xentlint-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
