"""Plan data from YAML, read through PyYAML's events with a position for every value.

Scalars keep the meaning a plan needs: dates stay text (the schema decides what they are),
numbers are exact, keys keep their text (`2026:`, `yes:`). Anchors, aliases and `<<` merges
are followed, within a budget that refuses "billion laughs" texts; nesting is bounded by
`MAX_DEPTH`, whatever PyYAML's own limits.

>>> plan = read_yaml("a: 1\\nb:\\n  c: 2.50\\n", "p.yaml")
>>> plan.root, plan.locator.find("/b/c")
({'a': 1, 'b': {'c': Decimal('2.50')}}, ('p.yaml', 3, 6))
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from alignrules.data.limits import number_problem
from alignrules.data.lines import LineIndex
from alignrules.data.plan import (
    MAX_DEPTH,
    PlanData,
    Position,
    Reject,
    fail,
    lower_first,
    shorten,
)
from alignrules.diagnostics import DiagnosticError
from alignrules.pointer import escape as escape_pointer
from alignrules.pointer import split as split_pointer

if TYPE_CHECKING:
    import yaml

__all__ = ["read_yaml"]

_YAML_TAG = "tag:yaml.org,2002:"
_MAPPING_TAGS = frozenset({None, "!", _YAML_TAG + "map", _YAML_TAG + "set"})
_SEQUENCE_TAGS = frozenset({None, "!", _YAML_TAG + "seq", _YAML_TAG + "omap", _YAML_TAG + "pairs"})
_MERGE = object()  # the pending "key" of a `<<:` merge


def _import_yaml(name: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise fail("YAML support needs `pip install 'alignrules[yaml]'`", name) from None
    return yaml


class _YamlPositions:
    """Positions recorded for every YAML value while building it (pointer → line, column)."""

    def __init__(self, name: str, positions: dict[str, tuple[int, int]]) -> None:
        self._name, self._positions = name, positions

    def find(self, pointer: str) -> Position:
        positions = self._positions
        if split_pointer(pointer) is None:
            pointer = ""
        while pointer not in positions and pointer:
            pointer = pointer[: pointer.rfind("/")]
        line, column = positions.get(pointer, (None, None))
        return (self._name, line, column)


def read_yaml(text: str, name: str) -> PlanData:
    """Plan data from YAML text (the `yaml` extra), with the position of every value."""
    yaml = _import_yaml(name)
    if not text.strip():
        raise fail("the file is empty", name)
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
        line, column = LineIndex(text).position(offset) if offset >= 0 else (None, None)
        message = f"invalid YAML: character U+{e.character:04X} is not allowed"
        raise fail(message, name, line, column) from None
    except yaml.YAMLError as e:
        raise fail(f"invalid YAML: {lower_first(str(e).splitlines()[0])}", name) from None
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
            return fail(
                "invalid YAML: a tab indents this line",
                name,
                line,
                column,
                hint="YAML indentation must use spaces",
            )
    context = f" {e.context}" if e.context else ""
    return fail(f"invalid YAML: {problem}{context}", name, line, column)


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
            raise fail("the file is empty", self.name)
        return self.root, self.positions

    def _events(self) -> Iterator[Any]:
        loader = self.loader
        while loader.check_event():
            yield loader.get_event()

    def _fail(self, message: str, event: Any, hint: str | None = None) -> DiagnosticError:
        line, column = self._mark(event)
        return fail(message, self.name, line, column, hint)

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
                pointer = f"{parent.pointer}/{escape_pointer(key)}"
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
            raise self._fail(f'duplicate key "{shorten(key)}" in one mapping', event)
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
        except Reject as e:
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
                raise Reject(f"integer {shorten(text)} has too many digits")
            try:
                value = self.loader.construct_yaml_int(yaml.ScalarNode(tag, text))
            except ValueError:  # longer than int() accepts
                raise Reject(f"integer {shorten(text)} has too many digits") from None
            problem = number_problem(value)
            if problem is not None:
                raise Reject(problem)
            return value
        if tag == _YAML_TAG + "float":
            return _yaml_decimal(text)
        if tag == _YAML_TAG + "bool":
            value = self.loader.bool_values.get(text.lower())
            if value is None:
                raise Reject(f'"{shorten(text)}" is not a boolean')
            return value
        if tag == _YAML_TAG + "null":
            return None
        if tag == _YAML_TAG + "merge":
            return text
        raise Reject(f'unsupported YAML tag "{_short_tag(tag)}"')

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
                        self.positions.setdefault(
                            f"{frame.pointer}/{escape_pointer(key)}", position
                        )
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (frame.value, self.count - frame.start)
        if frame.merge_into is not None:
            parent, position = frame.merge_into
            sources = frame.value if isinstance(frame.value, list) else [frame.value]
            if not all(isinstance(s, dict) for s in sources):
                line, column = position
                raise fail(
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
        raise Reject(f'"{shorten(text)}" is not a finite number') from None
    if not value.is_finite():
        raise Reject(f'"{shorten(text)}" is not a finite number')
    problem = number_problem(value)  # data/limits: the documented range of numbers
    if problem is not None:
        raise Reject(problem)
    return value
