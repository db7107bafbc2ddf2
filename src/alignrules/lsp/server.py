"""`alignrules lsp`: the language server, over stdio (pygls and lsprotocol).

It reads the compiler through one seam, `alignrules.compile.analyze` (parse and type-check,
no code generated or run), and answers from the result: diagnostics (the compiler's own,
published for every file of the ruleset, debounced after edits), hover, definition,
references, completion, document symbols, formatting (`alignrules fmt`) and quick fixes for
"did you mean" hints.

Which files are one ruleset: the folders given in the initialization options
(`{"rulesets": ["rulesets/strategy"]}`, relative to the workspace root) are each compiled
whole, as `alignrules check FOLDER` does; any other file is compiled with what it imports,
as `alignrules check FILE` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from alignrules.compile import VERSION, Analysis, analyze
from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.lsp.complete import Item, complete
from alignrules.lsp.convert import (
    offset_of,
    position,
    range_from_json,
    to_lsp_diagnostic,
    to_range,
)
from alignrules.lsp.describe import describe
from alignrules.lsp.index import Index, Key, Occurrence, build_index
from alignrules.source import Source, Span
from alignrules.syntax import ast
from alignrules.syntax.printer import format_source

#: How long the server waits after an edit before it analyses, so that typing is not
#: slowed by an analysis per keystroke (overridable: initialization option `debounce_ms`).
DEBOUNCE_MS: Final = 150


_COMPLETION_KINDS: Final[dict[str, lsp.CompletionItemKind]] = {
    "field": lsp.CompletionItemKind.Field,
    "value": lsp.CompletionItemKind.EnumMember,
    "keyword": lsp.CompletionItemKind.Keyword,
    "entity": lsp.CompletionItemKind.Class,
    "param": lsp.CompletionItemKind.Constant,
    "predicate": lsp.CompletionItemKind.Function,
    "function": lsp.CompletionItemKind.Function,
    "type": lsp.CompletionItemKind.TypeParameter,
}


@attrs.define
class _State:
    """One ruleset's latest analysis, and the text it was made from."""

    analysis: Analysis
    overlay: dict[Path, str]
    index: Index | None = None
    #: What the editor was last sent for each file, so that unchanged files are not resent.
    published: dict[Path, list[lsp.Diagnostic]] = attrs.Factory(dict)


class AlignrulesServer(LanguageServer):
    """The server: one per process, holding the analyses of the rulesets being edited."""

    def __init__(self) -> None:
        super().__init__("alignrules", VERSION)
        self.ruleset_folders: list[Path] = []
        self.debounce = DEBOUNCE_MS / 1000
        self.states: dict[tuple[Path, ...], _State] = {}
        self.last_program: dict[tuple[Path, ...], Analysis] = {}
        self.pending: dict[tuple[Path, ...], asyncio.TimerHandle] = {}

    # ------------------------------------------------------------ rulesets and analysis
    def configure(self, root: Path | None, options: Mapping[str, Any]) -> None:
        base = root or Path.cwd()
        self.ruleset_folders = [(base / str(f)).resolve() for f in options.get("rulesets", [])]
        if "debounce_ms" in options:
            self.debounce = float(options["debounce_ms"]) / 1000

    def roots_for(self, path: Path) -> tuple[Path, ...]:
        for folder in self.ruleset_folders:
            if path.is_relative_to(folder):
                return (folder,)
        return (path,)

    def overlay(self) -> dict[Path, str]:
        """The text of every open ruleset document (unsaved edits included)."""
        out: dict[Path, str] = {}
        for uri, doc in self.workspace.text_documents.items():
            fs = to_fs_path(uri)
            if fs is not None and fs.endswith(".rules"):
                out[Path(fs).resolve()] = doc.source
        return out

    def state(self, roots: tuple[Path, ...]) -> _State:
        """The analysis of `roots` for the current text, made now if the text changed."""
        overlay = self.overlay()
        state = self.states.get(roots)
        if state is None or state.overlay != overlay:
            state = _State(_analyze(roots, overlay), overlay, published=_published(state))
            self.states[roots] = state
            if state.analysis.program is not None:
                self.last_program[roots] = state.analysis
        return state

    def index(self, roots: tuple[Path, ...]) -> tuple[_State, Index]:
        state = self.state(roots)
        if state.index is None:
            state.index = build_index(state.analysis)
        return state, state.index

    def schedule(self, path: Path) -> None:
        """Analyse the ruleset of `path`, and every other ruleset known to read it (through
        an import), once edits pause for the debounce time."""
        readers = [r for r, st in self.states.items() if path in st.analysis.paths.values()]
        loop = asyncio.get_running_loop()
        own = self.roots_for(path)
        for roots in dict.fromkeys([own, *readers]):
            if (handle := self.pending.pop(roots, None)) is not None:
                handle.cancel()
            edited = path if roots == own else None
            self.pending[roots] = loop.call_later(self.debounce, self.publish, roots, edited)

    def publish(self, roots: tuple[Path, ...], edited: Path | None) -> None:
        """Send the diagnostics of the edited file (when it is of this ruleset), and of every
        other file of the ruleset whose diagnostics changed (an edit in one file can break or
        fix another)."""
        self.pending.pop(roots, None)
        state = self.state(roots)
        by_path: dict[Path, list[lsp.Diagnostic]] = {path: [] for path, _ in state.analysis.files}
        if edited is not None:
            by_path.setdefault(edited, [])
        index: Index | None = None
        for d in state.analysis.diagnostics:
            path = _path_of(d, state.analysis, roots)
            related: list[lsp.DiagnosticRelatedInformation] = []
            if d.code in _DUPLICATES and d.span is not None:
                state, index = self.index(roots) if index is None else (state, index)
                related = _other_declarations(index, d.span)
            by_path.setdefault(path, []).append(to_lsp_diagnostic(d, related))
        for path in state.published.keys() - by_path.keys():
            by_path[path] = []
        for path, diagnostics in by_path.items():
            if path == edited or state.published.get(path, []) != diagnostics:
                self.text_document_publish_diagnostics(
                    lsp.PublishDiagnosticsParams(uri=_uri(path), diagnostics=diagnostics)
                )
        state.published = by_path


#: Codes whose diagnostic points at a second declaration of a name: the first is related.
_DUPLICATES: Final = frozenset({"duplicate-name", "duplicate-rule"})


def _other_declarations(index: Index, span: Span) -> list[lsp.DiagnosticRelatedInformation]:
    """The other declarations of the name a duplicate-name diagnostic points at."""
    name = span.source.text[span.start : span.end]
    return [
        lsp.DiagnosticRelatedInformation(
            location=_location(index, o.span), message=f"`{name}` is also declared here"
        )
        for o in index.occurrences
        if o.decl
        and o.key[-1] == name
        and (o.span.source.name, o.span.start) != (span.source.name, span.start)
    ]


def _published(state: _State | None) -> dict[Path, list[lsp.Diagnostic]]:
    return {} if state is None else state.published


def _analyze(roots: Sequence[Path], overlay: Mapping[Path, str]) -> Analysis:
    try:
        return analyze(list(roots), overlay)
    except DiagnosticError as exc:  # a folder without rulesets, an unreadable file
        return Analysis((), None, exc.diagnostics, {})


def _path_of(d: Diagnostic, analysis: Analysis, roots: Sequence[Path]) -> Path:
    if d.span is not None and d.span.source.name in analysis.paths:
        return analysis.paths[d.span.source.name]
    return roots[0]


def _uri(path: Path) -> str:
    uri = from_fs_path(str(path))
    assert isinstance(uri, str)
    return uri


def _path(uri: str) -> Path | None:
    fs = to_fs_path(uri)
    return None if fs is None else Path(fs).resolve()


# ------------------------------------------------------------------ the features
def make_server() -> AlignrulesServer:
    """A server with every feature registered; `make_server().start_io()` serves stdio."""
    server = AlignrulesServer()

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: AlignrulesServer, params: lsp.InitializeParams) -> None:
        root = None if params.root_uri is None else _path(params.root_uri)
        if root is None and params.root_path:
            root = Path(params.root_path).resolve()
        options = params.initialization_options
        ls.configure(root, options if isinstance(options, dict) else {})

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AlignrulesServer, params: lsp.DidOpenTextDocumentParams) -> None:
        if (path := _path(params.text_document.uri)) is not None:
            ls.schedule(path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AlignrulesServer, params: lsp.DidChangeTextDocumentParams) -> None:
        if (path := _path(params.text_document.uri)) is not None:
            ls.schedule(path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: AlignrulesServer, params: lsp.DidSaveTextDocumentParams) -> None:
        if (path := _path(params.text_document.uri)) is not None:
            ls.states.pop(ls.roots_for(path), None)  # files not open are read again
            ls.schedule(path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AlignrulesServer, params: lsp.DidCloseTextDocumentParams) -> None:
        if (path := _path(params.text_document.uri)) is not None:
            ls.schedule(path)  # the file on disk now stands for the closed buffer

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: AlignrulesServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        for roots in list(ls.states):
            ls.states[roots].overlay = {}  # force a fresh read of files not open
            ls.schedule(roots[0])

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: AlignrulesServer, params: lsp.HoverParams) -> lsp.Hover | None:
        found = _at(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        state, _, occ = found
        text = describe(occ.key, state.analysis)
        last = ls.last_program.get(ls.roots_for(_path(params.text_document.uri) or Path()))
        if text is None and last is not None:
            # While another file does not parse there is no IR; names are described by the
            # last one (hover looks names up, not places, so older offsets do no harm).
            text = describe(occ.key, last)
        if text is None:
            return None
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
            range=to_range(occ.span),
        )

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: AlignrulesServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
        found = _at(ls, params.text_document.uri, params.position)
        if found is None:
            return []
        _, index, occ = found
        if occ.key[0] == "file":
            start = lsp.Position(line=0, character=0)
            return [lsp.Location(uri=_uri(Path(occ.key[1])), range=lsp.Range(start, start))]
        decl = index.declaration(occ.key)
        return [] if decl is None else [_location(index, decl.span)]

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def references(ls: AlignrulesServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
        found = _at(ls, params.text_document.uri, params.position)
        if found is None:
            return []
        _, index, occ = found
        keep_decl = params.context.include_declaration
        return [_location(index, o.span) for o in index.uses(occ.key) if keep_decl or not o.decl]

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=[".", " ", "{"]),
    )
    def completion(ls: AlignrulesServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        path = _path(params.text_document.uri)
        doc = ls.workspace.get_text_document(params.text_document.uri)
        if path is None:
            return lsp.CompletionList(is_incomplete=False, items=[])
        roots = ls.roots_for(path)
        state = ls.state(roots)
        good = state.analysis if state.analysis.program is not None else ls.last_program.get(roots)
        offset = offset_of(doc.source, params.position)
        program = None if good is None else good.program
        items = complete(doc.source, offset, program)
        return lsp.CompletionList(is_incomplete=False, items=[_item(i) for i in items])

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def symbols(ls: AlignrulesServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        path = _path(params.text_document.uri)
        if path is None:
            return []
        state = ls.state(ls.roots_for(path))
        trees = [tree for p, tree in state.analysis.files if p == path]
        return [] if not trees else [s for d in trees[0].decls for s in _symbols(d)]

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    def formatting(
        ls: AlignrulesServer, params: lsp.DocumentFormattingParams
    ) -> list[lsp.TextEdit] | None:
        doc = ls.workspace.get_text_document(params.text_document.uri)
        src = Source(doc.filename or doc.uri, doc.source)
        try:
            text = format_source(src)
        except DiagnosticError:
            return None  # a file that does not parse is left alone, as `alignrules fmt` does
        if text == doc.source:
            return []
        whole = lsp.Range(start=lsp.Position(0, 0), end=position(src, len(src.text)))
        return [lsp.TextEdit(range=whole, new_text=text)]

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_actions(ls: AlignrulesServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        out = []
        for d in params.context.diagnostics:
            replace = d.data.get("replace") if isinstance(d.data, dict) else None
            if replace is None:
                continue
            edit = lsp.TextEdit(range=range_from_json(replace["range"]), new_text=replace["with"])
            out.append(
                lsp.CodeAction(
                    title=f"Replace with `{replace['with']}`",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[d],
                    is_preferred=True,
                    edit=lsp.WorkspaceEdit(changes={params.text_document.uri: [edit]}),
                )
            )
        return out

    return server


def _at(
    ls: AlignrulesServer, uri: str, pos: lsp.Position
) -> tuple[_State, Index, Occurrence] | None:
    path = _path(uri)
    if path is None:
        return None
    state, index = ls.index(ls.roots_for(path))
    doc = ls.workspace.get_text_document(uri)
    occ = index.at(path, offset_of(doc.source, pos))
    return None if occ is None else (state, index, occ)


def _location(index: Index, span: Span) -> lsp.Location:
    return lsp.Location(uri=_uri(index.paths[span.source.name]), range=to_range(span))


def _item(i: Item) -> lsp.CompletionItem:
    return lsp.CompletionItem(
        label=i.label, kind=_COMPLETION_KINDS[i.kind], detail=i.detail or None
    )


def _symbol(
    name: str,
    kind: lsp.SymbolKind,
    span: Span,
    name_span: Span,
    detail: str = "",
    children: list[lsp.DocumentSymbol] | None = None,
) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(
        name=name,
        kind=kind,
        range=to_range(span),
        selection_range=to_range(name_span),
        detail=detail or None,
        children=children,
    )


def _symbols(d: ast.Decl) -> list[lsp.DocumentSymbol]:
    match d:
        case ast.RuleDecl():
            title = next((m.values[0] for m in d.meta if m.key == "title" and m.values), "")
            return [_symbol(d.id, lsp.SymbolKind.Event, d.span, d.id_span, title)]
        case ast.EntityDecl():
            fields = [
                _symbol(f.name, lsp.SymbolKind.Field, f.span, f.name_span, _type_text(f.type))
                for f in d.fields
            ]
            return [_symbol(d.name, lsp.SymbolKind.Class, d.span, d.name_span, "entity", fields)]
        case ast.EnumDecl():
            values = [_symbol(v.name, lsp.SymbolKind.EnumMember, v.span, v.span) for v in d.values]
            kind = "ordered enum" if d.ordered else "enum"
            return [_symbol(d.name, lsp.SymbolKind.Enum, d.span, d.name_span, kind, values)]
        case ast.ParamDecl():
            return [_symbol(d.name, lsp.SymbolKind.Constant, d.span, d.name_span, "parameter")]
        case ast.PredicateDecl():
            return [_symbol(d.name, lsp.SymbolKind.Function, d.span, d.name_span, "predicate")]
        case ast.ExampleDecl():
            return [_symbol(d.name, lsp.SymbolKind.Module, d.span, d.span, "example")]
        case ast.ImportDecl():
            return []
    return []


def _type_text(ref: ast.TypeRef) -> str:
    text = f"{ref.collection} of {ref.name}" if ref.collection else ref.name
    return text + ("?" if ref.optional else "")


def serve() -> None:
    """Serve the language server protocol on stdin and stdout until the client exits."""
    make_server().start_io()


__all__ = ["AlignrulesServer", "Key", "make_server", "serve"]
