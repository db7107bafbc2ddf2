"""Results of a check: frozen, sorted, JSON-ready records."""

from __future__ import annotations

import enum
import itertools
import operator
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, Final, cast

import attrs


class Severity(enum.IntEnum):
    """How bad a violation is; ordered so that `--fail-on warning` means warning or worse."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


@attrs.frozen(order=True)
class Location:
    """Where an entity sits: the file (None for in-memory data), a JSON pointer, and line/column
    where the format gives them (JSON, YAML: the record; CSV: the row and, for a field, the column)."""

    file: str | None
    pointer: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        place = self.file or "<data>"
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return f"{place} {self.pointer or '/'}"

    def to_json(self) -> dict[str, Any]:
        """`attrs.asdict(self)`, spelled out: reports call it twice per violation."""
        return {
            "file": self.file,
            "pointer": self.pointer,
            "line": self.line,
            "column": self.column,
        }


@attrs.frozen
class RuleInfo:
    """A rule's metadata as written in its ruleset; `origin` is `file:line` of the rule."""

    id: str
    title: str
    severity: Severity
    origin: str
    rationale: str = ""
    owner: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


NaturalKey = tuple[tuple[int, int | str], ...]

_DIGIT_RUNS = re.compile(r"(\d+)")
# The common shape of a key, `C123`: no digit, then ASCII digits to the end.
_NAME_NUMBER = re.compile(r"(\D+)([0-9]+)")


def _natural(text: str) -> NaturalKey:
    """Sort key that puts `C2` before `C10`: runs of ASCII digits compare as numbers.

    >>> _natural("C10"), _natural("x٣")
    (((1, 'C'), (0, 10)), ((1, 'x'), (1, '٣')))
    """
    m = _NAME_NUMBER.fullmatch(text)
    if m is not None:
        return ((1, m[1]), (0, int(m[2])))
    return tuple(
        (0, int(p)) if p.isdecimal() and p.isascii() else (1, p)
        for p in _DIGIT_RUNS.split(text)
        if p
    )


@attrs.frozen
class Violation:
    """One finding: `rule` fired for the entity `entity` with key `key`.

    `related` names the other entities the finding involves, as (entity type, key) pairs;
    `field` is the rule-side name of the offending field where there is one.
    """

    rule: str
    severity: Severity
    message: str
    entity: str
    key: str
    location: Location
    related: tuple[tuple[str, str], ...] = ()
    field: str | None = None
    field_location: Location | None = None

    def identity(self) -> tuple[str, str, str, tuple[tuple[str, str], ...], str | None]:
        """What the finding is about, not where it is or how it is worded: rule, entity, key,
        related entities and field. Baselines match findings across runs by it."""
        return (self.rule, self.entity, self.key, self.related, self.field)

    def sort_key(self, natural: Callable[[str], NaturalKey] = _natural) -> tuple[Any, ...]:
        """The report's order; `natural` may be a memo of `_natural` (see `_sorted_violations`)."""
        return (
            -self.severity,
            self.rule,
            self.entity,
            natural(self.key),
            self.key,  # `M1` and `M01` are equal naturally; never let record order decide
            self.location.file or "",  # one report may cover several plans
            self.location.pointer,
            tuple([(t, natural(k), k) for t, k in self.related]) if self.related else (),
            self.message,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": _SEVERITY_TEXT[self.severity],
            "message": self.message,
            "entity": self.entity,
            "key": self.key,
            "related": [{"entity": t, "key": k} for t, k in self.related],
            "location": self.location.to_json(),
        }
        if self.field is not None:
            out["field"] = self.field
        if self.field_location is not None:
            out["field_location"] = self.field_location.to_json()
        return out


_SEVERITY_TEXT: dict[Severity, str] = {s: str(s) for s in Severity}


#: Rule ids of the findings about a waiver file (`expired-waiver`, `unused-waiver`): they are
#: about the waivers, not the data, so baselines never take them.
WAIVER_RULES = frozenset({"expired-waiver", "unused-waiver"})

#: The rule the loader reports a key that names no record under, in every ruleset.
DANGLING_RULE: Final = "dangling-reference"


@attrs.frozen
class Waived:
    """A violation that an unexpired waiver accepts: reported, but never failing a run.

    `reason`, `owner` and `expires` (the last day the waiver is in force) come from the
    waiver; `waiver` is where the waiver is written (file, JSON pointer, line, column).
    """

    violation: Violation
    reason: str
    owner: str
    expires: date
    waiver: Location

    def sort_key(self) -> tuple[Any, ...]:
        return (*self.violation.sort_key(), self.waiver.file or "", self.waiver.pointer)

    def to_json(self) -> dict[str, Any]:
        out = self.violation.to_json()
        out["waiver"] = {
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
            "location": self.waiver.to_json(),
        }
        return out


@attrs.frozen
class BaselineDiff:
    """How a report compares with a baseline report (an earlier `--format json` output).

    The report's violations are then only the `new` ones; `unchanged` are the findings the
    baseline already had, `resolved` those it had and this run no longer finds.
    """

    file: str
    new: int
    unchanged: tuple[Violation, ...] = ()
    resolved: tuple[Violation, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "new": self.new,
            "unchanged": len(self.unchanged),
            "resolved": len(self.resolved),
            "unchanged_violations": [v.to_json() for v in self.unchanged],
            "resolved_violations": [v.to_json() for v in self.resolved],
        }


def _sorted(items: Iterable[Any]) -> tuple[Any, ...]:
    """The items in `sort_key` order; of items with equal keys, the last one given."""
    unique = {item.sort_key(): item for item in items}
    return tuple(map(unique.__getitem__, sorted(unique)))


def _sorted_violations(violations: Iterable[Violation]) -> tuple[Violation, ...]:
    """`_sorted(violations)`, at the cost a report of 10^5 violations needs.

    Most violations differ already in severity, rule, entity or key, so they are sorted first
    by one integer that stands for those four (the key by its place in natural order); only
    the violations that tie there are sorted again by the whole `Violation.sort_key()`.
    Ranking the distinct key texts is most of the work, and they are ranked in the order
    the rules met them, which follows the plan's records and so is nearly sorted already.
    """
    vs = violations if isinstance(violations, list | tuple) else list(violations)
    rank = _ranks(list(dict.fromkeys(map(_KEY, vs))))
    width = len(rank)
    heads = sorted(dict.fromkeys(map(_HEAD, vs)), key=_head_order)
    base = {head: i * width for i, head in enumerate(heads)}
    # Severity, rule, entity and key: one integer, compared at C speed.
    primary = list(
        map(
            operator.add,
            map(base.__getitem__, map(_HEAD, vs)),
            map(rank.__getitem__, map(_KEY, vs)),
        )
    )
    order = sorted(range(len(vs)), key=primary.__getitem__)
    ordered = list(map(primary.__getitem__, order))
    out: list[Violation] = []
    done = 0
    ties = list(_ties(ordered))
    # The related keys of tied violations, ranked once as the subjects' keys are: within a
    # tie, a violation's related entities usually decide its place.
    related = _ranks(
        list(dict.fromkeys(k for a, b in ties for i in order[a:b] for _, k in vs[i].related))
    )
    for start, stop in ties:
        out.extend(map(vs.__getitem__, order[done:start]))
        out.extend(_sorted_tie([vs[i] for i in order[start:stop]], related))
        done = stop
    out.extend(map(vs.__getitem__, order[done:]))
    return tuple(out)


_KEY: Final = operator.attrgetter("key")
_HEAD: Final = operator.attrgetter("severity", "rule", "entity")


def _head_order(head: tuple[Severity, str, str]) -> tuple[int, str, str]:
    return (-head[0], head[1], head[2])


def _ranks(texts: list[str]) -> dict[str, int]:
    """Each text's place when sorted by `(_natural(text), text)`."""
    matches = list(map(_NAME_NUMBER.fullmatch, texts))
    keys: list[tuple[Any, ...]]
    if None not in matches:
        # Every text is `C123`, whose natural key is ((1, "C"), (0, 123)): the same order.
        keys = [(m[1], int(m[2]), m.string) for m in cast("list[re.Match[str]]", matches)]
    else:
        keys = [(_natural(t), t) for t in texts]
    keys.sort()
    return {k[-1]: i for i, k in enumerate(keys)}


def _ties(ordered: list[int]) -> Iterator[tuple[int, int]]:
    """The runs `[start, stop)` of equal neighbours in `ordered`, longer than one."""
    starts = [n for n, (a, b) in enumerate(itertools.pairwise(ordered)) if a == b]
    i = 0
    while i < len(starts):
        start = stop = starts[i]
        while i < len(starts) and starts[i] == stop:
            stop += 1
            i += 1
        yield start, stop + 1


def _sorted_tie(run: list[Violation], related: dict[str, int]) -> Iterator[Violation]:
    """Violations equal in severity, rule, entity and key, in `sort_key` order; of equal
    keys the last one given (a stable sort keeps them in the order given).

    The rest of `sort_key()` decides, with each related key's natural order given by its
    rank in `related` (the same order, and equal ranks only for equal texts)."""
    keys = [_tie_key(v, related) for v in run]
    order = sorted(range(len(run)), key=keys.__getitem__)
    last = len(order) - 1
    return (run[i] for n, i in enumerate(order) if n == last or keys[i] != keys[order[n + 1]])


def _tie_key(v: Violation, related: dict[str, int]) -> tuple[Any, ...]:
    """`v.sort_key()` after its first five parts, related keys by rank."""
    where = v.location
    return (
        where.file or "",
        where.pointer,
        tuple([(t, related[k]) for t, k in v.related]) if v.related else (),
        v.message,
    )


@attrs.frozen
class Report:
    """What a check found. `violations` are sorted, so equal inputs give equal reports.

    `waived` are the violations waivers accepted (they do not count as violations);
    `baseline` is set when the report was compared with a baseline.
    """

    violations: tuple[Violation, ...]
    rules: tuple[RuleInfo, ...]
    as_of: date
    entities: tuple[tuple[str, int], ...] = ()
    waived: tuple[Waived, ...] = ()
    baseline: BaselineDiff | None = None

    @classmethod
    def build(
        cls,
        violations: Iterable[Violation],
        rules: Iterable[RuleInfo],
        as_of: date,
        entities: Iterable[tuple[str, int]] = (),
        *,
        waived: Iterable[Waived] = (),
        baseline: BaselineDiff | None = None,
    ) -> Report:
        return cls(
            _sorted_violations(violations),
            # Once each: a rule of several bodies is named once per body by its module.
            tuple({r.id: r for r in rules}.values()),
            as_of,
            tuple(entities),
            _sorted(waived),
            baseline,
        )

    @classmethod
    def combine(cls, reports: Sequence[Report]) -> Report:
        """One report for several plans checked by the same rules on the same day: every
        violation (each located in its own plan), the rules once, entity counts added up."""
        if not reports:
            raise ValueError("combine needs at least one report")
        counts: dict[str, int] = {}
        for r in reports:
            for name, n in r.entities:
                counts[name] = counts.get(name, 0) + n
        return cls.build(
            (v for r in reports for v in r.violations),
            # Every plan's rules, once: a rule that crashed on one plan is listed too.
            {info.id: info for r in reports for info in r.rules}.values(),
            reports[0].as_of,
            tuple(counts.items()),  # in the order a single report gives them
            waived=(w for r in reports for w in r.waived),
        )

    @property
    def ok(self) -> bool:
        """True when nothing of severity error was found."""
        return not self.failing(Severity.ERROR)

    def failing(self, threshold: Severity) -> tuple[Violation, ...]:
        """The violations at or above `threshold`."""
        return tuple(v for v in self.violations if v.severity >= threshold)

    def counts(self) -> dict[str, int]:
        out = {str(s): 0 for s in sorted(Severity, reverse=True)}
        for v in self.violations:
            out[str(v.severity)] += 1
        return out

    def with_locations(
        self,
        locate: Callable[[Location], Location],
        locate_all: Callable[[Collection[str]], Mapping[str, Location]] | None = None,
    ) -> Report:
        """A copy whose locations went through `locate(Location) -> Location` (adds lines).

        `locate_all`, where the locator has one, is given every pointer of the report at once
        and returns each one's `Location`: a locator that finds them together (sorted, each
        container read once) is several times faster on a large report than one call per
        location. A location it gives without a file keeps its own, as `locate` does.
        """
        if locate_all is not None:
            # Each pointer once, in report order: a rule's findings by key, mostly text order.
            pointers = dict.fromkeys(
                loc.pointer
                for v in itertools.chain(self.violations, (w.violation for w in self.waived))
                for loc in (v.location, v.field_location)
                if loc is not None
            )
            found = locate_all(pointers.keys())
            if all(loc.file is not None for loc in found.values()):
                # The usual case: one dictionary lookup per location, no call (a tenth of
                # the time left of locating a large report).
                get = found.__getitem__

                def by_pointer(v: Violation) -> Violation:
                    return Violation(
                        v.rule,
                        v.severity,
                        v.message,
                        v.entity,
                        v.key,
                        get(v.location.pointer),
                        v.related,
                        v.field,
                        None if v.field_location is None else get(v.field_location.pointer),
                    )

                return attrs.evolve(
                    self,
                    violations=tuple(map(by_pointer, self.violations)),
                    waived=tuple(
                        attrs.evolve(w, violation=by_pointer(w.violation)) for w in self.waived
                    ),
                )

            def place(location: Location) -> Location:
                new = found[location.pointer]
                if new.file is None and location.file is not None:
                    return Location(location.file, new.pointer, new.line, new.column)
                return new

            locate = place

        def located(v: Violation) -> Violation:
            # `attrs.evolve` spelled out: it was a fifth of the time of locating a large report.
            return Violation(
                v.rule,
                v.severity,
                v.message,
                v.entity,
                v.key,
                locate(v.location),
                v.related,
                v.field,
                None if v.field_location is None else locate(v.field_location),
            )

        return attrs.evolve(
            self,
            violations=tuple(located(v) for v in self.violations),
            waived=tuple(attrs.evolve(w, violation=located(w.violation)) for w in self.waived),
        )


class RuleCrashed(Exception):
    """A rule raised an exception; carries the rule id and its `file:line` in the ruleset."""

    def __init__(
        self, rule: str, origin: str, entity: str | None = None, pointer: str | None = None
    ) -> None:
        self.rule, self.origin, self.entity, self.pointer = rule, origin, entity, pointer
        where = f" on {entity}" if entity else ""
        super().__init__(f"rule `{rule}` ({origin}) crashed{where}")
