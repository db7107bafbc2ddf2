"""The on-disk cache of compiled rulesets, beside the parser's tables.

Compiling the standard ruleset takes most of a short `alignrules check` (parse, type-check,
generate); a CI job or a pre-commit hook runs in a new process each time and would pay it
every time. An entry keeps the generated module's text, found again by a key over what
decides it (alignrules' version and code, the Python version, the working directory that
file names are relative to, the ruleset paths as given and the files they name) and valid
while every file read on the way (imports included) has the same text and every folder
imported holds the same files. Lark's cache key and Jinja's bytecode cache work the same
way: content plus version.

Entries are JSON, never pickle: an entry damaged, foreign or from another version is only
a miss, and the ruleset is compiled (and the entry written) again. Beside a module's text
goes its bytecode, as Python keeps a `.pyc` beside a `.py` (the same `marshal` format, under
the interpreter's magic number and the hash of the text it was compiled from): compiling
the standard ruleset's module text takes longer than the rest of a warm start-up's work on it. Nothing is written
outside the private cache folder (`cache_folder`), and a folder that cannot be written
turns the cache off without a word, as for the parser's tables.
"""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
import os
import sys
import types
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

#: The shape of an entry; raised when it changes, so old entries are misses.
FORMAT: Final = 1
#: Entries of each kind kept; the least recently written go first.
KEEP: Final = 64
_PACKAGE: Final = Path(__file__).resolve().parent


def cache_folder() -> Path | None:
    """alignrules' private cache folder, made on first use, or None for no cache.

    `ALIGNRULES_CACHE_DIR`, else `$XDG_CACHE_HOME/alignrules` or `~/.cache/alignrules`,
    made private (0700); never a shared temporary folder, because the parser's tables in it
    are read with pickle. An empty `ALIGNRULES_CACHE_DIR`, or a folder that cannot be
    written, turns every cache off.
    """
    configured = os.environ.get("ALIGNRULES_CACHE_DIR")
    if configured == "":
        return None
    if configured:
        folder = Path(configured)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        folder = (Path(xdg) if xdg else Path.home() / ".cache") / "alignrules"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    return folder


def sources_key(version: str, name: str, specs: Sequence[str], roots: Sequence[Path]) -> str:
    """The key of the sources that compiling `roots` (found from `specs`) as `name` reads."""
    parts = (version, sys.version, _code_stamp(), os.getcwd(), name, *specs, "\0", *map(str, roots))
    return _hash(parts)


def module_key(content: str, name: str) -> str:
    """The key of the module made of sources whose content hash is `content`, named `name`."""
    return _hash((content, name, _code_stamp()))


def _hash(parts: Iterable[str]) -> str:
    h = hashlib.sha256(str(FORMAT).encode() + b"\0")
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


@functools.cache
def _code_stamp() -> str:
    """The size and time of every file of the installed package: an editable install
    changes its compiler without changing its version. Once a process: the code it runs
    was read when it was imported."""
    h = hashlib.sha256()
    for folder, dirs, files in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for f in sorted(files):
            if f.endswith((".py", ".lark")):
                st = os.stat(os.path.join(folder, f))
                h.update(f"{folder}/{f}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def read_text(path: Path) -> str | None:
    """A ruleset file's text as the compiler reads it, or None when it cannot be read."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def folder_files(folder: Path, suffix: str) -> list[str]:
    """The files an imported folder gives, as the compiler finds them."""
    return sorted(str(f.resolve()) for f in folder.rglob("*" + suffix) if f.is_file())


def load_sources(key: str, suffix: str) -> tuple[tuple[str, str], ...] | None:
    """The sources (shown name, text) stored under `key`, in compile order, if every file
    and folder read for them is unchanged."""
    raw = _read("sources", key)
    sources: list[tuple[str, str]] = []
    try:
        for path, shown, text_hash in raw["files"]:
            text = read_text(Path(path))
            if text is None or _text_hash(text) != text_hash or not isinstance(shown, str):
                return None
            sources.append((shown, text))
        for path, listed in raw["folders"]:
            if folder_files(Path(path), suffix) != listed:
                return None
    except (OSError, ValueError, TypeError, KeyError):
        return None  # none yet, damaged, or not one of ours: read and parse again
    return tuple(sources)


def store_sources(
    key: str, files: Iterable[tuple[Path, str, str]], folders: Mapping[Path, Sequence[str]]
) -> None:
    """Keep which sources compiling under `key` read: `files` are (path, shown name, text),
    `folders` the files each imported folder gave."""
    _write(
        "sources",
        key,
        {
            "files": [[str(p), shown, _text_hash(text)] for p, shown, text in files],
            "folders": [[str(p), list(listed)] for p, listed in folders.items()],
        },
    )


def load_module_text(key: str) -> str | None:
    """The generated module's text stored under `key`, or None."""
    python = _read("module", key).get("python")
    return python if isinstance(python, str) else None


def store_module_text(key: str, python: str) -> None:
    _write("module", key, {"python": python})


def load_module_code(key: str, python: str) -> types.CodeType | None:
    """The bytecode stored under `key` for the module text `python`, or None (none yet, from
    another interpreter, of another text, or damaged)."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        data = (folder / f"code-{key}.bin").read_bytes()
    except OSError:
        return None
    head = _code_header(python)
    if not data.startswith(head):
        return None
    try:
        code = marshal.loads(data[len(head) :])
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) else None


def store_module_code(key: str, python: str, code: types.CodeType) -> None:
    """Keep the bytecode `code` compiled from the module text `python` under `key`."""
    _write_bytes("code", key, ".bin", _code_header(python) + marshal.dumps(code))


def _code_header(python: str) -> bytes:
    from importlib.util import MAGIC_NUMBER

    return MAGIC_NUMBER + hashlib.sha256(python.encode("utf-8", "surrogatepass")).digest()


def _read(kind: str, key: str) -> dict[str, Any]:
    """The entry of `kind` stored under `key`; {} when there is none, or it is damaged or
    foreign (then the caller makes it again and overwrites it)."""
    folder = cache_folder()
    if folder is None:
        return {}
    try:
        raw: Any = json.loads((folder / f"{kind}-{key}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    ours = isinstance(raw, dict) and raw.get("format") == FORMAT and raw.get("key") == key
    return raw if ours else {}


def _write(kind: str, key: str, payload: Mapping[str, Any]) -> None:
    """Write a JSON entry whole or not at all."""
    try:
        data = json.dumps({"format": FORMAT, "key": key, **payload}, ensure_ascii=False)
        _write_bytes(kind, key, ".json", data.encode("utf-8"))
    except (ValueError, UnicodeEncodeError):
        return  # a text JSON cannot hold (a lone surrogate): no entry, no harm


def _write_bytes(kind: str, key: str, suffix: str, data: bytes) -> None:
    """Write an entry whole or not at all (a temporary file, then a rename)."""
    folder = cache_folder()
    if folder is None:
        return
    import tempfile  # only to write: most runs write nothing, and it costs start-up

    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, folder / f"{kind}-{key}{suffix}")
    except OSError:
        Path(tmp).unlink(missing_ok=True)  # a full disk: no entry, no harm
        return
    _prune(folder, kind)


def _prune(folder: Path, kind: str) -> None:
    """Keep the `KEEP` newest entries of `kind`: a long-lived machine that compiles many
    rulesets (tests, generated rulesets) must not fill the folder."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(f"{kind}-")]
        if len(entries) <= KEEP:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            Path(old.path).unlink(missing_ok=True)
    except OSError:
        return  # another process pruned first
