"""Money and percentages: Decimal in Python, exact in every database, decimal strings in JSON.

PostgreSQL stores ``Numeric(14, 4)``. SQLite has no exact decimal type (its NUMERIC affinity is
a float), so there we store an integer count of 1/10 000 units: sums and comparisons done by
SQL stay exact on both backends. Percentages (tax rates, promo discounts) follow the same rule
with two places: ``Numeric(5, 2)``, or an integer count of hundredths on SQLite.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError, fields
from sqlalchemy import BigInteger, Integer, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

SCALE = 4
QUANTUM = Decimal(1).scaleb(-SCALE)  # 0.0001
CENT = Decimal("0.01")
_SQLITE_FACTOR = Decimal(10) ** SCALE
MAX_ABS = Decimal("9999999999.9999")  # Numeric(14, 4)
PERCENT_PLACES = 2
PERCENT_QUANTUM = Decimal("0.01")
_PERCENT_SQLITE_FACTOR = Decimal(100)
# What the API takes as a JSON string, published as the field's OpenAPI ``pattern``: at most
# 10 digits before the point and SCALE after it (Numeric(14, 4)), ASCII digits, no exponent.
MONEY_PATTERN = r"^-?[0-9]{1,10}(\.[0-9]{1,4})?$"
NON_NEGATIVE_MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,4})?$"
PERCENT_PATTERN = r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$"


class MoneyError(ValueError):
    """A value that is not an amount of money we can store."""


def to_money(value: Any) -> Decimal:
    """Parse ``value`` into a Decimal with at most 4 places; floats are refused."""
    if isinstance(value, bool | float):
        raise MoneyError("money must be a decimal string, not a float")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"not a decimal amount: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError("amount must be finite")
    if abs(amount) > MAX_ABS:
        raise MoneyError("amount is out of range")
    if amount != amount.quantize(QUANTUM, rounding=ROUND_HALF_UP):
        raise MoneyError("amount has more than 4 decimal places")
    return amount.quantize(QUANTUM)


def round_money(amount: Decimal, places: int = 2) -> Decimal:
    """Round half-up (the tax and invoice-line rule)."""
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal) -> str:
    """At least two places, up to four, never exponent notation: 12.5 -> "12.50"."""
    quantized = amount.quantize(QUANTUM)
    text = f"{quantized:f}"
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0").ljust(2, "0")
    return f"{whole}.{frac}"


class Money(TypeDecorator[Decimal]):
    """SQLAlchemy column type for amounts of money."""

    impl = Numeric(14, SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(14, SCALE, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = to_money(value)
        if dialect.name == "sqlite":
            return int(amount * _SQLITE_FACTOR)
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / _SQLITE_FACTOR).quantize(QUANTUM)
        return Decimal(value).quantize(QUANTUM)

    @property
    def python_type(self) -> type:
        return Decimal


class MoneyField(fields.Field):
    """Marshmallow field: accepts decimal strings matching ``pattern`` (the OpenAPI document's)
    or JSON integers in range (kept for old clients, undocumented), emits decimal strings."""

    pattern = MONEY_PATTERN

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": self.pattern, **(kwargs.get("metadata") or {})}
        super().__init__(**kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return format_money(to_money(value))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        try:
            amount = to_money(value)
        except MoneyError as exc:
            raise ValidationError(f"Not a valid amount of money: {exc}.") from exc
        if isinstance(value, str) and not re.fullmatch(self.pattern, value):
            raise ValidationError(
                'Not a valid amount of money: a decimal string such as "12.50" (up to 10 '
                "digits, optionally a point and 1-4 more; no exponent, spaces or '+')."
            )
        return amount

    def _jsonschema_type_mapping(self) -> dict[str, Any]:
        return {"type": "string", "format": "decimal", "example": "12.50"}


class Percent(TypeDecorator[Decimal]):
    """Column type for a percentage 0.00-100.00 as a Decimal (range checks are the use cases'
    job). Migrations import it from here without importing any model."""

    impl = Numeric(5, PERCENT_PLACES, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Integer())
        return dialect.type_descriptor(Numeric(5, PERCENT_PLACES, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value).quantize(PERCENT_QUANTUM)
        if dialect.name == "sqlite":
            return int(amount * _PERCENT_SQLITE_FACTOR)
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / _PERCENT_SQLITE_FACTOR).quantize(PERCENT_QUANTUM)
        return Decimal(value).quantize(PERCENT_QUANTUM)

    @property
    def python_type(self) -> type:
        return Decimal


class PercentField(fields.String):
    """A percentage 0-100 with at most two decimal places, as a decimal string ("20.00").

    A String subclass so that the OpenAPI document shows ``type: string``; floats are refused.
    Strings must match ``PERCENT_PATTERN`` (also the field's OpenAPI ``pattern``); a JSON
    integer 0-100 is still taken (undocumented).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": PERCENT_PATTERN, **(kwargs.get("metadata") or {})}
        super().__init__(**kwargs)

    default_error_messages = {
        "invalid": 'Not a valid percentage: use a decimal string such as "20.00".',
        "float": "A percentage must be a decimal string, not a float.",
        "places": "At most two decimal places.",
        "range": "Must be between 0 and 100.",
    }

    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> Decimal:
        if isinstance(value, bool | float):
            raise self.make_error("float" if isinstance(value, float) else "invalid")
        if not isinstance(value, str | int) or (isinstance(value, str) and len(value) > 20):
            raise self.make_error("invalid")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise self.make_error("invalid") from exc
        if not number.is_finite():
            raise self.make_error("invalid")
        if not 0 <= number <= 100:
            raise self.make_error("range")
        if number != number.quantize(PERCENT_QUANTUM):
            raise self.make_error("places")
        if isinstance(value, str) and not re.fullmatch(PERCENT_PATTERN, value):
            raise self.make_error("invalid")
        return number.quantize(PERCENT_QUANTUM)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(value).quantize(PERCENT_QUANTUM):f}"
