"""The shape of the package: no import cycles, short modules, one list of output formats."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Optional

from xentlint import cli, knowledge, output

PACKAGE = Path(__file__).resolve().parent.parent / "xentlint"
MAX_LINES = 800


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[ast.stmt]:
    """Every import statement that runs, in functions too; `if TYPE_CHECKING:` blocks never run."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _resolve(module: str, statement: ast.ImportFrom) -> Optional[str]:
    if not statement.level:
        return statement.module
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(statement.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{statement.module}" if statement.module else package


def import_graph() -> dict[str, set[str]]:
    """Which xentlint modules each xentlint module imports (`from pkg import sub` imports `pkg.sub`)."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets: set[str] = set()
        for statement in _imports(ast.parse(path.read_text())):
            if isinstance(statement, ast.Import):
                targets.update(alias.name for alias in statement.names)
                continue
            base = _resolve(module, statement)
            if base is None:
                continue
            submodules = {f"{base}.{alias.name}" for alias in statement.names} & MODULES.keys()
            targets.update(submodules or {base})
        graph[module] = {target for target in targets if target in MODULES and target != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_import_graph_sees_function_local_imports_and_cycles() -> None:
    graph = import_graph()
    assert "xentlint.engine" in graph["xentlint.api"]  # imported inside a function
    assert "xentlint.cli" not in graph["xentlint.api"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_inside_the_package() -> None:
    assert cycles(import_graph()) == []


def test_no_module_over_the_line_limit() -> None:
    long = {str(path.relative_to(PACKAGE)): count for path in MODULES.values()
            if (count := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_cli_offers_exactly_the_output_formats() -> None:
    assert cli.FORMATS == output.FORMATS


def test_every_vocabulary_has_its_own_names() -> None:
    for family in knowledge.Vocabulary:
        assert knowledge.vocabulary(family), family


def test_a_large_file_with_suppressions_is_tokenized_once(monkeypatch) -> None:
    import tokenize

    from xentlint import engine, tokens, views
    from xentlint.registry import default_codes

    calls = []
    original = tokenize.generate_tokens
    monkeypatch.setattr(tokenize, "generate_tokens", lambda readline: calls.append(1) or original(readline))
    tokens.scan.cache_clear()
    function = "def f_{}(z, y):\n    return F.cross_entropy(F.softmax(z, dim=1), y)  # noqa: XL101\n\n\n"
    source = "import torch.nn.functional as F\n\n\n" + "".join(function.format(i) for i in range(1500))
    assert len(source) > views.VIEW_CHARS
    assert engine.lint_source(source, "m.py", default_codes()).diagnostics == []
    assert len(calls) == 1


def test_check_never_imports_numpy_nor_libcst_for_a_file_without_losses(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "m.py").write_text("import torch.nn.functional as F\n\ndef f(z, y):\n"
                                   "    return F.cross_entropy(F.softmax(z, dim=1), y)\n")
    (tmp_path / "plain.py").write_text("print('hello')\n")
    probe = ("import sys\nfrom xentlint import api\nfrom xentlint.registry import default_codes\n"
             "api.check_source(open(sys.argv[1]).read(), 'm.py', default_codes())\n"
             "print(sorted(m for m in ('numpy', 'libcst') if m in sys.modules))\n")

    def loaded(name: str) -> str:
        return subprocess.run([sys.executable, "-c", probe, str(tmp_path / name)], capture_output=True,
                              text=True, check=True).stdout.strip()
    assert loaded("m.py") == "['libcst']"  # a check parses, and never needs NumPy
    assert loaded("plain.py") == "[]"


def test_a_few_heavy_files_go_to_the_pool_and_a_few_light_ones_do_not(tmp_path: Path, monkeypatch) -> None:
    import concurrent.futures

    from xentlint import api
    from xentlint.registry import default_codes

    started = []

    class SerialPool:
        def __init__(self, max_workers: int, **worker_setup: object) -> None:
            started.append(max_workers)

        def __enter__(self) -> "SerialPool":
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def submit(self, function, item) -> concurrent.futures.Future:
            future: concurrent.futures.Future = concurrent.futures.Future()
            future.set_result(function(item))
            return future

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", SerialPool)
    light = [tmp_path / f"light_{i}.py" for i in range(3)]
    heavy = [tmp_path / f"heavy_{i}.py" for i in range(2)]
    for path in light:
        path.write_text("x = 1\n")
    for path in heavy:
        path.write_text("x = 1\n" * 12_000)  # 72 KB each

    def run(paths: list[Path]) -> None:
        api.run([api.FileTask(path, path.name, default_codes()) for path in paths], jobs=2)

    run(light)
    assert started == []
    run(heavy)
    assert started == [2]
