"""The baseline: the four reference rules as a careful engineer would write them by hand.

`json.load` (money read exactly, as Decimal), a small binding into slotted dataclasses (dates
parsed, enums checked, a missing required field is an error naming the record), dict indexes
built once, one function per rule. No alignrules import: this is what alignrules competes with.

Findings are `(rule, subject key, related key)` triples, the form every engine in
`engines.py` is compared in; `related` is "" when a finding has no other entity.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

Finding = tuple[str, str, str]

STATUS_RANK = {"proposed": 1, "funded": 2, "built": 3, "stress_tested": 4}
CHANNELS = frozenset(("tv", "outdoor", "social", "search", "email", "events", "web", "retail"))
KINDS = frozenset(("acquisition", "brand", "retention", "launch"))
LTV_CAC_MIN = Decimal(3)


class PlanError(ValueError):
    pass


@dataclass(slots=True, frozen=True)
class Capability:
    id: str
    name: str
    status: int  # STATUS_RANK
    ready_on: date | None
    capacity: int | None


@dataclass(slots=True, frozen=True)
class Segment:
    id: str
    name: str
    chosen: bool


@dataclass(slots=True, frozen=True)
class Product:
    id: str
    name: str
    price: Decimal
    unit_cost: Decimal
    ltv: Decimal
    cac: Decimal


@dataclass(slots=True, frozen=True)
class Objective:
    id: str
    name: str
    level: str
    metric: str


@dataclass(slots=True, frozen=True)
class Campaign:
    id: str
    name: str
    kind: str
    channel: str
    budget: Decimal
    launch_on: date
    objective: str | None
    product: str | None
    segments: tuple[str, ...]
    projected_demand: int | None


@dataclass(slots=True, frozen=True)
class Claim:
    id: str
    text: str
    channel: str
    campaign: str | None
    capabilities: tuple[str, ...]


@dataclass(slots=True)
class Plan:
    objectives: dict[str, Objective]
    capabilities: dict[str, Capability]
    segments: dict[str, Segment]
    products: dict[str, Product]
    campaigns: dict[str, Campaign]
    claims: dict[str, Claim]
    claims_by_campaign: dict[str, list[Claim]]


def _opt_date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _index(kind: str, items: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if item.id in out:
            raise PlanError(f"duplicate {kind} {item.id}")
        out[item.id] = item
    return out


def bind(raw: dict[str, Any]) -> Plan:
    """Plain JSON data → Plan; a bad record raises PlanError naming where it is."""
    business, marketing = raw["business"], raw["marketing"]
    try:
        objectives = [
            Objective(r["id"], r["name"], r["level"], r["metric"]) for r in raw["objectives"]
        ]
        capabilities = [
            Capability(
                r["id"],
                r["name"],
                STATUS_RANK[r["status"]],
                _opt_date(r.get("ready_on")),
                r.get("capacity"),
            )
            for r in business["capabilities"]
        ]
        segments = [Segment(r["id"], r["name"], bool(r["chosen"])) for r in business["segments"]]
        products = [
            Product(
                r["id"],
                r["name"],
                Decimal(r["price"]),
                Decimal(r["unit_cost"]),
                Decimal(r["ltv"]),
                Decimal(r["cac"]),
            )
            for r in business["products"]
        ]
        campaigns = []
        for r in marketing["campaigns"]:
            if r["kind"] not in KINDS or r["channel"] not in CHANNELS:
                raise PlanError(f"campaign {r['id']}: bad kind or channel")
            campaigns.append(
                Campaign(
                    r["id"],
                    r["name"],
                    r["kind"],
                    r["channel"],
                    Decimal(r["budget"]),
                    date.fromisoformat(r["launch_on"]),
                    r.get("objective_id"),
                    r.get("product_id"),
                    tuple(r["segment_ids"]),
                    r.get("projected_demand"),
                )
            )
        claims = []
        for r in marketing["claims"]:
            if r["channel"] not in CHANNELS:
                raise PlanError(f"claim {r['id']}: bad channel {r['channel']!r}")
            claims.append(
                Claim(
                    r["id"],
                    r["text"],
                    r["channel"],
                    r.get("campaign_id"),
                    tuple(r["capability_ids"]),
                )
            )
    except KeyError as exc:
        raise PlanError(f"missing field or unknown value {exc}") from None
    by_campaign: dict[str, list[Claim]] = {}
    for claim in claims:
        if claim.campaign is not None:
            by_campaign.setdefault(claim.campaign, []).append(claim)
    return Plan(
        _index("objective", objectives),
        _index("capability", capabilities),
        _index("segment", segments),
        _index("product", products),
        _index("campaign", campaigns),
        _index("claim", claims),
        by_campaign,
    )


def load(path: str | Path) -> Plan:
    with open(path, "rb") as f:
        return bind(json.load(f, parse_float=Decimal))


# ------------------------------------------------------------------ the four rules
FUNDED = STATUS_RANK["funded"]


def r1(plan: Plan) -> Iterator[Finding]:
    """A claim references a capability below funded, or one that does not exist."""
    caps = plan.capabilities
    for claim in plan.claims.values():
        for k in claim.capabilities:
            cap = caps.get(k)
            if cap is None or cap.status < FUNDED:
                yield ("R1", claim.id, k)


def r2(plan: Plan) -> Iterator[Finding]:
    """A claim's campaign launches before a capability is ready; a campaign plans more demand
    than its claims' capabilities (each counted once) can serve."""
    caps, campaigns = plan.capabilities, plan.campaigns
    for claim in plan.claims.values():
        if claim.campaign is None or claim.campaign not in campaigns:
            continue
        launch = campaigns[claim.campaign].launch_on
        for k in claim.capabilities:
            cap = caps.get(k)
            if cap is not None and (cap.ready_on is None or cap.ready_on > launch):
                yield ("R2-ready", claim.id, k)
    for campaign in campaigns.values():
        if campaign.projected_demand is None:
            continue
        keys = {k for c in plan.claims_by_campaign.get(campaign.id, ()) for k in c.capabilities}
        capacity = 0
        for k in keys:
            cap = caps.get(k)
            if cap is not None and cap.capacity is not None:
                capacity += cap.capacity
        if campaign.projected_demand > capacity:
            yield ("R2-capacity", campaign.id, "")


def r3(plan: Plan) -> Iterator[Finding]:
    """An acquisition campaign promotes a product with LTV/CAC below 3 or no unit margin."""
    products = plan.products
    for campaign in plan.campaigns.values():
        if campaign.kind != "acquisition" or campaign.product is None:
            continue
        product = products.get(campaign.product)
        if product is None:
            continue
        if product.ltv < product.cac * LTV_CAC_MIN or product.price - product.unit_cost <= 0:
            yield ("R3", campaign.id, "")


def r4(plan: Plan) -> Iterator[Finding]:
    """A campaign names no objective or a missing one, or targets a segment not chosen."""
    objectives, segments = plan.objectives, plan.segments
    for campaign in plan.campaigns.values():
        if campaign.objective is None:
            yield ("R4-objective", campaign.id, "")
        elif campaign.objective not in objectives:
            yield ("R4-objective", campaign.id, campaign.objective)
        for k in campaign.segments:
            segment = segments.get(k)
            if segment is not None and not segment.chosen:
                yield ("R4-segment", campaign.id, k)


def check(plan: Plan) -> list[Finding]:
    return [*r1(plan), *r2(plan), *r3(plan), *r4(plan)]
