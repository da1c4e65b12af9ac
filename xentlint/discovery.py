"""Which files to check: walk the given paths, skipping excluded, git-ignored and environment folders."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional, Sequence

from xentlint.config import SettingsResolver
from xentlint.globs import PathPatterns

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")
# A virtual environment (venv, virtualenv, uv) or a conda environment, whatever its name.
ENVIRONMENT_MARKERS = ("pyvenv.cfg", "conda-meta")


@dataclass
class Discovery:
    files: list[Path]  # as the user spelled them, sorted
    missing: list[str]  # paths given that do not exist, reported one by one by the caller
    real: dict[Path, str] = field(default_factory=dict)  # each file's real path


@dataclass(frozen=True)
class _Gitignore:
    prefix: str  # the absolute folder of the .gitignore, ending in a separator
    patterns: PathPatterns

    def verdict(self, absolute: str, is_dir: bool) -> Optional[bool]:
        """True if ignored, False if re-included by a `!` pattern, None if no pattern matches
        (or the path is not below this .gitignore)."""
        if not absolute.startswith(self.prefix):
            return None
        relative = absolute[len(self.prefix):].replace(os.sep, "/")
        return self.patterns.verdict(relative + "/" if is_dir else relative)


def discover(paths: Sequence[str], resolver: SettingsResolver, force_exclude: bool) -> Discovery:
    """Files under `paths`; ones given by name are checked even if excluded, unless `force_exclude`."""
    found: dict[str, Path] = {}  # real path -> path as the user spelled it
    missing = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            missing.append(given)
            continue
        is_dir = path.is_dir()
        if force_exclude and resolver.for_path(path).is_excluded(path, is_dir):
            continue
        for file, real in _walk(path, resolver) if is_dir else [(path, os.path.realpath(path))]:
            found.setdefault(real, file)
    return Discovery(sorted(found.values()), missing, {file: real for real, file in found.items()})


def _walk(top: Path, resolver: SettingsResolver) -> Iterator[tuple[Path, str]]:
    """Each file with its real path. Symlinked folders into the walked tree are skipped (their files
    are found under their real names); ones leading out of it are followed once, so links cannot loop."""
    top_real = os.path.realpath(top)
    visited: set[str] = set()
    stack = [(top, _ancestor_gitignores(Path(os.path.abspath(top))))]
    while stack:
        folder, gitignores = stack.pop()
        real = os.path.realpath(folder)
        if real in visited:
            continue
        visited.add(real)
        absolute = os.path.abspath(folder)
        gitignores = gitignores + _gitignore_in(Path(absolute))
        settings = resolver.for_folder(Path(absolute))
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:  # unreadable folder: nothing in it can be checked
            continue
        for entry in entries:
            is_dir = entry.is_dir()
            if not is_dir and not entry.name.endswith(SOURCE_SUFFIXES):
                continue
            entry_absolute = os.path.join(absolute, entry.name)
            if settings.excludes(entry_absolute, is_dir) or _git_ignored(gitignores, entry_absolute, is_dir):
                continue
            path = folder / entry.name
            if is_dir:
                if not _is_environment(path) and not (entry.is_symlink() and _is_within(path, top_real)):
                    stack.append((path, gitignores))
            elif entry.is_file():
                real_file = os.path.realpath(path) if entry.is_symlink() else os.path.join(real, entry.name)
                yield path, real_file


def _is_within(path: Path, folder: str) -> bool:
    real = os.path.realpath(path)
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def _is_environment(folder: Path) -> bool:
    return any((folder / marker).exists() for marker in ENVIRONMENT_MARKERS)


def _git_ignored(gitignores: tuple[_Gitignore, ...], absolute: str, is_dir: bool) -> bool:
    # The deepest .gitignore with a matching pattern decides, as in git.
    for gitignore in reversed(gitignores):
        verdict = gitignore.verdict(absolute, is_dir)
        if verdict is not None:
            return verdict
    return False


def _gitignore_in(folder: Path) -> tuple[_Gitignore, ...]:
    try:
        lines = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ()
    return (_Gitignore(os.path.join(str(folder), ""), PathPatterns(lines)),)


def _ancestor_gitignores(top: Path) -> tuple[_Gitignore, ...]:
    """The .gitignore files from the repository root down to `top`'s parent; none outside a repository."""
    for repository in (top, *top.parents):
        if (repository / ".git").exists():
            break
    else:
        return ()
    above = [folder for folder in top.parents if folder == repository or repository in folder.parents]
    return tuple(gitignore for folder in reversed(above) for gitignore in _gitignore_in(folder))
