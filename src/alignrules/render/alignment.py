"""The alignment map a report is drawn on: the plan's records and the references between them.

The renderers see only reports; the HTML report also needs to know which records the plan
holds and how they point at each other (a claim at its campaign and capabilities, a campaign
at its strategy...). The compile side builds this description from the ruleset's schema and
the bound plan (`alignrules.alignment`) and hands it over; nothing here knows the schema
language or the binder.
"""

from __future__ import annotations

import attrs

from alignrules.runtime.report import Location


@attrs.frozen
class Reference:
    """A reference field of an entity type: `Claim.capabilities` → `Capability`."""

    field: str
    target: str
    many: bool = False


@attrs.frozen
class EntityType:
    """An entity type of the ruleset's schema and the references it declares."""

    name: str
    references: tuple[Reference, ...] = ()


@attrs.frozen
class Link:
    """The keys one record names in one of its reference fields."""

    field: str
    target: str
    keys: tuple[str, ...]


@attrs.frozen
class Record:
    """One record of the plan: its type, key, a readable label and where it is."""

    entity: str
    key: str
    location: Location
    label: str | None = None
    links: tuple[Link, ...] = ()


@attrs.frozen
class AlignmentMap:
    """Every record of a plan, and its schema's reference graph.

    `types` come in reading order: the longest chain of references first, from what it ends
    at (for the standard ruleset: objectives → marketing strategies → campaigns → claims),
    then the other types as declared.
    """

    types: tuple[EntityType, ...]
    records: tuple[Record, ...]
