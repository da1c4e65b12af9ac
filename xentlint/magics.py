"""IPython syntax in notebook cells, masked so the rest parses as Python and restored unchanged.

Masked: line magics (`%timeit f()`), shell escapes (`!pip install x`, `files = !ls`), help
(`?obj`, `obj?`, `obj??`), automagics (`pip install x`, `cd ..`) and cell magics (`%%bash`).
Each masked line becomes a `pass` placeholder at its indentation, so rows stay aligned and
blocks stay non-empty. The body of a cell magic that runs Python (`%%time`, `%%capture`) is
analysed; any other cell magic's body is masked as a whole.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

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
class MaskedCell:
    text: str  # the cell with every IPython line replaced by a placeholder line
    originals: tuple[str, ...]  # the replaced lines with their line endings, in order


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split at `\\n` only, as Jupyter writes them and LibCST counts rows."""
    return _LINE.findall(text)


def is_placeholder(line: str) -> bool:
    return line.rstrip("\r\n").endswith(PLACEHOLDER_MARK)


def mask(cell: str) -> MaskedCell:
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
