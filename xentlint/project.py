"""Project-wide flow: the values that names imported from the project's own modules hold.

A module of the project is read from disk and summarised from that file alone (`Summary`):
what its model classes' `forward` returns, what its top-level functions return, its module-level
models, all as value kinds with the file and row that gave them their meaning. Names a module
imports from other project modules are kept as references (a package's `__init__.py`
re-exporting `from .nets import Disc`) and followed when asked, so a summary never depends on
another file. Third-party and framework modules are never read: only files under the importing
file's folder, the project root (the nearest folder with `pyproject.toml`, `setup.py`,
`setup.cfg` or `.git`) and its `src` folder are. Cycles and missing modules give unknown.

Summaries are memoised per process by path and content, and every file a check used is recorded
(`dependencies`) so the result cache can tell when a dependency changed.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from xentlint.knowledge import Vocabulary, vocabulary
from xentlint.knowledge.apis import FRAMEWORK_MODULES

if TYPE_CHECKING:  # LibCST and the flow are imported only when a module is summarised
    from xentlint.files import SourceFile
    from xentlint.flow.values import Kind, Value
    from xentlint.knowledge.schema import Fn

_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
_KEPT_MODULES = 8  # parsed modules kept per process for the names asked of them
_MAX_HOPS = 8  # re-exports followed at most this deep: cycles end in unknown
_IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+\(?([\w, \t]*)|import[ \t]+([\w.]+))",
                          re.MULTILINE)


@dataclass(frozen=True)
class Exported:
    """A picklable `Value`: its kind and activation, with where its meaning was given. The size and
    axis of the class axis are left out: rules that judge them report at the activation."""

    kind: Kind
    fn: Optional[Fn] = None  # the activation, for probabilities
    description: str = ""
    where: Optional[str] = None  # the file and row that gave the value its meaning
    row: Optional[int] = None
    output: Optional["Exported"] = None  # a model class's instance output, a function's return
    items: tuple["Exported", ...] = ()


@dataclass(frozen=True)
class ImportRef:
    """`from <module> import <name>` (name None: `import <module>`), `level` dots for relative imports."""

    module: str
    level: int = 0
    name: Optional[str] = None


@dataclass(frozen=True)
class Summary:
    path: str
    key: str  # the content hash of the file summarised
    imports: dict[str, ImportRef] = field(default_factory=dict)
    # The top-level names whose definitions may make probabilities (they mention an activation, or
    # such a name of the module): only these are worth a flow analysis.
    candidates: frozenset[str] = frozenset()
    # Each name asked for, with its exported value (None: nothing a rule could use), filled on demand.
    names: dict[str, Optional[Exported]] = field(default_factory=dict)


@dataclass(frozen=True)
class ModuleRef:
    """A project module bound to a name (`import models`): its attributes are its summary's names."""

    path: str


# ---------------------------------------------------------------- resolution
@lru_cache(maxsize=None)
def project_root(folder: str) -> Optional[str]:
    current = folder
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in _MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _search_roots(importer: str) -> list[str]:
    """Where `import x` finds `x` as Python would run the importing script, then the project's roots."""
    folder = os.path.dirname(importer)
    roots = [folder]
    root = project_root(folder)
    if root is not None:
        roots += [root, os.path.join(root, "src")]
    roots += [workspace for workspace in _PROJECT.workspace_roots if importer.startswith(workspace + os.sep)]
    return list(dict.fromkeys(roots))


def resolve(importer: str, ref: ImportRef) -> Optional[str]:
    """The project file `ref` names, seen from the file `importer` (absolute paths), or None."""
    parts = [part for part in ref.module.split(".") if part]
    if ref.level:
        base = os.path.dirname(importer)
        for _ in range(ref.level - 1):
            base = os.path.dirname(base)
        bases = [base]
    else:
        if not parts or parts[0] in FRAMEWORK_MODULES:
            return None
        bases = _search_roots(importer)
    for base in bases:
        found = _module_file(os.path.join(base, *parts))
        if found is not None and found != importer:
            return found
    return None


def _module_file(stem: str) -> Optional[str]:
    for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
        if os.path.isfile(candidate):
            return os.path.realpath(candidate) if os.path.islink(candidate) else candidate
    return None


Reader = Callable[[Any, str], Any]  # (parsed module, its path) -> its context, read alone


# ---------------------------------------------------------------- reading and summarising
class Project:
    """The summaries one process has computed, and the files each check used."""

    def __init__(self) -> None:
        self._summaries: dict[str, Optional[Summary]] = {}
        self._contexts: OrderedDict[tuple[str, str], Any] = OrderedDict()  # the last modules parsed
        self.used: dict[str, str] = {}  # path -> content key, for the check in progress
        self.checking: Optional[tuple[str, str]] = None  # the file being checked: its display name, its path
        self.workspace_roots: list[str] = []  # an editor's workspace folders (the language server)

    def remember(self, path: str, stamp: tuple[int, int], source: "SourceFile") -> None:
        """A file the run has read (with its stamp from before the read), for summaries."""
        _TEXTS[path] = (stamp, source, content_key(source.text))

    def source(self, path: str, stamp: tuple[int, int]) -> Optional["SourceFile"]:
        """The file at `path` if this process has read it and it is unchanged since."""
        known = _TEXTS.get(path)
        return known[1] if known is not None and known[0] == stamp else None

    def locate(self, filename: str) -> Optional[str]:
        """The absolute path of the file a check calls `filename`, when it is (or its folder is, for
        an editor's unsaved buffer) on disk."""
        if self.checking is not None and self.checking[0] == filename:
            return self.checking[1]
        path = os.path.abspath(filename)
        return path if os.path.isfile(path) or os.path.isdir(os.path.dirname(path)) else None

    def summary(self, path: str) -> Optional[Summary]:
        key = current_key(path)
        if key is None:
            return None
        self.used[path] = key
        known = self._summaries.get(path)
        if path not in self._summaries or (known is not None and known.key != key):  # new, or edited since
            self._summaries[path] = None  # a cycle through this file ends in unknown
            self._summaries[path] = _summarise(path)
        return self._summaries[path]

    def lookup(self, importer: str, ref: ImportRef, reader: Reader, hops: int = 0) -> Union[Exported, ModuleRef, None]:
        """What `ref`, imported by `importer`, is: an exported value, a project module, or None.
        `reader` makes the context of a module read alone (the flow's own context class: this
        module does not import the flow)."""
        if hops > _MAX_HOPS:
            return None
        path = resolve(importer, ref)
        if ref.name is None:
            return ModuleRef(path) if path is not None and self.summary(path) is not None else None
        if path is not None:
            found = self.attribute(ModuleRef(path), ref.name, reader, hops)
            if found is not None:
                return found
        # `from pkg import nets`: a submodule of the package
        return self.lookup(importer, ImportRef(f"{ref.module}.{ref.name}", ref.level), reader, hops + 1)

    def attribute(self, module: ModuleRef, name: str, reader: Reader,
                  hops: int = 0) -> Union[Exported, ModuleRef, None]:
        summary = self.summary(module.path)
        if summary is None:
            return None
        exported = self._export(summary, name, reader)
        if exported is not None:
            return exported
        ref = summary.imports.get(name)
        return self.lookup(module.path, ref, reader, hops + 1) if ref is not None else None

    def _export(self, summary: Summary, name: str, reader: Reader) -> Optional[Exported]:
        """The value `name` has in the summarised module, computed the first time it is asked for."""
        if name not in summary.candidates or name in summary.imports:
            return None
        if name not in summary.names:
            summary.names[name] = None  # asked again while computing (a cycle): unknown
            ctx = self._context(summary, reader)
            summary.names[name] = _export_name(ctx, name) if ctx is not None else None
        return summary.names[name]

    def _context(self, summary: Summary, reader: Reader) -> Any:
        """The parsed module of `summary` (the last few are kept: one module exports many names)."""
        kept = (summary.path, summary.key)
        if kept in self._contexts:
            self._contexts.move_to_end(kept)
            return self._contexts[kept]
        import libcst as cst

        from xentlint.parsing import parse_module

        text, key = _read(summary.path)
        try:
            ctx = reader(parse_module(text), summary.path) \
                if text is not None and key == summary.key else None
        except (cst.ParserSyntaxError, RecursionError):
            ctx = None
        self._contexts[kept] = ctx
        if len(self._contexts) > _KEPT_MODULES:
            self._contexts.popitem(last=False)
        return ctx


_PROJECT = Project()


def project() -> Project:
    return _PROJECT


def content_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _summarise(path: str) -> Optional[Summary]:
    text, key = _read(path)
    if text is None or key is None:
        return None
    if _activation_words().isdisjoint(_file_words(path)):
        return Summary(path, key, _imports(text))  # nothing here can make probabilities
    return Summary(path, key, _imports(text), candidates=_candidates(text))


_TOP_LEVEL = re.compile(r"^(?=\S)", re.MULTILINE)
_DEFINES = re.compile(r"(?:(?:async[ \t]+)?def|class)[ \t]+(\w+)|(\w+)[ \t]*(?::[^=\n]*)?=[^=]")


def _candidates(text: str) -> frozenset[str]:
    """Top-level names whose definition mentions an activation word, or one such name of the
    module (`build()` returning `Net()`): a cheap bound on what a flow analysis could export."""
    definitions: dict[str, frozenset[str]] = {}
    for chunk in _TOP_LEVEL.split(text):
        match = _DEFINES.match(chunk)
        if match:
            name = match.group(1) or match.group(2)
            definitions[name] = definitions.get(name, frozenset()) | _words(chunk)
    active = {name for name, words in definitions.items() if not words.isdisjoint(_activation_words())}
    return frozenset(name for name, words in definitions.items() if name in active or not words.isdisjoint(active))


@lru_cache(maxsize=1)
def _activation_words() -> frozenset[str]:
    return vocabulary(Vocabulary.SOFTMAX) | vocabulary(Vocabulary.SIGMOID)


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


_TOP_LEVEL_IMPORT = re.compile(
    r"^(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)|import[ \t]+([^\n]*))", re.MULTILINE)


def _imports(text: str) -> dict[str, ImportRef]:
    """Names the module's top-level imports bind, for re-exports (`from .nets import Disc`); read
    with a pattern, not a parse: a package's `__init__.py` may be large and is read for this only."""
    bound: dict[str, ImportRef] = {}
    for dots, module, names, plain in _TOP_LEVEL_IMPORT.findall(text):
        for alias in re.sub(r"#[^\n]*", "", names or plain).strip("()").split(","):
            parts = alias.split()
            if not parts or parts[0] == "*" or not all(re.fullmatch(r"[\w.]+", part) for part in parts):
                continue
            local = parts[2] if len(parts) == 3 and parts[1] == "as" else None
            if len(parts) not in (1, 3) or (len(parts) == 3 and local is None):
                continue
            if plain:
                bound[local or parts[0].split(".")[0]] = ImportRef(parts[0] if local else parts[0].split(".")[0])
            else:
                bound[local or parts[0]] = ImportRef(module, len(dots), parts[0])
    return bound


def _export_name(ctx: Any, name: str) -> Optional[Exported]:
    """A top-level name of the module, when its value carries meaning across modules: a torch model
    class (its `forward`'s output), a function (what it returns), a module-level torch model."""
    from xentlint.flow.values import Kind

    flow = ctx.flow
    value = flow._state(ctx.module).final.get(name)
    if value is None:
        return None
    if value.kind is Kind.CLASS and value.node is not None:
        instance = flow._instance(value.node)
        output = _export(ctx, instance.output) if instance.kind is Kind.MODEL and not instance.keras else None
        return Exported(Kind.CLASS, output=Exported(Kind.MODEL, output=output)) if output is not None else None
    if value.kind is Kind.FUNCTION and value.node is not None:
        returns = flow._returns(value.node)
        output = _export(ctx, returns) if not (returns.kind is Kind.MODEL and returns.keras) else None
        return Exported(Kind.FUNCTION, output=output) if output is not None else None
    if value.kind is Kind.MODEL and not value.keras:
        output = _export(ctx, value.output)
        return Exported(Kind.MODEL, output=output) if output is not None else None
    return None


def _export(ctx: Any, value: Optional[Value]) -> Optional[Exported]:
    """`value` as picklable data, or None when it carries nothing a rule could use."""
    from xentlint.flow.values import Kind

    if value is None:
        return None
    if value.kind in (Kind.PROBABILITIES, Kind.LOG_PROBABILITIES, Kind.LOGITS) and value.origin is not None:
        return Exported(value.kind, fn=value.fn, description=value.origin.description, where=ctx.filename,
                        row=ctx.line_of(value.origin.node))
    if value.kind is Kind.TUPLE:
        items = tuple(_export(ctx, item) or Exported(Kind.UNKNOWN) for item in value.items)
        return Exported(Kind.TUPLE, items=items) if any(item.kind is not Kind.UNKNOWN for item in items) else None
    if value.kind is Kind.MODEL and not value.keras:
        output = _export(ctx, value.output)
        return Exported(Kind.MODEL, output=output) if output is not None else None
    return None


# ---------------------------------------------------------------- the prefilter's view
def imported_words(filename: str, text: str) -> frozenset[str]:
    """The identifiers of the project modules `text` imports (and of the modules those import), so
    that a file whose softmax lives in another module is not skipped by the pre-filter."""
    importer = _PROJECT.locate(filename)
    if importer is None:
        return frozenset()
    words: set[str] = set()
    for path in _imported_files(importer, text, depth=2):
        key = current_key(path)
        if key is not None:
            _PROJECT.used[path] = key  # what it says decides which rules run on the importer
        words |= _file_words(path)
    return frozenset(words)


def _imported_files(importer: str, text: str, depth: int) -> set[str]:
    found: set[str] = set()
    for dots, module, names, plain in _IMPORT_LINE.findall(text):
        refs = [ImportRef(plain)] if plain else [ImportRef(module, len(dots))] + [
            ImportRef(f"{module}.{name.strip()}" if module else name.strip(), len(dots))
            for name in names.split(",") if name.strip()]
        for ref in refs:
            path = resolve(importer, ref)
            if path is not None:
                found.add(path)
    if depth > 1:
        for path in list(found):
            found |= _imported_files(path, _file_text(path) or "", depth - 1)
    return found


_TEXTS: dict[str, tuple[tuple[int, int], Optional["SourceFile"], Optional[str]]] = {}  # path -> stamp, source, key


def _file_text(path: str) -> Optional[str]:
    return _read(path)[0]


def current_key(path: str) -> Optional[str]:
    """The content key of the module at `path` now (None when it cannot be read)."""
    return _read(path)[1]


def module_text(path: str) -> tuple[Optional[str], Optional[str]]:
    """The text and content key of the module at `path` now (None, None when it cannot be read)."""
    return _read(path)


def _read(path: str) -> tuple[Optional[str], Optional[str]]:
    """A project module's text and content key, read once per process while its size and time
    are unchanged."""
    from xentlint.files import SourceError, read_source

    try:
        status = os.stat(path)
    except OSError:
        return None, None
    stamp = (status.st_size, status.st_mtime_ns)
    known = _TEXTS.get(path)
    if known is None or known[0] != stamp:
        try:
            source: Optional[SourceFile] = read_source(Path(path))
        except (OSError, SourceError):
            source = None
        known = (stamp, source, content_key(source.text) if source is not None else None)
        _TEXTS[path] = known
    return (known[1].text if known[1] is not None else None), known[2]


_WORDS: dict[tuple[str, str], frozenset[str]] = {}  # (path, content key) -> identifiers


def _file_words(path: str) -> frozenset[str]:
    text, key = _read(path)
    if text is None or key is None:
        return frozenset()
    if (path, key) not in _WORDS:
        _WORDS[(path, key)] = _words(text)
    return _WORDS[(path, key)]
