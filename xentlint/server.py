"""The language server (LSP over stdio, with pygls): findings as you type, fixes as code actions.

Diagnostics are published on open and, debounced, on change; they are computed in a worker
thread so the server keeps answering meanwhile, and dropped if the document changed in between.
Each finding's fix is a quick fix; `source.fixAll.xentlint` applies every applicable fix. The
project's configuration applies as on the command line, and is read again when a
`pyproject.toml` or `xentlint.toml` changes or is saved. Names imported from the project's
modules resolve against the workspace folders too, and saving a module re-checks the open
documents whose findings used it.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import PositionCodec, TextDocument

from xentlint import __version__, api
from xentlint.config import (
    CONFIG_FILE,
    PYPROJECT,
    ConfigError,
    Overrides,
    Settings,
    SettingsResolver,
    select_codes,
)
from xentlint.diagnostics import Applicability, Diagnostic, Location
from xentlint.project import project

DEBOUNCE_SECONDS = 0.3
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.xentlint"
CONFIG_FILES = (CONFIG_FILE, PYPROJECT)
PYTHON_SUFFIXES = (".py", ".pyi")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Published:
    """The findings last published for one version of a document, kept for its code actions."""

    version: Optional[int]
    findings: tuple[tuple[Diagnostic, types.Diagnostic], ...]
    unsafe_fixes: bool


class XentlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("xentlint", __version__)
        self.resolver = SettingsResolver(Overrides())
        # One worker: checks run one at a time, off the thread that talks to the editor.
        self.checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xentlint-check")
        self.pending: dict[str, asyncio.Task] = {}
        self.published: dict[str, _Published] = {}
        self.dependencies: dict[str, frozenset[str]] = {}  # uri -> the project modules its check read
        self.reported_config_error = ""

    def schedule(self, uri: str, delay: float) -> None:
        """Check the document after `delay`, in place of the check scheduled before (if not finished)."""
        self._cancel_check(uri)
        self.pending[uri] = asyncio.get_running_loop().create_task(self._check_later(uri, delay))

    def forget(self, uri: str) -> None:
        self._cancel_check(uri)
        self.published.pop(uri, None)
        self.dependencies.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def refresh_dependants(self, saved: Path) -> None:
        """Re-check the open documents whose findings used the module just saved."""
        module = os.path.abspath(saved)
        for uri, modules in list(self.dependencies.items()):
            if module in modules:
                self.schedule(uri, 0)

    def reload_configuration(self) -> None:
        self.resolver = SettingsResolver(Overrides())
        self.reported_config_error = ""
        for document in list(self.workspace.text_documents.values()):
            if _is_python(document):
                self.schedule(document.uri, 0)

    def settings(self, path: Path) -> Settings:
        """The settings for `path`; with a broken configuration, the defaults (and the error shown once)."""
        try:
            return self.resolver.for_path(path)
        except ConfigError as error:
            if str(error) != self.reported_config_error:
                self.reported_config_error = str(error)
                self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"xentlint: {error}"))
            return Settings(codes=select_codes(()))

    def _cancel_check(self, uri: str) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()

    async def _check_later(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        document = self.workspace.get_text_document(uri)
        version, source, path = document.version, document.source, _path(document)
        settings = self.settings(path)
        findings: list[Diagnostic] = []
        if not settings.is_excluded(path, is_dir=False):
            findings, self.dependencies[uri] = await asyncio.get_running_loop().run_in_executor(
                self.checker, api.check_with_dependencies, source, str(path), settings.codes_for(path),
                settings.source_roots)
        if self.workspace.get_text_document(uri).version != version:
            return  # edited (or closed) meanwhile: a newer check is on its way
        lines = source.splitlines(keepends=True)
        pairs = tuple((finding, _to_lsp(finding, document.position_codec, lines)) for finding in findings)
        self.published[uri] = _Published(version, pairs, settings.unsafe_fixes)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=version, diagnostics=[lsp for _, lsp in pairs]))

    async def fix_all(self, document: TextDocument) -> Optional[str]:
        """The document with every applicable fix applied, or None if nothing changes."""
        path = _path(document)
        settings = self.settings(path)
        source = document.source
        result = await asyncio.get_running_loop().run_in_executor(
            self.checker, api.fix_source, source, str(path), settings.codes_for(path), settings.unsafe_fixes)
        return None if result.error is not None or result.source == source else result.source


def create_server() -> XentlintServer:
    server = XentlintServer()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: XentlintServer, params: types.InitializedParams) -> None:
        # Project imports resolve against the workspace folders too, as the editor's interpreter would.
        project().workspace_roots = [os.path.abspath(folder) for folder in _workspace_folders(ls)]
        workspace = ls.client_capabilities.workspace
        watching = workspace.did_change_watched_files if workspace is not None else None
        if watching is None or not watching.dynamic_registration:
            return  # saving a configuration file open in the editor still reloads it
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_FILES]
        registration = types.Registration(
            id="xentlint-configuration", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))
        try:
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception as error:  # the client said no: configuration still reloads on save
            log.info("cannot watch configuration files: %s", error)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: XentlintServer, params: types.DidOpenTextDocumentParams) -> None:
        if _is_python(ls.workspace.get_text_document(params.text_document.uri)):
            ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: XentlintServer, params: types.DidChangeTextDocumentParams) -> None:
        if _is_python(ls.workspace.get_text_document(params.text_document.uri)):
            ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: XentlintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: XentlintServer, params: types.DidSaveTextDocumentParams) -> None:
        if _is_configuration(params.text_document.uri):
            ls.reload_configuration()
        else:
            saved = to_fs_path(params.text_document.uri)
            if saved:
                ls.refresh_dependants(Path(saved))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: XentlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(_is_configuration(change.uri) for change in params.changes):
            ls.reload_configuration()

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]))
    async def code_action(ls: XentlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        document = ls.workspace.get_text_document(uri)
        published = ls.published.get(uri)
        if published is None or published.version != document.version:
            return []  # findings of an older version would edit the wrong places
        actions = []
        if _wanted(types.CodeActionKind.QuickFix, params.context.only):
            actions += [_quick_fix(uri, finding, lsp, document) for finding, lsp in published.findings
                        if finding.fix is not None and _overlaps(lsp.range, params.range)]
        fixable = any(finding.fix is not None and finding.fix.applies(published.unsafe_fixes)
                      for finding, _ in published.findings)
        if fixable and _wanted(FIX_ALL_KIND, params.context.only):
            fixed = await ls.fix_all(document)
            if fixed is not None and ls.workspace.get_text_document(uri).version == document.version:
                edit = types.TextEdit(_whole(document), fixed)
                actions.append(types.CodeAction(title="xentlint: fix all findings", kind=FIX_ALL_KIND,
                                                edit=types.WorkspaceEdit(changes={uri: [edit]})))
        return actions

    return server


def serve() -> None:
    create_server().start_io()


def _workspace_folders(ls: XentlintServer) -> list[str]:
    folders = [to_fs_path(folder.uri) for folder in ls.workspace.folders.values()]
    root = ls.workspace.root_path
    return [folder for folder in folders if folder] or ([root] if root else [])


def _path(document: TextDocument) -> Path:
    """The file the document is (configuration is looked up from it); untitled ones are in the working folder."""
    path = to_fs_path(document.uri) if document.uri.startswith("file:") else None
    return Path(path) if path else Path.cwd() / "untitled.py"


def _is_python(document: TextDocument) -> bool:
    return document.language_id == "python" or Path(document.uri).suffix in PYTHON_SUFFIXES


def _is_configuration(uri: str) -> bool:
    return uri.rsplit("/", 1)[-1] in CONFIG_FILES


def _wanted(kind: str, only: Optional[Sequence[str]]) -> bool:
    """Whether a requested kind (`source`, `source.fixAll`, ...) covers `kind`; all are when none is named."""
    return only is None or any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


def _position(location: Location, codec: PositionCodec, lines: list[str]) -> types.Position:
    # xentlint counts code points from 1; LSP counts the client's units (UTF-16 by default) from 0.
    return codec.position_to_client_units(lines, types.Position(line=location.row - 1, character=location.column - 1))


def _range(start: Location, end: Location, codec: PositionCodec, lines: list[str]) -> types.Range:
    return types.Range(_position(start, codec, lines), _position(end, codec, lines))


def _to_lsp(finding: Diagnostic, codec: PositionCodec, lines: list[str]) -> types.Diagnostic:
    about_the_file = finding.url is None  # XL0xx: the file cannot be checked
    return types.Diagnostic(
        range=_range(finding.location, finding.end_location, codec, lines),
        message=finding.message,
        severity=types.DiagnosticSeverity.Error if about_the_file else types.DiagnosticSeverity.Warning,
        code=finding.code,
        code_description=None if about_the_file else types.CodeDescription(href=finding.url),
        source="xentlint",
    )


def _quick_fix(uri: str, finding: Diagnostic, lsp: types.Diagnostic, document: TextDocument) -> types.CodeAction:
    assert finding.fix is not None
    lines = document.source.splitlines(keepends=True)
    edits = [types.TextEdit(_range(edit.location, edit.end_location, document.position_codec, lines), edit.content)
             for edit in finding.fix.edits]
    safe = finding.fix.applicability is Applicability.SAFE
    return types.CodeAction(
        title=f"xentlint ({finding.code}): {finding.fix.message}{'' if safe else ' (unsafe)'}",
        kind=types.CodeActionKind.QuickFix, diagnostics=[lsp], is_preferred=safe,
        edit=types.WorkspaceEdit(changes={uri: edits}))


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(position: types.Position) -> tuple[int, int]:
        return position.line, position.character

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _whole(document: TextDocument) -> types.Range:
    lines = document.lines
    if not lines or lines[-1].endswith(("\n", "\r")):
        end = types.Position(line=len(lines), character=0)
    else:
        end = document.position_codec.position_to_client_units(
            lines, types.Position(line=len(lines) - 1, character=len(lines[-1])))
    return types.Range(types.Position(line=0, character=0), end)
