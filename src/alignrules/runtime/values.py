"""Value types of the language and exact parsing of the spellings exports use."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Final

import attrs

#: Durations are exact day counts; months, quarters and years use fixed lengths so that
#: comparisons are total and reproducible (documented in docs/language.md).
Duration = timedelta

DAYS_PER_UNIT: Final = {
    "day": 1,
    "week": 7,
    "month": 30,
    "quarter": 91,
    "year": 365,
}


class ValueProblem(ValueError):
    """A value that does not fit its declared type; the message says what was expected."""


# ------------------------------------------------------------------------ the range of numbers
#: Numbers in plan data, parameters and ruleset literals are less than 10^30 in size and have
#: no digit past the 30th decimal place (docs/language.md, "The range of numbers"). Within
#: that range the rules' arithmetic (60 significant digits) cannot overflow, and no number
#: can make reading or formatting slow (`1e-99999999` is 100 million digits when printed).
MAX_INTEGER_DIGITS: Final = 30
MAX_DECIMAL_PLACES: Final = 30
_LIMIT: Final = 10**MAX_INTEGER_DIGITS
#: The longest duration: the distance from the first to the last day a date can be.
MAX_DAYS: Final = (date.max - date.min).days
_RANGE: Final = (
    f"numbers must be less than 10^{MAX_INTEGER_DIGITS} in size"
    f" with at most {MAX_DECIMAL_PLACES} decimal places"
)


def bounded_int(value: int) -> int:
    """`value`, when it is in the range of numbers; else ValueProblem."""
    if -_LIMIT < value < _LIMIT:
        return value
    raise ValueProblem(f"a number with {len(str(abs(value)))} digits is out of range: {_RANGE}")


def bounded_decimal(value: Decimal) -> Decimal:
    """`value`, when it is finite and in the range of numbers; else ValueProblem.

    A zero written with a huge exponent (`0e-99999999`) is the plain zero.
    """
    if not value.is_finite():
        raise ValueProblem(f"expected a finite number, got {value}")
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if not any(digits):
        return value if -MAX_DECIMAL_PLACES <= exponent <= 0 else Decimal(0)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if value.adjusted() >= MAX_INTEGER_DIGITS or exponent + trailing < -MAX_DECIMAL_PLACES:
        raise ValueProblem(f"the number {_short(str(value))} is out of range: {_RANGE}")
    return value


def bounded_days(days: int) -> Duration:
    """A duration of `days` days, if two dates can be that far apart; else ValueProblem."""
    if -MAX_DAYS <= days <= MAX_DAYS:
        return timedelta(days=days)
    raise ValueProblem(
        f"a duration of {days:,} days is out of range: at most {MAX_DAYS:,} days, the distance"
        " from the first to the last day a date can be"
    )


@attrs.frozen(order=False)
class Money:
    """An exact amount with an optional ISO currency code.

    Amounts of different known currencies never compare or add: that raises ValueProblem
    rather than giving an answer that mixes euros and dollars.
    """

    amount: Decimal
    currency: str | None = None

    def _check(self, other: Money) -> str | None:
        if self.currency and other.currency and self.currency != other.currency:
            raise ValueProblem(f"cannot combine {self} and {other}: different currencies")
        return self.currency or other.currency

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + other.amount, self._check(other))

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - other.amount, self._check(other))

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * factor, self.currency)

    def __truediv__(self, other: Money) -> Decimal:
        self._check(other)
        return self.amount / other.amount

    def scale_div(self, divisor: Decimal | int) -> Money:
        return Money(self.amount / divisor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.amount >= other.amount

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other)
        return self.amount == other.amount

    def __hash__(self) -> int:
        return hash(self.amount)

    def __str__(self) -> str:
        text = f"{self.amount:,f}"
        return f"{text} {self.currency}" if self.currency else text


ZERO_MONEY: Final = Money(Decimal(0))

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_SYMBOLS: Final = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CURRENCY = re.compile(r"[A-Z]{3}", re.ASCII)


def is_currency_code(text: str) -> bool:
    """Whether `text` has the shape of an ISO 4217 code: three capital letters A-Z. Which
    codes exist is not checked (the list changes; `XTS` is a test code), only the shape."""
    return _CURRENCY.fullmatch(text) is not None


def parse_decimal(text: str) -> Decimal:
    """`"1,234.50"` → Decimal("1234.50"); `,` separates thousands, `.` is the decimal point."""
    raw = text.strip().replace("_", "")
    if not _NUMBER.fullmatch(raw):
        raise ValueProblem(f"expected a number, got {_short(text)!r}")
    return bounded_decimal(Decimal(raw.replace(",", "")))


def finite_decimal(value: Decimal) -> Decimal:
    return bounded_decimal(value)


def _short(text: str) -> str:
    """A value quoted in a message: long ones cut, so a message stays one readable line."""
    return text if len(text) <= 60 else text[:57] + "..."


def parse_money(text: str) -> Money:
    """`"USD 1,200.50"`, `"1,200.50 USD"`, `"$1,200.50"`, `"-€3"` or a bare number."""
    raw = text.strip()
    currency: str | None = None
    sign = ""
    if raw[:1] in "+-":
        sign, raw = raw[:1], raw[1:].strip()
    if raw[:1] in _SYMBOLS:
        currency, raw = _SYMBOLS[raw[:1]], raw[1:].strip()
    parts = raw.split()
    if len(parts) == 2 and _CURRENCY.fullmatch(parts[0]) and currency is None:
        currency, raw = parts[0], parts[1]
    elif len(parts) == 2 and _CURRENCY.fullmatch(parts[1]) and currency is None:
        currency, raw = parts[1], parts[0]
    if raw[:1] in "+-" and not sign:
        sign, raw = raw[:1], raw[1:]
    try:
        return Money(parse_decimal(sign + raw), currency)
    except ValueProblem:
        raise ValueProblem(f"expected an amount such as `1,200.50 USD`, got {text!r}") from None


def parse_date(text: str) -> date:
    """An ISO 8601 calendar date, `2026-03-31`."""
    raw = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise ValueProblem(f"expected a date like 2026-03-31, got {text!r}")
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValueProblem(f"{text!r} is not a calendar date ({exc})") from None


_DURATION_WORDS = re.compile(r"(\d+)\s*(day|week|month|quarter|year)s?", re.IGNORECASE)
_ISO_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", re.IGNORECASE)


def parse_duration(text: str) -> Duration:
    """`"90 days"`, `"2 years"`, `"1 quarter"`, ISO 8601 `P1Y6M`, `P90D`, or a number of days."""
    raw = text.strip()
    if len(raw) > 80:  # longer than any duration in range; int() of it could be slow
        raise ValueProblem(f"expected a duration like `90 days` or `P1Y`, got {_short(text)!r}")
    if raw.isascii() and raw.isdigit():
        # A bare count is days, as a JSON number is: CSV cells and `--param` give text.
        return bounded_days(int(raw))
    if m := _DURATION_WORDS.fullmatch(raw):
        return bounded_days(int(m[1]) * DAYS_PER_UNIT[m[2].lower()])
    if (m := _ISO_DURATION.fullmatch(raw)) and raw.upper() != "P":
        years, months, weeks, days = (int(g or 0) for g in m.groups())
        return bounded_days(years * 365 + months * 30 + weeks * 7 + days)
    raise ValueProblem(f"expected a duration like `90 days` or `P1Y`, got {_short(text)!r}")


_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0", ""})


def parse_bool(text: str) -> bool:
    raw = text.strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueProblem(f"expected true or false, got {text!r}")


def parse_int(text: str) -> int:
    raw = text.strip().replace(",", "").replace("_", "")
    if not re.fullmatch(r"[+-]?\d+", raw):
        raise ValueProblem(f"expected a whole number, got {_short(text)!r}")
    if len(raw.lstrip("+-").lstrip("0")) > MAX_INTEGER_DIGITS:  # before int(), which is slow
        raise ValueProblem(
            f"a number with {len(raw.lstrip('+-'))} digits is out of range: {_RANGE}"
        )
    return int(raw)


def normalize_spelling(text: str) -> str:
    """How enum spellings are matched: case, spaces, `-` and `_` do not matter."""
    return re.sub(r"[\s_\-]+", "_", text.strip()).casefold()


def exact_decimal(value: Decimal | int) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - Decimal(int) cannot fail
        raise ValueProblem(str(exc)) from None
