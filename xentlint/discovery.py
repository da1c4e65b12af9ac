"""Which files to check: walk the given paths, skipping excluded, git-ignored and environment folders."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Sequence

import pathspec

from xentlint.config import SettingsResolver

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")
# A virtual environment (venv, virtualenv, uv) or a conda environment, whatever its name.
ENVIRONMENT_MARKERS = ("pyvenv.cfg", "conda-meta")


@dataclass
class Discovery:
    files: list[Path]
    missing: list[str]  # paths given that do not exist, reported one by one by the caller


@dataclass(frozen=True)
class _Gitignore:
    folder: Path
    spec: pathspec.GitIgnoreSpec

    def verdict(self, path: Path, is_dir: bool) -> Optional[bool]:
        """True if ignored, False if re-included by a `!` pattern, None if no pattern matches."""
        relative = path.relative_to(self.folder).as_posix() + ("/" if is_dir else "")
        return self.spec.check_file(relative).include


def discover(paths: Sequence[str], resolver: SettingsResolver, force_exclude: bool) -> Discovery:
    """Files under `paths`; ones given by name are checked even if excluded, unless `force_exclude`."""
    found: dict[Path, Path] = {}  # real path -> path as the user spelled it
    missing = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            missing.append(given)
            continue
        is_dir = path.is_dir()
        if force_exclude and resolver.for_path(path).is_excluded(path, is_dir):
            continue
        for file in _walk(path, resolver) if is_dir else [path]:
            found.setdefault(Path(os.path.realpath(file)), file)
    return Discovery(sorted(found.values()), missing)


def _walk(top: Path, resolver: SettingsResolver) -> Iterator[Path]:
    """Symlinked folders into the walked tree are skipped (their files are found under their real
    names); ones leading out of it are followed once, so links cannot loop."""
    top_real = os.path.realpath(top)
    visited: set[str] = set()
    stack = [(top, _ancestor_gitignores(Path(os.path.abspath(top))))]
    while stack:
        folder, gitignores = stack.pop()
        real = os.path.realpath(folder)
        if real in visited:
            continue
        visited.add(real)
        gitignores = gitignores + _gitignore_in(Path(os.path.abspath(folder)))
        settings = resolver.for_path(folder)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:  # unreadable folder: nothing in it can be checked
            continue
        for entry in entries:
            path = folder / entry.name
            is_dir = entry.is_dir()
            if settings.excludes(path, is_dir) or _git_ignored(gitignores, Path(os.path.abspath(path)), is_dir):
                continue
            if is_dir:
                if not _is_environment(path) and not (entry.is_symlink() and _is_within(path, top_real)):
                    stack.append((path, gitignores))
            elif path.suffix in SOURCE_SUFFIXES and entry.is_file():
                yield path


def _is_within(path: Path, folder: str) -> bool:
    real = os.path.realpath(path)
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def _is_environment(folder: Path) -> bool:
    return any((folder / marker).exists() for marker in ENVIRONMENT_MARKERS)


def _git_ignored(gitignores: tuple[_Gitignore, ...], path: Path, is_dir: bool) -> bool:
    # The deepest .gitignore with a matching pattern decides, as in git.
    for gitignore in reversed(gitignores):
        verdict = gitignore.verdict(path, is_dir)
        if verdict is not None:
            return verdict
    return False


def _gitignore_in(folder: Path) -> tuple[_Gitignore, ...]:
    try:
        lines = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ()
    return (_Gitignore(folder, pathspec.GitIgnoreSpec.from_lines(lines)),)


def _ancestor_gitignores(top: Path) -> tuple[_Gitignore, ...]:
    """The .gitignore files from the repository root down to `top`'s parent; none outside a repository."""
    for repository in (top, *top.parents):
        if (repository / ".git").exists():
            break
    else:
        return ()
    above = [folder for folder in top.parents if folder == repository or repository in folder.parents]
    return tuple(gitignore for folder in reversed(above) for gitignore in _gitignore_in(folder))
