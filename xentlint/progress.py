"""A progress bar on stderr for long runs in a terminal: files done / total and the time elapsed.

Shown only where a person watches (stderr is a terminal, not CI) and only when the run is long:
at about 60 files a second cold on two cores, `MIN_FILES` files the cache cannot answer take a
second or more. It writes nothing else, so findings and stdout are the same with and without it.
"""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator, Optional

import click

from xentlint.api import Progress

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

MIN_FILES = 100


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def wanted(*, quiet: bool, output_format: str, reads_stdin: bool) -> bool:
    """A bar for a person reading text findings; never for machine formats, stdin or CI logs."""
    return (output_format == "text" and not quiet and not reads_stdin and not in_ci()
            and sys.stderr.isatty())


class _Bar:
    """The `api.Progress` callback: opens the bar once it knows the run is long, then advances it."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._start = time.monotonic()
        self._bar: Optional[ProgressBar[str]] = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if total < MIN_FILES:
                return
            self._bar = click.progressbar(length=total, label=self._label, file=sys.stderr, show_pos=True,
                                          show_eta=False, item_show_func=lambda elapsed: elapsed)
        self._bar.update(done - self._bar.pos, f"{time.monotonic() - self._start:.0f} s")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.render_finish()


@contextmanager
def progress_bar(enabled: bool, label: str) -> Iterator[Optional[Progress]]:
    """The callback to pass to `api.run` (None when no bar is wanted); the bar ends with the block."""
    if not enabled:
        yield None
        return
    bar = _Bar(label)
    try:
        yield bar
    finally:
        bar.close()
