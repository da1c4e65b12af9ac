"""The language server end to end: a real LSP client (pytest-lsp) talks to `xentlint server` over stdio.

One server serves the module (starting one takes seconds); each test works in its own folder, so
the configuration one test writes applies to its own files only.
"""
from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402  (only once pytest-lsp, which brings it, is there)
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

MISUSE = "import torch\nimport torch.nn.functional as F\nlp = torch.log(F.softmax(z, dim=1))\n"
FIXED = "import torch\nimport torch.nn.functional as F\nlp = F.log_softmax(z, dim=1)\n"
TIMEOUT = 30
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture()
def project(workspace: Path, request: pytest.FixtureRequest) -> Path:
    folder = workspace / request.node.name
    folder.mkdir()
    return folder


@pytest_lsp.fixture(scope="module",
                    config=ClientServerConfig(server_command=[sys.executable, "-m", "xentlint", "server"]))
async def client(lsp_client: LanguageClient, workspace: Path):
    lsp_client.diagnostics = Publications()
    lsp_client.registrations = []  # what the server asks to be told about, as an editor records it

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)

    params = types.InitializeParams(capabilities=client_capabilities("visual-studio-code"),
                                    root_uri=workspace.as_uri())
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


class Publications(dict):
    """`client.diagnostics`, which pytest-lsp sets on each publication, keeping every publication in order."""

    def __init__(self) -> None:
        super().__init__()
        self.history: list[tuple[str, list[types.Diagnostic]]] = []

    def __setitem__(self, uri: str, diagnostics: Sequence[types.Diagnostic]) -> None:
        self.history.append((uri, list(diagnostics)))
        super().__setitem__(uri, diagnostics)


async def after(client: LanguageClient, uri: str, action: Callable[[], None]) -> list[types.Diagnostic]:
    """The first diagnostics published for `uri` once `action` is done."""
    since = len(client.diagnostics.history)
    action()
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for published_uri, diagnostics in client.diagnostics.history[since:]:
            if published_uri == uri:
                return diagnostics
        await asyncio.sleep(0.02)
    raise TimeoutError(f"no diagnostics for {uri}")


async def open_document(client: LanguageClient, path: Path, text: str) -> tuple[str, list[types.Diagnostic]]:
    uri = path.as_uri()
    item = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
    return uri, await after(client, uri, lambda: client.text_document_did_open(types.DidOpenTextDocumentParams(item)))


def change_document(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [types.TextDocumentContentChangeWholeDocument(text=text)]))


def apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP text edits as an editor does (the sources here are ASCII: characters are code units)."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[:position.line]) + position.character

    for edit in sorted(edits, key=lambda edit: (edit.range.start.line, edit.range.start.character), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


async def code_actions(client: LanguageClient, uri: str, at: types.Range, diagnostics: Sequence[types.Diagnostic],
                       only: Optional[list[str]] = None) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri=uri), at, types.CodeActionContext(diagnostics=list(diagnostics), only=only)))
    return [action for action in result or [] if isinstance(action, types.CodeAction)]


async def test_diagnostic_then_quick_fix_then_clean(client: LanguageClient, project: Path) -> None:
    uri, [diagnostic] = await open_document(client, project / "train.py", MISUSE)
    assert diagnostic.code == "XL301" and diagnostic.source == "xentlint"
    assert diagnostic.code_description.href.endswith("/rules/XL301.md")
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (2, 5)
    assert (diagnostic.range.end.line, diagnostic.range.end.character) == (2, 35)

    actions = await code_actions(client, uri, diagnostic.range, [diagnostic])
    [quick_fix] = [action for action in actions if action.kind == types.CodeActionKind.QuickFix]
    assert quick_fix.title.startswith("xentlint (XL301): ") and quick_fix.is_preferred
    assert quick_fix.diagnostics[0].code == "XL301"
    fixed = apply(MISUSE, quick_fix.edit.changes[uri])
    assert fixed == FIXED

    assert await after(client, uri, lambda: change_document(client, uri, 2, fixed)) == []


async def test_positions_count_utf16_units_as_lsp_does(client: LanguageClient, project: Path) -> None:
    text = MISUSE.replace("lp = ", "lp = '\U0001f600' and ")  # an emoji: one code point, two UTF-16 units
    _, [diagnostic] = await open_document(client, project / "emoji.py", text)
    assert diagnostic.range.start.character == len("lp = '\U0001f600' and ") + 1


async def test_syntax_error_is_shown_where_python_reports_it(client: LanguageClient, project: Path) -> None:
    text = 's = "x"\nx = torch.log_softmax(torch.randn(2, 3), dim=1))\n'
    _, [diagnostic] = await open_document(client, project / "broken.py", text)
    assert diagnostic.code == "XL001" and diagnostic.severity == types.DiagnosticSeverity.Error
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (1, 47)  # the `)`, not 0:0


async def test_fix_all_source_action(client: LanguageClient, project: Path) -> None:
    text = MISUSE + "lq = torch.log(F.softmax(w, dim=-1))\n"
    uri, diagnostics = await open_document(client, project / "train.py", text)
    assert len(diagnostics) == 2
    start = types.Position(line=0, character=0)
    actions = await code_actions(client, uri, types.Range(start, start), [], only=[types.CodeActionKind.SourceFixAll])
    [fix_all] = actions
    assert fix_all.kind == "source.fixAll.xentlint"
    assert apply(text, fix_all.edit.changes[uri]) == FIXED + "lq = F.log_softmax(w, dim=-1)\n"


async def test_changes_are_debounced_and_only_the_latest_version_is_published(
        client: LanguageClient, project: Path) -> None:
    uri, diagnostics = await open_document(client, project / "train.py", "import torch\n")
    assert diagnostics == []

    def type_quickly() -> None:  # each change within the debounce delay of the last
        for version in range(2, 6):
            change_document(client, uri, version, MISUSE[:10 * version])  # unfinished: syntax errors
        change_document(client, uri, 6, MISUSE)

    since = len(client.diagnostics.history)
    assert [d.code for d in await after(client, uri, type_quickly)] == ["XL301"]
    assert [uri_ for uri_, _ in client.diagnostics.history[since:]].count(uri) == 1


async def test_configuration_is_honoured_and_reloaded_when_it_changes(client: LanguageClient, project: Path) -> None:
    [watch] = client.registrations
    assert watch.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert {w["globPattern"] for w in watch.register_options["watchers"]} == {"**/pyproject.toml", "**/xentlint.toml"}
    uri, diagnostics = await open_document(client, project / "train.py", MISUSE)
    assert [d.code for d in diagnostics] == ["XL301"]

    config = project / "pyproject.toml"
    config.write_text('[tool.xentlint]\nignore = ["XL301"]\n')
    event = types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Created)
    changed = types.DidChangeWatchedFilesParams([event])
    assert await after(client, uri, lambda: client.workspace_did_change_watched_files(changed)) == []

    config.write_text('[tool.xentlint]\nselect = ["XL3"]\n')
    saved = types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=config.as_uri()))
    assert [d.code for d in await after(client, uri, lambda: client.text_document_did_save(saved))] == ["XL301"]


async def test_broken_configuration_is_shown_and_the_defaults_apply(client: LanguageClient, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.xentlint]\nselct = ["XL3"]\n')
    _, diagnostics = await open_document(client, project / "train.py", MISUSE)
    assert [d.code for d in diagnostics] == ["XL301"]
    [message] = [m for m in client.messages if "selct" in m.message]
    assert message.type == types.MessageType.Error and "unknown key 'selct'" in message.message


async def test_closing_clears_the_diagnostics(client: LanguageClient, project: Path) -> None:
    uri, diagnostics = await open_document(client, project / "train.py", MISUSE)
    assert len(diagnostics) == 1
    closed = types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri))
    assert await after(client, uri, lambda: client.text_document_did_close(closed)) == []


MODEL = ("import torch.nn as nn\nimport torch.nn.functional as F\n\n\nclass Net(nn.Module):\n"
         "    def forward(self, x):\n        return F.softmax(x, dim=1)\n")
TRAIN = "import torch.nn as nn\nfrom models import Net\n\nloss = nn.CrossEntropyLoss()(Net()(x), y)\n"


async def test_saving_an_imported_module_refreshes_its_dependants(client: LanguageClient, project: Path) -> None:
    models = project / "models.py"
    models.write_text(MODEL)
    uri, [diagnostic] = await open_document(client, project / "train.py", TRAIN)
    assert diagnostic.code == "XL101" and "the softmax at models.py:7" in diagnostic.message
    models.write_text(MODEL.replace("F.softmax(x, dim=1)", "x"))
    saved = types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=models.as_uri()))
    assert await after(client, uri, lambda: client.text_document_did_save(saved)) == []
