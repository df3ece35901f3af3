"""Request and response schemas of the charging API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from omnicrm.charging.ports import BalanceType, Cause
from omnicrm.core.fields import Text
from omnicrm.core.money import MoneyField


class TopUpAmount(MoneyField):
    """Above 0 and below a million: a typo's extra digits are refused, not credited."""

    pattern = r"^(?=[0-9.]*[1-9])[0-9]{1,6}(\.[0-9]{1,4})?$"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str):
            raise ValidationError('Not a valid amount of money: a decimal string such as "12.50".')
        return super()._deserialize(value, attr, data, **kwargs)


class BalanceSchema(Schema):
    balance_type = fields.Enum(BalanceType, by_value=True)
    balance_id = Text()
    value = MoneyField(
        metadata={"description": "Money in the service's currency, data in MB, voice in minutes"}
    )
    expiry = fields.DateTime(allow_none=True, metadata={"description": "null: never expires"})
    weight = fields.Integer(metadata={"description": "Higher is used first"})
    blocker = fields.Boolean(metadata={"description": "When empty, no other balance is used"})


class ServiceBalancesSchema(Schema):
    service_id = fields.Integer()
    account = Text(metadata={"description": "The charging account: the service's UUID"})
    backend = Text(metadata={"description": "internal or cgrates"})
    currency = Text()
    balances = fields.List(fields.Nested(BalanceSchema))


class TopUpSchema(Schema):
    amount = TopUpAmount(
        required=True,
        metadata={"description": "Money to add to the monetary balance: above 0, below 1,000,000"},
    )
    note = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "Why (kept on the ledger movement)"},
    )


class MovementSchema(Schema):
    movement_id = fields.Integer()
    balance_type = fields.Enum(BalanceType, by_value=True, attribute="balance.balance_type")
    balance_id = Text(attribute="balance.balance_id")
    amount = MoneyField(metadata={"description": "Signed: what this movement added"})
    value_after = MoneyField(metadata={"description": "The balance's value after it"})
    cause = fields.Enum(Cause, by_value=True)
    reference = Text()
    user_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class MovementQuerySchema(Schema):
    balance_type = fields.Enum(BalanceType, by_value=True, load_default=None)
    cause = fields.Enum(Cause, by_value=True, load_default=None)
