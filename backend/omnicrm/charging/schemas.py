"""Request and response schemas of the charging API."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from omnicrm.charging.ports import BalanceType, Cause, RecordOutcome, UsageType
from omnicrm.core.fields import ID, Text
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


class AddonSaleSchema(Schema):
    product_id = fields.Integer(
        required=True,
        strict=True,
        validate=ID,
        metadata={
            "description": "The add-on (category addon) to sell; it must list the service's "
            "product in addon_compatible_with (else 409 `addon_incompatible`) and be enabled "
            "(else 422)"
        },
    )


class AddonSoldSchema(Schema):
    service_id = fields.Integer()
    product_slug = Text(metadata={"description": "The add-on sold"})
    reference = Text(metadata={"description": "Names the sale on each of its movements"})
    charged = MoneyField(metadata={"description": "Money taken for it (its retail_cost)"})
    movements = fields.List(fields.Nested(MovementSchema))


class MovementQuerySchema(Schema):
    balance_type = fields.Enum(BalanceType, by_value=True, load_default=None)
    cause = fields.Enum(Cause, by_value=True, load_default=None)


USAGE_TIME_PATTERN = (
    r"^(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


class UsageTime(fields.String):
    """An RFC 3339 date-time with an offset, years 1970-2999 (stored in UTC)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"format": "date-time", "pattern": USAGE_TIME_PATTERN}
        super().__init__(metadata=metadata | kwargs.pop("metadata", {}), **kwargs)

    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> datetime:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(USAGE_TIME_PATTERN, text):
            raise ValidationError("Not an RFC 3339 date-time with an offset (1970-2999).")
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:  # 2027-02-30
            raise ValidationError("Not a valid date-time.") from exc
        return moment.astimezone(UTC)


class UsageUnits(MoneyField):
    """Units of usage (MB, minutes or messages): a decimal string, up to 4 places."""

    pattern = r"^[0-9]{1,7}(\.[0-9]{1,4})?$"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str):
            raise ValidationError('A decimal string such as "12.5".')
        return super()._deserialize(value, attr, data, **kwargs)


class UsageRecordInSchema(Schema):
    class Meta:
        description = (
            "One usage record: exactly one of service_uuid and msisdn names the service "
            "(unknown: rejected). Units are MB for data, minutes for voice, messages for sms."
        )
        json_schema = {"oneOf": [{"required": ["service_uuid"]}, {"required": ["msisdn"]}]}

    id = Text(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "The sender's id: sent again, it is a duplicate"},
    )
    service_uuid = Text(validate=validate.Regexp(r"^[0-9a-f]{32}$"))
    msisdn = Text(
        validate=validate.Regexp(r"^\+[1-9][0-9]{6,14}$"),
        metadata={"description": "The service's number, E.164"},
    )
    type = fields.Enum(UsageType, by_value=True, required=True)
    units = UsageUnits(required=True)
    start_time = UsageTime(required=True)
    destination = Text(load_default=None, allow_none=True, validate=validate.Length(max=64))

    @validates_schema
    def _one_service(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("service_uuid" in data) == ("msisdn" in data):
            raise ValidationError("give exactly one of service_uuid and msisdn", "service_uuid")


class UsageBatchSchema(Schema):
    records = fields.List(
        fields.Nested(UsageRecordInSchema),
        required=True,
        validate=validate.Length(min=1, max=10_000),
    )


class RatedRecordSchema(Schema):
    id = Text()
    outcome = fields.Enum(RecordOutcome, by_value=True)
    from_allowance = MoneyField(metadata={"description": "Units drawn from unit balances"})
    charged = MoneyField(metadata={"description": "Money debited from the monetary balance"})
    arrears = MoneyField(metadata={"description": "Money left for the invoice (postpaid)"})
    reason = Text(allow_none=True)


class UsageBatchResultSchema(Schema):
    rated = fields.Integer()
    arrears = fields.Integer()
    rejected = fields.Integer()
    duplicate = fields.Integer()
    results = fields.List(fields.Nested(RatedRecordSchema))


class UsageQuerySchema(Schema):
    from_ = UsageTime(data_key="from", load_default=None)
    to = UsageTime(load_default=None)
    group_by = Text(load_default="type", validate=validate.OneOf(["day", "type"]))


class UsageTotalSchema(Schema):
    day = fields.Date(allow_none=True, metadata={"description": "With group_by=day"})
    usage_type = fields.Enum(UsageType, by_value=True)
    records = fields.Integer()
    units = MoneyField()
    from_allowance = MoneyField()
    charged = MoneyField()
    arrears = MoneyField()
