"""The names project modules export, shared by a pool's workers while the run lasts, so that each
is computed once in the run and not once in every worker that asks for it.

The run keeps a private folder (`shared_folder`), and each worker gets its path (`install`). The
first worker to ask for a name claims it, creating its claim file exclusively, computes it and
publishes it (a temporary file renamed into place); another that asks meanwhile waits for it, at
most `WAIT_SECONDS`, and then computes its own: two workers waiting on each other through an
import cycle, or on a worker that stopped, cannot hang the run. No process is started for it, and
where the folder cannot be used each worker computes for itself, as without a pool.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
import time
from typing import Any, Callable, Iterator, Optional

WAIT_SECONDS = 2.0
_POLL_SECONDS = 0.002

Key = tuple[str, str, str]  # a module's path, its content key, the name


class SharedNames:
    def __init__(self, folder: str) -> None:
        self._folder: Optional[str] = folder

    def value(self, key: Key, compute: Callable[[], Any]) -> tuple[Any, bool]:
        """The value of `key`, and whether this process computed it."""
        if self._folder is None:
            return compute(), True
        published = published_path(self._folder, key)
        try:
            os.close(os.open(published + ".claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:  # another worker computes it
            found = self._wait_for(published)
            return (found[0], False) if found else (compute(), True)
        except OSError:  # the folder is gone: the run goes on without it
            self._folder = None
            return compute(), True
        value = compute()
        with contextlib.suppress(OSError, pickle.PicklingError):
            with open(published + ".tmp", "wb") as file:
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(published + ".tmp", published)
        return value, True

    @staticmethod
    def _wait_for(published: str) -> Optional[tuple[Any]]:
        from xentlint.module_cache import safe_loads

        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                with open(published, "rb") as file:
                    return (safe_loads(file.read()),)
            except FileNotFoundError:
                time.sleep(_POLL_SECONDS)
            except Exception:  # unreadable: computed here instead
                return None
        return None


def published_path(folder: str, key: Key) -> str:
    """Where the value of `key` is published (its claim: the same path with `.claim`)."""
    return os.path.join(folder, hashlib.sha256(repr(key).encode("utf-8", "surrogatepass")).hexdigest())


@contextlib.contextmanager
def shared_folder() -> Iterator[Optional[str]]:
    """A private folder the pool's workers share, for as long as the block runs (None where none
    can be made)."""
    try:
        folder = tempfile.TemporaryDirectory(prefix="xentlint-names-")
    except OSError:
        yield None
        return
    with folder as path:
        yield path


def install(folder: Optional[str]) -> None:
    """A pool worker's initializer: its project summaries share the names the run computes."""
    from xentlint.project import project

    project().shared_names = SharedNames(folder) if folder is not None else None
