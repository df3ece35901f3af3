"""Money is exact: Decimal in Python, exact in both databases, decimal strings in JSON."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from omnicrm.core.money import MoneyError, MoneyField, format_money, round_money, to_money

amounts = st.decimals(
    min_value=Decimal("-9999999999.9999"),
    max_value=Decimal("9999999999.9999"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)


@given(amounts)
def test_json_round_trip_is_exact(value):
    field = MoneyField()
    text = field._serialize(value, None, None)
    assert isinstance(text, str)
    assert field.deserialize(text) == value


@given(amounts)
def test_format_has_two_to_four_places(value):
    text = format_money(value)
    places = len(text.split(".")[1])
    assert 2 <= places <= 4
    assert Decimal(text) == value


def test_floats_and_garbage_are_refused():
    for bad in (1.1, float("nan"), "abc", "1e999", "1.00001", True):
        with pytest.raises(MoneyError):
            to_money(bad)
    with pytest.raises(ValidationError):
        MoneyField().deserialize(0.1)


def test_round_half_up():
    assert round_money(Decimal("2.345")) == Decimal("2.35")
    assert round_money(Decimal("-2.345")) == Decimal("-2.35")
    assert round_money(Decimal("2.344")) == Decimal("2.34")


@pytest.fixture
def money_table(database):
    from omnicrm.core.money import Money

    metadata = MetaData()
    table = Table(
        "money_probe", metadata, Column("id", Integer, primary_key=True), Column("amount", Money())
    )
    metadata.create_all(database.engine)
    yield table
    metadata.drop_all(database.engine)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(amounts.filter(lambda d: abs(d) < Decimal("1000000")), min_size=1, max_size=20))
def test_database_round_trip_and_sum_are_exact(database, money_table, values):
    with database.engine.begin() as conn:
        conn.execute(money_table.delete())
        conn.execute(insert(money_table), [{"amount": v} for v in values])
        stored = [
            row.amount
            for row in conn.execute(select(money_table.c.amount).order_by(money_table.c.id))
        ]
        total = conn.execute(select(func.sum(money_table.c.amount))).scalar_one()
    assert stored == values
    assert all(isinstance(v, Decimal) for v in stored)
    assert total == sum(values, Decimal(0))


def test_no_float_money_columns_in_the_schema(database):
    """Floats only for coordinates; money-named columns are Money (or JSON snapshots of
    decimal strings), never Float/Numeric/Integer."""
    from sqlalchemy import JSON, Float, Integer, Numeric

    from omnicrm.core.db import Base
    from omnicrm.core.money import Money

    money_words = ("cost", "amount", "price", "balance", "total", "fee", "rate_per")
    floats = [
        f"{t.name}.{c.name}"
        for t in Base.metadata.tables.values()
        for c in t.columns
        if isinstance(c.type, Float) and c.name not in {"latitude", "longitude"}
    ]
    suspicious = [
        f"{t.name}.{c.name}"
        for t in Base.metadata.tables.values()
        for c in t.columns
        if any(w in c.name for w in money_words)
        and not (c.primary_key or c.foreign_keys)  # keys of a table named after money
        and not isinstance(c.type, Money | JSON)
        and isinstance(c.type, Float | Numeric | Integer)
    ]
    assert floats == []
    assert suspicious == []
