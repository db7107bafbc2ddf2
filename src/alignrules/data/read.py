"""Plan files → plain data plus a Locator that turns JSON pointers into file:line:column.

`read_plan` accepts a `.json`, `.yaml`/`.yml` or `.csv` file, or a folder of `.csv` files.
Every value is plain data (dict, list, str, int, Decimal, bool, None), so binding needs no
knowledge of the format; locations stay beside the data and are looked up by JSON pointer
(RFC 6901) only when a report needs them.

>>> plan = read_plan_text('{"claims": [{"id": "C1"}]}', "json", "plan.json")
>>> plan.root["claims"][0]["id"]
'C1'
>>> plan.locator.find("/claims/0/id")
('plan.json', 1, 20)

Every problem with the input is a `DiagnosticError` with code `data`, a lowercase one-line
message and `where` = `file:line:column` (or just the file when there is no line).

Over 500 lines: the JSON, YAML and CSV readers and their locators live here together; the
next step splits it by format around one pointer module and one line index.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import os
import re
import threading
from array import array
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from json.scanner import make_scanner
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from alignrules.data.csv_cells import CellFinder
from alignrules.data.limits import (
    DEFAULT_MAX_BYTES,
    NUMBER_RANGE_HINT,
    file_size,
    json_int,
    number_problem,
    read_regular_file,
    too_large,
)
from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.runtime.gcpause import gc_paused
from alignrules.runtime.report import Location

if TYPE_CHECKING:
    import yaml

__all__ = ["MAX_DEPTH", "Locator", "PlanData", "read_plan", "read_plan_text"]

#: Deepest nesting a YAML plan may have, and the depth a JSON error names. The stdlib JSON
#: parser recurses and gives up near the interpreter's recursion limit (about 1000); later
#: stages may recurse too, so YAML, whose reader here does not recurse, gets a firm bound.
MAX_DEPTH = 500

Position = tuple[str | None, int | None, int | None]


class Locator(Protocol):
    """Finds where a JSON pointer's value starts in the files a plan came from."""

    def find(self, pointer: str) -> Position:
        """`(file, line, column)`, 1-based; for a pointer that names nothing, the position of
        its nearest existing ancestor. Line or column is None where the format has none."""
        ...


@attrs.frozen
class PlanData:
    """Plain data read from a plan file or folder, and the way back to its source positions.

    `root` must not be mutated: the JSON locator walks it to map keys to text positions.
    """

    root: Any
    kind: str
    name: str
    locator: Locator = attrs.field(repr=False, eq=False)

    def locate(self, location: Location) -> Location:
        """`location` with file, line and column filled in from its pointer (which is kept).

        >>> plan = read_plan_text("a: 1\\nb:\\n  c: 2\\n", "yaml", "p.yaml")
        >>> str(plan.locate(Location(None, "/b/c")))
        'p.yaml:3:6 /b/c'
        """
        file, line, column = self.locator.find(location.pointer)
        return Location(file or location.file, location.pointer, line, column)


# ---------------------------------------------------------------------------------- entry points


def read_plan(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> PlanData:
    """Read a plan from `path`: a `.json`, `.yaml`/`.yml` or `.csv` file, or a folder whose
    `.csv` files each become one collection (`root["claims.csv"]` = list of row dicts).

    Only regular files are read (see `alignrules.data.limits`), of at most `max_bytes` bytes
    (for a folder: its `.csv` files together)."""
    name = os.fspath(path)
    suffix = os.path.splitext(name.rstrip("/\\"))[1].lower()
    if os.path.isdir(name):
        if suffix in _FILE_KINDS:
            raise _fail("is a directory, expected a file", name)
        return _read_csv_folder(name, max_bytes)
    if not os.path.exists(name):
        raise _fail("no such file", name)
    kind = _FILE_KINDS.get(suffix)
    if kind is None:
        raise _fail("expected a .json, .yaml, .yml or .csv file or a folder of .csv files", name)
    return read_plan_text(_read_text(name, max_bytes), kind, name)


def read_plan_text(text: str, kind: str, name: str) -> PlanData:
    """Read plan data held in memory (standard input, tests); `kind` is `json`, `yaml` or `csv`.

    `name` is what locations and messages call the text; a CSV text becomes the collection
    named after `name`'s last path component.
    """
    text = text.removeprefix("\ufeff")
    if kind == "json":
        return _read_json(text, name)
    if kind == "yaml":
        return _read_yaml(text, name)
    if kind == "csv":
        key = os.path.basename(name) or name
        rows, table = _read_csv_text(text, name)
        return PlanData({key: rows}, "csv", name, _CsvLocator(name, {key: table}))
    raise _fail(f'unknown data kind "{kind}", expected json, yaml or csv', name)


_FILE_KINDS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}


# ---------------------------------------------------------------------------------- shared helpers


class _Reject(Exception):
    """A value the format allows but a plan does not (NaN, a duplicate key); raised inside
    parser hooks, which know no position, and located afterwards."""


def _fail(
    message: str,
    file: str,
    line: int | None = None,
    column: int | None = None,
    hint: str | None = None,
) -> DiagnosticError:
    where = file
    if line is not None:
        where += f":{line}" if column is None else f":{line}:{column}"
    return DiagnosticError(Diagnostic("data", message, where=where, hint=hint))


def _read_text(name: str, max_bytes: int) -> str:
    return _decode(read_regular_file(name, max_bytes), name)


def _decode(data: bytes, name: str) -> str:
    """UTF-8 text without its BOM; a bad byte is reported with its line and column."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line_start = data.rfind(b"\n", 0, e.start) + 1
        line = data.count(b"\n", 0, e.start) + 1
        column = len(data[line_start : e.start].decode("utf-8", "replace")) + 1
        raise _fail(
            f"not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})",
            name,
            line,
            column,
            hint="save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _split_pointer(pointer: str) -> list[str] | None:
    """The reference tokens of an RFC 6901 pointer; None if it is not one."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        return None
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _array_index(token: str, length: int) -> int | None:
    """The index an RFC 6901 array token names (`0` or digits without a leading zero), if it
    is below `length`."""
    if not (token.isascii() and token.isdigit()) or (token[0] == "0" and token != "0"):
        return None
    index = int(token)
    return index if index < length else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Lines:
    """Offset → (line, column) for large texts without a list of every line start.

    Newlines are counted per 4 KiB block once; a lookup then counts inside one block, so a
    100 MB file costs 25,000 integers (200 KB), and a single-line (minified) file stays cheap.
    A lookup reads at most one block: with 64 KiB blocks, counting was most of the time of
    locating every violation of a large report (docs/performance.md).
    """

    _BLOCK = 1 << 12

    def __init__(self, text: str) -> None:
        self._text = text
        block, count = self._BLOCK, text.count
        before = array("q", [0])  # newlines before each block
        total = 0
        for start in range(0, len(text), block):
            total += count("\n", start, start + block)
            before.append(total)
        self._before = before

    def position(self, offset: int) -> tuple[int, int]:
        text, block = self._text, self._BLOCK
        b = offset // block
        newlines = self._before[b] + text.count("\n", b * block, offset)
        if newlines == 0:
            return 1, offset + 1
        # The line starts after newline number `newlines`; find the block that holds it.
        nb = bisect.bisect_left(self._before, newlines) - 1
        start = text.rfind("\n", nb * block, min(offset, (nb + 1) * block)) + 1
        return newlines + 1, offset - start + 1


# ------------------------------------------------------------------------------------------- JSON

# One token per match; whitespace, `,` and `:` fall between matches. Valid JSON is assumed
# (the stdlib parser has accepted it), so a run of other characters is a number or a literal.
_JSON_TOKEN = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")|(\{)|(\[)|([}\]])|([^\s,:\[\]{}"]+)', re.S)
_STRING, _OBJECT, _ARRAY, _CLOSE, _LITERAL = 1, 2, 3, 4, 5


def _read_json(text: str, name: str) -> PlanData:
    if not text or text.isspace():  # (not `strip`, which copies a large text)
        raise _fail("the file is empty", name)
    try:
        # Paused, the collector does not walk every object parsed so far each time enough new
        # ones pile up: 4x faster at 10^6 records (docs/performance.md). Parsed JSON holds no
        # reference cycles.
        with gc_paused():
            root = json.loads(
                text,
                parse_float=_json_decimal,
                parse_int=_json_int,
                parse_constant=_json_constant,
                object_pairs_hook=_json_object,
            )
    except json.JSONDecodeError as e:
        raise _fail(f"invalid JSON: {_lower_first(e.msg)}", name, e.lineno, e.colno) from None
    except (_Reject, ValueError) as e:  # ValueError: an int longer than int() accepts
        raise _json_problem(text, name, MAX_DEPTH, f"invalid JSON: {e}") from None
    except RecursionError:
        raise _json_problem(
            text, name, MAX_DEPTH, "nested too deeply for the JSON reader"
        ) from None
    return PlanData(root, "json", name, _JsonLocator(text, name, root))


def _json_decimal(text: str) -> Decimal:
    value = Decimal(text)
    problem = number_problem(value)  # data/limits: the documented range of numbers
    if problem is not None:
        raise _Reject(problem)
    return value


def _json_int(text: str) -> int:
    try:
        return json_int(text)  # data/limits: too many digits are refused before int()
    except ValueError as exc:
        raise _Reject(str(exc)) from None


def _json_constant(text: str) -> Any:
    raise _Reject(f"{text} is not a JSON number")


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # One C `dict` and two lengths per object; the keys are looked at only when they repeat.
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Reject(f'duplicate key "{_shorten(key)}" in one object')
            seen.add(key)
    return obj


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_problem(text: str, name: str, max_depth: int, fallback: str) -> DiagnosticError:
    """Locate the first thing the parser hooks refused (the hooks know no position).

    A second pass over the text, run only on failure, so the happy path stays one C parse.
    """
    stack: list[tuple[set[str] | None, bool]] = []
    keys: set[str] | None = None  # the keys so far when inside an object
    want_key = False
    for m in _JSON_TOKEN.finditer(text):
        kind = m.lastindex
        if kind == _CLOSE:
            keys, want_key = stack.pop()
            continue
        if want_key:
            raw = m.group()
            key = json.loads(raw) if "\\" in raw else raw[1:-1]
            if keys is not None and key in keys:
                message = f'duplicate key "{_shorten(key)}" in one object'
                return _fail(f"invalid JSON: {message}", name, *_Lines(text).position(m.start()))
            if keys is not None:
                keys.add(key)
            want_key = False
            continue
        problem = None
        if kind == _LITERAL:
            token = m.group()
            if token in ("NaN", "Infinity", "-Infinity"):
                problem = f"{token} is not a JSON number"
            elif token[0] not in "-0123456789":
                pass  # true, false, null
            else:
                # data/limits: a number outside the documented range is not a JSON error
                # but a value error, located like one.
                try:
                    (_json_decimal if any(c in token for c in ".eE") else _json_int)(token)
                except _Reject as exc:
                    position = _Lines(text).position(m.start())
                    return _fail(str(exc), name, *position, hint=NUMBER_RANGE_HINT)
        if problem is not None:
            return _fail(f"invalid JSON: {problem}", name, *_Lines(text).position(m.start()))
        if keys is not None:
            want_key = True
        if kind in (_OBJECT, _ARRAY):
            if len(stack) >= max_depth:
                return _fail(
                    f"nested more than {max_depth} levels deep",
                    name,
                    *_Lines(text).position(m.start()),
                    hint="flatten the data; readers cannot follow deeper nesting",
                )
            stack.append((keys, want_key))
            keys = set() if kind == _OBJECT else None
            want_key = kind == _OBJECT
    return _fail(fallback, name)


_WS = re.compile(r"[ \t\n\r]*")
_MEMBER_KEY = re.compile(r'[ \t\n\r]*"[^"\\]*(?:\\.[^"\\]*)*"[ \t\n\r]*:[ \t\n\r]*')
# After a member: the separator and what starts the next member (nothing after the last).
_NEXT_ITEM = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_NEXT_MEMBER = re.compile(r'[ \t\n\r]*,[ \t\n\r]*"[^"\\]*(?:\\.[^"\\]*)*"[ \t\n\r]*:[ \t\n\r]*')
#: The stdlib's C scanner (what `json.loads` runs): `scan(text, i)` parses the value that
#: starts at offset i and returns it with the offset after it.
_scan_value: Callable[[str, int], tuple[Any, int]] = make_scanner(
    json.JSONDecoder()  # type: ignore[arg-type]  # typeshed's stub wants the scanner class
)


class _Members:
    """Where the members of one container start, found as far as lookups needed."""

    __slots__ = ("done", "starts")

    def __init__(self) -> None:
        self.starts = array("q")
        self.done = False  # whether `starts` holds every member


class _JsonLocator:
    """Positions in a JSON text, found along the pointers looked up.

    Parsed objects hold their keys in text order (duplicates are refused), so key number i of
    an object is its member number i, and a pointer's value starts where that member does.
    A container's members are found by skipping the ones before: the stdlib's C JSON scanner
    parses each skipped value (the text was valid JSON when it was read) and says where it
    ends. Where the members of a container start is kept for a container with many members or
    a long one (the root, `/claims`), as far as lookups needed it; a small container is walked
    again. So locating every violation of a report reads each container on the way once, at
    the speed of the C parser: no pass over the whole text with a regular expression and a
    Python step per token (10 s and more at 10^6 records), and no walk from the root per
    violation.
    """

    # Containers with at most this many members, none longer than _LONG characters, are
    # walked on each lookup rather than remembered.
    _WALK = 32
    _LONG = 1 << 12
    # Pointers resolved recently, kept so that `/claims/7/campaign_id` after `/claims/7` (a
    # violation's field after its record) steps once instead of walking from the root.
    _MEMO = 1 << 14

    def __init__(self, text: str, name: str, root: Any) -> None:
        self._text, self._name, self._root = text, name, root
        self._scan: _Lines | None = None  # made on the first lookup
        self._members: dict[int, _Members] = {}  # container offset → members found so far
        self._keys: dict[int, dict[str, int]] = {}  # large object's offset → key → number
        self._resolved: dict[str, tuple[int, Any, bool]] = {}
        self._root_offset = _skip_space(text, 0)
        self._lock = threading.Lock()

    def find(self, pointer: str) -> Position:
        with self._lock:
            if self._scan is None:
                self._scan = _Lines(self._text)
            # The root, or not a pointer at all: the start of the text.
            offset = self._resolve(pointer)[0] if pointer.startswith("/") else self._root_offset
            return (self._name, *self._scan.position(offset))

    def _resolve(self, pointer: str) -> tuple[int, Any, bool]:
        """(offset, value, whether it is what `pointer` names) for a pointer starting with
        `/`; for one that names nothing, its nearest existing ancestor and False."""
        memo = self._resolved
        hit = memo.get(pointer)
        if hit is not None:
            return hit
        pending = [pointer]  # the pointer and its ancestors not yet resolved, innermost first
        head = pointer[: pointer.rindex("/")]
        while head and head not in memo:
            pending.append(head)
            head = head[: head.rindex("/")]
        offset, data, ok = memo[head] if head else (self._root_offset, self._root, True)
        if len(memo) + len(pending) > self._MEMO:
            memo.clear()
        for sub in reversed(pending):
            if ok:
                token = sub[sub.rindex("/") + 1 :].replace("~1", "/").replace("~0", "~")
                offset, data, ok = self._step(offset, data, token)
            memo[sub] = (offset, data, ok)
        return offset, data, ok

    def _step(self, offset: int, data: Any, token: str) -> tuple[int, Any, bool]:
        """Member `token` of the container at `offset` (holding `data`), or the container
        itself and False."""
        if isinstance(data, dict):
            index = self._key_index(offset, data, token)
            if index is None:
                return offset, data, False
            member = data[token]
        elif isinstance(data, list):
            index = _array_index(token, len(data))
            if index is None:
                return offset, data, False
            member = data[index]
        else:
            return offset, data, False
        start = self._member_start(offset, index, len(data))
        if start is None:
            return offset, data, False
        return start, member, True

    def _key_index(self, offset: int, obj: dict[str, Any], key: str) -> int | None:
        if len(obj) <= self._WALK:
            for i, k in enumerate(obj):
                if k == key:
                    return i
            return None
        keys = self._keys.get(offset)
        if keys is None:
            keys = self._keys[offset] = {k: i for i, k in enumerate(obj)}
        return keys.get(key)

    def _member_start(self, offset: int, index: int, size: int) -> int | None:
        """Where member `index` of the container at `offset` (with `size` members) starts;
        None if the text has fewer members than the parsed value (it cannot, unchanged)."""
        members = self._members.get(offset)
        if members is None:
            if size <= self._WALK:
                start = self._walk(offset, index)
                if start is not None:
                    return start
                # A long member on the way (or a text that changed): remember this one.
            members = self._members[offset] = _Members()
        starts = members.starts
        if index < len(starts):
            return starts[index]
        if members.done:
            return None
        text = self._text
        first, following = (_MEMBER_KEY, _NEXT_MEMBER) if text[offset] == "{" else (_WS, _NEXT_ITEM)
        if not starts:
            m = first.match(text, offset + 1)
            if m is None:
                members.done = True
                return None
            starts.append(m.end())
        # Step over the last member found to the next, as many times as needed: for `/claims`
        # of a large export this runs once per record, so it is kept lean.
        append, match, scan = starts.append, following.match, _scan_value
        for _ in range(index + 1 - len(starts)):
            last = starts[-1]
            try:
                end = scan(text, last)[1]
            except (RecursionError, StopIteration, ValueError):
                end = self._value_end(last)
            m = match(text, end)
            if m is None:
                members.done = True
                break
            append(m.end())
        return starts[index] if index < len(starts) else None

    def _walk(self, offset: int, index: int) -> int | None:
        """`_member_start` for a small container, kept nowhere; None if a member before
        `index` is longer than _LONG (or the text has too few members)."""
        text, scan, long = self._text, _scan_value, self._LONG
        first, following = (_MEMBER_KEY, _NEXT_MEMBER) if text[offset] == "{" else (_WS, _NEXT_ITEM)
        m = first.match(text, offset + 1)
        for _ in range(index):
            if m is None:
                return None
            start = m.end()
            try:
                end = scan(text, start)[1]
            except (RecursionError, StopIteration, ValueError):
                return None
            if end - start > long:
                return None
            m = following.match(text, end)
        return None if m is None else m.end()

    def _value_end(self, start: int) -> int:
        try:
            return int(_scan_value(self._text, start)[1])
        except RecursionError:  # deeper than the C scanner goes from here: count brackets
            return _value_end_by_tokens(self._text, start)
        except (StopIteration, ValueError):  # not JSON here: the text changed under us
            return len(self._text)


def _skip_space(text: str, position: int) -> int:
    m = _WS.match(text, position)
    return position if m is None else m.end()


def _value_end_by_tokens(text: str, start: int) -> int:
    """The end of the JSON value at `start`, by counting brackets (iterative, so any depth)."""
    depth = 0
    for m in _JSON_TOKEN.finditer(text, start):
        kind = m.lastindex
        if kind in (_OBJECT, _ARRAY):
            depth += 1
        elif kind == _CLOSE:
            depth -= 1
        if depth <= 0:
            return m.end()
    return len(text)


# ------------------------------------------------------------------------------------------- YAML

_YAML_TAG = "tag:yaml.org,2002:"
_MAPPING_TAGS = frozenset({None, "!", _YAML_TAG + "map", _YAML_TAG + "set"})
_SEQUENCE_TAGS = frozenset({None, "!", _YAML_TAG + "seq", _YAML_TAG + "omap", _YAML_TAG + "pairs"})
_MERGE = object()  # the pending "key" of a `<<:` merge


def _import_yaml(name: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise _fail("YAML support needs `pip install 'alignrules[yaml]'`", name) from None
    return yaml


class _YamlPositions:
    """Positions recorded for every YAML value while building it (pointer → line, column)."""

    def __init__(self, name: str, positions: dict[str, tuple[int, int]]) -> None:
        self._name, self._positions = name, positions

    def find(self, pointer: str) -> Position:
        positions = self._positions
        if _split_pointer(pointer) is None:
            pointer = ""
        while pointer not in positions and pointer:
            pointer = pointer[: pointer.rfind("/")]
        line, column = positions.get(pointer, (None, None))
        return (self._name, line, column)


def _read_yaml(text: str, name: str) -> PlanData:
    yaml = _import_yaml(name)
    if not text.strip():
        raise _fail("the file is empty", name)
    # The C loader is much faster; both expose the same event API, which `_YamlBuilder` uses.
    c_loader = getattr(yaml, "CSafeLoader", None)
    if c_loader is not None:
        try:
            return _read_yaml_with(yaml, c_loader, text, name)
        except _LibyamlTooDeep:
            # libyaml (bundled since PyYAML 6.0.4) has a nesting limit of its own, and its
            # scanner looks ahead through flow collections, so it can stop before alignrules'
            # MAX_DEPTH check has seen an event. The pure-Python parser has no such limit and
            # does not recurse: it reaches the same check at the same place, whatever version
            # of PyYAML is installed.
            pass
    return _read_yaml_with(yaml, yaml.SafeLoader, text, name)


class _LibyamlTooDeep(Exception):
    """libyaml refused a document for its own nesting limit."""


def _read_yaml_with(yaml: Any, loader_class: Any, text: str, name: str) -> PlanData:
    loader = None
    try:
        loader = loader_class(text)
        root, positions = _YamlBuilder(yaml, loader, text, name).build()
    except yaml.MarkedYAMLError as e:
        if "nesting depth" in (e.problem or "") and loader_class is not yaml.SafeLoader:
            raise _LibyamlTooDeep from None
        raise _yaml_syntax_error(e, text, name) from None
    except yaml.reader.ReaderError as e:
        offset = text.find(chr(e.character)) if isinstance(e.character, int) else -1
        line, column = _Lines(text).position(offset) if offset >= 0 else (None, None)
        message = f"invalid YAML: character U+{e.character:04X} is not allowed"
        raise _fail(message, name, line, column) from None
    except yaml.YAMLError as e:
        raise _fail(f"invalid YAML: {_lower_first(str(e).splitlines()[0])}", name) from None
    finally:
        if loader is not None:
            loader.dispose()
    return PlanData(root, "yaml", name, _YamlPositions(name, positions))


def _yaml_syntax_error(e: yaml.MarkedYAMLError, text: str, name: str) -> DiagnosticError:
    mark = e.problem_mark or e.context_mark
    line = column = None
    problem = e.problem or "the text is not YAML"
    if mark is not None:
        line, column = mark.line + 1, mark.column + 1
        lines = text.splitlines()
        if "tab" in problem or (
            0 <= mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t"
        ):
            return _fail(
                "invalid YAML: a tab indents this line",
                name,
                line,
                column,
                hint="YAML indentation must use spaces",
            )
    context = f" {e.context}" if e.context else ""
    return _fail(f"invalid YAML: {problem}{context}", name, line, column)


class _Frame:
    """A YAML mapping or sequence being built."""

    __slots__ = ("anchor", "is_map", "key", "merge_into", "merges", "pointer", "start", "value")

    def __init__(self, value: Any, pointer: str, start: int, anchor: str | None) -> None:
        self.value = value
        self.is_map = isinstance(value, dict)
        self.pointer = pointer
        self.start = start  # values built before this one, for the anchor's size
        self.anchor = anchor
        self.key: Any = None  # the pending key of a mapping (a str, _MERGE or None)
        self.merges: list[tuple[dict[str, Any], tuple[int, int]]] = []
        self.merge_into: tuple[_Frame, tuple[int, int]] | None = None


class _YamlBuilder:
    """Plain data from a YAML event stream, with a position for every value.

    Built from events rather than PyYAML's node graph: the C composer recurses in C and
    crashes the interpreter on deeply nested input, while events come from an iterative
    parser, so depth here is bounded only by MAX_DEPTH.
    """

    def __init__(self, yaml: Any, loader: Any, text: str, name: str) -> None:
        self.yaml, self.loader, self.name = yaml, loader, name
        self.positions: dict[str, tuple[int, int]] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor → (value, values it stands for)
        self.open_anchors: set[str] = set()
        self.stack: list[_Frame] = []
        self.count = 0  # values built, counting each alias as the values it repeats
        # Aliases let a short text stand for an enormous tree ("billion laughs"); a real plan
        # repeats little, so the tree may be at most ten times the size of its text.
        self.budget = 10 * len(text) + 100_000
        self.root: Any = None

    def build(self) -> tuple[Any, dict[str, tuple[int, int]]]:
        yaml = self.yaml
        documents = 0
        for event in self._events():
            if isinstance(event, yaml.DocumentStartEvent):
                if documents:
                    raise self._fail("more than one YAML document in the file", event)
            elif isinstance(event, yaml.DocumentEndEvent):
                documents += 1
            elif isinstance(event, yaml.ScalarEvent):
                self._scalar(event)
            elif isinstance(event, yaml.AliasEvent):
                self._alias(event)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                self._start(event, isinstance(event, yaml.MappingStartEvent))
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                self._end()
        if not documents:
            raise _fail("the file is empty", self.name)
        return self.root, self.positions

    def _events(self) -> Iterator[Any]:
        loader = self.loader
        while loader.check_event():
            yield loader.get_event()

    def _fail(self, message: str, event: Any, hint: str | None = None) -> DiagnosticError:
        line, column = self._mark(event)
        return _fail(message, self.name, line, column, hint)

    @staticmethod
    def _mark(event: Any) -> tuple[int, int]:
        return event.start_mark.line + 1, event.start_mark.column + 1

    def _count(self, n: int, event: Any) -> None:
        self.count += n
        if self.count > self.budget:
            raise self._fail(
                f"aliases expand to more than {self.budget} values",
                event,
                hint="a small text whose aliases repeat each other is refused",
            )

    def _place(self, value: Any, event: Any) -> str | None:
        """Put a finished or new value into its parent; its pointer, or None for a merge."""
        position = self._mark(event)
        if not self.stack:
            self.root = value
            pointer = ""
        else:
            parent = self.stack[-1]
            if parent.is_map:
                key, parent.key = parent.key, None
                if key is _MERGE:
                    self._merge(parent, value, event)
                    return None
                parent.value[key] = value
                pointer = f"{parent.pointer}/{_escape(key)}"
            else:
                pointer = f"{parent.pointer}/{len(parent.value)}"
                parent.value.append(value)
        self.positions[pointer] = position
        return pointer

    def _merge(self, frame: _Frame, value: Any, event: Any) -> None:
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(s, dict) for s in sources):
            raise self._fail("a `<<` merge needs a mapping or a list of mappings", event)
        frame.merges.extend((s, self._mark(event)) for s in sources)

    def _key(self, frame: _Frame, event: Any) -> None:
        yaml = self.yaml
        if not isinstance(event, yaml.ScalarEvent):
            raise self._fail(
                "a mapping key must be a plain value, not a collection or alias", event
            )
        tag = self._resolve(event)
        if tag == _YAML_TAG + "merge":
            frame.key = _MERGE
            return
        # Keys keep their text: `2026:` or `yes:` name a record, they are not a number or a bool.
        key = event.value
        if key in frame.value:
            raise self._fail(f'duplicate key "{_shorten(key)}" in one mapping', event)
        frame.key = key
        if event.anchor is not None:
            self.anchors[event.anchor] = (key, 1)

    def _resolve(self, event: Any) -> str:
        yaml = self.yaml
        tag: str | None = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        assert tag is not None
        return tag

    def _expecting_key(self) -> _Frame | None:
        if self.stack:
            frame = self.stack[-1]
            if frame.is_map and frame.key is None:
                return frame
        return None

    def _scalar(self, event: Any) -> None:
        frame = self._expecting_key()
        if frame is not None:
            self._key(frame, event)
            return
        try:
            value = self._scalar_value(event)
        except _Reject as e:
            raise self._fail(str(e), event) from None
        self._count(1, event)
        self._place(value, event)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)

    def _scalar_value(self, event: Any) -> Any:
        yaml = self.yaml
        tag = self._resolve(event)
        text: str = event.value
        if tag == _YAML_TAG + "str" or tag == _YAML_TAG + "timestamp":
            return text  # a date stays text; the schema decides what it means
        if tag == _YAML_TAG + "int":
            if len(text) > 200:  # data/limits: far out of range, and int() of it is slow
                raise _Reject(f"integer {_shorten(text)} has too many digits")
            try:
                value = self.loader.construct_yaml_int(yaml.ScalarNode(tag, text))
            except ValueError:  # longer than int() accepts
                raise _Reject(f"integer {_shorten(text)} has too many digits") from None
            problem = number_problem(value)
            if problem is not None:
                raise _Reject(problem)
            return value
        if tag == _YAML_TAG + "float":
            return _yaml_decimal(text)
        if tag == _YAML_TAG + "bool":
            value = self.loader.bool_values.get(text.lower())
            if value is None:
                raise _Reject(f'"{_shorten(text)}" is not a boolean')
            return value
        if tag == _YAML_TAG + "null":
            return None
        if tag == _YAML_TAG + "merge":
            return text
        raise _Reject(f'unsupported YAML tag "{_short_tag(tag)}"')

    def _alias(self, event: Any) -> None:
        if self._expecting_key() is not None:
            raise self._fail(
                "a mapping key must be a plain value, not a collection or alias", event
            )
        anchor = event.anchor
        if anchor in self.open_anchors:
            raise self._fail(f'alias "*{anchor}" is inside the collection it names', event)
        if anchor not in self.anchors:
            raise self._fail(f'unknown alias "*{anchor}"', event)
        value, size = self.anchors[anchor]
        self._count(size, event)
        self._place(value, event)

    def _start(self, event: Any, is_map: bool) -> None:
        if self._expecting_key() is not None:
            raise self._fail(
                "a mapping key must be a plain value, not a collection or alias", event
            )
        if len(self.stack) >= MAX_DEPTH:
            raise self._fail(
                f"nested more than {MAX_DEPTH} levels deep",
                event,
                hint="flatten the data; readers cannot follow deeper nesting",
            )
        tag = event.tag
        if tag not in (_MAPPING_TAGS if is_map else _SEQUENCE_TAGS):
            raise self._fail(f'unsupported YAML tag "{_short_tag(tag)}"', event)
        self._count(1, event)
        value: Any = {} if is_map else []
        start = self.count - 1
        parent = self.stack[-1] if self.stack else None
        merging = parent is not None and parent.is_map and parent.key is _MERGE
        if merging:
            assert parent is not None
            parent.key = None
            pointer = f"{parent.pointer}/<<"
        else:
            placed = self._place(value, event)
            assert placed is not None
            pointer = placed
        frame = _Frame(value, pointer, start, event.anchor)
        if merging:
            assert parent is not None
            frame.merge_into = (parent, self._mark(event))
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(frame)

    def _end(self) -> None:
        frame = self.stack.pop()
        if frame.is_map:
            for source, position in frame.merges:
                for key, value in source.items():
                    if key not in frame.value:
                        frame.value[key] = value
                        self.positions.setdefault(f"{frame.pointer}/{_escape(key)}", position)
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (frame.value, self.count - frame.start)
        if frame.merge_into is not None:
            parent, position = frame.merge_into
            sources = frame.value if isinstance(frame.value, list) else [frame.value]
            if not all(isinstance(s, dict) for s in sources):
                line, column = position
                raise _fail(
                    "a `<<` merge needs a mapping or a list of mappings", self.name, line, column
                )
            parent.merges.extend((s, position) for s in sources)


def _short_tag(tag: str | None) -> str:
    tag = tag or "!"
    return "!!" + tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag


_SEXAGESIMAL_BASE = Decimal(60)


def _yaml_decimal(text: str) -> Decimal:
    """A YAML 1.1 float, exactly: `1_000.5`, `.5`, `1.5e+3`, `190:20:30.15`; no inf or nan."""
    plain = text.replace("_", "")
    sign = -1 if plain.startswith("-") else 1
    digits = plain.lstrip("+-")
    try:
        if ":" in digits:
            value = Decimal(0)
            for part in digits.split(":"):
                value = value * _SEXAGESIMAL_BASE + Decimal(part)
            value *= sign
        else:
            value = Decimal(plain)
    except InvalidOperation:
        raise _Reject(f'"{_shorten(text)}" is not a finite number') from None
    if not value.is_finite():
        raise _Reject(f'"{_shorten(text)}" is not a finite number')
    problem = number_problem(value)  # data/limits: the documented range of numbers
    if problem is not None:
        raise _Reject(problem)
    return value


# -------------------------------------------------------------------------------------------- CSV


@attrs.frozen
class _CsvTable:
    """Where one CSV file's rows start, and each header's 1-based column."""

    file: str
    lines: list[int]
    columns: dict[str, int]
    cells: CellFinder = attrs.field(eq=False, repr=False)


class _CsvLocator:
    """Positions in a folder of CSV files; pointers look like `/claims.csv/0/Budget (USD)`."""

    def __init__(self, name: str, tables: dict[str, _CsvTable]) -> None:
        self._name, self._tables = name, tables

    def find(self, pointer: str) -> Position:
        tokens = _split_pointer(pointer) or []
        table = self._tables.get(tokens[0]) if tokens else None
        if table is None:
            return (self._name, None, None)
        row = _array_index(tokens[1], len(table.lines)) if len(tokens) > 1 else None
        if row is None:
            return (table.file, 1, None)
        line = table.lines[row]
        # A value read by a path (`from "schedule.start"`) is in the column of the path's keys
        # joined by `.`, as flattening tools name it; its pointer has one token per key. What
        # follows the column (an item of a `split` list) is inside the cell.
        for n in range(len(tokens), 2, -1):
            column = table.columns.get(".".join(tokens[2:n]))
            if column is not None:
                found = table.cells.position(line, column - 1)
                return (table.file, *found) if found else (table.file, line, None)
        return (table.file, line, 1)  # the record: its row


def _read_csv_folder(name: str, max_bytes: int) -> PlanData:
    try:
        with os.scandir(name) as entries:
            # Dot files are editors' and file systems' leftovers (`._claims.csv` on macOS).
            files = sorted(
                e.name
                for e in entries
                if e.name.lower().endswith(".csv") and not e.name.startswith(".") and e.is_file()
            )
    except OSError as e:
        reason = (e.strerror or type(e).__name__).lower()
        raise _fail(f"cannot read the folder: {reason}", name) from None
    if not files:
        raise _fail("a folder with no .csv files", name)
    # The files' sizes together are checked before any is read.
    total = sum(file_size(os.path.join(name, f), max_bytes) for f in files)
    if total > max_bytes:
        raise too_large(total, max_bytes, name, "the folder's .csv files together are")
    root: dict[str, list[dict[str, str]]] = {}
    tables: dict[str, _CsvTable] = {}
    for file_name in files:
        path = os.path.join(name, file_name)
        root[file_name], tables[file_name] = _read_csv_text(_read_text(path, max_bytes), path)
    return PlanData(root, "csv", name, _CsvLocator(name, tables))


def _read_csv_text(text: str, file: str) -> tuple[list[dict[str, str]], _CsvTable]:
    """Rows as `{header: cell}` dicts; strict about quoting, header names and row widths."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _fail("the file is empty", file)
    # newline="" leaves line ends to the csv module, so quoted cells may hold line breaks.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    try:
        header = next(reader)
        if not header:
            raise _fail("the first line is blank, expected the header", file, 1)
        columns: dict[str, int] = {}
        for i, column in enumerate(header, 1):
            if column in columns:
                raise _fail(f'duplicate column "{_shorten(column)}" in the header', file, 1, i)
            columns[column] = i
        width = len(header)
        last = reader.line_num
        for cells in reader:
            start, last = last + 1, reader.line_num
            if not cells:
                continue  # a blank line, as csv.DictReader skips it
            if len(cells) != width:
                raise _fail(
                    f"row has {_plural(len(cells), 'cell')}, header has {width}", file, start
                )
            rows.append(dict(zip(header, cells, strict=True)))
            lines.append(start)
    except csv.Error as e:
        raise _fail(f"invalid CSV: {_lower_first(str(e))}", file, reader.line_num) from None
    return rows, _CsvTable(file, lines, columns, CellFinder(text))
