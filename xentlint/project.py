"""Project-wide flow: the values that names imported from the project's own modules hold.

A module of the project is read from disk and summarised from that file alone (`Summary`): its
top-level names as picklable values (`Exported`, made by `xentlint.flow.exports`: model classes,
functions, models, layers, loss objects and wrappers), with the file and row that gave them their
meaning. Names a module imports from other project modules are kept as references (a package's
`__init__.py` re-exporting `from .nets import Disc`, a model class's imported base) and followed
when asked, so a summary never depends on another file. Third-party and framework modules are
never read: only files under the importing file's folder and the source roots (the settings'
`src`; by default the project root, the nearest folder with `pyproject.toml`, `setup.py`,
`setup.cfg` or `.git`, and its `src` folder) are. Cycles and missing modules give unknown.

What a run learns of a module (`Facts`: content key, the words the pre-filter reads, imports,
summary, the names exported so far) is kept per process by path and stamp, and on disk by the
run (`xentlint.module_cache`), so a module is read at most once per process and not at all while
unchanged. Every module a check used is recorded (`Project.used`) with the key of what it used:
the content for a summary, the rules' words and the imports for the pre-filter, so that the
result cache re-checks a file only when something it depended on changed.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Protocol, Sequence, Union

from xentlint.knowledge import Vocabulary, vocabulary
from xentlint.knowledge.apis import FRAMEWORK_MODULES

if TYPE_CHECKING:  # LibCST and the flow are imported only when a module is summarised
    from xentlint.files import SourceFile
    from xentlint.flow.values import Kind
    from xentlint.knowledge.schema import Fn
    from xentlint.shared_names import SharedNames

_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
_KEPT_MODULES = 8  # parsed modules kept per process for the names asked of them
_MAX_HOPS = 8  # re-exports followed at most this deep: cycles end in unknown
_IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+\(?([\w, \t]*)|import[ \t]+([\w.]+))",
                          re.MULTILINE)


@dataclass(frozen=True)
class Parameter:
    """A parameter of an exported function: its name, and its position when it can be passed by one."""

    name: str
    position: Optional[int] = None


@dataclass(frozen=True)
class Exported:
    """A picklable `Value`: its kind and activation, with where its meaning was given. The axis of
    the class axis is left out: rules that judge it report at the activation."""

    kind: Kind
    fn: Optional[Fn] = None  # the activation, for probabilities; the function a layer applies
    description: str = ""
    where: Optional[str] = None  # the file and row that gave the value its meaning
    row: Optional[int] = None
    output: Optional["Exported"] = None  # a model class's instance output, a function's return
    items: tuple["Exported", ...] = ()
    classes: Optional[int] = None  # the size of the class axis, when visible
    keras: bool = False  # a Keras model: `compile()` pairs it with its loss
    sequential: bool = False  # a Keras Sequential: the importer's `model.add(layer)` grows it
    produces_logits: bool = False  # a layer without activation
    loss: Optional[str] = None  # a loss object's (or a wrapper's) loss, by its qualified name
    from_logits: Optional[bool] = None  # and its `from_logits` as constructed (None: not a literal)
    # A function that returns what a loss gives for two of its parameters (a loss wrapper).
    prediction: Optional[Parameter] = None
    label: Optional[Parameter] = None
    # A function that returns one of its parameters (`passes_output`: that parameter's output when called).
    passes: Optional[Parameter] = None
    passes_output: bool = False
    # A class deriving from a class another module defines: a model when that base is one.
    base: Optional["ImportRef"] = None
    overrides: Optional[str] = None  # the output method (`forward`, `call`) the class defines itself


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


_WORDS_KEY = "words:"


@dataclass
class Facts:
    """What a run learns of one project module from one read of it, kept on disk by content
    (`xentlint.module_cache.ModuleStore`) so that a later run need not read the module again."""

    key: str  # the content hash
    words: frozenset[str]  # the rules' and activations' words it mentions (the pre-filter's view)
    import_lines: tuple[tuple[str, ...], ...]  # its imports, as `_IMPORT_LINE` reads them
    summary: Optional[Summary] = None  # made when a check first asks for it

    @cached_property
    def words_key(self) -> str:
        """The key of what the pre-filter reads of the module: the words and the imports."""
        digest = hashlib.sha256()
        for part in (*sorted(self.words), "", *map(repr, self.import_lines)):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        return _WORDS_KEY + digest.hexdigest()

    def absorb(self, older: "Facts") -> None:
        """Keep what an older copy of the same version knows and this one does not (another
        process may have exported other names)."""
        if older.key != self.key or older.summary is None:
            return
        if self.summary is None:
            self.summary = older.summary
        else:
            self.summary.names.update({name: value for name, value in older.summary.names.items()
                                       if name not in self.summary.names})


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
    """Where `import x` finds `x` as Python would run the importing script, then the project's
    source roots (configured with `src`; else the project root and its `src` folder). A module of
    a package (its folder has `__init__.py`) is imported, not run: its folder is not on the path,
    and its `import numpy` is not the package's own `numpy.py`."""
    folder = os.path.dirname(importer)
    roots = [] if os.path.isfile(os.path.join(folder, "__init__.py")) else [folder]
    if _PROJECT.source_roots is not None:
        roots += _PROJECT.source_roots
    else:
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
    """The module `stem` names, looked up on disk once per process (or per check, in an editor)."""
    memo = _PROJECT.module_files
    if stem not in memo:
        memo[stem] = next((os.path.realpath(candidate) if os.path.islink(candidate) else candidate
                           for candidate in (stem + ".py", os.path.join(stem, "__init__.py"))
                           if os.path.isfile(candidate)), None)
    return memo[stem]


Reader = Callable[[Any, str], Any]  # (parsed module, its path) -> its context, read alone


class Store(Protocol):
    """Where facts outlive the run (`xentlint.module_cache.ModuleStore`); stamps are (size, mtime_ns)."""

    def get(self, path: str, stamp: tuple[int, int], key: Optional[str] = None) -> Optional[Facts]: ...


# ---------------------------------------------------------------- reading and summarising
class Project:
    """The modules one process has read and summarised, and the files each check used."""

    def __init__(self) -> None:
        self._contexts: OrderedDict[tuple[str, str], Any] = OrderedDict()  # the last modules parsed
        # The modules the check in progress used: path -> the key of what it used, the stamp before.
        self.used: dict[str, tuple[str, tuple[int, int]]] = {}
        self.checking: Optional[tuple[str, str]] = None  # the file being checked: its display name, its path
        self.workspace_roots: list[str] = []  # an editor's workspace folders (the language server)
        self.source_roots: Optional[tuple[str, ...]] = None  # the settings' `src` for the file being checked
        self.store: Optional[Store] = None  # the module cache of the file being checked
        self.fresh: dict[str, tuple[tuple[int, int], Facts]] = {}  # learnt or grown since last taken
        # What the file system said: module files by stem, the files each module's imports name.
        self.module_files: dict[str, Optional[str]] = {}
        self.resolved: dict[tuple[str, str, Optional[tuple[str, ...]]], frozenset[str]] = {}
        self.shared_names: Optional[SharedNames] = None  # in a pool's worker: the names the run computed

    def forget_files(self) -> None:
        """Look at the disk again (an editor's session outlives new and deleted modules)."""
        self.module_files.clear()
        self.resolved.clear()

    def take_fresh(self) -> list[tuple[str, tuple[int, int], Facts]]:
        """The facts this process learnt since the last call, for the run to keep on disk."""
        taken = [(path, stamp, facts) for path, (stamp, facts) in self.fresh.items()]
        self.fresh.clear()
        return taken

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
        known = _facts(path)
        if known is None:
            return None
        stamp, facts = known
        self.used[path] = (facts.key, stamp)
        if facts.summary is None:
            text, key = _read(path)
            if text is None or key != facts.key:  # changed since its facts were taken
                return None
            facts.summary = _summarise(path, text, facts)
            self.fresh[path] = known
        return facts.summary

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
        if exported is not None and exported.base is not None:
            return self._derived(module.path, exported, reader, hops)
        if exported is not None:
            return exported
        ref = summary.imports.get(name)
        return self.lookup(module.path, ref, reader, hops + 1) if ref is not None else None

    def _derived(self, path: str, exported: Exported, reader: Reader, hops: int) -> Optional[Exported]:
        """A class deriving from a class of another module: a model when that base is a model class,
        with the output of its own `forward`/`call` if it defines that, else its base's."""
        from xentlint.flow.values import Kind

        assert exported.base is not None
        base = self.lookup(path, exported.base, reader, hops + 1)
        model = base.output if isinstance(base, Exported) and base.kind is Kind.CLASS else None
        if model is None or model.kind is not Kind.MODEL:
            return None
        if exported.overrides is None:
            return base
        if exported.overrides != ("call" if model.keras else "forward") or exported.output is None:
            return None
        return Exported(Kind.CLASS, output=replace(exported.output, keras=model.keras))

    def _export(self, summary: Summary, name: str, reader: Reader) -> Optional[Exported]:
        """The value `name` has in the summarised module, computed the first time it is asked for."""
        if name not in summary.candidates or name in summary.imports:
            return None
        if name not in summary.names:
            summary.names[name] = None  # asked again while computing (a cycle): unknown

            def compute() -> Optional[Exported]:
                ctx = self._context(summary, reader)
                return ctx.flow.export(name, summary.imports) if ctx is not None else None

            if self.shared_names is None:
                summary.names[name], computed = compute(), True
            else:  # another worker of the pool may have computed it
                summary.names[name], computed = self.shared_names.value((summary.path, summary.key, name), compute)
            known = _FACTS.get(summary.path)
            if computed and known is not None and known[1].summary is summary:
                self.fresh[summary.path] = known  # kept on disk with its new name
        return summary.names[name]

    def _context(self, summary: Summary, reader: Reader) -> Any:
        return self.module_context(summary.path, reader, summary.key)

    def module_context(self, path: str, reader: Reader, key: Optional[str] = None) -> Any:
        """The module at `path` (with content `key`, when given) parsed and read alone by `reader`,
        None when it cannot be read or parsed; the last few are kept (one module exports many
        names, and its activations' findings are made from the same tree)."""
        text, current = _read(path)
        if text is None or current is None or (key is not None and current != key):
            return None
        kept = (path, current)
        if kept in self._contexts:
            self._contexts.move_to_end(kept)
            return self._contexts[kept]
        import libcst as cst

        from xentlint.parsing import parse_module

        try:
            ctx = reader(parse_module(text), path)
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


def _summarise(path: str, text: str, facts: Facts) -> Summary:
    imports = _imports(text)
    return Summary(path, facts.key, imports, candidates=_candidates(text, frozenset(imports)))


_TOP_LEVEL = re.compile(r"^(?=\S)", re.MULTILINE)
_DEFINES = re.compile(r"(?:(?:async[ \t]+)?def|class)[ \t]+(\w+)|(\w+)[ \t]*(?::[^=\n]*)?=[^=]")
_HEADER = re.compile(r"(?:async[ \t]+)?(def|class)[ \t]+\w+[ \t]*\(([^)]*)")
_RETURNED_NAME = re.compile(r"\breturn\b[ \t]*(\w*)")
_SHORT_FUNCTION = 12  # lines


def _candidates(text: str, imported: frozenset[str]) -> frozenset[str]:
    """Top-level names whose definition may carry meaning across modules, or mentions one such
    name of the module (`build()` returning `Net()`): a cheap bound on what a flow analysis could
    export. A definition qualifies by mentioning an activation or a loss, by returning one of its
    parameters (or calling one: `return model(x)`), or, for a class, by deriving from an imported one."""
    definitions: dict[str, frozenset[str]] = {}
    active: set[str] = set()
    for chunk in _TOP_LEVEL.split(text):
        match = _DEFINES.match(chunk)
        if not match:
            continue
        name = match.group(1) or match.group(2)
        words = _words(chunk)
        definitions[name] = definitions.get(name, frozenset()) | words
        header = _HEADER.match(chunk)
        parameters = _words(header.group(2)) if header is not None else frozenset()
        if not words.isdisjoint(_meaningful_words()) or (header is not None and (
                header.group(1) == "def" and _returns_a_parameter(chunk, parameters)
                or header.group(1) == "class" and not parameters.isdisjoint(imported))):
            active.add(name)
    return frozenset(name for name, words in definitions.items() if name in active or not words.isdisjoint(active))


def _returns_a_parameter(chunk: str, parameters: frozenset[str]) -> bool:
    """A short function whose one `return` gives a parameter or what it computes (`return model(x)`):
    a helper that passes values through, not a library of tensor functions."""
    returned = _RETURNED_NAME.findall(chunk)
    return len(returned) == 1 and returned[0] in parameters and chunk.count("\n") <= _SHORT_FUNCTION


@lru_cache(maxsize=1)
def _meaningful_words() -> frozenset[str]:
    return _activation_words() | vocabulary(Vocabulary.LOSSES)


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


# ---------------------------------------------------------------- the prefilter's view
def imported_words(filename: str, text: str) -> frozenset[str]:
    """The rules' words that the project modules `text` imports (and the modules those import)
    mention, so that a file whose softmax lives in another module is not skipped by the pre-filter."""
    importer = _PROJECT.locate(filename)
    if importer is None:
        return frozenset()
    words: set[str] = set()
    for path in _imported_files(importer, _IMPORT_LINE.findall(text), depth=2):
        known = _facts(path)
        if known is not None:
            # Only these words and the module's imports decide which rules run on the importer: an
            # edit that keeps them does not re-check it (a summary read later records the content).
            _PROJECT.used.setdefault(path, (known[1].words_key, known[0]))
            words |= known[1].words
    return frozenset(words)


def _imported_files(importer: str, import_lines: Sequence[tuple[str, ...]], depth: int) -> set[str]:
    found = set(_resolved_imports(importer, import_lines))
    if depth > 1:
        for path in list(found):
            known = _facts(path)
            if known is not None:
                found |= _module_imports(path, known[1])
    return found


def _module_imports(path: str, facts: Facts) -> frozenset[str]:
    """The project files a module's imports name, resolved once per process for each version of it
    (a package's `__init__.py` is imported by many files and may import a hundred modules)."""
    memo = _PROJECT.resolved
    key = (path, facts.key, _PROJECT.source_roots)
    if key not in memo:
        memo[key] = frozenset(_resolved_imports(path, facts.import_lines))
    return memo[key]


def _resolved_imports(importer: str, import_lines: Sequence[tuple[str, ...]]) -> Iterator[str]:
    for dots, module, names, plain in import_lines:
        refs = [ImportRef(plain)] if plain else [ImportRef(module, len(dots))] + [
            ImportRef(f"{module}.{name.strip()}" if module else name.strip(), len(dots))
            for name in names.split(",") if name.strip()]
        for ref in refs:
            path = resolve(importer, ref)
            if path is not None:
                yield path


_TEXTS: dict[str, tuple[tuple[int, int], Optional["SourceFile"], Optional[str]]] = {}  # path -> stamp, source, key


def current_key(path: str, like: str = "") -> Optional[str]:
    """The key of the module at `path` now, of the kind `like` is: its content (the default), or
    the words and imports the pre-filter read (None when it cannot be read)."""
    known = _facts(path)
    if known is None:
        return None
    return known[1].words_key if like.startswith(_WORDS_KEY) else known[1].key


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    """Every word some rule's pre-filter asks for, and the activations summaries look for."""
    from xentlint.rule_index import RULES

    needed = (vocabulary(Vocabulary(family)) for entry in RULES for family in entry.requires)
    return _activation_words().union(*needed)


_FACTS: dict[str, tuple[tuple[int, int], Facts]] = {}  # path -> its stamp and facts


def _facts(path: str) -> Optional[tuple[tuple[int, int], Facts]]:
    """The stamp and facts of the project module at `path`: known in this process, kept on disk
    for this stamp or content, or else learnt from one read."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    stamp = (status.st_size, status.st_mtime_ns)
    known = _FACTS.get(path)
    if known is not None and known[0] == stamp:
        return known
    store = _PROJECT.store
    facts = store.get(path, stamp) if store is not None else None
    if facts is None:
        text, key = _read(path)
        if text is None or key is None:
            return None
        facts = store.get(path, stamp, key) if store is not None else None
        if facts is None:
            facts = Facts(key, _words(text) & _known_words(), tuple(_IMPORT_LINE.findall(text)))
        _PROJECT.fresh[path] = (stamp, facts)  # new, or known by content only: kept with this stamp
    _FACTS[path] = known = (stamp, facts)
    return known


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
