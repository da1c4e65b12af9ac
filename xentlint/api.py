"""Checking and fixing sources and files: the one API under the CLI, the editors and the tests."""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Sequence

from xentlint.cache import Cache, Dependency, Stamp
from xentlint.module_cache import ModuleStore
from xentlint.diagnostics import (
    FILE_TOO_LARGE,
    INTERNAL_ERROR,
    IO_ERROR,
    Diagnostic,
    file_diagnostic,
)
from xentlint.files import (
    MAX_FILE_BYTES,
    FileTooLarge,
    SourceError,
    SourceFile,
    decode,
    read_source,
    write_atomic,
)

if TYPE_CHECKING:
    from xentlint.config import SettingsResolver
    from xentlint.engine import FixResult
    from xentlint.project import Facts
    from xentlint.verification import FixCheck

# The pre-filter, the engine (and LibCST under it) and the process pool are imported on first
# use: a run answered from the cache, or on files the pre-filter skips, never pays for what it
# does not use.
NOTEBOOK_SUFFIX = ".ipynb"

# A process pool costs about a tenth of a second to start: it pays for this many files, or for
# fewer that are heavy together (a pre-commit run on a few large loss modules parses ~1 MB/s).
_POOL_THRESHOLD = 16
_POOL_BYTES = 128 * 1024

# Called by `run` with (files done, files to do): once with 0 before the first file is processed
# (the cache has answered what it could), then after each file.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class FileTask:
    path: Optional[Path]  # None for stdin
    display: str  # the name used in messages
    codes: frozenset[str]
    fix: bool = False
    unsafe: bool = False
    write: bool = False  # fix: write the result back (otherwise only report/diff)
    cache_dir: Optional[Path] = None
    settings_key: str = ""
    stdin: Optional[bytes] = None
    verify: bool = False  # fix: check each fix numerically first and skip those whose check fails
    source_roots: Optional[tuple[str, ...]] = None  # the settings' `src` (None: the project root and its `src`)

    @property
    def is_notebook(self) -> bool:
        return (self.path or Path(self.display)).suffix == NOTEBOOK_SUFFIX


@dataclass
class FileReport:
    display: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fixed: list[Diagnostic] = field(default_factory=list)
    original: Optional[str] = None
    fixed_source: Optional[str] = None  # set when fixing changed the source
    checks: list[FixCheck] = field(default_factory=list)  # fix --verify: per applied or refused fix
    found: Optional[int] = None  # fix: how many findings `check` reports on the file before fixing
    cache_key: Optional[str] = None  # set by a check that may be cached
    # The project modules the check used (`xentlint.project`), with the keys of what it used and
    # their stamps from before they were read.
    dependencies: tuple[Dependency, ...] = ()
    # What the process learnt of project modules meanwhile (`project.Facts`), for the module cache.
    modules: list[tuple[str, tuple[int, int], Facts]] = field(default_factory=list)

    def diff(self) -> str:
        if self.fixed_source is None or self.original is None:
            return ""
        return "".join(difflib.unified_diff(
            self.original.splitlines(keepends=True), self.fixed_source.splitlines(keepends=True),
            fromfile=f"a/{self.display}", tofile=f"b/{self.display}"))


def check_source(source: str, filename: str, codes: frozenset[str]) -> list[Diagnostic]:
    from xentlint import prefilter

    if not prefilter.needs_parse(codes, source, filename):
        return prefilter.syntax_errors(source, filename)
    from xentlint import engine

    return engine.lint_source(source, filename, codes).diagnostics


def check_with_dependencies(source: str, filename: str, codes: frozenset[str],
                            source_roots: Optional[tuple[str, ...]] = None) -> tuple[list[Diagnostic], frozenset[str]]:
    """`check_source`, and the project modules whose summaries the check read (for an editor to
    re-check the file when one of them is saved); `source_roots` are the settings' `src`."""
    from xentlint.project import project

    project().source_roots = source_roots
    project().forget_files()
    used = project().used
    used.clear()
    findings = check_source(source, filename, codes)
    return findings, frozenset(used)


def fix_source(source: str, filename: str, codes: frozenset[str], unsafe: bool = False) -> FixResult:
    from xentlint import engine

    return engine.fix_source(source, filename, codes, unsafe)


def process(task: FileTask) -> FileReport:
    """Check or fix one file; every failure becomes a finding on that file, never an exception."""
    try:
        return _process(task)
    except Exception as error:  # the run goes on over the other files
        message = f"internal error: {type(error).__name__}: {error}"
        return FileReport(task.display, [file_diagnostic(INTERNAL_ERROR, task.display, message)])


def _process(task: FileTask) -> FileReport:
    from xentlint.project import project

    status = _stat(task.path) if task.stdin is None else None
    path = os.path.abspath(task.path) if task.path is not None else ""
    stamp = (status.st_size, status.st_mtime_ns) if status is not None else None
    # A module another file's summary read in this process is not read again, and the other way round.
    known = project().source(path, stamp) if stamp is not None else None
    try:
        source = known or (decode(task.stdin) if task.stdin is not None else read_source(task.path))
    except SourceError as error:
        kind = FILE_TOO_LARGE if isinstance(error, FileTooLarge) else IO_ERROR
        return FileReport(task.display, [file_diagnostic(kind, task.display, str(error))])
    if stamp is not None and known is None:
        project().remember(path, stamp, source)

    # Names imported from the project's modules are resolved from the file's own folder, and the
    # modules read are recorded for the cache.
    used = project().used
    used.clear()
    project().checking = (task.display, os.path.abspath(task.path)) if task.path is not None else None
    project().source_roots = task.source_roots
    project().store = _module_store(task.cache_dir)
    try:
        if task.fix:
            return _fix(task, source)
        report = FileReport(task.display, _check(task, source.text))
    finally:
        project().checking = None
    report.dependencies = tuple(sorted((module, key, stamp) for module, (key, stamp) in used.items()))
    report.modules = project().take_fresh() if task.cache_dir is not None else []
    if task.cache_dir is not None:  # the key of the text checked, which `run` stores the findings under
        report.cache_key = Cache.key(source.text, task.settings_key)
    return report


_MODULE_STORES: dict[Path, ModuleStore] = {}  # by project root, for the process: a pool's workers inherit them


def _module_store(cache_dir: Optional[Path]) -> Optional[ModuleStore]:
    """The module cache of a project root (`xentlint.module_cache`)."""
    return _MODULE_STORES.setdefault(cache_dir, ModuleStore(cache_dir)) if cache_dir is not None else None


def _check(task: FileTask, text: str) -> list[Diagnostic]:
    if task.is_notebook:
        from xentlint.notebook import check_notebook

        return check_notebook(text, task.display, task.codes)
    return check_source(text, task.display, task.codes)


def _from_cache(task: FileTask, caches: dict[Path, Cache]) -> tuple[Optional[FileReport], Optional[Stamp]]:
    """The cached report of a check, or None (a miss, a fix, or a file that cannot be read), and
    the file's stamp, taken before anything reads it."""
    if task.fix or task.cache_dir is None or task.path is None:
        return None, None
    path = os.path.abspath(task.path)
    cache = caches.setdefault(task.cache_dir, Cache(task.cache_dir))
    try:
        stamp = Stamp.of(path)
        cached = cache.get_unchanged(path, task.settings_key, stamp)
        if cached is None and cache.may_hold(path, task.settings_key):  # touched: the content decides
            from xentlint.project import project

            source = read_source(task.path)
            project().remember(path, (stamp.size, stamp.mtime_ns), source)  # not read again to check it
            key = cache.key(source.text, task.settings_key)
            cached = cache.get(path, key)
            if cached is not None:
                # next time, without reading
                cache.put(path, key, cached, task.settings_key, stamp, cache.dependencies(path))
    except (OSError, SourceError):
        return None, None
    if cached is None:
        return None, stamp
    return FileReport(task.display, [replace(d, filename=task.display) for d in cached]), stamp


def _fix(task: FileTask, source: SourceFile) -> FileReport:
    result, checks = _fixed(task, source.text)
    report = FileReport(task.display, list(result.remaining), list(result.fixed), original=source.text,
                        checks=checks)
    if result.error is not None:
        report.found = len(result.remaining)
        report.diagnostics.append(file_diagnostic(INTERNAL_ERROR, task.display, result.error))
        return report
    if result.source == source.text:
        report.found = len(result.remaining)
        return report
    # Counted as `check` counts them: one fix may resolve several findings (XL303's fix removes the
    # XL301 inside it), so the number of fixes applied is not the number of findings fixed.
    before = _check(task, source.text)
    report.found = len(before)
    report.fixed_source = result.source
    if task.write and task.path is not None:
        try:
            write_atomic(task.path, source.encode(result.source))
        except OSError as error:  # nothing was fixed: what `check` found remains
            report.diagnostics = [*before, file_diagnostic(IO_ERROR, task.display, f"cannot write: {error}")]
            report.fixed = []
    return report


def _fixed(task: FileTask, text: str) -> tuple[FixResult, list[FixCheck]]:
    """The fixes applied to `text`; with `verify`, the check of each (NumPy is imported only then)."""
    if task.verify and not task.is_notebook:
        from xentlint.verification import fix_verified

        return fix_verified(text, task.display, task.codes, task.unsafe)
    if task.is_notebook:
        from xentlint.notebook import fix_notebook as fix
    else:
        fix = fix_source
    result = fix(text, task.display, task.codes, task.unsafe)
    if not task.verify:
        return result, []
    from xentlint.verification import unverified

    # `notebook.fix_notebook` has its own fix filter (one cell per fix) and takes no other.
    return result, [unverified(d, "fixes in notebooks are not checked") for d in result.fixed]


def run(tasks: Sequence[FileTask], jobs: int, progress: Optional[Progress] = None) -> list[FileReport]:
    """Process files, in a pool when it pays; results come back in the order of `tasks`.

    Cache hits are answered here, without starting a pool; the rest go largest first, so that
    one big file does not finish alone at the end of a run, to a pool when there are many or
    they are heavy together. New results are cached at the end.
    `progress` hears how many of the files not answered by the cache are done.
    """
    caches: dict[Path, Cache] = {}
    looked_up = [_from_cache(task, caches) for task in tasks]
    reports: list[Optional[FileReport]] = [report for report, _ in looked_up]
    sizes = {index: _size(tasks[index]) for index, report in enumerate(reports) if report is None}
    pending = sorted(sizes, key=sizes.__getitem__, reverse=True)
    heavy = len(pending) > 1 and sum(sizes.values()) >= _POOL_BYTES
    report_progress = progress or (lambda done, total: None)
    report_progress(0, len(pending))
    stores = {task.cache_dir: _module_store(task.cache_dir) for task in map(tasks.__getitem__, pending)
              if task.cache_dir is not None}
    for store in stores.values():
        store.load()  # once, before a pool forks: its workers then share it
    if jobs <= 1 or not (heavy or len(pending) >= _POOL_THRESHOLD):
        done = []
        for index in pending:
            done.append(process(tasks[index]))
            report_progress(len(done), len(pending))
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        from xentlint import shared_names

        # Names of project modules, computed once in the run (`xentlint.shared_names`).
        with shared_names.shared_folder() as folder, ProcessPoolExecutor(
                max_workers=jobs, initializer=shared_names.install, initargs=(folder,)) as pool:
            # One file per hand-out: two large files must not queue behind each other on one worker.
            futures = [pool.submit(process, tasks[index]) for index in pending]
            for finished, _ in enumerate(as_completed(futures), start=1):
                report_progress(finished, len(pending))
            done = [future.result() for future in futures]
    for index, report in zip(pending, done):
        reports[index] = report
        task = tasks[index]
        for path, stamp, facts in report.modules:
            stores[task.cache_dir].put(path, stamp, facts)
        if report.cache_key is not None and task.cache_dir is not None and task.path is not None:
            cache = caches.setdefault(task.cache_dir, Cache(task.cache_dir))
            cache.put(os.path.abspath(task.path), report.cache_key, report.diagnostics, task.settings_key,
                      looked_up[index][1], report.dependencies)
    for cache in caches.values():
        cache.save()
    for store in stores.values():
        store.save()
    finished = [report for report in reports if report is not None]
    # Findings at losses whose fix is in another module of the run: reported (and fixed) there,
    # after the cache took each file's own result (`xentlint.handoffs`).
    if any(d.handoff is not None for report in finished for d in report.diagnostics):
        from xentlint.handoffs import deliver

        deliver(tasks, finished, _fixed)
    return finished


def _stat(path: Optional[Path]) -> Optional[os.stat_result]:
    try:
        return os.stat(path) if path is not None else None
    except OSError:
        return None


def _size(task: FileTask) -> int:
    try:
        return task.path.stat().st_size if task.path is not None else 0
    except OSError:
        return 0


def tasks(paths: Sequence[str], resolver: SettingsResolver, *, fix: bool = False, write: bool = False,
          verify: bool = False, no_cache: bool = False, stdin: Optional[bytes] = None,
          stdin_filename: Optional[str] = None, force_exclude: bool = False) -> tuple[list[FileTask], list[Diagnostic]]:
    """The files that `paths` name (`-`: `stdin`, named `stdin_filename`), each with its settings,
    and a finding for each path that does not exist."""
    from xentlint.discovery import discover

    found_tasks: list[FileTask] = []
    missing: list[Diagnostic] = []
    if "-" in paths:
        display = stdin_filename or "-"
        settings = resolver.for_path(Path(display).resolve())
        if force_exclude and stdin_filename and settings.is_excluded(Path(display).resolve(), is_dir=False):
            return found_tasks, missing
        found_tasks.append(FileTask(None, display, settings.codes_for(Path(display).resolve()), fix=fix,
                                    unsafe=settings.unsafe_fixes, stdin=stdin or b"", verify=verify,
                                    source_roots=settings.source_roots))
        paths = [p for p in paths if p != "-"]
        if not paths:
            return found_tasks, missing
    found = discover(paths, resolver, force_exclude)
    for name in found.missing:
        missing.append(file_diagnostic(IO_ERROR, name, "no such file or directory"))
    here = os.path.join(os.path.realpath(os.getcwd()), "")
    for path in found.files:
        settings = resolver.for_folder(Path(os.path.abspath(path)).parent)
        codes = settings.codes_for(path)
        cache_dir = None if no_cache or fix else settings.root
        found_tasks.append(FileTask(path, _display(path, found.real[path], here), codes, fix=fix,
                                    unsafe=settings.unsafe_fixes, write=write, verify=verify, cache_dir=cache_dir,
                                    settings_key=settings.fingerprint() + ",".join(sorted(codes)),
                                    source_roots=settings.source_roots))
    return found_tasks, missing


def _display(path: Path, real: str, here: str) -> str:
    """Relative to the working folder `here` (real, ending in a separator) when inside it."""
    if real.startswith(here):
        return real[len(here):].replace(os.sep, "/")
    return path.as_posix()


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


__all__ = ["FileTask", "FileReport", "Progress", "check_source", "fix_source", "process", "run", "tasks",
           "default_jobs", "MAX_FILE_BYTES"]
