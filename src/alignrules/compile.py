"""The pipeline driver: ruleset files → Diagnostics, or a compiled and loaded module.

Compiled modules are cached in memory by sha256 of the alignrules version, the grammar and
every ruleset file's name and text (the idea of Jinja's `bc_magic` and lark's cache key).
Parsed files are cached too, by name and text, so that finding what an unchanged ruleset
imports costs a read of its files, not a parse (docs/performance.md). Both caches are
bounded (`functools.lru_cache`); nothing else is kept between calls.

The compiler itself (lark, the parser, the type checker, the code generator) is imported on
the first compile, not with this module: `import alignrules`, and running a checker already
compiled, do not pay for it.

Slightly over 500 lines: finding files and imports, the two caches and the entry points
(`compile_*`, `typecheck_*`, `analyze`) share the one notion of a ruleset's key.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import linecache
import os
import posixpath
import sys
import types
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

import attrs

from alignrules import compile_cache, standard
from alignrules.diagnostics import Diagnostic, DiagnosticError, Place
from alignrules.runtime.compat import VERSION as VERSION  # the compile cache key holds it
from alignrules.source import Source, Span

if TYPE_CHECKING:
    from alignrules.ir import nodes as ir
    from alignrules.runtime.module import AnyModule
    from alignrules.syntax import ast
    from alignrules.syntax.parser import Parsed
    from alignrules.syntax.tokens import Lexed
    from alignrules.typecheck.names import BareField

RULESET_SUFFIX = ".rules"


@attrs.frozen
class CompiledRuleset:
    """A ruleset turned into Python: the module text and the loaded module; the IR and the
    parsed files on demand (a module found in the disk cache is run without them)."""

    name: str
    python: str = attrs.field(repr=False)
    #: the loaded module, as the contract of generated modules describes it
    module: AnyModule = attrs.field(repr=False, eq=False)
    #: (shown name, text) of every file, imports first: what the ruleset was compiled from.
    sources: tuple[tuple[str, str], ...] = attrs.field(repr=False)

    @property
    def program(self) -> ir.Program:
        """The typed IR (type-checked again, once, for a module from the disk cache)."""
        return _typecheck(self.sources, self.name).program

    @property
    def files(self) -> tuple[Source, ...]:
        """The sources that the IR's spans point into."""
        return tuple(_parse(n, text).source for n, text in self.sources)

    def laid_out(self) -> str:
        """The module as `alignrules compile` writes it: the same code as `python`, laid out
        as the project's formatter would. Done on demand: loading a ruleset to check with it
        does not pay for the layout."""
        from alignrules.codegen.layout import layout

        return layout(self.python)


def display_name(path: Path, std: bool = False, given: str | None = None) -> str:
    """How a file is named in messages and in generated code: relative to the working
    directory when inside it, else `given` (the name the user wrote, or the importing file's
    name joined with the import's path), else as it is.

    With `std`, a file of a shipped ruleset is named `std:strategy/...`, never by where the
    package is installed. A relative ruleset path therefore never turns into the compiling
    machine's absolute path in a compiled module.
    """
    if std and (shown := standard.shown_name(path)) is not None:
        return shown
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return given if given is not None else path.as_posix()


def _given_names(paths: Sequence[str | os.PathLike[str]]) -> dict[Path, str]:
    """Each ruleset file `paths` name (resolved) → its name as the user wrote it: the path
    given, or for a file found in a folder, the folder as given joined with the rest."""
    out: dict[Path, str] = {}
    for spec in paths:
        if standard.is_standard(spec):
            continue
        given = Path(spec)
        with contextlib.suppress(OSError):  # ruleset_files reports a path that is not there
            found = given.rglob("*" + RULESET_SUFFIX) if given.is_dir() else (given,)
            for f in found:
                out.setdefault(f.resolve(), f.as_posix())
    return out


def ruleset_files(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The `.rules` files named by `paths`: files as given, folders searched recursively.

    `std:NAME` names a shipped ruleset (see `alignrules.standard`).
    """
    out: list[Path] = []
    for p in map(_spec_path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*" + RULESET_SUFFIX) if f.is_file())
            if not found:
                raise DiagnosticError(
                    Diagnostic(
                        "usage", f"no `{RULESET_SUFFIX}` files in this folder", where=Place(str(p))
                    )
                )
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise DiagnosticError(
                Diagnostic("usage", "no such ruleset file or folder", where=Place(str(p)))
            )
    return list(dict.fromkeys(f.resolve() for f in out))


def _spec_path(spec: str | os.PathLike[str]) -> Path:
    return standard.resolve(spec) if standard.is_standard(spec) else Path(spec)


def _std_roots(paths: Sequence[str | os.PathLike[str]]) -> tuple[Path, ...]:
    """The shipped files or folders that `paths` name by `std:`."""
    return tuple(standard.resolve(str(p)).resolve() for p in paths if standard.is_standard(p))


def _is_within(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def read_source(path: Path, name: str | None = None) -> Source:
    shown = name or display_name(path)
    return Source(shown, _read_text(path, shown))


def _read_text(path: Path, shown: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DiagnosticError(
            Diagnostic("usage", f"cannot read: {exc.strerror}", where=Place(shown))
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DiagnosticError(
            Diagnostic(
                "syntax",
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                where=Place(shown, line),
            )
        ) from None


@functools.lru_cache(maxsize=128)
def _parse_file(name: str, text: str) -> Parsed:
    """The AST of one ruleset file with its tokens and comments, cached by its name and text
    (both are immutable).

    A file that does not parse is not cached: its DiagnosticError is raised each time.
    """
    from alignrules.syntax.parser import parse_file

    return parse_file(Source(name, text))


def _parse(name: str, text: str) -> ast.Ruleset:
    return _parse_file(name, text).ruleset


def _imports(tree: ast.Ruleset) -> list[tuple[str, Span]]:
    from alignrules.syntax import ast

    return [(d.path, d.span) for d in tree.decls if isinstance(d, ast.ImportDecl)]


def load_files(paths: Sequence[str | os.PathLike[str]]) -> list[Source]:
    """Every source a ruleset needs: the files named, then what they import (each once)."""
    return [Source(name, text) for name, text in _load_texts(paths)]


def _load_texts(paths: Sequence[str | os.PathLike[str]]) -> list[tuple[str, str]]:
    """`load_files` as (name, text) pairs: the compile cache's key, made without a parse of
    a file already parsed."""
    loaded, diagnostics, _ = _collect(
        ruleset_files(paths), {}, _std_roots(paths), _given_names(paths)
    )
    if diagnostics:
        raise DiagnosticError(diagnostics)
    return [(name, text) for _, name, text in loaded]


def _collect(
    roots: Sequence[Path],
    overlay: Mapping[Path, str],
    std: Sequence[Path] = (),
    given: Mapping[Path, str] | None = None,
    folders: dict[Path, list[str]] | None = None,
) -> tuple[list[tuple[Path, str, str]], list[Diagnostic], dict[str, Path]]:
    """Every file `roots` need, imports first, as (path, shown name, text), what went wrong
    on the way, and the file of each name read (files that do not parse included); a file's
    text is taken from `overlay` when it is there. Files within `std` (the standard rulesets
    named, or imported with `std:`) are shown by that name; others outside the working
    directory by the name `given` for them, or their importer's name joined with the
    import's path (see `display_name`). `folders`, when given, receives the files each
    imported folder gave (the disk cache checks them again)."""
    hints = dict(given or {})
    std_roots = list(std)
    texts: dict[Path, tuple[str, str]] = {}
    order: list[Path] = []
    diagnostics: list[Diagnostic] = []

    def visit(path: Path, stack: tuple[Path, ...], via: Span | None) -> None:
        if path in stack:
            cycle = " → ".join(f"`{display_name(p)}`" for p in (*stack[stack.index(path) :], path))
            diagnostics.append(
                Diagnostic(
                    "import-cycle",
                    f"import cycle: {cycle}",
                    via,
                    "move what both files need into a third",
                )
            )
            return
        if path in texts:
            return
        if path not in overlay and path.is_dir():  # a folder import: every `.rules` file in it
            found = sorted(f.resolve() for f in path.rglob("*" + RULESET_SUFFIX) if f.is_file())
            if folders is not None:
                folders[path] = compile_cache.folder_files(path, RULESET_SUFFIX)
            if not found:
                diagnostics.append(
                    Diagnostic(
                        "missing-import",
                        f"imported folder `{display_name(path, std=True)}` has no "
                        f"`{RULESET_SUFFIX}` files",
                        via,
                    )
                )
            if path in hints:
                for f in found:
                    hints.setdefault(f, posixpath.join(hints[path], f.relative_to(path).as_posix()))
            for f in found:
                visit(f, stack, via)
            return
        if path not in overlay and not path.is_file():
            diagnostics.append(
                Diagnostic(
                    "missing-import",
                    f"imported file `{display_name(path)}` does not exist",
                    via,
                    "import paths are relative to the importing file",
                )
            )
            return
        shown = display_name(path, std=_is_within(path, std_roots), given=hints.get(path))
        text = overlay[path] if path in overlay else _read_text(path, shown)
        texts[path] = (shown, text)
        try:
            tree = _parse(shown, text)
        except DiagnosticError as exc:
            diagnostics.extend(exc.diagnostics)
            return
        for imported, span in _imports(tree):
            if standard.is_standard(imported):
                try:
                    target = standard.resolve(imported).resolve()
                except DiagnosticError as exc:
                    diagnostics.extend(
                        attrs.evolve(d, span=span, where=None) for d in exc.diagnostics
                    )
                    continue
                std_roots.append(target)
            else:
                target = (path.parent / imported).resolve()
                if not posixpath.isabs(shown):  # and not already named by the user
                    joined = posixpath.join(posixpath.dirname(shown), imported)
                    hints.setdefault(target, posixpath.normpath(joined))
            visit(target, (*stack, path), span)
        order.append(path)

    for root in roots:
        visit(root, (), None)
    names = {shown: path for path, (shown, _) in texts.items()}
    return [(p, *texts[p]) for p in order], diagnostics, names


def compile_sources(sources: Sequence[Source], name: str | None = None) -> CompiledRuleset:
    """Parse, check and generate; the result is cached by content."""
    key = tuple((s.name, s.text) for s in sources)
    return _compile_cached(key, name or ", ".join(s.name for s in sources))


@functools.lru_cache(maxsize=32)
def _compile_cached(
    key: tuple[tuple[str, str], ...], name: str, disk: bool = False
) -> CompiledRuleset:
    """The compiled ruleset of `key`'s sources, from memory, else (with `disk`) from the disk
    cache, else compiled (and, with `disk`, kept there for the next process). Rulesets given
    as text are not kept on disk: a host generating them would fill the folder."""
    full = _content_hash(key)
    digest = full[:16]  # as `content_hash` gives it
    disk_key = compile_cache.module_key(full, name)
    python = compile_cache.load_module_text(disk_key) if disk else None
    if python is not None:
        code = compile_cache.load_module_code(disk_key, python)
        try:
            if code is None:
                code = _compile_module(python, name, digest)
                compile_cache.store_module_code(disk_key, python, code)
            module = cast("AnyModule", load_module(python, name, digest, code))
            return CompiledRuleset(name, python, module, key)
        except Exception:  # a damaged or stale entry is only a miss: compile again
            pass
    from alignrules.codegen.emit import emit

    python = emit(_typecheck(key, name).program, name, VERSION)
    code = _compile_module(python, name, digest)
    # The one place where a module made at run time is taken to keep the contract: it
    # was generated from `program` by `emit`, whose output the tests type-check against it.
    module = cast("AnyModule", load_module(python, name, digest, code))
    if disk:
        compile_cache.store_module_text(disk_key, python)
        compile_cache.store_module_code(disk_key, python, code)
    return CompiledRuleset(name, python, module, key)


@attrs.frozen
class TypedRuleset:
    """A ruleset parsed and type-checked, stopped before code generation: the typed IR and
    the AST of each file, in the order the compiler read them (imports first).

    For tools that read a ruleset rather than run it (`alignrules lint`): nothing is emitted
    or executed, and each file is parsed once (the parse cache `compile_paths` uses).
    """

    name: str
    program: ir.Program = attrs.field(repr=False)
    trees: tuple[ast.Ruleset, ...] = attrs.field(repr=False, eq=False)
    #: Bare names that more than one entity in scope has a field for (the innermost one's is
    #: meant): the IR keeps only the resolved field, and lint warns about these.
    bare_fields: tuple[BareField, ...] = attrs.field(repr=False, eq=False, default=())


@functools.lru_cache(maxsize=32)
def _typecheck(key: tuple[tuple[str, str], ...], name: str) -> TypedRuleset:
    from alignrules.typecheck.lower import lower_noting

    trees = tuple(_parse(n, text) for n, text in key)
    program, bare_fields = lower_noting(name, trees)
    return TypedRuleset(name, program, trees, bare_fields)


def typecheck_paths(paths: Sequence[str | os.PathLike[str]]) -> TypedRuleset:
    """`compile_paths` without code generation: the IR and ASTs, or DiagnosticError listing
    every problem (the same diagnostics `compile_paths` raises)."""
    return _typecheck(tuple(_load_texts(paths)), ", ".join(_shown_spec(p) for p in paths))


def typecheck_text(text: str, name: str = "<ruleset>") -> TypedRuleset:
    """`compile_text` without code generation (imports are refused the same way)."""
    _refuse_imports(text, name)
    return _typecheck(((name, text),), name)


def content_hash(key: tuple[tuple[str, str], ...]) -> str:
    """A short digest of the sources, the grammar, alignrules' and Python's versions: the
    loaded module's name holds it."""
    return _content_hash(key)[:16]


def _content_hash(key: tuple[tuple[str, str], ...]) -> str:
    from alignrules.syntax.grammar import grammar_text

    h = hashlib.sha256()
    for part in (VERSION, sys.version, grammar_text()):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    for n, text in key:
        # surrogatepass: a ruleset given as text may hold a lone surrogate, which the parser
        # then judges like any other character (it is only a cache key here)
        h.update(n.encode("utf-8", "surrogatepass") + b"\0")
        h.update(text.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def _module_filename(origin: str, digest: str) -> str:
    return f"<alignrules {origin} {digest}>"


def _compile_module(source: str, origin: str, digest: str) -> types.CodeType:
    return compile(source, _module_filename(origin, digest), "exec", dont_inherit=True)


def load_module(
    source: str, origin: str, digest: str, code: types.CodeType | None = None
) -> types.ModuleType:
    """Execute generated code so that tracebacks and debuggers name the ruleset; `code` is
    `source` already compiled (from the disk cache), else it is compiled here.

    The module leaves no trace in the process once it is dropped: it is in `sys.modules` only
    while its classes are built (attrs and typing resolve names through it; every annotation
    is resolved then, so cattrs never needs it later), and its source stays in `linecache`
    as long as the module object lives.
    """
    filename = _module_filename(origin, digest)
    if code is None or code.co_filename != filename:
        code = _compile_module(source, origin, digest)
    module = types.ModuleType(f"alignrules.compiled.m{digest}")
    module.__file__ = filename
    remember_source(module, filename, source)
    # attrs keeps the source of the methods it generates in linecache too, named after the
    # class's module: those lines go with the module as well.
    weakref.finalize(module, _forget_attrs_lines, f" {module.__name__}.")
    sys.modules[module.__name__] = module
    try:
        exec(code, module.__dict__)
        for value in list(module.__dict__.values()):
            if isinstance(value, type) and attrs.has(value) and value.__module__ == module.__name__:
                attrs.resolve_types(value, globalns=module.__dict__)
    finally:
        if sys.modules.get(module.__name__) is module:
            del sys.modules[module.__name__]
    return module


def remember_source(owner: object, filename: str, source: str) -> None:
    """Show `source` in tracebacks of code compiled as `filename`, for as long as `owner`
    lives (attrs' linecache idea, without keeping every text of a long-running host)."""
    entry = (len(source), None, source.splitlines(True), filename)
    linecache.cache[filename] = entry
    weakref.finalize(owner, _forget_source, filename, entry)


def _forget_attrs_lines(marker: str) -> None:
    for name in [k for k in linecache.cache if k.startswith("<attrs generated") and marker in k]:
        linecache.cache.pop(name, None)


def _forget_source(filename: str, entry: object) -> None:
    if linecache.cache.get(filename) is entry:  # not a newer text under the same name
        del linecache.cache[filename]


def compile_paths(paths: Sequence[str | os.PathLike[str]]) -> CompiledRuleset:
    """Compile the ruleset made of `paths` (files or folders) and what they import.

    Which files those are, and the module made of them, are kept in the disk cache
    (`alignrules.compile_cache`), so that a new process checking an unchanged ruleset
    neither parses nor generates it again.
    """
    name = ", ".join(_shown_spec(p) for p in paths)
    roots = ruleset_files(paths)
    specs = [str(p) for p in paths]
    found_key = compile_cache.sources_key(VERSION, name, specs, roots)
    key = compile_cache.load_sources(found_key, RULESET_SUFFIX)
    if key is None:
        folders: dict[Path, list[str]] = {}
        loaded, diagnostics, _ = _collect(
            roots, {}, _std_roots(paths), _given_names(paths), folders
        )
        if diagnostics:
            raise DiagnosticError(diagnostics)
        key = tuple((shown, text) for _, shown, text in loaded)
        compile_cache.store_sources(found_key, loaded, folders)
    return _compile_cached(key, name, True)


def _shown_spec(spec: str | os.PathLike[str]) -> str:
    return (
        spec if isinstance(spec, str) and standard.is_standard(spec) else display_name(Path(spec))
    )


def compile_text(text: str, name: str = "<ruleset>") -> CompiledRuleset:
    """Compile a ruleset given as text (imports are refused: there is no folder to look in)."""
    _refuse_imports(text, name)
    return _compile_cached(((name, text),), name)


def _refuse_imports(text: str, name: str) -> None:
    for _, span in _imports(_parse(name, text)):
        raise DiagnosticError(
            Diagnostic("missing-import", "a ruleset given as text cannot import files", span)
        )


# ------------------------------------------------------------------ analysis
@attrs.frozen
class Analysis:
    """What editors need of a ruleset being edited: the compiler's diagnostics, the AST of
    each file that parses, and the typed IR of what could be typed. Nothing is emitted or run.

    `program` is None when a file does not parse (the declarations in it are unknown, so a
    type check would only add noise); it is the partial IR when the type checker found
    errors (rules with errors left out).
    """

    files: tuple[tuple[Path, ast.Ruleset], ...] = attrs.field(repr=False)
    program: ir.Program | None = attrs.field(repr=False)
    diagnostics: tuple[Diagnostic, ...]
    #: The file behind each source name that spans and diagnostics carry.
    paths: Mapping[str, Path] = attrs.field(repr=False)
    #: The tokens and comments of each file that parses, by source name.
    lexed: Mapping[str, Lexed] = attrs.field(factory=dict, repr=False)


def analyze(paths: Sequence[Path], overlay: Mapping[Path, str] | None = None) -> Analysis:
    """Parse and type-check the ruleset made of `paths` (files or folders) and their imports,
    as `compile_paths` would, taking the text of each file in `overlay` from there (an
    editor's unsaved buffers). Problems in the ruleset are returned, not raised (only a path
    that names no file or folder raises DiagnosticError): the one seam between the compiler
    and the language server."""
    from alignrules.typecheck.lower import lower_all

    over = {p.resolve(): text for p, text in (overlay or {}).items()}
    # In the order given, as compile_paths does: which of two declarations is the duplicate
    # follows it. A file open in the editor need not exist on disk yet.
    roots = [
        f for p in paths for f in ([p.resolve()] if p.resolve() in over else ruleset_files([p]))
    ]
    loaded, diagnostics, names = _collect(list(dict.fromkeys(roots)), over)
    parsed = [(path, _parse_file(name, text)) for path, name, text in loaded]
    files = tuple((path, p.ruleset) for path, p in parsed)
    lexed = {p.ruleset.source.name: p.lexed for _, p in parsed}
    if diagnostics:
        ordered = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        return Analysis(files, None, ordered, names, lexed)
    program, problems = lower_all(", ".join(display_name(p) for p in paths), [t for _, t in files])
    return Analysis(files, program, problems, names, lexed)
