"""The names project modules export, shared by a pool's workers while the run lasts, so that each
is computed once in the run and not once in every worker that asks for it.

The parent starts a manager process holding one dict before the pool, and each worker reaches it
through a proxy (`install`). The first worker to ask for a name claims it, computes it and
publishes it; another that asks meanwhile waits for it, at most `WAIT_SECONDS`, and then computes
its own: two workers waiting on each other through an import cycle cannot hang the run. If the
manager goes away, each worker computes for itself, as without a pool.
"""
from __future__ import annotations

import contextlib
import os
import time
from typing import Any, Callable, Iterator, MutableMapping, Optional

WAIT_SECONDS = 2.0
_POLL_SECONDS = 0.002
_PENDING, _DONE = "pending", "done"

Key = tuple[str, str, str]  # a module's path, its content key, the name


class SharedNames:
    def __init__(self, table: MutableMapping[Key, tuple[str, Any]]) -> None:
        self._table: Optional[MutableMapping[Key, tuple[str, Any]]] = table

    def value(self, key: Key, compute: Callable[[], Any]) -> tuple[Any, bool]:
        """The value of `key`, and whether this process computed it."""
        if self._table is None:
            return compute(), True
        claim = (_PENDING, os.getpid())
        try:
            found = self._table.setdefault(key, claim)
            deadline = time.monotonic() + WAIT_SECONDS
            while found[0] == _PENDING and found != claim and time.monotonic() < deadline:
                time.sleep(_POLL_SECONDS)
                found = self._table.get(key, claim)
        except (OSError, EOFError):  # the manager is gone: the run goes on without it
            self._table = None
            return compute(), True
        if found[0] == _DONE:
            return found[1], False
        value = compute()
        with contextlib.suppress(OSError, EOFError):
            self._table[key] = (_DONE, value)
        return value, True


@contextlib.contextmanager
def shared_table() -> Iterator[Optional[MutableMapping[Key, tuple[str, Any]]]]:
    """A dict the pool's workers share, for as long as the block runs; None where no manager
    process can be started (each worker then computes what it asks for, as before)."""
    from multiprocessing import Manager

    try:
        manager = Manager()
    except (OSError, EOFError):
        yield None
        return
    with manager:
        yield manager.dict()


def install(table: Optional[MutableMapping[Key, tuple[str, Any]]]) -> None:
    """A pool worker's initializer: its project summaries share the names the run computes."""
    from xentlint.project import project

    project().shared_names = SharedNames(table) if table is not None else None
