"""Column type for percentages (tax rates, promo discounts): exact, two decimal places.

Kept apart from the models so migrations can import it without importing the models. Like
``core.money.Money``: ``Numeric(5, 2)`` where the database has exact decimals, an integer count
of hundredths on SQLite (whose NUMERIC is a float).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

PERCENT_PLACES = 2
PERCENT_QUANTUM = Decimal("0.01")
_SQLITE_FACTOR = Decimal(100)


class Percent(TypeDecorator[Decimal]):
    """A percentage 0.00-100.00 as a Decimal (range checks are the use cases' job)."""

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
            return int(amount * _SQLITE_FACTOR)
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / _SQLITE_FACTOR).quantize(PERCENT_QUANTUM)
        return Decimal(value).quantize(PERCENT_QUANTUM)

    @property
    def python_type(self) -> type:
        return Decimal
