"""Hypothesis strategies for plans in the standard export shape of rulesets/strategy/schema.rules.

`plans()` draws a whole plan: `objectives`, `business.{capabilities,segments,products}` and
`marketing.{strategies,campaigns,claims}`, each with 0-12 records, as the plain values
`json.loads` or `yaml.safe_load` give (plus `datetime.date` for some dates, as YAML reads an
unquoted date). The values are chosen to reach the edges the standard rules care about:

- every enum value, in the lenient spellings the binder accepts (`Stress-tested`, `IN APP`,
  ` funded `);
- optional fields absent, `null` or present; optional lists absent, `null`, `[]` or filled;
  collections as a list, as `null` (no records) or as a mapping keyed by id;
- amounts, durations and counts on both sides of each default threshold of params.rules
  (unit margin 0, LTV = 3 x CAC, demand = capacity, campaign budgets = strategy budget,
  horizons of 91 / 730 / 1095 days), in several money and duration spellings;
- record ids unique per collection, references that resolve, and dangling ones (unknown
  ids, ids of another collection, a different case, surrounding spaces, the empty key);
- names, jobs and need tags drawn from a small vocabulary so that `contains` and the
  case/space-insensitive need matching both hit and miss.

Money is written without a currency or in USD only: a plan mixing two currencies is a
documented error (a crash of the rule), not a finding, so it is left out on purpose.
"""

from __future__ import annotations

import copy
import datetime
import functools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

AS_OF = datetime.date(2026, 11, 22)

#: Sentinel for "leave the field out of the record".
ABSENT: Any = object()

MAX_RECORDS = 12

# ------------------------------------------------------------------ enums (schema.rules)

CAPABILITY_STATUS = ["proposed", "funded", "built", "stress_tested"]
CAPABILITY_AREA = [
    "product", "manufacturing", "supply_chain", "logistics", "operations", "service",
    "sustainability", "technology", "data", "people",
]  # fmt: skip
BUDGET_TREND = ["cut", "flat", "increased"]
OBJECTIVE_LEVEL = ["business", "marketing"]
METRIC = [
    "roic", "market_share", "unit_economics", "gross_margin", "revenue_growth",
    "free_cash_flow", "cac", "ltv", "ltv_cac", "brand_sentiment", "awareness", "consideration",
    "conversion_rate", "retention", "nps", "reach",
]  # fmt: skip
CHANNEL = [
    "tv", "outdoor", "social", "influencer", "display", "search", "pr", "retail", "events",
    "email", "in_app", "web", "direct_mail", "partner", "sales",
]  # fmt: skip
CAMPAIGN_KIND = ["acquisition", "referral", "promotion", "launch", "brand", "retention"]


def spellings(value: str) -> list[str]:
    """Data spellings of an enum value that the binder must read as that value: case,
    spaces, `-` and `_` do not matter, and surrounding spaces are dropped."""
    words = value.split("_")
    return [
        value,
        value.upper(),
        " ".join(words),
        "-".join(w.capitalize() for w in words),
        f" {value} ",
    ]


def enum_values(values: list[str], *, favour: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """One of `values` (each reachable, those in `favour` more often), in one of its spellings."""
    weighted = [*values, *(v for v in favour for _ in range(len(values) // 2))]
    return st.sampled_from(tuple(s for v in weighted for s in spellings(v)))


# ------------------------------------------------------------------ drawing helpers
# The plan is drawn in one composite from strategies built once (building a strategy per
# draw made generation ten times slower than checking).


@functools.cache
def _below(n: int) -> st.SearchStrategy[int]:
    return st.integers(0, n - 1)


def pick(draw: st.DrawFn, seq: Sequence[Any]) -> Any:
    """One element of a non-empty sequence (shrinks towards the first)."""
    return seq[draw(_below(len(seq)))]


def opt(draw: st.DrawFn, values: st.SearchStrategy[Any] | Sequence[Any]) -> Any:
    """An optional field: left out or `null` one time in three each, else a value."""
    n = draw(_below(6))
    if n < 2:
        return (ABSENT, None)[n]
    return pick(draw, values) if isinstance(values, Sequence) else draw(values)


# ------------------------------------------------------------------ scalar values

#: Amounts around the thresholds: zero, a cent, small whole numbers (LTV = 3 x CAC, budgets
#: adding up to exactly the strategy's budget), the quick-commerce prices, and a negative one.
AMOUNTS = tuple(
    Decimal(x) for x in ["-1", "0", "0.01", "1", "2", "3", "6", "7", "9", "24.9", "27.40", "50", "100", "1200.50"]
)  # fmt: skip

#: Offsets that put a second amount just below, on, or just above the first.
OFFSETS = tuple(Decimal(x) for x in ["-1", "-0.01", "0", "0.01", "1"])


@functools.cache
def money_spellings(amount: Decimal) -> tuple[Any, ...]:
    """Spellings of an amount without a currency or in USD (never two currencies)."""
    plain = f"{amount:,}"
    out: list[Any] = [f"USD {plain}", f"{plain} USD", {"amount": str(amount), "currency": "USD"}]
    out.append(f"${plain}" if amount >= 0 else f"-${-amount:,}")
    if amount == amount.to_integral_value():
        out.append(int(amount))
    if Decimal(repr(float(amount))) == amount:
        out.append(float(amount))
    out.append(str(amount))
    return tuple(out)


def money(draw: st.DrawFn, amount: Decimal) -> Any:
    return copy.deepcopy(pick(draw, money_spellings(amount)))


#: Durations, as data may write them, on both sides of 1 quarter (91 days), 2 years (730) and
#: 3 years (1095), the defaults of min_marketing_horizon, max_marketing_horizon and
#: min_business_horizon.
DURATIONS = (
    0, 1, 90, 91, 92, 364, 365, 729, 730, 731, 1094, 1095, 1096, 1460,
    "30 days", "90 days", "91 Days", "1 day", "1 week", "2 weeks", "104 weeks", "6 months",
    "12 months", "25 months", "1 quarter", "1 QUARTER", "2 quarters", "4 quarters",
    "8 quarters", "12 quarters", "1 year", "2 years", "3 years", "3 Years", "4 years",
    "P1Y", "P2Y", "P3Y", "P90D", "P91D", "P1Y6M", "P2W", "P2Y1D", "P1095D", "P1094D",
)  # fmt: skip

#: Dates around the as-of date, as text or as the `date` YAML gives (no standard rule reads
#: `today`, but launch and ready dates are compared, so they come from one small pool).
DATES = tuple(
    form
    for d in [AS_OF + datetime.timedelta(days=n) for n in (-400, -30, -1, 0, 1, 2, 30, 365)]
    + [datetime.date(2024, 2, 29)]
    for form in (d.isoformat(), d)
)

#: Monthly capacities and demands: equal, one apart, zero, negative.
COUNTS = (-1, 0, 1, 2, 99, 100, 101, 18000)

#: Words for segment and product names and jobs: `lower(segment.name) contains
#: lower(product.name)` must hit and miss, including Unicode whose lower case is longer.
WORDS = ("arc", "Arc", "ARC PRO", "pro", "zip", "Zip", "plus", "Straße", "STRASSE", "İ", "i", "É", "é")  # fmt: skip
names = st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join)
#: Jobs to be done: blank ones (spaces, tabs) as well as real ones.
jobs = st.one_of(st.sampled_from(("", " ", "\t", "  \t ")), names)
#: Need tags: matched ignoring case and surrounding spaces.
NEEDS = ("fast", " Fast ", "FAST", "cheap", "late-night", "Late-Night\t", "", " ")
need_lists = st.lists(st.sampled_from(NEEDS), max_size=3)


def as_list(draw: st.DrawFn, items: list[str]) -> Any:
    """A list as an array or, one time in six, as one text cut by the schema's `split ";"`
    (spaces around items removed, empty items dropped: docs/language.md 3.5)."""
    if draw(_below(6)) > 0:
        return items
    return pick(draw, (";", "; ", " ;")).join(items) + pick(draw, ("", ";"))


def needs(draw: st.DrawFn) -> Any:
    """An optional list of need tags."""
    value = opt(draw, need_lists)
    return as_list(draw, value) if isinstance(value, list) else value


#: Free text (claim text, names no rule reads): anything printable or not.
free_text = st.text(max_size=8)
bools = st.booleans()

STATUSES = enum_values(CAPABILITY_STATUS)
AREAS = enum_values(CAPABILITY_AREA, favour=("service",))
TRENDS = enum_values(BUDGET_TREND, favour=("cut",))
LEVELS = enum_values(OBJECTIVE_LEVEL)
METRICS = enum_values(METRIC)
CHANNELS = enum_values(CHANNEL)
KINDS = enum_values(CAMPAIGN_KIND)


# ------------------------------------------------------------------ ids and references


def id_pool(prefix: str) -> tuple[str, ...]:
    # Ids that differ only by leading zeros (`M1`, `M01`) have their own test in test_oracle.py.
    return tuple(f"{prefix}{i}" for i in range(1, 15))


@functools.cache
def ids(prefix: str) -> st.SearchStrategy[list[str]]:
    """Unique record ids for one collection."""
    return st.lists(st.sampled_from(id_pool(prefix)), unique=True, max_size=MAX_RECORDS)


def dangling(prefix: str, other: str) -> tuple[str, ...]:
    """Keys that name no record of the collection with this prefix: unknown, another
    collection's, another case, with spaces, empty."""
    return (f"{prefix}99", f"{other}1", f"{prefix.lower()}1", f" {prefix}1", f"{prefix}1 ", "")


class Refs:
    """Draws references to one collection: an existing key, or now and then a dangling one
    (never, in a plan drawn without dangling references)."""

    def __init__(self, existing: list[str], prefix: str, other: str, allow_dangling: bool) -> None:
        self.existing, self.bad = tuple(existing), dangling(prefix, other)
        self.allow_dangling = allow_dangling

    def one(self, draw: st.DrawFn) -> Any:
        """An optional single reference: absent, null, or (two times in three) a key."""
        n = draw(_below(6))
        if n < 2 or (not self.existing and not self.allow_dangling):
            return (ABSENT, None)[n % 2]
        return self.key(draw)

    def key(self, draw: st.DrawFn) -> str:
        if self.existing and (not self.allow_dangling or draw(_below(12)) > 0):
            return str(pick(draw, self.existing))
        return str(pick(draw, self.bad))

    def many(self, draw: st.DrawFn) -> Any:
        if not self.existing and not self.allow_dangling:
            return []
        return as_list(draw, [self.key(draw) for _ in range(draw(_below(4)))])


# ------------------------------------------------------------------ records


def record(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not ABSENT}


def maybe_money(draw: st.DrawFn, amount: Decimal | None) -> Any:
    return pick(draw, (ABSENT, None)) if amount is None else money(draw, amount)


def unit_economics(draw: st.DrawFn) -> dict[str, Any]:
    """price, unit_cost, ltv and cac: each missing one time in four; when a pair is there, it
    is often on or next to its threshold (margin 0; LTV = 3 x CAC)."""

    def amount() -> Decimal | None:
        return None if draw(_below(4)) == 0 else pick(draw, AMOUNTS)

    price, cost, cac, ltv = amount(), amount(), amount(), amount()
    if price is not None and cost is not None and draw(bools):
        cost = price + pick(draw, OFFSETS)
    if cac is not None and ltv is not None and draw(bools):
        ltv = cac * 3 + pick(draw, OFFSETS)
    return {
        "price": maybe_money(draw, price),
        "unit_cost": maybe_money(draw, cost),
        "ltv": maybe_money(draw, ltv),
        "cac": maybe_money(draw, cac),
    }


def collection(draw: st.DrawFn, records: list[dict[str, Any]]) -> Any:
    """The records as a list, or (one time in eight) as a mapping keyed by id whose records
    may leave the id out (or keep it under another mapping key: the record's own id is its
    key); no records: `[]`, `{}` or `null`."""
    if not records:
        return pick(draw, ([], None, {}))
    if draw(_below(8)) > 0:
        return records
    mapping = {}
    for n, rec in enumerate(records):
        rec = dict(rec)
        how = draw(_below(3))
        key = rec.pop("id") if how == 0 else rec["id"] if how == 1 else f"row {n}"
        mapping[key] = rec
    return mapping


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    """A whole plan in the standard export shape."""
    o_ids, k_ids, s_ids, p_ids = draw(ids("O")), draw(ids("K")), draw(ids("S")), draw(ids("P"))
    ms_ids, m_ids, cl_ids = draw(ids("MS")), draw(ids("M")), draw(ids("CL"))
    allow = draw(_below(3)) > 0  # a third of the plans have no dangling reference at all
    to_o, to_k = Refs(o_ids, "O", "S", allow), Refs(k_ids, "K", "P", allow)
    to_s, to_p = Refs(s_ids, "S", "O", allow), Refs(p_ids, "P", "S", allow)
    to_ms, to_m = Refs(ms_ids, "MS", "M", allow), Refs(m_ids, "M", "CL", allow)

    objectives = [
        record(
            id=i,
            name=draw(free_text),
            level=draw(LEVELS),
            metric=draw(METRICS),
            horizon=opt(draw, DURATIONS),
            parent_id=to_o.one(draw),
            owner=opt(draw, free_text),
        )
        for i in o_ids
    ]
    capabilities = [
        record(
            id=i,
            name=draw(free_text),
            status=draw(STATUSES),
            area=opt(draw, AREAS),
            ready_on=opt(draw, DATES),
            capacity=opt(draw, COUNTS),
            budget_trend=opt(draw, TRENDS),
        )
        for i in k_ids
    ]
    segments = [
        record(
            id=i,
            name=draw(names),
            job_to_be_done=opt(draw, jobs),
            unmet_needs=needs(draw),
            chosen=opt(draw, bools),
        )
        for i in s_ids
    ]
    products = [
        record(
            id=i,
            name=draw(names),
            funded=draw(bools),
            **unit_economics(draw),
            segment_ids=to_s.many(draw),
            needs_addressed=needs(draw),
        )
        for i in p_ids
    ]
    budgets = {i: pick(draw, AMOUNTS) for i in ms_ids}
    strategies = [
        record(
            id=i,
            name=draw(free_text),
            objective_ids=to_o.many(draw),
            segment_ids=to_s.many(draw),
            budget=money(draw, budgets[i]),
            horizon=opt(draw, DURATIONS),
        )
        for i in ms_ids
    ]
    campaigns = []
    for i in m_ids:
        strategy = to_ms.one(draw)
        budget = pick(draw, AMOUNTS)
        if strategy in budgets and draw(bools):
            # a share of the strategy's budget, so that the campaigns often add up to it
            total = budgets[strategy]
            budget = pick(draw, (total, total / 2, total - 1, total / 3))
        campaigns.append(
            record(
                id=i,
                name=draw(free_text),
                strategy_id=strategy,
                objective_id=to_o.one(draw),
                product_id=to_p.one(draw),
                kind=draw(KINDS),
                channel=draw(CHANNELS),
                budget=money(draw, budget),
                launch_on=opt(draw, DATES),
                projected_demand=opt(draw, COUNTS),
                segment_ids=to_s.many(draw),
                metric=opt(draw, METRICS),
            )
        )
    claims = [
        record(
            id=i,
            text=draw(free_text),
            campaign_id=to_m.one(draw),
            capability_ids=to_k.many(draw),
            channel=opt(draw, CHANNELS),
            public=opt(draw, bools),
            premium=opt(draw, bools),
        )
        for i in cl_ids
    ]
    return {
        "exported_at": "2026-11-20",  # a field no entity reads
        "objectives": collection(draw, objectives),
        "business": {
            "capabilities": collection(draw, capabilities),
            "segments": collection(draw, segments),
            "products": collection(draw, products),
        },
        "marketing": {
            "strategies": collection(draw, strategies),
            "campaigns": collection(draw, campaigns),
            "claims": collection(draw, claims),
        },
    }
