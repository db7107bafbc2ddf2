"""Ruleset parameters given as text (`--param ltv_cac_min=2.5`), read by each parameter's
type into a generated module's `Params`."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from alignrules.runtime.readers import scalar_reader
from alignrules.runtime.values import ValueProblem

T = TypeVar("T")


def parse_param(
    kind: str, text_value: str, spellings_: Mapping[str, enum.Enum] | None, is_set: bool
) -> Any:
    """A parameter override from the command line: `--param ltv_cac_min=2.5`."""
    read = scalar_reader(kind, True, spellings_)
    if is_set:
        parts = [p.strip() for p in text_value.split(",") if p.strip()]
        return frozenset(read(p) for p in parts)
    return read(text_value)


def make_params(
    cls: type[T],
    specs: Sequence[tuple[str, str, str, Mapping[str, enum.Enum] | None, bool]],
    overrides: Mapping[str, str],
) -> T:
    """`cls()` with `overrides` (parameter name → text) parsed by each parameter's type."""
    by_name = {s[0]: s for s in specs}
    values: dict[str, Any] = {}
    for name, raw_value in overrides.items():
        spec = by_name.get(name)
        if spec is None:
            known = ", ".join(sorted(by_name)) or "none"
            raise ValueProblem(f"unknown parameter `{name}` (parameters: {known})")
        _, attr, kind, spell, is_set = spec
        try:
            values[attr] = parse_param(kind, raw_value, spell, is_set)
        except ValueProblem as exc:
            raise ValueProblem(f"parameter `{name}`: {exc}") from None
    return cls(**values)
