"""Settings from `[tool.xentlint]` (pyproject.toml) or xentlint.toml, plus command-line overrides.

The nearest configuration file above a path applies to it, as in Ruff; files are not merged.
Path globs (`exclude`, `extend-exclude`, `per-file-ignores`) are gitignore-style patterns,
matched against the posix path relative to the configuration file's folder: a pattern without
a slash (`*.ipynb`, `build`) matches a name at any depth, one with a slash (`tests/fixtures`)
is anchored to that folder, and a folder's pattern covers everything below it.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from xentlint import registry
from xentlint.globs import PathPatterns
from xentlint.output import FORMATS

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

CONFIG_FILE = "xentlint.toml"
PYPROJECT = "pyproject.toml"

# Replaced as a whole by `exclude`; `extend-exclude` adds to it.
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", "build", "dist", "node_modules", "__pycache__",
    "site-packages", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".xentlint_cache", ".eggs",
    ".ipynb_checkpoints",
)

KEYS = (
    "select", "ignore", "extend-select", "exclude", "extend-exclude", "per-file-ignores",
    "unsafe-fixes", "output-format", "src",
)


class ConfigError(Exception):
    """A configuration file or option that cannot be used; the message names where and what."""


# Builds the error for a problem with one value, naming the file and key or the option.
ErrorFactory = Callable[[str], ConfigError]


@dataclass(frozen=True)
class PerFileIgnore:
    pattern: str
    codes: frozenset[str]


@dataclass(frozen=True)
class RuleSelection:
    """One layer of rule selection (a configuration file, then the command line)."""

    select: Optional[tuple[str, ...]] = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Overrides:
    """Command-line options that take precedence over every configuration file."""

    select: Optional[tuple[str, ...]] = None
    extend_select: Optional[tuple[str, ...]] = None
    ignore: Optional[tuple[str, ...]] = None
    unsafe_fixes: Optional[bool] = None
    output_format: Optional[str] = None


@dataclass(frozen=True)
class Settings:
    """Everything that decides what is checked and how, for the files under one configuration."""

    codes: frozenset[str]  # enabled before per-file-ignores
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[PerFileIgnore, ...] = ()
    unsafe_fixes: bool = False
    output_format: str = "text"
    root: Path = field(default_factory=Path.cwd)
    config_file: Optional[Path] = None
    # Where `import x` finds the project's own modules (`src`, absolute); None: the project root
    # and its `src` folder.
    source_roots: Optional[tuple[str, ...]] = None

    def codes_for(self, path: Path) -> frozenset[str]:
        """The enabled codes for one file, after `per-file-ignores`."""
        if not self.per_file_ignores:
            return self.codes
        relative = self._relative(path, is_dir=False)
        ignored = [ignore.codes for ignore in self.per_file_ignores if _glob((ignore.pattern,)).match(relative)]
        return self.codes.difference(*ignored)

    def excludes(self, path: Union[Path, str], is_dir: bool) -> bool:
        """Whether `exclude`/`extend-exclude` name this file or folder itself, not a folder above it:
        the walk prunes excluded folders, and a folder named on the command line is walked anyway."""
        patterns = self.exclude + self.extend_exclude
        relative = self._relative(path, is_dir)
        if not _glob(patterns).match(relative):  # the common case, in one pass
            return False
        parent = self._relative(os.path.dirname(os.path.abspath(path)), is_dir=True)
        return any(glob.match(relative) and not glob.match(parent) for glob in _each_glob(patterns))

    def is_excluded(self, path: Path, is_dir: bool) -> bool:
        """Whether the path or a folder above it, up to the root, is excluded (for `--force-exclude`)."""
        absolute = Path(os.path.abspath(path))
        folders = [folder for folder in absolute.parents if self.root in folder.parents]
        return self.excludes(absolute, is_dir) or any(self.excludes(folder, is_dir=True) for folder in folders)

    def fingerprint(self) -> str:
        """A stable hash of what changes a file's findings or fixes (not what only changes output)."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        state = {
            "codes": sorted(self.codes),
            "per_file_ignores": [[ignore.pattern, sorted(ignore.codes)] for ignore in self.per_file_ignores],
            # Per-file patterns are relative to the root.
            "root": str(self.root),
            "unsafe_fixes": self.unsafe_fixes,
            "src": self.source_roots,  # what project imports resolve to
        }
        return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()

    def _relative(self, path: Union[Path, str], is_dir: bool) -> str:
        absolute = os.path.abspath(path)
        if absolute.startswith(self._root_prefix):  # the common case, without relpath's work
            relative = absolute[len(self._root_prefix):].replace(os.sep, "/")
        else:
            try:
                relative = os.path.relpath(absolute, self.root).replace(os.sep, "/")
            except ValueError:  # another drive on Windows: no pattern relative to the root can match
                relative = absolute.replace(os.sep, "/")
        # Gitignore patterns ending in `/` match folders only, which are told apart by the slash.
        return relative + "/" if is_dir else relative

    @cached_property
    def _root_prefix(self) -> str:
        return os.path.join(os.path.abspath(self.root), "")


@lru_cache(maxsize=None)
def _glob(patterns: tuple[str, ...]) -> PathPatterns:
    return PathPatterns(patterns)


@lru_cache(maxsize=None)
def _each_glob(patterns: tuple[str, ...]) -> tuple[PathPatterns, ...]:
    return tuple(_glob((pattern,)) for pattern in patterns)


@dataclass(frozen=True)
class FileConfig:
    """What one configuration file says, checked."""

    path: Path
    rules: RuleSelection = RuleSelection()
    exclude: Optional[tuple[str, ...]] = None
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[PerFileIgnore, ...] = ()
    unsafe_fixes: Optional[bool] = None
    output_format: Optional[str] = None
    src: Optional[tuple[str, ...]] = None


class _Table:
    """The `[tool.xentlint]` table of one file, read with errors that name the file and key."""

    def __init__(self, path: Path, values: Mapping[str, Any], section: str) -> None:
        self.path = path
        self.values = values
        self.section = section  # "[tool.xentlint] " in pyproject.toml, empty in xentlint.toml

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {self.section}{key}: {problem}")

    def check_keys(self) -> None:
        for key in self.values:
            if key not in KEYS:
                where = f" in {self.section.strip()}" if self.section else ""
                close = difflib.get_close_matches(key, KEYS, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise ConfigError(f"{self.path}: unknown key '{key}'{where}{hint}")

    def strings(self, key: str) -> Optional[tuple[str, ...]]:
        value = self.values.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(key, f"expected a list of strings, got {_toml_repr(value)}")
        return tuple(value)

    def selectors(self, key: str) -> Optional[tuple[str, ...]]:
        values = self.strings(key)
        return None if values is None else tuple(_check_selector(value, partial(self.error, key)) for value in values)

    def boolean(self, key: str) -> Optional[bool]:
        value = self.values.get(key)
        if value is not None and not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {_toml_repr(value)}")
        return value

    def output_format(self) -> Optional[str]:
        value = self.values.get("output-format")
        if value is not None and value not in FORMATS:
            raise self.error("output-format", f"expected one of {', '.join(FORMATS)}, got {_toml_repr(value)}")
        return value

    def per_file_ignores(self) -> tuple[PerFileIgnore, ...]:
        key = "per-file-ignores"
        table = self.values.get(key, {})
        if not isinstance(table, dict):
            raise self.error(key, f"expected a table of glob = [codes], got {_toml_repr(table)}")
        ignores = []
        for pattern, codes in table.items():
            entry = f"{key}: '{pattern}'"
            if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
                raise self.error(entry, f"expected a list of rule codes or prefixes, got {_toml_repr(codes)}")
            expanded = frozenset().union(*(_expand(code, partial(self.error, entry)) for code in codes))
            ignores.append(PerFileIgnore(pattern, expanded))
        return tuple(ignores)


def _toml_repr(value: object) -> str:
    return json.dumps(value, default=str)


def _check_selector(selector: str, error: ErrorFactory) -> str:
    _expand(selector, error)
    return selector.strip().upper()


def _expand(selector: str, error: ErrorFactory) -> frozenset[str]:
    try:
        return registry.expand_selector(selector)
    except KeyError:
        raise error(f"unknown rule code or prefix '{selector}'") from None


def load_config(path: Path) -> Optional[FileConfig]:
    """Read one configuration file; a pyproject.toml without `[tool.xentlint]` gives None."""
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read configuration: {error}") from None
    if path.name != PYPROJECT:  # xentlint.toml, or any file given to --config: top-level keys
        table = _Table(path, document, section="")
    else:
        tool = document.get("tool", {})
        if not isinstance(tool, dict) or "xentlint" not in tool:
            return None
        if not isinstance(tool["xentlint"], dict):
            raise ConfigError(f"{path}: [tool.xentlint] must be a table")
        table = _Table(path, tool["xentlint"], section="[tool.xentlint] ")
    table.check_keys()
    return FileConfig(
        path=path,
        rules=RuleSelection(
            table.selectors("select"), table.selectors("extend-select") or (), table.selectors("ignore") or ()
        ),
        exclude=table.strings("exclude"),
        extend_exclude=table.strings("extend-exclude") or (),
        per_file_ignores=table.per_file_ignores(),
        unsafe_fixes=table.boolean("unsafe-fixes"),
        output_format=table.output_format(),
        src=table.strings("src"),
    )


def select_codes(layers: Sequence[RuleSelection]) -> frozenset[str]:
    """Ruff's rule selection: a layer's `select` replaces what came before, `extend-select` adds,
    `ignore` removes; within a layer a more specific selector wins (`XL101` over `XL1` over `ALL`)."""
    enabled = set(registry.default_codes())
    for layer in layers:
        choices = [(s, True) for s in (layer.select or ()) + layer.extend_select] + [(s, False) for s in layer.ignore]
        updates: dict[str, bool] = {}
        # Less specific first so that more specific selectors override them; at a tie, ignore wins.
        for selector, on in sorted(choices, key=lambda choice: (_specificity(choice[0]), not choice[1])):
            updates.update(dict.fromkeys(registry.expand_selector(selector), on))
        if layer.select is not None:
            enabled.clear()
        enabled.update(code for code, on in updates.items() if on)
        enabled.difference_update(code for code, on in updates.items() if not on)
    return frozenset(enabled)


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


def _command_line_selection(overrides: Overrides) -> RuleSelection:
    def checked(option: str, selectors: Optional[tuple[str, ...]]) -> Optional[tuple[str, ...]]:
        if selectors is None:
            return None
        return tuple(_check_selector(s, lambda problem: ConfigError(f"{option}: {problem}")) for s in selectors)

    return RuleSelection(
        checked("--select", overrides.select),
        checked("--extend-select", overrides.extend_select) or (),
        checked("--ignore", overrides.ignore) or (),
    )


def _first(*values: Any) -> Any:
    return next(value for value in values if value is not None)


class SettingsResolver:
    """Finds and caches the settings for each folder; an explicit `--config` file skips discovery."""

    def __init__(self, overrides: Overrides, config_file: Optional[Path] = None) -> None:
        if overrides.output_format is not None and overrides.output_format not in FORMATS:
            raise ConfigError(f"--output-format: expected one of {', '.join(FORMATS)}, got '{overrides.output_format}'")
        self._overrides = overrides
        self._command_line = _command_line_selection(overrides)
        self._configs: dict[Path, Optional[FileConfig]] = {}
        self._config_for_folder: dict[Path, Optional[Path]] = {}
        self._settings: dict[Optional[Path], Settings] = {}
        self._explicit = None
        if config_file is not None:
            self._explicit = Path(os.path.abspath(config_file))
            if not self._explicit.is_file():
                raise ConfigError(f"{self._explicit}: configuration file not found")
            self._settings_for(self._explicit)  # report errors before any file is checked

    def for_path(self, path: Path) -> Settings:
        """The settings for a file, or for the files of a folder."""
        absolute = Path(os.path.abspath(path))
        return self.for_folder(absolute if absolute.is_dir() else absolute.parent)

    def for_folder(self, folder: Path) -> Settings:
        """The settings for the files of an absolute folder (no look at the disk when known)."""
        return self._settings_for(self._explicit or self._nearest_config(folder))

    def _nearest_config(self, folder: Path) -> Optional[Path]:
        if folder not in self._config_for_folder:
            own = self._own_config(folder)
            parent = folder.parent
            self._config_for_folder[folder] = own or (self._nearest_config(parent) if parent != folder else None)
        return self._config_for_folder[folder]

    def _own_config(self, folder: Path) -> Optional[Path]:
        # xentlint.toml wins over pyproject.toml in the same folder.
        for name in (CONFIG_FILE, PYPROJECT):
            candidate = folder / name
            if candidate.is_file() and self._load(candidate) is not None:
                return candidate
        return None

    def _load(self, path: Path) -> Optional[FileConfig]:
        if path not in self._configs:
            config = load_config(path)
            # An explicit pyproject.toml without [tool.xentlint] is an empty configuration.
            self._configs[path] = config or (FileConfig(path) if path == self._explicit else None)
        return self._configs[path]

    def _settings_for(self, config_file: Optional[Path]) -> Settings:
        if config_file not in self._settings:
            self._settings[config_file] = self._build(self._load(config_file) if config_file else None)
        return self._settings[config_file]

    def _build(self, config: Optional[FileConfig]) -> Settings:
        overrides = self._overrides
        if config is None:
            return Settings(
                codes=select_codes([self._command_line]),
                unsafe_fixes=_first(overrides.unsafe_fixes, False),
                output_format=_first(overrides.output_format, "text"),
            )
        return Settings(
            codes=select_codes([config.rules, self._command_line]),
            exclude=_first(config.exclude, DEFAULT_EXCLUDE),
            extend_exclude=config.extend_exclude,
            per_file_ignores=config.per_file_ignores,
            unsafe_fixes=_first(overrides.unsafe_fixes, config.unsafe_fixes, False),
            output_format=_first(overrides.output_format, config.output_format, "text"),
            root=config.path.parent,
            config_file=config.path,
            source_roots=None if config.src is None else tuple(
                os.path.normpath(os.path.join(os.path.abspath(config.path.parent), folder)) for folder in config.src),
        )
