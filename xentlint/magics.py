"""IPython syntax in notebook cells, masked so the rest parses as Python and restored unchanged.

Masked: line magics (`%timeit f()`), shell escapes (`!pip install x`, `files = !ls`), help
(`?obj`, `obj?`, `obj??`), automagics and aliases (`pip install x`, `cd ..`, `ls ./data`) and
cell magics (`%%bash`). Each masked line becomes a `pass` placeholder at its indentation, so rows
stay aligned and blocks stay non-empty. The body of a cell magic that runs Python (`%%time`,
`%%capture`) is analysed; any other cell magic's body is masked as a whole.

A cell this masking leaves unparseable is given to IPython's own input transformer, where
IPython is installed: the lines it rewrites are masked instead, and a cell indented as a whole
(which IPython dedents) is marked `indented`. A cell that IPython does not accept either holds a
real syntax error: it is masked as a whole (analysed as empty) and carries the error.
"""
from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

PLACEHOLDER_MARK = "#@xentlint-ipython"

# Cell magics whose body is Python, as in Ruff (the names defined by other cells stay visible).
_PYTHON_CELL_MAGICS = frozenset(("time", "timeit", "capture", "debug", "prun", "pypy", "python", "python3"))

# IPython's line magics, which run without `%` when `automagic` is on (IPython's default); as in Ruff.
_AUTOMAGICS = frozenset((
    "alias", "alias_magic", "autoawait", "autocall", "automagic", "bookmark", "cd", "code_wrap", "colors",
    "conda", "config", "debug", "dhist", "dirs", "doctest_mode", "edit", "env", "gui", "history",
    "killbgscripts", "load", "load_ext", "loadpy", "logoff", "logon", "logstart", "logstate", "logstop",
    "lsmagic", "macro", "magic", "mamba", "matplotlib", "micromamba", "notebook", "page", "pastebin", "pdb",
    "pdef", "pdoc", "pfile", "pinfo", "pinfo2", "pip", "popd", "pprint", "precision", "prun", "psearch",
    "psource", "pushd", "pwd", "pycat", "pylab", "quickref", "recall", "rehashx", "reload_ext", "rerun",
    "reset", "reset_selective", "run", "save", "sc", "set_env", "sx", "system", "tb", "time", "timeit",
    "unalias", "unload_ext", "who", "who_ls", "whos", "xdel", "xmode",
    # IPython's default shell aliases, which run without `!` in the same way.
    "cat", "clear", "cp", "ldir", "less", "lf", "lk", "ll", "ls", "lx", "man", "mkdir", "more", "mv", "rm",
    "rmdir",
))

_ESCAPED = re.compile(r"""[ \t]*(?:
      [%!?]                          # %magic, !shell, ?help
    | [\w.*]+\?{1,2}[ \t]*$          # obj? and obj?? (help)
    | [\w.,()\[\] \t*]+=[ \t]*[%!]   # files = !ls, names = %who_ls
)""", re.VERBOSE)
# `pip install x`: a magic's name, then arguments that cannot continue a Python expression.
_AUTOMAGIC = re.compile(r"[ \t]*(?P<name>[A-Za-z_]\w*)[ \t]+[^\s(\[{=,:;]")
_QUOTES = ('"""', "'''", '"', "'")
_TOKENS = re.compile(r"""(?P<comment>\#)|(?P<quote>\"\"\"|'''|"|')|(?P<open>[(\[{])|(?P<close>[)\]}])""")
_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
_STRING_ENDS = {quote: re.compile(r"(?:\\.|[^\\])*?" + re.escape(quote), re.DOTALL) for quote in _QUOTES}


@dataclass(frozen=True)
class CellSyntaxError:
    message: str
    row: int  # in the cell, from 1
    column: int


@dataclass(frozen=True)
class MaskedCell:
    text: str  # the cell with every IPython line replaced by a placeholder line
    originals: tuple[str, ...]  # the replaced lines with their line endings, in order
    indented: bool = False  # indented as a whole (IPython dedents it): parses as the body of a block
    error: Optional[CellSyntaxError] = None  # set when the cell does not parse: then it is masked whole


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split at `\\n` only, as Jupyter writes them and LibCST counts rows."""
    return _LINE.findall(text)


def is_placeholder(line: str) -> bool:
    return line.rstrip("\r\n").endswith(PLACEHOLDER_MARK)


def mask(cell: str) -> MaskedCell:
    masked = _mask_by_hand(cell)
    if _syntax_error(masked.text) is None:
        return masked
    indented = bool(_leading_indent(cell))
    if indented and _syntax_error(masked.text, indented) is None:
        return MaskedCell(masked.text, masked.originals, indented)
    transformed = _ipython_transform(cell)
    if transformed is not None:
        masked = _mask_rewritten(cell, transformed)
    error = _syntax_error(masked.text, indented)
    if error is None:
        return MaskedCell(masked.text, masked.originals, indented)
    lines = split_lines(cell)
    row = min(max(error.lineno or 1, 1), max(len(lines), 1))
    column = error.offset or 1
    return MaskedCell("".join(_placeholder(line, "") for line in lines), tuple(lines),
                      error=CellSyntaxError(f"cannot parse: {error.msg}", row, column))


def _syntax_error(text: str, indented: bool = False) -> Optional[SyntaxError]:
    """Python's error for the cell (as the body of a block when `indented`), rows counted in the cell."""
    try:
        ast.parse("if True:\n" + text if indented else text)
    except SyntaxError as error:
        if indented and error.lineno:
            error.lineno -= 1
        return error
    except (ValueError, RecursionError, MemoryError) as error:
        return SyntaxError(str(error))
    return None


def _leading_indent(cell: str) -> str:
    """The indentation IPython strips from a cell whose first line is indented."""
    first = next((line for line in split_lines(cell) if line.strip()), "")
    return first[:len(first) - len(first.lstrip(" \t"))]


def _ipython_transform(cell: str) -> Optional[str]:
    """The cell as IPython runs it, or None without IPython (or when its transformer gives up)."""
    manager = _transformer_manager()
    if manager is None:
        return None
    try:
        return manager.transform_cell(cell)
    except Exception:  # IPython's transformer raises on input it cannot tokenize
        return None


@lru_cache(maxsize=1)
def _transformer_manager() -> Optional[Any]:
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return None
    return TransformerManager()


def _mask_rewritten(cell: str, transformed: str) -> MaskedCell:
    """The lines IPython rewrote (magics, escapes) masked; the lines it kept (dedented) left as they are."""
    lines = split_lines(cell)
    indent = _leading_indent(cell)
    kept = [line.rstrip("\r\n") for line in lines]
    dedented = [line[len(indent):] if line.startswith(indent) else line for line in kept]
    start = next((index for index, line in enumerate(kept) if line.strip()), len(kept))  # IPython drops these
    matcher = difflib.SequenceMatcher(None, dedented[start:], transformed.splitlines(), autojunk=False)
    rewritten: set[int] = set()
    for tag, first, last, _, _ in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            rewritten.update(range(start + first, start + last))
    masked, originals = [], []
    block_indent = ""
    for index, line in enumerate(lines):
        if index in rewritten:
            if index - 1 not in rewritten:  # a rewritten block's lines share its first line's indentation
                block_indent = line[:len(line) - len(line.lstrip(" \t"))]
            masked.append(_placeholder(line, block_indent))
            originals.append(line)
        else:
            masked.append(line)
    return MaskedCell("".join(masked), tuple(originals))


def _mask_by_hand(cell: str) -> MaskedCell:
    lines = split_lines(cell)
    if lines and lines[0].startswith("%%"):
        name = (lines[0][2:].split() or [""])[0]
        if name not in _PYTHON_CELL_MAGICS:
            return MaskedCell("".join(_placeholder(line, "") for line in lines), tuple(lines))
    state = _PythonState()
    masked: list[str] = []
    originals: list[str] = []
    magic_indent: Optional[str] = None  # set from a magic's first line until a line not ending in `\`
    for line in lines:
        content = line.rstrip("\r\n")
        if magic_indent is None and state.at_statement_start and _is_ipython(content):
            magic_indent = content[:len(content) - len(content.lstrip())]
        if magic_indent is not None:
            masked.append(_placeholder(line, magic_indent))
            originals.append(line)
            magic_indent = magic_indent if content.endswith("\\") else None
        else:
            masked.append(line)
            state.feed(line)
    return MaskedCell("".join(masked), tuple(originals))


def unmask(text: str, originals: tuple[str, ...]) -> str:
    """Put the IPython lines back in place of their placeholders, in order."""
    restored = iter(originals)
    return "".join(next(restored) if is_placeholder(line) else line for line in split_lines(text))


def _placeholder(line: str, indent: str) -> str:
    ending = line[len(line.rstrip("\r\n")):]
    return f"{indent}pass  {PLACEHOLDER_MARK}" + ending


def _is_ipython(content: str) -> bool:
    if _ESCAPED.match(content):
        return True
    automagic = _AUTOMAGIC.match(content)
    return automagic is not None and automagic.group("name") in _AUTOMAGICS and not _compiles(content.strip())


def _compiles(line: str) -> bool:
    try:
        compile(line, "<cell>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


class _PythonState:
    """Just enough of Python's tokenizer to tell whether a line starts a new statement: IPython
    syntax is recognised there only, never inside brackets, strings or continued lines."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote = ""  # the quote of the string left open at the end of the last line
        self.continued = False

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and not self.quote and not self.continued

    def feed(self, line: str) -> None:
        position, content = 0, line.rstrip("\r\n")
        self.continued = content.endswith("\\")
        while position < len(line):
            if self.quote:
                end = _STRING_ENDS[self.quote].match(line, position)
                if end is None:
                    if len(self.quote) == 1 and not self.continued:
                        self.quote = ""  # an unterminated string: a syntax error the parser reports
                    return
                position, self.quote = end.end(), ""
                continue
            token = _TOKENS.search(line, position)
            if token is None:
                return
            if token.lastgroup == "comment":
                self.continued = False
                return
            if token.lastgroup == "quote":
                self.quote = token.group()
            else:
                self.depth = max(0, self.depth + (1 if token.lastgroup == "open" else -1))
            position = token.end()
