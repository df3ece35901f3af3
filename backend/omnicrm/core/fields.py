"""Building blocks shared by every domain: the id bound, marshmallow fields and the
``Idempotency-Key`` header schema for ``schemas.py``, the enum column type for ``models.py``."""

from __future__ import annotations

import enum
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import Enum

MAX_ID = 2**31 - 1  # ids are 32-bit in the database: larger ones cannot exist
ID = validate.Range(min=1, max=MAX_ID)


def storable_id(value: int) -> bool:
    """Whether ``value`` can be an id at all: a larger one names nothing (and would not bind)."""
    return 1 <= value <= MAX_ID


def enum_column(cls: type[enum.Enum], length: int = 16) -> Enum:
    """A column type storing an enum's *values* ("Open", not "open") as a checked string."""
    return Enum(
        cls,
        native_enum=False,
        length=length,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
    )


class Text(fields.String):
    """A string without NUL characters (PostgreSQL cannot store them; nobody types them)."""

    default_error_messages = {"nul": "Must not contain NUL characters."}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The OpenAPI document says so, unless a stricter pattern (metadata or Regexp) does.
        if "pattern" not in self.metadata and not any(
            isinstance(v, validate.Regexp) for v in self.validators
        ):
            self.metadata = {**self.metadata, "pattern": r"^[^\x00]*$"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("nul")
        return text


# What a name may hold (customers/validation.normalise_name): no control characters but tab and
# line breaks (which become spaces), and at least one character that is not white space as
# Python's str.split() sees it (spelled out, so every regex engine reads the same set).
_NAME_CHAR = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_VISIBLE_CHAR = r"[^\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
NAME_PATTERN = f"^{_NAME_CHAR}*{_VISIBLE_CHAR}{_NAME_CHAR}*$"
# Any text but NUL with something besides white space (a label whose spaces are collapsed).
_NON_SPACE_CHAR = (
    r"[^\x00\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
NON_BLANK_PATTERN = f"^[^\\x00]*{_NON_SPACE_CHAR}[^\\x00]*$"


class Name(Text):
    """A person's, customer's, site's or product's name: see ``NAME_PATTERN``."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": NAME_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)


class IdempotencyHeaderSchema(Schema):
    """The ``Idempotency-Key`` header of a money-moving or provisioning-starting POST."""

    class Meta:
        unknown = EXCLUDE

    idempotency_key = Text(
        data_key="Idempotency-Key",
        validate=validate.Length(min=1, max=255),
        metadata={
            "description": "Same key + same body replays the first result; another body: 422"
        },
    )
